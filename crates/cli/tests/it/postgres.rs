//! Several `vigie` processes on one PostgreSQL database (`VIGIE_TEST_POSTGRES`, started by
//! scripts/test.sh), and data moved between the two stores.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;

/// Runs `vigie` with the database `url`, with `stdin` as its input; it must succeed.
fn run(dir: &Path, url: &str, args: &[&str], stdin: &str) -> Output {
    let out = vigie_on(dir, url, args, stdin);
    assert!(out.status.success(), "vigie {args:?}: {}", stderr(&out));
    out
}

/// `vigie serve` on `url`, and the address it listens on.
fn serve(dir: &Path, url: &str) -> (Child, String) {
    let mut child = Command::new(vigie_bin())
        .current_dir(dir)
        .env("VIGIE_DB", url)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let address = first.split("http://").nth(1).and_then(|a| a.split('/').next()).expect("the address").to_owned();
    (child, address)
}

/// The whole response to a GET with a bearer token.
fn exchange(address: &str, path: &str, token: &str) -> String {
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    response
}

/// The body of a GET with a bearer token, which must succeed.
fn get(address: &str, path: &str, token: &str) -> String {
    let response = exchange(address, path, token);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default()
}

/// The lines of `text` numbered `range` (1 = the first row after the header), with the header.
fn rows(text: &str, range: std::ops::RangeInclusive<usize>) -> String {
    let mut lines = text.lines();
    let mut out = String::from(lines.next().expect("header"));
    for line in lines.skip(range.start() - 1).take(range.end() - range.start() + 1) {
        out.push('\n');
        out.push_str(line);
    }
    out.push('\n');
    out
}

/// Two imports of overlapping halves of the year, started at once from two processes, while a
/// third process serves the tables: every violation is stored once, and the server, never
/// restarted, answers what a server started afresh answers, and what SQLite holding the whole
/// file once answers.
#[test]
fn two_concurrent_imports_and_a_serving_process_agree_with_a_single_import() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = vigie_store::testing::postgres_database();
    let path = dir.path();
    run(path, &url, &["generate", "--out", "gen"], "");
    let all = std::fs::read_to_string(path.join("gen/violations.csv")).expect("generated");
    std::fs::write(path.join("first.csv"), rows(&all, 1..=4000)).expect("write");
    std::fs::write(path.join("second.csv"), rows(&all, 2000..=6033)).expect("write");
    run(path, &url, &["import", "alerts", "gen/alerts.csv"], "");
    run(path, &url, &["import", "risk", "gen/risk_answers.csv"], "");
    run(path, &url, &["user", "add", "ana", "--role", "admin"], "a long enough password\n");
    let token = stdout(&run(path, &url, &["token", "create", "ana"], "")).trim().to_owned();

    let (mut server, address) = serve(path, &url);
    let tables = "/api/v1/tables?month=2021-11";
    let before = get(&address, tables, &token);

    let imports: Vec<Child> = ["first.csv", "second.csv"]
        .iter()
        .map(|file| {
            Command::new(vigie_bin())
                .current_dir(path)
                .env("VIGIE_DB", &url)
                .args(["import", "violations", file])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outputs: Vec<Output> = imports.into_iter().map(|c| c.wait_with_output().expect("import ends")).collect();
    for out in &outputs {
        assert!(out.status.success(), "{}", stderr(out));
    }
    let finished = Instant::now();
    let reports: String = outputs.iter().map(stdout).collect();
    assert!(reports.contains("4000 rows") && reports.contains("4034 rows"), "{reports}");
    let status = stdout(&run(path, &url, &["status"], ""));
    assert!(status.contains("6033"), "every violation once: {status}");

    // A server started now loads everything afresh: the one running all along must agree.
    let (mut fresh, fresh_address) = serve(path, &url);
    let expected = get(&fresh_address, tables, &token);
    assert_ne!(before, expected, "the imports changed the month's tables");
    let mut live = get(&address, tables, &token);
    while live != expected && finished.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
        live = get(&address, tables, &token);
    }
    assert_eq!(live, expected, "the running server took both imports in");
    eprintln!("the running server agreed {} ms after the imports ended", finished.elapsed().as_millis());
    for child in [&mut server, &mut fresh] {
        let _ = child.kill();
        let _ = child.wait();
    }

    // The same tables as SQLite with the whole file imported once.
    let sqlite = format!("sqlite://{}", path.join("one.db").display());
    for (kind, file) in
        [("violations", "gen/violations.csv"), ("alerts", "gen/alerts.csv"), ("risk", "gen/risk_answers.csv")]
    {
        run(path, &sqlite, &["import", kind, file], "");
    }
    let month = ["tables", "--month", "2021-11"];
    assert_eq!(stdout(&run(path, &url, &month, "")), stdout(&run(path, &sqlite, &month, "")));
}

