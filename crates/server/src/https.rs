//! HTTPS served by Vigie itself (`vigie serve --tls-cert --tls-key`): rustls over PEM files that
//! can be read again while serving (a renewed certificate without a restart), and the plain
//! HTTP listener that only sends browsers to HTTPS (`--redirect-http`). Behind a reverse proxy
//! that holds the certificate, none of this is used.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
pub use axum_server::tls_rustls::RustlsConfig;

use crate::AppState;

/// What HSTS asks of browsers once they have seen HTTPS: a year of HTTPS only for this host.
pub const HSTS: &str = "max-age=31536000";

/// How long requests in flight may take to finish once the server is asked to stop.
const GRACE: Duration = Duration::from_secs(30);

/// Serves HTTPS on `listener` with `tls` until `shutdown` completes, then finishes the requests
/// in flight. The state should have `hsts` and `secure_cookies` set.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    tls: RustlsConfig,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::<SocketAddr>::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopping.graceful_shutdown(Some(GRACE));
    });
    axum_server::from_tcp_rustls(listener, tls)?
        .handle(handle)
        .serve(crate::router(state).into_make_service_with_connect_info::<SocketAddr>())
        .await
}

/// A server that answers every plain-HTTP request with a permanent redirect to the same host
/// and path over HTTPS on `https_port` (its port left out when it is 443).
pub fn redirect_to_https(https_port: u16) -> Router {
    Router::new().fallback(move |headers: HeaderMap, uri: Uri| async move { redirect(&headers, &uri, https_port) })
}

fn redirect(headers: &HeaderMap, uri: &Uri, https_port: u16) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).and_then(host_name);
    let Some(host) = host else {
        return (StatusCode::BAD_REQUEST, "a Host header naming this server was expected\n").into_response();
    };
    let port = if https_port == 443 { String::new() } else { format!(":{https_port}") };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, format!("https://{host}{port}{path}"))]).into_response()
}

/// The host of a `Host` header without its port (`[::1]` kept bracketed), if it is a name or
/// an address: nothing else is written back into a `Location`.
fn host_name(host: &str) -> Option<&str> {
    let name =
        if host.starts_with('[') { &host[..=host.find(']')?] } else { host.split(':').next().unwrap_or_default() };
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':');
    (!name.is_empty() && name.chars().all(allowed)).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(host: Option<&str>, path: &str, port: u16) -> (StatusCode, Option<String>) {
        let mut headers = HeaderMap::new();
        if let Some(host) = host {
            headers.insert(header::HOST, host.parse().expect("a header"));
        }
        let answer = redirect(&headers, &path.parse().expect("a URI"), port);
        let location = answer.headers().get(header::LOCATION).map(|l| l.to_str().expect("text").to_owned());
        (answer.status(), location)
    }

    #[test]
    fn plain_http_goes_to_the_same_host_and_path_over_https() {
        let to = |host, path, port| location(Some(host), path, port).1;
        assert_eq!(
            to("vigie.example.org", "/dashboard?month=2021-11", 443).as_deref(),
            Some("https://vigie.example.org/dashboard?month=2021-11")
        );
        assert_eq!(to("vigie.example.org:80", "/", 8443).as_deref(), Some("https://vigie.example.org:8443/"));
        assert_eq!(to("[::1]:8080", "/x", 8443).as_deref(), Some("https://[::1]:8443/x"));
        assert_eq!(location(Some("evil.example/@x"), "/", 443).0, StatusCode::BAD_REQUEST);
        assert_eq!(location(None, "/", 443).0, StatusCode::BAD_REQUEST);
    }
}
