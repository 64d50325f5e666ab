//! Finds the schema migrations in `migrations/sqlite/` and `migrations/postgres/` and embeds them
//! in file-name order: a new migration is a new file, never a list edited by hand.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut out = String::from("// Written by build.rs from the files of migrations/.\n");
    for dialect in ["sqlite", "postgres"] {
        let folder = dir.join(dialect);
        println!("cargo:rerun-if-changed={}", folder.display());
        let mut files: Vec<String> = std::fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        for (i, name) in files.iter().enumerate() {
            // 0001_…, 0002_…: numbered from 1 without a gap, so that a version is a file.
            let number: usize = name.split('_').next().and_then(|n| n.parse().ok()).unwrap_or(0);
            assert_eq!(number, i + 1, "migrations/{dialect}/{name}: expected the number {:04}", i + 1);
        }
        let _ = writeln!(out, "/// The {dialect} migrations, in order; the schema version is how many are applied.");
        let _ = writeln!(out, "pub(crate) const {}: [&str; {}] = [", dialect.to_uppercase(), files.len());
        for name in &files {
            let path = folder.join(name);
            let _ = writeln!(out, "    include_str!({:?}),", path.display().to_string());
        }
        out.push_str("];\n");
    }
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}
