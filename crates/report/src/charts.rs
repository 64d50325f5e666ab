//! The one chart and map renderer: SVG, with text as text, a colour-blind-safe palette
//! (Okabe–Ito for categories, a single-hue sequential scale for maps), legends with class
//! limits and a source line. The PDF report and the HTML report embed the same SVG.

use std::fmt::Write;
use std::sync::LazyLock;

use vigie_core::Catalog;

/// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
pub const PALETTE: [&str; 8] = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"];
/// Light to dark blue, five classes (ColorBrewer Blues).
const SEQUENTIAL: [&str; 5] = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
const FONT: &str = "font-family=\"Noto Sans, sans-serif\"";

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn open(width: f64, height: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" {FONT} font-size=\"11\"><title>{}</title><rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>",
        escape(title)
    )
}

fn source_line(svg: &mut String, y: f64, source: &str) {
    let _ = write!(svg, "<text x=\"4\" y=\"{y}\" font-size=\"9\" fill=\"#555555\">{}</text>", escape(source));
}

/// Horizontal bars, one per labelled value, largest first as given.
pub fn bars(title: &str, items: &[(String, u64)], format: &dyn Fn(u64) -> String, source: &str) -> String {
    let (width, label_w, row) = (720.0, 330.0, 20.0);
    let height = items.len() as f64 * row + 40.0;
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let mut svg = open(width, height, title);
    for (i, (label, value)) in items.iter().enumerate() {
        let y = 8.0 + i as f64 * row;
        let w = (*value as f64 / max) * (width - label_w - 70.0);
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            label_w - 6.0,
            y + 13.0,
            escape(label),
            row - 6.0,
            PALETTE[0],
            label_w + w + 4.0,
            y + 13.0,
            escape(&format(*value))
        );
    }
    source_line(&mut svg, height - 6.0, source);
    svg.push_str("</svg>");
    svg
}

/// Columns of `groups`, each stacked by `series` (e.g. time slots stacked by category).
pub fn stacked_columns(
    title: &str,
    groups: &[String],
    series: &[String],
    values: &dyn Fn(usize, usize) -> u64,
    source: &str,
) -> String {
    let (width, height, left, bottom, legend_h) = (640.0, 300.0, 40.0, 40.0, 18.0 * series.len().div_ceil(3) as f64);
    let total_h = height + legend_h + 14.0;
    let totals: Vec<u64> = (0..groups.len()).map(|g| (0..series.len()).map(|s| values(g, s)).sum()).collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1) as f64;
    let plot_h = height - bottom - 20.0;
    let slot = (width - left - 10.0) / groups.len().max(1) as f64;
    let mut svg = open(width, total_h, title);
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888888\"/>",
        20.0 + plot_h,
        width - 10.0,
        20.0 + plot_h
    );
    for (g, group) in groups.iter().enumerate() {
        let x = left + g as f64 * slot + slot * 0.15;
        let mut y = 20.0 + plot_h;
        for s in 0..series.len() {
            let h = values(g, s) as f64 / max * plot_h;
            y -= h;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"/>",
                slot * 0.7,
                PALETTE[s % PALETTE.len()]
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
            x + slot * 0.35,
            y - 3.0,
            totals[g],
            x + slot * 0.35,
            20.0 + plot_h + 14.0,
            escape(group)
        );
    }
    for (s, name) in series.iter().enumerate() {
        let (lx, ly) = (left + (s % 3) as f64 * 200.0, height + (s / 3) as f64 * 18.0);
        let _ = write!(
            svg,
            "<rect x=\"{lx}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"10\">{}</text>",
            ly - 9.0,
            PALETTE[s % PALETTE.len()],
            lx + 14.0,
            ly,
            escape(name)
        );
    }
    source_line(&mut svg, total_h - 4.0, source);
    svg.push_str("</svg>");
    svg
}

