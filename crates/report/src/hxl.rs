//! HXL (the Humanitarian Exchange Language): the hashtag row that goes under a CSV's header,
//! so that HDX and other humanitarian tools read Vigie's files without a mapping. Only core
//! hashtags of the HXL standard, with attributes saying which of them a column is.

/// The hashtags of `tables.csv`'s columns: table, row, column, value.
pub const TABLES: [&str; 4] = ["#indicator+table", "#meta+row+code", "#meta+column+code", "#indicator+value+num"];

/// The hashtag of a column of `violations.csv` (DATA-FORMATS.md §1); a column Vigie does not
/// know (a newer format's) gets a `#meta` one of its own name.
pub fn violation_tag(column: &str) -> String {
    let tag = match column {
        "violation_id" => "#event+id",
        "incident_id" => "#event+incident+id",
        "incident_date" => "#date+occurred",
        "report_date" => "#date+reported",
        "admin1_pcode" => "#adm1+code",
        "admin2_pcode" => "#adm2+code",
        "admin3_pcode" => "#adm3+code",
        "locality" => "#loc+name",
        "latitude" => "#geo+lat",
        "longitude" => "#geo+lon",
        "violation_code" => "#event+type+code",
        "perpetrator_code" => "#group+perpetrator+code",
        "place_code" => "#loc+type+code",
        "time_slot_code" => "#date+time_slot+code",
        "victim_sex" => "#affected+sex+code",
        "victim_age_group" => "#affected+age+code",
        "victim_occupation" => "#affected+occupation+code",
        "victim_population" => "#population+type+code",
        "organization" => "#org+impl+code",
        "narrative" => "#description+narrative",
        other => {
            return format!("#meta+{}", other.to_ascii_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
        }
    };
    tag.to_owned()
}
