//! The command line, as clap types. Usage errors exit with code 2 (clap's), failures with 1.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Vigie: protection monitoring information system.
///
/// Imports protection monitoring data (violations, flash alerts, risk-index answers), stores it
/// in an embedded SQLite database (or PostgreSQL), and computes the monthly report's figures.
#[derive(Debug, Parser)]
#[command(name = "vigie", version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("VIGIE_COMMIT"), ")"), max_term_width = 100)]
pub struct Cli {
    /// Database URL: `sqlite://FILE` or `postgres://USER@HOST/DB` [default: sqlite://vigie.db]
    #[arg(long, global = true, env = "VIGIE_DB", value_name = "URL")]
    pub db: Option<String>,

    /// Geography version of the P-codes: an embedded one (`mli-2015`) or a folder of geography
    /// files (see reference/geography/). A database keeps the one its data was coded with.
    /// [default: mli-2015]
    #[arg(long, global = true, env = "VIGIE_GEOGRAPHY", value_name = "NAME|DIR")]
    pub geography: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import exchange-format CSV files, or KoBoToolbox/ODK exports, all or nothing.
    ///
    /// Every row of every file is checked against DATA-FORMATS.md; if any is invalid, nothing is
    /// written and every error is listed with its file, line, column and value (for exports: its
    /// sheet and form field). Re-importing identical rows changes nothing; a known id with new
    /// content is an update, recorded in the audit log. `kobo`: one violation per submission,
    /// victim and subtype, placed by P-code, name, GPS point or village; a newer export updates
    /// the submissions edited since.
    Import {
        /// What the files hold.
        kind: ImportKind,
        /// CSV files (UTF-8, `,` or `;` separated); for `kobo`, KoBoToolbox or ODK Central
        /// exports: `.xlsx` (a sheet per repeat group), `.csv` (the submissions' file and its
        /// repeat groups' files together) or KoBo API v2 `.json` pages.
        #[arg(required_unless_present = "url", value_name = "FILE")]
        files: Vec<PathBuf>,
        /// `kobo`: fetch the submissions live from the KoBoToolbox API instead of files:
        /// `https://<server>/api/v2/assets/<form uid>/data/?format=json` (every page is followed).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// `kobo --url`: the KoBo account's API token (better in the environment than on the
        /// command line).
        #[arg(long, env = "VIGIE_KOBO_TOKEN", hide_env_values = true, value_name = "TOKEN")]
        token: Option<String>,
        /// Validate and count what would change, then write nothing (with `--sync`, list what
        /// would be deleted).
        #[arg(long)]
        dry_run: bool,
        /// `kobo`: which form field feeds which column, and which choice is which code (TOML;
        /// `vigie mapping init` writes one). Without it, the export is of Vigie's own form.
        #[arg(long, value_name = "MAPPING.toml")]
        mapping: Option<PathBuf>,
        /// `kobo`: also delete the rows of this form's earlier imports whose submissions are no
        /// longer in the export (deleted in KoBo or ODK), with the audit trail. Rows from other
        /// sources are never touched. Try it with `--dry-run` first.
        #[arg(long)]
        sync: bool,
        /// List at most this many errors, then count the rest.
        #[arg(long, default_value_t = vigie_import::DEFAULT_MAX_ERRORS, value_name = "N")]
        max_errors: usize,
        /// Print elapsed time, rows per second and peak memory at the end.
        #[arg(long)]
        stats: bool,
        /// While another process writes to the database (an import, a server), wait this long
        /// for it, then give up.
        #[arg(long, default_value_t = 600, value_name = "SECONDS")]
        wait: u64,
    },
    /// Vigie's own protection-monitoring XLSForm, for KoBoToolbox or ODK.
    #[command(subcommand)]
    Form(FormAction),
    /// Mappings from a partner's form to Vigie's columns and codes.
    #[command(subcommand)]
    Mapping(MappingAction),
    /// Place the rows of any CSV file: P-codes from names, aliases, GPS points or villages.
    ///
    /// Reads any of the columns `admin1`, `admin2`, `admin3` (P-codes or names), `locality`,
    /// `latitude` and `longitude`, and writes every row back with `admin1_pcode`,
    /// `admin2_pcode`, `admin3_pcode`, the point (given, or the village's), `placed_by` (`code`,
    /// `name`, `alias`, `near` — the nearest spelling within the cercle or region given —, `gps`
    /// or `locality`), a `warning` when what the row gives disagrees (a
    /// GPS point in another commune, with the distance), and an `error` when it cannot be
    /// placed. Errors are also listed on standard error, and make the command fail once every
    /// row is written.
    Locate {
        /// A CSV file (UTF-8, `,` or `;` separated).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Where to write the placed rows [default: standard output].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write deterministic sample data in the exchange formats.
    ///
    /// By default the 2021 violations reproduce the yearly tables of the seed monthly report
    /// (6 033 violations); `--violations N` scales the year to N violations.
    Generate {
        /// Folder to write violations.csv, alerts.csv and risk_answers.csv into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, default_value_t = 2021)]
        year: i32,
        /// Same seed, same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Number of violations in the year.
        #[arg(long, value_name = "N")]
        violations: Option<u64>,
        /// Also write the violations as exports of Vigie's own form, as KoBoToolbox writes them
        /// (one submission per incident, one victim entry per violation), into DIR/kobo/.
        #[arg(long, value_name = "FORMAT")]
        kobo: Option<KoboFormat>,
    },
    /// Run Vigie's main job on sample data: generate, import, summarise.
    ///
    /// Writes into DIR the sample files and, unless `--db` is given, the database `vigie.db`.
    Demo {
        #[arg(long, default_value = "vigie-demo", value_name = "DIR")]
        out: PathBuf,
        /// Then serve the demo database (`vigie serve`), with an `admin` account whose one-time
        /// password is printed.
        #[arg(long)]
        serve: bool,
        /// Where to serve, with `--serve`.
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        addr: std::net::SocketAddr,
    },
    /// Compute a month's report tables (DATA-FORMATS.md §4) from the stored violations.
    ///
    /// Writes `tables.csv` in long form (`table,row,column,value`) to standard output or
    /// `--out`; `--format xlsx` writes one sheet per table with labels, `--format json` the
    /// long form as JSON. Filters restrict which violations are counted.
    Tables {
        /// The report month.
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
        format: TableFormat,
        /// Language of the labels (xlsx): a message catalog's code (fr, en).
        #[arg(long, default_value = vigie_i18n::DEFAULT_LANGUAGE, value_name = "CODE")]
        lang: String,
        /// csv: an HXL hashtag row under the header (the Humanitarian Exchange Language).
        #[arg(long)]
        hxl: bool,
        #[command(flatten)]
        filter: Box<FilterArgs>,
    },
    /// Early warning: where the month is worse than its past.
    ///
    /// Surges (a cercle's or region's month, for a category, above the 99 % quantile of its
    /// baseline: the 24 months before at most), new areas (a commune with violations after a
    /// year without), sentinel events (a child recruited…) and risk deteriorations, from the
    /// same counts as the tables. The rules are `reference/signals/signals.csv` and
    /// `sentinels.csv`, or `--rules DIR` holding a cluster's own. CSV columns:
    /// `kind,unit_level,unit,category,observed,expected,threshold`.
    Signals {
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
        #[arg(long, value_enum, default_value_t = SignalFormat::Csv)]
        format: SignalFormat,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// A folder with the cluster's own `signals.csv` and `sentinels.csv`.
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
    /// Write a month's report: PDF, HTML, incident list (XLSX) and tables.csv.
    ///
    /// Every figure is computed from the stored data. `--inputs DIR` may hold
    /// `recommandations.csv` (actor, action, zone, follow_up) and `analyses/<region>.md`
    /// (e.g. `analyses/ML05.md`), placed in their sections and marked as analysis.
    Report {
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
        /// Language of the report: a message catalog's code (fr, en).
        #[arg(long, default_value = vigie_i18n::DEFAULT_LANGUAGE, value_name = "CODE")]
        lang: String,
        /// Folder to write the files into.
        #[arg(long, default_value = ".", value_name = "DIR")]
        out: PathBuf,
        #[arg(long, value_name = "DIR")]
        inputs: Option<PathBuf>,
        /// The public version: small counts below region level hidden, no narrative, no
        /// incident list.
        #[arg(long)]
        public: bool,
        /// The month's published version, as stored when it was signed off (byte for byte,
        /// whatever changed since) instead of today's data: the newest, or `--version N`.
        #[arg(long, conflicts_with = "inputs")]
        published: bool,
        #[arg(long, value_name = "N", requires = "published")]
        version: Option<u32>,
        /// Write the incident list (one row a violation, with its narrative) encrypted with
        /// age, as `….xlsx.age`: `--encrypt` for a passphrase, `--recipient age1…` for keys.
        /// The other files hold figures only.
        #[command(flatten)]
        seal: crate::sealed::SealArgs,
    },
    /// A month's publication: sign it off (its report becomes a published version, its
    /// violations are locked), reopen it (admin), or list every month's state.
    #[command(subcommand)]
    Month(MonthAction),
    /// Manage the protection risk index definition: questionnaire and levels.
    #[command(subcommand)]
    RiskIndex(RiskIndexAction),
    /// Show what the database holds.
    Status,
    /// Serve the web pages and the JSON API to the cluster, from this database.
    ///
    /// Stops on Ctrl-C or SIGTERM after finishing the requests in flight. It makes no outgoing
    /// request. Accounts: `vigie user add`.
    Serve {
        /// Address and port to listen on (port 0: any free port).
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        addr: std::net::SocketAddr,
        /// Mark session cookies `Secure`: the server is reached over HTTPS through a proxy. (A
        /// request the proxy marks `X-Forwarded-Proto: https` gets them anyway.)
        #[arg(long)]
        secure_cookies: bool,
        /// A reverse proxy (an address or a block, 10.0.0.0/8) whose X-Forwarded-For header
        /// names the client: sign-in attempts are counted by that address. Repeatable.
        #[arg(long, value_name = "CIDR")]
        trusted_proxy: Vec<vigie_server::Cidr>,
        /// The disclosure rule's k: a figure counting 1 to K−1 records hidden from its reader
        /// (a viewer, another organisation's partner, the public) is shown as `<K`, and a
        /// filtered answer holding fewer than K such violations shows no count. 3 or more.
        #[arg(long, default_value_t = 5, value_name = "K")]
        min_count: u64,
        /// A folder with the cluster's own early-warning rules (`signals.csv`, `sentinels.csv`;
        /// the embedded `reference/signals/` ones otherwise).
        #[arg(long, value_name = "DIR")]
        signal_rules: Option<PathBuf>,
        /// Write a backup (`vigie backup`'s format) into DIR now and then every
        /// `--backup-every` while serving, keeping the newest `--keep`; the health check says
        /// when the last one was written, or why it failed.
        #[arg(long, value_name = "DIR")]
        backup_dir: Option<PathBuf>,
        /// How often: a number and `s`, `m`, `h` or `d` (`24h`).
        #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = crate::serve::parse_every)]
        backup_every: std::time::Duration,
        /// How many backups to keep in `--backup-dir` (the oldest removed).
        #[arg(long, value_name = "N", default_value_t = 14)]
        keep: usize,
        /// Encrypt the scheduled backups for this age public key (`age1…`; repeatable): the
        /// server holds no secret that opens them.
        #[arg(long, value_name = "AGE1…")]
        recipient: Vec<String>,
        /// Serve HTTPS with this certificate (PEM, the chain from the server's own first) and
        /// `--tls-key`: cookies `Secure`, HSTS. Both files are read again on SIGHUP, so a
        /// renewed certificate needs no restart.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Also listen for plain HTTP on ADDR (0.0.0.0:80) and send every request there to
        /// HTTPS, same host and path.
        #[arg(long, value_name = "ADDR", requires = "tls_cert")]
        redirect_http: Option<std::net::SocketAddr>,
        /// Also serve `GET /metrics` on ADDR with no sign-in, for a Prometheus that reaches that
        /// address only (keep it off the public interface). On the main address it needs an
        /// admin's token.
        #[arg(long, value_name = "ADDR")]
        metrics_addr: Option<std::net::SocketAddr>,
        /// The log on standard error: one line a request and one an event, as `text` or `json`.
        #[arg(long, value_name = "FORMAT", default_value = "text")]
        log_format: crate::serve::LogFormat,
    },
    /// Set violations' verification status: `reported` (pending), `verified`, `not_verified`
    /// (could not be verified) or `rejected` (with `--reason did_not_occur` or
    /// `not_a_protection_violation`). Rejected violations leave every count.
    ///
    /// All or nothing: an unknown id or a bad row changes nothing. Each change is audited.
    Verify {
        /// The status to give every violation named.
        #[arg(long, value_name = "STATUS", required_unless_present = "file", conflicts_with = "file")]
        status: Option<String>,
        /// A rejection's reason: did_not_occur, not_a_protection_violation.
        #[arg(long, value_name = "REASON", conflicts_with = "file")]
        reason: Option<String>,
        /// Violation ids.
        #[arg(value_name = "ID", required_unless_present = "file", conflicts_with = "file")]
        ids: Vec<String>,
        /// A decisions file instead: CSV with the columns violation_id,status,reason.
        #[arg(long, value_name = "decisions.csv")]
        file: Option<PathBuf>,
    },
    /// Pairs of violations that may be one event reported twice (by two partners, most often),
    /// best first, with why; or a decision about a pair (`resolve`).
    ///
    /// A pair: different incidents, one commune, incident dates at most 3 days apart, the same
    /// subtype or category. Its score (0 to 1) grows with the same victim, perpetrator, place,
    /// time of day, locality and narrative, and two organisations. Decided pairs are not
    /// proposed again.
    #[command(args_conflicts_with_subcommands = true)]
    Duplicates {
        #[command(subcommand)]
        action: Option<DuplicatesAction>,
        /// The month whose violations are looked at (with 3 days around it).
        #[arg(long, value_name = "YYYY-MM")]
        month: Option<String>,
        #[arg(long, value_enum, default_value_t = PairFormat::Text)]
        format: PairFormat,
        /// The lowest score proposed.
        #[arg(long, default_value_t = vigie_core::duplicates::DEFAULT_THRESHOLD, value_name = "SCORE")]
        threshold: f64,
    },
    /// Write a month's figures for other tools.
    #[command(subcommand)]
    Export(ExportAction),
    /// Manage the accounts of a shared Vigie (`vigie serve`).
    #[command(subcommand)]
    User(UserAction),
    /// Manage partner organisations.
    #[command(subcommand, name = "organisation", alias = "organization")]
    Organisation(OrganisationAction),
    /// Manage bearer tokens for scripts.
    #[command(subcommand)]
    Token(TokenAction),
    /// Manage the devices (monitors' phones with ODK Collect) that submit to the OpenRosa server.
    #[command(subcommand)]
    Device(DeviceAction),
    /// Show the newest entries of the append-only audit log.
    Audit {
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: u32,
        #[command(subcommand)]
        action: Option<AuditAction>,
    },
    /// Move a whole database between SQLite and PostgreSQL.
    #[command(subcommand)]
    Db(DbAction),
    /// Write the whole database (`--db`) to FILE, in Vigie's own portable format.
    ///
    /// Every table, the audit log and the risk index versions included, from one consistent
    /// snapshot (a server may go on writing). Gzip-compressed JSON lines, readable by any later
    /// Vigie on SQLite or PostgreSQL. On PostgreSQL, `pg_dump` remains the operators' tool for
    /// the server's own backups; this is the one that moves between stores and versions.
    ///
    /// `--encrypt` (a passphrase) or `--recipient age1…` (public keys) writes it encrypted with
    /// age, which the `age` and `rage` tools read too.
    Backup {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        seal: crate::sealed::SealArgs,
    },
    /// Load a backup into the database (`--db`), which must be new and empty: all or nothing.
    ///
    /// A backup written by a newer Vigie (a newer data schema) is refused. An encrypted backup
    /// is decrypted with its passphrase (asked, or read from standard input) or, one encrypted
    /// for age keys, with `--identity KEYFILE`.
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// An age identity file holding the key the backup was encrypted for.
        #[arg(long, value_name = "KEYFILE")]
        identity: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbAction {
    /// Copy every table of one database into another, new and empty, in one transaction: the
    /// audit log, the change feed, accounts and risk index versions included, keys unchanged.
    Copy {
        /// The database to read (`sqlite://FILE` or `postgres://…`).
        #[arg(long, value_name = "URL")]
        from: String,
        /// The database to write: created (SQLite) or migrated (PostgreSQL) when needed.
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add a user. The password is read from standard input; in a terminal, leave it empty to
    /// get a generated one, printed once.
    Add {
        #[arg(value_name = "NAME")]
        name: String,
        /// admin, im_officer, partner or viewer.
        #[arg(long, value_name = "ROLE")]
        role: String,
        /// The partner's organisation (its short code): the records it may see and write.
        #[arg(long, alias = "organization", value_name = "SHORT_CODE")]
        organisation: Option<String>,
    },
    /// List users: name, role, organisation, and whether disabled.
    List,
    /// Disable a user: no login, no token works.
    Disable {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Set a new password, read as for `add`; the user's sessions end.
    ResetPassword {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// End every session of a user (signed in elsewhere, a lost phone): they sign in again.
    EndSessions {
        #[arg(value_name = "NAME")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrganisationAction {
    /// Add a partner organisation by its short code (the `organization` column of the data).
    Add {
        #[arg(value_name = "SHORT_CODE")]
        code: String,
        /// Its full name.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// List organisations and how many violations each has stored.
    List,
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check the audit log's hash chain: every entry follows from the one before. Names the
    /// first entry that does not (edited, removed or inserted afterwards); exits 1 then.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum DeviceAction {
    /// Add a device for an organisation and print its key, once (only its hash is kept). ODK
    /// Collect's server URL is then `https://SERVER/openrosa/KEY`.
    Add {
        #[arg(value_name = "NAME")]
        name: String,
        #[arg(long, alias = "organization", value_name = "CODE")]
        organisation: String,
    },
    /// List devices, one a line: name, organisation, added, revoked.
    List,
    /// Revoke a device's key: its submissions are refused from then on (401).
    Revoke {
        #[arg(value_name = "NAME")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Print a new bearer token for USER (shown once; only its hash is stored).
    Create {
        #[arg(value_name = "USER")]
        user: String,
        /// Days until the token stops working.
        #[arg(long, default_value_t = 90, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=3650))]
        expires_days: u32,
    },
    /// List tokens, one a line: id, user, created, expires, last used (of USER, or all).
    List {
        #[arg(value_name = "USER")]
        user: Option<String>,
    },
    /// End the token with this id (from `vigie token list`).
    Revoke {
        #[arg(value_name = "ID")]
        id: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PairFormat {
    Text,
    /// `violation_a,violation_b,score,reasons` (reasons separated by `;`).
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum ExportAction {
    /// The stored violations as violations.csv (DATA-FORMATS.md §1, what `vigie import
    /// violations` reads), narratives included: encrypt it with `--encrypt` or `--recipient`
    /// before it leaves the machine.
    Violations {
        /// First incident date written.
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// Last incident date written.
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        seal: crate::sealed::SealArgs,
    },
    /// The month's regions, cercles or communes as GeoJSON (outlines from the geography), with
    /// their violations (and by category), risk level and flash alerts as properties.
    Geojson {
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
        #[arg(long, value_parser = ["region", "cercle", "commune"], default_value = "commune")]
        level: String,
        /// The regions' names: a message catalog's code (fr, en).
        #[arg(long, default_value = vigie_i18n::DEFAULT_LANGUAGE, value_name = "CODE")]
        lang: String,
        /// [default: standard output]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MonthAction {
    /// Sign a month off: its report (PDF, HTML, tables.csv, the tables' and incidents'
    /// workbooks, in every language, and the public version) is stored as the month's next
    /// published version, and its violations can no longer be edited, deleted or verified.
    /// New violations are still accepted, as late reports.
    #[command(name = "sign-off")]
    SignOff {
        #[arg(value_name = "YYYY-MM")]
        month: String,
        /// A word for the readers of the audit log and the month list.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// The public version's disclosure k (as `vigie serve --min-count`).
        #[arg(long, default_value_t = 5, value_name = "K")]
        min_count: u64,
    },
    /// Reopen a signed-off month: its violations may change again; its published versions
    /// stay, and the next sign-off publishes a new one.
    Reopen {
        #[arg(value_name = "YYYY-MM")]
        month: String,
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Every month with a published version: its state, versions, who signed off and when,
    /// and its changes since publication.
    List,
}

#[derive(Debug, Subcommand)]
pub enum DuplicatesAction {
    /// Decide about a pair: B reports the same event as A (`--same`: B leaves every count), or
    /// another one (`--distinct`: never proposed again); `--undo` takes the decision back.
    Resolve {
        #[arg(value_name = "A")]
        a: String,
        #[arg(value_name = "B")]
        b: String,
        #[arg(long, group = "decision", required = true)]
        same: bool,
        #[arg(long, group = "decision")]
        distinct: bool,
        #[arg(long, group = "decision")]
        undo: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Csv,
    Xlsx,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignalFormat {
    Csv,
    Json,
}

/// Which violations to count; each option may be repeated (alternatives), options combine.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Filters")]
pub struct FilterArgs {
    /// Reporting region code, e.g. ML05 (Mopti), ML10 (Ménaka).
    #[arg(long, value_name = "CODE")]
    pub region: Vec<String>,
    /// Cercle (admin2) P-code.
    #[arg(long, value_name = "PCODE")]
    pub cercle: Vec<String>,
    /// Commune (admin3) P-code.
    #[arg(long, value_name = "PCODE")]
    pub commune: Vec<String>,
    /// Violation category, A to F.
    #[arg(long, value_name = "CODE")]
    pub category: Vec<String>,
    /// Violation subtype, e.g. E1.
    #[arg(long, value_name = "CODE")]
    pub subtype: Vec<String>,
    #[arg(long, value_name = "CODE")]
    pub perpetrator: Vec<String>,
    #[arg(long, value_name = "CODE")]
    pub place: Vec<String>,
    #[arg(long, value_name = "CODE")]
    pub time_slot: Vec<String>,
    #[arg(long, value_name = "CODE")]
    pub sex: Vec<String>,
    #[arg(long, value_name = "CODE")]
    pub age_group: Vec<String>,
    #[arg(long, value_name = "CODE")]
    pub occupation: Vec<String>,
    #[arg(long, value_name = "CODE")]
    pub population: Vec<String>,
    /// Partner organisation code.
    #[arg(long, value_name = "CODE")]
    pub organization: Vec<String>,
    /// First incident date counted.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<String>,
    /// Last incident date counted.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<String>,
    /// Verification status (reported, verified, not_verified, rejected). Without it, every
    /// violation but the rejected ones counts.
    #[arg(long, value_name = "STATUS")]
    pub verification: Vec<String>,
    /// Count verified violations only (`--verification verified`).
    #[arg(long)]
    pub verified_only: bool,
}

#[derive(Debug, Subcommand)]
pub enum RiskIndexAction {
    /// Load a cluster's own questionnaire as a new version of the definition.
    ///
    /// FILE has the columns of the spec's risk_index.csv (question, dimension, option, points,
    /// text_fr, text_en). The new version scores the months from `--from` on; months before keep
    /// the version they were scored with, and a month that already has answers is never
    /// rescored, so `--from` must come after the latest month with answers (the default).
    Load {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Levels file with the columns of risk_levels.csv; default: the levels in force.
        #[arg(long, value_name = "FILE")]
        levels: Option<PathBuf>,
        /// First month the new version scores.
        #[arg(long, value_name = "YYYY-MM")]
        from: Option<String>,
    },
    /// List the definition versions and the months each one scores.
    Show,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportKind {
    /// violations.csv: one row per violation.
    Violations,
    /// alerts.csv: flash alerts.
    Alerts,
    /// risk_answers.csv: risk-index key-informant answers.
    Risk,
    /// KoBoToolbox or ODK Central exports of violations (see `--mapping`).
    Kobo,
}

/// The export layouts `vigie generate --kobo` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KoboFormat {
    /// One workbook, group paths joined with `/` (KoBo's default).
    Xlsx,
    /// One workbook, group paths joined with `.`.
    XlsxDot,
    /// `;`-separated submissions file and victims file.
    Csv,
    /// KoBo API v2 data pages, 1 000 submissions each.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum FormAction {
    /// Write the form as an XLSForm (`.xlsx`), labelled in French and English, ready to deploy;
    /// or, to a file ending in `.xml`, as the XForm ODK Collect reads (Vigie's own conversion).
    Write {
        #[arg(long, default_value = "vigie_violations.xlsx", value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum MappingAction {
    /// Read an XLSForm (its `survey` and `choices` sheets) and write a starting mapping: each
    /// column's field and each choice's code, matched by name, label and P-code. What could not
    /// be matched is listed at the top of the file.
    Init {
        #[arg(value_name = "FORM.xlsx")]
        form: PathBuf,
        /// Where to write the mapping [default: standard output].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
