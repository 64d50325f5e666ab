//! Placing rows on Mali's embedded 2015 geography, its boundaries and its gazetteer.

use vigie_core::Catalog;
use vigie_place::{How, Level, PlaceError, Placer, Query, Warning};

fn placer() -> Placer<'static> {
    Placer::new(&Catalog::builtin().geography).expect("the embedded gazetteer reads")
}

fn pcode(placer: &Placer<'_>, query: Query<'_>) -> (String, How) {
    let placed = placer.place(&query).unwrap_or_else(|e| panic!("{query:?}: {e}"));
    (placer.pcodes(placed.commune)[2].to_owned(), placed.how)
}

#[test]
fn codes_names_and_aliases_give_the_commune() {
    let p = placer();
    fn q<'a>(admin1: Option<&'a str>, admin2: Option<&'a str>, admin3: Option<&'a str>) -> Query<'a> {
        Query { admin1, admin2, admin3, ..Query::default() }
    }
    assert_eq!(pcode(&p, q(None, None, Some("ml010112"))), ("ML010112".into(), How::Code));
    assert_eq!(pcode(&p, q(None, None, Some("KAYES COMMUNE"))), ("ML010112".into(), How::Name));
    // "Kayes Commune" is "Kayes" once the word for its kind is left out.
    assert_eq!(pcode(&p, q(None, None, Some("Kayes"))), ("ML010112".into(), How::Name));
    assert_eq!(pcode(&p, q(None, None, Some("Barouéli"))), ("ML040101".into(), How::Alias));
    assert_eq!(pcode(&p, q(None, None, Some("n’tjiba"))), ("ML020527".into(), How::Name));
    assert_eq!(pcode(&p, q(Some("Timbuktu"), None, Some("Ber"))), ("ML060102".into(), How::Name));
    assert_eq!(pcode(&p, q(None, None, Some("Timbuktu"))), ("ML060106".into(), How::Alias));
    // "Bamba" is a commune of three cercles: the cercle, or the region, decides.
    let ambiguous = p.place(&q(None, None, Some("bamba"))).expect_err("three communes are called Bamba");
    assert!(
        matches!(&ambiguous, PlaceError::Ambiguous { level: Level::Admin3, candidates, .. } if candidates.len() > 1)
    );
    let region_of = |admin1: &str| pcode(&p, q(Some(admin1), None, Some("Bamba")));
    assert_ne!(region_of("ML07").0, region_of("Mopti").0);
    // `ML10`, Ménaka's reporting region, is no 2015 admin1: it is checked, not looked up.
    assert_eq!(pcode(&p, q(Some("ML10"), None, Some("ML070403"))), ("ML070403".into(), How::Code));
    assert!(p.place(&q(Some("ML10"), None, Some("ML070403"))).expect("placed").warnings.is_empty());
    let elsewhere = p.place(&q(Some("ML10"), None, Some("ML010101"))).expect("placed by its code");
    assert!(
        matches!(&elsewhere.warnings[..], [Warning::Parent { level: Level::Admin1, .. }]),
        "{:?}",
        elsewhere.warnings
    );
    let unknown = p.place(&q(None, None, Some("Atlantis"))).expect_err("no such commune");
    assert_eq!((unknown.field(), unknown.value()), ("admin3", "Atlantis".to_owned()));
}

#[test]
fn a_gps_point_gives_the_commune_it_lies_in() {
    let p = placer();
    let geography = &Catalog::builtin().geography;
    // Each commune's reference point, where it lies inside the simplified outline, comes back
    // to that commune.
    let mut back = 0;
    for (i, commune) in geography.communes.iter().enumerate() {
        let (lat, lon) = (commune.unit.lat, commune.unit.lon);
        if p.boundaries().distance_km(vigie_core::geography::CommuneId(i as u16), lat, lon) == 0.0 {
            let query = Query { point: Some((lat, lon)), ..Query::default() };
            assert_eq!(pcode(&p, query), (commune.unit.pcode.clone(), How::Gps));
            back += 1;
        }
    }
    assert!(back > 650, "only {back} of 701 reference points lie in their commune");
    let outside = p.place(&Query { point: Some((0.0, 0.0)), ..Query::default() }).expect_err("the Gulf of Guinea");
    assert!(matches!(outside, PlaceError::Outside { km, .. } if km > 500.0), "{outside:?}");
}

