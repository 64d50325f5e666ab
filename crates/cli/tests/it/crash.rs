//! A `kill -9` at any moment of an import leaves the database as before or after it, and the
//! next run of `vigie` on it works.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;

const ROWS: i64 = 100_000;

fn wal_bytes(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(0, |m| m.len())
}

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
    let file = file.to_str().expect("path");
    let base = scratch.db();
    let before = db_digest_timeless(&base);

    // One uninterrupted import gives the state after, and how much it writes.
    let done = dir.join("done.db");
    std::fs::copy(&base, &done).expect("copy db");
    let out = vigie(dir, &done, &["import", "violations", file]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = db_digest_timeless(&done);
    assert_ne!(before, after);
    let written = std::fs::metadata(&done).expect("db").len() - std::fs::metadata(&base).expect("db").len();

    // Kills as the write-ahead log grows past fractions of what the import writes (rows being
    // written, the commit), each checked to land while the import runs and has written.
    // Where the kills land comes from the clock, or from VIGIE_KILL_SEED to replay a failure.
    let seed = std::env::var("VIGIE_KILL_SEED").ok().and_then(|s| s.parse::<u64>().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    eprintln!("kill points seed {seed} (replay: VIGIE_KILL_SEED={seed})");
    let mut state = seed | 1;
    let mut outcomes = Vec::new();
    for round in 0..6u32 {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let fraction = (f64::from(round) + (state >> 40) as f64 / (1u64 << 24) as f64) / 6.0;
        let target = 1 + (written as f64 * fraction * 1.05) as u64;
        let db = dir.join(format!("kill-{round}.db"));
        std::fs::copy(&base, &db).expect("copy db");
        let mut child = Command::new(vigie_bin())
            .current_dir(dir)
            .arg("--db")
            .arg(format!("sqlite://{}", db.display()))
            .args(["import", "violations", file])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut logged = wal_bytes(&db);
        while logged < target && Instant::now() < deadline && child.try_wait().expect("poll").is_none() {
            std::thread::sleep(Duration::from_micros(200));
            logged = wal_bytes(&db);
        }
        let running = child.try_wait().expect("poll").is_none();
        child.kill().ok(); // SIGKILL
        child.wait().expect("reap");
        if !running {
            // The import ended before its log reached the target (the last, near the commit):
            // nothing was tested in this round, and it says so.
            eprintln!("round {round}: the import finished before {target} bytes were logged");
            continue;
        }
        assert!(logged > 0, "round {round}: killed while rows were being written ({logged} bytes logged)");

        let conn = rusqlite::Connection::open(&db).expect("reopen");
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("check");
        assert_eq!(integrity, "ok", "round {round}, killed at {logged} bytes logged");
        let orphans: i64 =
            conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).expect("fk check");
        assert_eq!(orphans, 0, "round {round}: every reference valid");
        drop(conn);
        let state = db_digest_timeless(&db);
        let nothing = state == before;
        assert!(
            nothing || state == after,
            "round {round}: killed at {logged} of {written} bytes, the database is neither before nor after"
        );
        outcomes.push(nothing);

        // The next run works on the killed database: the import (again, or a no-op) succeeds.
        let out = vigie(dir, &db, &["import", "violations", file]);
        assert!(out.status.success(), "round {round}: {}", stderr(&out));
        assert_eq!(db_digest_timeless(&db), after, "round {round}: imported once, whole");
    }
    assert!(outcomes.len() >= 4, "at least four kills landed during the import: {outcomes:?}");
    assert!(outcomes.iter().any(|&nothing| nothing), "no kill landed before the commit: {outcomes:?}");
}
