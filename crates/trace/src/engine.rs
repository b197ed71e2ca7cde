//! The bookkeeping the tracers and the profiler share: one record per call frame, each
//! instruction held from `step` until its cost is known, the refund counter as geth keeps it
//! (one per transaction), and what each frame returned. The output side is a [`Sink`].

use crate::errors::{self, FailedOp};
use ember_bytecode::opcode::{self, MemoryLength, *};
use ember_interpreter::gas::{self, UNDEFINED};
use ember_interpreter::{
    CallInputs, CallKind, CallOutcome, CreateInputs, CreateOutcome, Exit, Interpreter, STACK_LIMIT,
};
use ember_primitives::spec::SstoreRule;
use ember_primitives::{Address, Bytes, Spec, U256};

/// Bytes of trace held back (while CALLs wait for their cost) before the waiting CALL lines
/// are written with an estimated cost instead; see the crate documentation.
pub const HOLD_LIMIT: usize = 64 << 20;

/// EIP-2200: SSTORE fails when no more gas than this is left.
const SSTORE_SENTRY: u64 = 2300;
/// geth's reason for that failure.
const SENTRY_ERROR: &str = "not enough gas for reentrancy sentry";

/// Stack items kept when the full stack is not wanted (enough for every cost formula).
const TOP_ITEMS: usize = 8;

/// Largest RETURN output captured for a creating frame's end line.
const MAX_CAPTURE: u64 = 1 << 24;

/// The machine state before one instruction.
#[derive(Debug)]
pub(crate) struct Step {
    pub pc: usize,
    pub op: u8,
    /// Gas before the instruction.
    pub gas: u64,
    /// The transaction's refund counter (geth's `StateDB.GetRefund`).
    pub refund: u64,
    /// geth's depth: 1 for the transaction's frame.
    pub depth: usize,
    /// Memory size in bytes.
    pub mem_size: usize,
    /// Stack height.
    pub stack_len: usize,
    /// The stack bottom first: all of it when wanted, else the top [`TOP_ITEMS`].
    pub stack: Vec<U256>,
    /// The memory, when wanted.
    pub memory: Vec<u8>,
    /// The last call's return data, when wanted.
    pub return_data: Bytes,
    /// The frame's address (ADDRESS).
    pub address: Address,
    /// The sink's tag for the frame (see [`Sink::frame_tag`]).
    pub tag: u32,
    pub spec: &'static Spec,
    /// For an instruction that halted: the gas it spent plus the charge that failed, as the
    /// interpreter reported it ([`Interpreter::failed_charge`]).
    pub fault_spent: Option<u64>,
}

impl Step {
    fn empty(spec: &'static Spec) -> Step {
        Step {
            pc: 0,
            op: 0,
            gas: 0,
            refund: 0,
            depth: 0,
            mem_size: 0,
            stack_len: 0,
            stack: Vec::new(),
            memory: Vec::new(),
            return_data: Bytes::new(),
            address: Address::ZERO,
            tag: 0,
            spec,
            fault_spent: None,
        }
    }

    /// The `n`-th item from the top (0 = top), zero when absent.
    pub fn peek(&self, n: usize) -> U256 {
        if n < self.stack.len() && n < self.stack_len {
            self.stack[self.stack.len() - 1 - n]
        } else {
            U256::ZERO
        }
    }

    fn failed_op(&self) -> FailedOp {
        FailedOp {
            op: self.op,
            stack_len: self.stack_len,
        }
    }

    /// The end of the memory the instruction touches, from the opcode table's memory
    /// operands: 0 when it touches none, `None` when an offset or length overflows 64 bits.
    fn memory_end(&self) -> Option<u64> {
        let Some(info) = &opcode::OPCODES[self.op as usize] else {
            return Some(0);
        };
        let mut end = 0u64;
        for operand in info.memory {
            let len = match operand.length {
                MemoryLength::Fixed(bytes) => U256::from(bytes),
                MemoryLength::Stack(depth) => self.peek(depth as usize),
            };
            if len.is_zero() {
                continue;
            }
            let offset: u64 = self.peek(operand.offset as usize).try_into().ok()?;
            let len: u64 = len.try_into().ok()?;
            end = end.max(offset.checked_add(len)?);
        }
        Some(end)
    }

