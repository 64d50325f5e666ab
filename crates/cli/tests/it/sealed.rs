//! Encrypted backups, with age: to a passphrase and to public keys, each restored; the file is
//! the age format as the `age` tool (Debian's, which `scripts/test.sh` installs) reads and
//! writes it; a wrong passphrase or a missing key restores nothing.

use std::process::Command;

use crate::helpers::{count, demo, new_db, stderr, vigie, vigie_with_input};

/// Runs Debian's `age` tools; their output.
fn age(dir: &std::path::Path, program: &str, args: &[&str]) -> std::process::Output {
    let out = Command::new(program).current_dir(dir).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn backups_are_encrypted_with_age_to_a_passphrase_or_to_keys_and_restored() {
    let dir = demo();
    let here = dir.path();
    let db = here.join("demo/vigie.db");
    let violations = "SELECT COUNT(*) FROM violations";
    let expected = count(&db, violations);

    // A passphrase, from standard input.
    let out = vigie_with_input(here, &db, &["backup", "p.vigie", "--encrypt"], "correct horse battery\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let sealed = std::fs::read(here.join("p.vigie")).expect("the backup");
    assert!(sealed.starts_with(b"age-encryption.org/v1\n-> scrypt "), "an age file to a passphrase");
    let wrong = new_db(&here.join("wrong.db"));
    let out = vigie_with_input(here, &wrong, &["restore", "p.vigie"], "a wrong guess\n");
    assert!(!out.status.success() && stderr(&out).contains("cannot decrypt"), "{}", stderr(&out));
    assert_eq!(count(&wrong, violations), 0, "nothing restored");
    let right = new_db(&here.join("right.db"));
    let out = vigie_with_input(here, &right, &["restore", "p.vigie"], "correct horse battery\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count(&right, violations), expected);

    // Public keys: a key of age's own tool; the tool decrypts what Vigie wrote.
    age(here, "age-keygen", &["-o", "key.txt"]);
    let key = std::fs::read_to_string(here.join("key.txt")).expect("key");
    let public = key.split_whitespace().find(|w| w.starts_with("age1")).expect("a public key").to_owned();
    let out = vigie(here, &db, &["backup", "k.vigie", "--recipient", &public]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plain = age(here, "age", &["--decrypt", "-i", "key.txt", "-o", "k.gz", "k.vigie"]);
    assert!(plain.status.success());
    let mut header = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(flate2::read::GzDecoder::new(
            std::fs::File::open(here.join("k.gz")).expect("k.gz"),
        )),
        &mut header,
    )
    .expect("the backup's first line");
    assert!(header.contains("\"format\":\"vigie-backup\""), "{header}");
    let without = new_db(&here.join("without.db"));
    let out = vigie(here, &without, &["restore", "k.vigie"]);
    assert!(stderr(&out).contains("give the key file with --identity"), "{}", stderr(&out));
    let keyed = new_db(&here.join("keyed.db"));
    let out = vigie(here, &keyed, &["restore", "k.vigie", "--identity", "key.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count(&keyed, violations), expected);

    // A plain backup encrypted by the age tool itself restores as well.
    let out = vigie(here, &db, &["backup", "plain.vigie"]);
    assert!(out.status.success(), "{}", stderr(&out));
    age(here, "age", &["--encrypt", "-r", &public, "-o", "tool.vigie", "plain.vigie"]);
    let tool = new_db(&here.join("tool.db"));
    let out = vigie(here, &tool, &["restore", "tool.vigie", "--identity", "key.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count(&tool, violations), expected);
}

/// The files with the victims' narratives that the CLI writes — the report's incident list and
/// `vigie export violations` — encrypted as they are written: no clear copy is left beside them,
/// the age tool opens the ones for keys, and the passphrase one holds the same violations.csv.
#[test]
fn the_incident_list_and_the_violations_export_are_written_encrypted() {
    let dir = demo();
    let here = dir.path();
    let db = here.join("demo/vigie.db");
    age(here, "age-keygen", &["-o", "key.txt"]);
    let key = std::fs::read_to_string(here.join("key.txt")).expect("key");
    let public = key.split_whitespace().find(|w| w.starts_with("age1")).expect("a public key").to_owned();

    let out = vigie(here, &db, &["report", "--month", "2021-11", "--out", "r", "--recipient", &public]);
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = std::fs::read_dir(here.join("r"))
        .expect("the report folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let sealed = names.iter().find(|n| n.ends_with(".xlsx.age")).unwrap_or_else(|| panic!("{names:?}"));
    assert!(!names.iter().any(|n| n.ends_with(".xlsx") || n.ends_with(".partial")), "no clear copy: {names:?}");
    assert!(names.iter().any(|n| n.ends_with(".pdf")), "{names:?}");
    age(here, "age", &["--decrypt", "-i", "key.txt", "-o", "incidents.xlsx", &format!("r/{sealed}")]);
    let workbook = std::fs::read(here.join("incidents.xlsx")).expect("the incident list");
    assert!(workbook.starts_with(b"PK"), "a workbook");
    let public_report = vigie(here, &db, &["report", "--month", "2021-11", "--public", "--encrypt"]);
    assert!(stderr(&public_report).contains("no incident list to encrypt"), "{}", stderr(&public_report));

    let out =
        vigie(here, &db, &["export", "violations", "--from", "2021-11-01", "--to", "2021-11-30", "--out", "v.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let clear = std::fs::read(here.join("v.csv")).expect("the export");
    assert!(clear.starts_with(b"violation_id,incident_id,"), "violations.csv");
    let args = ["export", "violations", "--from", "2021-11-01", "--to", "2021-11-30", "--out", "k.csv.age"];
    let out = vigie(here, &db, &[&args[..], &["--recipient", &public]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    age(here, "age", &["--decrypt", "-i", "key.txt", "-o", "k.csv", "k.csv.age"]);
    assert_eq!(std::fs::read(here.join("k.csv")).expect("decrypted"), clear);
    let args =
        ["export", "violations", "--from", "2021-11-01", "--to", "2021-11-30", "--out", "p.csv.age", "--encrypt"];
    let out = vigie_with_input(here, &db, &args, "correct horse battery\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let sealed = std::fs::File::open(here.join("p.csv.age")).expect("the export");
    let decryptor = age::Decryptor::new(sealed).expect("an age file");
    let passphrase = age::scrypt::Identity::new(age::secrecy::SecretString::from("correct horse battery".to_owned()));
    let mut reader =
        decryptor.decrypt(std::iter::once(&passphrase as &dyn age::Identity)).expect("the passphrase opens it");
    let mut opened = Vec::new();
    std::io::Read::read_to_end(&mut reader, &mut opened).expect("decrypted");
    assert_eq!(opened, clear);
}
