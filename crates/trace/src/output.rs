//! The tracers' writer: lines in order, with the lines after a held CALL kept back until
//! the CALL's own line can be written (see the crate documentation).

use crate::engine::HOLD_LIMIT;
use std::io::{self, Write};

#[derive(Debug)]
struct Held {
    /// The held instruction's line with its estimated cost (written if memory runs short).
    estimate: Vec<u8>,
    /// Everything written after it.
    after: Vec<u8>,
    /// Already written out with the estimate.
    spilled: bool,
}

/// Lines in order, with holds.
#[derive(Debug)]
pub(crate) struct Output<W> {
    writer: W,
    held: Vec<Held>,
    held_bytes: usize,
    limit: usize,
    error: Option<io::Error>,
}

impl<W: Write> Output<W> {
    pub fn new(writer: W) -> Self {
        Output {
            writer,
            held: Vec::new(),
            held_bytes: 0,
            limit: HOLD_LIMIT,
            error: None,
        }
    }

    #[cfg(test)]
    pub fn with_limit(writer: W, limit: usize) -> Self {
        Output {
            limit,
            ..Output::new(writer)
        }
    }

    fn write_direct(&mut self, bytes: &[u8]) {
        if self.error.is_none() {
            if let Err(e) = self.writer.write_all(bytes) {
                self.error = Some(e);
            }
        }
    }

    /// Writes `bytes` after everything written so far.
    pub fn write(&mut self, bytes: &[u8]) {
        match self.held.last_mut() {
            Some(h) if !h.spilled => {
                h.after.extend_from_slice(bytes);
                self.held_bytes += bytes.len();
                if self.held_bytes > self.limit {
                    self.spill();
                }
            }
            _ => self.write_direct(bytes),
        }
    }

    /// Holds an instruction's line until [`Output::release`]; `estimate` is the line to
    /// write if it must go out early.
    pub fn hold(&mut self, estimate: Vec<u8>) {
        self.held_bytes += estimate.len();
        self.held.push(Held {
            estimate,
            after: Vec::new(),
            spilled: false,
        });
    }

    /// Releases the innermost hold with its final line.
    pub fn release(&mut self, line: &[u8]) {
        let Some(h) = self.held.pop() else {
            self.write(line);
            return;
        };
        if h.spilled {
            return;
        }
        self.held_bytes -= h.estimate.len() + h.after.len();
        self.write(line);
        self.write(&h.after);
    }

    /// Writes out every hold with its estimated line.
    fn spill(&mut self) {
        let mut held = std::mem::take(&mut self.held);
        for h in held.iter_mut().filter(|h| !h.spilled) {
            self.write_direct(&h.estimate);
            self.write_direct(&h.after);
            h.after = Vec::new();
            h.spilled = true;
        }
        self.held = held;
        self.held_bytes = 0;
    }

    /// Writes out what is held (estimates for unfinished CALLs) and flushes.
    pub fn flush(&mut self) -> io::Result<()> {
        if self.held.iter().any(|h| !h.spilled) {
            self.spill();
        }
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.writer.flush()
    }

    pub fn into_inner(mut self) -> W {
        let _ = self.flush();
        self.writer
    }

    pub fn get_ref(&self) -> &W {
        &self.writer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_keep_order() {
        let mut o = Output::new(Vec::new());
        o.write(b"a");
        o.hold(b"B?".to_vec());
        o.write(b"c");
        o.hold(b"D?".to_vec());
        o.write(b"e");
        o.release(b"D");
        o.write(b"f");
        o.release(b"B");
        o.write(b"g");
        assert_eq!(o.into_inner(), b"aBcDefg");
    }

    #[test]
    fn spills_past_the_limit() {
        let mut o = Output::with_limit(Vec::new(), 4);
        o.write(b"a");
        o.hold(b"B?".to_vec());
        o.write(b"c");
        o.hold(b"D?".to_vec());
        o.write(b"eee");
        // over the limit: both holds went out with their estimates
        o.write(b"f");
        o.release(b"D");
        o.write(b"g");
        o.release(b"B");
        assert_eq!(o.into_inner(), b"aB?cD?eeefg");
    }
}
