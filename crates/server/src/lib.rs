//! `vigie serve`: the shared server of a Protection Cluster. Every route is declared once, in
//! [`routes`], with the roles that may call it; the router is built from that list only, so no
//! route exists without its permission, and the authorization test walks the same list.
//!
//! Requests never block the async executor on the database: store work runs on blocking
//! threads, each with its own pooled connection. Every process holds one aggregation state
//! ([`Shared`]) that follows the database's change feed.

mod access_cache;
mod api;
mod caller;
mod error;
mod feed;
pub mod https;
mod metrics;
mod months;
mod openapi;
mod openrosa;
mod pages;
mod proxy;
pub mod publish;
mod records;
mod routes;
mod throttle;
mod uploads;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::set_header::SetResponseHeaderLayer;
use vigie_core::Catalog;
use vigie_store::{DbUrl, Pool, Shared, Store};

pub use caller::{Allow, RouteSpec};
pub use error::{ApiError, locked_message};
pub use openapi::document as openapi_document;
pub use proxy::Cidr;
pub use routes::route_specs;
pub use throttle::MAX_FAILURES;

/// What every request shares.
pub struct AppState {
    pool: Pool,
    /// Store work running at once: beyond it, requests queue for a store rather than open ever
    /// more connections (each with its own page cache) on a machine of a few cores.
    working: tokio::sync::Semaphore,
    shared: Shared,
    /// Sessions and tokens already seen, while no change of access says otherwise.
    access: access_cache::AccessCache,
    /// The audit entries of reads, written together (see [`AppState::audit_read`]).
    reads: vigie_store::AuditGroup,
    /// Vigie's form as an XForm and its hash, made at the first OpenRosa request.
    xform: std::sync::OnceLock<(String, String)>,
    /// Uploads being taken in ([`uploads::AT_ONCE`] at most).
    uploads: tokio::sync::Semaphore,
    /// How long a login session lasts.
    pub session_ttl: Duration,
    /// Whether cookies are marked `Secure` (served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Whether answers ask browsers to come back over HTTPS only (HSTS): served over TLS by
    /// Vigie itself.
    pub hsts: bool,
    /// The reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: Vec<Cidr>,
    /// k of the disclosure rule: the fewest hidden records a figure may count.
    pub min_count: vigie_core::aggregate::MinCount,
    /// What the scheduled backups did last (`vigie serve --backup-dir`), shown by the health
    /// check; `None` when none are scheduled.
    pub backups: std::sync::Mutex<Option<BackupStatus>>,
    /// What `GET /metrics` reports.
    metrics: metrics::Metrics,
}

/// The scheduled backups' state, as the health check shows it.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BackupStatus {
    /// Where they are written, and how often (`24h`).
    pub dir: String,
    pub every: String,
    /// The newest one written, and when (RFC 3339, UTC).
    pub last_file: Option<String>,
    pub last_success: Option<String>,
    /// Why the last attempt failed, when it did (cleared by the next success).
    pub last_error: Option<String>,
}

impl AppState {
    /// Opens the database `url` names and loads its aggregation state with `catalog`.
    pub fn open(url: DbUrl, catalog: Catalog) -> Result<AppState, vigie_store::StoreError> {
        let pool = Pool::new(url.clone())?;
        let shared = Shared::load(&*pool.get()?, catalog)?.refresh_in_background(url);
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Ok(AppState {
            pool,
            working: tokio::sync::Semaphore::new(4 * cores),
            shared,
            access: access_cache::AccessCache::default(),
            reads: vigie_store::AuditGroup::default(),
            uploads: tokio::sync::Semaphore::new(uploads::AT_ONCE),
            xform: std::sync::OnceLock::new(),
            trusted_proxies: Vec::new(),
            session_ttl: Duration::from_secs(8 * 3600),
            secure_cookies: false,
            hsts: false,
            min_count: vigie_core::aggregate::MinCount::default(),
            backups: std::sync::Mutex::new(None),
            metrics: metrics::Metrics::default(),
        })
    }

