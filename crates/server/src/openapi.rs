//! The OpenAPI 3 document at `/api/openapi.json`, generated from the route table the router is
//! built from (paths, methods, who may call them, summaries) and from the exchange formats the
//! writes are validated with (record schemas): it cannot list a route the server lacks, or a
//! column the import does not take.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, Content, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Ref, RefOr, Required, ResponseBuilder,
};
use vigie_core::aggregate::Filter;
use vigie_core::records::{MAX_IDENTIFIER, MAX_ORGANIZATION};
use vigie_core::{Catalog, EventType, ListKind, Rejection, Verification};
use vigie_store::RecordKind;

use crate::AppState;
use crate::caller::{Allow, RouteSpec};
use crate::records;
use crate::routes::route_specs;

pub async fn serve(State(state): State<Arc<AppState>>) -> Json<OpenApi> {
    Json(document(state.shared.catalog()))
}

/// The document for a server whose records are checked with `catalog` (its risk questionnaire
/// decides the risk answers' columns).
pub fn document(catalog: &Catalog) -> OpenApi {
    let mut paths = Paths::new();
    // The API's routes; the pages are for browsers.
    for spec in route_specs().into_iter().filter(|s| s.path.starts_with("/api/")) {
        let method = match spec.method {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            "PUT" => HttpMethod::Put,
            _ => HttpMethod::Delete,
        };
        paths.add_path_operation(spec.path, vec![method], operation(&spec));
    }
    let mut components = ComponentsBuilder::new()
        .schema("Error", error_schema())
        .schema(
            "Login",
            ObjectBuilder::new()
                .property("name", string())
                .property("password", string())
                .required("name")
                .required("password"),
        )
        .schema("Settings", ObjectBuilder::new().property("public_access", boolean()).required("public_access"))
        .schema(
            "User",
            ObjectBuilder::new()
                .property("name", string())
                .property("role", string().enum_values(Some(vigie_store::Role::ALL.map(|r| r.name()))))
                .property("organization", nullable_string())
                .required("name")
                .required("role"),
        )
        .schema("Tables", tables_schema())
        .schema("VerificationDecision", verification_decision())
        .schema("Verification", verification_answer())
        .schema("ImportReport", import_schema())
        .security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)))
        .security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::caller::SESSION_COOKIE,
                "Set by login; a write also needs the session's CSRF token in X-CSRF-Token.",
            ))),
        );
    for kind in RecordKind::ALL {
        components = components
            .schema(schema_name(kind), record_schema(kind, catalog, false))
            .schema(correction_name(kind), record_schema(kind, catalog, true));
    }
    // The codes each filter takes, once, referred to by every list's parameters.
    for name in Filter::dimensions() {
        if let Some(codes) = dimension_codes(catalog, name) {
            components = components.schema(code_schema_name(name), string().enum_values(Some(codes)));
        }
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Vigie")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "The JSON API of a Protection Cluster's Vigie: accounts, records, imports, tables and \
                     reports. Every error is `{\"error\": {code, message, details}}`.",
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(components.build()))
        .build()
}

fn schema_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Violations => "Violation",
        RecordKind::Alerts => "Alert",
        RecordKind::RiskAnswers => "RiskAnswer",
    }
}

/// A `PUT`'s body: the record without its id, which is its address's.
fn correction_name(kind: RecordKind) -> String {
    format!("{}Correction", schema_name(kind))
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn integer() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Integer)
}

fn nullable_string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]))
}

fn boolean() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Boolean)
}

