//! The store's behaviour, the same for both implementations: every test runs on a real SQLite
//! file and on a real PostgreSQL database (`VIGIE_TEST_POSTGRES`, started by scripts/test.sh).

use std::time::Duration;

use vigie_core::{Catalog, Month};
use vigie_store::{
    Actor, BatchSource, Changed, Counts, DbUrl, Outcome, PreparedRows, RecordKind, Role, Select, Session, Store,
    StoreError, StoredRiskDefinition, User, WriteWait,
};

/// A database of each kind, empty, and the folder the SQLite one lives in.
fn databases() -> Vec<(DbUrl, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = DbUrl::Sqlite(dir.path().join("v.db"));
    let postgres = DbUrl::Postgres(vigie_store::testing::postgres_database());
    vec![(sqlite, Some(dir)), (postgres, None)]
}

/// Runs `test` on a fresh database of each kind, naming the kind when it fails.
fn on_both(test: impl Fn(&DbUrl)) {
    for (url, _dir) in databases() {
        eprintln!("on {url}");
        test(&url);
    }
}

fn open(url: &DbUrl) -> Box<dyn Store> {
    vigie_store::open(url).expect("open")
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2022, 1, 1).expect("date")
}

/// Violations `V-<id>` of organisation `organization`, with perpetrator `perpetrator`.
fn violations(ids: impl IntoIterator<Item = u32>, organization: &str, perpetrator: &str) -> PreparedRows {
    let mut rows = PreparedRows::default();
    for id in ids {
        let line = format!(
            "V-{id},I-{id},2021-11-03,2021-11-05,,,ML040503,Kala,14.2,-6.1,E1,{perpetrator},ROAD,DAY,M,ADULT,TRADER,RESIDENT,{organization},récit\tavec\nlignes"
        );
        let values: Vec<Option<&str>> = line.split(',').map(|v| Some(v).filter(|v| !v.is_empty())).collect();
        let v = vigie_core::Violation::parse(&values, Catalog::builtin(), today()).expect("valid violation");
        rows.push_violation(&v, Catalog::builtin());
    }
    rows
}

/// One import of one file of `rows`; commits when it changed something and `commit` says so.
fn import(store: &mut dyn Store, rows: &PreparedRows, commit: bool) -> Vec<Outcome> {
    let mut session = store.import().expect("session");
    session.bind_geography("mli-2015").expect("geography");
    session.begin_file(&BatchSource { kind: RecordKind::Violations, file_name: "v.csv".into() }).expect("batch");
    let mut outcomes = Vec::new();
    session.put(rows, &mut outcomes).expect("put");
    let mut counts = Counts::default();
    outcomes.iter().for_each(|&o| counts.add(o));
    session.end_file(&counts, "digest").expect("end");
    if commit && counts.changed() {
        session.commit().expect("commit");
    }
    outcomes
}

/// Returns once `done` holds, or after `limit`: what follows asserts what is then true.
fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() && start.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn key_of(store: &dyn Store, id: &str) -> u32 {
    let found = store.records(Catalog::builtin(), RecordKind::Violations, Select::Id(id)).expect("records");
    found.first().map(|(key, _)| *key).expect("stored")
}

