//! What each subcommand does, with context added to every error.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use vigie_core::aggregate::{Filter, MonthTables};
use vigie_core::{Catalog, Month};
use vigie_import::{Options, Progress, Report};
use vigie_report::Lang;
use vigie_store::{Actor, DbUrl, LiveFacts, RecordKind, Store};

use crate::cli::{
    Cli, Command, DbAction, FormAction, ImportKind, MappingAction, RiskIndexAction, SignalFormat, TableFormat,
};

const DEFAULT_DB: &str = "sqlite://vigie.db";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn open_store(url: &str) -> Result<Box<dyn Store>> {
    open_for_writing(url, 600)
}

/// Opens the store; a write that finds another process writing says so and waits `wait` seconds.
fn open_for_writing(url: &str, wait: u64) -> Result<Box<dyn Store>> {
    let url = DbUrl::parse(url).map_err(anyhow::Error::msg)?;
    let mut store = vigie_store::open(&url).with_context(|| format!("cannot open database {url}"))?;
    let notify = format!(
        "waiting: another process (an import, or vigie serve) is writing to {url}; this starts when it is done \
         (at most {wait} s)"
    );
    store.set_write_wait(vigie_store::WriteWait {
        timeout: std::time::Duration::from_secs(wait),
        notify: Box::new(move || eprintln!("{notify}")),
    });
    Ok(store)
}

