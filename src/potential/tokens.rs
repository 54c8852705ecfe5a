//! A reader of tabulated potential files that remembers where every number came from, so
//! that each error names the file, the line and what was expected.

use super::PotentialError;
use std::path::Path;

pub(crate) struct Tokens<'a> {
    path: &'a Path,
    lines: Vec<&'a str>,
    /// Index of the next line not yet touched.
    next_line: usize,
    /// Tokens left over from a partly consumed line, with its 1-based number.
    pending: Vec<&'a str>,
    pending_line: usize,
    /// Whether the text ends with a line break (a file written whole does).
    whole: bool,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(path: &'a Path, text: &'a str) -> Self {
        Tokens {
            path,
            lines: text.lines().collect(),
            next_line: 0,
            pending: Vec::new(),
            pending_line: 0,
            whole: text.is_empty() || text.ends_with('\n'),
        }
    }

    pub(crate) fn error(&self, line: usize, message: impl Into<String>) -> PotentialError {
        PotentialError::Parse {
            path: self.path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    /// The next whole line (a header line), with its 1-based number.
    pub(crate) fn line(&mut self, what: &str) -> Result<(usize, &'a str), PotentialError> {
        self.pending.clear();
        match self.lines.get(self.next_line) {
            Some(l) => {
                self.next_line += 1;
                Ok((self.next_line, l))
            }
            None => Err(self.error(
                self.lines.len(),
                format!("file ends here; expected {what} on the next line"),
            )),
        }
    }

    /// `count` numbers, read across as many lines as they take. `what` names the block and
    /// `why` says where its length comes from (for the truncation message).
    pub(crate) fn values(
        &mut self,
        count: usize,
        what: &str,
        why: &str,
    ) -> Result<Vec<f64>, PotentialError> {
        let mut out = Vec::with_capacity(count);
        let start_line = if self.pending.is_empty() {
            self.next_line + 1
        } else {
            self.pending_line
        };
        while out.len() < count {
            if self.pending.is_empty() {
                let Some(l) = self.lines.get(self.next_line) else {
                    return Err(self.error(
                        self.lines.len(),
                        format!(
                            "file is truncated: it ends after {} of the {count} values of {what} that start at line {start_line} ({why})",
                            out.len()
                        ),
                    ));
                };
                self.next_line += 1;
                self.pending_line = self.next_line;
                self.pending = l.split_whitespace().rev().collect();
                continue;
            }
            let tok = self.pending.pop().unwrap_or_default();
            let v: f64 = tok.parse().map_err(|_| {
                self.error(
                    self.pending_line,
                    format!(
                        "'{tok}' is not a number; expected value {} of the {count} values of {what}",
                        out.len() + 1
                    ),
                )
            })?;
            if !v.is_finite() {
                return Err(self.error(
                    self.pending_line,
                    format!(
                        "'{tok}' is not a finite number (value {} of {what})",
                        out.len() + 1
                    ),
                ));
            }
            out.push(v);
        }
        Ok(out)
    }

    /// Fail if anything but blank lines follows the last block.
    pub(crate) fn finish(&mut self, expected: &str) -> Result<(), PotentialError> {
        let extra_here = self.pending.len();
        if extra_here > 0 {
            return Err(self.error(
                self.pending_line,
                format!(
                    "{extra_here} value(s) beyond the end of the data; the header announces {expected}"
                ),
            ));
        }
        let rest: usize = self.lines[self.next_line..]
            .iter()
            .map(|l| l.split_whitespace().count())
            .sum();
        if rest == 0 && !self.whole {
            // A number cut at the end of the file still parses ("1.5E-10" losing "E-10"
            // is 1.5): a file that does not end with a line break may have lost its tail.
            let last = self.lines.last().copied().unwrap_or_default();
            return Err(self.error(
                self.lines.len(),
                format!(
                    "the file does not end with a line break, so its last number ('{}') may \
                     have been cut off (a copy or download that stopped early); potential files \
                     written whole end with one: check the file, then add the line break",
                    last.split_whitespace().last().unwrap_or_default()
                ),
            ));
        }
        if rest > 0 {
            let first = self.next_line
                + self.lines[self.next_line..]
                    .iter()
                    .position(|l| !l.trim().is_empty())
                    .unwrap_or(0)
                + 1;
            return Err(self.error(
                first,
                format!(
                    "{rest} value(s) beyond the end of the data; the header announces {expected}"
                ),
            ));
        }
        Ok(())
    }
}

/// Parse one header field as a number.
pub(crate) fn field<T: std::str::FromStr>(
    t: &Tokens,
    line: usize,
    tok: Option<&str>,
    what: &str,
) -> Result<T, PotentialError> {
    let tok = tok.ok_or_else(|| t.error(line, format!("line is too short; expected {what}")))?;
    tok.parse()
        .map_err(|_| t.error(line, format!("'{tok}' is not valid for {what}")))
}
