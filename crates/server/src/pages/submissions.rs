//! Submissions from ODK Collect that need attention: kept as the phone sent them, with why they
//! do not count yet (a partner sees its organisation's, IM officers and admins every one).

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;

use super::{layout, other_languages, page, page_query};
use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;

pub async fn needing_attention(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, _) = page_query(&query, &headers);
    let own = crate::records::scope(&caller);
    let waiting = state
        .blocking(move |_, store| Ok(store.submissions_needing_attention(own.as_deref())?))
        .await
        .map_err(ApiError::page)?;
    let body = html! {
        h1 { (lang.text("ui-submissions")) }
        p.hint { (lang.text("ui-submissions-hint")) }
        @if waiting.is_empty() {
            p #no-submissions { (lang.text("ui-submissions-none")) }
        } @else {
            div.table-scroll {
                table #submissions {
                    thead { tr {
                        th scope="col" { (lang.text("ui-import-when")) }
                        th scope="col" { (lang.text("ui-submission-device")) }
                        th scope="col" { (lang.text("field-organization")) }
                        th scope="col" { (lang.text("ui-submission-errors")) }
                    } }
                    tbody {
                        @for s in &waiting {
                            tr {
                                td { (crate::error::utc_minute(&s.received_at)) }
                                td { (s.device) }
                                td { (s.organization) }
                                td {
                                    pre.errors { (s.errors.as_deref().unwrap_or("")) }
                                    details { summary { (s.instance_id) } pre { (s.xml) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let other = other_languages(lang, "/submissions", &[]);
    Ok(page(layout(lang, &lang.text("ui-submissions"), &caller, other, body), cookie))
}