pub fn run(cli: Cli) -> Result<()> {
    // The store's catalog: the command's geography, checked against the store's, with the
    // store's risk index definitions.
    let catalog_of = |store: &dyn Store| -> Result<Catalog> {
        Ok(vigie_store::catalog(store, crate::geography::catalog(cli.geography.as_deref())?)?)
    };
    match cli.command {
        Command::Import { kind, files, url, token, dry_run, max_errors, mapping, sync, stats, wait } => {
            let start = std::time::Instant::now();
            if kind != ImportKind::Kobo && (mapping.is_some() || sync || url.is_some()) {
                bail!("--mapping, --sync and --url are for `vigie import kobo`");
            }
            let mut store = open_for_writing(cli.db.as_deref().unwrap_or(DEFAULT_DB), wait)?;
            let catalog = catalog_of(store.as_ref())?;
            let options =
                Options { dry_run, max_errors, today: today(), organization: None, actor: Actor::cli(), replace: None };
            let report = match kind {
                ImportKind::Kobo => {
                    let url = url.as_deref().map(|url| (url, token.as_deref()));
                    let what = crate::kobo::KoboImport { files: &files, url, mapping: mapping.as_deref(), sync };
                    crate::kobo::import(store.as_mut(), &catalog, &what, &options)?
                }
                ImportKind::Violations => import(store.as_mut(), &catalog, RecordKind::Violations, &files, &options)?,
                ImportKind::Alerts => import(store.as_mut(), &catalog, RecordKind::Alerts, &files, &options)?,
                ImportKind::Risk => import(store.as_mut(), &catalog, RecordKind::RiskAnswers, &files, &options)?,
            };
            print_report(&report, dry_run);
            if stats {
                let rows: u64 = report.files.iter().map(|f| f.rows).sum();
                let seconds = start.elapsed().as_secs_f64();
                println!(
                    "stats: {rows} rows in {seconds:.3} s ({:.0} rows/s; commit {:.3} s), peak memory {}",
                    rows as f64 / seconds,
                    report.commit_time.as_secs_f64(),
                    peak_memory().unwrap_or_else(|| "unknown".into())
                );
            }
            Ok(())
        }
        Command::Generate { out, year, seed, violations, kobo } => {
            sample_geography(cli.geography.as_deref())?;
            let stats = generate(&out, &vigie_sample::Options { year, seed, violations, today: today() })?;
            if let Some(format) = kobo {
                let files = crate::kobo::write_sample_export(&out, format)?;
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                println!("wrote the violations as a KoBo export of Vigie's form: {}", names.join(", "));
            }
            println!(
                "wrote {} violations ({} incidents), {} alerts and {} risk answers to {}",
                stats.violations,
                stats.incidents,
                stats.alerts,
                stats.risk_answers,
                out.display()
            );
            Ok(())
        }
        Command::Form(FormAction::Write { out }) => {
            crate::kobo::write_form(&crate::geography::catalog(cli.geography.as_deref())?, &out)
        }
        Command::Mapping(MappingAction::Init { form, out }) => {
            crate::kobo::init_mapping(&crate::geography::catalog(cli.geography.as_deref())?, &form, out.as_deref())
        }
        Command::Locate { file, out } => {
            crate::locate::run(&crate::geography::catalog(cli.geography.as_deref())?, &file, out.as_deref())
        }
        Command::Demo { out, serve, addr } => {
            sample_geography(cli.geography.as_deref())?;
            let url = demo(cli.db.as_deref(), &out)?;
            if serve {
                serve_demo(&url, addr)?;
            }
            Ok(())
        }
        Command::Tables { month, out, format, lang, filter, hxl } => {
            let store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            let month = Month::parse(&month)
                .with_context(|| format!("`{month}` is not a month: write YYYY-MM, e.g. 2021-11"))?;
            let catalog = catalog_of(store.as_ref())?;
            let filter = crate::filter::build(&filter, &catalog)?;
            let data = MonthData::load(store.as_ref(), catalog, month, &filter)?;
            write_tables(&data, format, to_lang(&lang)?, out.as_deref(), hxl)
        }
        Command::Signals { month, format, out, rules } => {
            let store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            let month = Month::parse(&month)
                .with_context(|| format!("`{month}` is not a month: write YYYY-MM, e.g. 2021-11"))?;
            let catalog = catalog_of(store.as_ref())?;
            let rules = signal_rules(rules.as_deref(), &catalog)?;
            let live = LiveFacts::load(store.as_ref(), &catalog)?;
            let records = vigie_store::MonthRecords::read(store.as_ref(), &catalog, month, &rules)?;
            let found = records.tables(&catalog, &live.facts, month, &Filter::default()).0.signals;
            // The command reads the database itself: every figure is the caller's to see.
            let k = vigie_core::aggregate::MinCount::default();
            let sight = vigie_core::aggregate::Sight::Everything;
            let shown = vigie_core::aggregate::disclose(found, &live.facts, &rules, month, &sight, k);
            let rows = vigie_report::signals::rows(&shown, &catalog, &rules, Lang::default());
            let mut out: Box<dyn std::io::Write> = match &out {
                Some(path) => Box::new(BufWriter::new(
                    File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
                )),
                None => Box::new(std::io::stdout().lock()),
            };
            match format {
                SignalFormat::Csv => vigie_report::signals::write_csv(&rows, k.get(), &mut out)?,
                SignalFormat::Json => {
                    let json = vigie_report::signals::to_json(&month.to_string(), &rows, k.get());
                    serde_json::to_writer_pretty(&mut out, &json)?;
                    writeln!(out)?;
                }
            }
            out.flush()?;
            Ok(())
        }
        Command::Report { month, lang, out, inputs, public, published, version, seal } => {
            let store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            let month = Month::parse(&month)
                .with_context(|| format!("`{month}` is not a month: write YYYY-MM, e.g. 2021-11"))?;
            if public && seal.is_set() {
                bail!("the public version has no incident list to encrypt: leave out --encrypt and --recipient");
            }
            if published {
                return crate::month::write_published(
                    store.as_ref(),
                    month,
                    version,
                    to_lang(&lang)?,
                    public,
                    &out,
                    &seal,
                );
            }
            // What analysts wrote in the pages, and the files of `--inputs` over it.
            let written = vigie_server::publish::written_inputs(store.as_ref(), month)?;
            let inputs = match inputs {
                _ if public => vigie_report::Inputs::default(),
                Some(dir) => written.overridden_by(crate::inputs::read(&dir)?),
                None => written,
            };
            let start = std::time::Instant::now();
            let data = MonthData::load(store.as_ref(), catalog_of(store.as_ref())?, month, &Filter::default())?;
            let incidents = if public {
                Vec::new()
            } else {
                store.violations_between(&data.catalog, month.first_day(), month.last_day())?
            };
            report(&data, to_lang(&lang)?, &out, &inputs, public, &incidents, &seal, start)
        }
        Command::Month(action) => {
            let mut store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            let catalog = catalog_of(store.as_ref())?;
            crate::month::run(store.as_mut(), &catalog, action)
        }
        Command::RiskIndex(action) => {
            let mut store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            let catalog = catalog_of(store.as_ref())?;
            match action {
                RiskIndexAction::Load { file, levels, from } => {
                    load_risk_definition(store.as_mut(), &catalog, &file, levels.as_deref(), from.as_deref())
                }
                RiskIndexAction::Show => show_risk_definitions(&catalog),
            }
        }
        Command::Status => {
            let s = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?.summary()?;
            println!(
                "{} violations in {} incidents, {} flash alerts, {} risk answers, {} organisations, {} import batches, {} audit entries",
                s.violations, s.incidents, s.alerts, s.risk_answers, s.organizations, s.batches, s.audit_entries
            );
            Ok(())
        }
        Command::Serve {
            addr,
            secure_cookies,
            trusted_proxy,
            min_count,
            signal_rules: rules,
            backup_dir,
            backup_every,
            keep,
            recipient,
            tls_cert,
            tls_key,
            redirect_http,
            metrics_addr,
            log_format,
        } => {
            let url = DbUrl::parse(cli.db.as_deref().unwrap_or(DEFAULT_DB)).map_err(anyhow::Error::msg)?;
            let catalog = catalog_of(open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?.as_ref())?;
            let min_count = vigie_core::aggregate::MinCount::new(min_count).map_err(anyhow::Error::msg)?;
            let signal_rules = rules.map(|dir| signal_rules(Some(&dir), &catalog)).transpose()?;
            let backups = backup_dir.map(|dir| crate::serve::Backups {
                dir,
                every: backup_every,
                keep: keep.max(1),
                seal: crate::sealed::SealArgs { encrypt: false, recipient },
            });
            let options = crate::serve::Options {
                secure_cookies,
                trusted_proxies: trusted_proxy,
                min_count,
                signal_rules,
                backups,
                tls: tls_cert.zip(tls_key).map(|(cert, key)| crate::serve::Tls { cert, key, redirect_http }),
                metrics_addr,
                log_format,
            };
            crate::serve::run(url, catalog, addr, options)
        }
        Command::User(action) => {
            let mut store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            crate::accounts::user(store.as_mut(), action)
        }
        Command::Organisation(action) => {
            let mut store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            crate::accounts::organisation(store.as_mut(), action)
        }
        Command::Verify { status, reason, ids, file } => {
            let decisions = match (file, status) {
                (Some(file), _) => crate::verify::read_decisions(&file)?,
                (None, Some(status)) => {
                    let decision =
                        vigie_core::Decision::parse(&status, reason.as_deref()).map_err(anyhow::Error::msg)?;
                    ids.into_iter().map(|id| (id, decision)).collect()
                }
                (None, None) => anyhow::bail!("say --status STATUS with violation ids, or --file decisions.csv"),
            };
            let mut store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            crate::verify::apply(store.as_mut(), &decisions)
        }
        Command::Duplicates {
            action: Some(crate::cli::DuplicatesAction::Resolve { a, b, same, distinct, .. }),
            ..
        } => {
            let decision = if same {
                vigie_store::PairDecision::Same
            } else if distinct {
                vigie_store::PairDecision::Distinct
            } else {
                vigie_store::PairDecision::Undo
            };
            let mut store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            match store.decide_pair(&a, &b, decision, &vigie_store::Actor::cli()) {
                Err(vigie_store::StoreError::NotFound(m) | vigie_store::StoreError::Conflict(m)) => {
                    anyhow::bail!("{m}")
                }
                other => other?,
            }
            println!("{a} {b}: {}", decision.code());
            Ok(())
        }
        Command::Duplicates { action: None, month, format, threshold } => {
            let month = month.context("say which month: --month YYYY-MM")?;
            let month = Month::parse(&month).with_context(|| format!("`{month}` is not a month: write YYYY-MM"))?;
            let store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            let catalog = catalog_of(store.as_ref())?;
            let pairs = vigie_store::duplicate_candidates(store.as_ref(), &catalog, month, threshold)?;
            let mut out = std::io::stdout().lock();
            if format == crate::cli::PairFormat::Csv {
                writeln!(out, "violation_a,violation_b,score,reasons")?;
            }
            for pair in &pairs {
                let reasons: Vec<String> = pair.reasons.iter().map(|r| r.code()).collect();
                match format {
                    crate::cli::PairFormat::Csv => {
                        writeln!(out, "{},{},{:.2},{}", pair.a, pair.b, pair.score, reasons.join(";"))?
                    }
                    crate::cli::PairFormat::Text => {
                        writeln!(out, "{}\t{}\t{:.2}\t{}", pair.a, pair.b, pair.score, reasons.join(", "))?
                    }
                }
            }
            if format == crate::cli::PairFormat::Text {
                eprintln!("{} pair(s) of {month} scoring {threshold} or more", pairs.len());
            }
            Ok(())
        }
        Command::Export(crate::cli::ExportAction::Violations { from, to, out, seal }) => {
            let store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            let catalog = catalog_of(store.as_ref())?;
            let day = |text: Option<String>, or: NaiveDate| {
                text.map_or(Ok(or), |t| {
                    NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                        .with_context(|| format!("`{t}` is not a date: write YYYY-MM-DD, e.g. 2021-11-01"))
                })
            };
            let (first, last) = (NaiveDate::from_ymd_opt(1000, 1, 1), NaiveDate::from_ymd_opt(9999, 12, 31));
            let (first, last) = first.zip(last).context("the widest dates")?;
            let violations = store.violations_between(&catalog, day(from, first)?, day(to, last)?)?;
            seal.write(&out, |sink| {
                let mut csv = csv::Writer::from_writer(sink);
                csv.write_record(vigie_core::records::violation_schema().names())?;
                for violation in &violations {
                    csv.write_record(violation.fields(&catalog))?;
                }
                csv.flush()?;
                Ok(())
            })?;
            let how = if seal.is_set() { ", encrypted" } else { "" };
            println!("wrote {} violations to {}{how}", violations.len(), out.display());
            Ok(())
        }
        Command::Export(crate::cli::ExportAction::Geojson { month, level, lang, out }) => {
            let store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            let month = Month::parse(&month)
                .with_context(|| format!("`{month}` is not a month: write YYYY-MM, e.g. 2021-11"))?;
            let level = vigie_report::MapLevel::parse(&level).context("level: region, cercle or commune")?;
            let data = MonthData::load(store.as_ref(), catalog_of(store.as_ref())?, month, &Filter::default())?;
            let write = |out: &mut dyn Write| {
                vigie_report::geojson::write(
                    &data.tables,
                    &data.alerts,
                    &data.catalog,
                    level,
                    None,
                    to_lang(&lang)?,
                    out,
                )
                .context("writing GeoJSON")
            };
            match out {
                Some(path) => {
                    let file = File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
                    write(&mut BufWriter::new(file))
                }
                None => write(&mut std::io::stdout().lock()),
            }
        }
        Command::Token(action) => {
            let mut store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            crate::accounts::token(store.as_mut(), action)
        }
        Command::Device(action) => {
            let mut store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            crate::accounts::device(store.as_mut(), action)
        }
        Command::Db(DbAction::Copy { from, to }) => {
            let (from_url, to_url) = (url_of(&from)?, url_of(&to)?);
            let source = open_store(&from)?;
            let mut target = open_store(&to)?;
            let copied = vigie_store::portable::copy(source.as_ref(), target.as_mut())
                .with_context(|| format!("copying {from_url} to {to_url}"))?;
            say_copied("copied", &copied);
            Ok(())
        }
        Command::Backup { file, seal } => {
            let store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            let mut copied = Vec::new();
            seal.write(&file, |out| {
                copied = vigie_store::portable::backup(store.as_ref(), out)
                    .with_context(|| format!("writing {}", file.display()))?;
                Ok(())
            })?;
            say_copied(&format!("backed up to {}:", file.display()), &copied);
            Ok(())
        }
        Command::Restore { file, identity } => {
            let mut store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            let input = crate::sealed::open(&file, identity.as_ref())?;
            let copied = vigie_store::portable::restore(input, store.as_mut())
                .with_context(|| format!("restoring {}", file.display()))?;
            say_copied("restored", &copied);
            Ok(())
        }
        Command::Audit { action: Some(crate::cli::AuditAction::Verify), .. } => {
            let check = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?.verify_audit()?;
            match check.broken {
                None => {
                    println!(
                        "the audit log's {} entries hold together; the last hash is {}",
                        check.entries, check.last_hash
                    );
                    Ok(())
                }
                Some(b) => anyhow::bail!(
                    "the audit log is broken at entry {} ({} {}, number {} of the chain): it was changed, removed or \
                     inserted after it was written; the {} entries before it hold",
                    b.entry_id,
                    b.at,
                    b.action,
                    b.position,
                    b.position - 1
                ),
            }
        }
        Command::Audit { limit, action: None } => {
            let mut store = open_store(cli.db.as_deref().unwrap_or(DEFAULT_DB))?;
            // Reading the audit log is audited too.
            let read = serde_json::json!({ "limit": limit });
            store.record(&vigie_store::Actor::cli(), "audit_read", "audit_log", "", read)?;
            let mut out = std::io::stdout().lock();
            for e in store.audit_log(limit)? {
                writeln!(
                    out,
                    "{}  {:<7} {} {}  {} -> {}{}",
                    e.at,
                    e.action,
                    e.entity,
                    e.entity_id,
                    e.old.as_deref().unwrap_or("-"),
                    e.new.as_deref().unwrap_or("-"),
                    e.actor.as_deref().map(|a| format!("  by {a}")).unwrap_or_default()
                )?;
            }
            Ok(())
        }
    }
}

