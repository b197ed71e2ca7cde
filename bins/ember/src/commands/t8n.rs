//! `ember t8n`: the state transition tool, with geth's `evm t8n` interface.
//!
//! ```text
//! ember t8n --input.alloc=stdin|FILE --input.env=stdin|FILE --input.txs=stdin|FILE \
//!     --output.result=stdout|stderr|FILE --output.alloc=stdout|stderr|FILE \
//!     --output.body=stdout|stderr|FILE --output.basedir=DIR \
//!     --state.fork=F --state.chainid=N --state.reward=R
//! ```
//!
//! Inputs named `stdin` come from one JSON object on standard input with the keys `alloc`,
//! `env`, `txs` (or `txsRlp`, the hex RLP list). A transactions file ending in `.rlp` holds
//! that hex string as JSON. Outputs named `stdout`/`stderr` are gathered into one object
//! (`{"alloc", "result", "body"}`) printed there; other names are files in the base
//! directory; an empty name writes nothing. Exit codes as geth: 0 success, 2 execution
//! error, 3 configuration, 4 missing block hash, 10 JSON, 11 I/O, 12 RLP.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ember_blockchain::TxHooks;
use ember_conformance::t8n::{
    transition, transition_inspected, T8nError, T8nOptions, TxsInput, ERROR_IO, ERROR_JSON,
    ERROR_RLP,
};
use ember_primitives::B256;
use ember_trace::{JsonTracer, Maybe, TraceConfig};
use serde::Serialize;
use serde_json::{Map, Value};
use std::io::BufWriter;

/// Arguments of `ember t8n`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// `stdin` or a file with the pre-state allocation.
    #[arg(
        long = "input.alloc",
        default_value = "alloc.json",
        value_name = "stdin|FILE"
    )]
    input_alloc: String,
    /// `stdin` or a file with the block environment.
    #[arg(
        long = "input.env",
        default_value = "env.json",
        value_name = "stdin|FILE"
    )]
    input_env: String,
    /// `stdin` or a file with the transactions (JSON array, or `.rlp` with the hex RLP list).
    #[arg(
        long = "input.txs",
        default_value = "txs.json",
        value_name = "stdin|FILE"
    )]
    input_txs: String,
    /// Where the post-state allocation goes: `stdout`, `stderr`, a file, or empty for none.
    #[arg(
        long = "output.alloc",
        default_value = "alloc.json",
        value_name = "WHERE"
    )]
    output_alloc: String,
    /// Where the result goes: `stdout`, `stderr`, a file, or empty for none.
    #[arg(
        long = "output.result",
        default_value = "result.json",
        value_name = "WHERE"
    )]
    output_result: String,
    /// Where the RLP of the included transactions goes: `stdout`, `stderr`, a file, or empty.
    #[arg(long = "output.body", default_value = "", value_name = "WHERE")]
    output_body: String,
    /// Directory for output files (created when missing).
    #[arg(long = "output.basedir", default_value = "", value_name = "DIR")]
    output_basedir: String,
    /// The fork or transition network (`Cancun`, `Prague`, `Osaka`, `BPO1`, `BPO2`,
    /// `BerlinToLondonAt5`, `OsakaToBPO1AtTime15k`...).
    #[arg(long = "state.fork", default_value = "Prague", value_name = "F")]
    state_fork: String,
    /// The chain id.
    #[arg(long = "state.chainid", default_value_t = 1, value_name = "N")]
    state_chainid: u64,
    /// The block reward in wei; -1 disables rewards (0 still touches the coinbase).
    #[arg(
        long = "state.reward",
        default_value_t = 0,
        allow_negative_numbers = true,
        value_name = "R"
    )]
    state_reward: i64,
    /// Write an EIP-3155 trace of each included transaction to
    /// `<output.basedir>/trace-<index>-<hash>.jsonl`, as geth does.
    #[arg(long)]
    trace: bool,
    /// Include the memory in traces.
    #[arg(long = "trace.memory")]
    trace_memory: bool,
    /// Leave the memory out of traces (the default).
    #[arg(long = "trace.nomemory")]
    trace_nomemory: bool,
    /// Leave the return data out of traces (the default).
    #[arg(long = "trace.noreturndata")]
    trace_noreturndata: bool,
    /// Leave the stack out of traces.
    #[arg(long = "trace.nostack")]
    trace_nostack: bool,
    /// Include the return data in traces.
    #[arg(long = "trace.returndata")]
    trace_returndata: bool,
}

const STDIN: &str = "stdin";

fn io_error(what: &str, e: impl std::fmt::Display) -> T8nError {
    T8nError::new(ERROR_IO, format!("{what}: {e}"))
}

fn read_json_file(path: &str, what: &str) -> Result<Value, T8nError> {
    let text = fs::read_to_string(path)
        .map_err(|e| io_error(&format!("failed reading {what} file"), e))?;
    serde_json::from_str(&text)
        .map_err(|e| T8nError::new(ERROR_JSON, format!("failed unmarshaling {what} file: {e}")))
}

fn rlp_txs(value: &Value) -> Result<TxsInput, T8nError> {
    let hex = value
        .as_str()
        .ok_or_else(|| T8nError::new(ERROR_RLP, "the RLP transactions must be a hex string"))?;
    let digits = hex.strip_prefix("0x").unwrap_or(hex);
    let bytes = ember_primitives::hex::decode(digits)
        .map_err(|e| T8nError::new(ERROR_RLP, format!("invalid RLP hex: {e}")))?;
    Ok(TxsInput::Rlp(bytes.into()))
}

