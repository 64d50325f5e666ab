//! The protection risk index: `risk_level` rows recomputed naively from the demo's answers, the
//! report's sentences for level changes against the table, and definition versions through
//! `vigie risk-index load`.

use std::collections::{BTreeMap, HashMap};

use vigie_core::Catalog;

use crate::helpers::*;

const QUESTIONS: &str = include_str!("../../../../reference/spec/risk_index.csv");
const LEVELS: &str = include_str!("../../../../reference/spec/risk_levels.csv");

fn csv_rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            header.iter().zip(r.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect()
        })
        .collect()
}

/// `(commune, month) -> (score, level)`, straight from the spec's words: per question the median
/// of the informants' points, rounded up, summed; the level whose points range holds the score.
fn naive_levels(answers: &str) -> BTreeMap<(String, String), (u64, u64)> {
    let points: HashMap<(String, String), f64> = csv_rows(QUESTIONS)
        .into_iter()
        .filter(|r| !r["option"].is_empty())
        .map(|r| ((r["question"].clone(), r["option"].clone()), r["points"].parse().expect("points")))
        .collect();
    let questions: Vec<String> = {
        let mut q: Vec<String> = points.keys().map(|(q, _)| q.clone()).collect();
        q.sort();
        q.dedup();
        q
    };
    let mut grouped: BTreeMap<(String, String), Vec<HashMap<String, String>>> = BTreeMap::new();
    for row in csv_rows(answers) {
        grouped.entry((row["admin3_pcode"].clone(), row["month"].clone())).or_default().push(row);
    }
    let levels: Vec<(u64, f64, f64)> = csv_rows(LEVELS)
        .into_iter()
        .map(|r| {
            (r["level"].parse().expect("n"), r["min_points"].parse().expect("n"), r["max_points"].parse().expect("n"))
        })
        .collect();
    grouped
        .into_iter()
        .map(|(key, rows)| {
            let mut score = 0.0;
            for q in &questions {
                let mut p: Vec<f64> = rows.iter().map(|r| points[&(q.clone(), r[q].clone())]).collect();
                p.sort_by(f64::total_cmp);
                let n = p.len();
                let median = if n % 2 == 1 { p[n / 2] } else { (p[n / 2 - 1] + p[n / 2]) / 2.0 };
                score += median.ceil();
            }
            let level = levels.iter().find(|(_, lo, hi)| *lo <= score && score <= *hi).expect("a level").0;
            (key, (score as u64, level))
        })
        .collect()
}

fn cells(tables: &str, table: &str) -> BTreeMap<(String, String), u64> {
    tables
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0] == table).then(|| ((c[1].to_owned(), c[2].to_owned()), c[3].parse().expect("value")))
        })
        .collect()
}