fn import(
    store: &mut dyn Store,
    catalog: &Catalog,
    kind: RecordKind,
    files: &[PathBuf],
    options: &Options,
) -> Result<Report> {
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(format!("importing {}", kind.name()));
    let result = vigie_import::import_files(store, catalog, kind, files, options, &mut |p: Progress| {
        bar.set_length(p.bytes_total);
        bar.set_position(p.bytes_read);
    });
    bar.finish_and_clear();
    let report = result?;
    for file in &report.files {
        for warning in &file.warnings {
            eprintln!("warning: {warning}");
        }
    }
    Ok(report)
}

pub fn print_report(report: &Report, dry_run: bool) {
    for f in &report.files {
        println!(
            "{}: {} rows: {} inserted, {} updated, {} unchanged",
            f.name, f.rows, f.counts.inserted, f.counts.updated, f.counts.unchanged
        );
    }
    let t = report.total;
    let verdict = if dry_run {
        "dry run: nothing written"
    } else if report.committed {
        "imported"
    } else {
        "nothing to change: the database already holds these rows"
    };
    println!("{verdict} (total: {} inserted, {} updated, {} unchanged)", t.inserted, t.updated, t.unchanged);
    if !report.deleted.is_empty() {
        let verb = if dry_run { "would delete" } else { "deleted" };
        println!("{verb} {} rows of submissions edited or gone from the export:", report.deleted.len());
        for id in &report.deleted {
            println!("  {id}");
        }
    }
}

