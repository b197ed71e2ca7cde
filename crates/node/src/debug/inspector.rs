//! [`DebugTracer`]: the inspector behind `debug_trace*`. It records the call frames (for
//! `callTracer` and `4byteTracer`) and, when asked, one struct log per instruction, with the
//! semantics anvil's tracer (revm-inspectors) has, which are not quite geth's:
//!
//! - an instruction's `gasCost` is the gas it took before the next one ran: for a CALL or a
//!   CREATE, its own cost plus all the gas handed to the callee (stipend excluded);
//! - an instruction that fails appears once, with `error` as revm names the failure
//!   (`Some(OutOfGas)`, `Some(StackUnderflow)`, ...) and the gas revm charged before failing;
//! - `refund` is the frame's refund counter before the instruction.

use std::collections::{BTreeMap, HashMap, HashSet};

use ember_evm::bytecode::opcode::{self, MemoryLength, *};
use ember_evm::interpreter::gas;
use ember_evm::interpreter::{CallKind, CreateScheme};
use ember_evm::primitives::spec::SstoreRule;
use ember_evm::{
    Address, Bytes, CallInputs, CallOutcome, CreateInputs, CreateOutcome, Exit, Inspector,
    Interpreter, Log, Spec, U256,
};

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
    /// What it cost (see the module documentation).
    pub gas_cost: u64,
    /// Call depth, 1 for the transaction's frame.
    pub depth: usize,
    /// revm's name of why it failed.
    pub error: Option<&'static str>,
    /// The stack, bottom first.
    pub stack: Option<Vec<U256>>,
    /// The memory.
    pub memory: Option<Vec<u8>>,
    /// The last call's return data.
    pub return_data: Option<Bytes>,
    /// The storage of the frame's account seen so far (SLOAD and SSTORE only).
    pub storage: Option<BTreeMap<U256, U256>>,
    /// The frame's refund counter (as revm's tracer reports it: an unsigned cast).
    pub refund: u64,
}

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
    pub status: Option<&'static str>,
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

/// The step waiting for its cost.
#[derive(Clone, Debug)]
struct Pending {
    /// Its struct log, when those are recorded.
    log: Option<usize>,
    op: u8,
    gas: u64,
    /// The top of the stack, bottom first (at most [`TOP`] items).
    top: Vec<U256>,
    stack_len: usize,
    mem_len: usize,
    address: Address,
}

impl Pending {
    /// The `n`-th stack item from the top (0 = top), zero when absent.
    fn peek(&self, n: usize) -> U256 {
        self.top
            .len()
            .checked_sub(n + 1)
            .map_or(U256::ZERO, |i| self.top[i])
    }
}

/// Stack items kept for working out costs and storage.
const TOP: usize = 7;

/// revm's memory limit: `(1 << 32) - 1` bytes.
const MEMORY_LIMIT: u64 = u32::MAX as u64;

/// Largest RETURN of a creation captured as its code.
const MAX_CAPTURE: u64 = 1 << 20;

#[derive(Debug)]
struct Open {
    node: usize,
    create: bool,
    pending: Option<Pending>,
    /// Gas the last child handed back (added to the CALL's cost).
    child_returned: u64,
    /// What a RETURN of a creation returned (the code).
    captured: Option<Bytes>,
    /// revm's name of the failure of the frame's last instruction.
    failure: Option<&'static str>,
}

/// The inspector behind the debug methods.
#[derive(Debug)]
pub struct DebugTracer {
    config: StepConfig,
    spec: &'static Spec,
    /// Call frames in the order they started; the first is the transaction's.
    pub nodes: Vec<CallNode>,
    /// Struct logs.
    pub steps: Vec<StructLog>,
    /// The slots SLOAD and SSTORE touched.
    pub touched_slots: HashSet<(Address, U256)>,
    open: Vec<Open>,
    storage: HashMap<Address, BTreeMap<U256, U256>>,
    log_count: usize,
}

