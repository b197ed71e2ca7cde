//! [`StructLogRecorder`]: one struct log per instruction, kept in memory, as
//! `debug_traceTransaction`'s default tracer returns them, from the shared step recorder.

use crate::engine::{Cost, Engine, Fault, FrameEnd, Sink, Step};
use crate::Flavour;
use ember_bytecode::opcode::{SLOAD, SSTORE};
use ember_interpreter::{
    CallInputs, CallOutcome, CreateInputs, CreateOutcome, Exit, Inspector, Interpreter,
};
use ember_primitives::{Address, Bytes, U256};
use std::collections::{BTreeMap, HashMap};

/// What the struct logger records besides the always-present fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepConfig {
    /// Record struct logs at all.
    pub enabled: bool,
    /// The stack of each step.
    pub stack: bool,
    /// The memory of each step.
    pub memory: bool,
    /// The return data of the last call, at each step.
    pub return_data: bool,
    /// The storage seen so far, at SLOAD and SSTORE.
    pub storage: bool,
}

/// One instruction as `debug_traceTransaction`'s default tracer reports it.
#[derive(Clone, Debug)]
pub struct StructLog {
    /// Program counter.
    pub pc: usize,
    /// Opcode.
    pub op: u8,
    /// Gas before it.
    pub gas: u64,
    /// What it cost, as the [`Flavour`] reports it.
    pub gas_cost: u64,
    /// Call depth, 1 for the transaction's frame.
    pub depth: usize,
    /// Why it failed: revm's name of the failure in [`Flavour::Revm`], geth's text otherwise.
    pub error: Option<String>,
    /// The stack, bottom first.
    pub stack: Option<Vec<U256>>,
    /// The memory.
    pub memory: Option<Vec<u8>>,
    /// The last call's return data.
    pub return_data: Option<Bytes>,
    /// The storage of the frame's account seen so far (SLOAD and SSTORE only).
    pub storage: Option<BTreeMap<U256, U256>>,
    /// The refund counter: the frame's own, as an unsigned cast, in [`Flavour::Revm`] (as
    /// revm's tracer reports it); the transaction's in [`Flavour::Geth`].
    pub refund: u64,
}

/// An inspector that records [`StructLog`]s in memory (when [`StepConfig::enabled`]) and,
/// always, how the last instruction of each frame failed: the failure a call frame reports.
#[derive(Debug)]
pub struct StructLogRecorder {
    engine: Engine<LogSink>,
}

#[derive(Debug)]
struct LogSink {
    config: StepConfig,
    flavour: Flavour,
    logs: Vec<StructLog>,
    storage: HashMap<Address, BTreeMap<U256, U256>>,
    /// The error of the last instruction reported.
    last_error: Option<String>,
    /// How the frame that ended last ended its last instruction.
    failure: Option<String>,
}

impl StructLogRecorder {
    /// A recorder of `flavour`'s struct logs, as `config` says.
    pub fn new(flavour: Flavour, config: StepConfig) -> Self {
        StructLogRecorder {
            engine: Engine::with_flavour(
                LogSink {
                    config,
                    flavour,
                    logs: Vec::new(),
                    storage: HashMap::new(),
                    last_error: None,
                    failure: None,
                },
                flavour,
            ),
        }
    }

    /// The struct logs so far, in execution order.
    pub fn logs(&self) -> &[StructLog] {
        &self.engine.sink.logs
    }

    /// How the last instruction of the frame that ended last failed (its [`StructLog::error`]),
    /// taken: read it in `call_end`/`create_end` after forwarding them here.
    pub fn take_failure(&mut self) -> Option<String> {
        self.engine.sink.failure.take()
    }
}

impl Sink for LogSink {
    fn wants_stack(&self) -> bool {
        self.config.enabled && self.config.stack
    }
    fn wants_memory(&self) -> bool {
        self.config.enabled && self.config.memory
    }
    fn wants_return_data(&self) -> bool {
        self.config.enabled && self.config.return_data
    }

    fn step(&mut self, step: &Step, cost: Cost, fault: Fault<'_>, after: Option<&Interpreter>) {
        let error = match fault {
            Fault::None => None,
            Fault::Before(e) | Fault::During(e) => Some(e.to_string()),
            Fault::Revm(name) => Some(name.to_string()),
        };
        self.last_error = error.clone();
        if !self.config.enabled {
            return;
        }
        let mut storage = None;
        if self.config.storage && (step.op == SLOAD || step.op == SSTORE) {
            let slots = self.storage.entry(step.address).or_default();
            if let Some(after) = after {
                if step.op == SLOAD {
                    // The value read is what SLOAD left on the stack.
                    if let Some(value) = after.stack.data().last() {
                        slots.insert(step.peek(0), *value);
                    }
                } else if step.stack_len >= 2 {
                    slots.insert(step.peek(0), step.peek(1));
                }
            }
            storage = Some(slots.clone());
        }
        let refund = match self.flavour {
            Flavour::Revm => step.frame_refund as u64,
            Flavour::Geth => step.refund,
        };
        self.logs.push(StructLog {
            pc: step.pc,
            op: step.op,
            gas: step.gas,
            gas_cost: cost.reported,
            depth: step.depth,
            error,
            stack: self.config.stack.then(|| step.stack.clone()),
            memory: self.config.memory.then(|| step.memory.clone()),
            return_data: self.config.return_data.then(|| step.return_data.clone()),
            storage,
            refund,
        });
    }

    fn frame_end(&mut self, end: &FrameEnd<'_>) {
        // A frame that ran no code has no instruction of its own.
        let last = self.last_error.take();
        self.failure = if end.ran_code { last } else { None };
    }
}

impl Inspector for StructLogRecorder {
    fn step(&mut self, interp: &Interpreter) {
        self.engine.step(interp);
    }
    fn step_end(&mut self, interp: &Interpreter) {
        self.engine.step_end(interp);
    }
    fn step_exit(&mut self, interp: &Interpreter, exit: Exit) {
        self.engine.step_exit(interp, exit);
    }
    fn call(&mut self, inputs: &CallInputs, _depth: usize) {
        self.engine.call(inputs);
    }
    fn call_end(&mut self, inputs: &CallInputs, outcome: &CallOutcome, _depth: usize) {
        self.engine.call_end(inputs, outcome);
    }
    fn create(&mut self, inputs: &CreateInputs, _depth: usize) {
        self.engine.create(inputs);
    }
    fn create_end(&mut self, inputs: &CreateInputs, outcome: &CreateOutcome, _depth: usize) {
        self.engine.create_end(inputs, outcome);
    }
}