fn generate(out: &Path, options: &vigie_sample::Options) -> Result<vigie_sample::Stats> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create folder {}", out.display()))?;
    let writer = |name: &str| -> Result<csv::Writer<BufWriter<File>>> {
        let path = out.join(name);
        let file = File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, file)))
    };
    let mut sinks = vigie_sample::Sinks {
        violations: writer("violations.csv")?,
        alerts: writer("alerts.csv")?,
        risk_answers: writer("risk_answers.csv")?,
    };
    Ok(vigie_sample::generate(Catalog::builtin(), options, &mut sinks)?)
}

/// The sample data is drawn from the seed report's tables for Mali: it needs the builtin
/// geography.
fn sample_geography(arg: Option<&str>) -> Result<()> {
    let builtin = &Catalog::builtin().geography.name;
    match arg {
        Some(name) if name != builtin => bail!("sample data exists for geography {builtin} only, not {name}"),
        _ => Ok(()),
    }
}

/// The early-warning rules of a folder (`signals.csv`, `sentinels.csv`), or the embedded ones.
fn signal_rules(dir: Option<&Path>, catalog: &Catalog) -> Result<vigie_core::aggregate::SignalRules> {
    let Some(dir) = dir else { return Ok(vigie_core::aggregate::SignalRules::builtin(catalog)) };
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    vigie_core::aggregate::SignalRules::parse(&read("signals.csv")?, &read("sentinels.csv")?, catalog)
        .with_context(|| format!("the early-warning rules of {}", dir.display()))
}