#[test]
fn risk_level_rows_match_a_naive_recomputation_and_the_report_names_every_change() {
    let dir = demo();
    let answers = std::fs::read_to_string(dir.path().join("demo/risk_answers.csv")).expect("answers");
    let tables = std::fs::read_to_string(dir.path().join("demo/tables-2021-11.csv")).expect("tables");
    let naive = naive_levels(&answers);
    let table = cells(&tables, "risk_level");

    let mut expected = BTreeMap::new();
    for ((pcode, month), (score, level)) in &naive {
        if month == "2021-11" {
            expected.insert((pcode.clone(), "score".to_owned()), *score);
            expected.insert((pcode.clone(), "level".to_owned()), *level);
            if let Some((_, previous)) = naive.get(&(pcode.clone(), "2021-10".to_owned())) {
                expected.insert((pcode.clone(), "previous_level".to_owned()), *previous);
            }
        }
    }
    assert!(expected.len() > 300, "the demo assesses many communes");
    assert_eq!(table, expected);

    // Every change of the table is in a sentence, with its levels; and nothing else is.
    let catalog = Catalog::builtin();
    let label =
        |level: u64| catalog.risk.current().definition.levels[level as usize - 1].label.get("fr").to_lowercase();
    let mut changes: Vec<(String, String, String)> = table
        .iter()
        .filter(|((_, column), _)| column == "level")
        .filter_map(|((pcode, _), &level)| {
            let previous = *table.get(&(pcode.clone(), "previous_level".to_owned()))?;
            let commune = catalog.geography.commune_by_pcode(pcode).expect("commune");
            (previous != level)
                .then(|| (catalog.geography.commune(commune).unit.name.clone(), label(previous), label(level)))
        })
        .collect();
    assert!(changes.len() >= 5, "the demo's November has level changes: {changes:?}");
    let html = std::fs::read_to_string(dir.path().join("demo/rapport-2021-11.html")).expect("html");
    let mut said = Vec::new();
    for sentence in html.split(['.', '>']).filter(|s| s.contains("est passée de ")) {
        let rest = &sentence[sentence.find("est passée de ").expect("found") + "est passée de ".len()..];
        let (from, rest) = rest.split_once(" à ").expect("à");
        let (to, places) = rest.split_once(' ').expect("places");
        // "dans la commune de A (cercle de X), dans les communes de B et de C (cercle de Y)"
        for group in places.split(')') {
            let Some(names) = group.split(" (cercle").next() else { continue };
            let names = names.trim_start_matches([',', ' ']).trim_start_matches("et ").trim_start_matches("dans ");
            let names = names.trim_start_matches("la commune ").trim_start_matches("les communes ");
            for name in names.split(", ").flat_map(|n| n.split(" et ")) {
                let name = name.trim();
                if name.is_empty() {
                    continue;
                }
                let name = name.strip_prefix("de ").or_else(|| name.strip_prefix("d'")).unwrap_or(name);
                said.push((name.replace("&#39;", "'").replace("&apos;", "'"), from.to_owned(), to.to_owned()));
            }
        }
    }
    changes.sort();
    said.sort();
    assert_eq!(said, changes);

    // On the risk map, each assessed commune has its level's colour; every other commune is
    // "not assessed" (grey), never stable (green).
    let start = html.find("<title>Annexe 3 – Carte de l'indice de risque").expect("risk map");
    let svg = &html[start..start + html[start..].find("</svg>").expect("end of map")];
    let communes: Vec<&str> = svg.split("<path ").skip(1).filter(|p| p.contains("stroke-width=\"0.3\"")).collect();
    let filled = |colour: &str| communes.iter().filter(|p| p.contains(&format!("fill=\"{colour}\""))).count();
    let level_count = |level: u64| table.iter().filter(|((_, c), v)| c == "level" && **v == level).count();
    let assessed = level_count(1) + level_count(2) + level_count(3) + level_count(4);
    assert_eq!(filled("#e6e6e6"), communes.len() - assessed);
    assert_eq!(filled("#1a9850"), level_count(1));
    assert_eq!(filled("#d73027"), level_count(4));
}

const MODERATE: &str = "R-2,2021-10,ML040503,PASSING,ONE,NO,ISOLATED,RUMOURS,OCCASIONAL,NO,SOME,PARTIAL,DISRUPTED,CONSTRAINED,PARTIAL,WEAK,LIMITED,LATENT,DRC";

fn risk_rows(s: &Scratch, month: &str) -> BTreeMap<(String, String), u64> {
    let out = vigie(s.path(), &s.db(), &["tables", "--month", month]);
    assert!(out.status.success(), "{}", stderr(&out));
    cells(&stdout(&out), "risk_level")
}