    /// A cluster's own early-warning rules (`vigie serve --signal-rules`), before serving.
    pub fn set_signal_rules(&mut self, rules: vigie_core::aggregate::SignalRules) {
        self.shared.set_signal_rules(rules);
    }

    /// Runs store work on a blocking thread with a pooled store of its own.
    async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&AppState, &mut dyn Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = Arc::clone(self);
        let asked = std::time::Instant::now();
        let _turn = self.working.acquire().await.map_err(ApiError::internal)?;
        self.metrics.store_wait(asked.elapsed());
        tokio::task::spawn_blocking(move || {
            let mut store = state.pool.get().map_err(ApiError::from)?;
            work(&state, &mut *store)
        })
        .await
        .map_err(|e| ApiError::internal(format!("a request's work stopped: {e}")))?
    }

    /// Audits a read (a list, a view, a download, a refusal): written with the other requests'
    /// entries waiting at that moment, in one transaction, and committed before it returns.
    fn audit_read(
        &self,
        store: &mut dyn Store,
        actor: vigie_store::Actor,
        action: &str,
        entity: &str,
        id: &str,
        details: serde_json::Value,
    ) -> Result<(), ApiError> {
        let entry = vigie_store::ReadAudit {
            actor,
            action: action.to_owned(),
            entity: entity.to_owned(),
            id: id.to_owned(),
            details,
        };
        Ok(self.reads.record(store, entry)?)
    }

    /// A turn to take an upload in, or 503 while [`uploads::AT_ONCE`] are.
    fn upload_slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
        self.uploads.try_acquire().map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "other uploads are being taken in: send it again in a moment",
            )
        })
    }

    /// An upload refused while it arrived (too large): audited, and handed back.
    async fn refused_upload(self: &Arc<Self>, caller: &caller::Caller, refused: ApiError) -> ApiError {
        if refused.status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            let actor = caller.actor("?");
            let why = serde_json::json!({ "why": refused.message });
            let audited =
                self.blocking(move |_, store| Ok(store.record(&actor, "upload_refused", "imports", "upload", why)?));
            if let Err(e) = audited.await {
                return e;
            }
        }
        refused
    }
}

/// The largest request body accepted (login and JSON writes; imports will have their own).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The whole application: every route of [`routes`], each behind its permission, with the
/// security headers and the body limit.
pub fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new();
    for (spec, method_router) in routes::routes(&state) {
        router = router.route(spec.path, method_router);
    }
    let headers: [(HeaderName, &'static str); 5] = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    // Pages and JSON gzipped, at the fastest level: a dashboard of 1 MB travels as 0.25 MB to a
    // phone, for about a millisecond of the server's time. Downloads are not: CSV streams at
    // its own speed, and a workbook is compressed already.
    let compressible = DefaultPredicate::new()
        .and(NotForContentType::const_new("text/csv"))
        .and(NotForContentType::const_new("application/vnd.openxmlformats"))
        .and(NotForContentType::const_new("application/pdf"));
    let compression = CompressionLayer::new().quality(CompressionLevel::Fastest).compress_when(compressible);
    let hsts = state.hsts;
    let mut router = router
        .fallback(|request: axum::extract::Request| async move {
            tracing::info!(method = %request.method(), route = "(none)", status = 404, ms = 0.0, "request");
            ApiError::not_found()
        })
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(compression)
        .with_state(state);
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value)));
    }
    if hsts {
        let value = HeaderValue::from_static(https::HSTS);
        router = router.layer(SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, value));
    }
    router
}

/// `GET /metrics` alone, with no sign-in: for `vigie serve --metrics-addr`, a port that only the
/// operator's Prometheus reaches.
pub fn metrics_router(state: Arc<AppState>) -> Router {
    Router::new().route("/metrics", axum::routing::get(metrics::serve)).with_state(state)
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