/// One line per series over labelled points (e.g. violations per month).
pub fn lines(title: &str, points: &[String], series: &[(String, Vec<u64>)], source: &str) -> String {
    let (width, height, left, bottom) = (640.0, 260.0, 44.0, 50.0);
    let plot_h = height - bottom - 16.0;
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).max().unwrap_or(0).max(1) as f64;
    let step = (width - left - 20.0) / (points.len().max(2) - 1) as f64;
    let mut svg = open(width, height, title);
    for tick in 0..=4 {
        let v = max * tick as f64 / 4.0;
        let y = 16.0 + plot_h - plot_h * tick as f64 / 4.0;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#dddddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"9\">{:.0}</text>",
            width - 20.0,
            left - 4.0,
            y + 3.0,
            v
        );
    }
    for (i, p) in points.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
            left + i as f64 * step,
            16.0 + plot_h + 14.0,
            escape(p)
        );
    }
    for (s, (name, values)) in series.iter().enumerate() {
        let colour = PALETTE[s % PALETTE.len()];
        let path: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", left + i as f64 * step, 16.0 + plot_h - *v as f64 / max * plot_h))
            .collect();
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            path.join(" ")
        );
        let _ = write!(
            svg,
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"10\">{}</text>",
            left + s as f64 * 160.0,
            height - 26.0,
            left + s as f64 * 160.0 + 14.0,
            height - 17.0,
            escape(name)
        );
    }
    source_line(&mut svg, height - 4.0, source);
    svg.push_str("</svg>");
    svg
}

/// A commune's outline, projected once.
struct Shape {
    pcode: String,
    path: String,
}

struct Basemap {
    communes: Vec<Shape>,
    regions: Vec<String>,
    width: f64,
    height: f64,
}

const BOUNDARIES_ADM3: &str =
    include_str!("../../../reference/geography/mli-2015/boundaries/mli_adm3_simplified.geojson");
const BOUNDARIES_ADM1: &str =
    include_str!("../../../reference/geography/mli-2015/boundaries/mli_adm1_simplified.geojson");

/// Equirectangular projection scaled by the cosine of Mali's mid latitude (17°N), 600 px wide.
fn projector() -> impl Fn(f64, f64) -> (f64, f64) {
    let (west, east, north) = (-12.3, 4.3, 25.1);
    let k = 17f64.to_radians().cos();
    let scale = 600.0 / ((east - west) * k);
    move |lon, lat| (((lon - west) * k * scale), ((north - lat) * scale))
}

