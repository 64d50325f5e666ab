//! The aggregation layer against a naive reference on random data and random filters: every
//! table, every filter, the same numbers; totals equal the sums of their rows.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use proptest::prelude::*;
use vigie_core::aggregate::{Fact, FactText, Facts, Filter, MonthCounts, PageRequest, SortBy};
use vigie_core::{ByList, Catalog, CommuneId, ListKind, Month, RegionId, Verification, Violation};

fn catalog() -> &'static Catalog {
    Catalog::builtin()
}

/// The first day of the small world: its five months run over a year's end.
fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 10, 1).expect("date")
}
const DAYS: u64 = 150;

/// A small world so that random filters hit: few communes, months, incidents, organisations.
fn violation() -> impl Strategy<Value = Violation> {
    let c = catalog();
    let communes: Vec<u16> = ["ML050101", "ML050102", "ML040503", "ML070403", "ML060101", "ML070101"]
        .iter()
        .filter_map(|p| c.geography.commune_by_pcode(p).map(|id| id.0))
        .collect();
    let sizes = ByList::from_fn(|kind| c.lists.get(kind).codes.len() as u8);
    (
        proptest::sample::select(communes),
        0..c.typology.subtypes.len() as u8,
        proptest::collection::vec(0u8..4, ListKind::COUNT),
        0..DAYS,
        0..4u32,
        0..3usize,
        (proptest::bool::ANY, proptest::bool::ANY),
        0..6usize,
    )
        .prop_map(move |(commune, subtype, codes, day, incident, org, (reported, located), status)| {
            let date = start() + chrono::Days::new(day);
            Violation {
                id: String::new(),
                incident_id: format!("I{incident}"),
                incident_date: date,
                report_date: reported.then(|| date + chrono::Days::new(2)),
                commune: CommuneId(commune),
                locality: None,
                location: located.then_some(vigie_core::records::LatLon { lat: 14.5, lon: -4.25 }),
                subtype,
                codes: {
                    let mut drawn = codes.iter();
                    ByList::from_fn(|kind| drawn.next().copied().unwrap_or(0) % sizes[kind])
                },
                organization: ["DRC", "NRC", "IRC"][org].to_owned(),
                // The verification status rides in the narrative (see `status`), which no count reads.
                narrative: Some(Verification::ALL[status.saturating_sub(2)].code().to_owned()),
            }
        })
}

fn filter() -> impl Strategy<Value = Filter> {
    let c = catalog();
    let some = |n: usize| proptest::collection::vec(0..n, 0..3);
    // Cercles of the small world's communes, and one elsewhere.
    let cercles: Vec<u16> = ["ML0501", "ML0405", "ML0704", "ML0701", "ML0101"]
        .iter()
        .filter_map(|p| c.geography.cercles.iter().position(|x| x.unit.pcode == *p).map(|i| i as u16))
        .collect();
    (
        some(c.geography.regions.len()),
        proptest::collection::vec(proptest::sample::select(cercles), 0..3),
        some(c.typology.categories.len()),
        some(c.typology.subtypes.len()),
        proptest::collection::vec((proptest::sample::select(ListKind::ALL.to_vec()), some(4)), 0..3),
        proptest::sample::subsequence(vec!["DRC", "NRC", "XYZ"], 0..3),
        proptest::option::of((0..DAYS, 0..60u64)),
        proptest::bool::ANY,
        proptest::sample::subsequence(Verification::ALL.to_vec(), 0..3),
    )
        .prop_map(
            |(regions, cercles, categories, subtypes, codes, organizations, dates, by_commune, verification)| Filter {
                regions: regions.into_iter().map(|r| RegionId(r as u8)).collect(),
                cercles,
                communes: if by_commune {
                    vec![catalog().geography.commune_by_pcode("ML050101").expect("commune")]
                } else {
                    Vec::new()
                },
                categories: categories.into_iter().map(|c| c as u8).collect(),
                subtypes: subtypes.into_iter().map(|s| s as u8).collect(),
                codes: {
                    let mut by_list = ByList::<Vec<u8>>::default();
                    for (kind, accepted) in codes {
                        by_list[kind].extend(accepted.into_iter().map(|c| c as u8));
                    }
                    by_list
                },
                organizations: organizations.into_iter().map(str::to_owned).collect(),
                from: dates.map(|(a, _)| start() + chrono::Days::new(a)),
                to: dates.map(|(a, len)| start() + chrono::Days::new(a + len)),
                verification,
            },
        )
}