/// A month read once for all its outputs: the catalog, the aggregation layer's facts, the
/// month's tables and its flash alerts.
struct MonthData {
    catalog: Catalog,
    live: LiveFacts,
    tables: MonthTables,
    alerts: Vec<vigie_core::Alert>,
}

impl MonthData {
    fn load(store: &dyn Store, catalog: Catalog, month: Month, filter: &Filter) -> Result<MonthData> {
        let live = LiveFacts::load(store, &catalog)?;
        let (tables, alerts) = vigie_store::month_tables(store, &catalog, &live.facts, month, filter)?;
        Ok(MonthData { catalog, live, tables, alerts })
    }
}

fn write_tables(data: &MonthData, format: TableFormat, lang: Lang, out: Option<&Path>, hxl: bool) -> Result<()> {
    if hxl && format != TableFormat::Csv {
        bail!("--hxl goes with --format csv");
    }
    let (catalog, month) = (&data.catalog, data.tables.month);
    let cells = vigie_report::cells(&data.tables, catalog);
    let create = |path: &Path| File::create(path).with_context(|| format!("cannot write {}", path.display()));
    match (format, out) {
        (TableFormat::Csv, Some(path)) => vigie_report::write_csv_with(&cells, BufWriter::new(create(path)?), hxl)?,
        (TableFormat::Csv, None) => vigie_report::write_csv_with(&cells, std::io::stdout().lock(), hxl)?,
        (TableFormat::Json, Some(path)) => {
            vigie_report::write_json(&month.to_string(), &cells, BufWriter::new(create(path)?))?
        }
        (TableFormat::Json, None) => vigie_report::write_json(&month.to_string(), &cells, std::io::stdout().lock())?,
        (TableFormat::Xlsx, Some(path)) => vigie_report::write_xlsx(&cells, catalog, lang, path)?,
        (TableFormat::Xlsx, None) => bail!("--format xlsx needs --out FILE.xlsx"),
    }
    Ok(())
}

