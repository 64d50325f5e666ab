//! The two languages of Vigie's outputs, and the label of every code in them.

use vigie_core::Catalog;
use vigie_core::reference::Label;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn pick(self, label: &Label) -> &str {
        match self {
            Lang::Fr => &label.fr,
            Lang::En => &label.en,
        }
    }

    pub fn total(self) -> &'static str {
        match self {
            Lang::Fr => "Total",
            Lang::En => "Total",
        }
    }

    pub fn month_name(self, number: u32) -> &'static str {
        const FR: [&str; 12] = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let i = (number.clamp(1, 12) - 1) as usize;
        match self {
            Lang::Fr => FR[i],
            Lang::En => EN[i],
        }
    }
}

/// The label of a row or column code of a table, in `lang`; the code itself when it has none.
pub(crate) fn label(catalog: &Catalog, lang: Lang, table: &str, code: &str) -> String {
    if code == "TOTAL" {
        return lang.total().to_owned();
    }
    if let Some(month) = vigie_core::Month::parse(code) {
        return format!("{} {}", lang.month_name(month.number()), month.year());
    }
    let g = &catalog.geography;
    let found = match table {
        "admin2" => g.cercles.iter().find(|c| c.unit.pcode == code).map(|c| c.unit.name.clone()),
        "subtype" => catalog.typology.subtypes.iter().find(|s| s.code == code).map(|s| lang.pick(&s.label).to_owned()),
        _ => None,
    };
    let found = found
        .or_else(|| {
            g.regions
                .iter()
                .find(|r| r.code == code)
                .map(|r| if lang == Lang::Fr { r.name_fr.clone() } else { r.name_en.clone() })
        })
        .or_else(|| catalog.typology.categories.iter().find(|c| c.code == code).map(|c| lang.pick(&c.label).to_owned()))
        .or_else(|| {
            let list = vigie_core::ListKind::ALL.into_iter().find(|k| table.starts_with(k.name()))?;
            let list = catalog.lists.get(list);
            list.find(code).map(|i| lang.pick(&list.codes[i as usize].label).to_owned())
        });
    found.unwrap_or_else(|| code.to_owned())
}