#[test]
fn imports_insert_then_change_nothing_update_with_audit_and_refuse_conflicts_in_a_file() {
    on_both(|url| {
        let mut store = open(url);
        assert_eq!(import(&mut *store, &violations(1..=3, "DRC", "UNID_ARMED"), true), [Outcome::Inserted; 3]);
        let before = store.summary().expect("summary");
        assert_eq!((before.violations, before.batches, before.organizations), (3, 1, 1));

        // The same rows again: nothing to change, nothing committed.
        assert_eq!(import(&mut *store, &violations(1..=3, "DRC", "UNID_ARMED"), true), [Outcome::Unchanged; 3]);
        assert_eq!(store.summary().expect("summary"), before);

        // One row edited, one new organisation's row added.
        let mut rows = violations(1..=2, "DRC", "UNID_ARMED");
        let edited = violations([3], "DRC", "NSAG_MILITIA");
        let added = violations([4], "NRC", "UNID_ARMED");
        for more in [&edited, &added] {
            let v = store_violation(more);
            rows.push_violation(&v, Catalog::builtin());
        }
        let outcomes = import(&mut *store, &rows, true);
        assert_eq!(outcomes, [Outcome::Unchanged, Outcome::Unchanged, Outcome::Updated, Outcome::Inserted]);
        let audit = store.audit_log(2).expect("audit");
        assert_eq!(audit[0].action, "import");
        assert_eq!((audit[1].action.as_str(), audit[1].entity_id.as_str()), ("update", "V-3"));
        assert_eq!(audit[1].old.as_deref(), Some(r#"{"perpetrator_code":"UNID_ARMED"}"#));
        assert_eq!(audit[1].new.as_deref(), Some(r#"{"perpetrator_code":"NSAG_MILITIA"}"#));
        assert_eq!(store.organizations().expect("organisations").len(), 2);

        // An id twice in one file with other content, in one batch or two.
        let mut twice = violations([5], "DRC", "UNID_ARMED");
        twice.push_violation(&store_violation(&violations([5], "DRC", "NSAG_MILITIA")), Catalog::builtin());
        twice.push_violation(&store_violation(&violations([5], "DRC", "UNID_ARMED")), Catalog::builtin());
        assert_eq!(
            import(&mut *store, &twice, false),
            [Outcome::Inserted, Outcome::ConflictInFile, Outcome::Unchanged]
        );
        let mut session = store.import().expect("session");
        session.begin_file(&BatchSource { kind: RecordKind::Violations, file_name: "v.csv".into() }).expect("batch");
        let mut outcomes = Vec::new();
        session.put(&violations([6], "DRC", "UNID_ARMED"), &mut outcomes).expect("put");
        session.put(&violations([6], "DRC", "NSAG_MILITIA"), &mut outcomes).expect("put");
        assert_eq!(outcomes, [Outcome::ConflictInFile]);
        drop(session);
        assert_eq!(store.summary().expect("summary").violations, 4, "nothing of the dropped imports remains");
    });
}

/// The one violation of `rows`, parsed back.
fn store_violation(rows: &PreparedRows) -> vigie_core::Violation {
    let row = rows.get(0);
    let cells: Vec<&str> = row.cells().collect();
    // Stored cells lack the derived region and cercle: put them back as empty.
    let mut values: Vec<Option<&str>> = cells.iter().map(|c| Some(*c).filter(|c| !c.is_empty())).collect();
    values.insert(4, None);
    values.insert(4, None);
    vigie_core::Violation::parse(&values, Catalog::builtin(), today()).expect("valid")
}

#[test]
fn a_rolled_back_import_leaves_no_gap_in_the_storage_keys() {
    on_both(|url| {
        let mut store = open(url);
        import(&mut *store, &violations(1..=3, "DRC", "UNID_ARMED"), true);
        // A dry run: written, then rolled back.
        import(&mut *store, &violations(4..=50, "DRC", "UNID_ARMED"), false);
        import(&mut *store, &violations(1..=3, "DRC", "UNID_ARMED"), true);
        import(&mut *store, &violations([60, 61], "DRC", "UNID_ARMED"), true);
        assert_eq!((key_of(&*store, "V-60"), key_of(&*store, "V-61")), (4, 5), "keys follow on without a gap");
        let batches: Vec<Changed> = store.changes_since(0).expect("feed").iter().map(|c| c.what).collect();
        assert_eq!(batches.len(), 2, "only the committed imports are in the feed: {batches:?}");
    });
}

#[test]
fn a_partner_import_cannot_overwrite_another_organisations_record() {
    on_both(|url| {
        let mut store = open(url);
        import(&mut *store, &violations([1], "DRC", "UNID_ARMED"), true);
        let mut session = store.import().expect("session");
        session.restrict_to("NRC");
        session.begin_file(&BatchSource { kind: RecordKind::Violations, file_name: "v.csv".into() }).expect("batch");
        let refused = session.put(&violations([1], "NRC", "UNID_ARMED"), &mut Vec::new());
        assert!(matches!(refused, Err(StoreError::Forbidden(_))), "{refused:?}");
    });
}

#[test]
fn the_audit_log_the_feed_and_risk_definitions_are_append_only_in_the_database_itself() {
    on_both(|url| {
        let mut store = open(url);
        import(&mut *store, &violations([1], "DRC", "UNID_ARMED"), true);
        assert!(store.delete(RecordKind::Violations, "V-1", &Actor::cli()).expect("delete"));
        let definition = StoredRiskDefinition {
            version: 0,
            from: Month::parse("2022-01"),
            questions: "q".into(),
            levels: "l".into(),
            source: "files".into(),
            sha256: "x".into(),
        };
        assert_eq!(store.add_risk_definition(&definition).expect("definition"), 2);
        for sql in [
            "DELETE FROM audit_log",
            "UPDATE audit_log SET action = 'nothing'",
            "DELETE FROM changes",
            "UPDATE changes SET row_id = 9",
            "DELETE FROM risk_definitions",
            "UPDATE risk_definitions SET levels = 'other'",
        ] {
            let refused = execute(url, sql).expect_err(sql);
            assert!(refused.contains("append-only") || refused.contains("never"), "{sql}: {refused}");
        }
        if matches!(url, DbUrl::Postgres(_)) {
            assert!(execute(url, "TRUNCATE audit_log CASCADE").is_err(), "nor emptied at once");
        }
        assert_eq!(store.audit_log(10).expect("audit").len(), 3);
    });
}

/// Runs one statement on its own connection; the database's error message if refused.
fn execute(url: &DbUrl, sql: &str) -> Result<(), String> {
    vigie_store::testing::execute(url, sql)
}

/// Every audit entry is sealed into a hash chain as it is written; an entry edited behind
/// Vigie's back (its triggers set aside, as someone holding the database's keys could) breaks the
/// chain there, and the check names it.
#[test]
fn the_audit_log_is_a_hash_chain_that_names_the_first_edited_entry() {
    on_both(|url| {
        let mut store = open(url);
        import(&mut *store, &violations([1, 2], "DRC", "UNID_ARMED"), true);
        import(&mut *store, &violations([1], "DRC", "NSAG_MILITIA"), true);
        store.record(&Actor::cli(), "login", "users", "awa", serde_json::json!({})).expect("record");
        let check = store.verify_audit().expect("verify");
        assert!(check.broken.is_none() && check.entries >= 3 && check.last_hash.len() == 64, "{check:?}");
        assert!(execute(url, "UPDATE audit_log SET action = 'nothing' WHERE entry_id > 0").is_err(), "append-only");
        assert!(execute(url, "UPDATE audit_log SET hash = 'x' WHERE entry_id > 0").is_err(), "sealed once");
        let second = "(SELECT entry_id FROM audit_log ORDER BY chain_position LIMIT 1 OFFSET 1)";
        let tamper = match url {
            DbUrl::Postgres(_) => format!(
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_is_append_only;
                 UPDATE audit_log SET actor = 'someone else' WHERE entry_id = {second};"
            ),
            _ => format!(
                "DROP TRIGGER audit_log_is_append_only_update;
                 UPDATE audit_log SET actor = 'someone else' WHERE entry_id = {second};"
            ),
        };
        execute(url, &tamper).expect("tampered");
        let broken = open(url).verify_audit().expect("verify").broken.expect("the chain is broken");
        assert_eq!(broken.position, 2, "{broken:?}");
    });
}

#[test]
fn accounts_tokens_sessions_and_risk_index_versions_behave_alike() {
    on_both(|url| {
        let mut store = open(url);
        let admin = Actor::cli();
        store.add_organization("DRC", Some("Danish Refugee Council"), &admin).expect("organisation");
        assert!(store.add_organization("DRC", None, &admin).is_err(), "once");
        let partner = User {
            name: "awa".into(),
            role: Role::Partner,
            organization: Some("DRC".into()),
            disabled: false,
            created_at: String::new(),
        };
        store.add_user(&partner, "hash", &admin).expect("user");
        let stray = User { organization: Some("NOBODY".into()), name: "x".into(), ..partner.clone() };
        assert!(store.add_user(&stray, "hash", &admin).is_err(), "an unknown organisation");
        let (found, hash) = store.user_for_login("awa").expect("login").expect("user");
        assert_eq!((found.role, found.organization.as_deref(), hash.as_str()), (Role::Partner, Some("DRC"), "hash"));

        assert_eq!(store.add_token("awa", "token-hash", "2099-01-01T00:00:00Z", &admin).expect("token"), Some(1));
        assert_eq!(store.user_for_token("token-hash").expect("token").map(|(u, _)| u.name), Some("awa".into()));
        let session = Session {
            hash: "s1".into(),
            user: "awa".into(),
            csrf: "c".into(),
            expires_at: "2099-01-01T00:00:00Z".into(),
        };
        store.add_session(&session).expect("session");
        // Another connection (another process) knows the session.
        let other = open(url);
        assert_eq!(
            other.session("s1").expect("session").map(|(u, s)| (u.name, s.csrf)),
            Some(("awa".into(), "c".into()))
        );

        assert!(store.set_user_disabled("awa", true, &admin).expect("disable"));
        assert!(other.session("s1").expect("session").is_none(), "a disabled user's sessions end");
        assert!(other.user_for_token("token-hash").expect("token").is_none());
        assert!(store.set_password("awa", "other", &admin).expect("password"));
        assert!(!store.set_password("nobody", "other", &admin).expect("no such user"));
        store.end_session("s1").expect("end");

        let definition = |from: &str| StoredRiskDefinition {
            version: 0,
            from: Month::parse(from),
            questions: format!("questions from {from}"),
            levels: "levels".into(),
            source: "risk_index.csv".into(),
            sha256: "x".into(),
        };
        assert_eq!(store.add_risk_definition(&definition("2022-01")).expect("v2"), 2);
        assert_eq!(store.add_risk_definition(&definition("2022-06")).expect("v3"), 3);
        let versions: Vec<(u32, String)> =
            other.risk_definitions().expect("versions").into_iter().map(|d| (d.version, d.questions)).collect();
        assert_eq!(versions, [(2, "questions from 2022-01".into()), (3, "questions from 2022-06".into())]);

        let actions: Vec<String> = store.audit_log(20).expect("audit").into_iter().map(|e| e.action).collect();
        for action in ["organization_add", "user_add", "token_create", "user_disable", "password_reset", "insert"] {
            assert!(actions.iter().any(|a| a == action), "{action} audited: {actions:?}");
        }
    });
}

/// A partner's deletion reads the record's owner in its own transaction: while another writer
/// hands V-1 back and forth between two organisations, every deletion that succeeds took a record
/// of the partner's own (its audit entry's old values say so), and none took another's.
#[test]
fn a_partners_deletion_checks_the_owner_in_its_own_transaction_under_concurrent_writes() {
    on_both(|url| {
        let mut store = open(url);
        import(&mut *store, &violations([1], "NRC", "UNID_ARMED"), true);
        let partner = Actor { name: "awa".into(), client: None };
        assert!(!store.delete_owned(RecordKind::Violations, "V-1", Some("DRC"), &partner).expect("delete"));
        key_of(&*store, "V-1");
        let deleted = std::thread::scope(|s| {
            let flipper = s.spawn(|| {
                let mut store = open(url);
                for round in 0..30 {
                    let owner = if round % 2 == 0 { "DRC" } else { "NRC" };
                    import(&mut *store, &violations([1], owner, "UNID_ARMED"), true);
                }
            });
            let mut store = open(url);
            let mut deleted = 0;
            while !flipper.is_finished() {
                if store.delete_owned(RecordKind::Violations, "V-1", Some("DRC"), &partner).expect("delete") {
                    deleted += 1;
                }
            }
            flipper.join().expect("flipper");
            deleted
        });
        let deletions: Vec<String> = store
            .audit_log(500)
            .expect("audit")
            .into_iter()
            .filter(|e| e.action == "delete")
            .map(|e| e.old.unwrap_or_default())
            .collect();
        assert_eq!(deletions.len(), deleted);
        assert!(deletions.iter().all(|old| old.contains("\"organization\":\"DRC\"")), "{deletions:?}");
    });
}

#[test]
fn a_new_password_ends_the_accounts_sessions_and_an_admin_can_end_them() {
    on_both(|url| {
        let mut store = open(url);
        let admin = Actor::cli();
        let viewer = User {
            name: "moussa".into(),
            role: Role::Viewer,
            organization: None,
            disabled: false,
            created_at: String::new(),
        };
        store.add_user(&viewer, "hash", &admin).expect("user");
        let session = |hash: &str| Session {
            hash: hash.into(),
            user: "moussa".into(),
            csrf: "c".into(),
            expires_at: "2099-01-01T00:00:00Z".into(),
        };
        store.add_session(&session("before")).expect("session");
        assert!(store.set_password("moussa", "new hash", &admin).expect("password"));
        assert!(store.session("before").expect("session").is_none(), "a session opened before the reset ends");
        store.add_session(&session("a")).expect("session");
        store.add_session(&session("b")).expect("session");
        assert_eq!(store.end_sessions("moussa", &admin).expect("end"), 2);
        assert!(store.session("a").expect("session").is_none() && store.session("b").expect("session").is_none());
        let actions: Vec<String> = store.audit_log(5).expect("audit").into_iter().map(|e| e.action).collect();
        assert!(actions.iter().any(|a| a == "sessions_end"), "{actions:?}");
    });
}

#[test]
fn tokens_expire_are_listed_revoked_and_purged() {
    on_both(|url| {
        let mut store = open(url);
        let admin = Actor::cli();
        let viewer = User {
            name: "fanta".into(),
            role: Role::Viewer,
            organization: None,
            disabled: false,
            created_at: String::new(),
        };
        store.add_user(&viewer, "hash", &admin).expect("user");
        let live = store.add_token("fanta", "live", "2099-01-01T00:00:00Z", &admin).expect("token").expect("id");
        let gone = store.add_token("fanta", "gone", "2020-01-01T00:00:00Z", &admin).expect("token").expect("id");
        assert_eq!(store.add_token("nobody", "x", "2099-01-01T00:00:00Z", &admin).expect("token"), None);
        assert!(store.user_for_token("gone").expect("read").is_none(), "an expired token signs nobody in");
        let (_, token) = store.user_for_token("live").expect("read").expect("a live token");
        assert_eq!((token.id, token.last_used_at), (live, None));
        store.touch_token("live").expect("touch");
        let listed = store.tokens(Some("fanta")).expect("list");
        assert_eq!(listed.iter().map(|t| t.id).collect::<Vec<_>>(), [live, gone], "expired ones listed too");
        assert!(listed[0].last_used_at.is_some(), "its last use");
        assert_eq!(store.purge_expired().expect("purge").1, 1);
        assert_eq!(store.tokens(None).expect("list").len(), 1);
        assert!(store.revoke_token(live, &admin).expect("revoke"));
        assert!(!store.revoke_token(live, &admin).expect("revoke"), "once");
        assert!(store.user_for_token("live").expect("read").is_none(), "a revoked token signs nobody in");
        let actions: Vec<String> = store.audit_log(10).expect("audit").into_iter().map(|e| e.action).collect();
        assert!(actions.iter().any(|a| a == "token_revoke"), "{actions:?}");
    });
}

/// Sign-in attempts are counted atomically before any password is checked: of 40 attempts at
/// once from 8 threads (8 connections), each sees a different count, so no more than the limit
/// can be let through; a success stops counting against the address.
#[test]
fn sign_in_attempts_are_counted_atomically_and_shared_by_connections() {
    on_both(|url| {
        let window = "2000-01-01T00:00:00Z";
        let counts: Vec<u64> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        let mut store = open(url);
                        let keys = ["user:awa".to_owned(), "addr:10.0.0.1".to_owned()];
                        (0..5).map(|_| store.count_attempt(&keys, window).expect("count")).collect::<Vec<u64>>()
                    })
                })
                .collect();
            workers.into_iter().flat_map(|w| w.join().expect("worker")).collect()
        });
        let mut sorted = counts.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (1..=40).collect::<Vec<u64>>(), "every attempt its own count");
        let mut store = open(url);
        store.attempt_succeeded("user:awa", "addr:10.0.0.1").expect("success");
        let keys = ["user:awa".to_owned(), "addr:10.0.0.1".to_owned()];
        assert_eq!(store.count_attempt(&keys, window).expect("count"), 40, "the address's 39 failures and this one");
        assert_eq!(store.count_attempt(&["user:awa".to_owned()], window).expect("count"), 2, "the account's forgotten");
        assert_eq!(
            store.count_attempt(&["user:awa".to_owned()], "2999-01-01T00:00:00Z").expect("count"),
            1,
            "a window past its time begins again"
        );
    });
}

