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
        label.get(self.code())
    }

    /// The language's code, as reference files name their label columns (`label_fr`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
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
        "risk_level" => g.commune_by_pcode(code).map(|id| g.commune(id).unit.name.clone()),
        "alert_by_region" => vigie_core::EventType::parse(code).map(|e| event_type(lang, e).to_owned()),
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

/// A flash alert's event type, as a reader says it.
pub(crate) fn event_type(lang: Lang, event: vigie_core::EventType) -> &'static str {
    use vigie_core::EventType::*;
    match (lang, event) {
        (Lang::Fr, Attack) => "Attaque",
        (Lang::Fr, Clash) => "Affrontement",
        (Lang::Fr, Displacement) => "Déplacement de population",
        (Lang::Fr, Explosive) => "Engin explosif",
        (Lang::Fr, Abduction) => "Enlèvement",
        (Lang::Fr, Blockade) => "Blocus",
        (Lang::Fr, Other) => "Autre",
        (Lang::En, Attack) => "Attack",
        (Lang::En, Clash) => "Clash",
        (Lang::En, Displacement) => "Population displacement",
        (Lang::En, Explosive) => "Explosive device",
        (Lang::En, Abduction) => "Abduction",
        (Lang::En, Blockade) => "Blockade",
        (Lang::En, Other) => "Other",
    }
}

/// What each level of the four-level risk index means, as the cluster's legend says it (seed
/// report, section IV). Only for a four-level definition: a cluster's own levels have no text.
pub(crate) fn level_description(lang: Lang, level: u8, levels: usize) -> Option<&'static str> {
    const FR: [&str; 4] = [
        "La situation de protection dans cette zone est jugée « stable ». Les risques de protection existants sont réduits grâce aux capacités d'auto-protection des communautés ou à la présence de services et structures communautaires et acteurs de protection qui assurent la prise en charge des victimes.",
        "La situation de protection dans cette zone est jugée « modérée ». Les risques de protection sont élevés et les capacités d'autoprotection et de réduction de ces risques peuvent être renforcées. Un suivi doit être effectué afin de répondre aux besoins immédiats des populations pour renforcer les mécanismes existants et réduire les facteurs potentiellement aggravants.",
        "La situation de protection dans cette zone est jugée « sérieuse ». Les risques de protection sont très élevés (violations graves, niveau de violence et déplacement forcé de population). Les capacités d'autoprotection et de réduction des risques sont insuffisantes.",
        "La situation de protection dans cette zone est jugée « critique ». Les risques de protection sont extrêmement élevés et graves (notamment en termes de violations graves, du niveau de violence et du déplacement forcé de population). Les capacités d'autoprotection et de réduction des risques (mécanismes communautaires, services étatiques, services et acteurs humanitaires) sont inexistantes, trop faibles ou inefficaces. Cette situation demande une attention particulière du Cluster Protection et des acteurs pertinents, notamment en termes de réponse, de plaidoyer et de mobilisation de ressources.",
    ];
    const EN: [&str; 4] = [
        "The protection situation in this area is considered \"stable\". Existing protection risks are reduced by communities' self-protection capacities or by community services and structures and protection actors that care for victims.",
        "The protection situation in this area is considered \"moderate\". Protection risks are high, and self-protection and risk-reduction capacities can be strengthened. Follow-up is needed to meet the population's immediate needs, strengthen existing mechanisms and reduce potentially aggravating factors.",
        "The protection situation in this area is considered \"serious\". Protection risks are very high (grave violations, level of violence and forced displacement). Self-protection and risk-reduction capacities are insufficient.",
        "The protection situation in this area is considered \"critical\". Protection risks are extremely high and grave (notably grave violations, level of violence and forced displacement). Self-protection and risk-reduction capacities (community mechanisms, state services, humanitarian services and actors) are absent, too weak or ineffective. This situation calls for particular attention from the Protection Cluster and relevant actors, notably in response, advocacy and resource mobilisation.",
    ];
    if levels != 4 || !(1..=4).contains(&level) {
        return None;
    }
    Some(match lang {
        Lang::Fr => FR[usize::from(level) - 1],
        Lang::En => EN[usize::from(level) - 1],
    })
}
