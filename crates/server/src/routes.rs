//! The route table: every route of the server once, with its handler and who may call it
//! (the core's groups of roles). The router and the OpenAPI document are built from it alone;
//! handlers never read it: they get their [`Caller`] from the guard.

use std::sync::Arc;

use axum::Extension;
use axum::middleware;
use axum::routing::{MethodRouter, delete, get, head, post, put};
use vigie_store::{RecordKind, Role};

use crate::caller::{Allow, RouteSpec, guard};
use crate::{AppState, api, months, openrosa, pages, records};

const EVERY_ROLE: &[Role] = &Role::ALL;
/// An upload's whole body: its files, each within [`crate::uploads::IMPORT_LIMIT`], and a form's
/// other fields.
const UPLOAD_BODY: usize = 2 * crate::uploads::IMPORT_LIMIT as usize;
// Who may call a route: the groups of roles the core defines with their permissions.
const ADMIN: &[Role] = Role::ADMINS;
const ANALYSTS: &[Role] = Role::ANALYSTS;
const RECORDS: &[Role] = Role::WITH_RECORDS;
const VERIFIERS: &[Role] = Role::VERIFIERS;

fn spec(method: &'static str, path: &'static str, allow: Allow, summary: &'static str) -> RouteSpec {
    RouteSpec { method, path, allow, summary }
}