/// A backup's rows: every line but the header (which says when it was written).
fn backup_rows(path: &Path) -> String {
    let file = std::fs::File::open(path).expect("backup");
    let mut text = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut text).expect("gzip");
    text.split_once('\n').map(|(_, rows)| rows.to_owned()).expect("a header")
}

/// SQLite → PostgreSQL → SQLite, and a backup restored on each: every table, row for row (the
/// audit log, change feed, accounts and risk index versions included), and the same tables.
#[test]
fn copies_and_backups_move_a_whole_database_between_the_stores_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path();
    let sqlite = |name: &str| format!("sqlite://{}", path.join(name).display());
    let source = sqlite("source.db");
    // A database with a bit of everything: imports, an edit (audited), accounts, a token, a
    // risk index version.
    run(path, &source, &["generate", "--out", "gen"], "");
    for (kind, file) in
        [("violations", "gen/violations.csv"), ("alerts", "gen/alerts.csv"), ("risk", "gen/risk_answers.csv")]
    {
        run(path, &source, &["import", kind, file], "");
    }
    let all = std::fs::read_to_string(path.join("gen/violations.csv")).expect("generated");
    let first = rows(&all, 1..=1);
    let (header, row) = first.trim_end().split_once('\n').expect("a row");
    let mut cells: Vec<&str> = row.split(',').collect();
    cells[11] = if cells[11] == "NSAG_MILITIA" { "UNID_ARMED" } else { "NSAG_MILITIA" };
    std::fs::write(path.join("edit.csv"), format!("{header}\n{}\n", cells.join(","))).expect("write");
    run(path, &source, &["import", "violations", "edit.csv"], "");
    run(path, &source, &["organisation", "add", "OCHA", "--name", "Bureau de la coordination"], "");
    run(
        path,
        &source,
        &["user", "add", "awa", "--role", "partner", "--organisation", "DRC"],
        "a long enough password\n",
    );
    run(path, &source, &["token", "create", "awa"], "");
    std::fs::write(path.join("questions.csv"), include_str!("../../../../reference/spec/risk_index.csv"))
        .expect("write");
    // Stricter levels than the embedded ones: a version 2.
    let levels = "level,min_points,max_points,label_fr,label_en\n1,0,4,Stable,Stable\n2,5,14,Modérée,Moderate\n3,15,19,Sérieuse,Serious\n4,20,30,Critique,Critical\n";
    std::fs::write(path.join("levels.csv"), levels).expect("write");
    run(path, &source, &["risk-index", "load", "questions.csv", "--levels", "levels.csv"], "");
    let month = ["tables", "--month", "2021-11"];
    let tables = stdout(&run(path, &source, &month, ""));
    run(path, &source, &["backup", "source.vbk"], "");
    let original = backup_rows(&path.join("source.vbk"));
    for expected in ["\"update\"", "\"awa\"", "\"OCHA\"", "questions.csv"] {
        assert!(original.contains(expected), "{expected} is in the backup");
    }

    let postgres = vigie_store::testing::postgres_database();
    let copied = stdout(&run(path, &source, &["db", "copy", "--from", &source, "--to", &postgres], ""));
    assert!(copied.contains("6033 violations"), "{copied}");
    let back = sqlite("back.db");
    run(path, &source, &["db", "copy", "--from", &postgres, "--to", &back], "");
    for (url, name) in [(&postgres, "postgres.vbk"), (&back, "back.vbk")] {
        assert_eq!(stdout(&run(path, url, &month, "")), tables, "{url}");
        run(path, url, &["backup", name], "");
        assert_eq!(backup_rows(&path.join(name)), original, "{url}: every row of every table");
    }

    // Backups restored on each store.
    let restored_pg = vigie_store::testing::postgres_database();
    let restored_sqlite = sqlite("restored.db");
    for url in [&restored_pg, &restored_sqlite] {
        run(path, url, &["restore", "source.vbk"], "");
        assert_eq!(stdout(&run(path, url, &month, "")), tables, "{url}");
        run(path, url, &["backup", "again.vbk"], "");
        assert_eq!(backup_rows(&path.join("again.vbk")), original, "{url}");
        // Numbering goes on after the restored rows: a new audit entry, a new user.
        run(path, url, &["user", "add", "ben", "--role", "viewer"], "a long enough password\n");
    }

    // A restore never merges, and refuses what a newer Vigie wrote.
    let refused = Command::new(vigie_bin())
        .current_dir(path)
        .env("VIGIE_DB", &restored_sqlite)
        .args(["restore", "source.vbk"])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("holds data already"), "{}", stderr(&refused));
    let newer = {
        let text = format!(
            "{{\"format\":\"vigie-backup\",\"version\":1,\"data_schema\":99,\"written_by\":\"vigie 9.0.0\"}}\n{}",
            original
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).expect("gzip");
        gz.finish().expect("gzip")
    };
    std::fs::write(path.join("newer.vbk"), newer).expect("write");
    let refused = Command::new(vigie_bin())
        .current_dir(path)
        .env("VIGIE_DB", sqlite("empty.db"))
        .args(["restore", "newer.vbk"])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(1));
    let message = stderr(&refused);
    assert!(message.contains("vigie 9.0.0") && message.contains("data schema 99"), "{message}");
    assert!(stdout(&run(path, &sqlite("empty.db"), &["status"], "")).starts_with("0 violations"), "nothing restored");

    // A backup cut short restores nothing.
    let bytes = std::fs::read(path.join("source.vbk")).expect("backup");
    std::fs::write(path.join("cut.vbk"), &bytes[..bytes.len() / 2]).expect("write");
    let refused = Command::new(vigie_bin())
        .current_dir(path)
        .env("VIGIE_DB", sqlite("empty.db"))
        .args(["restore", "cut.vbk"])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("damaged") || stderr(&refused).contains("truncated"), "{}", stderr(&refused));
    assert!(stdout(&run(path, &sqlite("empty.db"), &["status"], "")).starts_with("0 violations"), "nothing restored");
}

