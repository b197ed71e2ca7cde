//! The step recorder every tracer shares: one record per call frame, each instruction held
//! from `step` until the interpreter reports what it charged (never worked out here again),
//! the refund counter as geth keeps it (one per transaction), and what each frame returned.
//! The output side is a [`Sink`]; the two places where geth's and anvil's (revm's) traces
//! differ are the [`Flavour`].

use crate::errors::{self, FailedOp};
use ember_bytecode::opcode::{self, *};
use ember_interpreter::gas::{self, UNDEFINED};
use ember_interpreter::{
    CallInputs, CallKind, CallOutcome, CreateInputs, CreateOutcome, Exit, FailedCharge,
    Interpreter, STACK_LIMIT,
};
use ember_primitives::spec::SstoreRule;
use ember_primitives::{Address, Bytes, Spec, U256};

/// EIP-2200: SSTORE fails when no more gas than this is left.
const SSTORE_SENTRY: u64 = 2300;
/// geth's reason for that failure.
const SENTRY_ERROR: &str = "not enough gas for reentrancy sentry";

/// Stack items kept when the full stack is not wanted (enough for every operand a sink reads).
const TOP_ITEMS: usize = 8;

/// Largest RETURN output captured for a creating frame's end line.
const MAX_CAPTURE: u64 = 1 << 24;

/// revm's memory limit: `(1 << 32) - 1` bytes.
const REVM_MEMORY_LIMIT: u64 = u32::MAX as u64;

/// Where geth's traces and anvil's (revm-inspectors') differ; everything else is shared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flavour {
    /// geth's: the stack is checked before any gas is charged; a CREATE's cost excludes the
    /// gas given to the initcode; an instruction that fails while running (REVERT, a bad
    /// jump, a write in a static call...) gets a second line with its error, geth's wording.
    #[default]
    Geth,
    /// revm's, as anvil reports it: the static gas is charged before the stack is checked; a
    /// CREATE's cost includes the gas given to the initcode, as a CALL's does; a failing
    /// instruction appears once, named as revm names the failure (`OutOfGas`, `MemoryOOG`,
    /// `StackUnderflow`...) with the gas revm charged before failing.
    Revm,
}

/// The machine state before one instruction, and what it charged.
#[derive(Debug)]
pub(crate) struct Step {
    pub pc: usize,
    pub op: u8,
    /// Gas before the instruction.
    pub gas: u64,
    /// The transaction's refund counter (geth's `StateDB.GetRefund`).
    pub refund: u64,
    /// The frame's own refund counter (revm's tracer reports this one).
    pub frame_refund: i64,
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
    /// How the instruction ended or suspended its frame, as the interpreter reported it
    /// ([`Inspector::step_exit`](ember_interpreter::Inspector::step_exit)); `None` while
    /// it runs or when it did not end the frame.
    pub exit: Option<Exit>,
    /// What it charged, as the interpreter reported it at `exit`: the failing charge
    /// included, for a CALL or CREATE the gas handed on too.
    pub charged: u64,
    /// The charge it failed on.
    pub failed: FailedCharge,
    /// Memory size once it ran (or would have, for a failed expansion).
    pub mem_after: usize,
}

