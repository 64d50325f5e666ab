//! Import throughput and peak memory for 1 000 000 generated violations into SQLite.
//!
//! `cargo bench -p vigie --bench import` (set `VIGIE_BENCH_ROWS` for another size). It runs the
//! real binary as a child process, so the memory figure is the import's alone. Targets
//! (issue 2): at least 300 000 violations/s with full validation, peak RSS at most 200 MB.

mod common;

use common::run;
use std::time::Instant;

fn main() {
    let rows: u64 = std::env::var("VIGIE_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let start = Instant::now();
    run(dir.path(), &["generate", "--out", "data", "--violations", &rows.to_string()]);
    let size = std::fs::metadata(dir.path().join("data/violations.csv")).map(|m| m.len()).unwrap_or(0);
    println!("generate: {rows} violations ({:.0} MB) in {:.2} s", size as f64 / 1e6, start.elapsed().as_secs_f64());

    let db = ["--db", "sqlite://bench.db"];
    let import = |extra: &[&str]| -> String {
        let mut args = db.to_vec();
        args.extend(["import", "violations", "data/violations.csv", "--stats"]);
        args.extend(extra);
        let out = run(dir.path(), &args);
        out.lines()
            .find(|l| l.starts_with("stats:"))
            .unwrap_or("stats: missing")
            .trim_start_matches("stats: ")
            .to_owned()
    };
    // This machine's speed varies from run to run (shared host): the first import runs several
    // times into a fresh database, and every run is printed with the median.
    let runs: usize = std::env::var("VIGIE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let mut rates = Vec::new();
    for run in 1..=runs {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.path().join(format!("bench.db{suffix}")));
        }
        let stats = import(&[]);
        println!("first import (all inserted), run {run}: {stats}");
        let rate = stats.split('(').nth(1).and_then(|r| r.split(' ').next()).and_then(|r| r.parse::<f64>().ok());
        rates.extend(rate);
    }
    rates.sort_by(f64::total_cmp);
    if let Some(median) = rates.get(rates.len() / 2) {
        println!(
            "first import: median {median:.0} rows/s over {} runs (min {:.0}, max {:.0})",
            rates.len(),
            rates[0],
            rates[rates.len() - 1]
        );
    }
    println!("re-import (all unchanged): {}", import(&[]));
    println!("dry run: {}", import(&["--dry-run"]));
    let db_size = std::fs::metadata(dir.path().join("bench.db")).map(|m| m.len()).unwrap_or(0);
    println!("database size: {:.0} MB", db_size as f64 / 1e6);
}
