//! geth's JSON logger (`eth/tracers/logger/logger_json.go`).

use crate::engine::{Cost, Engine, Fault, FrameEnd, Sink, Step};
use crate::hex::{push_bytes, push_dec, push_json_str, push_u256, push_u64};
use crate::output::Output;
use crate::{errors, TraceConfig};
use ember_interpreter::{
    CallInputs, CallOutcome, CreateInputs, CreateOutcome, Exit, Inspector, Interpreter,
};
use std::io::{self, Write};

/// The EIP-3155 tracer, writing what geth's `evm --json` writes.
///
/// Per instruction, before it runs (field order as geth's):
///
/// ```text
/// {"pc":0,"op":96,"gas":"0x2540be400","gasCost":"0x3","memSize":0,"stack":[],"depth":1,"refund":0,"opName":"PUSH1"}
/// ```
///
/// `memory` (after `gasCost`) and `returnData` (after `stack`) appear when enabled and not
/// empty; `stack` is `null` when disabled; `error` follows `opName` when the instruction
/// failed. An instruction that fails while running (REVERT, a bad jump destination, a write
/// in a static call, an invalid opcode...) is written twice, the second time with its error,
/// as geth does. At the end of every call frame (every depth, precompiles included):
///
/// ```text
/// {"output":"","gasUsed":"0x5","error":"execution reverted"}
/// ```
///
/// with `output` in hex without `0x` and `error` only on failure.
#[derive(Debug)]
pub struct JsonTracer<W: Write> {
    engine: Engine<JsonSink<W>>,
}

#[derive(Debug)]
struct JsonSink<W> {
    out: Output<W>,
    config: TraceConfig,
    line: Vec<u8>,
}

impl<W: Write> JsonTracer<W> {
    /// A tracer writing to `writer` (wrap files and pipes in a `BufWriter`).
    pub fn new(writer: W, config: TraceConfig) -> Self {
        JsonTracer {
            engine: Engine::new(JsonSink {
                out: Output::new(writer),
                config,
                line: Vec::with_capacity(256),
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

    /// The writer.
    pub fn get_ref(&self) -> &W {
        self.engine.sink.out.get_ref()
    }
}

impl<W: Write> JsonSink<W> {
    /// Renders `step`'s line; `fault_view` renders it as geth's second line for an
    /// instruction that failed while running (operands popped, memory expanded, no return
    /// data).
    fn render(&mut self, step: &Step, cost: u64, error: Option<&str>, fault_view: bool) {
        let cfg = self.config;
        let (mem_size, popped) = if fault_view {
            (step.mem_after, step.popped_before_fault())
        } else {
            (step.mem_size, 0)
        };
        let l = &mut self.line;
        l.clear();
        l.extend_from_slice(b"{\"pc\":");
        push_dec(l, step.pc as u64);
        l.extend_from_slice(b",\"op\":");
        push_dec(l, step.op as u64);
        l.extend_from_slice(b",\"gas\":\"");
        push_u64(l, step.gas);
        l.extend_from_slice(b"\",\"gasCost\":\"");
        push_u64(l, cost);
        l.push(b'"');
        if cfg.memory && mem_size > 0 {
            l.extend_from_slice(b",\"memory\":\"0x");
            push_bytes(l, &step.memory);
            for _ in step.memory.len()..mem_size {
                l.extend_from_slice(b"00");
            }
            l.push(b'"');
        }
        l.extend_from_slice(b",\"memSize\":");
        push_dec(l, mem_size as u64);
        if cfg.stack {
            l.extend_from_slice(b",\"stack\":[");
            let shown = &step.stack[..step.stack.len() - popped];
            for (i, item) in shown.iter().enumerate() {
                if i > 0 {
                    l.push(b',');
                }
                l.push(b'"');
                push_u256(l, item);
                l.push(b'"');
            }
            l.push(b']');
        } else {
            l.extend_from_slice(b",\"stack\":null");
        }
        if cfg.return_data && !fault_view && !step.return_data.is_empty() {
            l.extend_from_slice(b",\"returnData\":\"0x");
            push_bytes(l, &step.return_data);
            l.push(b'"');
        }
        l.extend_from_slice(b",\"depth\":");
        push_dec(l, step.depth as u64);
        l.extend_from_slice(b",\"refund\":");
        push_dec(l, step.refund);
        l.extend_from_slice(b",\"opName\":\"");
        push_json_str(l, &errors::op_name(step.op));
        l.push(b'"');
        if let Some(error) = error {
            l.extend_from_slice(b",\"error\":\"");
            push_json_str(l, error);
            l.push(b'"');
        }
        l.extend_from_slice(b"}\n");
    }
}

impl<W: Write> Sink for JsonSink<W> {
    fn wants_stack(&self) -> bool {
        self.config.stack
    }
    fn wants_memory(&self) -> bool {
        self.config.memory
    }
    fn wants_return_data(&self) -> bool {
        self.config.return_data
    }

    fn step(&mut self, step: &Step, cost: Cost, fault: Fault<'_>, _after: Option<&Interpreter>) {
        let first_error = match fault {
            Fault::Before(e) => Some(e),
            Fault::Revm(e) => Some(e),
            _ => None,
        };
        self.render(step, cost.reported, first_error, false);
        let line = std::mem::take(&mut self.line);
        self.out.write(&line);
        self.line = line;
        if let Fault::During(e) = fault {
            self.render(step, cost.reported, Some(e), true);
            let line = std::mem::take(&mut self.line);
            self.out.write(&line);
            self.line = line;
        }
    }

    fn frame_end(&mut self, end: &FrameEnd<'_>) {
        let l = &mut self.line;
        l.clear();
        l.extend_from_slice(b"{\"output\":\"");
        push_bytes(l, end.output);
        l.extend_from_slice(b"\",\"gasUsed\":\"");
        push_u64(l, end.gas_used);
        l.push(b'"');
        if let Some(error) = end.error {
            l.extend_from_slice(b",\"error\":\"");
            push_json_str(l, error);
            l.push(b'"');
        }
        l.extend_from_slice(b"}\n");
        let line = std::mem::take(&mut self.line);
        self.out.write(&line);
        self.line = line;
    }
}

impl<W: Write> Inspector for JsonTracer<W> {
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