/// A record as its exchange format's columns, text, in the shape the import reads each one:
/// required where the format requires it. `correction`: the body of a `PUT`, whose id is its
/// address's.
fn record_schema(kind: RecordKind, catalog: &Catalog, correction: bool) -> ObjectBuilder {
    let mut object = ObjectBuilder::new().description(Some(format!(
        "A row of `{}.csv` (DATA-FORMATS.md); a write is validated as an import row. What JSON Schema \
         cannot say is checked as the import checks it: dates not in the future, a report not before \
         its incident, latitude and longitude together, a region and cercle that are the commune's, \
         and the risk questions the answer's month asks.",
        kind.table()
    )));
    let schema = vigie_store::schema(kind, catalog);
    let id = schema.names().next();
    for column in &schema.columns {
        let name = column.name.as_str();
        if correction && Some(name) == id {
            continue;
        }
        let mut text = if column.required { string() } else { nullable_string() };
        let dimension = match name {
            "admin3_pcode" => Some("commune"),
            "violation_code" => Some("subtype"),
            _ => ListKind::ALL.into_iter().find(|k| k.column() == name).map(ListKind::name),
        };
        match dimension.and_then(|d| dimension_codes(catalog, d).map(|codes| (d, codes))) {
            // A required code: the filter's list of codes, referred to.
            Some((dimension, _)) if column.required => {
                object = object.property(name, reference(&code_schema_name(dimension))).required(name);
                continue;
            }
            Some((_, codes)) => {
                let mut values: Vec<serde_json::Value> = codes.into_iter().map(serde_json::Value::String).collect();
                values.push(serde_json::Value::Null);
                text = text.enum_values(Some(values));
            }
            None => text = shaped(text, name, column.required, catalog),
        }
        object = object.property(name, text);
        if column.required {
            object = object.required(name);
        }
    }
    object
}

/// A text column's shape, as the import reads it (core `records.rs`). Values are trimmed there,
/// so a required one needs a character that is not a space.
fn shaped(text: ObjectBuilder, name: &str, required: bool, catalog: &Catalog) -> ObjectBuilder {
    let decimal = |whole: &str| format!("^-?({whole})([.,][0-9]{{1,17}})?$");
    let with_null = |codes: Vec<&str>| {
        let mut values: Vec<serde_json::Value> = codes.into_iter().map(serde_json::Value::from).collect();
        if !required {
            values.push(serde_json::Value::Null);
        }
        values
    };
    // A risk question's options, in every version of the questionnaire.
    let mut options: Vec<&str> = catalog
        .risk
        .versions()
        .iter()
        .flat_map(|v| &v.definition.questions)
        .filter(|q| q.code == name)
        .flat_map(|q| q.options.iter().map(|o| o.code.as_str()))
        .collect();
    options.sort_unstable();
    options.dedup();
    match name {
        // Derived from the commune; a write may leave them out, and if it gives them they must be the commune's.
        "admin1_pcode" | "admin2_pcode" => text.read_only(Some(true)),
        "event_type" => text.enum_values(Some(with_null(EventType::ALL.iter().map(|e| e.code()).collect()))),
        _ if !options.is_empty() => text.enum_values(Some(with_null(options))),
        _ if name.ends_with("_date") => text.format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        _ if name.ends_with("_id") || name == "id" => identifier(text),
        "month" => text.pattern(Some(MONTH)),
        "organization" => text.pattern(Some(format!("^[A-Za-z0-9._-]{{1,{MAX_ORGANIZATION}}}$"))),
        // Up to 90 and 180 degrees, written with a point or a comma.
        "latitude" => text.pattern(Some(decimal("[0-8]?[0-9]"))),
        "longitude" => text.pattern(Some(decimal("1[0-7][0-9]|[0-9]?[0-9]"))),
        "affected_households" | "affected_persons" => text.pattern(Some("^[0-9]{1,9}$")),
        _ if required => text.pattern(Some("\\S")),
        _ => text,
    }
}

/// An identifier: one line of at most [`MAX_IDENTIFIER`] characters, not only spaces.
fn identifier(text: ObjectBuilder) -> ObjectBuilder {
    text.max_length(Some(MAX_IDENTIFIER)).pattern(Some(
        "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
    ))
}

/// The month's cells as `vigie tables --format json` writes them, as the disclosure rule lets
/// the caller see them: a withheld cell's value is null with `suppressed`; an answer with too few
/// hidden violations is `suppressed` whole, without cells; `min_count` is k when any is withheld.
fn tables_schema() -> ObjectBuilder {
    let value = ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::Integer, Type::Null]));
    let cell = ObjectBuilder::new()
        .property("table", string())
        .property("row", string())
        .property("column", string())
        .property("value", value)
        .property("suppressed", boolean())
        .required("table")
        .required("row")
        .required("column")
        .required("value");
    ObjectBuilder::new()
        .property("month", string())
        .property("min_count", integer())
        .property("suppressed", boolean())
        .property("tables", ArrayBuilder::new().items(cell))
        .required("month")
        .required("tables")
}

fn import_schema() -> ObjectBuilder {
    let counts = ObjectBuilder::new()
        .property("inserted", integer())
        .property("updated", integer())
        .property("unchanged", integer());
    ObjectBuilder::new()
        .property("committed", boolean())
        .property("total", counts)
        .property("warnings", ArrayBuilder::new().items(string()))
        .required("committed")
        .required("total")
}

