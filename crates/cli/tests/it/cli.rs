//! The command line's contract: exit codes and messages.

use std::process::Command;

use crate::helpers::*;

/// `vigie --version`: the version and the commit it was built from.
#[test]
fn the_version_names_its_commit() {
    let out = Command::new(vigie_bin()).arg("--version").output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let commit =
        text.strip_prefix(concat!("vigie ", env!("CARGO_PKG_VERSION"), " (")).and_then(|t| t.strip_suffix(')'));
    let commit = commit.unwrap_or_else(|| panic!("{text}"));
    assert!(
        commit == "unknown commit" || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{text}"
    );
}

#[test]
fn usage_errors_exit_with_code_2() {
    let out = Command::new(vigie_bin()).args(["import", "nonsense", "x.csv"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(vigie_bin()).arg("import").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_reads_in_english_and_lists_the_commands() {
    let out = Command::new(vigie_bin()).arg("--help").output().expect("runs");
    assert!(out.status.success());
    let help = stdout(&out);
    for word in ["import", "generate", "demo", "status", "--db", "VIGIE_DB"] {
        assert!(help.contains(word), "{word} missing from: {help}");
    }
}

#[test]
fn an_unreachable_postgres_server_is_a_clear_error_that_hides_the_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(vigie_bin())
        .current_dir(dir.path())
        .env("VIGIE_DB", "postgres://vigie:secret@127.0.0.1:1/vigie")
        .arg("status")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("postgres://vigie:***@127.0.0.1:1/vigie") && err.contains("refused"), "{err}");
    assert!(!err.contains("secret"), "the password leaked: {err}");
}

#[test]
fn an_unknown_database_scheme_is_refused_with_what_to_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out =
        Command::new(vigie_bin()).current_dir(dir.path()).args(["--db", "mysql://x", "status"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("use `sqlite://FILE`"), "{}", stderr(&out));
}

#[test]
fn the_default_database_is_vigie_db_in_the_current_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out =
        Command::new(vigie_bin()).current_dir(dir.path()).env_remove("VIGIE_DB").arg("status").output().expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("vigie.db").exists());
}

#[test]
fn a_missing_file_is_named_in_the_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = vigie(dir.path(), &dir.path().join("v.db"), &["import", "alerts", "absent.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("absent.csv: cannot read the file"), "{}", stderr(&out));
}

/// `vigie tables … | head`: a reader that stops reading ends the command quietly, whatever it
/// writes (CSV, JSON, the audit log).
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let scratch = Scratch::new();
    for args in
        [&["tables", "--month", "2021-11"][..], &["tables", "--month", "2021-11", "--format", "json"], &["audit"]]
    {
        let mut child = Command::new(vigie_bin())
            .current_dir(scratch.path())
            .env_remove("VIGIE_DB")
            .arg("--db")
            .arg(format!("sqlite://{}", scratch.db().display()))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        // The reading end is closed before anything is written: every write fails.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        assert_eq!(stderr(&out), "", "{args:?}");
        assert!(out.status.success(), "{args:?}: {:?}", out.status);
    }
}
