//! Embeds every geography folder of `reference/geography/`: a new geography version is a new
//! folder, with no code to change.

use std::fmt::Write;
use std::path::Path;

/// The files of a geography folder, by the field of `GeographySource` they fill.
const FILES: [(&str, &str); 9] = [
    ("country", "country.csv"),
    ("regions", "regions.csv"),
    ("cercles", "cercles.csv"),
    ("communes", "communes.csv"),
    ("reporting_regions", "reporting_regions.csv"),
    ("admin1_boundaries", "boundaries/admin1.geojson"),
    ("admin3_boundaries", "boundaries/admin3.geojson"),
    ("aliases", "places/aliases.csv"),
    ("localities", "places/localities.csv"),
];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference/geography");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut folders: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    folders.sort();
    let mut out = String::from(
        "/// Every embedded geography folder, by name.\npub const EMBEDDED_GEOGRAPHIES: &[GeographySource<'static>] = &[\n",
    );
    for name in &folders {
        let folder = root.join(name);
        println!("cargo:rerun-if-changed={}", folder.display());
        let _ = writeln!(out, "    GeographySource {{\n        name: {name:?},");
        // The full-resolution commune outlines points are placed on: optional, gzipped.
        let full = folder.join("boundaries/admin3_full.geojson.gz");
        println!("cargo:rerun-if-changed={}", full.display());
        match full.is_file() {
            true => {
                let _ = writeln!(
                    out,
                    "        admin3_boundaries_full: Some(include_bytes!({:?})),",
                    full.display().to_string()
                );
            }
            false => out.push_str("        admin3_boundaries_full: None,\n"),
        }
        for (field, file) in FILES {
            let path = folder.join(file);
            assert!(path.is_file(), "geography {name}: {file} is missing");
            println!("cargo:rerun-if-changed={}", path.display());
            let _ = writeln!(out, "        {field}: include_str!({:?}),", path.display().to_string());
        }
        out.push_str("    },\n");
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("geographies.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}