/// The status code of a GET with a bearer token.
fn status(address: &str, path: &str, token: &str) -> u16 {
    exchange(address, path, token).split(' ').nth(1).and_then(|code| code.parse().ok()).expect("a status line")
}

/// A running server keeps the tokens it has seen in memory; another process's revocation (or a
/// disabled user) reaches it by PostgreSQL's notification, without a poll: nothing else would
/// ever tell it, so a token still accepted after a few seconds means the notification is lost.
#[test]
fn a_token_revoked_or_a_user_disabled_by_another_process_is_refused_by_a_running_server_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = vigie_store::testing::postgres_database();
    let path = dir.path();
    for (name, role) in [("ana", "admin"), ("bo", "viewer")] {
        run(path, &url, &["user", "add", name, "--role", role], "a long enough password\n");
    }
    let ana = stdout(&run(path, &url, &["token", "create", "ana"], "")).trim().to_owned();
    let bo = stdout(&run(path, &url, &["token", "create", "bo"], "")).trim().to_owned();
    let (mut server, address) = serve(path, &url);
    let tables = "/api/v1/tables?month=2021-11";
    for token in [&ana, &bo, &ana, &bo] {
        assert_eq!(status(&address, tables, token), 200, "known, then kept");
    }
    let refused_within = |token: &str| {
        let start = Instant::now();
        while status(&address, tables, token) == 200 {
            assert!(start.elapsed() < Duration::from_secs(5), "still accepted after 5 s");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(status(&address, tables, token), 401);
        start.elapsed()
    };
    // ana's token is the first one made: id 1.
    run(path, &url, &["token", "revoke", "1"], "");
    let revoked = refused_within(&ana);
    run(path, &url, &["user", "disable", "bo"], "");
    let disabled = refused_within(&bo);
    eprintln!(
        "refused {} ms after the revocation, {} ms after the disabling",
        revoked.as_millis(),
        disabled.as_millis()
    );
    let _ = server.kill();
    let _ = server.wait();
}