/// The language a `--lang` code names: one of the message catalogs.
fn to_lang(code: &str) -> Result<Lang> {
    Lang::parse(code).with_context(|| {
        let known: Vec<String> = Lang::all().iter().map(|l| l.code().to_owned()).collect();
        format!("no message catalog for language `{code}`: Vigie speaks {}", known.join(", "))
    })
}

/// Writes the report files; `start` is when the command began, for the time it prints.
#[expect(clippy::too_many_arguments, reason = "the report's inputs, each used once")]
fn report(
    data: &MonthData,
    lang: Lang,
    out: &Path,
    inputs: &vigie_report::Inputs,
    public: bool,
    incidents: &[vigie_core::Violation],
    seal: &crate::sealed::SealArgs,
    start: std::time::Instant,
) -> Result<()> {
    let (catalog, month) = (&data.catalog, data.tables.month);
    // The analyst's numbers, held against the figures: said, never changed.
    let cells = vigie_report::cells(&data.tables, catalog);
    for (region, warning) in vigie_report::text_check::check_inputs(inputs, lang, catalog, &cells) {
        let section = region.map_or_else(|| "context".to_owned(), |r| format!("analysis of {r}"));
        eprintln!("warning: {section}: “{}” {} {}", warning.number, warning.message, warning.candidates.join("; "));
    }
    let annexes = vigie_report::Annexes::of_report(data.alerts.clone(), &data.live.facts, catalog, month);
    // The public version: every record is hidden from its readers.
    let disclosure = public.then(|| {
        vigie_core::aggregate::Disclosure::of(
            &data.tables,
            &data.tables,
            catalog,
            &Filter::default(),
            Default::default(),
        )
    });
    // The incident list encrypted as it is written, when asked: it never lies on disk in clear.
    let save_incidents = |path: &Path, bytes: &[u8]| -> std::io::Result<PathBuf> {
        if !seal.is_set() {
            return vigie_report::report::plain(path, bytes);
        }
        let mut name = path.file_name().unwrap_or_default().to_owned();
        name.push(".age");
        let sealed = path.with_file_name(name);
        seal.write(&sealed, |out| Ok(out.write_all(bytes)?)).map_err(std::io::Error::other)?;
        Ok(sealed)
    };
    let restricted = disclosure.as_ref();
    let written = vigie_report::report::write(
        out,
        &data.tables,
        catalog,
        lang,
        inputs,
        restricted,
        incidents,
        &annexes,
        &save_incidents,
    )
    .with_context(|| format!("cannot write the report into {}", out.display()))?;
    for file in &written.files {
        println!("wrote {}", file.display());
    }
    println!("{} pages, {:.2} s", written.pages, start.elapsed().as_secs_f64());
    Ok(())
}