/// A generated violation's verification status (carried in its narrative).
fn status(v: &Violation) -> Verification {
    v.narrative.as_deref().and_then(Verification::parse).expect("a status")
}

/// A violation's fact with its status, as a store loads it.
fn fact_of(facts: &mut Facts, v: &Violation) -> Fact {
    Fact { state: status(v).index(), ..facts.fact_of(v) }
}

/// What a filter means, written directly on violations.
fn selects(f: &Filter, v: &Violation) -> bool {
    let g = &catalog().geography;
    let commune = g.commune(v.commune);
    let category = catalog().typology.subtypes[v.subtype as usize].category;
    (f.regions.is_empty() || f.regions.contains(&commune.region))
        && (f.cercles.is_empty() || f.cercles.contains(&commune.cercle))
        && (f.communes.is_empty() || f.communes.contains(&v.commune))
        && (f.categories.is_empty() || f.categories.contains(&category))
        && (f.subtypes.is_empty() || f.subtypes.contains(&v.subtype))
        && f.codes.iter().all(|(kind, codes)| codes.is_empty() || codes.contains(&v.code(kind)))
        && (f.organizations.is_empty() || f.organizations.contains(&v.organization))
        && f.from.is_none_or(|d| v.incident_date >= d)
        && f.to.is_none_or(|d| v.incident_date <= d)
        && if f.verification.is_empty() { status(v).counted() } else { f.verification.contains(&status(v)) }
}

fn naive_month(vs: &[&Violation], month: Month, f: &Filter, facts: &Facts) -> MonthCounts {
    let c = catalog();
    let (cats, regions) = (c.typology.categories.len(), c.geography.regions.len());
    let mut m = MonthCounts {
        month,
        total: 0,
        incidents: 0,
        category_by_region: vec![0; cats * regions],
        subtype: vec![0; c.typology.subtypes.len()],
        cercle: vec![0; c.geography.cercles.len()],
        commune: vec![0; c.geography.communes.len()],
        commune_category: vec![0; c.geography.communes.len() * cats],
        codes: ByList::from_fn(|_| vec![0; 256]),
        time_slot_by_category: vec![0; 256 * cats],
        organization: vec![0; facts.organizations().len()],
        verification: vec![0; Verification::ALL.len()],
        regions,
        categories: cats,
    };
    let mut incidents = HashSet::new();
    for v in vs.iter().filter(|v| Month::of(v.incident_date) == month && selects(f, v)) {
        let commune = c.geography.commune(v.commune);
        let category = c.typology.subtypes[v.subtype as usize].category as usize;
        m.total += 1;
        m.category_by_region[category * regions + commune.region.0 as usize] += 1;
        m.subtype[v.subtype as usize] += 1;
        m.cercle[commune.cercle as usize] += 1;
        m.commune[v.commune.0 as usize] += 1;
        m.commune_category[v.commune.0 as usize * cats + category] += 1;
        for kind in ListKind::ALL {
            m.codes[kind][v.code(kind) as usize] += 1;
        }
        m.time_slot_by_category[v.code(ListKind::TimeSlot) as usize * cats + category] += 1;
        let org = facts.organization_index(&v.organization).expect("interned") as usize;
        m.organization[org] += 1;
        m.verification[status(v).index() as usize] += 1;
        // DATA-FORMATS.md: rows sharing an incident id are one incident.
        incidents.insert(v.incident_id.clone());
    }
    m.incidents = incidents.len() as u64;
    m
}

/// How the facts were loaded before the later writes.
#[derive(Debug, Clone, Copy)]
enum Load {
    AtOnce,
    Streamed { compacted: bool },
}

