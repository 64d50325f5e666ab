//! `vigie user`, `vigie organisation`, `vigie token`: accounts stored with argon2id hashes and
//! hashed tokens, every change audited.

use std::path::Path;

use vigie_store::accounts::{token_hash, verify_password};
use vigie_store::{SqliteStore, Store};

use crate::helpers::*;

fn password_hash(db: &Path, name: &str) -> String {
    rusqlite::Connection::open(db)
        .and_then(|c| c.query_row("SELECT password_hash FROM users WHERE name = ?1", [name], |r| r.get(0)))
        .expect("a stored hash")
}

#[test]
fn accounts_are_added_with_argon2id_hashes_and_every_change_is_audited() {
    let scratch = Scratch::new();
    let (dir, db) = (scratch.path(), scratch.db());
    let run = |args: &[&str], input: &str| vigie_with_input(dir, &db, args, input);

    // Organisations: those the data names exist; a new one is added with its name.
    let out = run(&["organisation", "add", "DRC"], "");
    assert!(stderr(&out).contains("organisation DRC exists already"), "{}", stderr(&out));
    let out = run(&["organisation", "add", "IRC", "--name", "International Rescue Committee"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let list = stdout(&run(&["organisation", "list"], ""));
    assert!(list.contains("DRC") && list.contains("IRC") && list.contains("International Rescue Committee"), "{list}");

    // A partner with its organisation; its password is stored only as an argon2id hash.
    let out =
        run(&["user", "add", "a.diallo", "--role", "partner", "--organisation", "DRC"], "correct horse battery\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let hash = password_hash(&db, "a.diallo");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("correct horse battery"));
    assert!(verify_password("correct horse battery", &hash));

    for (args, input, expected) in [
        (
            &["user", "add", "b", "--role", "partner"][..],
            "long enough password\n",
            "a partner belongs to an organisation",
        ),
        (
            &["user", "add", "b", "--role", "partner", "--organisation", "NOPE"],
            "long enough password\n",
            "no organisation NOPE",
        ),
        (&["user", "add", "b", "--role", "chief"], "long enough password\n", "`chief` is no role"),
        (&["user", "add", "b", "--role", "viewer"], "", "no password on standard input"),
        (&["user", "add", "b", "--role", "viewer"], "short\n", "at least 10 characters"),
        (&["user", "add", "a.diallo", "--role", "viewer"], "long enough password\n", "user a.diallo exists already"),
    ] {
        let out = run(args, input);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(expected), "{args:?}: {}", stderr(&out));
    }
    let out = run(&["user", "add", "viewer1", "--role", "viewer"], "another good password\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let list = stdout(&run(&["user", "list"], ""));
    assert!(list.contains("a.diallo") && list.contains("partner") && list.contains("viewer1"), "{list}");

    // A token is printed once and stored as its hash only; it stops working with its user.
    let token = stdout(&run(&["token", "create", "a.diallo"], "")).trim().to_owned();
    assert!(token.starts_with("vigie_"), "{token}");
    let store = SqliteStore::open(&db).expect("open");
    let (user, _) = store.user_for_token(&token_hash(&token)).expect("read").expect("the token's user");
    assert_eq!((user.name.as_str(), user.organization.as_deref()), ("a.diallo", Some("DRC")));
    assert!(store.user_for_token(&token).expect("read").is_none(), "the token itself is not stored");
    assert!(run(&["user", "disable", "a.diallo"], "").status.success());
    assert!(store.user_for_token(&token_hash(&token)).expect("read").is_none(), "disabled");

    let out = run(&["user", "reset-password", "a.diallo"], "a brand new password\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let hash = password_hash(&db, "a.diallo");
    assert!(verify_password("a brand new password", &hash) && !verify_password("correct horse battery", &hash));

    // Tokens are listed one a line, id first, and revoked by id.
    let second = stdout(&run(&["token", "create", "viewer1", "--expires-days", "7"], "")).trim().to_owned();
    let list = stdout(&run(&["token", "list", "viewer1"], ""));
    let line = list.lines().next().expect("a token");
    let id = line.split('\t').next().expect("id").to_owned();
    assert!(list.lines().count() == 1 && line.contains("viewer1") && line.contains("never used"), "{list}");
    assert!(store.user_for_token(&token_hash(&second)).expect("read").is_some());
    assert!(run(&["token", "revoke", &id], "").status.success());
    assert!(store.user_for_token(&token_hash(&second)).expect("read").is_none(), "revoked");
    assert!(!run(&["token", "revoke", &id], "").status.success(), "once");
    assert!(!run(&["token", "create", "viewer1", "--expires-days", "0"], "").status.success(), "a day at least");

    let audit = stdout(&run(&["audit", "--limit", "50"], ""));
    for action in ["organization_add", "user_add", "token_create", "token_revoke", "user_disable", "password_reset"] {
        assert!(audit.lines().any(|l| l.contains(action) && l.ends_with("by cli")), "{action} in {audit}");
    }
    assert!(!audit.contains("brand new password") && !audit.contains(&token), "no secret in the audit log");
    assert!(stdout(&run(&["audit"], "")).contains("audit_read"), "reading the audit log is audited");

    // The hash chain holds, until an entry is edited behind Vigie's back.
    let verified = stdout(&run(&["audit", "verify"], ""));
    assert!(verified.contains("entries hold together"), "{verified}");
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute_batch(
        "DROP TRIGGER audit_log_is_append_only_update;
         UPDATE audit_log SET entity_id = 'someone' WHERE entry_id = (SELECT MIN(entry_id) FROM audit_log) + 2;",
    )
    .expect("tamper");
    let broken = run(&["audit", "verify"], "");
    assert!(!broken.status.success(), "a broken chain fails the command");
    assert!(
        stderr(&broken).contains("broken at entry") && stderr(&broken).contains("number 3 of the chain"),
        "{}",
        stderr(&broken)
    );
}

/// `vigie device`: a key printed once (its hash kept), bound to an existing organisation,
/// listed, revoked; each change audited.
#[test]
fn devices_are_added_for_an_organisation_listed_and_revoked() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let (dir, db) = (scratch.path(), scratch.path().join("v.db"));
    let run = |args: &[&str]| vigie_with_input(dir, &db, args, "");
    let refused = run(&["device", "add", "phone-1", "--organisation", "DRC"]);
    assert!(!refused.status.success() && stderr(&refused).contains("no organisation `DRC`"), "{}", stderr(&refused));
    assert!(run(&["organisation", "add", "DRC"]).status.success());
    let added = run(&["device", "add", "phone-1", "--organisation", "DRC"]);
    assert!(added.status.success(), "{}", stderr(&added));
    let key = stdout(&added).trim().to_owned();
    assert!(key.starts_with("vigie_") && stderr(&added).contains(&format!("/openrosa/{key}")));
    let stored = rusqlite::Connection::open(&db)
        .and_then(|c| c.query_row("SELECT key_hash FROM devices", [], |r| r.get::<_, String>(0)))
        .expect("stored");
    assert_ne!(stored, key, "only the key's hash is kept");
    assert!(!run(&["device", "add", "phone-1", "--organisation", "DRC"]).status.success(), "one name, one device");
    assert!(stdout(&run(&["device", "list"])).starts_with("phone-1\tDRC\tadded "));
    assert!(run(&["device", "revoke", "phone-1"]).status.success());
    assert!(stdout(&run(&["device", "list"])).contains("\trevoked "));
    assert!(!run(&["device", "revoke", "phone-1"]).status.success(), "revoked already");
    let audit = stdout(&run(&["audit", "--limit", "10"]));
    assert!(audit.contains("device_add") && audit.contains("device_revoke"), "{audit}");
}