/// Serves the demo database, with an `admin` account and a new password, printed once.
fn serve_demo(url: &str, addr: std::net::SocketAddr) -> Result<()> {
    use vigie_store::accounts::{Actor, Role, User, generate_password, hash_password};
    let mut store = open_store(url)?;
    let password = generate_password()?;
    let hash = hash_password(&password)?;
    if store.user_for_login("admin")?.is_some() {
        store.set_password("admin", &hash, &Actor::cli())?;
    } else {
        let admin = User {
            name: "admin".into(),
            role: Role::Admin,
            organization: None,
            disabled: false,
            created_at: String::new(),
        };
        store.add_user(&admin, &hash, &Actor::cli())?;
    }
    println!("sign in as admin with the one-time password {password} (vigie user reset-password admin makes another)");
    let catalog = vigie_store::catalog(store.as_ref(), Catalog::builtin().clone())?;
    drop(store);
    crate::serve::run(DbUrl::parse(url).map_err(anyhow::Error::msg)?, catalog, addr, crate::serve::Options::default())
}

/// Generates, imports and reports the demonstration data; returns the database's URL.
fn demo(db: Option<&str>, out: &Path) -> Result<String> {
    let stats = generate(out, &vigie_sample::Options { year: 2021, seed: 1, violations: None, today: today() })?;
    println!(
        "sample data: {} violations, {} alerts, {} risk answers in {}",
        stats.violations,
        stats.alerts,
        stats.risk_answers,
        out.display()
    );
    let url = match db {
        Some(url) => url.to_owned(),
        None => format!("sqlite://{}", out.join("vigie.db").display()),
    };
    let mut store = open_store(&url)?;
    let catalog = vigie_store::catalog(store.as_ref(), Catalog::builtin().clone())?;
    let options = Options {
        dry_run: false,
        max_errors: vigie_import::DEFAULT_MAX_ERRORS,
        today: today(),
        organization: None,
        actor: Actor::cli(),
        replace: None,
    };
    for (kind, file) in [
        (RecordKind::Violations, "violations.csv"),
        (RecordKind::Alerts, "alerts.csv"),
        (RecordKind::RiskAnswers, "risk_answers.csv"),
    ] {
        let report = import(store.as_mut(), &catalog, kind, &[out.join(file)], &options)?;
        print_report(&report, false);
    }
    let s = store.summary()?;
    if s.violations != stats.violations {
        bail!("the database holds {} violations where {} were generated", s.violations, stats.violations);
    }
    println!(
        "database {url}: {} violations in {} incidents, {} flash alerts, {} risk answers",
        s.violations, s.incidents, s.alerts, s.risk_answers
    );
    let month = Month::new(2021, 11).context("month")?;
    let data = MonthData::load(store.as_ref(), catalog, month, &Filter::default())?;
    let tables = out.join("tables-2021-11.csv");
    write_tables(&data, TableFormat::Csv, Lang::default(), Some(&tables), false)?;
    println!("November 2021 tables: {}", tables.display());
    let incidents = store.violations_between(&data.catalog, month.first_day(), month.last_day())?;
    // The sample analyst's additions, so that every section of the demo report is filled.
    for (lang, name, text) in vigie_sample::ANALYST_INPUTS {
        let path = out.join("analyst").join(lang).join(name);
        path.parent().map(std::fs::create_dir_all).transpose()?;
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    // The report in each language the sample analyst wrote in.
    let mut languages: Vec<&str> = vigie_sample::ANALYST_INPUTS.iter().map(|(lang, _, _)| *lang).collect();
    languages.dedup();
    for code in languages {
        let lang = to_lang(code)?;
        let inputs = crate::inputs::read(&out.join("analyst").join(code))?;
        report(&data, lang, out, &inputs, false, &incidents, &Default::default(), std::time::Instant::now())?;
    }
    Ok(url)
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!("{} is not UTF-8 text: save it as \"CSV UTF-8\" and load it again", path.display())
    })
}