/// Every route of the server with its handler: the one list the router is built from.
fn table() -> Vec<(RouteSpec, MethodRouter<Arc<AppState>>)> {
    let mut table = vec![
        (spec("GET", "/api/v1/health", Allow::Anyone, "Whether the server answers."), get(api::health)),
        (spec("GET", "/api/openapi.json", Allow::Anyone, "This document."), get(crate::openapi::serve)),
        (spec("GET", "/", Allow::Anyone, "Page: to the dashboard."), get(pages::home)),
        (spec("GET", "/assets/vigie.css", Allow::Anyone, "The pages' stylesheet."), get(pages::stylesheet)),
        (spec("GET", "/assets/icon.svg", Allow::Anyone, "The pages' icon."), get(pages::icon)),
        (
            spec("GET", "/assets/vigie.js", Allow::Anyone, "The pages' script (progressive enhancement)."),
            get(pages::script),
        ),
        (spec("GET", "/login", Allow::Anyone, "Page: the sign-in form."), get(pages::sign_in_page)),
        (spec("POST", "/login", Allow::Anyone, "Page: sign in (a form), then the dashboard."), post(pages::sign_in)),
        (spec("POST", "/logout", Allow::Roles(EVERY_ROLE), "Page: sign out (a form)."), post(pages::sign_out)),
        (
            spec(
                "GET",
                "/dashboard",
                Allow::PublicOr(EVERY_ROLE),
                "Page: the month's key figures and charts, for the filters of the URL.",
            ),
            get(pages::dashboard),
        ),
        (
            spec(
                "GET",
                "/violations.csv",
                Allow::Roles(RECORDS),
                "Download: the violations of the list's filters as violations.csv, streamed (audited).",
            ),
            get(pages::records::download_csv),
        ),
        (
            spec(
                "GET",
                "/violations.xlsx",
                Allow::Roles(RECORDS),
                "Download: the violations of the list's filters as an Excel workbook (audited).",
            ),
            get(pages::records::download_xlsx),
        ),
        (
            spec("GET", "/imports", Allow::Roles(RECORDS), "Page: upload a file to import, and the import history."),
            get(pages::imports::imports),
        ),
        (
            spec(
                "GET",
                "/submissions",
                Allow::Roles(RECORDS),
                "Page: submissions from ODK Collect that need attention, with why (a partner: its own).",
            ),
            get(pages::submissions::needing_attention),
        ),
        (
            spec(
                "GET",
                "/submissions/{id}",
                Allow::Roles(RECORDS),
                "Page: a submission that needs attention, its values in a form to correct (a partner: its own).",
            ),
            get(pages::submissions::submission),
        ),
        (
            spec(
                "POST",
                "/submissions/{id}",
                Allow::Roles(RECORDS),
                "Page: a submission corrected (a form): imported and counted, or what is still wrong.",
            ),
            post(pages::submissions::correct),
        ),
        (
            spec("POST", "/imports", Allow::Roles(RECORDS), "Page: a file uploaded (a form), imported all or nothing."),
            post(pages::imports::upload).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY)),
        ),
        (
            spec(
                "GET",
                "/reports",
                Allow::PublicOr(EVERY_ROLE),
                "Page: the month's report, tables and incident list, by role.",
            ),
            get(pages::reports::reports),
        ),
        (
            spec(
                "GET",
                "/texts",
                Allow::Roles(ANALYSTS),
                "Page: the report's texts and recommendations, numbers checked.",
            ),
            get(pages::texts::texts),
        ),
        (
            spec("POST", "/texts", Allow::Roles(ANALYSTS), "Page: a report text saved (a form)."),
            post(pages::texts::save_text),
        ),
        (
            spec("POST", "/recommendations", Allow::Roles(ANALYSTS), "Page: a recommendation added (a form)."),
            post(pages::texts::add_recommendation),
        ),
        (
            spec(
                "POST",
                "/recommendations/{id}",
                Allow::Roles(ANALYSTS),
                "Page: a recommendation followed up or closed (a form).",
            ),
            post(pages::texts::follow_up),
        ),
        (
            spec(
                "POST",
                "/verification",
                Allow::Roles(VERIFIERS),
                "Page: verification statuses set (a form: a violation's page, or the list's ticked rows).",
            ),
            post(pages::records::verify),
        ),
        (
            spec(
                "GET",
                "/duplicates",
                Allow::Roles(VERIFIERS),
                "Page: the month's pairs of violations that may be one event reported twice, side by side.",
            ),
            get(pages::duplicates::review),
        ),
        (
            spec("POST", "/duplicates", Allow::Roles(VERIFIERS), "Page: a decision about a pair (a form)."),
            post(pages::duplicates::decide),
        ),
        (
            spec("POST", "/reports/sign-off", Allow::Roles(VERIFIERS), "Page: a month signed off (a form)."),
            post(pages::reports::sign_off),
        ),
        (
            spec("POST", "/reports/reopen", Allow::Roles(ADMIN), "Page: a signed-off month reopened (a form)."),
            post(pages::reports::reopen),
        ),
        // ODK Collect's OpenRosa server: the device key in the path is checked by the handlers.
        (
            spec("GET", "/openrosa/{key}/formList", Allow::Anyone, "OpenRosa: the form list (a device's key)."),
            get(openrosa::form_list),
        ),
        (
            spec("GET", "/openrosa/{key}/forms/{file}", Allow::Anyone, "OpenRosa: Vigie's form as an XForm."),
            get(openrosa::download),
        ),
        (
            spec("HEAD", "/openrosa/{key}/submission", Allow::Anyone, "OpenRosa: the submission handshake."),
            head(openrosa::handshake),
        ),
        (
            spec("POST", "/openrosa/{key}/submission", Allow::Anyone, "OpenRosa: a submission (multipart)."),
            post(openrosa::submit).layer(axum::extract::DefaultBodyLimit::max(2 * openrosa::MAX_SUBMISSION as usize)),
        ),
        (
            spec("GET", "/admin", Allow::Roles(ADMIN), "Page: accounts, organisations, public access."),
            get(pages::admin::admin),
        ),
        (
            spec("POST", "/admin/users", Allow::Roles(ADMIN), "Page: an account added (a form)."),
            post(pages::admin::add_user),
        ),
        (
            spec(
                "POST",
                "/admin/users/{name}",
                Allow::Roles(ADMIN),
                "Page: an account disabled, enabled or given a password (a form).",
            ),
            post(pages::admin::change_user),
        ),
        (
            spec("POST", "/admin/organizations", Allow::Roles(ADMIN), "Page: an organisation added (a form)."),
            post(pages::admin::add_organization),
        ),
        (
            spec("POST", "/admin/settings", Allow::Roles(ADMIN), "Page: public access switched (a form)."),
            post(pages::admin::settings),
        ),
        (
            spec(
                "GET",
                "/metrics",
                Allow::Roles(ADMIN),
                "Metrics for Prometheus (OpenMetrics text): requests, latency, store waits, data, backups.",
            ),
            get(crate::metrics::serve),
        ),
        (
            spec("GET", "/admin/devices", Allow::Roles(ADMIN), "Page: the devices that submit with ODK Collect."),
            get(pages::devices::devices),
        ),
        (
            spec(
                "POST",
                "/admin/devices",
                Allow::Roles(ADMIN),
                "Page: a device added (a form), its QR code for ODK Collect shown once.",
            ),
            post(pages::devices::add),
        ),
        (
            spec("POST", "/admin/devices/{name}/revoke", Allow::Roles(ADMIN), "Page: a device's key revoked (a form)."),
            post(pages::devices::revoke),
        ),
        (
            spec("GET", "/admin/audit", Allow::Roles(ADMIN), "Page: the audit log, by actor, action and day."),
            get(pages::admin::audit),
        ),
        (
            spec("POST", "/api/v1/login", Allow::Anyone, "Sign in: a session cookie and its CSRF token."),
            post(api::login),
        ),
        (spec("POST", "/api/v1/logout", Allow::Roles(EVERY_ROLE), "End the session."), post(api::logout)),
        (spec("GET", "/api/v1/me", Allow::Roles(EVERY_ROLE), "Who is signed in."), get(api::me)),
        (
            spec(
                "GET",
                "/api/v1/tables",
                Allow::PublicOr(EVERY_ROLE),
                "A month's report tables (`vigie tables --format json`), for the tables' filters.",
            ),
            get(api::tables),
        ),
        (
            spec(
                "GET",
                "/api/v1/signals",
                Allow::PublicOr(EVERY_ROLE),
                "A month's early-warning signals (`vigie signals --format json`): surges, new areas, sentinel events, risk deteriorations.",
            ),
            get(api::signals),
        ),
        (
            spec(
                "GET",
                "/api/v1/reports/{month}/{file}",
                Allow::PublicOr(EVERY_ROLE),
                "A file of the month's report: pdf, html, tables.csv, tables.xlsx (signed in) or incidents.xlsx (IM officers and admins).",
            ),
            get(api::report),
        ),
        (
            spec(
                "GET",
                "/api/v1/months",
                Allow::PublicOr(EVERY_ROLE),
                "The months signed off: state, versions (who, when, why reopened) and the files one may download of each.",
            ),
            get(months::list),
        ),
        (
            spec(
                "POST",
                "/api/v1/months/{month}/sign-off",
                Allow::Roles(VERIFIERS),
                "Sign a month off: its report becomes its next published version and its violations are locked.",
            ),
            post(months::sign_off),
        ),
        (
            spec(
                "POST",
                "/api/v1/months/{month}/reopen",
                Allow::Roles(ADMIN),
                "Reopen a signed-off month: its violations may change again; its published versions stay.",
            ),
            post(months::reopen),
        ),
        (
            spec(
                "GET",
                "/api/v1/months/{month}/versions/{version}/{file}",
                Allow::PublicOr(EVERY_ROLE),
                "A file of a published version, as stored: pdf, html, tables.csv, tables.xlsx (signed in) or incidents.xlsx (IM officers and admins).",
            ),
            get(months::file),
        ),
        (
            spec(
                "POST",
                "/api/v1/imports/{kind}",
                Allow::Roles(RECORDS),
                "Import a CSV body (violations, alerts or risk), all or nothing.",
            ),
            post(api::import).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY)),
        ),
        (
            spec(
                "PUT",
                "/api/v1/violations/{id}/verification",
                Allow::Roles(VERIFIERS),
                "Set a violation's verification status (and a rejection's reason), audited.",
            ),
            put(api::verify),
        ),
        (
            spec(
                "GET",
                "/api/v1/changes",
                Allow::Roles(RECORDS),
                "The change feed: records created, updated (verification included) and deleted, in order, from a cursor (a partner: its own).",
            ),
            get(crate::feed::changes),
        ),
        (
            spec(
                "GET",
                "/api/v1/duplicates",
                Allow::Roles(VERIFIERS),
                "The month's pairs of violations that may be one event reported twice, best first, with why.",
            ),
            get(api::duplicates),
        ),
        (
            spec(
                "POST",
                "/api/v1/duplicates",
                Allow::Roles(VERIFIERS),
                "Decide about a pair: same (b leaves every count), distinct (never proposed again) or undo; audited.",
            ),
            post(api::decide_pair),
        ),
        (
            spec(
                "GET",
                "/api/v1/geojson",
                Allow::PublicOr(EVERY_ROLE),
                "The month's regions, cercles or communes as GeoJSON: violations (by category), risk level, flash alerts, as the disclosure rule lets the caller see them.",
            ),
            get(api::geojson),
        ),
        (spec("GET", "/api/v1/users", Allow::Roles(ADMIN), "The accounts."), get(api::users)),
        (spec("GET", "/api/v1/settings", Allow::Roles(ADMIN), "The settings."), get(api::settings)),
        (
            spec("PUT", "/api/v1/settings", Allow::Roles(ADMIN), "Switch public access on or off."),
            put(api::change_settings),
        ),
        (
            spec(
                "GET",
                "/api/v1/audit",
                Allow::Roles(ADMIN),
                "The newest audit entries, by actor, action and days (`from`, `to`).",
            ),
            get(api::audit),
        ),
    ];
    // Violations, alerts and risk answers: the same five routes, one handler each.
    for kind in RecordKind::ALL {
        let (list, one) = records::paths(kind);
        let routes: [(&'static str, &'static str, &'static str, MethodRouter<Arc<AppState>>); 5] = [
            ("GET", list, "The records the caller may see: filtered, sorted, paged.", get(records::list)),
            ("POST", list, "Create a record, validated as an import row.", post(records::create)),
            ("GET", one, "One record, details included (audited).", get(records::get)),
            ("PUT", one, "Correct a record, validated as an import row.", put(records::update)),
            ("DELETE", one, "Delete a record (its old values stay in the audit log).", delete(records::delete)),
        ];
        for (method, path, summary, handler) in routes {
            table.push((spec(method, path, Allow::Roles(RECORDS), summary), handler.layer(Extension(kind))));
        }
        let (list, new, one, edit) = pages::records::paths(kind);
        let routes: [(&'static str, &'static str, &'static str, MethodRouter<Arc<AppState>>); 6] = [
            ("GET", list, "Page: the records the caller may see.", get(pages::records::list)),
            ("GET", new, "Page: the entry form.", get(pages::records::new)),
            ("POST", new, "Page: the entry form, sent.", post(pages::records::create)),
            ("GET", one, "Page: one record, its long text included (audited).", get(pages::records::view)),
            ("GET", edit, "Page: a record's edit form (audited as a view).", get(pages::records::edit)),
            ("POST", edit, "Page: the edit form, sent.", post(pages::records::update)),
        ];
        for (method, path, summary, handler) in routes {
            table.push((spec(method, path, Allow::Roles(RECORDS), summary), handler.layer(Extension(kind))));
        }
    }
    table
}

/// Every route, each behind [`guard`] with its permission.
pub(crate) fn routes(state: &Arc<AppState>) -> Vec<(RouteSpec, MethodRouter<Arc<AppState>>)> {
    table()
        .into_iter()
        .map(|(spec, handler)| {
            let guarded: MethodRouter<Arc<AppState>> = handler
                .layer::<_, std::convert::Infallible>(middleware::from_fn_with_state(Arc::clone(state), guard))
                .layer::<_, std::convert::Infallible>(Extension(spec));
            (spec, guarded)
        })
        .collect()
}

/// The declared routes, for the authorization test and the documentation.
pub fn route_specs() -> Vec<RouteSpec> {
    table().into_iter().map(|(spec, _)| spec).collect()
}
