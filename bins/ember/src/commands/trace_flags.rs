//! The tracing flags `ember run` and `ember statetest` share (`--json`, `--trace`,
//! `--trace.format`, `--nomemory`, ...), as geth's `evm` spells them.

use std::io::{self, BufWriter};

use ember_trace::{TraceConfig, TraceFormat, Tracer};

fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "true" | "1" | "t" | "T" | "TRUE" | "True" => Ok(true),
        "false" | "0" | "f" | "F" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("invalid boolean value {s:?}")),
    }
}

/// The tracing flags of geth's `evm` (for `run` and `statetest`).
#[derive(Debug, Clone, clap::Args)]
pub struct TraceArgs {
    /// Trace every instruction to stderr.
    #[arg(long)]
    pub trace: bool,

    /// Trace format: json (EIP-3155 lines, as geth) or struct (geth's human-readable log).
    #[arg(long = "trace.format", value_name = "FORMAT", default_value = "json", value_parser = parse_format)]
    pub format: TraceFormat,

    /// Same as --trace --trace.format=json.
    #[arg(long)]
    pub json: bool,

    /// Leave memory out of the trace (default true; --trace.nomemory=false adds it).
    #[arg(long = "trace.nomemory", visible_alias = "nomemory", value_name = "BOOL",
          num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = parse_bool)]
    pub nomemory: bool,

    /// Leave the return data out of the trace (default true).
    #[arg(long = "trace.noreturndata", visible_alias = "noreturndata", value_name = "BOOL",
          num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = parse_bool)]
    pub noreturndata: bool,

    /// Leave the stack out of the trace.
    #[arg(long = "trace.nostack", visible_alias = "nostack", value_name = "BOOL",
          num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = parse_bool)]
    pub nostack: bool,

    /// Leave storage out of the struct trace.
    #[arg(long = "trace.nostorage", visible_alias = "nostorage", value_name = "BOOL",
          num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = parse_bool)]
    pub nostorage: bool,
}

fn parse_format(s: &str) -> Result<TraceFormat, String> {
    s.parse()
}

impl TraceArgs {
    /// The trace format, when tracing is on.
    pub fn format(&self) -> Option<TraceFormat> {
        if self.json {
            Some(TraceFormat::Json)
        } else if self.trace {
            Some(self.format)
        } else {
            None
        }
    }

    /// What trace lines carry.
    pub fn config(&self) -> TraceConfig {
        TraceConfig {
            memory: !self.nomemory,
            stack: !self.nostack,
            return_data: !self.noreturndata,
            storage: !self.nostorage,
        }
    }

    /// A tracer writing to stderr, when tracing is on.
    pub fn tracer(&self) -> Option<Tracer<BufWriter<io::Stderr>>> {
        self.format().map(|format| {
            Tracer::new(
                format,
                BufWriter::with_capacity(1 << 16, io::stderr()),
                self.config(),
            )
        })
    }
}
