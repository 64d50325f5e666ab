use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rusqlite::Connection;

pub fn vigie_bin() -> &'static str {
    env!("CARGO_BIN_EXE_vigie")
}

/// Whether this run's import and tables tests use PostgreSQL (`VIGIE_TEST_STORE=postgres`,
/// scripts/test.sh's second run) rather than SQLite.
pub fn on_postgres() -> bool {
    std::env::var("VIGIE_TEST_STORE").as_deref() == Ok("postgres")
}

/// The databases the tests' database files stand for on PostgreSQL: a scratch folder's
/// `vigie.db` is a PostgreSQL database of its own there, and every helper taking the file's path
/// uses it.
static POSTGRES: std::sync::Mutex<Vec<(PathBuf, String)>> = std::sync::Mutex::new(Vec::new());

/// A new database at `db`: on PostgreSQL, a new database that `db` then stands for.
pub fn new_db(db: &Path) -> PathBuf {
    if on_postgres() {
        let url = vigie_store::testing::postgres_database();
        POSTGRES.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((db.to_owned(), url));
    }
    db.to_owned()
}

/// The URL of the database `db` stands for.
pub fn db_url(db: &Path) -> String {
    let known = POSTGRES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    match known.iter().find(|(path, _)| path == db) {
        Some((_, url)) => url.clone(),
        None => format!("sqlite://{}", db.display()),
    }
}

fn store_url(db: &Path) -> vigie_store::DbUrl {
    vigie_store::DbUrl::parse(&db_url(db)).expect("a database URL")
}

/// Runs `vigie` in `dir` with the given database.
pub fn vigie(dir: &Path, db: &Path, args: &[&str]) -> Output {
    Command::new(vigie_bin())
        .current_dir(dir)
        .env_remove("VIGIE_DB")
        .arg("--db")
        .arg(db_url(db))
        .args(args)
        .output()
        .expect("vigie runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub const VIOLATION_HEADER: &str = "violation_id,incident_id,incident_date,report_date,admin1_pcode,admin2_pcode,admin3_pcode,locality,latitude,longitude,violation_code,perpetrator_code,place_code,time_slot_code,victim_sex,victim_age_group,victim_occupation,victim_population,organization,narrative";

/// Three valid violations (Niono, Ménaka reported as ML10, Ménaka reported as ML07).
pub const VIOLATION_ROWS: [&str; 3] = [
    "V-1,I-1,2021-11-03,2021-11-05,ML04,ML0405,ML040503,Kala,14.2,-6.1,E1,UNID_ARMED,ROAD,DAY,M,ADULT,TRADER,RESIDENT,DRC,\"Récit, avec virgule\"",
    "V-2,I-1,2021-11-03,,,,ML040503,,,,D1,NSAG_RADICAL,FIELD,EARLY_MORNING,F,CHILD,FARMER,IDP,DRC,",
    "V-3,I-2,2021-10-30,2021-11-02,ML10,ML0704,ML070403,,,,B2,NSAG_MILITIA,HOME,NIGHT,UNKNOWN,ELDER,HERDER,RETURNEE,NRC,",
];

pub fn violations_csv(rows: &[&str]) -> String {
    let mut text = String::from(VIOLATION_HEADER);
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.push('\n');
    text
}

pub const ALERT_HEADER: &str = "alert_id,alert_date,admin1_pcode,admin2_pcode,admin3_pcode,locality,latitude,longitude,event_type,affected_households,affected_persons,description,organization";
pub const ALERT_ROW: &str = "A-1,2021-11-12,ML04,ML0405,ML040503,Kala,,,ATTACK,40,250,Attaque du village,DRC";

pub const RISK_HEADER: &str =
    "answer_id,month,admin3_pcode,Q01,Q02,Q03,Q04,Q05,Q06,Q07,Q08,Q09,Q10,Q11,Q12,Q13,Q14,Q15,organization";
pub const RISK_ROW: &str = "R-1,2021-11,ML040503,CONTROL,SEVERAL,YES,REPEATED,CONFIRMED,FREQUENT,NO,SOME,PARTIAL,DISRUPTED,CONSTRAINED,PARTIAL,WEAK,LIMITED,LATENT,DRC";

/// A scratch folder with a database that already holds the three valid violations, an alert
/// and a risk answer, so that "unchanged" means something.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        let s = Scratch { dir: tempfile::tempdir().expect("temp dir") };
        new_db(&s.db());
        for (kind, name, text) in [
            ("violations", "seed-v.csv", violations_csv(&VIOLATION_ROWS)),
            ("alerts", "seed-a.csv", format!("{ALERT_HEADER}\n{ALERT_ROW}\n")),
            ("risk", "seed-r.csv", format!("{RISK_HEADER}\n{RISK_ROW}\n")),
        ] {
            let file = s.write(name, text.as_bytes());
            let out = vigie(s.path(), &s.db(), &["import", kind, file.to_str().expect("utf-8 path")]);
            assert!(out.status.success(), "seed import failed: {}", stderr(&out));
        }
        s
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("vigie.db")
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("write test file");
        path
    }

    pub fn import(&self, kind: &str, file: &Path) -> Output {
        vigie(self.path(), &self.db(), &["import", kind, file.to_str().expect("utf-8 path")])
    }

    pub fn digest(&self) -> String {
        db_digest(&self.db())
    }
}

