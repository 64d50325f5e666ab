//! `GET /metrics`: what an operator's Prometheus scrapes (OpenMetrics text, which Prometheus
//! reads): requests by route and status and their latency, the wait for a store, the imports,
//! the answers kept and made again, the data's version and size, and the scheduled backups'
//! age. Counted as they happen by the route guard, the store work runner and the imports; the
//! rest read when scraped.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;
use crate::error::ApiError;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Import {
    kind: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    method: String,
    route: String,
}

/// The counters and histograms kept while serving.
pub struct Metrics {
    registry: Registry,
    requests: Family<Request, Counter>,
    latency: Family<Route, Histogram>,
    store_wait: Histogram,
    imports: Family<Import, Counter>,
    imported_rows: Family<Import, Counter>,
    cache_hits: Counter,
    cache_misses: Counter,
    data_version: Gauge,
    violations: Gauge,
    backup_age: Gauge,
    backup_failing: Gauge,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("vigie");
        let requests = Family::<Request, Counter>::default();
        registry.register("requests", "HTTP requests by route and status", requests.clone());
        // 1 ms to 16 s.
        let latency =
            Family::<Route, Histogram>::new_with_constructor(|| Histogram::new(exponential_buckets(0.001, 2.0, 15)));
        registry.register("request_duration_seconds", "Time to answer a request, by route", latency.clone());
        let store_wait = Histogram::new(exponential_buckets(0.0001, 4.0, 10));
        registry.register("store_wait_seconds", "Time a request waited for a store of the pool", store_wait.clone());
        let imports = Family::<Import, Counter>::default();
        registry.register(
            "imports",
            "Imports through the server by kind and outcome (committed, dry_run, invalid, refused)",
            imports.clone(),
        );
        let imported_rows = Family::<Import, Counter>::default();
        registry.register("imported_rows", "Rows read by the imports, by kind and outcome", imported_rows.clone());
        let cache_hits = Counter::default();
        registry.register("answer_cache_hits", "Month tables answered from the cache", cache_hits.clone());
        let cache_misses = Counter::default();
        registry.register("answer_cache_misses", "Month tables counted again (not in the cache)", cache_misses.clone());
        let data_version = Gauge::default();
        registry.register(
            "data_version",
            "The last change of the data taken in (the change feed's position)",
            data_version.clone(),
        );
        let violations = Gauge::default();
        registry.register("violations", "Violations held by the aggregation layer", violations.clone());
        let backup_age = Gauge::default();
        registry.register(
            "backup_age_seconds",
            "Seconds since the last scheduled backup was written (-1: none yet)",
            backup_age.clone(),
        );
        let backup_failing = Gauge::default();
        registry.register("backup_failing", "1 when the last scheduled backup failed", backup_failing.clone());
        Metrics {
            registry,
            requests,
            latency,
            store_wait,
            imports,
            imported_rows,
            cache_hits,
            cache_misses,
            data_version,
            violations,
            backup_age,
            backup_failing,
        }
    }
}

impl Metrics {
    /// A request answered by the route `route` (its template: `/api/v1/violations/{id}`).
    pub(crate) fn request(&self, method: &str, route: &str, status: StatusCode, took: Duration) {
        let (method, route) = (method.to_owned(), route.to_owned());
        self.requests
            .get_or_create(&Request { method: method.clone(), route: route.clone(), status: status.as_u16() })
            .inc();
        self.latency.get_or_create(&Route { method, route }).observe(took.as_secs_f64());
    }

    /// An import of `kind` (`violations`, `kobo`…) that ended as `outcome`, having read `rows`.
    pub(crate) fn import(&self, kind: &str, outcome: &str, rows: u64) {
        let labels = Import { kind: kind.to_owned(), outcome: outcome.to_owned() };
        self.imports.get_or_create(&labels).inc();
        self.imported_rows.get_or_create(&labels).inc_by(rows);
    }

    /// A wait for a store of the pool.
    pub(crate) fn store_wait(&self, took: Duration) {
        self.store_wait.observe(took.as_secs_f64());
    }
}

/// `GET /metrics` (admins): every metric, in OpenMetrics text.
pub async fn serve(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let m = &state.metrics;
    let live = state.shared.current();
    m.data_version.set(live.version());
    m.violations.set(i64::try_from(live.facts.len()).unwrap_or(i64::MAX));
    let (hits, misses) = state.shared.answer_cache_counts();
    m.cache_hits.inner().store(hits, std::sync::atomic::Ordering::Relaxed);
    m.cache_misses.inner().store(misses, std::sync::atomic::Ordering::Relaxed);
    let backups = state.backups.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let age = backups
        .as_ref()
        .and_then(|b| b.last_success.as_deref())
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .map_or(-1, |at| (chrono::Utc::now() - at.with_timezone(&chrono::Utc)).num_seconds());
    m.backup_age.set(age);
    m.backup_failing.set(i64::from(backups.is_some_and(|b| b.last_error.is_some())));
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &m.registry).map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response())
}
