//! `debug_traceTransaction` and `debug_traceCall`, answering as anvil does (its tracers are
//! revm-inspectors'):
//!
//! - the default tracer: struct logs `{failed, gas, returnValue, structLogs}` with
//!   `disableStack`, `disableStorage`, `enableMemory` and `enableReturnData`;
//! - `callTracer`: nested call frames, with `onlyTopCall` and `withLog`;
//! - `prestateTracer` (with `diffMode`, `disableCode`, `disableStorage`), `4byteTracer` and
//!   `noopTracer`.
//!
//! A mined transaction is traced by running its block again on the parent block's state, up
//! to and including it, with the tracer switched on for it alone. The chain keeps the states
//! of the last [`STATE_HISTORY`] blocks, so older transactions cannot be traced.

mod inspector;
mod prestate;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use ember_blockchain::{
    execute_block_inspected, BlockContext, ExecuteOptions, ExecutionMode, InvalidTxPolicy, TxHooks,
};
use ember_evm::{Address, Evm, InMemoryDb, Spec, B256, U256};
use ember_primitives::hex;
use ember_rpc::RpcError;
use ember_trace::Maybe;
use serde_json::{json, Map, Value};

use crate::chain::STATE_HISTORY;
use crate::node::Node;
use crate::params::{hex_u64, parse, Params, Quantity};
use crate::render::hex_bytes;

pub use inspector::{call_error, op_name, CallNode, DebugTracer, StepConfig, StructLog};
pub use prestate::{ChainDb, PrestateConfig, Recording, RecordingDb};

/// Which tracer a request asked for.
#[derive(Clone, Copy, Debug)]
pub enum TracerKind {
    /// Struct logs (no `tracer`).
    StructLogs,
    /// `callTracer`.
    Call {
        /// `onlyTopCall`.
        only_top: bool,
        /// `withLog`.
        with_log: bool,
    },
    /// `prestateTracer`.
    Prestate(PrestateConfig),
    /// `4byteTracer`.
    FourByte,
    /// `noopTracer`.
    Noop,
}

/// The tracing options of a request.
#[derive(Clone, Copy, Debug)]
pub struct TraceOptions {
    /// The tracer.
    pub tracer: TracerKind,
    /// What the struct logger records.
    pub steps: StepConfig,
}

fn flag(obj: &Map<String, Value>, name: &str) -> Result<Option<bool>, RpcError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(RpcError::invalid_params(format!(
            "`options.{name}`: expected a boolean, got {other}"
        ))),
    }
}

impl TraceOptions {
    /// Reads the options object (absent or null: the default struct logger).
    pub fn parse(value: Option<&Value>) -> Result<TraceOptions, RpcError> {
        let empty = Map::new();
        let obj = match value {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(obj)) => obj,
            Some(other) => {
                return Err(RpcError::invalid_params(format!(
                    "`options`: expected an object, got {other}"
                )))
            }
        };
        let config = match obj.get("tracerConfig") {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(c)) => c,
            Some(other) => {
                return Err(RpcError::invalid_params(format!(
                    "`options.tracerConfig`: expected an object, got {other}"
                )))
            }
        };
        let tracer = match obj.get("tracer") {
            None | Some(Value::Null) => TracerKind::StructLogs,
            Some(Value::String(name)) => match name.as_str() {
                "" => TracerKind::StructLogs,
                "callTracer" => TracerKind::Call {
                    only_top: flag(config, "onlyTopCall")?.unwrap_or(false),
                    with_log: flag(config, "withLog")?.unwrap_or(false),
                },
                "prestateTracer" => TracerKind::Prestate(PrestateConfig {
                    diff: flag(config, "diffMode")?.unwrap_or(false),
                    code: !flag(config, "disableCode")?.unwrap_or(false),
                    storage: !flag(config, "disableStorage")?.unwrap_or(false),
                }),
                "4byteTracer" => TracerKind::FourByte,
                "noopTracer" => TracerKind::Noop,
                other => {
                    return Err(RpcError::invalid_params(format!(
                        "unsupported tracer `{other}` (supported: the default struct logger, \
                         callTracer, prestateTracer, 4byteTracer, noopTracer; no JavaScript \
                         tracers)"
                    )))
                }
            },
            Some(other) => {
                return Err(RpcError::invalid_params(format!(
                    "`options.tracer`: expected a string, got {other}"
                )))
            }
        };
        let steps = StepConfig {
            enabled: matches!(tracer, TracerKind::StructLogs),
            stack: !flag(obj, "disableStack")?.unwrap_or(false),
            storage: !flag(obj, "disableStorage")?.unwrap_or(false),
            memory: flag(obj, "enableMemory")?.unwrap_or(false)
                || flag(obj, "disableMemory")? == Some(false),
            return_data: flag(obj, "enableReturnData")?.unwrap_or(false)
                || flag(obj, "disableReturnData")? == Some(false),
        };
        Ok(TraceOptions { tracer, steps })
    }

    fn records_state(&self) -> bool {
        matches!(self.tracer, TracerKind::Prestate(_))
    }
}

