use onemap_data::demo::{generate, DemoConfig};
use onemap_index::{Layer, Shape, Snapshot};
use std::time::Instant;

fn main() {
    let city = generate(&DemoConfig::default());
    let t = Instant::now();
    let s = Snapshot::build(city, 1);
    println!("build {:?}", t.elapsed());
    let t = Instant::now();
    let _tiler = onemap_server::tilesource::build_tiler(&s);
    println!("tiler {:?}", t.elapsed());
    let tiles = onemap_server::tilesource::Tiles::new(&s, 1 << 20);
    for round in 0..3 {
        let mut city = s.to_city();
        let f = city
            .features
            .iter_mut()
            .filter(|f| f.layer() == Layer::Grid && f.level() == Some(3))
            .nth(100 + round)
            .unwrap();
        if let Shape::Area(mp) = &mut f.shape {
            let c = &mut mp.0[0].exterior_mut(|r| {
                let n = r.0.len();
                r.0[n / 2].x += 1e-5;
            });
            let _ = c;
        }
        let id = f.id.clone();
        let t = Instant::now();
        let n = s.next(city, 2, &[(Layer::Grid, id)]);
        println!("next {:?}", t.elapsed());
        let t = Instant::now();
        tiles.refresh(&n, &[]);
        println!("tiler {:?}", t.elapsed());
    }
}
