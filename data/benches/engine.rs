//! Criterion benchmarks of the engine on the demo city: locate (grid + beat, random order),
//! the full overlap matrix, and one incremental matrix update.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use onemap_demo::{generate, DemoConfig};
use onemap_index::{Layer, Snapshot};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

fn engine(c: &mut Criterion) {
    let snapshot = Snapshot::build(generate(&DemoConfig::default()), 1);
    let b = snapshot.bounds();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let points: Vec<[f64; 2]> = (0..100_000)
        .map(|_| [rng.random_range(b[0]..b[2]), rng.random_range(b[1]..b[3])])
        .collect();

    let mut group = c.benchmark_group("locate");
    group.throughput(Throughput::Elements(points.len() as u64));
    group.bench_function("grid+beat, 100k random points", |bench| {
        bench.iter(|| {
            points
                .iter()
                .map(|p| snapshot.locate_pair(p[0], p[1])[0] as u64)
                .sum::<u64>()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("overlaps");
    group.sample_size(10);
    group.bench_function("full grid × beat matrix", |bench| {
        bench.iter(|| black_box(snapshot.full_matrix()))
    });
    let grid = snapshot
        .layer(Layer::Grid)
        .find(|g| g.level() == Some(3))
        .map(|g| g.id.clone())
        .unwrap_or_default();
    group.bench_function("update after one grid edit", |bench| {
        bench.iter(|| black_box(snapshot.updated_matrix(&snapshot, &[(Layer::Grid, grid.clone())])))
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