/// Two writers at once: the second waits for the first to commit, so the change feed's order
/// is commit order. A write that started first and commits first is never read after one that
/// committed later, and a reader following the feed all along misses nothing.
#[test]
fn the_change_feed_follows_commit_order_when_writers_overlap() {
    on_both(|url| {
        let mut first = open(url);
        import(&mut *first, &violations(1..=2, "DRC", "UNID_ARMED"), true);
        let reader = open(url);
        let mut seen = reader.changes_since(0).expect("feed");

        // The first writer starts an import and holds it open…
        let mut session = first.import().expect("session");
        session.begin_file(&BatchSource { kind: RecordKind::Violations, file_name: "late.csv".into() }).expect("batch");
        session.put(&violations(10..=12, "DRC", "UNID_ARMED"), &mut Vec::new()).expect("put");
        // …while a second writer, started after it, tries to commit a deletion first.
        let second_url = url.clone();
        let second = std::thread::spawn(move || {
            let mut store = open(&second_url);
            store.set_write_wait(WriteWait { timeout: Duration::from_secs(30), notify: Box::new(|| ()) });
            store.delete(RecordKind::Violations, "V-1", &Actor::cli()).expect("delete")
        });
        std::thread::sleep(Duration::from_millis(400));
        assert!(!second.is_finished(), "the second writer waits for the first");
        let last = seen.last().map_or(0, |c| c.seq);
        let during = reader.changes_since(last).expect("feed");
        assert!(during.is_empty(), "nothing committed yet: {during:?}");

        session.end_file(&Counts { inserted: 3, ..Counts::default() }, "digest").expect("end");
        session.commit().expect("commit");
        assert!(second.join().expect("second writer"));
        // The reader takes in what came since the last entry it saw.
        let last = seen.last().map_or(0, |c| c.seq);
        seen.extend(reader.changes_since(last).expect("feed"));
        let whole = reader.changes_since(0).expect("feed");
        assert_eq!(seen, whole, "the reader missed nothing");
        let kinds: Vec<Changed> = whole.iter().map(|c| c.what).collect();
        assert!(matches!(kinds[..], [Changed::Batch(_), Changed::Batch(_), Changed::Deleted(1)]), "{kinds:?}");
    });
}

