//! Administration, for admins: accounts (add, disable, reset a password), partner
//! organisations, public access, and the audit log filtered by actor, action and day. Every
//! change goes through the store, which audits it.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use vigie_store::accounts::hash_password;
use vigie_store::{Role, User};

use super::{escape_query, layout, other_languages, page, page_query, role_name, words};
use crate::AppState;
use crate::api::AuditFilters;
use crate::caller::Caller;
use crate::error::ApiError;

/// The audit log's actions, suggested in its filter.
const AUDIT_ACTIONS: [&str; 26] = [
    "insert",
    "update",
    "delete",
    "import",
    "view",
    "list",
    "download",
    "denied",
    "login",
    "login_failed",
    "logout",
    "user_add",
    "user_disable",
    "user_enable",
    "password_reset",
    "token_create",
    "organization_add",
    "setting",
    "report_text",
    "recommendation_add",
    "recommendation_follow_up",
    "recommendation_close",
    "device_add",
    "device_revoke",
    "openrosa_refused",
    "submission_correct",
];

/// The administration page, with the outcome of the last change (`done` or `failed`) if any.
pub async fn admin(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, asked) = page_query(&query, &headers);
    let said = |k: &str| asked.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (done, failed) = (said("done"), said("failed"));
    let csrf = caller.csrf.clone().unwrap_or_default();
    let body = state
        .blocking(move |_, store| {
            let users = store.users()?;
            let organizations = store.organizations()?;
            let public = store.public_access()?;
            let action = |path: &str| format!("{path}?csrf={csrf}");
            Ok(html! {
                h1 { (lang.text("ui-admin")) }
                @if let Some(done) = &done { p.notice role="status" { (lang.text(&format!("ui-admin-done-{}", if done == "password" { "password" } else { "saved" }))) } }
                @if let Some(failed) = &failed { p.error role="alert" { (lang.text("ui-admin-failed")) " " (failed) } }
                p { a href="/admin/audit" { (lang.text("ui-audit")) } " · " a href="/admin/devices" { (lang.text("ui-devices")) } }

                h2 #users { (lang.text("ui-admin-users")) }
                div.table-scroll {
                    table {
                        thead { tr {
                            th scope="col" { (lang.text("ui-user-name")) }
                            th scope="col" { (lang.text("ui-admin-role")) }
                            th scope="col" { (lang.text("ui-filter-organization")) }
                            th scope="col" { (lang.text("ui-admin-since")) }
                            th scope="col" { (lang.text("ui-admin-state")) }
                        } }
                        tbody {
                            @for u in &users {
                                tr {
                                    td { (u.name) }
                                    td { (role_name(lang, u.role)) }
                                    td { (u.organization.as_deref().unwrap_or("—")) }
                                    td { (u.created_at.get(..10).unwrap_or(&u.created_at)) }
                                    td {
                                        form.inline method="post" action=(action(&format!("/admin/users/{}", escape_query(&u.name)))) {
                                            input type="hidden" name="disabled" value=(if u.disabled { "false" } else { "true" });
                                            (if u.disabled { lang.text("ui-admin-disabled") } else { lang.text("ui-admin-enabled") }) " "
                                            button type="submit" { (if u.disabled { lang.text("ui-admin-enable") } else { lang.text("ui-admin-disable") }) }
                                        }
                                        form.inline method="post" action=(action(&format!("/admin/users/{}", escape_query(&u.name)))) {
                                            label { (lang.text("ui-admin-new-password")) " " input type="password" name="password" autocomplete="new-password" minlength="10"; }
                                            " " button type="submit" { (lang.text("ui-admin-reset")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                h3 { (lang.text("ui-admin-add-user")) }
                form.record method="post" action=(action("/admin/users")) {
                    div.field { label for="new-name" { (lang.text("ui-user-name")) } input #new-name name="name" required autocomplete="off"; }
                    div.field {
                        label for="new-role" { (lang.text("ui-admin-role")) }
                        select #new-role name="role" { @for r in Role::ALL { option value=(r.name()) selected[r == Role::Viewer] { (role_name(lang, r)) } } }
                    }
                    div.field {
                        label for="new-organization" { (lang.text("ui-filter-organization")) }
                        select #new-organization name="organization" {
                            option value="" { "—" }
                            @for o in &organizations { option value=(o.code) { (o.code) } }
                        }
                    }
                    div.field { label for="new-password" { (lang.text("ui-password")) } input #new-password type="password" name="password" required minlength="10" autocomplete="new-password"; }
                    div.actions { button.primary type="submit" { (lang.text("ui-texts-add")) } }
                }

                h2 #organizations { (lang.text("ui-admin-organizations")) }
                div.table-scroll {
                    table {
                        thead { tr { th scope="col" { (lang.text("ui-admin-code")) } th scope="col" { (lang.text("ui-admin-org-name")) } th.n scope="col" { (lang.text("ui-violations")) } } }
                        tbody { @for o in &organizations { tr { td { (o.code) } td { (o.name.as_deref().unwrap_or("")) } td.n { (lang.int(o.violations)) } } } }
                    }
                }
                h3 { (lang.text("ui-admin-add-organization")) }
                form.record method="post" action=(action("/admin/organizations")) {
                    div.field { label for="org-code" { (lang.text("ui-admin-code")) } input #org-code name="code" required; }
                    div.field { label for="org-name" { (lang.text("ui-admin-org-name")) } input #org-name name="name"; }
                    div.actions { button.primary type="submit" { (lang.text("ui-texts-add")) } }
                }

                h2 #public { (lang.text("ui-admin-public")) }
                form.inline method="post" action=(action("/admin/settings")) {
                    input type="hidden" name="public_access" value=(if public { "false" } else { "true" });
                    (if public { lang.text("ui-admin-public-on") } else { lang.text("ui-admin-public-off") }) " "
                    button.primary type="submit" { (if public { lang.text("ui-admin-public-switch-off") } else { lang.text("ui-admin-public-switch-on") }) }
                }
            })
        })
        .await
        .map_err(ApiError::page)?;
    let other = other_languages(lang, "/admin", &[]);
    Ok(page(layout(lang, &lang.text("ui-admin"), &caller, other, body), cookie))
}

/// Back to the page, saying what happened.
fn back(result: Result<&str, String>, anchor: &str) -> Response {
    let query = match result {
        Ok(done) => format!("done={done}"),
        Err(why) => format!("failed={}", escape_query(&why)),
    };
    (StatusCode::SEE_OTHER, [(header::LOCATION, format!("/admin?{query}#{anchor}"))]).into_response()
}

/// A refusal the admin can act on (a name taken, a short password), or a failure of the server.
fn outcome(result: Result<(), ApiError>, done: &str, anchor: &str) -> Result<Response, ApiError> {
    match result {
        Ok(()) => Ok(back(Ok(done), anchor)),
        Err(e) if e.status.is_client_error() => Ok(back(Err(e.message), anchor)),
        Err(e) => Err(e.page()),
    }
}

#[derive(Deserialize)]
pub struct NewUser {
    name: String,
    role: String,
    #[serde(default)]
    organization: String,
    password: String,
}

pub async fn add_user(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<NewUser>,
) -> Result<Response, ApiError> {
    let actor = caller.actor("?");
    let result = state
        .blocking(move |_, store| {
            let role = Role::parse(&form.role).ok_or_else(|| ApiError::bad_request("no such role"))?;
            let organization = Some(form.organization.trim().to_owned()).filter(|o| !o.is_empty());
            let user = User {
                name: form.name.trim().to_owned(),
                role,
                organization,
                disabled: false,
                created_at: String::new(),
            };
            store.add_user(&user, &hash_password(&form.password)?, &actor)?;
            Ok(())
        })
        .await;
    outcome(result, "saved", "users")
}

#[derive(Deserialize)]
pub struct UserChange {
    disabled: Option<bool>,
    password: Option<String>,
}

/// Disables or enables an account, or sets its password.
pub async fn change_user(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Form(form): Form<UserChange>,
) -> Result<Response, ApiError> {
    let actor = caller.actor("?");
    let done = if form.password.is_some() { "password" } else { "saved" };
    let result = state
        .blocking(move |_, store| {
            let found = match (form.disabled, form.password) {
                (Some(disabled), _) => store.set_user_disabled(&name, disabled, &actor)?,
                (None, Some(password)) => store.set_password(&name, &hash_password(&password)?, &actor)?,
                (None, None) => return Err(ApiError::bad_request("nothing to change")),
            };
            if found { Ok(()) } else { Err(ApiError::not_found()) }
        })
        .await;
    outcome(result, done, "users")
}

#[derive(Deserialize)]
pub struct NewOrganization {
    code: String,
    #[serde(default)]
    name: String,
}

pub async fn add_organization(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<NewOrganization>,
) -> Result<Response, ApiError> {
    let actor = caller.actor("?");
    let result = state
        .blocking(move |_, store| {
            let name = Some(form.name.trim()).filter(|n| !n.is_empty());
            Ok(store.add_organization(form.code.trim(), name, &actor)?)
        })
        .await;
    outcome(result, "saved", "organizations")
}

#[derive(Deserialize)]
pub struct PublicAccess {
    public_access: bool,
}

pub async fn settings(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<PublicAccess>,
) -> Result<Response, ApiError> {
    let actor = caller.actor("?");
    let result = state.blocking(move |_, store| Ok(store.set_public_access(form.public_access, &actor)?)).await;
    outcome(result, "saved", "public")
}

/// The audit log, newest first, filtered by actor, action and days.
pub async fn audit(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(filters): Query<AuditFilters>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, asked) = page_query(&query, &headers);
    let search = filters.query().map_err(ApiError::page)?;
    let entries = crate::api::read_audit(&state, &caller, search.clone()).await.map_err(ApiError::page)?;
    let value = |name: &str| asked.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut count = vigie_i18n::Args::new();
    count.set("count", entries.len() as u64);
    let body = html! {
        h1 { (lang.text("ui-audit")) }
        form.filters method="get" action="/admin/audit" aria-label=(lang.text("ui-filters")) {
            label { (lang.text("ui-audit-actor")) input name="actor" value=(value("actor")); }
            label { (lang.text("ui-audit-action")) input name="action" value=(value("action")) list="audit-actions"; }
            datalist #audit-actions {
                @for a in AUDIT_ACTIONS {
                    option value=(a) {}
                }
            }
            label { (lang.text("ui-filter-from")) input type="date" name="from" value=(value("from")); }
            label { (lang.text("ui-filter-to")) input type="date" name="to" value=(value("to")); }
            button.primary type="submit" { (lang.text("ui-apply")) }
            a href="/admin/audit" { (lang.text("ui-reset")) }
        }
        p #total { (lang.format("ui-audit-count", &count)) " " (words(lang, "ui-audit-limit", &[("limit", search.limit.to_string())])) }
        div.table-scroll {
            table #audit {
                thead { tr {
                    th scope="col" { (lang.text("ui-import-when")) }
                    th scope="col" { (lang.text("ui-audit-actor")) }
                    th scope="col" { (lang.text("ui-audit-action")) }
                    th scope="col" { (lang.text("ui-audit-entity")) }
                    th scope="col" { (lang.text("ui-audit-details")) }
                } }
                tbody {
                    @for e in &entries {
                        tr {
                            td { (e.at.replace('T', " ").trim_end_matches('Z')) }
                            td { (e.actor.as_deref().unwrap_or("—")) }
                            td { code { (e.action) } }
                            td { (e.entity) " " (e.entity_id) }
                            td.details { small { (e.new.as_deref().or(e.old.as_deref()).unwrap_or("").chars().take(160).collect::<String>()) } }
                        }
                    }
                }
            }
        }
    };
    let other = other_languages(lang, "/admin/audit", &asked);
    Ok(page(layout(lang, &lang.text("ui-audit"), &caller, other, body), cookie))
}
