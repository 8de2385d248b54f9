use geo::{Area, BoundingRect, GeodesicArea};
use onemap_data::demo::{generate, DemoConfig};
use onemap_index::*;
use std::time::Instant;

fn stats(config: &DemoConfig) {
    let t = Instant::now();
    let city = generate(config);
    eprintln!("generate: {:?}", t.elapsed());
    for l in 0..4u8 {
        let fs: Vec<&Feature> = city
            .layer(Layer::Grid)
            .filter(|f| f.level() == Some(l))
            .collect();
        let mut v: Vec<usize> = fs
            .iter()
            .flat_map(|f| {
                f.area()
                    .unwrap()
                    .iter()
                    .map(|p| p.exterior().0.len() - 1)
                    .collect::<Vec<_>>()
            })
            .collect();
        v.sort();
        let holes: usize = fs
            .iter()
            .map(|f| {
                f.area()
                    .unwrap()
                    .iter()
                    .map(|p| p.interiors().len())
                    .sum::<usize>()
            })
            .sum();
        let multi = fs.iter().filter(|f| f.area().unwrap().0.len() > 1).count();
        let n = v.len();
        eprintln!("level {l}: {} features, vertices min {} p5 {} p50 {} p95 {} max {}, in 20..=100: {:.3}, holes {holes}, multi {multi}", fs.len(), v[0], v[n/20], v[n/2], v[n*19/20], v[n-1], v.iter().filter(|&&x| (20..=100).contains(&x)).count() as f64 / n as f64);
    }
    for setting in [Setting::Urban, Setting::Rural] {
        for kind in [GridKind::Comprehensive, GridKind::Exclusive] {
            let mut a: Vec<f64> = city.layer(Layer::Grid).filter(|f| matches!(&f.attributes, Attributes::Grid{level:3, setting: Some(s), kind: k, ..} if *s == setting && *k == kind)).map(|f| f.area().unwrap().geodesic_area_unsigned()/1e6).collect();
            if a.is_empty() {
                continue;
            }
            a.sort_by(f64::total_cmp);
            let n = a.len();
            eprintln!(
                "{setting:?} {kind:?}: n {n} km² p5 {:.3} p50 {:.3} p95 {:.3}",
                a[n / 20],
                a[n / 2],
                a[n * 19 / 20]
            );
        }
    }
    let mut b: Vec<f64> = city
        .layer(Layer::Beat)
        .map(|f| f.area().unwrap().geodesic_area_unsigned() / 1e6)
        .collect();
    b.sort_by(f64::total_cmp);
    eprintln!(
        "beats km² p5 {:.2} p50 {:.2} p95 {:.2}",
        b[b.len() / 20],
        b[b.len() / 2],
        b[b.len() * 19 / 20]
    );
    let total: f64 = city
        .layer(Layer::Grid)
        .filter(|f| f.level() == Some(0))
        .map(|f| f.area().unwrap().geodesic_area_unsigned() / 1e6)
        .sum();
    let bbox = city
        .layer(Layer::Grid)
        .filter(|f| f.level() == Some(0))
        .map(|f| f.area().unwrap().bounding_rect().unwrap())
        .reduce(|a, b| {
            geo_types::Rect::new(
                (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
            )
        })
        .unwrap();
    eprintln!(
        "city {total:.0} km², bbox {:?}; features {} people {}",
        bbox,
        city.features.len(),
        city.people.len()
    );
    let names: Vec<&str> = city
        .features
        .iter()
        .step_by(city.features.len() / 40)
        .map(|f| f.name.as_str())
        .collect();
    eprintln!("{names:?}");
    let _ = city
        .layer(Layer::Grid)
        .map(|f| f.area().unwrap().unsigned_area())
        .sum::<f64>();
}

#[test]
fn default_stats() {
    stats(&DemoConfig::default());
}
#[test]
#[ignore]
fn province_stats() {
    stats(&DemoConfig::with_grids(300_000));
}

fn svg(city: &City, bbox: [f64; 4], px: f64, path: &str) {
    use std::fmt::Write;
    let [x0, y0, x1, y1] = bbox;
    let sx = px / (x1 - x0);
    let h = (y1 - y0) * sx * 1.14;
    let mut s = format!("<svg xmlns='http://www.w3.org/2000/svg' width='{px}' height='{h}'><rect width='100%' height='100%' fill='white'/>");
    let tf = |c: &geo_types::Coord| ((c.x - x0) * sx, (y1 - c.y) * sx * 1.14);
    let draw = |s: &mut String, f: &Feature, color: &str, width: f64, fill: &str| {
        for p in f.area().unwrap() {
            for r in std::iter::once(p.exterior()).chain(p.interiors()) {
                let pts: Vec<String> =
                    r.0.iter()
                        .map(|c| {
                            let (x, y) = tf(c);
                            format!("{x:.1},{y:.1}")
                        })
                        .collect();
                write!(
                    s,
                    "<polygon points='{}' fill='{fill}' stroke='{color}' stroke-width='{width}'/>",
                    pts.join(" ")
                )
                .unwrap();
            }
        }
    };
    for f in city.layer(Layer::Grid).filter(|f| f.level() == Some(3)) {
        let fill = match &f.attributes {
            Attributes::Grid {
                kind: GridKind::Exclusive,
                ..
            } => "#ffd080",
            Attributes::Grid {
                setting: Some(Setting::Urban),
                ..
            } => "#e8eef8",
            _ => "#eef8e8",
        };
        draw(&mut s, f, "#999", 0.3, fill);
    }
    for f in city.layer(Layer::Beat) {
        draw(&mut s, f, "#e33", 0.6, "none");
    }
    for f in city.layer(Layer::Grid).filter(|f| f.level() == Some(2)) {
        draw(&mut s, f, "#333", 0.8, "none");
    }
    for f in city.layer(Layer::Grid).filter(|f| f.level() == Some(1)) {
        draw(&mut s, f, "#000", 2.0, "none");
    }
    for f in city.layer(Layer::Grid).filter(|f| f.level() == Some(0)) {
        draw(&mut s, f, "#00a", 4.0, "none");
    }
    for f in city.layer(Layer::Camera).step_by(5) {
        let (x, y) = tf(&f.point().unwrap().0);
        write!(s, "<circle cx='{x:.1}' cy='{y:.1}' r='0.8' fill='#0a0'/>").unwrap();
    }
    s.push_str("</svg>");
    std::fs::write(path, s).unwrap();
}

#[test]
fn pictures() {
    let city = generate(&DemoConfig::default());
    svg(
        &city,
        [120.9, 28.12, 121.94, 29.12],
        2000.0,
        "/tmp/city.svg",
    );
    svg(
        &city,
        [121.36, 28.62, 121.48, 28.70],
        2000.0,
        "/tmp/centre.svg",
    );
    svg(&city, [121.6, 28.8, 121.8, 28.95], 2000.0, "/tmp/rural.svg");
}
