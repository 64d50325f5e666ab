//! An analyst's additions to a report (`--inputs DIR`): the context, recommendations and
//! regional analyses.

use std::path::Path;

use anyhow::{Context, Result, bail};
use vigie_report::Inputs;

/// Reads `recommandations.csv` (columns actor, action, zone, follow_up — or their French names
/// acteur, action, zone, suivi), `contexte.md` (or `context.md`) and `analyses/<region code>.md`,
/// all optional.
pub fn read(dir: &Path) -> Result<Inputs> {
    if !dir.is_dir() {
        bail!("{} is not a folder", dir.display());
    }
    let mut inputs = Inputs::default();
    let path = dir.join("recommandations.csv");
    if path.exists() {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let header = reader.headers()?.clone();
        let column =
            |names: &[&str]| header.iter().position(|h| names.contains(&h.trim().trim_start_matches('\u{feff}')));
        let columns =
            [column(&["actor", "acteur"]), column(&["action"]), column(&["zone"]), column(&["follow_up", "suivi"])];
        if columns[0].is_none() || columns[1].is_none() {
            bail!("{}: needs columns actor (or acteur) and action", path.display());
        }
        for record in reader.records() {
            let record = record.with_context(|| format!("reading {}", path.display()))?;
            let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim().to_owned();
            inputs.recommendations.push([cell(columns[0]), cell(columns[1]), cell(columns[2]), cell(columns[3])]);
        }
    }
    for name in ["contexte.md", "context.md"] {
        let path = dir.join(name);
        if path.exists() {
            inputs.context =
                Some(std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?);
        }
    }
    let analyses = dir.join("analyses");
    if analyses.is_dir() {
        for entry in std::fs::read_dir(&analyses)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "md")
                && let Some(code) = path.file_stem().and_then(|s| s.to_str())
            {
                let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                inputs.analyses.insert(code.to_owned(), text);
            }
        }
    }
    Ok(inputs)
}
