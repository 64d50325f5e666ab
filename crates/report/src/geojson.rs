//! The month's figures as GeoJSON, for GIS tools and HDX: one feature per region, cercle or
//! commune, its outline from the geography's boundaries, and as properties its violations
//! (and by category), its risk level and its flash alerts. Every figure is the reader's: for a
//! reader with records hidden from them, a figure the disclosure rule withholds is `null` with
//! `"suppressed": true`, and the breakdown by category below the region (no published cut) is
//! left out. Written feature by feature to `out`, without a cap.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{Map, Value, json};
use vigie_core::aggregate::{Disclosure, MonthTables};
use vigie_core::{Alert, Catalog};

use crate::{Lang, MapLevel, Pick};

/// A unit at the level asked for: its code and name, its communes, and its figures' keys.
struct Unit {
    code: String,
    name: String,
    communes: Vec<usize>,
}

fn units(catalog: &Catalog, level: MapLevel, lang: Lang) -> Vec<Unit> {
    let g = &catalog.geography;
    let inside = |keep: &dyn Fn(usize) -> bool| (0..g.communes.len()).filter(|&i| keep(i)).collect::<Vec<_>>();
    match level {
        MapLevel::Region => g
            .regions
            .iter()
            .enumerate()
            .map(|(r, region)| Unit {
                code: region.code.clone(),
                name: lang.pick(&region.name).to_owned(),
                communes: inside(&|i| g.communes[i].region.0 as usize == r),
            })
            .collect(),
        MapLevel::Cercle => g
            .cercles
            .iter()
            .enumerate()
            .map(|(k, cercle)| Unit {
                code: cercle.unit.pcode.clone(),
                name: cercle.unit.name.clone(),
                communes: inside(&|i| g.communes[i].cercle as usize == k),
            })
            .collect(),
        MapLevel::Commune => g
            .communes
            .iter()
            .enumerate()
            .map(|(i, commune)| Unit {
                code: commune.unit.pcode.clone(),
                name: commune.unit.name.clone(),
                communes: vec![i],
            })
            .collect(),
    }
}

/// The polygons of each commune (GeoJSON coordinates), by the commune's index: read from the
/// geography's boundaries once per process, as the maps' basemap is.
fn commune_polygons(catalog: &Catalog) -> Arc<Polygons> {
    static POLYGONS: LazyLock<Mutex<HashMap<String, Arc<Polygons>>>> = LazyLock::new(Mutex::default);
    let mut kept = POLYGONS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let name = catalog.geography.name.clone();
    kept.entry(name).or_insert_with(|| Arc::new(read_polygons(catalog))).clone()
}

/// Per commune, its polygons' GeoJSON coordinates.
type Polygons = Vec<Vec<Value>>;

fn read_polygons(catalog: &Catalog) -> Polygons {
    let g = &catalog.geography;
    let mut out = vec![Vec::new(); g.communes.len()];
    let parsed: Value = serde_json::from_str(&g.boundaries.admin3).unwrap_or(Value::Null);
    for feature in parsed["features"].as_array().into_iter().flatten() {
        let Some(commune) = feature["properties"]["admin3Pcode"].as_str().and_then(|p| g.commune_by_pcode(p)) else {
            continue;
        };
        let geometry = &feature["geometry"];
        match geometry["type"].as_str() {
            Some("Polygon") => out[commune.0 as usize].push(geometry["coordinates"].clone()),
            Some("MultiPolygon") => {
                out[commune.0 as usize].extend(geometry["coordinates"].as_array().into_iter().flatten().cloned())
            }
            _ => {}
        }
    }
    out
}

/// A figure as the reader may see it.
fn figure(value: u64, withheld: bool) -> Value {
    if withheld { Value::Null } else { json!(value) }
}

/// Writes the month's `tables` (and `alerts`) at `level` as a GeoJSON feature collection, the
/// regions' names in `lang`.
pub fn write(
    tables: &MonthTables,
    alerts: &[Alert],
    catalog: &Catalog,
    level: MapLevel,
    restricted: Option<&Disclosure>,
    lang: Lang,
    mut out: impl Write,
) -> std::io::Result<()> {
    let now = &tables.current;
    let categories = &catalog.typology.categories;
    let polygons = commune_polygons(catalog);
    let risk: HashMap<usize, u8> = tables.risk.communes.iter().map(|c| (c.commune.0 as usize, c.level)).collect();
    let month = tables.month.to_string();
    write!(
        out,
        "{{\"type\":\"FeatureCollection\",\"month\":\"{month}\",\"level\":\"{}\",\"features\":[",
        level.name()
    )?;
    for (n, unit) in units(catalog, level, lang).iter().enumerate() {
        let total: u64 = unit.communes.iter().map(|&i| now.commune[i]).sum();
        let by_category =
            |c: usize| -> u64 { unit.communes.iter().map(|&i| now.commune_category[i * now.categories + c]).sum() };
        // What the disclosure rule says of this unit's figures.
        let (withheld, breakdown) = match (restricted, level) {
            (None, _) => (false, true),
            (Some(d), MapLevel::Region) => (d.withholds("category_by_region", "TOTAL", &unit.code), true),
            (Some(d), MapLevel::Cercle) => (d.withholds("admin2", &unit.code, "count"), false),
            (Some(d), MapLevel::Commune) => (d.withholds_commune(unit.communes[0]), false),
        };
        let mut properties = Map::new();
        properties.insert("code".into(), json!(unit.code));
        properties.insert("name".into(), json!(unit.name));
        properties.insert("level".into(), json!(level.name()));
        properties.insert("month".into(), json!(month));
        properties.insert("violations".into(), figure(total, withheld));
        if withheld {
            properties.insert("suppressed".into(), json!(true));
        }
        if breakdown {
            let counts: Map<String, Value> = categories
                .iter()
                .enumerate()
                .map(|(c, category)| {
                    let hidden =
                        restricted.is_some_and(|d| d.withholds("category_by_region", &category.code, &unit.code));
                    (category.code.clone(), figure(by_category(c), hidden))
                })
                .collect();
            properties.insert("violations_by_category".into(), Value::Object(counts));
        }
        if level == MapLevel::Commune {
            let level = risk.get(&unit.communes[0]).map(|&l| json!(l));
            properties.insert("risk_level".into(), level.unwrap_or(Value::Null));
        }
        let inside = |a: &&Alert| unit.communes.contains(&(a.commune.0 as usize));
        properties.insert("alerts".into(), json!(alerts.iter().filter(inside).count()));
        let persons: u64 = alerts.iter().filter(inside).filter_map(|a| a.affected_persons).map(u64::from).sum();
        properties.insert("alert_persons".into(), json!(persons));
        let shapes: Vec<&Value> = unit.communes.iter().flat_map(|&i| &polygons[i]).collect();
        let geometry = match shapes.as_slice() {
            [] => Value::Null,
            [one] => json!({ "type": "Polygon", "coordinates": one }),
            many => json!({ "type": "MultiPolygon", "coordinates": many }),
        };
        let feature = json!({ "type": "Feature", "properties": properties, "geometry": geometry });
        if n > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut out, &feature)?;
    }
    out.write_all(b"]}")?;
    out.flush()
}