    /// Memory expansion cost of the instruction; `None` on overflow.
    fn mem_cost(&self) -> Option<u64> {
        let new_words = gas::words(self.memory_end()?);
        let cur_words = self.mem_size as u64 / 32;
        if new_words <= cur_words {
            return Some(0);
        }
        Some(gas::memory_cost(new_words) - gas::memory_cost(cur_words))
    }

    /// The instruction's static cost from the fork's table (zero for an undefined opcode).
    pub fn static_cost(&self) -> u64 {
        let cost = gas::table(self.spec)[self.op as usize];
        if cost == UNDEFINED {
            0
        } else {
            cost
        }
    }

    /// The part of the dynamic cost that depends on no state; `None` when it overflows.
    /// Zero for an opcode the fork does not define (geth's `opUndefined` has no gas).
    fn dynamic_cost(&self) -> Option<u64> {
        if gas::table(self.spec)[self.op as usize] == UNDEFINED {
            return Some(0);
        }
        let copy = |len: U256| -> Option<u64> {
            let len: u64 = len.try_into().ok()?;
            Some(gas::copy_cost(len))
        };
        let words = |len: U256| -> Option<u64> {
            let len: u64 = len.try_into().ok()?;
            Some(gas::words(len))
        };
        let p = |n| self.peek(n);
        let cost = match self.op {
            KECCAK256 => gas::KECCAK_WORD * words(p(1))?,
            CALLDATACOPY | CODECOPY | RETURNDATACOPY | MCOPY => copy(p(2))?,
            EXTCODECOPY => copy(p(3))?,
            LOG0..=LOG4 => {
                let len: u64 = p(1).try_into().ok()?;
                gas::LOG_DATA.checked_mul(len)?
            }
            EXP => gas::exp_cost(self.spec, p(1)),
            CREATE | CREATE2 => {
                let mut cost = 0;
                if self.spec.max_initcode_size.is_some() {
                    cost += gas::INITCODE_WORD * words(p(2))?;
                }
                if self.op == CREATE2 {
                    cost += gas::KECCAK_WORD * words(p(2))?;
                }
                cost
            }
            CALL | CALLCODE if !p(2).is_zero() => gas::CALL_VALUE,
            _ => 0,
        };
        self.mem_cost()?.checked_add(cost)
    }

    /// Memory size once the instruction has expanded memory (geth resizes memory before it
    /// runs the instruction, so its second line for a failing instruction shows this).
    pub fn expanded_mem_size(&self) -> usize {
        match self.memory_end() {
            Some(end) => (gas::words(end) as usize * 32).max(self.mem_size),
            None => self.mem_size,
        }
    }

    /// Stack items geth's implementation pops before it fails while running.
    pub fn popped_before_fault(&self) -> usize {
        match self.op {
            REVERT | JUMPI => 2,
            JUMP => 1,
            RETURNDATACOPY => 3,
            CALL | CALLCODE => 7,
            _ => 0,
        }
        .min(self.stack_len)
    }