/// A violation's fact read back from its stored text, as a store load does.
fn fact_from_text(facts: &mut Facts, v: &Violation) -> Fact {
    let c = catalog();
    let fields = v.fields(c);
    let schema = vigie_core::records::violation_schema();
    let cell = |name: &str| {
        let i = schema.names().position(|n| n == name).expect("column");
        fields[i].as_str()
    };
    let text = FactText {
        incident_id: cell("incident_id"),
        incident_date: cell("incident_date"),
        admin3_pcode: cell("admin3_pcode"),
        violation_code: cell("violation_code"),
        codes: ByList::from_fn(|kind| cell(kind.column())),
        organization: cell("organization"),
        report_date: cell("report_date"),
        latitude: cell("latitude"),
        verification: status(v).code(),
        duplicate_of: "",
        batch: "0",
    };
    let fact = facts.fact_from_text(c, &text).expect("stored text reads back");
    assert_eq!(fact, fact_of(facts, v), "the text path and the record path agree");
    fact
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tables_equal_a_naive_count_for_any_data_filter_and_writes(
        rows in proptest::collection::vec(violation(), 0..400),
        updates in proptest::collection::vec((0usize..400, violation()), 0..60),
        late in proptest::collection::vec(violation(), 0..40),
        deleted in proptest::collection::vec(0usize..440, 0..30),
        f in filter(),
        month_offset in 0u32..5,
        load in prop_oneof![
            Just(Load::AtOnce),
            Just(Load::Streamed { compacted: true }),
            Just(Load::Streamed { compacted: false }),
        ],
        from_text in proptest::bool::ANY,
        page_size in 1usize..50,
    ) {
        let c = catalog();
        let mut facts = Facts::new(c);
        // Key → latest violation: what the store holds.
        let mut stored: HashMap<u32, Violation> = HashMap::new();
        // The load paths: whole records, or stored text (what a store load reads); all at once,
        // or streamed (`append`), then compacted or not yet.
        let mut loaded = Vec::new();
        for (i, v) in rows.iter().enumerate() {
            stored.insert(i as u32 + 1, v.clone());
            let fact = if from_text { fact_from_text(&mut facts, v) } else { fact_of(&mut facts, v) };
            loaded.push((i as u32 + 1, fact));
        }
        match load {
            Load::AtOnce => facts.load(loaded),
            Load::Streamed { compacted } => {
                for (key, fact) in loaded {
                    facts.append(key, fact);
                }
                if compacted {
                    facts.compact();
                }
            }
        }
        // Answers before the writes: whatever they keep must not outlive them.
        let month = Month::of(start() + chrono::Months::new(month_offset));
        let _ = facts.tables(c, month, &f);
        let _ = facts.tables(c, month, &Filter { from: None, to: None, ..f.clone() });
        // Later writes: corrections of stored rows and new rows, with no rebuild.
        for (i, v) in updates.iter().filter(|(i, _)| *i < rows.len()) {
            let fact = fact_of(&mut facts, v);
            facts.upsert(*i as u32 + 1, fact);
            stored.insert(*i as u32 + 1, v.clone());
        }
        for (i, v) in late.iter().enumerate() {
            let key = (rows.len() + i) as u32 + 1;
            let fact = fact_of(&mut facts, v);
            facts.upsert(key, fact);
            stored.insert(key, v.clone());
        }
        // Deletions, of stored rows and of keys never stored.
        for i in &deleted {
            facts.remove(*i as u32 + 1);
            stored.remove(&(*i as u32 + 1));
        }
        let all: Vec<&Violation> = stored.values().collect();
        prop_assert_eq!(facts.len(), all.len());

        // The filter, and its places and typology alone (the yearly tables answer those from
        // the month cube).
        let places = Filter {
            codes: ByList::default(),
            organizations: Vec::new(),
            from: None,
            to: None,
            verification: Vec::new(),
            ..f.clone()
        };
        // And with the dates: whole months from the cube, the others from the rows.
        let places_and_dates = Filter { from: f.from, to: f.to, ..places.clone() };
        for f in [&f, &places, &places_and_dates] {
            let t = facts.tables(c, month, f);
            prop_assert_eq!(&t.current, &naive_month(&all, month, f, &facts));
            prop_assert_eq!(&t.previous, &naive_month(&all, month.previous(), f, &facts));
            for (i, m) in month.months_of_year().enumerate() {
                let in_month: Vec<&&Violation> = all.iter()
                    .filter(|v| m <= month && Month::of(v.incident_date) == m && selects(f, v))
                    .collect();
                for (cat, row) in t.category_by_month.iter().enumerate() {
                    let n = in_month.iter().filter(|v| c.typology.subtypes[v.subtype as usize].category as usize == cat).count();
                    prop_assert_eq!(row[i], n as u64, "category {} month {}", cat, m);
                }
                for (r, row) in t.region_by_month.iter().enumerate() {
                    let n = in_month.iter().filter(|v| c.geography.commune(v.commune).region.0 as usize == r).count();
                    prop_assert_eq!(row[i], n as u64, "region {} month {}", r, m);
                }
            }
        }

        // The year's violations per commune up to the month (the dashboard's map annex), from
        // the cube or the rows, equal a naive count.
        let january = month.months_of_year().next().expect("January");
        let mut naive = vec![0u64; facts.commune_counts(c, january, month).len()];
        for v in all.iter().filter(|v| status(v).counted() && (january..=month).contains(&Month::of(v.incident_date))) {
            naive[v.commune.0 as usize] += 1;
        }
        prop_assert_eq!(facts.commune_counts(c, january, month), naive);

        // The month's violations and those lacking a report date or coordinates (the coverage
        // panel), from the facts, equal a naive count.
        let of_month: Vec<&&Violation> =
            all.iter().filter(|v| status(v).counted() && Month::of(v.incident_date) == month).collect();
        let lacking = |lacks: fn(&Violation) -> bool| of_month.iter().filter(|v| lacks(v)).count() as u64;
        prop_assert_eq!(
            facts.completeness(month),
            (of_month.len() as u64, lacking(|v| v.report_date.is_none()), lacking(|v| v.location.is_none()))
        );

        let t = facts.tables(c, month, &f);
        // Totals are the sums of their rows, whichever way they are cut.
        let now = &t.current;
        prop_assert_eq!(now.categories().iter().sum::<u64>(), now.total);
        prop_assert_eq!(now.regions().iter().sum::<u64>(), now.total);
        prop_assert_eq!(now.subtype.iter().sum::<u64>(), now.total);
        prop_assert_eq!(now.cercle.iter().sum::<u64>(), now.total);
        for counts in now.codes.values() {
            prop_assert_eq!(counts.iter().sum::<u64>(), now.total);
        }
        prop_assert_eq!(t.region_by_month.iter().flatten().sum::<u64>(), t.year_to_date());
        prop_assert_eq!(t.month_total(month.number() as usize - 1), now.total);

        // A list selects what the tables count, in a total order, and its cursor pages and its
        // offset pages give the same rows as sorting them all.
        let mut selected: Vec<(&u32, &Violation)> = stored.iter().filter(|(_, v)| selects(&f, v)).collect();
        for (_, sort) in SortBy::NAMES {
            for descending in [false, true] {
                selected.sort_by(|(ka, a), (kb, b)| {
                    let by = match sort {
                        SortBy::IncidentDate => a.incident_date.cmp(&b.incident_date),
                        SortBy::Commune => a.commune.0.cmp(&b.commune.0),
                        SortBy::Subtype => a.subtype.cmp(&b.subtype),
                        SortBy::Organization => a.organization.cmp(&b.organization),
                        SortBy::Stored => std::cmp::Ordering::Equal,
                    };
                    let order = by.then(ka.cmp(kb));
                    if descending { order.reverse() } else { order }
                });
                let expected: Vec<u32> = selected.iter().map(|(k, _)| **k).collect();
                let request = PageRequest { sort, descending, after: None, offset: 0, limit: page_size };
                let (mut by_cursor, mut by_offset) = (Vec::new(), Vec::new());
                // The whole selection kept in order (a server's cache) gives the same pages.
                let ordered = facts.ordered(c, &f, sort, descending);
                loop {
                    let asked = PageRequest { after: by_cursor.last().and_then(|(_, next)| *next), ..request };
                    let page = facts.select(c, &f, &asked);
                    prop_assert_eq!(&ordered.page(&asked), &page);
                    prop_assert_eq!(page.total, expected.len() as u64);
                    let done = page.next.is_none();
                    by_cursor.push((page.keys, page.next));
                    if done { break; }
                }
                while by_offset.len() <= expected.len() {
                    let asked = PageRequest { offset: by_offset.len(), ..request };
                    let page = facts.select(c, &f, &asked);
                    prop_assert_eq!(&ordered.page(&asked), &page);
                    if page.keys.is_empty() { break; }
                    by_offset.extend(page.keys);
                }
                let by_cursor: Vec<u32> = by_cursor.into_iter().flat_map(|(keys, _)| keys).collect();
                prop_assert_eq!(&by_cursor, &expected, "{:?} descending {}", sort, descending);
                prop_assert_eq!(&by_offset, &expected);
            }
        }
    }
}