/// Two imports at once, of overlapping rows, on two connections: one waits for the other, and
/// every row is stored once.
#[test]
fn concurrent_imports_never_interleave_or_duplicate() {
    on_both(|url| {
        let threads: Vec<_> = [(1, 300), (150, 450)]
            .into_iter()
            .map(|(from, to)| {
                let url = url.clone();
                std::thread::spawn(move || {
                    let mut store = open(&url);
                    import(&mut *store, &violations(from..=to, "DRC", "UNID_ARMED"), true)
                })
            })
            .collect();
        let outcomes: Vec<Vec<Outcome>> = threads.into_iter().map(|t| t.join().expect("import")).collect();
        let inserted: usize = outcomes.iter().flatten().filter(|&&o| o == Outcome::Inserted).count();
        let unchanged: usize = outcomes.iter().flatten().filter(|&&o| o == Outcome::Unchanged).count();
        assert_eq!((inserted, unchanged), (450, 151));
        let store = open(url);
        assert_eq!(store.summary().expect("summary").violations, 450);
        // Each batch's rows carry consecutive keys: one import's rows were written together.
        let mut keys: Vec<u32> = Vec::new();
        store.for_each_coded_violation(vigie_store::Rows::All, &mut |key, _| keys.push(key)).expect("read");
        assert_eq!(keys, (1..=450).collect::<Vec<u32>>());
    });
}

