//! Tracers and profilers for Ember, all of them [`Inspector`]s.
//!
//! - [`JsonTracer`]: the EIP-3155 trace exactly as geth's JSON logger (`evm --json`,
//!   `--trace.format=json`) writes it: one object per instruction, and one
//!   `{"output","gasUsed","error"}` object at the end of every call frame.
//! - [`StructTracer`]: geth's human-readable struct logger (`--trace.format=struct`).
//! - [`GasProfiler`]: gas and execution counts per contract, program counter and opcode,
//!   rendered by [`Profile::to_html`] as one self-contained HTML page.
//! - [`Both`] runs two inspectors, [`Maybe`] an optional one.
//!
//! ```
//! use ember_evm::{address, bytes, AccountInfo, Bytecode, Evm, InMemoryDb, TxEnv, TxKind, U256};
//! use ember_trace::{JsonTracer, TraceConfig};
//!
//! let target = address!("2000000000000000000000000000000000000002");
//! let mut db = InMemoryDb::new();
//! // PUSH1 1, PUSH1 2, ADD, STOP
//! let code = Bytecode::new(bytes!("600160020100"));
//! db.insert_account(target, AccountInfo::with_code(U256::ZERO, 0, code), []);
//! let tracer = JsonTracer::new(Vec::new(), TraceConfig::default());
//! let mut evm = Evm::builder(db).inspector(tracer).build();
//! let tx = TxEnv { kind: TxKind::Call(target), gas_limit: 100_000, ..Default::default() };
//! evm.transact(&tx).unwrap();
//! let trace = String::from_utf8(evm.inspector.into_inner()).unwrap();
//! assert_eq!(trace.lines().count(), 5); // four instructions and the frame's end
//! assert!(trace.starts_with(r#"{"pc":0,"op":96,"gas":"0x13498","gasCost":"0x3","memSize":0,"stack":[],"depth":1,"refund":0,"opName":"PUSH1"}"#));
//! ```
//!
//! # Gas costs
//!
//! No tracer works out an instruction's cost: the interpreter reports what it charged.
//! [`Inspector::step`] comes before an instruction, [`Inspector::step_end`] after one that
//! left the frame running, and [`Inspector::step_exit`] after one that ended the frame or
//! suspended it on a nested call or creation, with what it charged, the charge it failed on
//! included ([`Interpreter::failed_charge`]): every instruction charges all of its cost beyond
//! the static part at once, as the execution specs do. One step recorder serves every tracer
//! here and the node's `debug_trace*`, parametrised by the two places where geth's and
//! anvil's traces differ ([`Flavour`]). Like geth:
//!
//! - a CALL-family instruction costs what the caller paid, the gas it forwarded included
//!   (the 2300 stipend is free to the caller and so not part of the cost); its line is
//!   written when it suspends the frame, before the callee's lines;
//! - CREATE and CREATE2 cost their own gas only, without the gas given to the initcode;
//! - an instruction that fails reports its whole cost (static and dynamic: memory, copies,
//!   hashing, account access, the gas a CALL would forward), except that geth checks the
//!   stack before any gas, so a failing stack check reports the static cost.
//!
//! Like geth's, the refund shown for SSTORE and SELFDESTRUCT already includes their own
//! refund change (geth applies it in their gas function, before tracing), and an instruction
//! that fails while running (REVERT, a bad jump, a write in a static call, an undefined
//! opcode) is written twice, the second time with its operands popped, its memory expanded
//! and its `error` (geth's `OnFault`). Frames running empty code trace nothing.
#![deny(missing_docs)]

mod combine;
mod engine;
pub mod errors;
mod hex;
pub mod html;
mod json;
mod output;
pub mod profile;
mod structlog;
mod structlogs;

pub use combine::{Both, Maybe};
pub use engine::Flavour;
pub use json::JsonTracer;
pub use profile::{GasProfiler, Profile};
pub use structlog::StructTracer;
pub use structlogs::{StepConfig, StructLog, StructLogRecorder};

use ember_interpreter::{
    CallInputs, CallOutcome, CreateInputs, CreateOutcome, Exit, Inspector, Interpreter, Log,
};
use ember_primitives::{Address, U256};
use std::io::Write;

