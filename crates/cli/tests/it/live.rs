//! The aggregation layer is live: what an import writes is in the next answer, with no rebuild.

use vigie_core::aggregate::Filter;
use vigie_core::{Catalog, Month};
use vigie_import::Options;
use vigie_store::{LiveFacts, RecordKind, SqliteStore, Store};

use crate::helpers::*;

#[test]
fn an_import_is_in_the_next_answer_after_a_refresh() {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = Catalog::builtin();
    let mut store = SqliteStore::open(&dir.path().join("v.db")).expect("open");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let options = Options {
        dry_run: false,
        max_errors: 10,
        today,
        organization: None,
        actor: vigie_store::Actor::cli(),
        replace: None,
    };
    let import = |store: &mut SqliteStore, name: &str, rows: &[&str]| {
        let path = dir.path().join(name);
        std::fs::write(&path, violations_csv(rows)).expect("write");
        vigie_import::import_files(store, catalog, RecordKind::Violations, &[path], &options, &mut |_| {})
            .expect("import");
    };
    import(&mut store, "first.csv", &VIOLATION_ROWS);
    let mut live = LiveFacts::load(&store, catalog).expect("load");
    let november = Month::new(2021, 11).expect("month");
    let t = live.facts.tables(catalog, november, &Filter::default());
    assert_eq!((t.current.total, t.previous.total, t.current.incidents), (2, 1, 1));

    // V-2 moves to December (a correction), V-4 is new in November.
    let moved = VIOLATION_ROWS[1].replace("2021-11-03,,", "2021-12-01,,");
    let new = VIOLATION_ROWS[1].replace("V-2,I-1", "V-4,I-4");
    import(&mut store, "second.csv", &[VIOLATION_ROWS[0], &moved, &new]);
    live.refresh(&store, catalog).expect("refresh");
    let t = live.facts.tables(catalog, november, &Filter::default());
    assert_eq!((t.current.total, t.current.incidents), (2, 2), "V-1 and V-4");
    let december = live.facts.tables(catalog, november.next(), &Filter::default());
    assert_eq!(december.current.total, 1);
    assert_eq!(december.year_to_date(), 4);
    assert_eq!(live.facts.len(), 4);
    assert_eq!(store.summary().expect("summary").violations, 4);

    // A deletion is in the next answer too.
    assert!(store.delete(RecordKind::Violations, "V-4", &vigie_store::Actor::cli()).expect("delete"));
    live.refresh(&store, catalog).expect("refresh");
    let t = live.facts.tables(catalog, november, &Filter::default());
    assert_eq!((t.current.total, t.current.incidents), (1, 1), "V-1 only");
    assert_eq!(live.facts.len(), 3);

    // What a refresh kept in step equals a fresh load, for every month and a place filter
    // (which the yearly tables answer from the month cube).
    let fresh = LiveFacts::load(&store, catalog).expect("load");
    let region = catalog.geography.region_by_code("ML04").expect("Ségou");
    for filter in [Filter::default(), Filter { regions: vec![region], ..Filter::default() }] {
        for month in [november.previous(), november, november.next()] {
            assert_eq!(live.facts.tables(catalog, month, &filter), fresh.facts.tables(catalog, month, &filter));
        }
    }
}

/// Readers of one shared aggregation state, each with its own store from the pool, read a
/// month's tables again and again while 200 000 violations are imported: every answer is the
/// state before the import or the state after it, never part of it, and none fails. Both ways
/// of taking writes in: by the reader that finds them, and by a server's refresher thread.
#[test]
fn readers_see_an_import_whole_or_not_at_all() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use vigie_store::{DbUrl, Pool, Shared};

    let dir = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new(vigie_bin())
        .current_dir(dir.path())
        .args(["generate", "--out", "big", "--violations", "200000"])
        .output()
        .expect("generate");
    assert!(out.status.success(), "{}", stderr(&out));
    let small = dir.path().join("small.csv");
    std::fs::write(&small, violations_csv(&VIOLATION_ROWS)).expect("write");
    let catalog = Catalog::builtin().clone();
    let options = Options {
        dry_run: false,
        max_errors: 10,
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        organization: None,
        actor: vigie_store::Actor::cli(),
        replace: None,
    };
    for background in [false, true] {
        let url = DbUrl::Sqlite(dir.path().join(format!("v-{background}.db")));
        let pool = Pool::new(url.clone()).expect("pool");
        let import = |file: &std::path::Path| {
            let mut store = pool.get().expect("store");
            vigie_import::import_files(
                &mut *store,
                &catalog,
                RecordKind::Violations,
                &[file.to_owned()],
                &options,
                &mut |_| {},
            )
            .expect("import");
        };
        import(&small);
        let mut shared = Shared::load(&*pool.get().expect("store"), catalog.clone()).expect("load");
        if background {
            shared = shared.refresh_in_background(url);
        }
        let month = Month::new(2021, 11).expect("month");
        let read = || shared.month_tables(&*pool.get().expect("store"), month, &Filter::default()).expect("an answer");
        let before = read();

        let done = AtomicBool::new(false);
        let answers: Vec<Arc<vigie_store::CachedAnswer>> = std::thread::scope(|s| {
            let readers: Vec<_> = (0..3)
                .map(|_| {
                    s.spawn(|| {
                        let mut seen = Vec::new();
                        while !done.load(Ordering::Acquire) {
                            seen.push(read());
                        }
                        seen
                    })
                })
                .collect();
            import(&dir.path().join("big/violations.csv"));
            done.store(true, Ordering::Release);
            readers.into_iter().flat_map(|r| r.join().expect("reader")).collect()
        });
        // A large import may still be on its way in (a reader waits a moment, not for all of it).
        shared.catch_up(&*pool.get().expect("store")).expect("caught up");
        let after = read();
        assert_ne!(before.0, after.0);
        assert!(after.0.current.total > before.0.current.total);
        assert!(!answers.is_empty(), "answers were read during the import");
        for answer in &answers {
            assert!(
                answer.0 == before.0 || answer.0 == after.0,
                "an answer mixed the states before and after the import"
            );
        }
        // An unchanged database answers from memory: the same answer, not a recount.
        assert!(Arc::ptr_eq(&read(), &after));
    }
}