fn error_schema() -> ObjectBuilder {
    let error = ObjectBuilder::new()
        .property("code", string().description(Some("stable, for programs")))
        .property("message", string().description(Some("for people")))
        .property("details", ArrayBuilder::new().items(string()).description(Some("row errors, when there are some")))
        .required("code")
        .required("message")
        .required("details");
    ObjectBuilder::new().property("error", error).required("error")
}

fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// A query parameter, optional unless `required`.
fn query(
    name: &str,
    description: &str,
    required: bool,
    schema: impl Into<RefOr<Schema>>,
) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(if required { Required::True } else { Required::False })
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn who(allow: Allow) -> String {
    let names = |roles: &[vigie_store::Role]| roles.iter().map(|r| r.name()).collect::<Vec<_>>().join(", ");
    match allow {
        Allow::Anyone => "Anyone, signed in or not.".into(),
        Allow::Roles(roles) => format!("Roles: {}.", names(roles)),
        Allow::PublicOr(roles) => {
            format!("Roles: {}; and anonymous visitors while public access is on (the public version).", names(roles))
        }
    }
}

/// The codes a filter dimension takes in `catalog` (`None`: any text, an organisation's code).
fn dimension_codes(catalog: &Catalog, name: &str) -> Option<Vec<String>> {
    let (g, t) = (&catalog.geography, &catalog.typology);
    Some(match name {
        "region" => g.regions.iter().map(|r| r.code.clone()).collect(),
        "cercle" => g.cercles.iter().map(|c| c.unit.pcode.clone()).collect(),
        "commune" => g.communes.iter().map(|c| c.unit.pcode.clone()).collect(),
        "category" => t.categories.iter().map(|c| c.code.clone()).collect(),
        "subtype" => t.subtypes.iter().map(|s| s.code.clone()).collect(),
        "verification" => Verification::ALL.iter().map(|v| v.code().to_owned()).collect(),
        _ => {
            let kind = ListKind::ALL.into_iter().find(|k| k.name() == name)?;
            catalog.lists.get(kind).codes.iter().map(|c| c.code.clone()).collect()
        }
    })
}

/// A verification decision as JSON Schema says it: a status other than `rejected` without a
/// reason, or `rejected` with one.
fn verification_decision() -> Schema {
    let kept: Vec<&str> = Verification::ALL.iter().filter(|v| v.counted()).map(|v| v.code()).collect();
    let reasons: Vec<&str> = Rejection::ALL.iter().map(|r| r.code()).collect();
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .property("status", string().enum_values(Some(kept)))
                .property("reason", ObjectBuilder::new().schema_type(Type::Null))
                .required("status")
                .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false))),
        )
        .item(
            ObjectBuilder::new()
                .property("status", string().enum_values(Some([Verification::Rejected.code()])))
                .property("reason", string().enum_values(Some(reasons)))
                .required("status")
                .required("reason")
                .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false))),
        )
        .build()
        .into()
}

/// A violation's verification once set, and what it was.
fn verification_answer() -> ObjectBuilder {
    let codes = || {
        ObjectBuilder::new()
            .property("status", string().enum_values(Some(Verification::ALL.map(Verification::code))))
            .property(
                "reason",
                nullable_string().enum_values(Some(Rejection::ALL.iter().map(|r| Some(r.code())).chain([None]))),
            )
            .required("status")
            .required("reason")
    };
    codes().property("id", string()).property("previous", codes()).required("id").required("previous")
}

fn code_schema_name(dimension: &str) -> String {
    format!("{dimension}_code")
}

/// `YYYY-MM`, as `Month::parse` reads it.
const MONTH: &str = "^[0-9]{4}-(0[1-9]|1[0-2])$";

fn date() -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
}

