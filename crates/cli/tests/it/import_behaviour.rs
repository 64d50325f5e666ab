//! What a valid import does: write once, update with an audit trail, accept what spreadsheets
//! produce, and change nothing when there is nothing new.

use crate::helpers::*;

#[test]
fn reimporting_the_same_file_changes_nothing() {
    let scratch = Scratch::new();
    let before = scratch.digest();
    let file = scratch.write("again.csv", violations_csv(&VIOLATION_ROWS).as_bytes());
    let out = scratch.import("violations", &file);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("0 inserted, 0 updated, 3 unchanged"), "{}", stdout(&out));
    assert!(stdout(&out).contains("nothing to change"), "{}", stdout(&out));
    assert_eq!(scratch.digest(), before, "a re-import must leave no trace, not even a batch");
}

#[test]
fn a_known_id_with_new_content_is_an_update_recorded_in_the_audit_log() {
    let scratch = Scratch::new();
    let changed = VIOLATION_ROWS[1].replace(",F,CHILD,", ",M,CHILD,");
    let file = scratch.write("fix.csv", violations_csv(&[VIOLATION_ROWS[0], &changed]).as_bytes());
    let out = scratch.import("violations", &file);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("0 inserted, 1 updated, 1 unchanged"), "{}", stdout(&out));
    let db = scratch.db();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM violations WHERE violation_id = 'V-2' AND victim_sex = 'M'"), 1);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'update' AND entity = 'violations' AND entity_id = 'V-2'
             AND old_values = '{\"victim_sex\":\"F\"}' AND new_values = '{\"victim_sex\":\"M\"}'"
        ),
        1
    );
    let audit = stdout(&vigie(scratch.path(), &db, &["audit", "--limit", "5"]));
    assert!(audit.contains("update  violations V-2  {\"victim_sex\":\"F\"} -> {\"victim_sex\":\"M\"}"), "{audit}");
}

#[test]
fn the_audit_log_refuses_changes() {
    let scratch = Scratch::new();
    let n = count(&scratch.db(), "SELECT COUNT(*) FROM audit_log");
    assert!(n >= 3, "each import batch is audited");
    let update = execute(&scratch.db(), "UPDATE audit_log SET action = 'x'");
    assert!(update.expect_err("refused").contains("append-only"));
    assert!(execute(&scratch.db(), "DELETE FROM audit_log").is_err());
    assert_eq!(count(&scratch.db(), "SELECT COUNT(*) FROM audit_log"), n);
}

#[test]
fn semicolons_bom_crlf_shuffled_and_unknown_columns_are_accepted() {
    let plain = Scratch::new();

    // The same three rows, as a French spreadsheet would save them.
    let header: Vec<&str> = VIOLATION_HEADER.split(',').collect();
    let order: Vec<usize> = (0..header.len()).rev().collect();
    let rows = [
        VIOLATION_ROWS[0].replacen("\"Récit, avec virgule\"", "Récit, avec virgule", 1),
        VIOLATION_ROWS[1].to_owned(),
        VIOLATION_ROWS[2].to_owned(),
    ];
    let mut text = String::from("\u{feff}");
    let shuffled: Vec<&str> = order.iter().map(|&i| header[i]).collect();
    text.push_str(&format!("{};commentaire\r\n", shuffled.join(";")));
    for row in &rows {
        // Split on commas outside the narrative (the last cell).
        let mut cells: Vec<String> = row.splitn(header.len(), ',').map(str::to_owned).collect();
        cells.resize(header.len(), String::new());
        let reordered: Vec<String> = order.iter().map(|&i| cells[i].clone()).collect();
        text.push_str(&format!("{};note libre\r\n", reordered.join(";")));
    }
    text.push_str(";;;\r\n");

    let other = tempfile::tempdir().expect("temp dir");
    let path = other.path().join("export-excel.csv");
    std::fs::write(&path, text).expect("write");
    let db = new_db(&other.path().join("vigie.db"));
    let out = vigie(other.path(), &db, &["import", "violations", path.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("unknown column `commentaire` ignored"), "{}", stderr(&out));
    assert!(stdout(&out).contains("3 inserted"), "{}", stdout(&out));
    let same = |db: &std::path::Path| {
        rows_of(
            db,
            "SELECT violation_id, incident_date, admin3_pcode, latitude, violation_code, victim_sex, narrative
             FROM violations ORDER BY violation_id",
        )
    };
    let rows = same(&db);
    assert_eq!(rows, same(&plain.db()));
    assert_eq!(rows[0][6].as_deref(), Some("Récit, avec virgule"), "{rows:?}");
}

#[test]
fn a_dry_run_validates_and_counts_but_writes_nothing() {
    let scratch = Scratch::new();
    let before = scratch.digest();
    let new = VIOLATION_ROWS[1].replace("V-2", "V-20");
    let file = scratch.write("new.csv", violations_csv(&[&new]).as_bytes());
    let out =
        vigie(scratch.path(), &scratch.db(), &["import", "violations", "--dry-run", file.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("dry run: nothing written (total: 1 inserted"), "{}", stdout(&out));
    assert_eq!(scratch.digest(), before);
}

#[test]
fn each_import_records_its_batch_with_file_checksum_and_counts() {
    let scratch = Scratch::new();
    let db = scratch.db();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM import_batches"), 3);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM import_batches WHERE file_name LIKE '%seed-v.csv' AND inserted = 3 AND length(sha256) = 64"
        ),
        1
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM organizations"), 2);
    let status = stdout(&vigie(scratch.path(), &db, &["status"]));
    assert!(status.starts_with("3 violations in 2 incidents, 1 flash alerts, 1 risk answers"), "{status}");
}

/// A second writer — here a connection holding the write lock, as a running import or server
/// does — makes an import wait its turn and say so; it then writes. With a short `--wait` it
/// gives up with a clear message and writes nothing.
#[test]
fn an_import_waits_for_another_writer_and_says_so() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    use std::time::Duration;

    let scratch = Scratch::new();
    let row = "V-50,I-50,2021-11-04,,,,ML040503,,,,C1,UNID_ARMED,ROAD,DAY,M,ADULT,TRADER,RESIDENT,DRC,";
    let file = scratch.write("new.csv", violations_csv(&[row]).as_bytes());
    let file = file.to_str().expect("path");
    let before = count(&scratch.db(), "SELECT COUNT(*) FROM violations");
    let mut holder = hold_write_lock(&scratch.db());

    let mut child = Command::new(vigie_bin())
        .current_dir(scratch.path())
        .env_remove("VIGIE_DB")
        .arg("--db")
        .arg(db_url(&scratch.db()))
        .args(["import", "violations", file])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pipe = child.stderr.take().expect("stderr");
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let said = received.recv_timeout(Duration::from_secs(60)).expect("it says why it waits");
    assert!(said.starts_with("waiting: another process"), "{said}");
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().expect("poll").is_none(), "still waiting while the lock is held");
    holder.release().expect("release");
    assert!(child.wait().expect("wait").success(), "the import ran once the lock was free");
    assert_eq!(count(&scratch.db(), "SELECT COUNT(*) FROM violations"), before + 1);

    let digest = scratch.digest();
    holder.take().expect("hold the write lock again");
    let other = scratch.write("other.csv", violations_csv(&[&row.replace("V-50", "V-51")]).as_bytes());
    let out =
        vigie(scratch.path(), &scratch.db(), &["import", "violations", "--wait", "1", other.to_str().expect("path")]);
    holder.release().expect("release");
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(
        message.contains("another process held the database's write lock for 1 s: nothing was written"),
        "{message}"
    );
    assert_eq!(scratch.digest(), digest);
}
