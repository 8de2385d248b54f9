//! The next snapshot after an edit answers for the edited city, whether or not it could share
//! the previous cell index.

use geo_types::{coord, LineString, MultiPolygon, Polygon};
use onemap_index::{Attributes, City, Feature, GridKind, Layer, Shape, Snapshot};

fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
    let ring = LineString(vec![
        coord! { x: x0, y: y0 },
        coord! { x: x0 + size, y: y0 },
        coord! { x: x0 + size, y: y0 + size },
        coord! { x: x0, y: y0 + size },
        coord! { x: x0, y: y0 },
    ]);
    MultiPolygon(vec![Polygon::new(ring, vec![])])
}

fn grid(id: &str, shape: MultiPolygon<f64>) -> Feature {
    Feature {
        id: id.into(),
        name: id.into(),
        version: 1,
        shape: Shape::Area(shape),
        attributes: Attributes::Grid {
            level: 3,
            parent: None,
            kind: GridKind::Comprehensive,
            category: None,
            setting: None,
        },
        people: Vec::new(),
    }
}

fn city() -> City {
    let mut features: Vec<Feature> = (0..3)
        .map(|i| {
            grid(
                &format!("g{i}"),
                square(121.0 + i as f64 * 0.01, 28.0, 0.01),
            )
        })
        .collect();
    features.push(Feature {
        attributes: Attributes::Beat { station: None },
        ..grid("b0", square(121.0, 28.0, 0.03))
    });
    City {
        features,
        people: Vec::new(),
    }
}

fn grid_at(s: &Snapshot, x: f64, y: f64) -> Option<String> {
    s.locate(x, y).grid.map(|i| s.feature(i).id.clone())
}

#[test]
fn a_rename_keeps_answers_and_a_reshape_changes_them() {
    let first = Snapshot::build(city(), 1);
    assert_eq!(grid_at(&first, 121.015, 28.005).as_deref(), Some("g1"));

    let mut renamed = city();
    renamed.features[1].name = "新名字".into();
    let second = first.next(renamed, 2, &[(Layer::Grid, "g1".into())]);
    assert_eq!(grid_at(&second, 121.015, 28.005).as_deref(), Some("g1"));
    assert_eq!(second.get(Layer::Grid, "g1").unwrap().name, "新名字");

    // g1 shrinks to its western half: the eastern half now lies in no grid.
    let mut reshaped = city();
    reshaped.features[1].shape = Shape::Area(square(121.01, 28.0, 0.005));
    let third = second.next(reshaped, 3, &[(Layer::Grid, "g1".into())]);
    assert_eq!(grid_at(&third, 121.0175, 28.0025), None);
    assert_eq!(grid_at(&third, 121.0125, 28.0025).as_deref(), Some("g1"));
    let row = third.matrix().row("g1").unwrap();
    let area = third.projection().area(&square(121.01, 28.0, 0.005));
    assert!(
        (row[0].area_m2 - area).abs() < 1e-9 * area,
        "the overlap follows the edit: {row:?}, grid {area} m²"
    );
    assert!(row[0].area_m2 < 0.3 * second.matrix().row("g1").unwrap()[0].area_m2);

    // A deleted grid is gone from the answers and from the matrix.
    let mut deleted = city();
    deleted.features.remove(1);
    let fourth = third.next(deleted, 4, &[(Layer::Grid, "g1".into())]);
    assert_eq!(grid_at(&fourth, 121.015, 28.005), None);
    assert!(fourth.matrix().row("g1").is_none());
    assert_eq!(grid_at(&fourth, 121.025, 28.005).as_deref(), Some("g2"));
}