    /// What geth reports for an instruction that fails before running: like
    /// [`Step::formula_cost`], and for a CALL-family instruction also the gas it would have
    /// forwarded, computed as geth's `callGas` does (from the gas left after the known part
    /// of the cost, wrapping as geth's does when that part exceeds the gas).
    ///
    /// When the gas left does not cover the static cost, geth fails on that charge alone,
    /// before it computes any dynamic part, and reports the static cost.
    pub fn fault_cost(&self) -> u64 {
        if self.gas < self.static_cost() {
            return self.static_cost();
        }
        // Instructions whose cost depends on state (cold access, new account, the slot's
        // values) compute all of it before one charge, as the specs do: the interpreter's
        // figure is exact where the formulas below could only see the stack.
        if let (Some(spent), true) = (self.fault_spent, is_state_priced(self.op)) {
            return spent;
        }
        let base = self.formula_cost();
        if !matches!(self.op, CALL | CALLCODE | DELEGATECALL | STATICCALL) {
            return base;
        }
        let requested = self.peek(0);
        let dynamic = base - self.static_cost();
        let available = self
            .gas
            .wrapping_sub(self.static_cost())
            .wrapping_sub(dynamic);
        let forwarded = if self.spec.call_gas_63_64 {
            let cap = available - available / 64;
            match u64::try_from(requested) {
                Ok(r) if r <= cap => r,
                _ => cap,
            }
        } else {
            u64::try_from(requested).unwrap_or(u64::MAX)
        };
        base.saturating_add(forwarded)
    }

    /// Static cost plus [`Step::dynamic_cost`] (static alone when that overflows).
    pub fn formula_cost(&self) -> u64 {
        let base = self.static_cost();
        match self.dynamic_cost() {
            Some(d) => base.saturating_add(d),
            None => base,
        }
    }
}

/// Opcodes whose cost depends on the state, not only on the stack.
fn is_state_priced(op: u8) -> bool {
    matches!(
        op,
        SLOAD
            | SSTORE
            | BALANCE
            | EXTCODESIZE
            | EXTCODECOPY
            | EXTCODEHASH
            | CALL
            | CALLCODE
            | DELEGATECALL
            | STATICCALL
            | SELFDESTRUCT
    )
}

/// How an instruction failed, as geth reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault<'a> {
    /// It did not fail.
    None,
    /// It failed before it ran (stack check, gas): geth writes one line with the error.
    Before(&'a str),
    /// It failed while running (REVERT, bad jump, write protection...): geth writes the
    /// instruction's line, then the same line again with the error.
    During(&'a str),
}

/// What an instruction cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cost {
    /// As geth reports it (CALLs include the gas they forward).
    pub geth: u64,
    /// The instruction's own cost: without any gas handed to a callee.
    pub own: u64,
}

/// The end of a call frame.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FrameEnd<'a> {
    /// RETURN or REVERT data; for a creation the code returned.
    pub output: &'a [u8],
    /// Gas the frame used, of all it was given.
    pub gas_used: u64,
    /// Why it failed.
    pub error: Option<&'a str>,
    /// It ran code (else: a precompile, an account without code, an early failure).
    pub ran_code: bool,
}

/// Where the engine's results go.
pub(crate) trait Sink {
    /// Capture the whole stack (else only the top few items).
    fn wants_stack(&self) -> bool;
    /// Capture the memory.
    fn wants_memory(&self) -> bool;
    /// Capture the return data.
    fn wants_return_data(&self) -> bool;
    /// A tag for a frame that starts running code, given back in its steps.
    fn frame_tag(&mut self, _interp: &Interpreter) -> u32 {
        0
    }
    /// An instruction and its cost. `after` is the machine state after it, when it did not
    /// end the frame. `held` is true when [`Sink::hold`] was called for it.
    fn step(
        &mut self,
        step: &Step,
        cost: Cost,
        fault: Fault<'_>,
        after: Option<&Interpreter>,
        held: bool,
    );
    /// The instruction `step` started a nested frame; its cost comes (through
    /// [`Sink::step`]) once that frame has finished. `estimate` is its cost as far as it is
    /// known now.
    fn hold(&mut self, _step: &Step, _estimate: u64) {}
    /// A call frame ended (also one that ran no code: a precompile, an account without
    /// code, a call that failed before starting).
    fn frame_end(&mut self, _end: &FrameEnd<'_>) {}
}

/// What a finished child frame gave back to the frame that started it.
#[derive(Clone, Copy, Debug)]
struct Child {
    /// Gas returned to the caller.
    returned: u64,
    /// Gas the caller paid into it (a CALL's stipend excluded).
    paid: u64,
    /// It was a creation (whose cost in geth excludes the gas forwarded).
    create: bool,
}

#[derive(Debug)]
struct Frame {
    create: bool,
    gas_limit: u64,
    refund_base: i64,
    last_refund: i64,
    tag: u32,
    started: bool,
    step: Option<Step>,
    held: bool,
    child: Option<Child>,
    /// RETURN data of a creating frame, captured before the RETURN ran.
    output: Option<Vec<u8>>,
}

/// The shared bookkeeping, generic over the output.
#[derive(Debug)]
pub(crate) struct Engine<S> {
    pub sink: S,
    frames: Vec<Frame>,
    spare: Vec<Step>,
}

/// The stipend a call's callee gets for free.
fn stipend(inputs: &CallInputs) -> u64 {
    let transfers = matches!(inputs.kind, CallKind::Call | CallKind::CallCode)
        && inputs.transfers_value
        && !inputs.value.is_zero();
    if transfers {
        gas::CALL_STIPEND.min(inputs.gas_limit)
    } else {
        0
    }
}

impl<S: Sink> Engine<S> {
    pub fn new(sink: S) -> Self {
        Engine {
            sink,
            frames: Vec::new(),
            spare: Vec::new(),
        }
    }

