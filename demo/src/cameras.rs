//! Cameras of the smart-community and Sharp Eyes programmes (智慧小区, 雪亮工程): clusters at
//! residential compounds, most of them in the city.

use super::label::Labels;
use super::layout::Layout;
use super::mesh::{in_disc, Mesh, ATOM_INNER_RADIUS};
use super::names::{self, pick};
use super::{digits, draw_weighted};
use geo_types::Point;
use onemap_index::{Attributes, CameraStatus, Feature, Shape};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The share of compounds in the urban area.
const URBAN_COMPOUNDS: f64 = 0.85;

/// Cameras per compound.
const PER_COMPOUND: std::ops::RangeInclusive<usize> = 3..=30;

/// The share of cameras that are offline.
const OFFLINE: f64 = 0.05;

/// Camera kinds with their Chinese name and how common they are.
const KINDS: [(&str, &str, f64); 4] = [
    ("gun", "枪机", 0.45),
    ("dome", "球机", 0.30),
    ("face", "人脸抓拍", 0.13),
    ("plate", "车牌识别", 0.12),
];

/// Where in a compound or village a camera hangs.
const URBAN_SPOTS: &[&str] = &[
    "东门",
    "西门",
    "南门",
    "北门",
    "地下车库入口",
    "中心广场",
    "儿童乐园",
    "围墙",
    "非机动车棚",
];
const RURAL_SPOTS: &[&str] = &[
    "村口",
    "文化礼堂",
    "村委会",
    "桥头",
    "祠堂",
    "路口",
    "停车场",
];

/// `count` cameras in compounds: each compound is one atom, a city block or a village centre.
pub(super) fn draw(
    mesh: &Mesh,
    layout: &Layout,
    labels: &Labels,
    count: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Feature> {
    let (urban, rural): (Vec<u32>, Vec<u32>) =
        (0..mesh.atoms() as u32).partition(|&a| layout.urban[a as usize]);
    let width = digits(count).max(5);
    let mut cameras = Vec::with_capacity(count);
    while cameras.len() < count {
        let in_city = rural.is_empty() || (!urban.is_empty() && rng.random_bool(URBAN_COMPOUNDS));
        let atoms = if in_city { &urban } else { &rural };
        let atom = atoms[rng.random_range(0..atoms.len())];
        let compound = if in_city {
            names::compound(rng)
        } else {
            labels.communities[layout.communities.of_atom[atom as usize] as usize].clone()
        };
        let size = rng.random_range(PER_COMPOUND).min(count - cameras.len());
        for _ in 0..size {
            let id = format!("cam{:0width$}", cameras.len() + 1);
            cameras.push(camera(id, mesh, atom, &compound, in_city, rng));
        }
    }
    cameras
}

/// One camera somewhere in `atom`, at a spot of `compound`.
fn camera(
    id: String,
    mesh: &Mesh,
    atom: u32,
    compound: &str,
    in_city: bool,
    rng: &mut ChaCha8Rng,
) -> Feature {
    let &(kind, title, _) = draw_weighted(rng, &KINDS, |k| k.2);
    let spot = match in_city {
        true if rng.random_bool(0.4) => format!("{}号楼", rng.random_range(1..=30)),
        true => pick(rng, URBAN_SPOTS).to_string(),
        false => pick(rng, RURAL_SPOTS).to_string(),
    };
    let at = mesh.point_in_atom(atom, in_disc(rng, ATOM_INNER_RADIUS));
    let status = if rng.random_bool(OFFLINE) {
        CameraStatus::Offline
    } else {
        CameraStatus::Online
    };
    Feature {
        id,
        name: format!("{compound}{spot}{title}"),
        version: 1,
        shape: Shape::Point(Point(at)),
        attributes: Attributes::Camera {
            kind: kind.to_string(),
            status,
            // Domes turn; the others look one way.
            heading: (kind != "dome").then(|| f64::from(rng.random_range(0..360))),
            range_m: rng
                .random_bool(0.9)
                .then(|| f64::from(rng.random_range(4..=30) * 5)),
        },
        people: Vec::new(),
    }
}
