//! A `kill -9` at any moment of an import leaves the database as before or after it.

use std::process::{Command, Stdio};
use std::time::Instant;

use crate::helpers::*;

const ROWS: i64 = 100_000;

#[test]
fn an_import_killed_at_random_moments_leaves_all_or_nothing() {
    let scratch = Scratch::new();
    let dir = scratch.path();
    let out = Command::new(vigie_bin())
        .current_dir(dir)
        .args(["generate", "--out", "big", "--violations", &ROWS.to_string()])
        .output()
        .expect("generate");
    assert!(out.status.success(), "{}", stderr(&out));
    let file = dir.join("big/violations.csv");
    let base = scratch.db();
    let before = count(&base, "SELECT COUNT(*) FROM violations");

    // One uninterrupted import tells how long an import takes here.
    let timed = dir.join("timed.db");
    std::fs::copy(&base, &timed).expect("copy db");
    let start = Instant::now();
    let out = vigie(dir, &timed, &["import", "violations", file.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let full = start.elapsed();

    // Moments spread over the whole import, from opening to commit, with jitter.
    let mut state = start.elapsed().subsec_nanos() as u64 | 1;
    let mut outcomes = Vec::new();
    for round in 0..6u32 {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let fraction = (round as f64 + (state >> 40) as f64 / (1u64 << 24) as f64) / 6.0;
        let delay = full.mul_f64(fraction * 1.1);
        let db = dir.join(format!("kill-{round}.db"));
        std::fs::copy(&base, &db).expect("copy db");
        let mut child = Command::new(vigie_bin())
            .current_dir(dir)
            .arg("--db")
            .arg(format!("sqlite://{}", db.display()))
            .args(["import", "violations", file.to_str().expect("path")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(delay);
        child.kill().ok(); // SIGKILL; fails only if it already finished.
        child.wait().expect("reap");

        let conn = rusqlite::Connection::open(&db).expect("reopen");
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("check");
        assert_eq!(integrity, "ok", "round {round}, killed after {delay:?}");
        let orphans: i64 =
            conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).expect("fk check");
        assert_eq!(orphans, 0, "round {round}: every reference valid");
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM violations", [], |r| r.get(0)).expect("count");
        assert!(n == before || n == before + ROWS, "round {round}: {n} violations after a kill at {delay:?}");
        let batches: i64 = conn.query_row("SELECT COUNT(*) FROM import_batches", [], |r| r.get(0)).expect("count");
        assert_eq!(batches == 4, n == before + ROWS, "the batch is recorded exactly when its rows are");
        outcomes.push(n == before);
    }
    assert!(outcomes.iter().any(|&nothing| nothing), "no kill landed before the commit (import took {full:?})");
}