    fn push_frame(&mut self, create: bool, gas_limit: u64, estimate_paid: u64) {
        let mut refund_base = 0;
        if let Some(parent) = self.frames.last_mut() {
            refund_base = parent.refund_base + parent.last_refund;
            if let Some(step) = &parent.step {
                if !parent.held {
                    parent.held = true;
                    let estimate = step.formula_cost().saturating_add(estimate_paid);
                    self.sink.hold(step, estimate);
                }
            }
        }
        self.frames.push(Frame {
            create,
            gas_limit,
            refund_base,
            last_refund: 0,
            tag: 0,
            started: false,
            step: None,
            held: false,
            child: None,
            output: None,
        });
    }

    pub fn step(&mut self, interp: &Interpreter) {
        if self.frames.is_empty() {
            // A frame the engine was not told about: trace it anyway.
            self.push_frame(false, interp.gas.limit, 0);
        }
        let wants_stack = self.sink.wants_stack();
        let wants_memory = self.sink.wants_memory();
        let wants_return_data = self.sink.wants_return_data();
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        if interp.bytecode.is_empty() {
            // geth runs no instruction of empty code (an initcode of zero bytes).
            return;
        }
        if !frame.started {
            frame.started = true;
            frame.tag = self.sink.frame_tag(interp);
        }
        let mut step = match frame.step.take() {
            Some(step) => step,
            None => self.spare.pop().unwrap_or_else(|| Step::empty(interp.spec)),
        };
        step.pc = interp.pc;
        step.fault_spent = None;
        step.op = interp.current_opcode();
        step.gas = interp.gas.remaining;
        step.refund = (frame.refund_base + interp.gas.refund).max(0) as u64;
        step.depth = interp.depth + 1;
        step.mem_size = interp.memory.len();
        let data = interp.stack.data();
        step.stack_len = data.len();
        step.stack.clear();
        if wants_stack {
            step.stack.extend_from_slice(data);
        } else {
            step.stack
                .extend_from_slice(&data[data.len().saturating_sub(TOP_ITEMS)..]);
        }
        step.memory.clear();
        if wants_memory {
            step.memory.extend_from_slice(interp.memory.data());
        }
        step.return_data = if wants_return_data {
            interp.return_data.clone()
        } else {
            Bytes::new()
        };
        step.address = interp.address;
        step.tag = frame.tag;
        step.spec = interp.spec;
        frame.last_refund = interp.gas.refund;
        if frame.create && step.op == RETURN {
            frame.output = capture_return(interp, &step);
        }
        frame.step = Some(step);
        frame.held = false;
    }

