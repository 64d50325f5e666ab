//! Command-line filter options → the aggregation layer's [`Filter`], with every unknown code
//! refused by name.

use anyhow::{Result, bail};
use vigie_core::aggregate::Filter;
use vigie_core::records::parse_iso_date;
use vigie_core::{ByList, Catalog, ListKind};

use crate::cli::FilterArgs;

fn each<T>(values: &[String], what: &str, find: impl Fn(&str) -> Option<T>) -> Result<Vec<T>> {
    values
        .iter()
        .map(|v| match find(v) {
            Some(found) => Ok(found),
            None => bail!("unknown {what} `{v}`"),
        })
        .collect()
}

pub fn build(args: &FilterArgs, catalog: &Catalog) -> Result<Filter> {
    let g = &catalog.geography;
    let t = &catalog.typology;
    let mut codes = ByList::default();
    for (kind, values) in [
        (ListKind::Perpetrator, &args.perpetrator),
        (ListKind::Place, &args.place),
        (ListKind::TimeSlot, &args.time_slot),
        (ListKind::Sex, &args.sex),
        (ListKind::AgeGroup, &args.age_group),
        (ListKind::Occupation, &args.occupation),
        (ListKind::Population, &args.population),
    ] {
        let list = catalog.lists.get(kind);
        codes[kind] = each(values, kind.name(), |v| list.find(v))?;
    }
    let date = |v: &Option<String>| -> Result<_> {
        match v {
            None => Ok(None),
            Some(text) => match parse_iso_date(text) {
                Some(d) => Ok(Some(d)),
                None => bail!("`{text}` is not a date: write YYYY-MM-DD"),
            },
        }
    };
    Ok(Filter {
        regions: each(&args.region, "region", |v| g.region_by_code(v))?,
        cercles: each(&args.cercle, "cercle", |v| g.cercles.iter().position(|c| c.unit.pcode == v).map(|i| i as u16))?,
        communes: each(&args.commune, "commune", |v| g.commune_by_pcode(v))?,
        categories: each(&args.category, "category", |v| t.category(v))?,
        subtypes: each(&args.subtype, "subtype", |v| t.subtype(v))?,
        codes,
        organizations: args.organization.clone(),
        from: date(&args.from)?,
        to: date(&args.to)?,
    })
}