fn load_risk_definition(
    store: &mut dyn Store,
    catalog: &Catalog,
    file: &Path,
    levels: Option<&Path>,
    from: Option<&str>,
) -> Result<()> {
    use sha2::{Digest, Sha256};
    let questions = read_text(file)?;
    let (levels_text, levels_name) = match levels {
        Some(path) => (read_text(path)?, path.display().to_string()),
        None => {
            let current = catalog.risk.current().version;
            let stored = store.risk_definitions()?.into_iter().find(|d| d.version == current);
            let text =
                stored.map_or_else(|| vigie_core::catalog::embedded("spec/risk_levels.csv").to_owned(), |d| d.levels);
            (text, format!("the levels of version {current}"))
        }
    };
    let definition =
        vigie_core::RiskDefinition::parse(&file.display().to_string(), &questions, &levels_name, &levels_text)
            .context("the risk index definition was not loaded")?;
    let from = match from {
        Some(text) => {
            Some(Month::parse(text).with_context(|| format!("`{text}` is not a month: write YYYY-MM, e.g. 2021-12"))?)
        }
        None => store.latest_risk_month()?.map(Month::next),
    };
    let in_force = from.map_or_else(|| catalog.risk.current(), |m| catalog.risk.for_month(m));
    if in_force.definition == definition {
        println!("nothing to change: this definition is version {} already", in_force.version);
        return Ok(());
    }
    let mut hasher = Sha256::new();
    hasher.update(questions.as_bytes());
    hasher.update(levels_text.as_bytes());
    let sha256: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let version = store.add_risk_definition(&vigie_store::StoredRiskDefinition {
        version: 0,
        from,
        questions,
        levels: levels_text,
        source: format!("{} + {levels_name}", file.display()),
        sha256,
    })?;
    println!(
        "loaded risk index definition version {version}: {} questions, {} levels, scores {}",
        definition.questions.len(),
        definition.levels.len(),
        from.map_or_else(|| "every month".to_owned(), |m| format!("the months from {m} on"))
    );
    Ok(())
}

fn show_risk_definitions(catalog: &Catalog) -> Result<()> {
    let versions = catalog.risk.versions();
    for (i, v) in versions.iter().enumerate() {
        let next = versions.get(i + 1);
        if let Some(next) = next.filter(|n| n.from == v.from) {
            println!("version {}: replaced by version {} before it scored any month", v.version, next.version);
            continue;
        }
        let until = next.and_then(|next| next.from).map(|m| format!(" to {}", m.previous()));
        println!(
            "version {}: {} questions, {} levels, scores {}{}",
            v.version,
            v.definition.questions.len(),
            v.definition.levels.len(),
            v.from.map_or_else(|| "from the beginning".to_owned(), |m| format!("from {m}")),
            until.unwrap_or_else(|| " on".to_owned())
        );
    }
    Ok(())
}

/// The process's peak resident memory (Linux `VmHWM`), for `--stats` and benchmarks.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(format!("{:.1} MB", kb as f64 / 1024.0))
}

fn url_of(url: &str) -> Result<DbUrl> {
    DbUrl::parse(url).map_err(anyhow::Error::msg)
}

/// `copied 6033 violations, … (15 tables)`: every table's rows.
fn say_copied(what: &str, copied: &vigie_store::portable::Copied) {
    let parts: Vec<String> = copied.iter().map(|(table, n)| format!("{n} {table}")).collect();
    println!("{what} {}", parts.join(", "));
}
