//! The tracers' writer: lines in order, keeping the first write error for `flush`.

use std::io::{self, Write};

/// Lines in order; a write error is kept and reported by [`Output::flush`].
#[derive(Debug)]
pub(crate) struct Output<W> {
    writer: W,
    error: Option<io::Error>,
}

impl<W: Write> Output<W> {
    pub fn new(writer: W) -> Self {
        Output {
            writer,
            error: None,
        }
    }

    /// Writes `bytes` after everything written so far.
    pub fn write(&mut self, bytes: &[u8]) {
        if self.error.is_none() {
            if let Err(e) = self.writer.write_all(bytes) {
                self.error = Some(e);
            }
        }
    }

    /// Flushes; reports the first write error.
    pub fn flush(&mut self) -> io::Result<()> {
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
