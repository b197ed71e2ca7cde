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
//! The interpreter calls [`Inspector::step`] before an instruction and
//! [`Inspector::step_end`] after it, so the tracers hold each instruction back until its
//! cost is known: the gas before it minus the gas after it. Like geth:
//!
//! - a CALL-family instruction costs what the caller paid, the gas it forwarded included
//!   (the callee's unused gas, which returns to the caller after the step, is added back; the
//!   2300 stipend is free to the caller and so not part of the cost);
//! - CREATE and CREATE2 cost their own gas only, without the gas given to the initcode.
//!
//! Both are only known once the callee has finished, so the lines of the callee's frame are
//! held in memory until then and written after the CALL's line, in geth's order. Past
//! [`HOLD_LIMIT`] bytes held, the CALL's line is written at once with an estimate (its own
//! costs that depend on no state, plus the forwarded gas: no cold-access or new-account
//! surcharge) so memory stays bounded.
//!
//! The instruction that ends a frame gets no `step_end`; its cost is worked out from the
//! frame's outcome (RETURN and REVERT: the memory expansion; STOP and SELFDESTRUCT: the gas
//! drop). An instruction that fails reports its static cost plus the dynamic part that
//! depends on no state (memory, copies, EXP, KECCAK256, LOG, a CALL's value transfer and the
//! gas it would forward, computed as geth's `callGas`); geth also counts the state-dependent
//! parts it had computed before failing (SSTORE's cost, cold-access and new-account
//! surcharges), which Ember's inspector hooks do not expose.
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

pub use combine::{Both, Maybe};
pub use engine::HOLD_LIMIT;
pub use json::JsonTracer;
pub use profile::{GasProfiler, Profile};
pub use structlog::StructTracer;

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
            fn step_fault(&mut self, interp: &Interpreter, exit: Exit) {
                match self { $(Tracer::$variant(t) => t.step_fault(interp, exit),)* }
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
