//! [`DebugTracer`]: the inspector behind `debug_trace*`. It records the call frames (for
//! `callTracer` and `4byteTracer`) and, when asked, one struct log per instruction, with the
//! semantics anvil's tracer (revm-inspectors) has, which are not quite geth's:
//!
//! - an instruction's `gasCost` is the gas it took before the next one ran: for a CALL or a
//!   CREATE, its own cost plus all the gas handed to the callee (stipend excluded);
//! - an instruction that fails appears once, with `error` as revm names the failure
//!   (`Some(OutOfGas)`, `Some(StackUnderflow)`, ...) and the gas revm charged before failing;
//! - `refund` is the frame's refund counter before the instruction.

use std::collections::HashSet;

use ember_evm::bytecode::opcode::{self, *};
use ember_evm::interpreter::{CallKind, CreateScheme};
use ember_evm::{
    Address, Bytes, CallInputs, CallOutcome, CreateInputs, CreateOutcome, Exit, Inspector,
    Interpreter, Log, Spec, U256,
};
use ember_trace::{Flavour, StructLogRecorder};

pub use ember_trace::{StepConfig, StructLog};

/// A log as `callTracer` reports it.
#[derive(Clone, Debug)]
pub struct FrameLog {
    /// The log.
    pub log: Log,
    /// Child calls of the frame before it.
    pub position: usize,
    /// Its index among all logs the transaction emitted (reverted ones included).
    pub index: usize,
}

/// One call frame.
#[derive(Clone, Debug)]
pub struct CallNode {
    /// CALL, STATICCALL, DELEGATECALL, CALLCODE, CREATE or CREATE2.
    pub kind: &'static str,
    /// The caller.
    pub from: Address,
    /// The callee, or the created contract once known.
    pub to: Option<Address>,
    /// The value (the apparent value for DELEGATECALL).
    pub value: U256,
    /// Gas given to the frame.
    pub gas: u64,
    /// Gas it used.
    pub gas_used: u64,
    /// Calldata or initcode.
    pub input: Bytes,
    /// Return or revert data; for a creation the code.
    pub output: Bytes,
    /// How it ended.
    pub exit: Exit,
    /// revm's name of a failure (`None` on success).
    pub status: Option<String>,
    /// Children in order.
    pub calls: Vec<usize>,
    /// Its logs.
    pub logs: Vec<FrameLog>,
    /// A SELFDESTRUCT it ran: beneficiary and value.
    pub selfdestruct: Option<(Address, Address, U256)>,
    /// The frame that made it.
    pub parent: Option<usize>,
}

impl CallNode {
    /// Ended normally (STOP, RETURN, SELFDESTRUCT).
    pub fn success(&self) -> bool {
        self.exit.is_success()
    }
}

/// Largest RETURN of a creation captured as its code.
const MAX_CAPTURE: u64 = 1 << 20;

#[derive(Debug)]
struct Open {
    node: usize,
    create: bool,
    /// What a RETURN of a creation returned (the code).
    captured: Option<Bytes>,
}

/// The inspector behind the debug methods: the call frames here, the struct logs (and how
/// each frame's last instruction failed) from the shared step recorder in revm's flavour.
#[derive(Debug)]
pub struct DebugTracer {
    steps: StructLogRecorder,
    /// Call frames in the order they started; the first is the transaction's.
    pub nodes: Vec<CallNode>,
    /// The slots SLOAD and SSTORE touched.
    pub touched_slots: HashSet<(Address, U256)>,
    open: Vec<Open>,
    log_count: usize,
}

impl DebugTracer {
    /// A tracer recording struct logs as `config` says. (`_spec` is kept for callers: the
    /// recorder reads each frame's rules from the interpreter.)
    pub fn new(_spec: &'static Spec, config: StepConfig) -> Self {
        DebugTracer {
            steps: StructLogRecorder::new(Flavour::Revm, config),
            nodes: Vec::new(),
            touched_slots: HashSet::new(),
            open: Vec::new(),
            log_count: 0,
        }
    }

    /// The struct logs, in execution order.
    pub fn steps(&self) -> &[StructLog] {
        self.steps.logs()
    }

    /// The transaction's frame.
    pub fn root(&self) -> Option<&CallNode> {
        self.nodes.first()
    }