/// What a traced transaction did, besides what the tracer saw.
struct Traced {
    tracer: DebugTracer,
    /// The gas reported: for a call the gas it used; for a mined transaction, as anvil, the
    /// block's gas used up to and including it (the receipt's cumulative gas).
    gas_used: u64,
    recording: Recording,
    changes: ember_evm::StateChanges,
}

/// Switches the tracer (and the state recording) on for one transaction of a block.
struct Target {
    hash: B256,
    tracer: Option<DebugTracer>,
    done: Option<DebugTracer>,
    rec: prestate::SharedRecording,
    record: bool,
}

impl TxHooks<Maybe<DebugTracer>> for Target {
    fn before_tx(&mut self, inspector: &mut Maybe<DebugTracer>, _position: usize, hash: B256) {
        if hash == self.hash && self.done.is_none() {
            inspector.0 = self.tracer.take();
            self.rec.borrow_mut().on = self.record;
        }
    }

    fn after_tx(&mut self, inspector: &mut Maybe<DebugTracer>, _included: bool) {
        if let Some(tracer) = inspector.0.take() {
            self.done = Some(tracer);
            self.rec.borrow_mut().on = false;
        }
    }
}

/// `debug_traceTransaction [hash, options]`.
pub fn trace_transaction(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let hash: B256 = p.required(0, "hash")?;
    let options = TraceOptions::parse(p.raw(1))?;
    // Everything the run needs, then the lock is released.
    let (block, index, parent, remote, fork, config) = {
        let s = node.lock()?;
        let (block, index) = s
            .chain
            .find_tx(&hash)
            .ok_or_else(|| RpcError::server(format!("transaction {hash} not found")))?;
        let number = block.number();
        let parent_number = number.saturating_sub(1);
        let parent = s.chain.state_at(parent_number).ok_or_else(|| {
            RpcError::server(format!(
                "cannot trace transaction {hash} of block {number}: the state of block \
                 {parent_number} is no longer kept (only the last {STATE_HISTORY} blocks' \
                 states are)"
            ))
        })?;
        (
            block.clone(),
            index,
            parent,
            s.chain.remote.clone(),
            s.chain.fork_at(number, block.block.header.timestamp),
            s.chain.config().clone(),
        )
    };
    let spec = Spec::of(fork);
    let rec: prestate::SharedRecording = Rc::new(RefCell::new(Recording::default()));
    let db = RecordingDb {
        inner: ChainDb {
            db: InMemoryDb::clone(&parent),
            remote,
        },
        rec: rec.clone(),
        fork,
    };
    let ctx = BlockContext::from_header(fork, &block.block.header);
    let execute = ExecuteOptions {
        mode: ExecutionMode::Block,
        on_invalid_tx: InvalidTxPolicy::Skip,
        reward: None,
        ommers: Vec::new(),
        precompile_cache: None,
        allow_sender_with_code: true,
    };
    let mut hooks = Target {
        hash,
        tracer: Some(DebugTracer::new(spec, options.steps)),
        done: None,
        rec: rec.clone(),
        record: options.records_state(),
    };
    let (execution, _) = execute_block_inspected(
        db,
        &config,
        &ctx,
        &block.txs[..=index],
        block.block.withdrawals.as_deref(),
        &execute,
        Maybe(None),
        &mut hooks,
    )
    .map_err(|e| RpcError::internal(format!("re-executing block {}: {e}", block.number())))?;
    let outcome = execution
        .transactions
        .iter()
        .find(|o| o.hash == hash)
        .ok_or_else(|| {
            RpcError::internal(format!(
                "transaction {hash} was not included when its block was run again"
            ))
        })?;
    let tracer = hooks
        .done
        .ok_or_else(|| RpcError::internal(format!("transaction {hash} was not traced")))?;
    let mut recording = std::mem::take(&mut *rec.borrow_mut());
    let changes = recording.changes.take().unwrap_or_default();
    Ok(render(
        &options,
        Traced {
            tracer,
            gas_used: outcome.receipt.cumulative_gas_used,
            recording,
            changes,
        },
    ))
}