/// A process's aggregation state follows another process's write by itself, woken by
/// PostgreSQL's notification, before any request asks for it. The feed is not polled here (an
/// hour between looks): only the notification can bring the write in within the test's time.
#[test]
fn a_process_takes_in_another_process_write_unasked_within_a_second() {
    let url = DbUrl::Postgres(vigie_store::testing::postgres_database());
    let mut writer = open(&url);
    import(&mut *writer, &violations([1], "DRC", "UNID_ARMED"), true);
    let shared = vigie_store::Shared::load(&*open(&url), Catalog::builtin().clone())
        .expect("load")
        .refresh_in_background_polling(url.clone(), Duration::from_secs(3600));
    let before = shared.current().version();
    // Let the listener connect first.
    std::thread::sleep(Duration::from_millis(300));

    import(&mut *writer, &violations(2..=5, "DRC", "UNID_ARMED"), true);
    let written = std::time::Instant::now();
    wait_until(Duration::from_secs(10), || shared.current().version() != before);
    let version = shared.current().version();
    assert!(version > before, "the write was taken in without being asked for");
    assert_eq!(version, writer.last_change().expect("feed"));
    eprintln!("taken in {} ms after the commit", written.elapsed().as_millis());
}

/// A process outlives its connections: when PostgreSQL closes them (a restart, terminated
/// sessions), its pool lends a new connection rather than the dead one's error for ever, and its
/// aggregation state goes on following other processes' writes.
#[test]
fn a_process_recovers_when_the_database_closes_its_connections() {
    let url = DbUrl::Postgres(vigie_store::testing::postgres_database());
    let pool = vigie_store::Pool::new(url.clone()).expect("pool");
    let shared = vigie_store::Shared::load(&*pool.get().expect("store"), Catalog::builtin().clone())
        .expect("load")
        .refresh_in_background(url.clone());
    // The refresher's and the listener's connections are open before they are closed.
    std::thread::sleep(Duration::from_millis(300));
    execute(
        &url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .expect("sessions terminated");

    // The client learns of a closed connection when the server's goodbye reaches it.
    let mut answer = pool.get().and_then(|store| store.summary());
    wait_until(Duration::from_secs(5), || {
        answer = pool.get().and_then(|store| store.summary());
        answer.is_ok()
    });
    assert_eq!(answer.expect("a new connection answers").violations, 0);

    let mut writer = open(&url);
    import(&mut *writer, &violations([1, 2], "DRC", "UNID_ARMED"), true);
    let last = writer.last_change().expect("feed");
    wait_until(Duration::from_secs(5), || shared.current().version() == last);
    assert_eq!(shared.current().version(), last, "the write was taken in after the connections were lost");
}

/// The portable format (`vigie backup`, `vigie db copy`) carries every column of every table
/// the migrations create, on both stores: a migration that adds a column without adding it to
/// `portable::TABLES` fails here, instead of a backup silently dropping it.
#[test]
fn the_portable_format_carries_every_column_the_migrations_create() {
    on_both(|url| {
        drop(open(url));
        let listed = match url {
            DbUrl::Sqlite(_) | DbUrl::SqliteMemory => vigie_store::testing::query(
                url,
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' ORDER BY 1, 2",
            ),
            DbUrl::Postgres(_) => vigie_store::testing::query(
                url,
                "SELECT table_name::text, column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name IN
                   (SELECT table_name FROM information_schema.tables
                    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')
                 ORDER BY 1, 2",
            ),
        }
        .expect("the schema's columns");
        let stored: std::collections::BTreeSet<(String, String)> = listed
            .into_iter()
            .map(|row| (row[0].clone().unwrap_or_default(), row[1].clone().unwrap_or_default()))
            // Where each store keeps its own bookkeeping, not data.
            .filter(|(table, _)| !["vigie_schema", "import_seen"].contains(&table.as_str()))
            .collect();
        let carried: std::collections::BTreeSet<(String, String)> = vigie_store::portable::TABLES
            .iter()
            .flat_map(|t| t.columns.iter().map(|(c, _)| (t.name.to_owned(), (*c).to_owned())))
            // SQLite keeps an alert's and a risk answer's `row_id` as its rowid, not a column.
            .filter(|(table, column)| {
                !(!matches!(url, DbUrl::Postgres(_))
                    && column == "row_id"
                    && ["alerts", "risk_answers"].contains(&table.as_str()))
            })
            .collect();
        let missing: Vec<_> = stored.difference(&carried).collect();
        let unknown: Vec<_> = carried.difference(&stored).collect();
        assert!(missing.is_empty(), "{url}: columns a backup would drop: {missing:?}");
        assert!(unknown.is_empty(), "{url}: columns the format names that no table has: {unknown:?}");
    });
}

/// Every record names an organisation and an import batch that exist, whatever writes it: both
/// databases refuse a row naming unknown ones, and the removal of one a record names
/// (PostgreSQL checks them once per statement, SQLite by foreign key).
#[test]
fn the_database_refuses_a_record_naming_an_unknown_organisation_or_batch() {
    on_both(|url| {
        let mut store = open(url);
        import(&mut *store, &violations(1..=3, "DRC", "NSAG_RADICAL"), true);
        let copy = |changes: &str| {
            format!(
                "INSERT INTO violations (id, violation_id, incident_id, incident_date, admin3_pcode, violation_code,
                 perpetrator_code, place_code, time_slot_code, victim_sex, victim_age_group, victim_occupation,
                 victim_population, organization, batch_id)
                 SELECT id + 100, violation_id || '-copy', incident_id, incident_date, admin3_pcode, violation_code,
                 perpetrator_code, place_code, time_slot_code, victim_sex, victim_age_group, victim_occupation,
                 victim_population, {changes} FROM violations"
            )
        };
        assert!(execute(url, &copy("'NOPE', batch_id")).is_err(), "{url}: an unknown organisation");
        assert!(execute(url, &copy("organization, batch_id + 1000")).is_err(), "{url}: an unknown batch");
        assert!(execute(url, "UPDATE violations SET organization = 'NOPE'").is_err(), "{url}: an update");
        assert!(execute(url, "DELETE FROM organizations WHERE code = 'DRC'").is_err(), "{url}: a named organisation");
        execute(url, &copy("organization, batch_id")).expect("known ones are fine");
        assert_eq!(store.summary().expect("summary").violations, 6, "{url}");
    });
}

/// Reads audited by many requests at once are written in shared transactions: every entry is
/// there once, in a chain that holds, and each request returned only after its own was written.
#[test]
fn audit_entries_of_concurrent_reads_are_each_written_once_in_groups() {
    on_both(|url| {
        drop(open(url));
        let group = vigie_store::AuditGroup::default();
        std::thread::scope(|s| {
            for thread in 0..8 {
                let group = &group;
                s.spawn(move || {
                    let mut store = open(url);
                    for i in 0..25 {
                        let entry = vigie_store::ReadAudit {
                            actor: Actor { name: format!("reader-{thread}"), client: None },
                            action: "list".into(),
                            entity: "violations".into(),
                            id: format!("{thread}-{i}"),
                            details: serde_json::json!({}),
                        };
                        group.record(&mut *store, entry).expect("recorded");
                        // Written when it returns: visible to another connection.
                        let found = open(url).audit_log(1000).expect("log");
                        assert!(found.iter().any(|e| e.entity_id == format!("{thread}-{i}")), "{url}");
                    }
                });
            }
        });
        let store = open(url);
        let log = store.audit_log(1000).expect("log");
        let mut ids: Vec<&str> = log.iter().filter(|e| e.action == "list").map(|e| e.entity_id.as_str()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!((before, ids.len()), (200, 200), "{url}");
        let mut store = store;
        let check = store.verify_audit().expect("check");
        assert!(check.broken.is_none() && check.entries >= 200, "{url}: {check:?}");
    });
}

/// Verification decisions: each change audited with its old and new values, all or nothing (an
/// unknown id changes nothing), taken in by the aggregation layer through the change feed: a
/// rejected violation leaves every count and stays listed under its status, on both stores.
#[test]
fn verification_decisions_are_audited_all_or_nothing_and_rejected_violations_leave_the_counts() {
    use vigie_core::aggregate::Filter;
    use vigie_core::{Decision, Rejection, Verification};
    on_both(|url| {
        let mut store = open(url);
        import(&mut *store, &violations(1..=3, "DRC", "UNID_ARMED"), true);
        let catalog = Catalog::builtin();
        let mut live = vigie_store::LiveFacts::load(&*store, catalog).expect("load");
        let month = Month::new(2021, 11).expect("month");
        let total =
            |live: &vigie_store::LiveFacts, filter: &Filter| live.facts.tables(catalog, month, filter).current.total;
        assert_eq!(total(&live, &Filter::default()), 3);
        let verified = Decision { status: Verification::Verified, reason: None };
        let rejected = Decision { status: Verification::Rejected, reason: Some(Rejection::DidNotOccur) };
        let actor = Actor { name: "im".into(), client: None };

        // An unknown id among them: nothing changes.
        let refused = store.set_verification(&[("V-1".into(), verified), ("V-404".into(), verified)], &actor);
        assert!(matches!(refused, Err(StoreError::NotFound(ref m)) if m.contains("V-404")), "{refused:?}");
        assert_eq!(store.verification_of("V-1").expect("read"), Some(Decision::default()));

        let done = store
            .set_verification(
                &[("V-1".into(), verified), ("V-2".into(), rejected), ("V-3".into(), Decision::default())],
                &actor,
            )
            .expect("decisions");
        assert_eq!(done.iter().filter(|d| d.before != d.after).count(), 2, "V-3 was already reported");
        assert_eq!(store.verification_of("V-2").expect("read"), Some(rejected));
        // The database refuses a rejection without its reason, whoever writes it.
        assert!(execute(url, "UPDATE violations SET verification = 'rejected' WHERE violation_id = 'V-3'").is_err());

        let audit = store.audit_log(20).expect("audit");
        let entry = audit.iter().find(|e| e.action == "verify" && e.entity_id == "V-2").expect("audited");
        assert!(entry.old.as_deref().is_some_and(|v| v.contains("\"reported\"")), "{entry:?}");
        assert!(entry.new.as_deref().is_some_and(|v| v.contains("did_not_occur")), "{entry:?}");
        assert_eq!(audit.iter().filter(|e| e.action == "verify").count(), 2);

        live.refresh(&*store, catalog).expect("refresh");
        assert_eq!(total(&live, &Filter::default()), 2, "the rejected violation leaves the counts");
        let only = |v: Verification| Filter { verification: vec![v], ..Filter::default() };
        assert_eq!(total(&live, &only(Verification::Verified)), 1);
        assert_eq!(total(&live, &only(Verification::Rejected)), 1, "and is found under its status");
        assert_eq!(live.facts.verification_of(key_of(&*store, "V-2")), Some(Verification::Rejected));
        // Deciding it again changes nothing and writes nothing.
        let again = store.set_verification(&[("V-2".into(), rejected)], &actor).expect("again");
        assert_eq!(again[0].before, again[0].after);
        assert_eq!(store.audit_log(20).expect("audit").iter().filter(|e| e.action == "verify").count(), 2);
    });
}

/// Duplicate decisions: `same` makes the second violation the first's duplicate, out of every
/// count and of the month's counted violations; `distinct` and undoing clear it; chains are
/// refused; each decision audited and kept, on both stores.
#[test]
fn pair_decisions_take_a_duplicate_out_of_the_counts_and_can_be_undone() {
    use vigie_core::aggregate::Filter;
    use vigie_store::PairDecision;
    on_both(|url| {
        let mut store = open(url);
        import(&mut *store, &violations(1..=3, "DRC", "UNID_ARMED"), true);
        let catalog = Catalog::builtin();
        let mut live = vigie_store::LiveFacts::load(&*store, catalog).expect("load");
        let month = Month::new(2021, 11).expect("month");
        let total = |live: &vigie_store::LiveFacts| live.facts.tables(catalog, month, &Filter::default()).current.total;
        let actor = Actor { name: "im".into(), client: None };
        let (from, to) = (month.first_day(), month.last_day());

        store.decide_pair("V-1", "V-2", PairDecision::Same, &actor).expect("same");
        assert_eq!(store.duplicates_of("V-1").expect("read"), ["V-2"]);
        live.refresh(&*store, catalog).expect("refresh");
        assert_eq!(total(&live), 2, "the duplicate leaves the counts");
        assert_eq!(store.violations_between(catalog, from, to).expect("read").len(), 2, "and the month's list");
        // No chains: V-2 duplicates V-1 already, and a duplicate is no one's original.
        assert!(matches!(store.decide_pair("V-3", "V-2", PairDecision::Same, &actor), Err(StoreError::Conflict(_))));
        assert!(matches!(store.decide_pair("V-2", "V-3", PairDecision::Same, &actor), Err(StoreError::Conflict(_))));
        assert!(matches!(store.decide_pair("V-1", "V-404", PairDecision::Same, &actor), Err(StoreError::NotFound(_))));

        store.decide_pair("V-1", "V-2", PairDecision::Undo, &actor).expect("undo");
        assert!(store.duplicates_of("V-1").expect("read").is_empty());
        store.decide_pair("V-2", "V-3", PairDecision::Distinct, &actor).expect("distinct");
        let decided = store.decided_pairs().expect("read");
        assert_eq!(decided.len(), 1);
        assert!(!decided[0].same);
        live.refresh(&*store, catalog).expect("refresh");
        assert_eq!(total(&live), 3, "undone: counted again");
        let audited = store.audit_log(20).expect("audit").into_iter().filter(|e| e.action == "duplicate").count();
        assert_eq!(audited, 3, "each decision audited");
    });
}

/// One import of `rows`, committed, or the error that refused it (nothing written then).
fn try_import(store: &mut dyn Store, rows: &PreparedRows) -> Result<Vec<Outcome>, StoreError> {
    let mut session = store.import()?;
    session.bind_geography("mli-2015")?;
    session.begin_file(&BatchSource { kind: RecordKind::Violations, file_name: "v.csv".into() })?;
    let mut outcomes = Vec::new();
    session.put(rows, &mut outcomes)?;
    let mut counts = Counts::default();
    outcomes.iter().for_each(|&o| counts.add(o));
    session.end_file(&counts, "digest")?;
    session.commit()?;
    Ok(outcomes)
}

/// A signed-off month: every kind of change to its violations is refused by the database, with
/// the lock named (month, version, who, when); new violations are accepted as late reports;
/// a reopened month changes again, and its next sign-off is version 2 while version 1's files
/// stay as they were. On both stores.
#[test]
fn a_signed_off_month_refuses_every_change_but_late_reports_and_reopens_into_a_new_version() {
    use vigie_core::aggregate::Filter;
    use vigie_core::{Decision, Verification};
    on_both(|url| {
        let mut store = open(url);
        import(&mut *store, &violations(1..=3, "DRC", "UNID_ARMED"), true);
        let catalog = Catalog::builtin();
        let (november, december) = (Month::new(2021, 11).expect("month"), Month::new(2021, 12).expect("month"));
        let im = Actor { name: "awa".into(), client: None };
        let v1 = vec![("fr/full/pdf".to_owned(), b"version 1".to_vec())];

        let stale = store.last_change().expect("version") - 1;
        let refused = store.sign_off(november, None, &v1, stale, &im);
        assert!(matches!(refused, Err(StoreError::Busy(_))), "{url}: data changed since the files were made");
        let published = store
            .sign_off(november, Some("final"), &v1, store.last_change().expect("version"), &im)
            .expect("signed off");
        assert_eq!((published.version, published.signed_by.as_str()), (1, "awa"));

        let locked = |result: Result<(), StoreError>, what: &str| match result {
            Err(StoreError::Locked(lock)) => {
                assert_eq!((lock.month, lock.version, lock.signed_by.as_str()), (november, 1, "awa"), "{url}: {what}");
                assert_eq!(lock.signed_at, published.signed_at, "{url}: {what}");
            }
            other => panic!("{url}: {what} should be refused for the lock, got {other:?}"),
        };
        locked(try_import(&mut *store, &violations(1..=1, "DRC", "NSAG_RADICAL")).map(drop), "an import's edit");
        locked(store.delete(RecordKind::Violations, "V-2", &im).map(drop), "a deletion");
        let verified = Decision { status: Verification::Verified, reason: None };
        locked(store.set_verification(&[("V-1".into(), verified)], &im).map(drop), "a verification");
        locked(store.decide_pair("V-1", "V-2", vigie_store::PairDecision::Same, &im), "a duplicate decision");
        let mut session = store.import().expect("session");
        locked(session.delete(RecordKind::Violations, "V-3").map(drop), "an import's deletion (a form's export)");
        drop(session);
        locked(
            store.sign_off(november, None, &v1, store.last_change().expect("version"), &im).map(drop),
            "a second sign-off",
        );
        let stored = store.records(catalog, RecordKind::Violations, Select::Organization(None)).expect("records");
        assert_eq!(stored.len(), 3, "{url}: nothing was deleted");
        assert!(matches!(store.verification_of("V-1"), Ok(Some(d)) if d.status == Verification::Reported), "{url}");
        assert_eq!(
            store_violation(&violations(1..=1, "DRC", "UNID_ARMED")).codes,
            stored_codes(&*store, "V-1"),
            "{url}: not edited"
        );

        // A new violation of the month: accepted, a late report counted in December's report.
        assert_eq!(
            try_import(&mut *store, &violations(4..=4, "NRC", "UNID_ARMED")).expect("late report"),
            [Outcome::Inserted]
        );
        let late = |store: &dyn Store| {
            let live = vigie_store::LiveFacts::load(store, catalog).expect("load");
            let (tables, _) =
                vigie_store::month_tables(store, catalog, &live.facts, december, &Filter::default()).expect("tables");
            tables.late.iter().map(|l| (l.month, l.version, l.count)).collect::<Vec<_>>()
        };
        assert_eq!(late(&*store), [(november, 1, 1)], "{url}");

        assert!(matches!(store.reopen(december, "?", &im), Err(StoreError::Conflict(_))), "{url}: never signed off");
        store.reopen(november, "late reports from NRC", &im).expect("reopened");
        assert_eq!(
            try_import(&mut *store, &violations(1..=1, "DRC", "NSAG_RADICAL")).expect("an edit"),
            [Outcome::Updated]
        );
        let v2 = vec![("fr/full/pdf".to_owned(), b"version 2".to_vec())];
        let second =
            store.sign_off(november, None, &v2, store.last_change().expect("version"), &im).expect("version 2");
        assert_eq!(second.version, 2);
        assert_eq!(store.published_file(november, 1, "fr/full/pdf").expect("read").as_deref(), Some(&b"version 1"[..]));
        assert_eq!(store.published_file(november, 2, "fr/full/pdf").expect("read").as_deref(), Some(&b"version 2"[..]));
        let versions = store.publications(Some(november)).expect("versions");
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].reopened.as_ref().map(|r| r.reason.as_str()), Some("late reports from NRC"));
        assert!(versions[1].locks() && !versions[0].locks());
        assert_eq!(late(&*store), [(november, 2, 0)], "{url}: version 2 holds them");
        let actions: Vec<String> = store.audit_log(50).expect("log").into_iter().map(|e| e.action).collect();
        assert!(
            actions.iter().filter(|a| *a == "sign_off").count() == 2 && actions.contains(&"reopen".to_owned()),
            "{url}: {actions:?}"
        );
        // Published files are never changed behind Vigie's back either.
        assert!(vigie_store::testing::execute(url, "UPDATE published_files SET content = ''").is_err(), "{url}");
        // The feed of records stays one of records.
        assert!(store.feed(0, 1000).expect("feed").iter().all(|e| e.kind == RecordKind::Violations), "{url}");
    });
}

fn stored_codes(store: &dyn Store, id: &str) -> vigie_core::ByList<u8> {
    let found = store.records(Catalog::builtin(), RecordKind::Violations, Select::Id(id)).expect("records");
    match found.first().map(|(_, r)| r) {
        Some(vigie_core::Record::Violation(v)) => v.codes,
        other => panic!("no violation {id}: {other:?}"),
    }
}
