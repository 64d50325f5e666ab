//! A language is data: a catalog registered at run time (here the French one, renamed) is
//! offered by every page next to the embedded ones, and the page reads in it. Its own test
//! binary: a registered language stays for the whole process.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use vigie_core::Catalog;
use vigie_i18n::Lang;

async fn page(app: &axum::Router, path: &str) -> String {
    let response =
        app.clone().oneshot(Request::builder().uri(path).body(Body::empty()).expect("request")).await.expect("answer");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    String::from_utf8_lossy(&response.into_body().collect().await.expect("body").to_bytes()).into_owned()
}

#[tokio::test]
async fn every_page_offers_every_catalog_a_third_one_included() {
    let french = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../reference/messages/fr.ftl"))
        .expect("the French catalog");
    let third = french
        .replace("ui-language-name = Français", "ui-language-name = Bamanankan (essai)")
        .replace("ui-sign-in = ", "ui-sign-in = [bm] ");
    assert_ne!(third, french, "the catalog was changed");
    Lang::register("bm", &third).expect("a whole catalog");

    let dir = tempfile::tempdir().expect("temp dir");
    let url = vigie_store::testing::database(dir.path());
    let state = vigie_server::AppState::open(url, Catalog::builtin().clone()).expect("state");
    let app = vigie_server::router(Arc::new(state));

    let french_page = page(&app, "/login?lang=fr").await;
    for (code, name) in [("en", "English"), ("bm", "Bamanankan (essai)")] {
        assert!(
            french_page.contains(&format!("hreflang=\"{code}\">{name}</a>")),
            "the French page links to {code}: {french_page}"
        );
    }
    let third_page = page(&app, "/login?lang=bm").await;
    assert!(third_page.contains("<html lang=\"bm\">"), "{third_page}");
    assert!(third_page.contains("[bm] "), "the page reads in the third catalog");
    for code in ["fr", "en"] {
        assert!(third_page.contains(&format!("hreflang=\"{code}\"")), "the third language's page links to {code}");
    }
    assert!(!third_page.contains("hreflang=\"bm\""), "no link to the page's own language");
}
