//! The aggregation layer at scale: load time, memory, a month's full table set with and without
//! filters, and the same month × category pivot through SQLite `GROUP BY` with a covering index.
//!
//! `cargo bench -p vigie --bench tables` (sizes in `VIGIE_BENCH_SIZES`, default
//! `1000000,10000000`). Targets (issue 3): full table set over 10 M violations in at most 20 ms
//! hot, at least 100× faster than SQLite on the same pivot; loading 1 M violations in at most
//! 1.5 s.

mod common;

use common::run;
use std::time::{Duration, Instant};

use vigie_core::aggregate::Filter;
use vigie_core::{Catalog, ListKind, Month};
use vigie_store::{LiveFacts, SqliteStore};

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// Median of `n` timed runs after two warm-up runs.
fn median(n: usize, mut f: impl FnMut()) -> Duration {
    f();
    f();
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let sizes = std::env::var("VIGIE_BENCH_SIZES").unwrap_or_else(|_| "1000000,10000000".into());
    let catalog = Catalog::builtin();
    let month = Month::new(2021, 11).expect("month");
    for n in sizes.split(',').filter_map(|s| s.trim().parse::<u64>().ok()) {
        println!("== {n} violations");
        let dir = tempfile::tempdir().expect("temp dir");
        let start = Instant::now();
        run(dir.path(), &["generate", "--out", "data", "--violations", &n.to_string()]);
        run(dir.path(), &["--db", "sqlite://bench.db", "import", "violations", "data/violations.csv"]);
        println!("generate + import: {:.1} s", start.elapsed().as_secs_f64());

        let store = SqliteStore::open(&dir.path().join("bench.db")).expect("open");
        let before = rss_mb();
        let start = Instant::now();
        let live = LiveFacts::load(&store, catalog).expect("load");
        println!(
            "load at start: {:.2} s; facts {:.0} MB (columns and indexes), process RSS +{:.0} MB",
            start.elapsed().as_secs_f64(),
            live.facts.heap_bytes() as f64 / 1e6,
            rss_mb() - before
        );
        let facts = &live.facts;
        let t = facts.tables(catalog, month, &Filter::default());
        println!("November: {} violations, year to date {}", t.current.total, t.year_to_date());

        let full = median(21, || {
            std::hint::black_box(facts.tables(catalog, month, &Filter::default()));
        });
        let region_category = Filter {
            regions: vec![catalog.geography.region_by_code("ML05").expect("Mopti")],
            categories: vec![catalog.typology.category("E").expect("E")],
            ..Filter::default()
        };
        let filtered = median(21, || {
            std::hint::black_box(facts.tables(catalog, month, &region_category));
        });
        let mut perpetrator = Filter::default();
        perpetrator.codes[ListKind::Perpetrator] =
            vec![catalog.lists.get(ListKind::Perpetrator).find("NSAG_RADICAL").expect("code")];
        let by_perpetrator = median(21, || {
            std::hint::black_box(facts.tables(catalog, month, &perpetrator));
        });
        // The server benchmark's cache-defeating kind: a region, a victim attribute, an end date.
        let mut region_sex = Filter {
            regions: vec![catalog.geography.region_by_code("ML05").expect("Mopti")],
            to: chrono::NaiveDate::from_ymd_opt(2021, 11, 17),
            ..Filter::default()
        };
        region_sex.codes[ListKind::Sex] = vec![catalog.lists.get(ListKind::Sex).find("F").expect("code")];
        let by_region_sex = median(21, || {
            std::hint::black_box(facts.tables(catalog, month, &region_sex));
        });
        println!(
            "full table set, hot: no filter {}, region+category {}, perpetrator {}, region+sex+end date {}",
            ms(full),
            ms(filtered),
            ms(by_perpetrator),
            ms(by_region_sex)
        );

        let pivot = || {
            std::hint::black_box(facts.tables(catalog, month, &Filter::default()).category_by_month);
        };
        let ours = median(21, pivot);
        let conn = rusqlite::Connection::open(dir.path().join("bench.db")).expect("open");
        let start = Instant::now();
        conn.execute_batch("CREATE INDEX IF NOT EXISTS bench_pivot ON violations (incident_date, violation_code)")
            .expect("index");
        println!("SQLite covering index built in {:.1} s", start.elapsed().as_secs_f64());
        let sql = "SELECT substr(incident_date, 1, 7) AS m, substr(violation_code, 1, 1) AS c, COUNT(*)
                   FROM violations INDEXED BY bench_pivot
                   WHERE incident_date >= '2021-01-01' AND incident_date < '2021-12-01' GROUP BY m, c";
        let mut rows = 0;
        let sqlite = median(3, || {
            let mut stmt = conn.prepare_cached(sql).expect("prepare");
            rows = stmt.query_map([], |r| r.get::<_, i64>(2)).expect("query").count();
        });
        println!(
            "month × category pivot: Vigie {} (full table set), SQLite GROUP BY {} ({rows} cells): {:.0}× faster",
            ms(ours),
            ms(sqlite),
            sqlite.as_secs_f64() / ours.as_secs_f64()
        );
        let scan_sql = "SELECT substr(incident_date, 1, 7) AS m, substr(violation_code, 1, 1) AS c, COUNT(*)
                        FROM violations WHERE perpetrator_code = 'NSAG_RADICAL'
                        AND incident_date >= '2021-01-01' AND incident_date < '2021-12-01' GROUP BY m, c";
        let sqlite_filtered = median(3, || {
            let mut stmt = conn.prepare_cached(scan_sql).expect("prepare");
            std::hint::black_box(stmt.query_map([], |r| r.get::<_, i64>(2)).expect("query").count());
        });
        println!(
            "same pivot filtered by perpetrator: Vigie {} (full table set), SQLite {}: {:.0}× faster",
            ms(by_perpetrator),
            ms(sqlite_filtered),
            sqlite_filtered.as_secs_f64() / by_perpetrator.as_secs_f64()
        );
    }
}
