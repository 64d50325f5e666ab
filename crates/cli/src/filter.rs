//! Command-line filter options → the aggregation layer's [`Filter`], with every unknown code
//! refused by name (the API reads the same names from its query string).

use anyhow::{Result, anyhow};
use vigie_core::Catalog;
use vigie_core::aggregate::Filter;

use crate::cli::FilterArgs;

pub fn build(args: &FilterArgs, catalog: &Catalog) -> Result<Filter> {
    let lists: [(&str, &Vec<String>); 13] = [
        ("region", &args.region),
        ("cercle", &args.cercle),
        ("commune", &args.commune),
        ("category", &args.category),
        ("subtype", &args.subtype),
        ("perpetrator", &args.perpetrator),
        ("place", &args.place),
        ("time_slot", &args.time_slot),
        ("sex", &args.sex),
        ("age_group", &args.age_group),
        ("occupation", &args.occupation),
        ("population", &args.population),
        ("organization", &args.organization),
    ];
    let dates = [("from", &args.from), ("to", &args.to)];
    let verified_only = args.verified_only.then_some(("verification", vigie_core::Verification::Verified.code()));
    let pairs = lists
        .iter()
        .flat_map(|(name, values)| values.iter().map(move |v| (*name, v.as_str())))
        .chain(dates.iter().filter_map(|(name, value)| value.as_deref().map(|v| (*name, v))))
        .chain(args.verification.iter().map(|v| ("verification", v.as_str())))
        .chain(verified_only);
    Filter::from_codes(catalog, pairs).map_err(|e| anyhow!(e))
}
