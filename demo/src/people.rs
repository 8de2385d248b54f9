//! The people who answer for grids, beats and stations.

use super::names;
use onemap_index::{Person, Role};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Everyone hired so far, numbered in order of hiring.
pub(super) struct Roster {
    rng: ChaCha8Rng,
    people: Vec<Person>,
    /// Digits of the person ids, so they all have the same length and sort as numbers.
    width: usize,
}

impl Roster {
    /// A roster for at most `expected` people.
    pub fn new(rng: ChaCha8Rng, expected: usize) -> Roster {
        Roster {
            rng,
            people: Vec::new(),
            width: super::digits(expected).max(6),
        }
    }

    /// Hires `n` people into `role` and returns their ids.
    pub fn hire(&mut self, role: Role, n: usize) -> Vec<String> {
        (0..n)
            .map(|_| {
                let id = format!("p{:0width$}", self.people.len() + 1, width = self.width);
                self.people.push(Person {
                    id: id.clone(),
                    name: names::person(&mut self.rng),
                    role,
                    phone: names::phone(&mut self.rng),
                    version: 1,
                });
                id
            })
            .collect()
    }

    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    pub fn into_people(self) -> Vec<Person> {
        self.people
    }
}

/// `total` people spread over `slots` as evenly as they go, the odd ones out at random.
pub(super) fn spread(total: usize, slots: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut counts = vec![total / slots; slots];
    let mut lucky: Vec<usize> = (0..slots).collect();
    lucky.shuffle(rng);
    for &s in &lucky[..total % slots] {
        counts[s] += 1;
    }
    counts
}