    /// The instruction of the last `step` halted the frame: keep what it spent and tried
    /// to spend, which the cost formulas here cannot know for state-dependent costs.
    pub fn step_fault(&mut self, interp: &Interpreter) {
        if let Some(step) = self.frames.last_mut().and_then(|f| f.step.as_mut()) {
            let spent = step.gas.saturating_sub(interp.gas.remaining);
            step.fault_spent = Some(spent.saturating_add(interp.failed_charge()));
        }
    }

    pub fn step_end(&mut self, interp: &Interpreter) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let Some(mut step) = frame.step.take() else {
            return;
        };
        if step.op == SSTORE {
            // geth changes the refund counter in SSTORE's gas function, before it traces.
            step.refund = (frame.refund_base + interp.gas.refund).max(0) as u64;
        }
        let child = frame.child.take();
        let held = std::mem::take(&mut frame.held);
        let drop = step.gas as i128 - interp.gas.remaining as i128;
        let cost = match child {
            Some(c) if c.create => {
                let own = drop + c.returned as i128 - c.paid as i128;
                Cost {
                    geth: clamp(own),
                    own: clamp(own),
                }
            }
            Some(c) => {
                let geth = drop + c.returned as i128;
                Cost {
                    geth: clamp(geth),
                    own: clamp(geth - c.paid as i128),
                }
            }
            None => Cost {
                geth: clamp(drop),
                own: clamp(drop),
            },
        };
        self.sink.step(&step, cost, Fault::None, Some(interp), held);
        self.spare.push(step);
    }

    pub fn call(&mut self, inputs: &CallInputs) {
        let paid = inputs.gas_limit - stipend(inputs);
        self.push_frame(false, inputs.gas_limit, paid);
    }

    pub fn create(&mut self, inputs: &CreateInputs) {
        self.push_frame(true, inputs.gas_limit, 0);
    }

    pub fn call_end(&mut self, inputs: &CallInputs, outcome: &CallOutcome) {
        let returned = if outcome.exit.is_halt() {
            0
        } else {
            outcome.gas.remaining
        };
        self.finish(outcome.exit, returned, outcome.gas.refund, &outcome.output);
        if let Some(parent) = self.frames.last_mut() {
            parent.child = Some(Child {
                returned,
                paid: inputs.gas_limit - stipend(inputs),
                create: false,
            });
        }
    }

    pub fn create_end(&mut self, inputs: &CreateInputs, outcome: &CreateOutcome) {
        let result = &outcome.result;
        let returned = if result.exit.is_halt() {
            0
        } else {
            result.gas.remaining
        };
        self.finish(result.exit, returned, result.gas.refund, &result.output);
        if let Some(parent) = self.frames.last_mut() {
            parent.child = Some(Child {
                returned,
                paid: inputs.gas_limit,
                create: true,
            });
        }
    }