impl Step {
    fn empty(spec: &'static Spec) -> Step {
        Step {
            pc: 0,
            op: 0,
            gas: 0,
            refund: 0,
            frame_refund: 0,
            depth: 0,
            mem_size: 0,
            stack_len: 0,
            stack: Vec::new(),
            memory: Vec::new(),
            return_data: Bytes::new(),
            address: Address::ZERO,
            tag: 0,
            spec,
            exit: None,
            charged: 0,
            failed: FailedCharge::default(),
            mem_after: 0,
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

    /// The instruction's static cost from the frame's gas table (zero for an undefined
    /// opcode).
    pub fn static_cost(&self) -> u64 {
        let cost = gas::table(self.spec)[self.op as usize];
        if cost == UNDEFINED {
            0
        } else {
            cost
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
}

/// How an instruction failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault<'a> {
    /// It did not fail.
    None,
    /// It failed before it ran (stack check, gas): geth writes one line with the error.
    Before(&'a str),
    /// It failed while running (REVERT, bad jump, write protection...): geth writes the
    /// instruction's line, then the same line again with the error.
    During(&'a str),
    /// [`Flavour::Revm`]: it failed, as revm names the failure; one line.
    Revm(&'static str),
}

/// What an instruction cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cost {
    /// As the flavour reports it (a CALL includes the gas it forwards; a CREATE the gas it
    /// gives the initcode only in [`Flavour::Revm`]).
    pub reported: u64,
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

/// Where the recorder's results go.
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
    /// An instruction and its cost, in execution order (a CALL or CREATE before the lines
    /// of the frame it starts). `after` is the machine state after it, when it neither
    /// ended nor suspended the frame.
    fn step(&mut self, step: &Step, cost: Cost, fault: Fault<'_>, after: Option<&Interpreter>);
    /// A call frame ended (also one that ran no code: a precompile, an account without
    /// code, a call that failed before starting).
    fn frame_end(&mut self, _end: &FrameEnd<'_>) {}
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
    /// RETURN data of a creating frame, captured before the RETURN ran.
    output: Option<Vec<u8>>,
}

/// The shared step recorder, generic over the output.
#[derive(Debug)]
pub(crate) struct Engine<S> {
    pub sink: S,
    flavour: Flavour,
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
        Engine::with_flavour(sink, Flavour::Geth)
    }

    pub fn with_flavour(sink: S, flavour: Flavour) -> Self {
        Engine {
            sink,
            flavour,
            frames: Vec::new(),
            spare: Vec::new(),
        }
    }

    fn push_frame(&mut self, create: bool, gas_limit: u64) {
        let mut refund_base = 0;
        if let Some(parent) = self.frames.last() {
            refund_base = parent.refund_base + parent.last_refund;
        }
        self.frames.push(Frame {
            create,
            gas_limit,
            refund_base,
            last_refund: 0,
            tag: 0,
            started: false,
            step: None,
            output: None,
        });
    }

    pub fn step(&mut self, interp: &Interpreter) {
        if self.frames.is_empty() {
            // A frame the recorder was not told about: trace it anyway.
            self.push_frame(false, interp.gas.limit);
        }
        let wants_stack = self.sink.wants_stack();
        let wants_memory = self.sink.wants_memory();
        let wants_return_data = self.sink.wants_return_data();
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        if interp.bytecode.is_empty() && self.flavour == Flavour::Geth {
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
        step.op = interp.current_opcode();
        step.gas = interp.gas.remaining;
        step.refund = (frame.refund_base + interp.gas.refund).max(0) as u64;
        step.frame_refund = interp.gas.refund;
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
        step.exit = None;
        step.charged = 0;
        step.failed = FailedCharge::default();
        step.mem_after = step.mem_size;
        frame.last_refund = interp.gas.refund;
        if frame.create && step.op == RETURN {
            frame.output = capture_return(interp, &step);
        }
        frame.step = Some(step);
    }

    /// The instruction of the last `step` ended or suspended the frame: keep what the
    /// interpreter says it charged.
    pub fn step_exit(&mut self, interp: &Interpreter, exit: Exit) {
        if let Some(step) = self.frames.last_mut().and_then(|f| f.step.as_mut()) {
            let failed = interp.failed_charge();
            step.exit = Some(exit);
            step.failed = failed;
            step.charged = step
                .gas
                .saturating_sub(interp.gas.remaining)
                .saturating_add(failed.gas);
            step.mem_after = interp.memory_size_after();
        }
    }

    pub fn step_end(&mut self, interp: &Interpreter) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        // A CALL or CREATE was reported when it suspended the frame.
        let Some(mut step) = frame.step.take() else {
            return;
        };
        if step.op == SSTORE {
            // geth changes the refund counter in SSTORE's gas function, before it traces.
            step.refund = (frame.refund_base + interp.gas.refund).max(0) as u64;
        }
        let cost = step.gas.saturating_sub(interp.gas.remaining);
        let cost = Cost {
            reported: cost,
            own: cost,
        };
        self.sink.step(&step, cost, Fault::None, Some(interp));
        self.spare.push(step);
    }

    /// Reports the CALL or CREATE that suspended the innermost frame, now that the gas it
    /// hands on (`paid`, a CALL's stipend excluded) is known.
    fn report_suspended(&mut self, paid: u64, create: bool) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let Some(step) = frame.step.take_if(|s| s.exit == Some(Exit::Suspend)) else {
            return;
        };
        let own = step.charged.saturating_sub(paid);
        let reported = if create && self.flavour == Flavour::Geth {
            own
        } else {
            step.charged
        };
        self.sink
            .step(&step, Cost { reported, own }, Fault::None, None);
        self.spare.push(step);
    }

    pub fn call(&mut self, inputs: &CallInputs) {
        self.report_suspended(inputs.gas_limit - stipend(inputs), false);
        self.push_frame(false, inputs.gas_limit);
    }

    pub fn create(&mut self, inputs: &CreateInputs) {
        self.report_suspended(inputs.gas_limit, true);
        self.push_frame(true, inputs.gas_limit);
    }

    pub fn call_end(&mut self, _inputs: &CallInputs, outcome: &CallOutcome) {
        self.finish(
            outcome.exit,
            outcome.gas.remaining,
            outcome.gas.refund,
            &outcome.output,
        );
    }

    pub fn create_end(&mut self, _inputs: &CreateInputs, outcome: &CreateOutcome) {
        let result = &outcome.result;
        self.finish(
            result.exit,
            result.gas.remaining,
            result.gas.refund,
            &result.output,
        );
    }

    /// Ends the innermost frame: reports its last instruction, then the frame.
    fn finish(&mut self, exit: Exit, remaining: u64, refund: i64, outcome_output: &[u8]) {
        let Some(mut frame) = self.frames.pop() else {
            return;
        };
        let returned = if exit.is_halt() { 0 } else { remaining };
        let mut error = None;
        let captured = frame.output.take();
        let mut returned_code = false;
        if let Some(mut step) = frame.step.take() {
            if step.op == SELFDESTRUCT && exit.is_success() {
                // geth adds SELFDESTRUCT's refund in its gas function, before it traces.
                step.refund = (frame.refund_base + refund).max(0) as u64;
            }
            // A creation's RETURN ran, and the deposit of its code may have failed after it.
            returned_code = frame.create && step.op == RETURN && step.exit == Some(Exit::Return);
            let ran = returned_code || exit.is_success() || exit == Exit::Revert;
            let (cost, fault) = match self.flavour {
                _ if ran && !(exit == Exit::Revert && self.flavour == Flavour::Geth) => {
                    if returned_code {
                        error = match exit {
                            Exit::OutOfGas => Some(errors::CODE_STORE_OUT_OF_GAS.to_string()),
                            other => errors::message(other, Some(step.failed_op())),
                        };
                    }
                    (step.charged, FaultKind::None)
                }
                Flavour::Geth => {
                    let exit = stack_check_first(exit, &step);
                    error = geth_error(exit, &step);
                    match exit {
                        Exit::StackUnderflow | Exit::StackOverflow => {
                            (step.static_cost(), FaultKind::Before)
                        }
                        Exit::Revert
                        | Exit::InvalidJump
                        | Exit::ReturnDataOutOfBounds
                        | Exit::StaticViolation
                        | Exit::InvalidOpcode
                        | Exit::UndefinedOpcode => (step.charged, FaultKind::During),
                        _ => (step.charged, FaultKind::Before),
                    }
                }
                Flavour::Revm => {
                    error = errors::message(exit, Some(step.failed_op()));
                    let (name, cost) = revm_failure(&step, exit);
                    (cost, FaultKind::Revm(name))
                }
            };
            let message = error.as_deref().unwrap_or("");
            let fault = match fault {
                FaultKind::None => Fault::None,
                FaultKind::Before => Fault::Before(message),
                FaultKind::During => Fault::During(message),
                FaultKind::Revm(name) => Fault::Revm(name),
            };
            // An exceptional halt burns all the gas the frame had left.
            let own = if exit.is_halt() && !returned_code {
                step.gas
            } else {
                cost
            };
            self.sink.step(
                &step,
                Cost {
                    reported: cost,
                    own,
                },
                fault,
                None,
            );
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
    Revm(&'static str),
}

/// geth's error text for the step's failure.
fn geth_error(exit: Exit, step: &Step) -> Option<String> {
    let error = errors::message(exit, Some(step.failed_op()));
    if exit == Exit::OutOfGas
        && step.op == SSTORE
        && step.spec.sstore == SstoreRule::Eip2200
        && step.gas <= SSTORE_SENTRY
    {
        return Some(format!("{}: {SENTRY_ERROR}", error.unwrap_or_default()));
    }
    error
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

/// The static gas revm charges before an instruction runs: the table's, except that revm
/// charges a LOG's topics and CREATE's base with the rest of the cost.
fn revm_static_cost(step: &Step) -> u64 {
    match step.op {
        LOG0..=LOG4 => gas::LOG_TOPIC,
        CREATE | CREATE2 => 0,
        _ => step.static_cost(),
    }
}

/// revm's name for why the step failed, and the gas revm had charged for it, from what the
/// interpreter charged: revm spends all the gas left when a charge fails, except on memory
/// expansion (`MemoryOOG`, `MemoryLimitOOG`), an operand too large (`InvalidOperandOOG`) and
/// the SSTORE sentry; it charges a CALL's memory before the rest of its cost, and every
/// other instruction's memory last.
fn revm_failure(step: &Step, exit: Exit) -> (&'static str, u64) {
    let own = revm_static_cost(step);
    let affordable = own.min(step.gas);
    match exit {
        Exit::OutOfGas => {}
        Exit::StackUnderflow => return ("StackUnderflow", affordable),
        Exit::StackOverflow => return ("StackOverflow", affordable),
        Exit::InvalidJump => return ("InvalidJump", affordable),
        Exit::StaticViolation if step.op == CALL => {
            return ("CallNotAllowedInsideStatic", affordable)
        }
        Exit::StaticViolation => return ("StateChangeDuringStaticCall", affordable),
        Exit::InvalidOpcode => return ("InvalidFEOpcode", 0),
        Exit::UndefinedOpcode => {
            // Defined in a later fork: revm charges its cost, then finds it inactive.
            let later = opcode::OPCODES[step.op as usize].and_then(|info| info.introduced_in());
            return match later {
                Some(fork) => {
                    let cost = gas::table(Spec::of(fork))[step.op as usize];
                    ("NotActivated", cost.min(step.gas))
                }
                None => ("OpcodeNotFound", 0),
            };
        }
        Exit::ReturnDataOutOfBounds => return ("OutOfOffset", affordable),
        Exit::CreateCollision => return ("CreateCollision", 0),
        Exit::CodeSizeLimit => return ("CreateContractSizeLimit", 0),
        Exit::InvalidCodePrefix => return ("CreateContractStartingWithEF", 0),
        Exit::PrecompileFailure => return ("PrecompileError", 0),
        _ => return ("FatalExternalError", 0),
    }
    if step.gas < own {
        return ("OutOfGas", step.gas);
    }
    let available = step.gas - own;
    if step.op == SSTORE && step.spec.sstore == SstoreRule::Eip2200 && step.gas <= SSTORE_SENTRY {
        return ("ReentrancySentryOOG", own);
    }
    let failed = step.failed;
    let touches_memory = opcode::OPCODES[step.op as usize].is_some_and(|i| !i.memory.is_empty());
    if failed.overflow && touches_memory {
        return ("InvalidOperandOOG", own);
    }
    if failed.memory_size == 0 {
        return ("OutOfGas", step.gas);
    }
    // The part of the failed charge revm charges before the memory.
    let before = if matches!(step.op, CALL | CALLCODE | DELEGATECALL | STATICCALL) {
        0
    } else {
        step.charged
            .saturating_sub(own)
            .saturating_sub(failed.memory)
    };
    if before > available {
        return ("OutOfGas", step.gas);
    }
    if failed.memory_size > REVM_MEMORY_LIMIT {
        return ("MemoryLimitOOG", own + before);
    }
    if failed.memory > available - before {
        return ("MemoryOOG", own + before);
    }
    ("OutOfGas", step.gas)
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
