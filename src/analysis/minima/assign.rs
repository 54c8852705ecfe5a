//! The assignment problem: the permutation π minimising Σ_i c[i][π(i)] for a square cost
//! matrix, by the Hungarian method in its O(n³) shortest-augmenting-path form with dual
//! potentials (Kuhn 1955; Munkres 1957; the form of Jonker & Volgenant 1987). Rows are added
//! one at a time; each addition runs a Dijkstra search over reduced costs c − u − v ≥ 0 and
//! flips the alternating path it finds.

/// The optimal assignment of rows to columns of the `n × n` cost matrix `cost` (row-major,
/// finite): `result[i]` is the column of row i.
pub fn assign(cost: &[f64], n: usize) -> Vec<usize> {
    assert_eq!(cost.len(), n * n, "assign: cost is not n × n");
    // 1-based indices; column 0 is the virtual start of every search.
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; n + 1];
    let mut row_of = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    let mut minv = vec![0.0; n + 1];
    let mut used = vec![false; n + 1];
    for i in 1..=n {
        row_of[0] = i;
        let mut j0 = 0;
        minv.fill(f64::INFINITY);
        used.fill(false);
        loop {
            used[j0] = true;
            let i0 = row_of[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=n {
                if used[j] {
                    continue;
                }
                let reduced = cost[(i0 - 1) * n + j - 1] - u[i0] - v[j];
                if reduced < minv[j] {
                    minv[j] = reduced;
                    way[j] = j0;
                }
                if minv[j] < delta {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[row_of[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if row_of[j0] == 0 {
                break;
            }
        }
        // Flip the alternating path back to the start.
        loop {
            let j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut col_of = vec![0; n];
    for j in 1..=n {
        col_of[row_of[j] - 1] = j - 1;
    }
    col_of
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(cost: &[f64], n: usize, p: &[usize]) -> f64 {
        (0..n).map(|i| cost[i * n + p[i]]).sum()
    }

    fn permutations(n: usize) -> Vec<Vec<usize>> {
        if n == 0 {
            return vec![vec![]];
        }
        let mut out = Vec::new();
        for p in permutations(n - 1) {
            for k in 0..n {
                let mut q = p.clone();
                q.insert(k, n - 1);
                out.push(q);
            }
        }
        out
    }

    /// Against brute force over all n! permutations, n ≤ 7, random costs with ties.
    #[test]
    fn matches_brute_force() {
        let mut r = crate::rng::stream(77, 0);
        for n in 1..=7 {
            for _ in 0..20 {
                let cost: Vec<f64> = (0..n * n)
                    .map(|_| (crate::rng::uniform(&mut r) * 5.0).floor())
                    .collect();
                let p = assign(&cost, n);
                let mut seen = vec![false; n];
                for &j in &p {
                    assert!(!seen[j], "not a permutation: {p:?}");
                    seen[j] = true;
                }
                let best = permutations(n)
                    .iter()
                    .map(|q| total(&cost, n, q))
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(total(&cost, n, &p), best, "n {n}");
            }
        }
    }
}
