use onemap_data::demo::{generate, DemoConfig};
use onemap_index::Snapshot;
use std::time::Instant;
fn main() {
    let t = Instant::now();
    let city = generate(&DemoConfig::default());
    println!(
        "generate {:?} features {}",
        t.elapsed(),
        city.features.len()
    );
    let t = Instant::now();
    let s = Snapshot::build(city, 1);
    println!("{}", s.describe_index());
    println!(
        "build {:?} index {} MB settled {:.3}",
        t.elapsed(),
        s.index_bytes() / 1_000_000,
        s.settled_share()
    );
    let t = Instant::now();
    let m = s.full_matrix();
    println!("matrix {:?} rows {}", t.elapsed(), m.len());
    let b = s.bounds();
    let mut x = 0u64;
    let n = 2_000_000;
    let mut state = 1u64;
    let pts: Vec<[f64; 2]> = (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let a = (state >> 11) as f64 / (1u64 << 53) as f64;
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let c = (state >> 11) as f64 / (1u64 << 53) as f64;
            [b[0] + a * (b[2] - b[0]), b[1] + c * (b[3] - b[1])]
        })
        .collect();
    let t = Instant::now();
    for p in &pts {
        x += s.locate_pair(p[0], p[1])[0] as u64;
    }
    println!(
        "locate {:.1} M/s ({x})",
        n as f64 / t.elapsed().as_secs_f64() / 1e6
    );
}
