//! `vigie verify`: an IM officer's verification decisions from the command line, one status for
//! a few violations or a decisions file, all or nothing.

use std::path::Path;

use anyhow::{Context, Result, bail};
use vigie_core::Decision;
use vigie_store::{Actor, Store, StoreError};

/// Reads a decisions file: a header `violation_id,status,reason`, then a decision a row. Every
/// bad row is named (row, column, value, what was expected) before anything is written.
pub fn read_decisions(file: &Path) -> Result<Vec<(String, Decision)>> {
    let shown = file.display();
    let text = std::fs::read(file).with_context(|| format!("cannot read {shown}"))?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_slice());
    let header: Vec<String> =
        reader.headers().with_context(|| format!("{shown}: not a CSV file"))?.iter().map(str::to_owned).collect();
    let column = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(id), Some(status)) = (column("violation_id"), column("status")) else {
        bail!("{shown}, row 1: expected the header violation_id,status,reason, found {}", header.join(","));
    };
    let reason = column("reason");
    let (mut decisions, mut errors) = (Vec::new(), Vec::new());
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.with_context(|| format!("{shown}, row {line}: not CSV"))?;
        let cell = |at: Option<usize>| at.and_then(|at| row.get(at)).map(str::trim).unwrap_or_default();
        let violation = cell(Some(id));
        if violation.is_empty() {
            errors.push(format!("{shown}, row {line}, column violation_id: empty, expected a violation's id"));
            continue;
        }
        let given_reason = Some(cell(reason)).filter(|r| !r.is_empty());
        match Decision::parse(cell(Some(status)), given_reason) {
            Ok(decision) => decisions.push((violation.to_owned(), decision)),
            Err(e) => {
                let column = if e.contains("status `") { "status" } else { "reason" };
                errors.push(format!("{shown}, row {line}, column {column}: {e}"));
            }
        }
    }
    if !errors.is_empty() {
        bail!("{} row(s) refused, nothing was changed:\n{}", errors.len(), errors.join("\n"));
    }
    Ok(decisions)
}

/// Writes the decisions, all or nothing, and says what changed.
pub fn apply(store: &mut dyn Store, decisions: &[(String, Decision)]) -> Result<()> {
    let done = match store.set_verification(decisions, &Actor::cli()) {
        Err(StoreError::NotFound(message)) => bail!("{message}"),
        other => other?,
    };
    let changed = done.iter().filter(|d| d.before != d.after).count();
    for d in done.iter().filter(|d| d.before != d.after) {
        let (from, to) = (d.before.codes(), d.after.codes());
        let reason = to.1.map(|r| format!(" ({r})")).unwrap_or_default();
        println!("{}: {} → {}{reason}", d.id, from.0, to.0);
    }
    println!("{} violation(s): {changed} changed, {} already so", done.len(), done.len() - changed);
    Ok(())
}