#[test]
fn what_disagrees_is_a_warning_with_the_distance() {
    let p = placer();
    let geography = &Catalog::builtin().geography;
    let kidal = geography.communes.iter().find(|c| c.unit.name == "Kidal").expect("Kidal");
    // Bangassi (Kayes) given as a code, with a GPS point in Kidal, some 1 400 km away.
    let placed = p
        .place(&Query { admin3: Some("ML010101"), point: Some((kidal.unit.lat, kidal.unit.lon)), ..Query::default() })
        .expect("the code places the row");
    assert_eq!((p.pcodes(placed.commune)[2], placed.how), ("ML010101", How::Code));
    match &placed.warnings[..] {
        [Warning::PointElsewhere { point_in, km, .. }] => {
            assert!(point_in.contains(&kidal.unit.pcode), "{point_in}");
            assert!((1000.0..2000.0).contains(km), "{km} km");
        }
        other => panic!("{other:?}"),
    }
    // A cercle that does not hold the commune.
    let placed =
        p.place(&Query { admin2: Some("ML0101"), admin3: Some("ML040101"), ..Query::default() }).expect("placed");
    assert!(matches!(&placed.warnings[..], [Warning::Parent { level: Level::Admin2, .. }]), "{:?}", placed.warnings);
    assert!(placed.warnings[0].to_string().contains("Baroueli (ML0401)"), "{}", placed.warnings[0]);
}

#[test]
fn a_village_gives_its_commune_and_coordinates() {
    let p = placer();
    let placed = p.place(&Query { locality: Some("MOUSSAWEL"), ..Query::default() }).expect("Moussawel");
    assert_eq!((p.pcodes(placed.commune)[2], placed.how), ("ML050101", How::Locality));
    assert_eq!(placed.point, Some((14.66952, -3.99699)));
    // A commune given and a village in it: the village's point is the row's.
    let placed =
        p.place(&Query { admin3: Some("Bangassi"), locality: Some("Bangassi"), ..Query::default() }).expect("placed");
    assert_eq!((placed.how, placed.point), (How::Name, Some((14.54056, -11.4875))));
    let bangassi = p.place(&Query { locality: Some("Bangassi"), ..Query::default() }).expect_err("eleven villages");
    assert!(matches!(bangassi, PlaceError::AmbiguousLocality { count: 11, .. }), "{bangassi}");
    let nowhere = p.place(&Query { admin1: Some("Kayes"), ..Query::default() }).expect_err("a region is not a commune");
    assert!(nowhere.to_string().contains("only the region Kayes (ML01)"), "{nowhere}");
}

fn q<'a>(admin1: Option<&'a str>, admin2: Option<&'a str>, admin3: Option<&'a str>) -> Query<'a> {
    Query { admin1, admin2, admin3, ..Query::default() }
}

/// Names as people write them: numerals either way, the words for a kind of unit left out,
/// the regions of the current division (Ménaka), a cercle's other spellings.
#[test]
fn numerals_kinds_of_unit_menaka_and_cercle_spellings_are_read() {
    let p = placer();
    assert_eq!(pcode(&p, q(None, None, Some("Dougoutene II"))), ("ML050708".into(), How::Name));
    assert_eq!(pcode(&p, q(None, Some("Cercle de Koro"), Some("Dougouténé I"))), ("ML050707".into(), How::Name));
    assert_eq!(pcode(&p, q(Some("Bamako"), None, Some("Commune 2"))), ("ML090102".into(), How::Name));
    assert_eq!(pcode(&p, q(None, None, Some("Commune urbaine de Kayes"))), ("ML010112".into(), How::Name));
    // Ménaka, a region since 2016 and a reporting region here, is no 2015 admin1: by its name it
    // narrows to its communes, and is checked against them.
    assert_eq!(pcode(&p, q(Some("Menaka"), None, Some("Inekar"))), ("ML070402".into(), How::Name));
    let placed = p.place(&q(Some("Région de Ménaka"), None, Some("ML070403"))).expect("placed");
    assert!(placed.warnings.is_empty(), "{:?}", placed.warnings);
    let elsewhere = p.place(&q(Some("Ménaka"), None, Some("ML010101"))).expect("placed by its code");
    assert!(
        matches!(&elsewhere.warnings[..], [Warning::Parent { level: Level::Admin1, .. }]),
        "{:?}",
        elsewhere.warnings
    );
    // A cercle spelled as its chief town is.
    let baroueli = p.place(&q(None, Some("Baraoueli"), Some("Boidie"))).expect("placed");
    assert_eq!(p.pcodes(baroueli.commune)[1], "ML0401");
    assert!(baroueli.warnings.is_empty(), "{:?}", baroueli.warnings);
}

