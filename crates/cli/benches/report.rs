//! The whole monthly report (PDF + HTML + XLSX + CSV) for one month of a 1 M-violation store.
//!
//! `cargo bench -p vigie --bench report` (`VIGIE_BENCH_ROWS` for another size). Target
//! (issue 4): at most 1.5 s. Reported apart: loading the store into the aggregation layer
//! (done once when a server starts) and the report from loaded facts; plus the end-to-end
//! `vigie report` process, which does both.

mod common;

use common::run;
use std::time::Instant;

use vigie_core::Month;
use vigie_core::aggregate::Filter;
use vigie_report::{Inputs, Lang};
use vigie_store::{LiveFacts, SqliteStore, Store};

fn main() {
    let rows: u64 = std::env::var("VIGIE_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    run(dir.path(), &["generate", "--out", "data", "--violations", &rows.to_string()]);
    for (kind, file) in [("violations", "violations"), ("alerts", "alerts"), ("risk", "risk_answers")] {
        run(dir.path(), &["--db", "sqlite://bench.db", "import", kind, &format!("data/{file}.csv")]);
    }
    let month = Month::new(2021, 11).expect("month");
    let store = SqliteStore::open(&dir.path().join("bench.db")).expect("open");
    let catalog = &vigie_store::catalog(&store, vigie_core::Catalog::builtin().clone()).expect("catalog");
    let start = Instant::now();
    let live = LiveFacts::load(&store, catalog).expect("load");
    println!("{rows} violations loaded into the aggregation layer in {:.2} s", start.elapsed().as_secs_f64());
    for name in ["fr", "en"] {
        let lang = Lang::parse(name).expect("language");
        let mut times = Vec::new();
        let mut pages = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let (tables, alerts) =
                vigie_store::month_tables(&store, catalog, &live.facts, month, &Filter::default()).expect("tables");
            let incidents = store.violations_between(catalog, month.first_day(), month.last_day()).expect("incidents");
            let queried = start.elapsed().as_secs_f64();
            let annexes = vigie_report::Annexes::of_report(alerts, &live.facts, catalog, month);
            let written = vigie_report::report::write(
                &dir.path().join(name),
                &tables,
                catalog,
                lang,
                &Inputs::default(),
                None,
                &incidents,
                &annexes,
                &vigie_report::report::plain,
            )
            .expect("report");
            pages = written.pages;
            times.push((start.elapsed().as_secs_f64(), queried, incidents.len()));
        }
        times.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (total, queried, n) = times[2];
        println!(
            "report ({name}, PDF + HTML + XLSX + CSV) from loaded facts: median {total:.2} s ({queried:.2} s of it tables + reading the month's {n} violations), {pages} pages"
        );
    }
    let start = Instant::now();
    let out = run(dir.path(), &["--db", "sqlite://bench.db", "report", "--month", "2021-11", "--out", "cli"]);
    println!(
        "end to end `vigie report` process (load + report): {:.2} s; {}",
        start.elapsed().as_secs_f64(),
        out.lines().last().unwrap_or("")
    );
}