    /// Ends the innermost frame: reports its last instruction, then the frame.
    fn finish(&mut self, exit: Exit, returned: u64, refund: i64, outcome_output: &[u8]) {
        let Some(mut frame) = self.frames.pop() else {
            return;
        };
        let mut error = None;
        let captured = frame.output.take();
        let mut returned_code = false;
        if let Some(mut step) = frame.step.take() {
            let held = frame.held;
            let exit = stack_check_first(exit, &step);
            if step.op == SELFDESTRUCT && exit.is_success() {
                // geth adds SELFDESTRUCT's refund in its gas function, before it traces.
                step.refund = (frame.refund_base + refund).max(0) as u64;
            }
            let op = step.op;
            let mem_cost = if op == RETURN || op == REVERT {
                Some(step.formula_cost())
            } else {
                None
            };
            // RETURN ran, and the creation failed afterwards (or succeeded).
            returned_code = frame.create
                && op == RETURN
                && match exit {
                    Exit::Return | Exit::CodeSizeLimit | Exit::InvalidCodePrefix => true,
                    Exit::OutOfGas => mem_cost.is_some_and(|c| c <= step.gas),
                    _ => false,
                };
            let (cost, fault) = if returned_code {
                error = match exit {
                    Exit::OutOfGas => Some(errors::CODE_STORE_OUT_OF_GAS.to_string()),
                    other => errors::message(other, Some(step.failed_op())),
                };
                (mem_cost.unwrap_or(0), FaultKind::None)
            } else if exit.is_success() || exit == Exit::Revert {
                let cost = mem_cost.unwrap_or_else(|| step.gas.saturating_sub(returned));
                if exit == Exit::Revert {
                    error = errors::message(exit, Some(step.failed_op()));
                    (cost, FaultKind::During)
                } else {
                    (cost, FaultKind::None)
                }
            } else {
                error = errors::message(exit, Some(step.failed_op()));
                if exit == Exit::OutOfGas
                    && op == SSTORE
                    && step.spec.sstore == SstoreRule::Eip2200
                    && step.gas <= SSTORE_SENTRY
                {
                    error = Some(format!(
                        "{}: {SENTRY_ERROR}",
                        errors::message(exit, None).unwrap_or_default()
                    ));
                }
                match exit {
                    Exit::StackUnderflow | Exit::StackOverflow => {
                        (step.static_cost(), FaultKind::Before)
                    }
                    Exit::InvalidJump
                    | Exit::ReturnDataOutOfBounds
                    | Exit::StaticViolation
                    | Exit::InvalidOpcode
                    | Exit::UndefinedOpcode => (step.fault_cost(), FaultKind::During),
                    _ => (step.fault_cost(), FaultKind::Before),
                }
            };
            let message = error.as_deref().unwrap_or("");
            let fault = match fault {
                FaultKind::None => Fault::None,
                FaultKind::Before => Fault::Before(message),
                FaultKind::During => Fault::During(message),
            };
            // An exceptional halt burns all the gas the frame had left.
            let own = if exit.is_halt() && !returned_code {
                step.gas
            } else {
                cost
            };
            self.sink
                .step(&step, Cost { geth: cost, own }, fault, None, held);
            self.spare.push(step);
        } else {
            error = errors::message(exit, None);
        }
        let output: &[u8] = if !frame.create || exit == Exit::Revert {
            outcome_output
        } else if returned_code {
            captured.as_deref().unwrap_or(&[])
        } else {
            &[]
        };
        let gas_used = frame.gas_limit.saturating_sub(returned);
        self.sink.frame_end(&FrameEnd {
            output,
            gas_used,
            error: error.as_deref(),
            ran_code: frame.started,
        });
    }
}

#[derive(Clone, Copy)]
enum FaultKind {
    None,
    Before,
    During,
}

/// geth checks the stack before it charges any gas; Ember charges the static cost first. So
/// an instruction that Ember stopped for want of gas but whose stack was too short (or would
/// overflow) failed in geth on the stack check.
fn stack_check_first(exit: Exit, step: &Step) -> Exit {
    if exit != Exit::OutOfGas {
        return exit;
    }
    let Some(info) = opcode::OPCODES[step.op as usize] else {
        return exit;
    };
    let (inputs, outputs) = (info.inputs as usize, info.outputs as usize);
    if step.stack_len < inputs {
        Exit::StackUnderflow
    } else if step.stack_len - inputs + outputs > STACK_LIMIT {
        Exit::StackOverflow
    } else {
        exit
    }
}

fn clamp(v: i128) -> u64 {
    v.clamp(0, u64::MAX as i128) as u64
}

/// The data a RETURN about to run will return (memory it expands reads as zeros).
fn capture_return(interp: &Interpreter, step: &Step) -> Option<Vec<u8>> {
    let offset: u64 = step.peek(0).try_into().ok()?;
    let len: u64 = step.peek(1).try_into().ok()?;
    if len == 0 {
        return Some(Vec::new());
    }
    if len > MAX_CAPTURE || offset.checked_add(len)? > interp.memory_limit {
        return None;
    }
    let mut out = vec![0u8; len as usize];
    let mem = interp.memory.data();
    let start = (offset as usize).min(mem.len());
    let end = ((offset + len) as usize).min(mem.len());
    out[..end - start].copy_from_slice(&mem[start..end]);
    Some(out)
}