/// A name known nowhere is taken as the nearest spelling among the communes of the cercle or
/// region given, with a warning; never without a unit above, never across regions, never
/// between two as near.
#[test]
fn a_near_spelling_is_taken_within_the_unit_given_and_said() {
    let p = placer();
    let placed = p.place(&q(Some("Tombouctou"), None, Some("Hamzakoma"))).expect("near Hamzakona");
    assert_eq!((p.pcodes(placed.commune)[2], placed.how), ("ML060404", How::Near));
    let said: Vec<String> = placed.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(said, ["commune `Hamzakoma` taken as Hamzakona (ML060404)"]);
    let cercle = p.place(&q(None, Some("Gourma Rharous"), Some("Hamzakona"))).expect("an exact name");
    assert_eq!(cercle.how, How::Name);
    // No unit above: no guess.
    let alone = p.place(&q(None, None, Some("Hamzakoma"))).expect_err("no unit above");
    assert!(matches!(alone, PlaceError::Unknown { level: Level::Admin3, .. }));
    // Never across regions: Hamzakona is in Tombouctou, not in Gao.
    let across = p.place(&q(Some("Gao"), None, Some("Hamzakoma"))).expect_err("not in Gao");
    assert!(matches!(across, PlaceError::Unknown { level: Level::Admin3, .. }), "{across:?}");
    // Two as near (Dougoutene 1 and 2, one edit from "Dougoutene 3"): no guess.
    let tied = p.place(&q(None, Some("Koro"), Some("Dougoutene 3"))).expect_err("two as near");
    assert!(matches!(tied, PlaceError::Unknown { .. }), "{tied:?}");
    // A name of another region's commune, one edit from a commune of the cercle given: the
    // cercle's, mistyped (Fakala in Djenné, not Fakola in Kolondiéba).
    let typo = p.place(&q(Some("Mopti"), Some("Djenne"), Some("Fakola"))).expect("near Fakala");
    assert_eq!((p.pcodes(typo.commune)[2], typo.how), ("ML050504", How::Near));
    // Near none of the cercle's: the name wins, the cercle given is a warning.
    let elsewhere = p.place(&q(Some("Mopti"), Some("Djenne"), Some("Kolondieba"))).expect("a name");
    assert_eq!((p.pcodes(elsewhere.commune)[1], elsewhere.how), ("ML0303", How::Name));
    assert!(matches!(elsewhere.warnings[..], [Warning::Parent { .. }, ..]), "{:?}", elsewhere.warnings);
    // A cercle too, within its region.
    let cercle = p.place(&q(Some("Segou"), Some("Barouelli"), Some("Boidie"))).expect("near Baroueli");
    assert_eq!(p.pcodes(cercle.commune)[1], "ML0401");
}

/// Points are placed on the full-resolution commune outlines: a village near a border that the
/// simplified outlines (drawn for maps) put in the neighbouring commune lands in its own.
#[test]
fn a_point_near_a_border_falls_in_the_commune_of_the_full_outlines() {
    let p = placer();
    // Diakalel (COD populated places ML010101008) lies in Bangassi; the simplified outlines put
    // it in Kayes Commune.
    let placed = p.place(&Query { point: Some((14.45943, -11.45754)), ..Query::default() }).expect("placed");
    assert_eq!((p.pcodes(placed.commune)[2], placed.how), ("ML010101", How::Gps));
    assert!(placed.warnings.is_empty(), "{:?}", placed.warnings);
}
