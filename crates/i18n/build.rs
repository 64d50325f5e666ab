//! Embeds every message catalog of `reference/messages/`: a language is a file, with no code
//! to change.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference/messages");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut catalogs: Vec<(String, String)> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "ftl"))
        .filter_map(|path| {
            let code = path.file_stem()?.to_str()?.to_owned();
            Some((code, path.display().to_string()))
        })
        .collect();
    catalogs.sort();
    let mut out = String::from(
        "/// Every embedded catalog: (language code, Fluent text).\nconst EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for (code, path) in &catalogs {
        println!("cargo:rerun-if-changed={path}");
        let _ = writeln!(out, "    ({code:?}, include_str!({path:?})),");
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("catalogs.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}
