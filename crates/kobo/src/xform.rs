//! An XLSForm as an ODK XForm, written by Vigie itself: what ODK Collect downloads from Vigie's
//! OpenRosa form list. It covers the XLSForm features Vigie's own form uses (groups, a repeat,
//! dates, text, geopoints, selects from choice lists with cascading filters, labels, hints and
//! constraint messages in every language, `required`, `constraint`, `appearance`, the start, end
//! and today metadata) and lays them out as pyxform, the reference converter, does: the tests
//! compare the two.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::form::XlsForm;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One row of the survey sheet, read by column name.
struct Field<'a> {
    kind: &'a str,
    list: Option<&'a str>,
    name: &'a str,
    /// `/data/…` of the field.
    path: String,
    labels: Vec<&'a str>,
    hints: Vec<&'a str>,
    messages: Vec<&'a str>,
    required: bool,
    constraint: &'a str,
    choice_filter: &'a str,
    appearance: &'a str,
}

/// An `${name}` of an expression as the path of the field so named, spaced as pyxform spaces it.
fn expression(text: &str, path_of: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find('}') else { break };
        match path_of(&after[..end]) {
            Some(path) => {
                let _ = write!(out, " {path} ");
            }
            None => out.push_str(&rest[at..at + 3 + end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The XForm of `form`.
pub fn xform(form: &XlsForm) -> String {
    let survey = &form.survey;
    let column = |name: &str| survey.column(name);
    let languages: Vec<String> = survey
        .columns_starting("label")
        .iter()
        .map(|&c| survey.header[c].split_once("::").map_or("default", |(_, l)| l).to_owned())
        .collect();
    let per_language = |prefix: &str| -> Vec<Option<usize>> {
        languages
            .iter()
            .map(|l| survey.column(&if l == "default" { prefix.to_owned() } else { format!("{prefix}::{l}") }))
            .collect()
    };
    let (labels, hints, messages) = (per_language("label"), per_language("hint"), per_language("constraint_message"));
    let setting = |name: &str| {
        form.settings
            .column(name)
            .and_then(|c| form.settings.rows.first().map(|r| r.get(c).to_owned()))
            .unwrap_or_default()
    };
    let (id, version, title, default_language) =
        (setting("form_id"), setting("version"), setting("form_title"), setting("default_language"));

    // The fields, with their paths.
    let mut fields: Vec<Field<'_>> = Vec::new();
    let mut parents: Vec<String> = vec!["/data".to_owned()];
    for row in &survey.rows {
        let cell = |c: Option<usize>| c.map_or("", |c| row.get(c).trim());
        let texts = |columns: &[Option<usize>]| columns.iter().map(|&c| cell(c)).collect::<Vec<_>>();
        let mut words = cell(column("type")).split_whitespace();
        let Some(kind) = words.next() else { continue };
        let list = words.next();
        let name = cell(column("name"));
        let parent = parents.last().cloned().unwrap_or_default();
        let path = if name.is_empty() { parent.clone() } else { format!("{parent}/{name}") };
        match kind {
            "begin_group" | "begin_repeat" => parents.push(path.clone()),
            "end_group" | "end_repeat" => {
                parents.pop();
            }
            _ => {}
        }
        fields.push(Field {
            kind,
            list,
            name,
            path,
            labels: texts(&labels),
            hints: texts(&hints),
            messages: texts(&messages),
            required: matches!(cell(column("required")), "yes" | "true" | "TRUE" | "true()"),
            constraint: cell(column("constraint")),
            choice_filter: cell(column("choice_filter")),
            appearance: cell(column("appearance")),
        });
    }
    let path_of = |name: &str| fields.iter().find(|f| f.name == name).map(|f| f.path.clone());

    // The choice lists the selects use, with their labels and filter columns.
    let choices = &form.choices;
    let (list_column, name_column) = (choices.column("list_name"), choices.column("name"));
    let choice_labels: Vec<Option<usize>> = languages
        .iter()
        .map(|l| choices.column(&if l == "default" { "label".to_owned() } else { format!("label::{l}") }))
        .collect();
    let filters: Vec<usize> = (0..choices.header.len())
        .filter(|&c| {
            !matches!(choices.header[c].as_str(), "list_name" | "name") && !choices.header[c].starts_with("label")
        })
        .collect();
    let used: BTreeSet<&str> = fields.iter().filter_map(|f| f.list).collect();
    let choice_rows = |list: &str| {
        choices.rows.iter().filter(move |r| list_column.is_some_and(|c| r.get(c).trim() == list)).collect::<Vec<_>>()
    };

    let mut out = String::from(
        "<?xml version=\"1.0\"?><h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\" xmlns:ev=\"http://www.w3.org/2001/xml-events\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\" xmlns:odk=\"http://www.opendatakit.org/xforms\">",
    );
    let _ = write!(out, "<h:head><h:title>{}</h:title><model odk:xforms-version=\"1.0.0\"><itext>", escape(&title));
    for (l, language) in languages.iter().enumerate() {
        let default = if *language == default_language { " default=\"true()\"" } else { "" };
        let _ = write!(out, "<translation lang=\"{}\"{default}>", escape(language));
        for list in &used {
            for (i, row) in choice_rows(list).iter().enumerate() {
                let label = choice_labels[l].map_or("", |c| row.get(c).trim());
                let _ = write!(out, "<text id=\"{list}-{i}\"><value>{}</value></text>", escape(label));
            }
        }
        for f in &fields {
            for (what, texts) in [("label", &f.labels), ("hint", &f.hints), ("jr:constraintMsg", &f.messages)] {
                if let Some(text) = texts.get(l).filter(|t| !t.is_empty()) {
                    let _ = write!(out, "<text id=\"{}:{what}\"><value>{}</value></text>", f.path, escape(text));
                }
            }
        }
        out.push_str("</translation>");
    }
    out.push_str("</itext>");

    // The primary instance: each repeat as its template, then one entry (the template again
    // without its mark).
    let _ = write!(out, "<instance><data id=\"{}\" version=\"{}\">", escape(&id), escape(&version));
    let mut repeats: Vec<usize> = Vec::new();
    for f in &fields {
        match f.kind {
            "begin_group" => {
                let _ = write!(out, "<{}>", f.name);
            }
            "begin_repeat" => {
                repeats.push(out.len());
                let _ = write!(out, "<{} jr:template=\"\">", f.name);
            }
            "end_group" | "end_repeat" => {
                let _ = write!(out, "</{}>", f.path.rsplit('/').next().unwrap_or_default());
                if f.kind == "end_repeat"
                    && let Some(start) = repeats.pop()
                {
                    let entry = out[start..].replacen(" jr:template=\"\"", "", 1);
                    out.push_str(&entry);
                }
            }
            _ => {
                let _ = write!(out, "<{}/>", f.name);
            }
        }
    }
    out.push_str("<meta><instanceID/></meta></data></instance>");

    // The choice lists as secondary instances.
    for list in &used {
        let _ = write!(out, "<instance id=\"{list}\"><root>");
        for (i, row) in choice_rows(list).iter().enumerate() {
            let name = name_column.map_or("", |c| row.get(c).trim());
            let _ = write!(out, "<item><itextId>{list}-{i}</itextId><name>{}</name>", escape(name));
            for &c in &filters {
                let value = row.get(c).trim();
                if !value.is_empty() {
                    let _ = write!(out, "<{h}>{}</{h}>", escape(value), h = choices.header[c]);
                }
            }
            out.push_str("</item>");
        }
        out.push_str("</root></instance>");
    }

    // The binds.
    for f in &fields {
        let (kind, preload) = match f.kind {
            "start" | "end" => ("dateTime", Some(("timestamp", f.kind))),
            "today" => ("date", Some(("date", "today"))),
            "date" => ("date", None),
            "geopoint" => ("geopoint", None),
            "text" | "select_one" | "select_multiple" => ("string", None),
            _ => continue,
        };
        let _ = write!(out, "<bind nodeset=\"{}\"", f.path);
        if let Some((preload, _)) = preload {
            let _ = write!(out, " jr:preload=\"{preload}\"");
        }
        let _ = write!(out, " type=\"{kind}\"");
        if let Some((_, params)) = preload {
            let _ = write!(out, " jr:preloadParams=\"{params}\"");
        }
        if f.required {
            out.push_str(" required=\"true()\"");
        }
        if !f.constraint.is_empty() {
            let _ = write!(out, " constraint=\"{}\"", escape(&expression(f.constraint, &path_of)));
            if f.messages.iter().any(|m| !m.is_empty()) {
                let _ = write!(out, " jr:constraintMsg=\"jr:itext('{}:jr:constraintMsg')\"", f.path);
            }
        }
        out.push_str("/>");
    }
    out.push_str("<bind nodeset=\"/data/meta/instanceID\" type=\"string\" readonly=\"true()\" jr:preload=\"uid\"/>");
    out.push_str("</model></h:head><h:body>");

    // The body.
    let label = |out: &mut String, f: &Field<'_>| {
        if f.labels.iter().any(|l| !l.is_empty()) {
            let _ = write!(out, "<label ref=\"jr:itext('{}:label')\"/>", f.path);
        }
        if f.hints.iter().any(|h| !h.is_empty()) {
            let _ = write!(out, "<hint ref=\"jr:itext('{}:hint')\"/>", f.path);
        }
    };
    let appearance = |f: &Field<'_>| {
        if f.appearance.is_empty() { String::new() } else { format!(" appearance=\"{}\"", escape(f.appearance)) }
    };
    for f in &fields {
        match f.kind {
            "begin_group" => {
                let _ = write!(out, "<group ref=\"{}\">", f.path);
                label(&mut out, f);
            }
            "begin_repeat" => {
                let _ = write!(out, "<group ref=\"{}\">", f.path);
                label(&mut out, f);
                let _ = write!(out, "<repeat nodeset=\"{}\">", f.path);
            }
            "end_group" => out.push_str("</group>"),
            "end_repeat" => out.push_str("</repeat></group>"),
            "date" | "text" | "geopoint" => {
                let _ = write!(out, "<input ref=\"{}\"{}>", f.path, appearance(f));
                label(&mut out, f);
                out.push_str("</input>");
            }
            "select_one" | "select_multiple" => {
                let element = if f.kind == "select_one" { "select1" } else { "select" };
                let _ = write!(out, "<{element} ref=\"{}\"{}>", f.path, appearance(f));
                label(&mut out, f);
                let list = f.list.unwrap_or_default();
                let filter = match f.choice_filter {
                    "" => String::new(),
                    filter => format!("[{}]", expression(filter, &path_of)),
                };
                let _ = write!(
                    out,
                    "<itemset nodeset=\"instance('{list}')/root/item{}\"><value ref=\"name\"/><label ref=\"jr:itext(itextId)\"/></itemset></{element}>",
                    escape(&filter)
                );
            }
            _ => {}
        }
    }
    out.push_str("</h:body></h:html>");
    out
}