/// A route's operation: its summary and callers from the table; parameters, body and answer
/// from its kind of route.
fn operation(spec: &RouteSpec) -> Operation {
    let record = RecordKind::ALL.into_iter().find(|k| {
        let (list, one) = records::paths(*k);
        spec.path == list || spec.path == one
    });
    let mut op = OperationBuilder::new()
        .summary(Some(spec.summary))
        .description(Some(who(spec.allow)))
        .operation_id(Some(format!("{} {}", spec.method.to_lowercase(), spec.path)));
    if spec.allow != Allow::Anyone {
        op = op
            .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
            .security(SecurityRequirement::new("session", Vec::<String>::new()));
    }
    for name in spec.path.split('{').skip(1).filter_map(|p| p.split('}').next()) {
        let schema = match name {
            "month" => string().pattern(Some(MONTH)),
            "file" => string().enum_values(Some(["pdf", "html", "tables.csv", "tables.xlsx", "incidents.xlsx"])),
            "kind" => string().enum_values(Some(["violations", "alerts", "risk"])),
            "version" => integer().minimum(Some(1)).maximum(Some(u32::MAX)),
            _ => identifier(string()),
        };
        op = op.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(schema)),
        );
    }
    let filters = |mut op: OperationBuilder| {
        for name in Filter::dimensions() {
            let (what, schema): (&str, RefOr<Schema>) = match name {
                "from" | "to" => ("YYYY-MM-DD, inclusive", date().into()),
                "organization" => ("an organisation's code (repeat for several)", string().into()),
                _ => ("a code of the reference lists (repeat for several)", reference(&code_schema_name(name))),
            };
            op = op.parameter(query(name, what, false, schema));
        }
        op
    };
    let json_body = |schema: RefOr<Schema>| {
        RequestBodyBuilder::new().required(Some(Required::True)).content("application/json", Content::new(Some(schema)))
    };
    // The success status, and the JSON answer's schema when there is one.
    let (success, answer): (&str, Option<RefOr<Schema>>) = match (spec.method, spec.path, record) {
        ("GET", "/api/v1/tables", _) => {
            op = filters(op.parameter(query("month", "YYYY-MM", true, string().pattern(Some(MONTH)))));
            ("200", Some(reference("Tables")))
        }
        ("GET", "/api/v1/reports/{month}/{file}", _) => {
            let languages: Vec<&str> = vigie_i18n::Lang::all().iter().map(|l| l.code()).collect();
            op = op
                .parameter(query("lang", "a message catalog's code", false, string().enum_values(Some(languages))))
                .parameter(query("hxl", "tables.csv: HXL hashtags under the header", false, boolean()));
            ("200", None)
        }
        ("POST", "/api/v1/imports/{kind}", _) => {
            op = op
                .parameter(query("dry_run", "true: validate and count, write nothing", false, boolean()))
                .request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content("text/csv", Content::new(Some(string())))
                        .build(),
                ));
            ("200", Some(reference("ImportReport")))
        }
        ("POST", "/api/v1/login", _) => {
            op = op.request_body(Some(json_body(reference("Login")).build()));
            let session = ObjectBuilder::new().property("user", reference("User")).property("csrf_token", string());
            ("200", Some(session.required("user").required("csrf_token").into()))
        }
        ("GET", "/api/v1/me", _) => ("200", Some(reference("User"))),
        ("GET", "/api/v1/geojson", _) => {
            let languages: Vec<&str> = vigie_i18n::Lang::all().iter().map(|l| l.code()).collect();
            op = op
                .parameter(query("month", "YYYY-MM", true, string().pattern(Some(MONTH))))
                .parameter(query(
                    "level",
                    "the units (commune)",
                    false,
                    string().enum_values(Some(["region", "cercle", "commune"])),
                ))
                .parameter(query(
                    "lang",
                    "a message catalog's code (the regions' names)",
                    false,
                    string().enum_values(Some(languages)),
                ));
            ("200", None)
        }
        ("GET", "/api/v1/signals", _) => {
            let languages: Vec<&str> = vigie_i18n::Lang::all().iter().map(|l| l.code()).collect();
            op =
                filters(op.parameter(query("month", "YYYY-MM", true, string().pattern(Some(MONTH))))).parameter(query(
                    "lang",
                    "a message catalog's code (the regions' names)",
                    false,
                    string().enum_values(Some(languages)),
                ));
            let figure = |what: &str| {
                ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::Number, Type::Null]))
                    .description(Some(what))
            };
            let signal = ObjectBuilder::new()
                .property("kind", string().enum_values(Some(["surge", "new_area", "sentinel", "risk_deterioration"])))
                .property("unit_level", string().enum_values(Some(["region", "cercle", "commune"])))
                .property("unit", string().description(Some("the unit's P-code (a reporting region's code)")))
                .property("unit_name", string())
                .property("category", string().description(Some("a surge's category; a sentinel's name")))
                .property(
                    "observed",
                    figure("the month's violations (a risk deterioration: the level now); null: withheld"),
                )
                .property("expected", figure("a surge's baseline mean; the level a risk rose from"))
                .property("threshold", figure("a surge's threshold: the most its baseline expects at its quantile"))
                .property(
                    "suppressed",
                    ArrayBuilder::new().items(string().enum_values(Some(["observed", "expected", "threshold"]))),
                )
                .required("kind")
                .required("unit_level")
                .required("unit")
                .required("observed")
                .required("suppressed");
            let answer = ObjectBuilder::new()
                .property("month", string())
                .property("min_count", ObjectBuilder::new().schema_type(Type::Integer))
                .property("signals", ArrayBuilder::new().items(signal))
                .required("month")
                .required("min_count")
                .required("signals");
            ("200", Some(answer.into()))
        }
        ("GET", "/api/v1/duplicates", _) => {
            op = op.parameter(query("month", "YYYY-MM", true, string().pattern(Some(MONTH))));
            let pair = ObjectBuilder::new()
                .property("a", string())
                .property("b", string().description(Some("the possible duplicate")))
                .property("score", ObjectBuilder::new().schema_type(Type::Number).minimum(Some(0)).maximum(Some(1)))
                .property("reasons", ArrayBuilder::new().items(string()))
                .required("a")
                .required("b")
                .required("score")
                .required("reasons");
            let page = ObjectBuilder::new()
                .property("month", string())
                .property("threshold", ObjectBuilder::new().schema_type(Type::Number))
                .property("pairs", ArrayBuilder::new().items(pair))
                .required("month")
                .required("threshold")
                .required("pairs");
            ("200", Some(page.into()))
        }
        ("POST", "/api/v1/duplicates", _) => {
            let body = ObjectBuilder::new()
                .property("a", identifier(string()))
                .property("b", identifier(string()))
                .property("decision", string().enum_values(Some(["same", "distinct", "undo"])))
                .required("a")
                .required("b")
                .required("decision")
                .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)));
            op = op.request_body(Some(json_body(body.into()).build()));
            (
                "200",
                Some(
                    ObjectBuilder::new()
                        .property("a", string())
                        .property("b", string())
                        .property("decision", string())
                        .into(),
                ),
            )
        }
        ("GET", "/api/v1/changes", _) => {
            op = op
                .parameter(query(
                    "since",
                    "the previous page's `next`; nothing: from the start",
                    false,
                    string().pattern(Some("^([0-9]{1,18}(\\.[0-9]{1,9})?)?$")),
                ))
                .parameter(query("limit", "1 to 1000 (100)", false, integer().minimum(Some(1)).maximum(Some(1000))));
            let kinds: Vec<&str> =
                RecordKind::ALL.iter().map(|k| records::paths(*k).0.trim_start_matches("/api/v1/")).collect();
            let entry = ObjectBuilder::new()
                .property("seq", integer())
                .property("kind", string().enum_values(Some(kinds)))
                .property("op", string().enum_values(Some(["upsert", "delete"])))
                .property("id", string())
                .property(
                    "record",
                    ObjectBuilder::new()
                        .description(Some("the record now (upsert); a violation with its verification")),
                )
                .required("seq")
                .required("kind")
                .required("op")
                .required("id");
            let page = ObjectBuilder::new()
                .property("changes", ArrayBuilder::new().items(entry))
                .property("next", string())
                .property("more", boolean())
                .required("changes")
                .required("next")
                .required("more");
            ("200", Some(page.into()))
        }
        ("GET", "/api/v1/months", _) => {
            let file = ObjectBuilder::new()
                .property("name", string().description(Some("language/edition/file: fr/full/pdf, en/public/html…")))
                .property("sha256", string())
                .property("bytes", integer())
                .required("name")
                .required("sha256")
                .required("bytes");
            let month = ObjectBuilder::new()
                .property("month", string().pattern(Some(MONTH)))
                .property("state", string().enum_values(Some(["signed_off", "reopened"])))
                .property(
                    "changes_since_publication",
                    integer().description(Some("violations written since the newest version (IM officers and admins)")),
                )
                .property("versions", ArrayBuilder::new().items(version_schema(Some(file))))
                .required("month")
                .required("state")
                .required("versions");
            (
                "200",
                Some(
                    ObjectBuilder::new().property("months", ArrayBuilder::new().items(month)).required("months").into(),
                ),
            )
        }
        ("POST", "/api/v1/months/{month}/sign-off", _) => {
            let body = ObjectBuilder::new()
                .property("note", string().max_length(Some(1000)))
                .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)));
            op = op.request_body(Some(json_body(body.into()).required(Some(Required::False)).build()));
            ("200", Some(version_schema(None).into()))
        }
        ("POST", "/api/v1/months/{month}/reopen", _) => {
            let body = ObjectBuilder::new()
                .property("reason", string().min_length(Some(1)).max_length(Some(1000)).pattern(Some("\\S")))
                .required("reason")
                .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)));
            op = op.request_body(Some(json_body(body.into()).build()));
            ("200", Some(version_schema(None).into()))
        }
        ("PUT", "/api/v1/violations/{id}/verification", _) => {
            op = op.request_body(Some(json_body(reference("VerificationDecision")).build()));
            ("200", Some(reference("Verification")))
        }
        ("GET", "/api/v1/settings", _) => ("200", Some(reference("Settings"))),
        ("PUT", "/api/v1/settings", _) => {
            op = op.request_body(Some(json_body(reference("Settings")).build()));
            ("200", Some(reference("Settings")))
        }
        ("GET", path, Some(kind)) if path == records::paths(kind).0 => {
            let sorts: Vec<String> =
                records::sort_names(kind).iter().flat_map(|n| [n.to_string(), format!("-{n}")]).collect();
            op = op
                .parameter(query("limit", "1 to 1000 (100)", false, integer().minimum(Some(1)).maximum(Some(1000))))
                .parameter(query(
                    "cursor",
                    "the previous page's `next`",
                    false,
                    string().pattern(Some("^-?[0-9]{1,18}\\.[0-9]{1,9}$")),
                ))
                .parameter(query(
                    "offset",
                    "rows to skip (instead of a cursor)",
                    false,
                    integer().minimum(Some(0)).maximum(Some(u32::MAX)),
                ))
                .parameter(query("sort", "`-` first: descending", false, string().enum_values(Some(sorts))));
            let page = ObjectBuilder::new()
                .property("total", integer())
                .property("limit", integer())
                .property("offset", integer())
                .property("next", nullable_string().description(Some("the next page's cursor; null on the last")))
                .property(kind.table(), ArrayBuilder::new().items(reference(schema_name(kind))));
            ("200", Some(page.into()))
        }
        ("GET", _, Some(kind)) => ("200", Some(reference(schema_name(kind)))),
        ("POST" | "PUT", _, Some(kind)) => {
            let body = if spec.method == "PUT" { correction_name(kind) } else { schema_name(kind).to_owned() };
            op = op.request_body(Some(json_body(reference(&body)).build()));
            let written = ObjectBuilder::new()
                .property("outcome", string().enum_values(Some(["inserted", "updated", "unchanged"])))
                .property("record", reference(schema_name(kind)));
            (if spec.method == "POST" { "201" } else { "200" }, Some(written.into()))
        }
        ("DELETE", _, _) | ("POST", "/api/v1/logout", _) => ("204", None),
        _ => ("200", None),
    };
    let ok = |description: &str| {
        let mut ok = ResponseBuilder::new().description(description);
        if let Some(schema) = &answer {
            ok = ok.content("application/json", Content::new(Some(schema.clone())));
        }
        ok.build()
    };
    if success == "201" {
        // A record posted under an existing id updates it (or changes nothing).
        op = op.response("200", ok("an existing record updated, or unchanged"));
    }
    op.response(success, ok("done"))
        .response(
            "default",
            ResponseBuilder::new()
                .description("refused or failed: the error envelope")
                .content("application/json", Content::new(Some(reference("Error"))))
                .build(),
        )
        .build()
}

/// A published version of a month, with its files when listed.
fn version_schema(files: Option<ObjectBuilder>) -> ObjectBuilder {
    let mut version = ObjectBuilder::new()
        .property("version", integer().minimum(Some(1)))
        .property("signed_at", string())
        .property("signed_by", string())
        .property("note", nullable_string())
        .property("reopened_at", nullable_string())
        .property("reopened_by", nullable_string())
        .property("reopen_reason", nullable_string())
        .required("version")
        .required("signed_at")
        .required("signed_by");
    if let Some(file) = files {
        version = version.property("files", ArrayBuilder::new().items(file)).required("files");
    }
    version
}
