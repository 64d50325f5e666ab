//! GPS points to communes at scale: 1 M random points in Mali's bounding box, each placed by
//! point-in-polygon against the 701 commune outlines (R-tree of their boxes, then the outline).
//!
//! `cargo bench -p vigie-place --bench locate` (points in `VIGIE_BENCH_POINTS`, default
//! 1 000 000). Target (issue 13): at least 1 M points/s.

#![allow(clippy::unwrap_used)]

use std::time::Instant;

use rand::{Rng, SeedableRng};
use vigie_core::Catalog;
use vigie_place::Placer;

fn main() {
    let points: usize = std::env::var("VIGIE_BENCH_POINTS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let geography = &Catalog::builtin().geography;
    let start = Instant::now();
    let placer = Placer::new(geography).unwrap();
    println!("gazetteer and boundaries indexed in {:.1} ms", start.elapsed().as_secs_f64() * 1e3);

    // The bounding box of the commune outlines.
    let (lat, lon) = placer.boundaries().bounds();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
    let sample: Vec<(f64, f64)> =
        (0..points).map(|_| (rng.random_range(lat.0..lat.1), rng.random_range(lon.0..lon.1))).collect();
    println!("{points} points in lat {:.2}..{:.2}, lon {:.2}..{:.2}", lat.0, lat.1, lon.0, lon.1);

    for run in 1..=3 {
        let start = Instant::now();
        let inside = sample.iter().filter(|(lat, lon)| placer.boundaries().commune_at(*lat, *lon).is_some()).count();
        let seconds = start.elapsed().as_secs_f64();
        println!(
            "run {run}: {:.2} s, {:.2} M points/s on one thread, {inside} inside a commune ({:.0} %)",
            seconds,
            points as f64 / seconds / 1e6,
            100.0 * inside as f64 / points as f64
        );
    }
}
