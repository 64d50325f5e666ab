//! Import throughput and peak memory for 1 000 000 generated violations into SQLite.
//!
//! `cargo bench -p vigie --bench import` (set `VIGIE_BENCH_ROWS` for another size). It runs the
//! real binary as a child process, so the memory figure is the import's alone. Targets
//! (issue 2): at least 300 000 violations/s with full validation, peak RSS at most 200 MB.

use std::process::Command;
use std::time::Instant;

fn run(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie")).current_dir(dir).args(args).output().expect("vigie runs");
    assert!(out.status.success(), "vigie {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn main() {
    let rows: u64 = std::env::var("VIGIE_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let start = Instant::now();
    run(dir.path(), &["generate", "--out", "data", "--violations", &rows.to_string()]);
    let size = std::fs::metadata(dir.path().join("data/violations.csv")).map(|m| m.len()).unwrap_or(0);
    println!("generate: {rows} violations ({:.0} MB) in {:.2} s", size as f64 / 1e6, start.elapsed().as_secs_f64());

    let db = ["--db", "sqlite://bench.db"];
    for (label, extra) in [
        ("first import (all inserted)", &[][..]),
        ("re-import (all unchanged)", &[][..]),
        ("dry run", &["--dry-run"][..]),
    ] {
        let mut args = db.to_vec();
        args.extend(["import", "violations", "data/violations.csv", "--stats"]);
        args.extend(extra);
        let out = run(dir.path(), &args);
        let stats = out.lines().find(|l| l.starts_with("stats:")).unwrap_or("stats: missing");
        println!("{label}: {}", stats.trim_start_matches("stats: "));
    }
    let db_size = std::fs::metadata(dir.path().join("bench.db")).map(|m| m.len()).unwrap_or(0);
    println!("database size: {:.0} MB", db_size as f64 / 1e6);
}