fn inputs(args: &Args) -> Result<(Value, Value, TxsInput), T8nError> {
    let mut stdin_obj = Map::new();
    if [&args.input_alloc, &args.input_env, &args.input_txs]
        .iter()
        .any(|s| s.as_str() == STDIN)
    {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| io_error("failed reading stdin", e))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| T8nError::new(ERROR_JSON, format!("failed unmarshaling stdin: {e}")))?;
        stdin_obj = match value {
            Value::Object(o) => o,
            _ => return Err(T8nError::new(ERROR_JSON, "stdin: expected a JSON object")),
        };
    }
    let alloc = if args.input_alloc == STDIN {
        stdin_obj
            .get("alloc")
            .cloned()
            .unwrap_or(Value::Object(Map::new()))
    } else {
        read_json_file(&args.input_alloc, "alloc")?
    };
    let env = if args.input_env == STDIN {
        stdin_obj
            .get("env")
            .cloned()
            .ok_or_else(|| T8nError::new(ERROR_JSON, "stdin: missing `env`"))?
    } else {
        read_json_file(&args.input_env, "env")?
    };
    let txs = if args.input_txs == STDIN {
        match stdin_obj
            .get("txsRlp")
            .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        {
            Some(rlp) => rlp_txs(rlp)?,
            None => TxsInput::Json(stdin_obj.get("txs").cloned().unwrap_or(Value::Null)),
        }
    } else if args.input_txs.ends_with(".rlp") {
        rlp_txs(&read_json_file(&args.input_txs, "txs")?)?
    } else {
        TxsInput::Json(read_json_file(&args.input_txs, "txs")?)
    };
    Ok((alloc, env, txs))
}

/// The inspector of `--trace`: a JSON tracer while a transaction runs, none otherwise.
type FileTracer = Maybe<JsonTracer<BufWriter<fs::File>>>;

/// Opens `trace-<position>-<hash>.jsonl` before each transaction and closes it after; the
/// file of a rejected transaction is removed (geth names files by the included index).
struct TraceFiles {
    dir: PathBuf,
    config: TraceConfig,
    current: Option<PathBuf>,
    error: Option<io::Error>,
}

impl TxHooks<FileTracer> for TraceFiles {
    fn before_tx(&mut self, inspector: &mut FileTracer, position: usize, hash: B256) {
        let path = self.dir.join(format!("trace-{position}-{hash}.jsonl"));
        match fs::File::create(&path) {
            Ok(file) => {
                inspector.0 = Some(JsonTracer::new(BufWriter::new(file), self.config));
                self.current = Some(path);
            }
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }

    fn after_tx(&mut self, inspector: &mut FileTracer, included: bool) {
        if let Some(mut tracer) = inspector.0.take() {
            if let Err(e) = tracer.flush() {
                self.error.get_or_insert(e);
            }
        }
        if let Some(path) = self.current.take() {
            if !included {
                let _ = fs::remove_file(path);
            }
        }
    }
}

fn to_pretty(value: &Value, indent: &[u8]) -> Result<Vec<u8>, T8nError> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut ser)
        .map_err(|e| T8nError::new(ERROR_JSON, format!("failed marshalling output: {e}")))?;
    Ok(out)
}

fn run_inner(args: &Args) -> Result<(), T8nError> {
    let basedir = PathBuf::from(&args.output_basedir);
    if !args.output_basedir.is_empty() {
        fs::create_dir_all(&basedir).map_err(|e| io_error("failed creating output basedir", e))?;
    }
    let (alloc, env, txs) = inputs(args)?;
    let options = T8nOptions {
        fork: args.state_fork.clone(),
        chain_id: args.state_chainid,
        reward: args.state_reward,
    };
    let output = if args.trace {
        let config = TraceConfig {
            memory: args.trace_memory && !args.trace_nomemory,
            stack: !args.trace_nostack,
            return_data: args.trace_returndata && !args.trace_noreturndata,
            ..TraceConfig::default()
        };
        let mut files = TraceFiles {
            dir: basedir.clone(),
            config,
            current: None,
            error: None,
        };
        let output = transition_inspected(&alloc, &env, &txs, &options, Maybe(None), &mut files)?;
        if let Some(e) = files.error {
            return Err(io_error("failed writing trace", e));
        }
        output
    } else {
        transition(&alloc, &env, &txs, &options)?
    };
    let body = Value::String(format!("0x{}", ember_primitives::hex::encode(&output.body)));
    let mut stdout_obj = Map::new();
    let mut stderr_obj = Map::new();
    for (target, name, value) in [
        (&args.output_alloc, "alloc", output.alloc),
        (&args.output_result, "result", output.result),
        (&args.output_body, "body", body),
    ] {
        match target.as_str() {
            "stdout" => {
                stdout_obj.insert(name.to_string(), value);
            }
            "stderr" => {
                stderr_obj.insert(name.to_string(), value);
            }
            "" => {}
            file => {
                let location: PathBuf = Path::new(&basedir).join(file);
                let text = to_pretty(&value, b" ")?;
                fs::write(&location, text).map_err(|e| io_error("failed writing output", e))?;
            }
        }
    }
    if !stdout_obj.is_empty() {
        let mut text = to_pretty(&Value::Object(stdout_obj), b"  ")?;
        text.push(b'\n');
        io::stdout()
            .write_all(&text)
            .map_err(|e| io_error("failed writing stdout", e))?;
    }
    if !stderr_obj.is_empty() {
        let mut text = to_pretty(&Value::Object(stderr_obj), b"  ")?;
        text.push(b'\n');
        io::stderr()
            .write_all(&text)
            .map_err(|e| io_error("failed writing stderr", e))?;
    }
    Ok(())
}

/// Runs the command and returns its exit status.
pub fn run(args: Args) -> ExitCode {
    match run_inner(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.code)
        }
    }
}
