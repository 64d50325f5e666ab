//! `vigie month`: signing a month off, reopening it, listing every month's publication; and
//! `vigie report --published`, a published version's files as they were stored.

use std::path::Path;

use anyhow::{Context, Result, bail};
use vigie_core::aggregate::MinCount;
use vigie_core::{Catalog, Month, MonthState, Publication};
use vigie_report::Lang;
use vigie_report::report::{Edition, file_names, published_name};
use vigie_store::{Actor, LiveFacts, Store};

use crate::cli::MonthAction;

fn month(text: &str) -> Result<Month> {
    Month::parse(text).with_context(|| format!("`{text}` is not a month: write YYYY-MM, e.g. 2021-11"))
}

pub fn run(store: &mut dyn Store, catalog: &Catalog, action: MonthAction) -> Result<()> {
    match action {
        MonthAction::SignOff { month: text, note, min_count } => {
            let month = month(&text)?;
            let k = MinCount::new(min_count).map_err(anyhow::Error::msg)?;
            let start = std::time::Instant::now();
            let live = LiveFacts::load(&*store, catalog)?;
            let published =
                vigie_server::publish::sign_off(store, catalog, &live, month, note.as_deref(), k, &Actor::cli())?;
            let files = store.published_files(month, published.version)?;
            for file in &files {
                println!("{}  {:>9}  {}", file.sha256, file.bytes, file.name);
            }
            println!(
                "{month} signed off: version {}, {} files, {:.1} s; its violations are locked until an admin reopens it",
                published.version,
                files.len(),
                start.elapsed().as_secs_f64()
            );
            Ok(())
        }
        MonthAction::Reopen { month: text, reason } => {
            let month = month(&text)?;
            if reason.trim().is_empty() {
                bail!("say why the month is reopened: --reason TEXT");
            }
            let reopened = store.reopen(month, reason.trim(), &Actor::cli())?;
            println!("{month} reopened: its violations may change again; version {} stays published", reopened.version);
            Ok(())
        }
        MonthAction::List => {
            let live = LiveFacts::load(&*store, catalog)?;
            let publications = store.publications(None)?;
            println!("month\tstate\tversion\tsigned off\tby\treopened\tby\treason\tchanges since\tnote");
            for versions in publications.chunk_by(|a, b| a.month == b.month) {
                let newest = versions.last().map_or(0, |p| p.version);
                let changes = versions
                    .last()
                    .map_or(0, |p| live.facts.written_after(catalog, p.month, p.last_batch, &Default::default()));
                let state = MonthState::of(versions.last()).code();
                for p in versions {
                    let (reopened_at, reopened_by, reason) =
                        p.reopened.as_ref().map_or(("", "", ""), |r| (r.at.as_str(), r.by.as_str(), r.reason.as_str()));
                    let (state, changes) =
                        if p.version == newest { (state, changes.to_string()) } else { ("superseded", String::new()) };
                    println!(
                        "{}\t{state}\t{}\t{}\t{}\t{reopened_at}\t{reopened_by}\t{reason}\t{changes}\t{}",
                        p.month,
                        p.version,
                        p.signed_at,
                        p.signed_by,
                        p.note.as_deref().unwrap_or("")
                    );
                }
            }
            Ok(())
        }
    }
}

/// Writes a published version's files of one language and edition into `out`, named as
/// `vigie report` names them, byte for byte as stored.
pub fn write_published(
    store: &dyn Store,
    month: Month,
    version: Option<u32>,
    lang: Lang,
    public: bool,
    out: &Path,
    seal: &crate::sealed::SealArgs,
) -> Result<()> {
    let versions: Vec<Publication> = store.publications(Some(month))?;
    let Some(chosen) = (match version {
        Some(n) => versions.iter().find(|p| p.version == n),
        None => versions.last(),
    }) else {
        match version {
            Some(n) => bail!("{month} has no published version {n} (versions: {})", list(&versions)),
            None => bail!("{month} was never signed off: `vigie month sign-off {month}` publishes it"),
        }
    };
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let edition = if public { Edition::Public } else { Edition::Full };
    let names = file_names(lang, month);
    let files = [
        ("pdf", names.pdf),
        ("html", names.html),
        ("tables.csv", names.tables),
        ("tables.xlsx", format!("tables-{month}.xlsx")),
        ("incidents.xlsx", names.incidents),
    ];
    for (file, name) in files {
        let Some(bytes) = store.published_file(month, chosen.version, &published_name(lang, edition, file))? else {
            continue;
        };
        let mut path = out.join(&name);
        if file == "incidents.xlsx" && seal.is_set() {
            path = out.join(format!("{name}.age"));
            seal.write(&path, |sink| Ok(sink.write_all(&bytes)?))?;
        } else {
            std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
        }
        println!("wrote {} ({} bytes, {month} version {})", path.display(), bytes.len(), chosen.version);
    }
    Ok(())
}

fn list(versions: &[Publication]) -> String {
    if versions.is_empty() {
        return "none".into();
    }
    versions.iter().map(|p| p.version.to_string()).collect::<Vec<_>>().join(", ")
}
