//! Submissions from ODK Collect that need attention: kept as the phone sent them, with why they
//! do not count yet (a partner sees its organisation's, IM officers and admins every one); each
//! can be corrected on a page of its own, and then counts.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use vigie_i18n::Lang;
use vigie_kobo::form::XlsForm;

use super::{escape_query, layout, other_languages, page, page_query, words};
use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;
use crate::openrosa::{Leaf, Problem};

/// Vigie's form as a page shows it: each field's label in the reader's language, and the choices
/// of its list.
struct Labels {
    questions: Vec<vigie_kobo::form::Question>,
    choices: Vec<vigie_kobo::form::Choice>,
    /// The labels' place for the reader's language.
    column: usize,
}

impl Labels {
    fn new(state: &AppState, lang: Lang) -> Labels {
        let form = XlsForm::vigie(state.shared.catalog());
        let column = Lang::all().iter().position(|l| *l == lang).unwrap_or(0);
        Labels { questions: form.questions(), choices: form.choices(), column }
    }

    /// The question of a field (`admin3`, or a path: `incident/admin3`).
    fn question(&self, field: &str) -> Option<&vigie_kobo::form::Question> {
        let name = field.rsplit('/').next().unwrap_or(field);
        self.questions.iter().find(|q| q.name == name)
    }

    fn label(&self, field: &str) -> String {
        let labels = self.question(field).map(|q| &q.labels);
        labels.and_then(|l| l.get(self.column).or(l.first())).cloned().unwrap_or_else(|| field.to_owned())
    }

    /// Why a submission does not count, each problem in the reader's language where a rule says it.
    fn problems(&self, lang: Lang, problems: &[Problem]) -> Markup {
        html! {
            ul.problems {
                @for p in problems {
                    li {
                        @if !p.field.is_empty() { strong { (self.label(&p.field)) } " — " }
                        (p.rule.as_deref().map_or_else(|| p.text.clone(), |rule| lang.text(rule)))
                        @if !p.value.is_empty() { " " (words(lang, "ui-found", &[("value", p.value.clone())])) }
                    }
                }
            }
        }
    }
}