impl DebugTracer {
    /// A tracer for `spec` recording struct logs as `config` says.
    pub fn new(spec: &'static Spec, config: StepConfig) -> Self {
        DebugTracer {
            config,
            spec,
            nodes: Vec::new(),
            steps: Vec::new(),
            touched_slots: HashSet::new(),
            open: Vec::new(),
            storage: HashMap::new(),
            log_count: 0,
        }
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
            pending: None,
            child_returned: 0,
            captured: None,
            failure: None,
        });
    }

    fn snapshot_storage(&mut self, log: usize, address: Address, change: Option<(U256, U256)>) {
        if !self.config.storage {
            return;
        }
        let slots = self.storage.entry(address).or_default();
        if let Some((key, value)) = change {
            slots.insert(key, value);
        }
        self.steps[log].storage = Some(slots.clone());
    }

    /// Ends the innermost frame: costs its last instruction, fills in the node.
    fn close(&mut self, exit: Exit, remaining: u64, output: &Bytes, created: Option<Address>) {
        let Some(mut open) = self.open.pop() else {
            return;
        };
        if let Some(p) = open.pending.take() {
            self.finish_last(&mut open, p, exit, remaining);
        }
        let node = &mut self.nodes[open.node];
        node.exit = exit;
        node.gas_used = if exit.is_halt() {
            node.gas
        } else {
            node.gas.saturating_sub(remaining)
        };
        node.status = status_name(exit, open.failure);
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
        let returned = if exit.is_halt() { 0 } else { remaining };
        if let Some(parent) = self.open.last_mut() {
            parent.child_returned = returned;
        }
    }

    /// Costs the instruction that ended a frame (it gets no `step_end`).
    fn finish_last(&mut self, open: &mut Open, p: Pending, exit: Exit, remaining: u64) {
        // A creation's RETURN that ran, the deposit of its code failing afterwards.
        let returned_code = open.create
            && p.op == RETURN
            && match exit {
                Exit::CodeSizeLimit | Exit::InvalidCodePrefix => true,
                Exit::OutOfGas => memory_cost(&p, p.peek(0), p.peek(1)).is_some_and(|c| c <= p.gas),
                _ => false,
            };
        let ran = exit.is_success() || exit == Exit::Revert || returned_code;
        let (cost, error) = if ran {
            let cost = match p.op {
                RETURN | REVERT => memory_cost(&p, p.peek(0), p.peek(1)).unwrap_or(0),
                STOP => 0,
                _ => p.gas.saturating_sub(remaining),
            };
            (cost, None)
        } else {
            let (name, cost) = classify_failure(self.spec, &p, exit);
            open.failure = Some(name);
            (cost, Some(name))
        };
        let Some(log) = p.log else {
            return;
        };
        if let Some(entry) = self.steps.get_mut(log) {
            entry.gas_cost = cost;
            entry.error = error;
        }
        if matches!(p.op, SLOAD | SSTORE) {
            self.snapshot_storage(log, p.address, None);
        }
    }
}

