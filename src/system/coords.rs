/// Cartesian coordinates (or forces, velocities) of `n` atoms, stored as a structure of
/// arrays in one buffer: `[x_0 … x_{n−1}, y_0 … y_{n−1}, z_0 … z_{n−1}]`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Coords {
    n: usize,
    data: Vec<f64>,
}

impl Coords {
    /// `n` atoms at the origin (or zero forces).
    pub fn zeros(n: usize) -> Self {
        Coords {
            n,
            data: vec![0.0; 3 * n],
        }
    }

    /// From a list of points.
    pub fn from_points(points: &[[f64; 3]]) -> Self {
        let mut c = Coords::zeros(points.len());
        for (i, p) in points.iter().enumerate() {
            c.set(i, *p);
        }
        c
    }

    /// Number of atoms.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True for zero atoms.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The x components.
    pub fn x(&self) -> &[f64] {
        &self.data[..self.n]
    }

    /// The y components.
    pub fn y(&self) -> &[f64] {
        &self.data[self.n..2 * self.n]
    }

    /// The z components.
    pub fn z(&self) -> &[f64] {
        &self.data[2 * self.n..]
    }

    /// The three component slices, mutable.
    pub fn xyz_mut(&mut self) -> (&mut [f64], &mut [f64], &mut [f64]) {
        let (x, rest) = self.data.split_at_mut(self.n);
        let (y, z) = rest.split_at_mut(self.n);
        (x, y, z)
    }

    /// All 3n numbers as one vector (component-major).
    pub fn as_flat(&self) -> &[f64] {
        &self.data
    }

    /// All 3n numbers as one mutable vector (component-major).
    pub fn as_flat_mut(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// Atom `i` as a point.
    pub fn get(&self, i: usize) -> [f64; 3] {
        [
            self.data[i],
            self.data[self.n + i],
            self.data[2 * self.n + i],
        ]
    }

    /// Set atom `i`.
    pub fn set(&mut self, i: usize, p: [f64; 3]) {
        self.data[i] = p[0];
        self.data[self.n + i] = p[1];
        self.data[2 * self.n + i] = p[2];
    }

    /// All atoms as points.
    pub fn to_points(&self) -> Vec<[f64; 3]> {
        (0..self.n).map(|i| self.get(i)).collect()
    }

    /// Set every component to `v`.
    pub fn fill(&mut self, v: f64) {
        self.data.fill(v);
    }

    /// Geometric centre (the centre of mass for equal masses).
    pub fn centroid(&self) -> [f64; 3] {
        let n = self.n.max(1) as f64;
        [
            self.x().iter().sum::<f64>() / n,
            self.y().iter().sum::<f64>() / n,
            self.z().iter().sum::<f64>() / n,
        ]
    }

    /// Move every atom by `d`.
    pub fn translate(&mut self, d: [f64; 3]) {
        let (x, y, z) = self.xyz_mut();
        x.iter_mut().for_each(|v| *v += d[0]);
        y.iter_mut().for_each(|v| *v += d[1]);
        z.iter_mut().for_each(|v| *v += d[2]);
    }

    /// Distance between atoms `i` and `j`.
    pub fn distance(&self, i: usize, j: usize) -> f64 {
        let (a, b) = (self.get(i), self.get(j));
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    }

    /// Smallest interatomic distance (infinite for fewer than two atoms).
    pub fn min_distance(&self) -> f64 {
        let mut d2 = f64::INFINITY;
        let (x, y, z) = (self.x(), self.y(), self.z());
        for i in 0..self.n {
            for j in i + 1..self.n {
                let r2 = (x[i] - x[j]).powi(2) + (y[i] - y[j]).powi(2) + (z[i] - z[j]).powi(2);
                d2 = d2.min(r2);
            }
        }
        d2.sqrt()
    }
}
