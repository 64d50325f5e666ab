//! The label of every code a table shows, in the report's language: code-list and typology
//! labels are data (`label_<language>` columns), the rest comes from the message catalog.

use vigie_core::Catalog;
use vigie_i18n::{Args, Lang};

/// The label of a row or column code of a table, in `lang`; the code itself when it has none.
pub(crate) fn label(catalog: &Catalog, lang: Lang, table: &str, code: &str) -> String {
    if code == "TOTAL" {
        return lang.text("total");
    }
    if let Some(month) = vigie_core::Month::parse(code) {
        let mut args = Args::new();
        args.set("month", lang.text(&format!("month-{}", month.number())));
        args.set("year", month.year().to_string());
        return lang.format("month-year", &args);
    }
    let g = &catalog.geography;
    let found = match table {
        "admin2" => g.cercles.iter().find(|c| c.unit.pcode == code).map(|c| c.unit.name.clone()),
        "risk_level" => g.commune_by_pcode(code).map(|id| g.commune(id).unit.name.clone()),
        "alert_by_region" => vigie_core::EventType::parse(code).map(|e| {
            let mut args = Args::new();
            args.set("type", e.code());
            lang.format("event-type", &args)
        }),
        "subtype" => catalog.typology.subtypes.iter().find(|s| s.code == code).map(|s| lang.pick(&s.label).to_owned()),
        _ => None,
    };
    let found = found
        .or_else(|| g.regions.iter().find(|r| r.code == code).map(|r| lang.pick(&r.name).to_owned()))
        .or_else(|| catalog.typology.categories.iter().find(|c| c.code == code).map(|c| lang.pick(&c.label).to_owned()))
        .or_else(|| {
            let list = vigie_core::ListKind::ALL.into_iter().find(|k| table.starts_with(k.name()))?;
            let list = catalog.lists.get(list);
            list.find(code).map(|i| lang.pick(&list.codes[i as usize].label).to_owned())
        });
    found.unwrap_or_else(|| code.to_owned())
}

/// Picking a reference label in a language.
pub trait Pick {
    fn pick(self, label: &vigie_core::Label) -> &str;
}

impl Pick for Lang {
    fn pick(self, label: &vigie_core::Label) -> &str {
        label.get(self.code())
    }
}
