//! `--geography`: the geography version a command reads and writes places with — an embedded
//! one by name, or a folder of the same files read at run time.

use std::path::Path;

use anyhow::{Context, Result, bail};
use vigie_core::Catalog;
use vigie_core::catalog::DEFAULT_GEOGRAPHY;
use vigie_core::geography::GeographySource;

/// The embedded reference lists with the geography `arg` names (the default when `None`).
pub fn catalog(arg: Option<&str>) -> Result<Catalog> {
    let name = arg.unwrap_or(DEFAULT_GEOGRAPHY);
    if let Some(catalog) = Catalog::embedded(name) {
        return catalog.with_context(|| format!("embedded geography {name}"));
    }
    let folder = Path::new(name);
    if !folder.is_dir() {
        let known: Vec<&str> = Catalog::embedded_geographies().collect();
        bail!("unknown geography `{name}`: name an embedded one ({}) or a folder of geography files", known.join(", "));
    }
    read_folder(folder)
}

/// A geography folder as `reference/geography/*/` lays it out (see its README).
fn read_folder(folder: &Path) -> Result<Catalog> {
    let read = |file: &str| -> Result<String> {
        let path = folder.join(file);
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let name = folder
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_owned))
        .context("a geography folder needs a name")?;
    let files = [
        "country.csv",
        "regions.csv",
        "cercles.csv",
        "communes.csv",
        "reporting_regions.csv",
        "boundaries/admin1.geojson",
        "boundaries/admin3.geojson",
    ]
    .map(read);
    let [country, regions, cercles, communes, reporting_regions, admin1, admin3] = files;
    let (admin1, admin3) = (admin1?, admin3?);
    for (file, text) in [("boundaries/admin1.geojson", &admin1), ("boundaries/admin3.geojson", &admin3)] {
        let features = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|geojson| geojson["features"].as_array().map(Vec::len))
            .unwrap_or(0);
        if features == 0 {
            bail!("{}: not a GeoJSON FeatureCollection with features", folder.join(file).display());
        }
    }
    // The gazetteer is optional: without it, names and points are placed by the units alone.
    let optional = |file: &str| if folder.join(file).exists() { read(file) } else { Ok(String::new()) };
    let (aliases, localities) = (optional("places/aliases.csv")?, optional("places/localities.csv")?);
    let full = folder.join("boundaries/admin3_full.geojson.gz");
    let full = match full.exists() {
        true => Some(std::fs::read(&full).with_context(|| format!("cannot read {}", full.display()))?),
        false => None,
    };
    let source = GeographySource {
        name: &name,
        country: &country?,
        regions: &regions?,
        cercles: &cercles?,
        communes: &communes?,
        reporting_regions: &reporting_regions?,
        admin1_boundaries: &admin1,
        admin3_boundaries: &admin3,
        admin3_boundaries_full: full.as_deref(),
        aliases: &aliases,
        localities: &localities,
    };
    Catalog::with_geography(&source).with_context(|| format!("geography folder {}", folder.display()))
}