/// What a trace line carries besides the always-present fields; defaults as geth's `evm`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceConfig {
    /// Include the memory (`--trace.nomemory=false`). Off by default.
    pub memory: bool,
    /// Include the stack (off with `--trace.nostack`). On by default.
    pub stack: bool,
    /// Include the return data of the last call (`--trace.noreturndata=false`). Off by
    /// default.
    pub return_data: bool,
    /// Include the storage read and written so far (struct format, SLOAD and SSTORE only;
    /// off with `--trace.nostorage`). On by default.
    pub storage: bool,
}

impl Default for TraceConfig {
    fn default() -> Self {
        TraceConfig {
            memory: false,
            stack: true,
            return_data: false,
            storage: true,
        }
    }
}

/// The trace formats geth's `evm` offers and Ember implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TraceFormat {
    /// EIP-3155 JSON lines ([`JsonTracer`]).
    #[default]
    Json,
    /// geth's human-readable struct log ([`StructTracer`]).
    Struct,
}

impl std::str::FromStr for TraceFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "json" => Ok(TraceFormat::Json),
            "struct" => Ok(TraceFormat::Struct),
            other => Err(format!(
                "unknown trace format: {other:?} (known: json, struct)"
            )),
        }
    }
}

/// A tracer of either format, chosen at run time.
#[derive(Debug)]
pub enum Tracer<W: Write> {
    /// JSON lines.
    Json(JsonTracer<W>),
    /// Struct log.
    Struct(StructTracer<W>),
}

impl<W: Write> Tracer<W> {
    /// A tracer writing `format` to `writer`.
    pub fn new(format: TraceFormat, writer: W, config: TraceConfig) -> Self {
        match format {
            TraceFormat::Json => Tracer::Json(JsonTracer::new(writer, config)),
            TraceFormat::Struct => Tracer::Struct(StructTracer::new(writer, config)),
        }
    }

    /// Writes out anything held back and flushes the writer.
    pub fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Tracer::Json(t) => t.flush(),
            Tracer::Struct(t) => t.flush(),
        }
    }

    /// Flushes and gives back the writer.
    pub fn into_inner(self) -> W {
        match self {
            Tracer::Json(t) => t.into_inner(),
            Tracer::Struct(t) => t.into_inner(),
        }
    }
}

macro_rules! forward_inspector {
    ($($variant:ident),*) => {
        impl<W: Write> Inspector for Tracer<W> {
            fn step(&mut self, interp: &Interpreter) {
                match self { $(Tracer::$variant(t) => t.step(interp),)* }
            }
            fn step_end(&mut self, interp: &Interpreter) {
                match self { $(Tracer::$variant(t) => t.step_end(interp),)* }
            }
            fn step_exit(&mut self, interp: &Interpreter, exit: Exit) {
                match self { $(Tracer::$variant(t) => t.step_exit(interp, exit),)* }
            }
            fn call(&mut self, inputs: &CallInputs, depth: usize) {
                match self { $(Tracer::$variant(t) => t.call(inputs, depth),)* }
            }
            fn call_end(&mut self, inputs: &CallInputs, outcome: &CallOutcome, depth: usize) {
                match self { $(Tracer::$variant(t) => t.call_end(inputs, outcome, depth),)* }
            }
            fn create(&mut self, inputs: &CreateInputs, depth: usize) {
                match self { $(Tracer::$variant(t) => t.create(inputs, depth),)* }
            }
            fn create_end(&mut self, inputs: &CreateInputs, outcome: &CreateOutcome, depth: usize) {
                match self { $(Tracer::$variant(t) => t.create_end(inputs, outcome, depth),)* }
            }
            fn log(&mut self, log: &Log) {
                match self { $(Tracer::$variant(t) => t.log(log),)* }
            }
            fn selfdestruct(&mut self, address: Address, target: Address, value: U256) {
                match self { $(Tracer::$variant(t) => t.selfdestruct(address, target, value),)* }
            }
        }
    };
}
forward_inspector!(Json, Struct);
