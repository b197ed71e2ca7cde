//! geth's struct logger in streaming mode (`--trace.format=struct`).

use crate::engine::{Cost, Engine, Fault, Sink, Step};
use crate::hex::{push_bytes, push_dec, push_dump, push_u256};
use crate::output::Output;
use crate::{errors, TraceConfig};
use ember_bytecode::opcode::{SLOAD, SSTORE};
use ember_interpreter::{
    CallInputs, CallOutcome, CreateInputs, CreateOutcome, Exit, Inspector, Interpreter,
};
use ember_primitives::{Address, U256};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

/// The human-readable tracer, writing what geth's `evm --trace --trace.format=struct`
/// writes: per instruction
///
/// ```text
/// PUSH1           pc=00000000 gas=10000000000 cost=3
/// Stack:
/// 00000000  0x1
/// ```
///
/// (stack top first), `Memory:` and `ReturnData:` as Go's `hex.Dump` when enabled, and
/// for SLOAD and SSTORE the contract's storage seen so far (`Storage:`, key-sorted where
/// geth's order is random), then an empty line. An instruction that fails before running
/// gets ` ERROR: reason` on its first line. Nothing is written at the end of a frame.
#[derive(Debug)]
pub struct StructTracer<W: Write> {
    engine: Engine<StructSink<W>>,
}

#[derive(Debug)]
struct StructSink<W> {
    out: Output<W>,
    config: TraceConfig,
    storage: HashMap<Address, BTreeMap<U256, U256>>,
    text: Vec<u8>,
}

impl<W: Write> StructTracer<W> {
    /// A tracer writing to `writer` (wrap files and pipes in a `BufWriter`).
    pub fn new(writer: W, config: TraceConfig) -> Self {
        StructTracer {
            engine: Engine::new(StructSink {
                out: Output::new(writer),
                config,
                storage: HashMap::new(),
                text: Vec::with_capacity(256),
            }),
        }
    }

    /// Flushes the writer; reports the first write error.
    pub fn flush(&mut self) -> io::Result<()> {
        self.engine.sink.out.flush()
    }

    /// Flushes and gives back the writer.
    pub fn into_inner(self) -> W {
        self.engine.sink.out.into_inner()
    }
}

impl<W: Write> StructSink<W> {
    fn render(
        &mut self,
        step: &Step,
        cost: u64,
        error: Option<&str>,
        storage: Option<&BTreeMap<U256, U256>>,
    ) {
        let t = &mut self.text;
        t.clear();
        let name = errors::op_name(step.op);
        t.extend_from_slice(name.as_bytes());
        for _ in name.len()..16 {
            t.push(b' ');
        }
        t.extend_from_slice(b"pc=");
        let pc = step.pc.to_string();
        for _ in pc.len()..8 {
            t.push(b'0');
        }
        t.extend_from_slice(pc.as_bytes());
        t.extend_from_slice(b" gas=");
        push_dec(t, step.gas);
        t.extend_from_slice(b" cost=");
        push_dec(t, cost);
        if let Some(error) = error {
            t.extend_from_slice(b" ERROR: ");
            t.extend_from_slice(error.as_bytes());
        }
        t.push(b'\n');
        if self.config.stack && !step.stack.is_empty() {
            t.extend_from_slice(b"Stack:\n");
            for (i, item) in step.stack.iter().rev().enumerate() {
                let index = i.to_string();
                for _ in index.len()..8 {
                    t.push(b'0');
                }
                t.extend_from_slice(index.as_bytes());
                t.extend_from_slice(b"  ");
                push_u256(t, item);
                t.push(b'\n');
            }
        }
        if self.config.memory && !step.memory.is_empty() {
            t.extend_from_slice(b"Memory:\n");
            push_dump(t, &step.memory);
        }
        if let Some(storage) = storage.filter(|s| !s.is_empty()) {
            t.extend_from_slice(b"Storage:\n");
            for (key, value) in storage {
                push_bytes(t, &key.to_be_bytes::<32>());
                t.extend_from_slice(b": ");
                push_bytes(t, &value.to_be_bytes::<32>());
                t.push(b'\n');
            }
        }
        if self.config.return_data && !step.return_data.is_empty() {
            t.extend_from_slice(b"ReturnData:\n");
            push_dump(t, &step.return_data);
        }
        t.push(b'\n');
    }
}

impl<W: Write> Sink for StructSink<W> {
    fn wants_stack(&self) -> bool {
        self.config.stack
    }
    fn wants_memory(&self) -> bool {
        self.config.memory
    }
    fn wants_return_data(&self) -> bool {
        self.config.return_data
    }

    fn step(&mut self, step: &Step, cost: Cost, fault: Fault<'_>, after: Option<&Interpreter>) {
        let error = match fault {
            Fault::Before(e) => Some(e),
            // geth's struct logger has no fault hook: no error once the line is out.
            _ => None,
        };
        let mut storage = None;
        if self.config.storage && (step.op == SLOAD || step.op == SSTORE) {
            let slots = self.storage.entry(step.address).or_default();
            if step.op == SLOAD && step.stack_len >= 1 {
                // The value read is what SLOAD left on the stack.
                let value = after.and_then(|i| i.stack.data().last().copied());
                if let Some(value) = value {
                    slots.insert(step.peek(0), value);
                }
            } else if step.op == SSTORE && step.stack_len >= 2 {
                slots.insert(step.peek(0), step.peek(1));
            }
            storage = Some(slots.clone());
        }
        self.render(step, cost.reported, error, storage.as_ref());
        let text = std::mem::take(&mut self.text);
        self.out.write(&text);
        self.text = text;
    }
}

impl<W: Write> Inspector for StructTracer<W> {
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