/// Every row of every table, as text: equal digests mean equal databases.
pub fn db_digest(db: &Path) -> String {
    digest_of(db, false)
}

/// [`db_digest`] with the clock's columns (`imported_at`, `at`, and the audit chain's hashes of them) blanked: two runs of the same
/// import give equal digests.
pub fn db_digest_timeless(db: &Path) -> String {
    digest_of(db, true)
}

fn digest_of(db: &Path, timeless: bool) -> String {
    let url = store_url(db);
    if let vigie_store::DbUrl::Postgres(_) = url {
        return postgres_digest(&url, timeless);
    }
    let conn = Connection::open(db).expect("open db");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("list tables");
    let mut out = String::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1")).expect("select");
        let n = stmt.column_count();
        let clock: Vec<bool> =
            stmt.column_names().map(|c| timeless && matches!(c, "imported_at" | "at" | "hash")).collect();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get_ref(i).map(|v| if clock[i] { "(time)".to_owned() } else { format!("{v:?}") }))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .expect("query");
        for row in rows {
            out.push_str(&table);
            out.push('|');
            out.push_str(&row.expect("row").join("|"));
            out.push('\n');
        }
    }
    out
}

/// [`digest_of`] on PostgreSQL: every column of every table as text.
fn postgres_digest(url: &vigie_store::DbUrl, timeless: bool) -> String {
    let query = |sql: &str| vigie_store::testing::query(url, sql).expect(sql);
    let mut out = String::new();
    for table in query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename") {
        let table = table[0].clone().unwrap_or_default();
        let columns: Vec<String> = query(&format!(
            "SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
        ))
        .into_iter()
        .filter_map(|c| c[0].clone())
        .collect();
        let cells: Vec<String> = columns
            .iter()
            .map(|c| {
                if timeless && matches!(c.as_str(), "imported_at" | "at" | "hash") {
                    "'(time)'".into()
                } else {
                    format!("{c}::text")
                }
            })
            .collect();
        for row in query(&format!("SELECT {} FROM {table} ORDER BY 1", cells.join(", "))) {
            let row: Vec<String> = row.into_iter().map(|v| format!("{v:?}")).collect();
            out.push_str(&format!("{table}|{}\n", row.join("|")));
        }
    }
    out
}

/// The one number `sql` answers, on the database `db` stands for.
pub fn count(db: &Path, sql: &str) -> i64 {
    let rows = vigie_store::testing::query(&store_url(db), sql).expect("count");
    rows.first().and_then(|r| r.first()).and_then(|v| v.as_deref()).and_then(|v| v.parse().ok()).expect("a number")
}

/// The rows `sql` answers, every cell as text, on the database `db` stands for.
pub fn rows_of(db: &Path, sql: &str) -> Vec<Vec<Option<String>>> {
    vigie_store::testing::query(&store_url(db), sql).expect("rows")
}

/// Runs one statement on the database `db` stands for, outside the store: the refusal if any.
pub fn execute(db: &Path, sql: &str) -> Result<(), String> {
    vigie_store::testing::execute(&store_url(db), sql)
}

/// Holds the write lock of the database `db` stands for, as a running import does.
pub fn hold_write_lock(db: &Path) -> vigie_store::testing::WriteLock {
    vigie_store::testing::WriteLock::hold(&store_url(db)).expect("hold the write lock")
}

/// A folder of its own holding a copy of `demo/`, where `vigie demo` ran: sample files, database,
/// tables and reports. The demo runs once per test process (it generates, imports and renders two
/// reports: seconds each time) and each test gets a copy to write beside. On PostgreSQL the copies
/// share the demo's database, which the tests only read.
pub fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let from = demo_run().join("demo");
    let to = dir.path().join("demo");
    copy_folder(&from, &to);
    if on_postgres() {
        let url = db_url(&from.join("vigie.db"));
        POSTGRES.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((to.join("vigie.db"), url));
    }
    dir
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("the demo folder") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("file type").is_dir() {
            copy_folder(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

/// The folder of this process's one `vigie demo` run, under cargo's scratch folder for tests.
/// Folders of earlier runs, whose process is gone, are removed on the way.
fn demo_run() -> &'static Path {
    static RUN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    RUN.get_or_init(|| {
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
        for entry in std::fs::read_dir(scratch).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let gone = name.strip_prefix("demo-").is_some_and(|pid| !Path::new("/proc").join(pid).exists());
            if gone && Path::new("/proc/self").exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = scratch.join(format!("demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        let db = new_db(&dir.join("demo/vigie.db"));
        let mut command = Command::new(vigie_bin());
        command.current_dir(&dir).env_remove("VIGIE_DB").args(["demo", "--out", "demo"]);
        if on_postgres() {
            command.args(["--db", &db_url(&db)]);
        }
        let out = command.output().expect("runs");
        assert!(out.status.success(), "{}", stderr(&out));
        dir
    })
}

/// `vigie` with `input` on its standard input (a pipe, not a terminal).
pub fn vigie_with_input(dir: &Path, db: &Path, args: &[&str], input: &str) -> Output {
    vigie_on(dir, &format!("sqlite://{}", db.display()), args, input)
}

/// `vigie` on the database `url`, with `input` on its standard input.
pub fn vigie_on(dir: &Path, url: &str, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(vigie_bin())
        .current_dir(dir)
        .env_remove("VIGIE_DB")
        .arg("--db")
        .arg(url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
    child.wait_with_output().expect("wait")
}