pub async fn needing_attention(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, asked) = page_query(&query, &headers);
    let corrected = asked.iter().find(|(k, _)| k == "corrected").map(|(_, v)| v.clone());
    let own = crate::records::scope(&caller);
    let waiting = state
        .blocking(move |_, store| Ok(store.submissions_needing_attention(own.as_deref())?))
        .await
        .map_err(ApiError::page)?;
    let labels = Labels::new(&state, lang);
    let body = html! {
        h1 { (lang.text("ui-submissions")) }
        @if let Some(id) = &corrected {
            p.notice role="status" { (words(lang, "ui-submission-corrected", &[("id", id.clone())])) }
        }
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
                                    (labels.problems(lang, &Problem::read(s.errors.as_deref().unwrap_or(""))))
                                    a href={ "/submissions/" (escape_query(&s.instance_id)) } { (lang.text("ui-submission-correct")) }
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

/// The submission `id` needing attention, if the caller may see it: a partner, its own
/// organisation's (another's does not exist for it).
async fn kept(state: &Arc<AppState>, caller: &Caller, id: String) -> Result<vigie_store::Submission, ApiError> {
    let own = crate::records::scope(caller);
    state
        .blocking(move |_, store| {
            store
                .submission(&id)?
                .filter(|s| s.status == "needs_attention" && own.as_ref().is_none_or(|o| *o == s.organization))
                .ok_or_else(ApiError::not_found)
        })
        .await
        .map_err(ApiError::page)
}

/// A submission's values in a form, each under the question's label, codes suggested from its
/// choices; and why it does not count.
fn correction_form(
    lang: Lang,
    caller: &Caller,
    labels: &Labels,
    kept: &vigie_store::Submission,
    leaves: &[Leaf],
    problems: &[Problem],
) -> Markup {
    let list = |leaf: &Leaf| labels.question(&leaf.path).and_then(|q| q.list.as_deref());
    let mut lists: Vec<&str> = leaves.iter().filter_map(list).collect();
    lists.sort_unstable();
    lists.dedup();
    let csrf = caller.csrf.clone().unwrap_or_default();
    let from = [
        ("device", kept.device.clone()),
        ("organization", kept.organization.clone()),
        ("at", crate::error::utc_minute(&kept.received_at)),
    ];
    html! {
        h1 { (words(lang, "ui-submission-title", &[("id", kept.instance_id.clone())])) }
        p { (words(lang, "ui-submission-from", &from)) }
        div.error role="alert" {
            p { (lang.text("ui-submission-errors")) }
            (labels.problems(lang, problems))
        }
        p.hint { (lang.text("ui-submission-correct-hint")) }
        form.record method="post" action={ "/submissions/" (escape_query(&kept.instance_id)) "?csrf=" (csrf) } {
            @for (i, leaf) in leaves.iter().enumerate() {
                div.field {
                    label for={ "v" (i) } {
                        @if let Some(entry) = leaf.entry { (words(lang, "ui-submission-victim", &[("n", entry.to_string())])) " · " }
                        (labels.label(&leaf.path)) " " small { code { (leaf.path) } }
                    }
                    input id={ "v" (i) } name={ "v" (i) } value=(leaf.value) list=[list(leaf).map(|l| format!("choices-{l}"))];
                }
            }
            div.actions { button.primary type="submit" { (lang.text("ui-submission-save")) } }
        }
        @for list in &lists {
            datalist id={ "choices-" (list) } {
                @for c in labels.choices.iter().filter(|c| c.list == *list) {
                    option value=(c.name) { (c.labels.get(labels.column).or(c.labels.first()).map_or("", String::as_str)) }
                }
            }
        }
    }
}

/// A submission needing attention, its values in a form to correct.
pub async fn submission(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, _) = page_query(&query, &headers);
    let kept = kept(&state, &caller, id).await?;
    let leaves = crate::openrosa::leaves(&kept.xml).map_err(|e| ApiError::bad_request(e).page())?;
    let problems = Problem::read(kept.errors.as_deref().unwrap_or(""));
    let body = correction_form(lang, &caller, &Labels::new(&state, lang), &kept, &leaves, &problems);
    let path = format!("/submissions/{}", escape_query(&kept.instance_id));
    let other = other_languages(lang, &path, &[]);
    Ok(page(layout(lang, &lang.text("ui-submissions"), &caller, other, body), cookie))
}

/// A submission corrected: imported as ODK Collect's are and counted, audited with each value
/// changed; or the form again with what is still wrong, nothing changed.
pub async fn correct(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let lang = super::request_language(None, &headers);
    let kept = kept(&state, &caller, id).await?;
    let values: Vec<(usize, String)> =
        form.into_iter().filter_map(|(name, value)| Some((name.strip_prefix('v')?.parse().ok()?, value))).collect();
    let actor = caller.actor("?");
    let outcome = {
        let (kept, values) = (kept.clone(), values.clone());
        state.blocking(move |state, store| crate::openrosa::correct(state, store, &kept, &values, actor)).await
    }
    .map_err(ApiError::page)?;
    match outcome {
        Ok(()) => {
            let location = format!("/submissions?corrected={}", escape_query(&kept.instance_id));
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
        }
        Err(errors) => {
            // The form again, with the values as the person entered them.
            let mut leaves = crate::openrosa::leaves(&kept.xml).map_err(|e| ApiError::bad_request(e).page())?;
            for (index, value) in values {
                if let Some(leaf) = leaves.get_mut(index) {
                    leaf.value = value;
                }
            }
            let body = correction_form(lang, &caller, &Labels::new(&state, lang), &kept, &leaves, &errors);
            let mut response = layout(lang, &lang.text("ui-submissions"), &caller, Vec::new(), body).into_response();
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}
