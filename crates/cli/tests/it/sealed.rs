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
