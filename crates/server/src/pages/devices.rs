//! Devices, for admins: the monitors' phones that submit to the OpenRosa server, each with a key
//! bound to an organisation. A device added shows, once, its server URL and a QR code in ODK
//! Collect's settings format, so a monitor scans it once; only the key's hash is kept, so the
//! code cannot be shown again (a lost one: revoke the device, add another).

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::{escape_query, layout, other_languages, page, page_query, words};
use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;

/// The list of devices and the form to add one, with the outcome of the last change if any.
pub async fn devices(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, asked) = page_query(&query, &headers);
    let said = |k: &str| asked.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (done, failed) = (said("done"), said("failed"));
    let listed = list(&state, &caller, lang).await?;
    let body = html! {
        h1 { (lang.text("ui-devices")) }
        @if done.is_some() { p.notice role="status" { (lang.text("ui-device-revoked")) } }
        @if let Some(failed) = &failed { p.error role="alert" { (lang.text("ui-admin-failed")) " " (failed) } }
        (listed)
    };
    let other = other_languages(lang, "/admin/devices", &[]);
    Ok(page(layout(lang, &lang.text("ui-devices"), &caller, other, body), cookie))
}

/// The devices, each with a button to revoke it, and the form that adds one.
async fn list(state: &Arc<AppState>, caller: &Caller, lang: vigie_i18n::Lang) -> Result<Markup, ApiError> {
    let csrf = caller.csrf.clone().unwrap_or_default();
    state
        .blocking(move |_, store| {
            let devices = store.devices()?;
            let organizations = store.organizations()?;
            let action = |path: &str| format!("{path}?csrf={csrf}");
            Ok(html! {
                p.hint { (lang.text("ui-devices-hint")) }
                div.table-scroll {
                    table #devices {
                        thead { tr {
                            th scope="col" { (lang.text("ui-submission-device")) }
                            th scope="col" { (lang.text("ui-filter-organization")) }
                            th scope="col" { (lang.text("ui-admin-since")) }
                            th scope="col" { (lang.text("ui-admin-state")) }
                        } }
                        tbody {
                            @for d in &devices {
                                tr {
                                    td { (d.name) }
                                    td { (d.organization) }
                                    td { (d.created_at.get(..10).unwrap_or(&d.created_at)) }
                                    td {
                                        @if let Some(at) = &d.revoked_at {
                                            (words(lang, "ui-device-revoked-on", &[("date", at.get(..10).unwrap_or(at).to_owned())]))
                                        } @else {
                                            form.inline method="post" action=(action(&format!("/admin/devices/{}/revoke", escape_query(&d.name)))) {
                                                (lang.text("ui-admin-enabled")) " "
                                                button type="submit" { (lang.text("ui-device-revoke")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { (lang.text("ui-device-add")) }
                form.record method="post" action=(action("/admin/devices")) {
                    div.field { label for="device-name" { (lang.text("ui-device-name")) } input #device-name name="name" required autocomplete="off" pattern="[A-Za-z0-9._@\\-]{1,64}"; }
                    div.field {
                        label for="device-organization" { (lang.text("ui-filter-organization")) }
                        select #device-organization name="organization" required {
                            @for o in &organizations { option value=(o.code) { (o.code) } }
                        }
                    }
                    div.actions { button.primary type="submit" { (lang.text("ui-texts-add")) } }
                }
            })
        })
        .await
        .map_err(ApiError::page)
}

#[derive(Deserialize)]
pub struct NewDevice {
    name: String,
    organization: String,
}

/// Adds a device and shows, this once, its server URL and the QR code that sets ODK Collect up.
pub async fn add(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
    Form(form): Form<NewDevice>,
) -> Result<Response, ApiError> {
    let (lang, cookie, _) = page_query(&query, &headers);
    let actor = caller.actor("?");
    let (name, organization) = (form.name.trim().to_owned(), form.organization.trim().to_owned());
    let added = {
        let (name, organization) = (name.clone(), organization.clone());
        state
            .blocking(move |_, store| {
                let key = vigie_store::accounts::generate_token()?;
                store.add_device(&name, &organization, &vigie_store::accounts::token_hash(&key), &actor)?;
                Ok(key)
            })
            .await
    };
    let key = match added {
        Ok(key) => key,
        Err(e) if e.status.is_client_error() => {
            let location = format!("/admin/devices?failed={}", escape_query(&e.message));
            return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response());
        }
        Err(e) => return Err(e.page()),
    };
    let url = format!("{}/openrosa/{key}", crate::openrosa::base(&headers));
    let settings = vigie_kobo::collect::settings(&url, &format!("Vigie {organization}"));
    let code = vigie_kobo::collect::settings_code(&settings);
    let qr = qrcode::QrCode::new(code.as_bytes())
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()).page())?;
    let label = words(lang, "ui-device-qr", &[("name", name.clone())]);
    let svg = qr.render::<qrcode::render::svg::Color<'_>>().min_dimensions(300, 300).quiet_zone(true).build();
    // The renderer's SVG is rects of two colours; only its XML declaration is out of place in a page.
    let svg = svg.get(svg.find("<svg").unwrap_or(0)..).unwrap_or_default().replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", vigie_report::charts::escape(&label)),
        1,
    );
    let listed = list(&state, &caller, lang).await?;
    let body = html! {
        h1 { (lang.text("ui-devices")) }
        section.device-added aria-labelledby="device-added" {
            h2 #device-added { (words(lang, "ui-device-added", &[("name", name.clone()), ("organization", organization.clone())])) }
            p { (lang.text("ui-device-scan")) }
            div.qr { (PreEscaped(svg)) }
            p { (lang.text("ui-device-url")) }
            p { code #server-url { (url) } }
            p.hint { (lang.text("ui-device-once")) }
        }
        (listed)
    };
    let other = other_languages(lang, "/admin/devices", &[]);
    Ok(page(layout(lang, &lang.text("ui-devices"), &caller, other, body), cookie))
}

/// Revokes a device's key: its requests get 401 from then on.
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let actor = caller.actor("?");
    let found =
        state.blocking(move |_, store| Ok(store.revoke_device(&name, &actor)?)).await.map_err(ApiError::page)?;
    if !found {
        return Err(ApiError::not_found().page());
    }
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/admin/devices?done=revoked")]).into_response())
}
