use super::Coords;

/// A cluster as read from or written to a file: element symbols and positions (Å).
#[derive(Clone, Debug, PartialEq)]
pub struct Structure {
    /// Element symbol of every atom.
    pub symbols: Vec<String>,
    /// Positions in Å.
    pub positions: Coords,
    /// Free-text comment (the second line of an xyz file, without extended-xyz keys).
    pub comment: String,
}

impl Structure {
    /// A one-element cluster.
    pub fn new(element: &str, positions: Coords, comment: impl Into<String>) -> Self {
        Structure {
            symbols: vec![element.to_string(); positions.len()],
            positions,
            comment: comment.into(),
        }
    }

    /// Number of atoms.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// True for zero atoms.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}
