//! GPS points to communes: point-in-polygon on the geography's commune boundaries, found through
//! an R-tree of their bounding boxes.

use geo::{
    BoundingRect, Closest, ClosestPoint, Contains, Coord, Distance, Haversine, LineString, MultiPolygon, Point, Polygon,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use vigie_core::geography::{CommuneId, Geography};

use crate::GazetteerError;

/// Each commune's outline, and an R-tree of their bounding boxes. A point is tested only against
/// the few outlines whose box holds it.
pub struct Boundaries {
    outlines: Vec<(CommuneId, MultiPolygon<f64>)>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
}

impl Boundaries {
    /// The geography's outlines, read once per process and geography (a placer is made for
    /// every import and every submission; reading 1.3 MB of outlines each time is not needed).
    pub fn shared(geography: &Geography) -> Result<std::sync::Arc<Boundaries>, GazetteerError> {
        use std::collections::HashMap;
        use std::sync::{Arc, LazyLock, Mutex};
        static READ: LazyLock<Mutex<HashMap<String, Arc<Boundaries>>>> = LazyLock::new(Mutex::default);
        let mut read = READ.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(boundaries) = read.get(&geography.name) {
            return Ok(Arc::clone(boundaries));
        }
        let boundaries = Arc::new(Boundaries::new(geography)?);
        read.insert(geography.name.clone(), Arc::clone(&boundaries));
        Ok(boundaries)
    }

    /// Reads the communes' outlines (polygons and multipolygons, the commune's P-code in the
    /// `admin3Pcode` property): `boundaries/admin3_full.geojson.gz` when the geography has it
    /// (points near a border fall on the right side of it), else the simplified outlines drawn
    /// for maps. A feature naming no commune of the geography is an error.
    pub fn new(geography: &Geography) -> Result<Boundaries, GazetteerError> {
        let json = match &geography.boundaries.admin3_full {
            Some(gzipped) => {
                let file = "boundaries/admin3_full.geojson.gz";
                let error = |message: String| GazetteerError { file: file.into(), message };
                let mut text = String::new();
                std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gzipped[..]), &mut text)
                    .map_err(|e| error(e.to_string()))?;
                (file, serde_json::from_str(&text).map_err(|e| error(e.to_string()))?)
            }
            None => {
                let file = "boundaries/admin3.geojson";
                let parsed = serde_json::from_str(&geography.boundaries.admin3)
                    .map_err(|e| GazetteerError { file: file.into(), message: e.to_string() })?;
                (file, parsed)
            }
        };
        let (file, json): (&str, serde_json::Value) = json;
        let error = |message: String| GazetteerError { file: file.into(), message };
        let features = json["features"].as_array().ok_or_else(|| error("no features".into()))?;
        let mut outlines = Vec::with_capacity(features.len());
        for (i, feature) in features.iter().enumerate() {
            let pcode = feature["properties"]["admin3Pcode"].as_str().unwrap_or_default();
            let commune = geography
                .commune_by_pcode(pcode)
                .ok_or_else(|| error(format!("feature {i}: no commune has the P-code `{pcode}`")))?;
            let geometry = &feature["geometry"];
            let polygons = match geometry["type"].as_str() {
                Some("Polygon") => vec![polygon(&geometry["coordinates"])],
                Some("MultiPolygon") => {
                    geometry["coordinates"].as_array().map(|p| p.iter().map(polygon).collect()).unwrap_or_default()
                }
                other => return Err(error(format!("feature {i} ({pcode}): geometry {other:?} is not a polygon"))),
            };
            outlines.push((commune, MultiPolygon(polygons)));
        }
        let boxes = outlines
            .iter()
            .enumerate()
            .filter_map(|(i, (_, outline))| {
                let rect = outline.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners(rect.min().x_y().into(), rect.max().x_y().into()),
                    i as u32,
                ))
            })
            .collect();
        Ok(Boundaries { outlines, tree: RTree::bulk_load(boxes) })
    }

    /// The box holding every outline: (south, north), (west, east).
    pub fn bounds(&self) -> ((f64, f64), (f64, f64)) {
        let envelope = self.tree.root().envelope();
        let ([west, south], [east, north]) = (envelope.lower(), envelope.upper());
        ((south, north), (west, east))
    }

    /// The commune whose outline holds the point (latitude, longitude), if any.
    pub fn commune_at(&self, lat: f64, lon: f64) -> Option<CommuneId> {
        let point = Point::new(lon, lat);
        self.tree
            .locate_all_at_point(&[lon, lat])
            .map(|b| &self.outlines[b.data as usize])
            .find(|(_, outline)| outline.contains(&point))
            .map(|(commune, _)| *commune)
    }

    /// How far (km, along the Earth's surface) the point lies from the commune's outline; 0
    /// inside it.
    pub fn distance_km(&self, commune: CommuneId, lat: f64, lon: f64) -> f64 {
        let point = Point::new(lon, lat);
        self.outlines
            .iter()
            .filter(|(c, _)| *c == commune)
            .map(|(_, outline)| outline_km(outline, point))
            .fold(f64::INFINITY, f64::min)
    }

    /// The commune whose outline is nearest the point, and how far it is (km).
    pub fn nearest(&self, lat: f64, lon: f64) -> Option<(CommuneId, f64)> {
        let point = Point::new(lon, lat);
        // Boxes within a degree (over 100 km): enough for a point near a border or the coast of
        // a lake, without measuring every commune.
        // Far from every box (a point in another country), every outline is measured.
        let near = AABB::from_corners([lon - 1.0, lat - 1.0], [lon + 1.0, lat + 1.0]);
        let measure = |(commune, outline): &(CommuneId, MultiPolygon<f64>)| (*commune, outline_km(outline, point));
        let nearest = |found: &mut dyn Iterator<Item = (CommuneId, f64)>| found.min_by(|a, b| a.1.total_cmp(&b.1));
        nearest(&mut self.tree.locate_in_envelope_intersecting(&near).map(|b| measure(&self.outlines[b.data as usize])))
            .or_else(|| nearest(&mut self.outlines.iter().map(measure)))
    }
}

fn outline_km(outline: &MultiPolygon<f64>, point: Point<f64>) -> f64 {
    if outline.contains(&point) {
        return 0.0;
    }
    match outline.closest_point(&point) {
        Closest::Intersection(_) => 0.0,
        Closest::SinglePoint(nearest) => Haversine.distance(point, nearest) / 1000.0,
        Closest::Indeterminate => f64::INFINITY,
    }
}

fn polygon(rings: &serde_json::Value) -> Polygon<f64> {
    let ring = |ring: &serde_json::Value| -> LineString<f64> {
        ring.as_array()
            .map(|points| {
                points
                    .iter()
                    .map(|p| Coord { x: p[0].as_f64().unwrap_or(0.0), y: p[1].as_f64().unwrap_or(0.0) })
                    .collect()
            })
            .unwrap_or_else(|| LineString::new(Vec::new()))
    };
    let mut rings = rings.as_array().map(|r| r.iter().map(ring).collect::<Vec<_>>()).unwrap_or_default().into_iter();
    Polygon::new(rings.next().unwrap_or_else(|| LineString::new(Vec::new())), rings.collect())
}