#[test]
fn a_loaded_definition_scores_later_months_and_never_rescores_earlier_ones() {
    let s = Scratch::new();
    // October: one informant in Kala Siguida.
    let october = s.write("october.csv", format!("{RISK_HEADER}\n{MODERATE}\n").as_bytes());
    assert!(s.import("risk", &october).status.success());
    let before = risk_rows(&s, "2021-10");
    let november_before = risk_rows(&s, "2021-11");
    let score = before[&("ML040503".to_owned(), "score".to_owned())];
    assert!((6..=14).contains(&score), "moderate under the built-in levels: {score}");

    // Stricter levels: the same score is serious.
    let strict = s.write(
        "strict_levels.csv",
        format!("level,min_points,max_points,label_fr,label_en\n1,0,2,Stable,Stable\n2,3,{},Modérée,Moderate\n3,{},19,Sérieuse,Serious\n4,20,30,Critique,Critical\n", score - 1, score)
            .as_bytes(),
    );
    let questions = s.write("questions.csv", QUESTIONS.as_bytes());
    let load = |extra: &[&str]| {
        let mut args =
            vec!["risk-index", "load", questions.to_str().expect("path"), "--levels", strict.to_str().expect("path")];
        args.extend_from_slice(extra);
        vigie(s.path(), &s.db(), &args)
    };
    // Starting at a month that already has answers would rescore it: refused, nothing stored.
    let digest = s.digest();
    let refused = load(&["--from", "2021-10"]);
    assert_eq!(refused.status.code(), Some(1));
    let message = stderr(&refused);
    assert!(message.contains("2021-10") && message.contains("--from 2021-12"), "{message}");
    assert_eq!(s.digest(), digest);

    // By default it starts after the latest month with answers (November, from the scratch seed).
    let loaded = load(&[]);
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    assert!(stdout(&loaded).contains("version 2") && stdout(&loaded).contains("2021-12"), "{}", stdout(&loaded));
    assert_eq!(risk_rows(&s, "2021-10"), before, "October keeps the definition it was scored with");
    assert_eq!(risk_rows(&s, "2021-11"), november_before, "and so does November");
    let again = load(&[]);
    assert!(stdout(&again).contains("nothing to change"), "{}", stdout(&again));

    // October's answers again in December are scored with version 2: one level up.
    let december = MODERATE.replace("R-2,2021-10", "R-3,2021-12");
    let file = s.write("later.csv", format!("{RISK_HEADER}\n{december}\n").as_bytes());
    let imported = s.import("risk", &file);
    assert!(imported.status.success(), "{}", stderr(&imported));
    let rows = risk_rows(&s, "2021-12");
    let key = |c: &str| ("ML040503".to_owned(), c.to_owned());
    assert_eq!(rows[&key("score")], score);
    assert_eq!(rows[&key("level")], 3);
    assert_eq!(rows[&key("previous_level")], november_before[&key("level")], "November as scored by version 1");

    let shown = vigie(s.path(), &s.db(), &["risk-index", "show"]);
    let text = stdout(&shown);
    assert!(text.contains("version 1") && text.contains("to 2021-11") && text.contains("version 2"), "{text}");
    let audit = vigie(s.path(), &s.db(), &["audit"]);
    assert!(stdout(&audit).contains("risk_definitions"), "the load is audited");
}

#[test]
fn a_definition_whose_levels_leave_a_gap_is_refused_with_its_file_and_line() {
    let s = Scratch::new();
    let questions = s.write("questions.csv", QUESTIONS.as_bytes());
    let levels = s.write("gap.csv", b"level,min_points,max_points,label_fr,label_en\n1,0,5,a,a\n2,7,30,b,b\n");
    let out = vigie(
        s.path(),
        &s.db(),
        &["risk-index", "load", questions.to_str().expect("path"), "--levels", levels.to_str().expect("path")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("gap.csv") && stderr(&out).contains("start at 6"), "{}", stderr(&out));
    assert_eq!(count(&s.db(), "SELECT COUNT(*) FROM risk_definitions"), 0);
}

/// An import reads its catalog before it takes the write lock; a definition loaded in between
/// (by another process) must stop it rather than let it check answers against the old version.
#[test]
fn an_import_that_read_an_older_definition_is_refused() {
    use vigie_store::Store;
    let s = Scratch::new();
    let mut store = vigie_store::SqliteStore::open(&s.db()).expect("open");
    let stale = vigie_store::catalog(&store, vigie_core::Catalog::builtin().clone()).expect("catalog");
    store
        .add_risk_definition(&vigie_store::StoredRiskDefinition {
            version: 0,
            from: vigie_core::Month::new(2021, 12),
            questions: QUESTIONS.to_owned(),
            levels: LEVELS.replace("1,0,5,", "1,0,4,").replace("2,6,14,", "2,5,14,"),
            source: "test".into(),
            sha256: "test".into(),
        })
        .expect("a new version");
    let file =
        s.write("december.csv", format!("{RISK_HEADER}\n{}\n", MODERATE.replace("2021-10", "2021-12")).as_bytes());
    let digest = s.digest();
    let options = vigie_import::Options {
        dry_run: false,
        max_errors: 10,
        today: chrono::NaiveDate::from_ymd_opt(2022, 1, 1).expect("date"),
        organization: None,
        actor: vigie_store::Actor::cli(),
        replace: None,
    };
    let result = vigie_import::import_files(
        &mut store,
        &stale,
        vigie_store::RecordKind::RiskAnswers,
        &[file],
        &options,
        &mut |_| {},
    );
    let message = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("version 2 was loaded"), "{message}");
    drop(store);
    assert_eq!(s.digest(), digest, "nothing imported");
}
