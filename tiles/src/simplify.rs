//! Douglas–Peucker line simplification of a single arc.
//!
//! Douglas–Peucker keeps a subset of the original vertices, always including both ends, so
//! arcs simplified separately still meet at their nodes, and the result never strays further
//! than the tolerance from the original line.

use crate::rings::sub;

/// Pushes onto `keep` the indices of the points of `line` that Douglas–Peucker keeps at
/// `tolerance`, in order. A closed line (first point equals last) is split at its point
/// farthest from the start, since the chord of a loop has no length to measure against.
pub(crate) fn douglas_peucker(line: &[[f64; 2]], tolerance: f64, keep: &mut Vec<u32>) {
    let n = line.len();
    if n <= 2 {
        keep.extend(0..n as u32);
        return;
    }
    let last = n - 1;
    keep.push(0);
    if line[0] == line[last] {
        let far = (1..last)
            .max_by(|&a, &b| dist2(line[a], line[0]).total_cmp(&dist2(line[b], line[0])))
            .unwrap_or(1);
        keep_between(line, 0, far, tolerance, keep);
        keep.push(far as u32);
        keep_between(line, far, last, tolerance, keep);
    } else {
        keep_between(line, 0, last, tolerance, keep);
    }
    keep.push(last as u32);
}

/// Pushes, in order, the indices strictly between `first` and `last` that must stay.
/// Iterative, so that very long arcs cannot overflow the stack.
fn keep_between(line: &[[f64; 2]], first: usize, last: usize, tolerance: f64, keep: &mut Vec<u32>) {
    let tolerance2 = tolerance * tolerance;
    // Ranges still to examine, the leftmost on top so indices come out in order.
    let mut todo = vec![(first, last)];
    while let Some((a, b)) = todo.pop() {
        let farthest = (a + 1..b)
            .map(|i| (i, segment_dist2(line[i], line[a], line[b])))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        match farthest {
            Some((i, d2)) if d2 > tolerance2 => {
                todo.push((i, b));
                todo.push((a, i));
            }
            _ => {
                if a != first {
                    keep.push(a as u32);
                }
            }
        }
    }
}

fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    let d = sub(a, b);
    d[0] * d[0] + d[1] * d[1]
}

/// Squared distance from `p` to the segment `a`–`b` (not the infinite line, which would let
/// a point far beyond an end count as close).
fn segment_dist2(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let ab = sub(b, a);
    let ap = sub(p, a);
    let len2 = ab[0] * ab[0] + ab[1] * ab[1];
    if len2 == 0.0 {
        return dist2(p, a);
    }
    let t = ((ap[0] * ab[0] + ap[1] * ab[1]) / len2).clamp(0.0, 1.0);
    dist2(p, [a[0] + t * ab[0], a[1] + t * ab[1]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(line: &[[f64; 2]], tolerance: f64) -> Vec<u32> {
        let mut keep = Vec::new();
        douglas_peucker(line, tolerance, &mut keep);
        keep
    }

    #[test]
    fn keeps_ends_and_drops_small_wiggles() {
        let line = [[0.0, 0.0], [1.0, 0.1], [2.0, -0.1], [3.0, 5.0], [4.0, 0.0]];
        assert_eq!(kept(&line, 0.5), [0, 2, 3, 4]);
        assert_eq!(kept(&line, 10.0), [0, 4]);
        assert_eq!(kept(&line, 0.0), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn loops_keep_their_far_side() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]];
        assert_eq!(kept(&square, 0.1), [0, 1, 2, 3, 4]);
        assert_eq!(kept(&square, 5.0), [0, 2, 4]);
    }
}