/// `debug_traceCall [request, block, options]`; the options may carry `stateOverrides` and
/// `blockOverrides`.
pub fn trace_call(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let raw_options = p.raw(2);
    let options = TraceOptions::parse(raw_options)?;
    let field = |name: &str| {
        raw_options
            .and_then(|o| o.get(name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    // `eth_call`'s setup, with the overrides taken from the options.
    let setup = Params::new(json!([
        p.raw(0).cloned().unwrap_or(Value::Null),
        p.raw(1).cloned().unwrap_or(Value::Null),
        field("stateOverrides"),
    ]))?;
    let mut c = crate::call::call_setup(node, &setup)?;
    apply_block_overrides(&mut c.block, &field("blockOverrides"))?;
    let spec = Spec::of(c.fork);
    let rec: prestate::SharedRecording = Rc::new(RefCell::new(Recording {
        on: options.records_state(),
        ..Recording::default()
    }));
    let db = RecordingDb {
        inner: c.db,
        rec: rec.clone(),
        fork: c.fork,
    };
    let mut builder = Evm::builder(db)
        .fork(c.fork)
        .block(c.block.clone())
        .chain_id(c.chain_id);
    if c.env.gas_price.is_zero() {
        // A call without a fee, as `eth_call` runs it: BASEFEE still reads the block's.
        builder = builder.disable_base_fee_check();
    }
    let mut evm = builder
        .inspector(DebugTracer::new(spec, options.steps))
        .build();
    let result = evm
        .transact(&c.env)
        .map_err(crate::exec::invalid_tx_error)?;
    let tracer = evm.inspector;
    let recording = std::mem::take(&mut *rec.borrow_mut());
    Ok(render(
        &options,
        Traced {
            tracer,
            gas_used: result.result.gas_used(),
            recording,
            changes: result.state,
        },
    ))
}

/// Applies `blockOverrides` (number, time, gasLimit, feeRecipient/coinbase, baseFeePerGas,
/// prevRandao/random, difficulty).
fn apply_block_overrides(block: &mut ember_evm::BlockEnv, value: &Value) -> Result<(), RpcError> {
    let obj = match value {
        Value::Null => return Ok(()),
        Value::Object(obj) => obj,
        other => {
            return Err(RpcError::invalid_params(format!(
                "`blockOverrides`: expected an object, got {other}"
            )))
        }
    };
    for (key, v) in obj {
        let name = format!("blockOverrides.{key}");
        match key.as_str() {
            "number" => block.number = parse::<Quantity>(v, &name)?.0,
            "time" | "timestamp" => block.timestamp = parse::<Quantity>(v, &name)?.0,
            "gasLimit" => block.gas_limit = parse::<Quantity>(v, &name)?.0,
            "feeRecipient" | "coinbase" => block.coinbase = parse::<Address>(v, &name)?,
            "baseFeePerGas" | "baseFee" => block.base_fee = parse::<U256>(v, &name)?,
            "difficulty" => block.difficulty = parse::<U256>(v, &name)?,
            "prevRandao" | "random" => {
                let randao = parse::<B256>(v, &name)?;
                if block.prevrandao.is_some() {
                    block.prevrandao = Some(randao);
                } else {
                    block.difficulty = randao.into();
                }
            }
            other => {
                return Err(RpcError::invalid_params(format!(
                    "`blockOverrides`: `{other}` is not supported (number, time, gasLimit, \
                     feeRecipient, baseFeePerGas, prevRandao, difficulty)"
                )))
            }
        }
    }
    Ok(())
}

fn render(options: &TraceOptions, traced: Traced) -> Value {
    match options.tracer {
        TracerKind::StructLogs => struct_logs(&traced),
        TracerKind::Call { only_top, with_log } => match traced.tracer.root() {
            Some(_) => call_frame(&traced.tracer, 0, with_log, only_top, Some(traced.gas_used)),
            None => json!({}),
        },
        TracerKind::Prestate(config) => prestate::render(
            &traced.recording,
            &traced.changes,
            &traced.tracer.touched_slots,
            config,
        ),
        TracerKind::FourByte => four_bytes(&traced.tracer),
        TracerKind::Noop => json!({}),
    }
}

fn struct_logs(traced: &Traced) -> Value {
    let root = traced.tracer.root();
    let failed = root.is_some_and(|r| !r.success());
    let output = root.map(|r| r.output.clone()).unwrap_or_default();
    let logs: Vec<Value> = traced.tracer.steps().iter().map(struct_log).collect();
    json!({
        "failed": failed,
        "gas": traced.gas_used,
        "returnValue": hex_bytes(&output),
        "structLogs": logs,
    })
}

fn struct_log(l: &StructLog) -> Value {
    let mut m = Map::new();
    m.insert("pc".into(), json!(l.pc));
    m.insert("op".into(), json!(op_name(l.op)));
    m.insert("gas".into(), json!(l.gas));
    m.insert("gasCost".into(), json!(l.gas_cost));
    m.insert("depth".into(), json!(l.depth));
    if let Some(error) = &l.error {
        m.insert("error".into(), json!(format!("Some({error})")));
    }
    if let Some(stack) = &l.stack {
        let items: Vec<Value> = stack.iter().map(|v| json!(format!("{v:#x}"))).collect();
        m.insert("stack".into(), Value::Array(items));
    }
    if let Some(data) = &l.return_data {
        m.insert("returnData".into(), hex_bytes(data));
    }
    if let Some(memory) = &l.memory {
        let words: Vec<Value> = memory
            .chunks(32)
            .map(|w| {
                let mut word = [0u8; 32];
                word[..w.len()].copy_from_slice(w);
                hex_bytes(&word)
            })
            .collect();
        m.insert("memory".into(), Value::Array(words));
    }
    if let Some(storage) = &l.storage {
        let slots: Map<String, Value> = storage
            .iter()
            .map(|(k, v)| {
                (
                    format!("{:#x}", B256::from(*k)),
                    json!(format!("{:#x}", B256::from(*v))),
                )
            })
            .collect();
        m.insert("storage".into(), Value::Object(slots));
    }
    m.insert("refund".into(), json!(l.refund));
    Value::Object(m)
}

/// The revert reason anvil reports: `Error(string)`'s text or a panic's description (geth's
/// wording); `None` for anything else or an empty reason.
pub fn revert_reason(data: &[u8]) -> Option<String> {
    const ERROR: [u8; 4] = [0x08, 0xc3, 0x79, 0xa0];
    const PANIC: [u8; 4] = [0x4e, 0x48, 0x7b, 0x71];
    let word = |body: &[u8], at: usize| -> Option<U256> {
        Some(U256::from_be_slice(body.get(at..at.checked_add(32)?)?))
    };
    let decoded = match data.get(..4) {
        Some(s) if s == ERROR => (|| {
            let body = &data[4..];
            let offset = usize::try_from(word(body, 0)?).ok()?;
            let len = usize::try_from(word(body, offset)?).ok()?;
            let start = offset.checked_add(32)?;
            let text = body.get(start..start.checked_add(len)?)?;
            Some(String::from_utf8_lossy(text).into_owned())
        })(),
        Some(s) if s == PANIC => word(&data[4..], 0).map(|code| {
            let text = match u32::try_from(code).ok() {
                Some(0x00) => "generic panic",
                Some(0x01) => "assert(false)",
                Some(0x11) => "arithmetic underflow or overflow",
                Some(0x12) => "division or modulo by zero",
                Some(0x21) => "enum overflow",
                Some(0x22) => "invalid encoded storage byte array accessed",
                Some(0x31) => "out-of-bounds array access; popping on an empty array",
                Some(0x32) => "out-of-bounds access of an array or bytesN",
                Some(0x41) => "out of memory",
                Some(0x51) => "uninitialized function",
                _ => return format!("unknown panic code: {code:#x}"),
            };
            text.to_string()
        }),
        _ => None,
    };
    decoded.filter(|reason| !reason.is_empty())
}

/// Whether `node` and every frame above it ended normally.
fn all_succeeded(tracer: &DebugTracer, mut node: usize) -> bool {
    loop {
        let n = &tracer.nodes[node];
        if !n.success() {
            return false;
        }
        match n.parent {
            Some(parent) => node = parent,
            None => return true,
        }
    }
}

/// A `callTracer` frame; `gas_used` overrides the frame's own (the transaction's gas for the
/// top frame).
fn call_frame(
    tracer: &DebugTracer,
    index: usize,
    with_log: bool,
    only_top: bool,
    gas_used: Option<u64>,
) -> Value {
    let n = &tracer.nodes[index];
    let is_create = n.kind.starts_with("CREATE");
    let mut m = Map::new();
    m.insert("type".into(), json!(n.kind));
    m.insert("from".into(), json!(format!("{:#x}", n.from)));
    if let Some(to) = n.to.filter(|_| !is_create || n.success()) {
        m.insert("to".into(), json!(format!("{to:#x}")));
    }
    if n.kind != "STATICCALL" {
        m.insert("value".into(), json!(format!("{:#x}", n.value)));
    }
    m.insert("gas".into(), hex_u64(n.gas));
    let hard_failure = !n.success() && !n.exit.is_revert();
    let own_used = if hard_failure { n.gas } else { n.gas_used };
    m.insert("gasUsed".into(), hex_u64(gas_used.unwrap_or(own_used)));
    m.insert("input".into(), hex_bytes(&n.input));
    if !n.output.is_empty() && !hard_failure {
        m.insert("output".into(), hex_bytes(&n.output));
    }
    if !n.success() {
        if let Some(reason) = revert_reason(&n.output) {
            m.insert("revertReason".into(), json!(reason));
        }
        if let Some(status) = &n.status {
            m.insert("error".into(), json!(call_error(status)));
        }
    }
    let mut calls = Vec::new();
    if let Some((from, to, value)) = n.selfdestruct {
        calls.push(json!({
            "type": "SELFDESTRUCT",
            "from": format!("{from:#x}"),
            "to": format!("{to:#x}"),
            "value": format!("{value:#x}"),
            "gas": "0x0",
            "gasUsed": "0x0",
            "input": "0x",
        }));
    }
    if !only_top {
        for child in &n.calls {
            calls.push(call_frame(tracer, *child, with_log, false, None));
        }
    }
    if !calls.is_empty() {
        m.insert("calls".into(), Value::Array(calls));
    }
    let logs_kept = n.parent.is_none() || all_succeeded(tracer, index);
    if with_log && logs_kept && !n.logs.is_empty() {
        let logs: Vec<Value> = n
            .logs
            .iter()
            .map(|l| {
                json!({
                    "address": format!("{:#x}", l.log.address),
                    "topics": l.log.topics.iter().map(|t| format!("{t:#x}")).collect::<Vec<_>>(),
                    "data": hex_bytes(&l.log.data),
                    "position": hex_u64(l.position as u64),
                    "index": hex_u64(l.index as u64),
                })
            })
            .collect();
        m.insert("logs".into(), Value::Array(logs));
    }
    Value::Object(m)
}

/// `4byteTracer`: `"0x<selector>-<argument bytes>"` → how many calls had it.
fn four_bytes(tracer: &DebugTracer) -> Value {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for n in &tracer.nodes {
        if n.kind.starts_with("CREATE") || n.input.len() < 4 {
            continue;
        }
        let key = format!("0x{}-{}", hex::encode(&n.input[..4]), n.input.len() - 4);
        *counts.entry(key).or_default() += 1;
    }
    json!(counts)
}