    fn open_node(&mut self, node: CallNode, create: bool) {
        let index = self.nodes.len();
        if let Some(parent) = self.open.last() {
            self.nodes[parent.node].calls.push(index);
        }
        self.nodes.push(CallNode {
            parent: self.open.last().map(|o| o.node),
            ..node
        });
        self.open.push(Open {
            node: index,
            create,
            captured: None,
        });
    }

    /// Ends the innermost frame: fills in its node, with the failure of its last
    /// instruction as the step recorder named it.
    fn close(&mut self, exit: Exit, remaining: u64, output: &Bytes, created: Option<Address>) {
        let failure = self.steps.take_failure();
        let Some(open) = self.open.pop() else {
            return;
        };
        let node = &mut self.nodes[open.node];
        node.exit = exit;
        node.gas_used = if exit.is_halt() {
            node.gas
        } else {
            node.gas.saturating_sub(remaining)
        };
        node.status = status_name(exit, failure);
        if open.create {
            node.to = created;
            node.output = if exit.is_success() {
                open.captured.unwrap_or_default()
            } else if exit.is_revert() {
                output.clone()
            } else {
                Bytes::new()
            };
        } else {
            node.output = output.clone();
        }
    }
}

/// revm's name of how a frame ended, `None` on success.
fn status_name(exit: Exit, failure: Option<String>) -> Option<String> {
    if exit.is_success() {
        return None;
    }
    if failure.is_some() {
        return failure;
    }
    let name = match exit {
        Exit::Revert => "Revert",
        Exit::CallTooDeep => "CallTooDeep",
        Exit::OutOfFunds => "OutOfFunds",
        Exit::NonceOverflow => "NonceOverflow",
        Exit::OutOfGas => "OutOfGas",
        Exit::InvalidOpcode => "InvalidFEOpcode",
        Exit::UndefinedOpcode => "OpcodeNotFound",
        Exit::StackUnderflow => "StackUnderflow",
        Exit::StackOverflow => "StackOverflow",
        Exit::InvalidJump => "InvalidJump",
        Exit::StaticViolation => "StateChangeDuringStaticCall",
        Exit::ReturnDataOutOfBounds => "OutOfOffset",
        Exit::CreateCollision => "CreateCollision",
        Exit::CodeSizeLimit => "CreateContractSizeLimit",
        Exit::InvalidCodePrefix => "CreateContractStartingWithEF",
        Exit::PrecompileFailure => "PrecompileError",
        Exit::FatalExternalError => "FatalExternalError",
        Exit::Stop | Exit::Return | Exit::SelfDestruct | Exit::Suspend => return None,
    };
    Some(name.to_string())
}

/// `callTracer`'s error text for revm's status name (revm-inspectors' wording).
pub fn call_error(status: &str) -> String {
    match status {
        "Revert" => "execution reverted",
        "OutOfFunds" => "insufficient balance for transfer",
        "OutOfGas" | "PrecompileOOG" => "out of gas",
        "MemoryOOG" => "out of gas: out of memory",
        "MemoryLimitOOG" => "out of gas: reach memory limit",
        "InvalidOperandOOG" => "out of gas: invalid operand",
        "ReentrancySentryOOG" => "out of gas: not enough gas for reentrancy sentry",
        "OpcodeNotFound" => "invalid opcode",
        "StackOverflow" => "Out of stack",
        "InvalidJump" => "invalid jump destination",
        "PrecompileError" => "precompiled failed",
        "InvalidFEOpcode" => "invalid opcode: INVALID",
        other => other,
    }
    .to_string()
}

/// revm's name of an opcode (geth's PREVRANDAO is revm's DIFFICULTY), `Unknown` for a byte
/// no fork defines.
pub fn op_name(op: u8) -> &'static str {
    if op == PREVRANDAO {
        return "DIFFICULTY";
    }
    opcode::name(op).unwrap_or("Unknown")
}

fn to_u64(v: U256) -> Option<u64> {
    u64::try_from(v).ok()
}

fn call_kind(kind: CallKind) -> &'static str {
    match kind {
        CallKind::Call => "CALL",
        CallKind::CallCode => "CALLCODE",
        CallKind::DelegateCall => "DELEGATECALL",
        CallKind::StaticCall => "STATICCALL",
    }
}