/// revm's name of how a frame ended, `None` on success.
fn status_name(exit: Exit, failure: Option<&'static str>) -> Option<&'static str> {
    if exit.is_success() {
        return None;
    }
    if let Some(name) = failure {
        return Some(name);
    }
    Some(match exit {
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
    })
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

/// The gas revm charges before it runs an instruction: Ember's static cost, except that
/// revm charges a LOG's topics and CREATE's base with the dynamic part.
fn static_cost(spec: &Spec, op: u8) -> u64 {
    match op {
        LOG0..=LOG4 => return gas::LOG_TOPIC,
        CREATE | CREATE2 => return 0,
        _ => {}
    }
    let cost = gas::table(spec)[op as usize];
    if cost == gas::UNDEFINED {
        0
    } else {
        cost
    }
}

fn to_u64(v: U256) -> Option<u64> {
    u64::try_from(v).ok()
}

/// Memory expansion cost of touching `[offset, offset + len)` from the step's memory size;
/// `None` when the numbers do not fit.
fn memory_cost(p: &Pending, offset: U256, len: U256) -> Option<u64> {
    if len.is_zero() {
        return Some(0);
    }
    let end = to_u64(offset)?.checked_add(to_u64(len)?)?;
    let new_words = gas::words(end);
    let cur_words = p.mem_len as u64 / 32;
    if new_words <= cur_words {
        return Some(0);
    }
    Some(gas::memory_cost(new_words) - gas::memory_cost(cur_words))
}

/// The memory an instruction touches (offset, length pairs, from the opcode table) and the
/// dynamic gas revm charges before it expands memory.
fn memory_use(p: &Pending) -> (Vec<(U256, U256)>, Option<u64>) {
    let a = |n| p.peek(n);
    let ranges = opcode::OPCODES[p.op as usize].map_or_else(Vec::new, |info| {
        info.memory
            .iter()
            .map(|m| {
                let len = match m.length {
                    MemoryLength::Fixed(bytes) => U256::from(bytes),
                    MemoryLength::Stack(depth) => a(depth as usize),
                };
                (a(m.offset as usize), len)
            })
            .collect()
    });
    let words = |len: U256| to_u64(len).map(gas::words);
    let before = match p.op {
        KECCAK256 => words(a(1)).map(|w| w * gas::KECCAK_WORD),
        CALLDATACOPY | CODECOPY | RETURNDATACOPY | MCOPY => words(a(2)).map(|w| w * gas::COPY_WORD),
        EXTCODECOPY => words(a(3)).map(|w| w * gas::COPY_WORD),
        LOG0..=LOG4 => to_u64(a(1)).and_then(|l| {
            l.checked_mul(gas::LOG_DATA)?
                .checked_add(gas::LOG_TOPIC * u64::from(p.op - LOG0))
        }),
        CREATE | CREATE2 => words(a(2)).map(|w| w * gas::INITCODE_WORD),
        _ => Some(0),
    };
    (ranges, before)
}

/// revm's name for why the step failed, and the gas revm had charged for it.
fn classify_failure(spec: &'static Spec, p: &Pending, exit: Exit) -> (&'static str, u64) {
    let own = static_cost(spec, p.op);
    let affordable = if p.gas >= own { own } else { p.gas };
    match exit {
        Exit::OutOfGas => classify_oog(spec, p, own),
        Exit::StackUnderflow => ("StackUnderflow", affordable),
        Exit::StackOverflow => ("StackOverflow", affordable),
        Exit::InvalidJump => ("InvalidJump", affordable),
        Exit::StaticViolation => {
            let name = if p.op == CALL {
                "CallNotAllowedInsideStatic"
            } else {
                "StateChangeDuringStaticCall"
            };
            (name, affordable)
        }
        Exit::InvalidOpcode => ("InvalidFEOpcode", 0),
        Exit::UndefinedOpcode => match &opcode::OPCODES[p.op as usize] {
            // Defined in a later fork: revm charges its cost, then finds it inactive.
            Some(info) => match info.introduced_in() {
                Some(fork) => {
                    let cost = static_cost(Spec::of(fork), p.op);
                    ("NotActivated", cost.min(p.gas))
                }
                None => ("OpcodeNotFound", 0),
            },
            None => ("OpcodeNotFound", 0),
        },
        Exit::ReturnDataOutOfBounds => ("OutOfOffset", affordable),
        Exit::CreateCollision => ("CreateCollision", 0),
        Exit::CodeSizeLimit => ("CreateContractSizeLimit", 0),
        Exit::InvalidCodePrefix => ("CreateContractStartingWithEF", 0),
        Exit::PrecompileFailure => ("PrecompileError", 0),
        _ => ("FatalExternalError", 0),
    }
}

/// Which charge ran out: revm spends all the gas left when a charge fails, except memory
/// expansion (`MemoryOOG`, `MemoryLimitOOG`) and the SSTORE sentry.
fn classify_oog(spec: &'static Spec, p: &Pending, own: u64) -> (&'static str, u64) {
    if p.gas < own {
        return ("OutOfGas", p.gas);
    }
    let avail = p.gas - own;
    if p.op == SSTORE && spec.sstore == SstoreRule::Eip2200 && p.gas <= gas::CALL_STIPEND {
        return ("ReentrancySentryOOG", own);
    }
    let (ranges, before) = memory_use(p);
    if ranges.is_empty() {
        return ("OutOfGas", p.gas);
    }
    let Some(before) = before else {
        return ("InvalidOperandOOG", own);
    };
    if before > avail {
        return ("OutOfGas", p.gas);
    }
    let mut end = 0u64;
    for (offset, len) in ranges {
        if len.is_zero() {
            continue;
        }
        match (to_u64(offset), to_u64(len)) {
            (Some(o), Some(l)) => end = end.max(o.saturating_add(l)),
            _ => return ("InvalidOperandOOG", own + before),
        }
    }
    if end == 0 {
        return ("OutOfGas", p.gas);
    }
    let new_words = gas::words(end);
    if new_words.saturating_mul(32) > MEMORY_LIMIT {
        return ("MemoryLimitOOG", own + before);
    }
    let cur_words = p.mem_len as u64 / 32;
    let expansion = if new_words > cur_words {
        gas::memory_cost(new_words) - gas::memory_cost(cur_words)
    } else {
        0
    };
    if expansion > avail - before {
        return ("MemoryOOG", own + before);
    }
    ("OutOfGas", p.gas)
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
        let config = self.config;
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
        let log = config.enabled.then_some(self.steps.len());
        if config.enabled {
            self.steps.push(StructLog {
                pc: interp.pc,
                op,
                gas: interp.gas.remaining,
                gas_cost: 0,
                depth: interp.depth + 1,
                error: None,
                stack: config.stack.then(|| data.to_vec()),
                memory: config.memory.then(|| interp.memory.data().to_vec()),
                return_data: config.return_data.then(|| interp.return_data.clone()),
                storage: None,
                refund: interp.gas.refund as u64,
            });
        }
        open.pending = Some(Pending {
            log,
            op,
            gas: interp.gas.remaining,
            top: data[data.len().saturating_sub(TOP)..].to_vec(),
            stack_len: data.len(),
            mem_len: interp.memory.len(),
            address: interp.address,
        });
    }

    fn step_end(&mut self, interp: &Interpreter) {
        let Some(open) = self.open.last_mut() else {
            return;
        };
        let returned = std::mem::take(&mut open.child_returned);
        let Some(p) = open.pending.take() else {
            return;
        };
        let Some(log) = p.log else {
            return;
        };
        let cost = (p.gas as i128 - interp.gas.remaining as i128 + returned as i128)
            .clamp(0, u64::MAX as i128) as u64;
        self.steps[log].gas_cost = cost;
        match p.op {
            SLOAD => {
                let value = interp.stack.data().last().copied().unwrap_or_default();
                self.snapshot_storage(log, p.address, Some((p.peek(0), value)));
            }
            SSTORE if p.stack_len >= 2 => {
                self.snapshot_storage(log, p.address, Some((p.peek(0), p.peek(1))));
            }
            _ => {}
        }
    }

    fn call(&mut self, inputs: &CallInputs, _depth: usize) {
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
        self.open_node(node, false);
    }

    fn call_end(&mut self, _inputs: &CallInputs, outcome: &CallOutcome, _depth: usize) {
        self.close(outcome.exit, outcome.gas.remaining, &outcome.output, None);
    }

    fn create(&mut self, inputs: &CreateInputs, _depth: usize) {
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
        self.open_node(node, true);
    }

    fn create_end(&mut self, _inputs: &CreateInputs, outcome: &CreateOutcome, _depth: usize) {
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