fn path_of(geometry: &serde_json::Value, project: &dyn Fn(f64, f64) -> (f64, f64)) -> String {
    let polygons: Vec<&serde_json::Value> = match geometry["type"].as_str() {
        Some("Polygon") => vec![&geometry["coordinates"]],
        Some("MultiPolygon") => geometry["coordinates"].as_array().map(|a| a.iter().collect()).unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut d = String::new();
    for polygon in polygons {
        for ring in polygon.as_array().into_iter().flatten() {
            for (i, point) in ring.as_array().into_iter().flatten().enumerate() {
                let (lon, lat) = (point[0].as_f64().unwrap_or(0.0), point[1].as_f64().unwrap_or(0.0));
                let (x, y) = project(lon, lat);
                let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
    }
    d
}

/// The embedded boundaries, parsed and projected once per process.
static BASEMAP: LazyLock<Basemap> = LazyLock::new(|| {
    let project = projector();
    let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap_or_default();
    let communes = parse(BOUNDARIES_ADM3)["features"]
        .as_array()
        .map(|features| {
            features
                .iter()
                .map(|f| Shape {
                    pcode: f["properties"]["admin3Pcode"].as_str().unwrap_or("").to_owned(),
                    path: path_of(&f["geometry"], &project),
                })
                .collect()
        })
        .unwrap_or_default();
    let regions = parse(BOUNDARIES_ADM1)["features"]
        .as_array()
        .map(|features| features.iter().map(|f| path_of(&f["geometry"], &project)).collect())
        .unwrap_or_default();
    let (width, height) = project(4.3, 10.1);
    Basemap { communes, regions, width, height }
});

/// Class limits for a choropleth: five classes over the non-zero values (quantile breaks,
/// rounded up to whole numbers, never repeated).
pub fn class_limits(values: &[u64]) -> Vec<u64> {
    let mut nonzero: Vec<u64> = values.iter().copied().filter(|&v| v > 0).collect();
    nonzero.sort_unstable();
    let mut limits: Vec<u64> = (1..=SEQUENTIAL.len())
        .filter_map(|i| nonzero.get((nonzero.len() * i).div_ceil(SEQUENTIAL.len()).saturating_sub(1)).copied())
        .collect();
    limits.dedup();
    limits
}

/// Communes shaded by a count in sequential classes (white: none), with optional points
/// (longitude, latitude, radius) drawn over them.
pub fn choropleth(
    title: &str,
    value_of: &dyn Fn(&str) -> Option<u64>,
    legend: &dyn Fn(u64, u64) -> String,
    none_label: &str,
    points: &[(f64, f64, f64)],
    source: &str,
) -> String {
    let values: Vec<u64> = BASEMAP.communes.iter().filter_map(|c| value_of(&c.pcode)).collect();
    let limits = class_limits(&values);
    let mut classes = vec![(none_label.to_owned(), "#ffffff")];
    let mut lower = 1;
    for (i, &upper) in limits.iter().enumerate() {
        classes.push((legend(lower, upper), SEQUENTIAL[i]));
        lower = upper + 1;
    }
    let class_of = |pcode: &str| match value_of(pcode) {
        Some(v) if v > 0 => Some(1 + limits.iter().position(|&l| v <= l).unwrap_or(limits.len().saturating_sub(1))),
        _ => Some(0),
    };
    map(title, &class_of, &classes, points, source)
}

/// Communes coloured by class (`class_of` gives an index into `classes`, a legend and a
/// colour; `None` leaves the commune white), region borders, points over them, the legend.
pub fn map(
    title: &str,
    class_of: &dyn Fn(&str) -> Option<usize>,
    classes: &[(String, &str)],
    points: &[(f64, f64, f64)],
    source: &str,
) -> String {
    let map = &*BASEMAP;
    let legend_h = 20.0 * classes.len() as f64 + 20.0;
    let (width, height) = (map.width + 10.0, map.height + legend_h);
    let mut svg = open(width, height, title);
    for c in &map.communes {
        let fill = class_of(&c.pcode).and_then(|i| classes.get(i)).map_or("#ffffff", |(_, colour)| colour);
        let _ = write!(svg, "<path d=\"{}\" fill=\"{fill}\" stroke=\"#bbbbbb\" stroke-width=\"0.3\"/>", c.path);
    }
    for r in &map.regions {
        let _ = write!(svg, "<path d=\"{r}\" fill=\"none\" stroke=\"#333333\" stroke-width=\"0.8\"/>");
    }
    let project = projector();
    for &(lon, lat, radius) in points {
        let (x, y) = project(lon, lat);
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{radius:.1}\" fill=\"{}\" fill-opacity=\"0.6\" stroke=\"#000000\" stroke-width=\"0.4\"/>",
            PALETTE[3]
        );
    }
    let mut y = map.height - 12.0;
    for (label, colour) in classes {
        y += 20.0;
        let _ = write!(
            svg,
            "<rect x=\"10\" y=\"{y}\" width=\"14\" height=\"12\" fill=\"{colour}\" stroke=\"#999999\" stroke-width=\"0.5\"/><text x=\"30\" y=\"{}\">{}</text>",
            y + 10.0,
            escape(label)
        );
    }
    source_line(&mut svg, height - 4.0, source);
    svg.push_str("</svg>");
    svg
}

/// Colours for ordered severity levels, green to dark red; `levels` of them spread over the scale.
pub fn severity_colours(levels: usize) -> Vec<&'static str> {
    const SCALE: [&str; 6] = ["#1a9850", "#a6d96a", "#fee08b", "#fdae61", "#d73027", "#7f0000"];
    // Four levels: green, yellow, orange, red, as protection clusters draw them.
    if levels == 4 {
        return vec![SCALE[0], SCALE[2], SCALE[3], SCALE[4]];
    }
    (0..levels).map(|i| SCALE[if levels <= 1 { 0 } else { i * (SCALE.len() - 1) / (levels - 1) }]).collect()
}

/// The catalog's communes that have a boundary, for tests.
pub fn mapped_communes(catalog: &Catalog) -> usize {
    BASEMAP.communes.iter().filter(|c| catalog.geography.commune_by_pcode(&c.pcode).is_some()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_limits_cover_the_values_without_repeats() {
        assert_eq!(class_limits(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), vec![2, 4, 6, 8, 10]);
        assert_eq!(class_limits(&[0, 3, 3, 3]), vec![3]);
        assert!(class_limits(&[0, 0]).is_empty());
    }

    #[test]
    fn every_commune_of_the_geography_has_a_boundary() {
        assert_eq!(mapped_communes(Catalog::mali()), 701);
    }

    #[test]
    fn charts_keep_text_as_text() {
        let svg = bars("Auteurs", &[("Personnes armées".into(), 225)], &|v| v.to_string(), "Source : Vigie");
        assert!(svg.contains(">Personnes armées</text>") && svg.contains(">225</text>"));
    }
}