impl Inspector for DebugTracer {
    fn step(&mut self, interp: &Interpreter) {
        let Some(open) = self.open.last_mut() else {
            return;
        };
        let op = interp.current_opcode();
        let data = interp.stack.data();
        if open.create && op == RETURN {
            let offset = data.len().checked_sub(1).map(|i| data[i]);
            let len = data.len().checked_sub(2).map(|i| data[i]);
            open.captured = capture(interp, offset, len);
        }
        if matches!(op, SLOAD | SSTORE) {
            if let Some(key) = data.last() {
                self.touched_slots.insert((interp.address, *key));
            }
        }
        self.steps.step(interp);
    }

    fn step_end(&mut self, interp: &Interpreter) {
        self.steps.step_end(interp);
    }

    fn step_exit(&mut self, interp: &Interpreter, exit: Exit) {
        self.steps.step_exit(interp, exit);
    }

    fn call(&mut self, inputs: &CallInputs, depth: usize) {
        // A DELEGATECALL or CALLCODE runs the callee's code as the calling contract: the
        // frame goes from that contract to the code's account.
        let (from, to) = match inputs.kind {
            CallKind::DelegateCall | CallKind::CallCode => (inputs.target, inputs.code_address),
            CallKind::Call | CallKind::StaticCall => (inputs.caller, inputs.target),
        };
        let node = CallNode {
            kind: call_kind(inputs.kind),
            from,
            to: Some(to),
            value: inputs.value,
            gas: inputs.gas_limit,
            gas_used: 0,
            input: inputs.input.clone(),
            output: Bytes::new(),
            exit: Exit::Stop,
            status: None,
            calls: Vec::new(),
            logs: Vec::new(),
            selfdestruct: None,
            parent: None,
        };
        self.steps.call(inputs, depth);
        self.open_node(node, false);
    }

    fn call_end(&mut self, inputs: &CallInputs, outcome: &CallOutcome, depth: usize) {
        self.steps.call_end(inputs, outcome, depth);
        self.close(outcome.exit, outcome.gas.remaining, &outcome.output, None);
    }

    fn create(&mut self, inputs: &CreateInputs, depth: usize) {
        let kind = match inputs.scheme {
            CreateScheme::Create => "CREATE",
            CreateScheme::Create2 { .. } => "CREATE2",
        };
        let node = CallNode {
            kind,
            from: inputs.caller,
            to: None,
            value: inputs.value,
            gas: inputs.gas_limit,
            gas_used: 0,
            input: inputs.init_code.clone(),
            output: Bytes::new(),
            exit: Exit::Stop,
            status: None,
            calls: Vec::new(),
            logs: Vec::new(),
            selfdestruct: None,
            parent: None,
        };
        self.steps.create(inputs, depth);
        self.open_node(node, true);
    }

    fn create_end(&mut self, inputs: &CreateInputs, outcome: &CreateOutcome, depth: usize) {
        self.steps.create_end(inputs, outcome, depth);
        let result = &outcome.result;
        self.close(
            result.exit,
            result.gas.remaining,
            &result.output,
            outcome.address,
        );
    }

    fn log(&mut self, log: &Log) {
        let index = self.log_count;
        self.log_count += 1;
        if let Some(open) = self.open.last() {
            let node = &mut self.nodes[open.node];
            node.logs.push(FrameLog {
                log: log.clone(),
                position: node.calls.len(),
                index,
            });
        }
    }

    fn selfdestruct(&mut self, address: Address, target: Address, value: U256) {
        if let Some(open) = self.open.last() {
            self.nodes[open.node].selfdestruct = Some((address, target, value));
        }
    }
}

/// The bytes a RETURN about to run returns (memory it expands reads as zeros).
fn capture(interp: &Interpreter, offset: Option<U256>, len: Option<U256>) -> Option<Bytes> {
    let offset = to_u64(offset?)?;
    let len = to_u64(len?)?;
    if len == 0 {
        return Some(Bytes::new());
    }
    if len > MAX_CAPTURE || offset.checked_add(len)? > interp.memory_limit {
        return None;
    }
    let mut out = vec![0u8; len as usize];
    let mem = interp.memory.data();
    let start = (offset as usize).min(mem.len());
    let end = ((offset + len) as usize).min(mem.len());
    out[..end - start].copy_from_slice(&mem[start..end]);
    Some(out.into())
}
