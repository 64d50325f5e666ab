//! The one chart and map renderer: SVG, with text as text, a colour-blind-safe palette
//! (Okabe–Ito for categories, a single-hue sequential scale for maps), legends with class
//! limits and a source line. The PDF report and the HTML report embed the same SVG.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, LazyLock, Mutex};

use vigie_core::Geography;

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

/// In place of a chart that would show a withheld figure: its title and why it is not drawn
/// (the figure's data table, with the withheld figures as `<k`, follows it as usual).
pub fn withheld(title: &str, message: &str, source: &str) -> String {
    let (width, height) = (720.0, 60.0);
    let mut svg = open(width, height, title);
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"26\" text-anchor=\"middle\" fill=\"#555555\">{}</text>",
        width / 2.0,
        escape(message)
    );
    source_line(&mut svg, height - 6.0, source);
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars, one per labelled value, largest first as given. `filters` (one per item,
/// or none) names the filter each bar stands for (`perpetrator=FAMA`): the bar is marked with
/// it and with what it shows, and the dashboard makes it a link ([`link_filters`]).
pub fn bars(
    title: &str,
    items: &[(String, u64)],
    filters: &[String],
    format: &dyn Fn(u64) -> String,
    source: &str,
) -> String {
    let (width, label_w, row) = (720.0, 330.0, 20.0);
    let height = items.len() as f64 * row + 40.0;
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let mut svg = open(width, height, title);
    for (i, (label, value)) in items.iter().enumerate() {
        let y = 8.0 + i as f64 * row;
        let w = (*value as f64 / max) * (width - label_w - 70.0);
        let filter = filters.get(i);
        if let Some(filter) = filter {
            let shown = format!("{label}: {}", format(*value));
            let _ = write!(svg, "<g data-filter=\"{}\" data-label=\"{}\">", escape(filter), escape(&shown));
        }
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
        if filter.is_some() {
            svg.push_str("</g>");
        }
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

impl Shape {
    /// What a commune of a map shows, for a screen reader: its name and its class.
    fn label(
        &self,
        geography: &Geography,
        class_of: &dyn Fn(&str) -> Option<usize>,
        classes: &[(String, &str)],
    ) -> String {
        let name = geography
            .commune_by_pcode(&self.pcode)
            .map_or(self.pcode.as_str(), |id| geography.commune(id).unit.name.as_str());
        match class_of(&self.pcode).and_then(|i| classes.get(i)) {
            Some((class, _)) => format!("{name}: {class}"),
            None => name.to_owned(),
        }
    }
}

/// A geography's outlines, projected to fit 600 × 600 px.
struct Basemap {
    communes: Vec<Shape>,
    /// The communes' outlines as `<defs>` (see [`outline_defs`]).
    defs: Arc<str>,
    regions: Vec<String>,
    project: Projection,
    width: f64,
    height: f64,
}

/// Equirectangular, scaled by the cosine of the middle latitude, from the outlines' bounds.
#[derive(Clone, Copy)]
struct Projection {
    west: f64,
    north: f64,
    k: f64,
    scale: f64,
}

impl Projection {
    /// Fits `[west, east] × [south, north]` (degrees) into 600 × 600 px.
    fn fit(west: f64, east: f64, south: f64, north: f64) -> Projection {
        let k = ((south + north) / 2.0).to_radians().cos();
        let scale = (600.0 / ((east - west) * k)).min(600.0 / (north - south)).min(1e9);
        Projection { west, north, k, scale }
    }

    fn apply(self, lon: f64, lat: f64) -> (f64, f64) {
        ((lon - self.west) * self.k * self.scale, (self.north - lat) * self.scale)
    }
}

/// A polygon's rings of `(longitude, latitude)` positions.
type Rings = Vec<Vec<(f64, f64)>>;

/// Every `[lon, lat]` position of a Polygon or MultiPolygon, ring by ring.
fn rings(geometry: &serde_json::Value) -> Rings {
    let polygons: Vec<&serde_json::Value> = match geometry["type"].as_str() {
        Some("Polygon") => vec![&geometry["coordinates"]],
        Some("MultiPolygon") => geometry["coordinates"].as_array().map(|a| a.iter().collect()).unwrap_or_default(),
        _ => Vec::new(),
    };
    let point = |p: &serde_json::Value| (p[0].as_f64().unwrap_or(0.0), p[1].as_f64().unwrap_or(0.0));
    polygons
        .into_iter()
        .flat_map(|polygon| polygon.as_array().into_iter().flatten())
        .map(|ring| ring.as_array().into_iter().flatten().map(point).collect())
        .collect()
}

/// How far (in px of the 600 px map) a simplified outline may stray from the true one: about a
/// screen's dot; it takes a third of the points out of the maps' weight, and the eye sees no
/// difference (looked at in the dashboard and the PDF).
const TOLERANCE: f64 = 0.6;

fn path_of(rings: &Rings, project: Projection) -> String {
    let mut d = String::new();
    for ring in rings {
        let points: Vec<(f64, f64)> = ring.iter().map(|&(lon, lat)| project.apply(lon, lat)).collect();
        let mut last = String::new();
        for (i, (x, y)) in simplified(&points, TOLERANCE).into_iter().enumerate() {
            let point = format!("{x:.1},{y:.1}");
            if point != last {
                let _ = write!(d, "{}{point}", if i == 0 { "M" } else { "L" });
            }
            last = point;
        }
        d.push('Z');
    }
    d
}

/// Ramer–Douglas–Peucker: the points of a line that matter at `tolerance`, its ends kept.
fn simplified(points: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if points.len() < 3 {
        return points.to_vec();
    }
    // A point's distance to the segment from `a` to `b` (to `a` when they meet, as a ring's
    // ends do).
    let distance = |p: (f64, f64), a: (f64, f64), b: (f64, f64)| {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let length = dx.hypot(dy);
        if length == 0.0 { (p.0 - a.0).hypot(p.1 - a.1) } else { ((p.0 - a.0) * dy - (p.1 - a.1) * dx).abs() / length }
    };
    let mut keep = vec![false; points.len()];
    let last = points.len() - 1;
    (keep[0], keep[last]) = (true, true);
    let mut spans = vec![(0, last)];
    while let Some((a, b)) = spans.pop() {
        let farthest =
            (a + 1..b).map(|i| (i, distance(points[i], points[a], points[b]))).max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((i, d)) = farthest
            && d > tolerance
        {
            keep[i] = true;
            spans.push((a, i));
            spans.push((i, b));
        }
    }
    points.iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| *p).collect()
}

impl Basemap {
    fn new(geography: &Geography) -> Basemap {
        let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap_or_default();
        let features = |value: &serde_json::Value| value["features"].as_array().cloned().unwrap_or_default();
        let regions: Vec<Rings> =
            features(&parse(&geography.boundaries.admin1)).iter().map(|f| rings(&f["geometry"])).collect();
        let communes: Vec<(String, Rings)> = features(&parse(&geography.boundaries.admin3))
            .iter()
            .map(|f| (f["properties"]["admin3Pcode"].as_str().unwrap_or("").to_owned(), rings(&f["geometry"])))
            .collect();
        let points = regions.iter().flatten().flatten().chain(communes.iter().flat_map(|c| c.1.iter().flatten()));
        let (mut west, mut east, mut south, mut north) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(lon, lat) in points {
            (west, east, south, north) = (west.min(lon), east.max(lon), south.min(lat), north.max(lat));
        }
        if west > east {
            (west, east, south, north) = (0.0, 1.0, 0.0, 1.0);
        }
        // A margin of a hundredth of the extent, so that borders are not cut.
        let margin = 0.01 * (east - west).max(north - south);
        let project = Projection::fit(west - margin, east + margin, south - margin, north + margin);
        let (width, height) = project.apply(east + margin, south - margin);
        let communes: Vec<Shape> = communes
            .iter()
            .map(|(pcode, rings)| Shape { pcode: pcode.clone(), path: path_of(rings, project) })
            .collect();
        let mut defs = String::from("<svg class=\"outlines\" hidden aria-hidden=\"true\"><defs>");
        for c in &communes {
            let _ = write!(defs, "<path id=\"o-{}\" d=\"{}\"/>", c.pcode, c.path);
        }
        defs.push_str("</defs></svg>");
        Basemap {
            communes,
            defs: defs.into(),
            regions: regions.iter().map(|rings| path_of(rings, project)).collect(),
            project,
            width,
            height,
        }
    }
}

/// A geography's basemap, parsed and projected once per process.
fn basemap(geography: &Geography) -> Arc<Basemap> {
    static BASEMAPS: LazyLock<Mutex<HashMap<String, Arc<Basemap>>>> = LazyLock::new(Mutex::default);
    let mut maps = BASEMAPS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    maps.entry(geography.name.clone()).or_insert_with(|| Arc::new(Basemap::new(geography))).clone()
}

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

/// Communes of `geography` shaded by a count in sequential classes (white: none), with
/// optional points (longitude, latitude, radius) drawn over them.
pub fn choropleth(
    geography: &Geography,
    title: &str,
    value_of: &dyn Fn(&str) -> Option<u64>,
    legend: &dyn Fn(u64, u64) -> String,
    none_label: &str,
    points: &[(f64, f64, f64)],
    source: &str,
) -> String {
    let values: Vec<u64> = basemap(geography).communes.iter().filter_map(|c| value_of(&c.pcode)).collect();
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
    map(geography, title, &class_of, &classes, points, source)
}

/// The communes of `geography` coloured by class (`class_of` gives an index into `classes`, a
/// legend and a colour; `None` leaves the commune white), region borders, points over them,
/// the legend.
pub fn map(
    geography: &Geography,
    title: &str,
    class_of: &dyn Fn(&str) -> Option<usize>,
    classes: &[(String, &str)],
    points: &[(f64, f64, f64)],
    source: &str,
) -> String {
    let map = basemap(geography);
    let legend_h = 20.0 * classes.len() as f64 + 20.0;
    let (width, height) = (map.width + 10.0, map.height + legend_h);
    let mut svg = open(width, height, title);
    for c in &map.communes {
        let fill = class_of(&c.pcode).and_then(|i| classes.get(i)).map_or("#ffffff", |(_, colour)| colour);
        let _ = write!(
            svg,
            "<g data-filter=\"commune={}\" data-label=\"{}\"><path d=\"{}\" fill=\"{fill}\" stroke=\"#bbbbbb\" stroke-width=\"0.3\"/></g>",
            c.pcode,
            escape(&c.label(geography, class_of, classes)),
            c.path
        );
    }
    for r in &map.regions {
        let _ = write!(svg, "<path d=\"{r}\" fill=\"none\" stroke=\"#333333\" stroke-width=\"0.8\"/>");
    }
    for &(lon, lat, radius) in points {
        let (x, y) = map.project.apply(lon, lat);
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

/// The communes' outlines once, for a page that shows several maps: an SVG of `<defs>` (hidden,
/// not drawn) that [`shared_outlines`] makes the maps refer to.
pub fn outline_defs(geography: &Geography) -> Arc<str> {
    Arc::clone(&basemap(geography).defs)
}

/// `html`'s maps with each commune's outline replaced by a reference to [`outline_defs`]
/// (`<use href="#o-PCODE" …>`, its fill and stroke kept): a page of four maps then carries the
/// 701 outlines once instead of four times. One pass over the text.
pub fn shared_outlines(geography: &Geography, html: &str) -> String {
    const PATH: &str = "<path d=\"";
    let map = basemap(geography);
    let pcode_of: HashMap<&str, &str> = map.communes.iter().map(|c| (c.path.as_str(), c.pcode.as_str())).collect();
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(at) = rest.find(PATH) {
        let after = &rest[at + PATH.len()..];
        let Some(end) = after.find('"') else { break };
        out.push_str(&rest[..at]);
        match pcode_of.get(&after[..end]) {
            Some(pcode) => {
                let _ = write!(out, "<use href=\"#o-{pcode}\"");
            }
            None => out.push_str(&rest[at..at + PATH.len() + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Where a figure leads: its address, and what following it does (said to a screen reader).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    pub purpose: String,
}

/// Makes the marked parts of a chart or map (`<g data-filter="name=code" data-label="…">`, see
/// [`bars`] and [`map`]) links: `href(name, code)` gives each one's address and what following
/// it does, said with the part's label to a screen reader (`aria-label`); or leaves it as it is.
/// A chart holding links is a group of them rather than one image.
pub fn link_filters(svg: &str, href: &dyn Fn(&str, &str) -> Option<Link>) -> String {
    const MARK: &str = "<g data-filter=\"";
    let mut out = String::with_capacity(svg.len() + svg.len() / 4);
    // Where each chart that got a link starts in `out`.
    let (mut chart, mut linked) = (None, Vec::new());
    let mut rest = svg;
    while let Some(at) = rest.find(MARK) {
        let after = &rest[at + MARK.len()..];
        let (Some(end), Some(close)) = (after.find('"'), after.find("</g>")) else { break };
        let before = &rest[..at];
        if let Some(svg_at) = before.rfind("<svg") {
            chart = Some(out.len() + svg_at);
        }
        out.push_str(before);
        let filter = &after[..end];
        let body = &after[end + 1..close];
        match filter.split_once('=').and_then(|(name, code)| href(name, code)) {
            Some(Link { href: link, purpose }) => {
                let label =
                    body.split_once("data-label=\"").and_then(|(_, l)| l.split_once('"')).map_or("", |(l, _)| l);
                let inside = body.split_once('>').map_or("", |(_, inside)| inside);
                let (link, purpose) = (escape(&link), escape(&purpose));
                // A bar is named by its own text (its label and value), and says where it
                // leads in its title; a commune, with no text, by its label.
                if inside.contains("<text") {
                    let _ = write!(
                        out,
                        "<a href=\"{link}\" tabindex=\"-1\" data-filter=\"{filter}\"><title>{label} — {purpose}</title>{inside}</a>"
                    );
                } else {
                    let _ = write!(
                        out,
                        "<a href=\"{link}\" tabindex=\"-1\" data-filter=\"{filter}\" aria-label=\"{label} — {purpose}\">{inside}</a>"
                    );
                }
                if linked.last() != chart.as_ref() {
                    linked.extend(chart);
                }
            }
            None => out.push_str(&rest[at..at + MARK.len() + close + "</g>".len()]),
        }
        rest = &after[close + "</g>".len()..];
    }
    out.push_str(rest);
    // Each linked chart's role: its first `role="img"`, from where it starts.
    const IMAGE: &str = "role=\"img\"";
    let mut grouped = String::with_capacity(out.len() + linked.len() * 2);
    let mut from = 0;
    for start in linked {
        if let Some(role) = out[start..].find(IMAGE).map(|r| start + r).filter(|&r| r >= from) {
            grouped.push_str(&out[from..role]);
            grouped.push_str("role=\"group\"");
            from = role + IMAGE.len();
        }
    }
    grouped.push_str(&out[from..]);
    grouped
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

/// The geography's communes that have a boundary, for tests.
pub fn mapped_communes(geography: &Geography) -> usize {
    basemap(geography).communes.iter().filter(|c| geography.commune_by_pcode(&c.pcode).is_some()).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::Catalog;

    #[test]
    fn outlines_lose_the_points_no_one_can_see_and_keep_the_rest() {
        let line = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 5.0), (4.0, 0.0)];
        assert_eq!(simplified(&line, 0.3), vec![(0.0, 0.0), (2.0, -0.1), (3.0, 5.0), (4.0, 0.0)]);
        let ring = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)];
        assert_eq!(simplified(&ring, 0.3), ring.to_vec(), "a ring's corners stay");
    }

    #[test]
    fn class_limits_cover_the_values_without_repeats() {
        assert_eq!(class_limits(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), vec![2, 4, 6, 8, 10]);
        assert_eq!(class_limits(&[0, 3, 3, 3]), vec![3]);
        assert!(class_limits(&[0, 0]).is_empty());
    }

    #[test]
    fn every_commune_of_the_geography_has_a_boundary() {
        assert_eq!(mapped_communes(&Catalog::builtin().geography), 701);
    }

    #[test]
    fn charts_keep_text_as_text() {
        let svg = bars("Auteurs", &[("Personnes armées".into(), 225)], &[], &|v| v.to_string(), "Source : Vigie");
        assert!(svg.contains(">Personnes armées</text>") && svg.contains(">225</text>"));
    }

    #[test]
    fn marked_bars_become_links_named_for_a_screen_reader_and_the_rest_is_kept() {
        let items = [("FAMa".to_owned(), 3), ("Civils".to_owned(), 2)];
        let svg = bars(
            "Auteurs",
            &items,
            &["perpetrator=FAMA".into(), "perpetrator=CIVILIAN".into()],
            &|v| v.to_string(),
            "",
        );
        let unlinked = link_filters(&svg, &|_, _| None);
        assert_eq!(unlinked, svg, "nothing linked: nothing changed");
        let linked = link_filters(&svg, &|name, code| {
            (code == "FAMA").then(|| Link {
                href: format!("/violations?{name}={code}&a=b"),
                purpose: "liste des violations".into(),
            })
        });
        assert!(linked.contains(
            "<a href=\"/violations?perpetrator=FAMA&amp;a=b\" tabindex=\"-1\" data-filter=\"perpetrator=FAMA\"><title>FAMa: 3 — liste des violations</title><text"
        ), "{linked}");
        assert!(linked.contains("<g data-filter=\"perpetrator=CIVILIAN\" data-label=\"Civils: 2\">"));
        assert!(linked.contains("role=\"group\"") && !linked.contains("role=\"img\""), "a group of links now");
        assert_eq!(linked.matches("</a>").count(), 1);
        assert_eq!(linked.matches("</g>").count(), svg.matches("</g>").count() - 1);
    }
}
