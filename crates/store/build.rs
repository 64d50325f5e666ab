//! Finds the schema migrations in `migrations/sqlite/` and `migrations/postgres/` and embeds them
//! in file-name order: a new migration is a new file, never a list edited by hand.
//!
//! It also reads the tables and columns the PostgreSQL migrations create (PostgreSQL's types say
//! what a column holds, and which are identities), which are the portable format's tables: a new
//! column travels in `vigie backup` and `vigie db copy` without a second edit. A store test
//! checks that SQLite's tables have the same columns.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut out = String::from("// Written by build.rs from the files of migrations/.\n");
    let mut postgres = Vec::new();
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
            if dialect == "postgres" {
                postgres.push(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
            }
        }
        out.push_str("];\n");
    }
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("{}: {e}", target.display()));

    let tables = tables(&postgres);
    let mut out = String::from("// Written by build.rs from migrations/postgres/.\n");
    let _ = writeln!(out, "/// Every table the PostgreSQL migrations create, in creation order (references first).");
    let _ = writeln!(out, "pub const TABLES: [Table; {}] = [", tables.len());
    for table in &tables {
        let identity = table.columns.iter().find(|c| c.identity).map(|c| c.name.as_str());
        let columns: Vec<String> = table.columns.iter().map(|c| format!("({:?}, {})", c.name, c.kind)).collect();
        let _ = writeln!(
            out,
            "    Table {{ name: {:?}, columns: &[{}], identity: {:?} }},",
            table.name,
            columns.join(", "),
            identity
        );
    }
    out.push_str("];\n");
    // The data schema is the PostgreSQL schema's version: a backup from a newer one is refused.
    let _ = writeln!(out, "/// The version of [`TABLES`]: how many PostgreSQL migrations there are.");
    let _ = writeln!(out, "pub const DATA_SCHEMA: u32 = {};", postgres.len());
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("tables.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}

struct Column {
    name: String,
    kind: &'static str,
    identity: bool,
}

struct Table {
    name: String,
    columns: Vec<Column>,
}

/// The tables and columns left by running `migrations` in order. Reads CREATE TABLE, DROP TABLE
/// and ALTER TABLE's ADD, DROP and RENAME COLUMN; fails the build on any other change of a
/// table's columns, rather than guess.
fn tables(migrations: &[String]) -> Vec<Table> {
    let mut tables: Vec<Table> = Vec::new();
    for text in migrations {
        for statement in statements(text) {
            let words: Vec<&str> = statement.split_whitespace().collect();
            let upper: Vec<String> = words.iter().take(6).map(|w| w.to_uppercase()).collect();
            let upper: Vec<&str> = upper.iter().map(String::as_str).collect();
            match upper.as_slice() {
                ["CREATE", "TABLE", ..] => {
                    let name = words[2].split('(').next().unwrap_or_default().to_owned();
                    let open = statement.find('(').unwrap_or_else(|| panic!("no columns: {statement}"));
                    let close = statement.rfind(')').unwrap_or_else(|| panic!("no columns: {statement}"));
                    let columns = top_level(&statement[open + 1..close]).into_iter().filter_map(column).collect();
                    tables.push(Table { name, columns });
                }
                ["DROP", "TABLE", ..] => tables.retain(|t| t.name != words[2]),
                ["ALTER", "TABLE", _, verb, object, ..] => {
                    let table = tables
                        .iter_mut()
                        .find(|t| t.name == words[2])
                        .unwrap_or_else(|| panic!("no table {}: {statement}", words[2]));
                    match (*verb, *object) {
                        ("ADD", "COLUMN") => table.columns.extend(column(words[5..].join(" "))),
                        ("DROP", "COLUMN") => table.columns.retain(|c| c.name != words[5]),
                        ("RENAME", "COLUMN") => {
                            let column = table.columns.iter_mut().find(|c| c.name == words[5]);
                            column.unwrap_or_else(|| panic!("no column: {statement}")).name = words[7].to_owned();
                        }
                        ("ADD" | "DROP", "CONSTRAINT") => {}
                        _ => panic!("build.rs cannot tell what this does to the columns: {statement}"),
                    }
                }
                _ => {}
            }
        }
    }
    tables
}

/// A column's definition (`name TYPE …`), or `None` for a table constraint.
fn column(definition: String) -> Option<Column> {
    let mut words = definition.split_whitespace();
    let name = words.next()?;
    if ["PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT", "EXCLUDE"].contains(&name.to_uppercase().as_str()) {
        return None;
    }
    let kind = match words.next()?.to_uppercase().as_str() {
        "BIGINT" | "INTEGER" | "INT" | "SMALLINT" => "Int",
        "BOOLEAN" | "BOOL" => "Bool",
        _ => "Text",
    };
    let identity = definition.to_uppercase().contains("AS IDENTITY");
    Some(Column { name: name.to_owned(), kind, identity })
}

/// The statements of a migration, without comments and dollar-quoted bodies (which hold `;`).
fn statements(text: &str) -> Vec<String> {
    let mut plain = String::new();
    for (i, part) in text.split("$$").enumerate() {
        if i % 2 == 0 {
            plain.push_str(part);
        }
    }
    let plain: Vec<&str> = plain.lines().map(|l| l.split("--").next().unwrap_or_default()).collect();
    plain.join("\n").split(';').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

/// `text` split at the commas outside parentheses.
fn top_level(text: &str) -> Vec<String> {
    let (mut parts, mut current, mut depth) = (Vec::new(), String::new(), 0);
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
}
