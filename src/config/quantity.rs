//! Quantities with units in the input: a bare number in the default unit, or a string
//! "value unit" (`"2 fs"`, `"1.5 ps"`, `"300 K"`, `"-2.58 eV"`, `"12 A"`).

use serde::Deserialize;

/// A number as written in the input, with or without a unit.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Quantity {
    /// A bare number, in the key's default unit.
    Number(f64),
    /// "value unit".
    Text(String),
}

/// A physical dimension and its units (factor to pelt's internal unit).
#[derive(Clone, Copy, Debug)]
pub enum Dimension {
    /// Internal unit fs.
    Time,
    /// Internal unit eV.
    Energy,
    /// Internal unit K.
    Temperature,
    /// Internal unit Å.
    Length,
    /// Internal unit eV/Å.
    Force,
    /// Internal unit eV/Å².
    Stiffness,
}

impl Dimension {
    fn units(self) -> &'static [(&'static str, f64)] {
        match self {
            Dimension::Time => &[("fs", 1.0), ("ps", 1e3), ("ns", 1e6)],
            Dimension::Energy => &[("eV", 1.0), ("meV", 1e-3)],
            Dimension::Temperature => &[("K", 1.0)],
            Dimension::Length => &[("A", 1.0), ("Å", 1.0), ("Angstrom", 1.0), ("nm", 10.0)],
            Dimension::Force => &[("eV/A", 1.0), ("eV/Å", 1.0)],
            Dimension::Stiffness => &[("eV/A^2", 1.0), ("eV/Å^2", 1.0), ("eV/Å²", 1.0)],
        }
    }

    /// The default unit (first in the list).
    pub fn default_unit(self) -> &'static str {
        self.units()[0].0
    }

    fn listing(self) -> String {
        self.units()
            .iter()
            .map(|(u, _)| *u)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Quantity {
    /// The value in pelt's internal unit of `dim`, or a message saying what was expected.
    pub fn value(&self, dim: Dimension) -> Result<f64, String> {
        let v = match self {
            Quantity::Number(x) => *x,
            Quantity::Text(s) => {
                let s = s.trim();
                let split = s.find(|c: char| c.is_whitespace()).unwrap_or(s.len());
                let (num, unit) = s.split_at(split);
                let unit = unit.trim();
                let x: f64 = num.parse().map_err(|_| {
                    format!(
                        "\"{s}\" is not a number followed by a unit ({})",
                        dim.listing()
                    )
                })?;
                if unit.is_empty() {
                    x
                } else {
                    let (_, f) = dim
                        .units()
                        .iter()
                        .find(|(u, _)| *u == unit)
                        .ok_or_else(|| {
                            format!(
                                "unknown unit \"{unit}\" in \"{s}\"; expected one of {}",
                                dim.listing()
                            )
                        })?;
                    x * f
                }
            }
        };
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("{v} is not a finite number"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert() {
        let q = |s: &str| Quantity::Text(s.into());
        assert_eq!(q("2 fs").value(Dimension::Time), Ok(2.0));
        assert_eq!(q("1.5 ps").value(Dimension::Time), Ok(1500.0));
        assert_eq!(q("-2.58 eV").value(Dimension::Energy), Ok(-2.58));
        assert_eq!(q("1.2 nm").value(Dimension::Length), Ok(12.0));
        assert_eq!(
            Quantity::Number(300.0).value(Dimension::Temperature),
            Ok(300.0)
        );
        assert!(q("2 fortnights")
            .value(Dimension::Time)
            .unwrap_err()
            .contains("fs, ps, ns"));
        assert!(q("two fs").value(Dimension::Time).is_err());
    }
}
