//! `eth_simulateV1`: a run of simulated blocks on a block's state, each with block overrides,
//! state overrides (precompiles moved included) and calls, answered as blocks with one result
//! per call, as the execution-apis specification and its reference (geth's
//! `internal/ethapi/simulate.go`) answer them.
//!
//! Each simulated block is built as a real one: the pre-block system calls (EIP-4788,
//! EIP-2935), the calls as unsigned transactions through the EVM's one validator, the
//! withdrawals, the Prague requests, then the roots and hash. Skipped block numbers are
//! filled with empty blocks; later blocks see earlier ones' hashes through BLOCKHASH.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use ember_blockchain::consensus::{calc_base_fee, calc_excess_blob_gas};
use ember_blockchain::execute::{
    parse_deposit_log, request_type, requests_hash, CONSOLIDATION_REQUEST_ADDRESS,
    DEPOSIT_EVENT_SIGNATURE_HASH, HISTORY_STORAGE_ADDRESS, SYSTEM_ADDRESS, SYSTEM_CALL_GAS,
    WITHDRAWAL_REQUEST_ADDRESS,
};
use ember_blockchain::header::EMPTY_OMMERS_HASH;
use ember_blockchain::receipt::{logs_bloom, ordered_trie_root};
use ember_blockchain::{Block, Header, Receipt, ReceiptOutcome, TxOutcome, Withdrawal};
use ember_evm::{
    AccountChange, AccountInfo, Bytecode, CallInputs, CallOutcome, CreateInputs, CreateOutcome,
    Database, DatabaseCommit, Evm, EvmError, ExecutionResult, Inspector, InvalidTransaction, Log,
    Precompiles, StateChanges,
};
use ember_primitives::{Address, BlockEnv, Bytes, Fork, Spec, TxKind, B256, U256};
use ember_rpc::RpcError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::chain::MinedBlock;
use crate::exec::{self, AccountOverride, CallDb};
use crate::fork_mode::ForkError;
use crate::node::Node;
use crate::params::{BlockId, Params, Quantity};
use crate::render;
use crate::tx::{NodeTx, TxDefaults, TxRequest};

/// The most blocks one simulation may span past its base block (geth's limit).
pub const MAX_SIMULATE_BLOCKS: u64 = 256;

/// The seconds between a block and the next when the request sets no time (geth's).
pub const TIMESTAMP_INCREMENT: u64 = 12;

/// The gas all calls of one simulation may use together, and the most one call is given
/// (geth's default RPC gas cap).
pub const SIMULATE_GAS_CAP: u64 = 50_000_000;

/// The address ERC-7528 transfer logs come from.
pub const TRANSFER_LOG_ADDRESS: Address =
    ember_primitives::address!("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");

/// The topic of ERC-20's `Transfer(address,address,uint256)`, which transfer logs carry.
pub const TRANSFER_TOPIC: B256 =
    ember_primitives::b256!("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");

/// The request's first parameter.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulatePayload {
    /// The blocks to simulate, in order.
    pub block_state_calls: Vec<SimBlock>,
    /// Emit an ERC-7528 log for every ether transfer.
    #[serde(default)]
    pub trace_transfers: bool,
    /// Check nonces, fees and balances as a block would.
    #[serde(default)]
    pub validation: bool,
    /// Whole transactions in the blocks instead of their hashes.
    #[serde(default)]
    pub return_full_transactions: bool,
}

/// One simulated block of the request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimBlock {
    /// Header values to use.
    #[serde(default)]
    pub block_overrides: Option<BlockOverrides>,
    /// Account changes applied before the block's calls.
    #[serde(default)]
    pub state_overrides: Option<BTreeMap<Address, AccountOverride>>,
    /// The calls, run in order as the block's transactions.
    #[serde(default)]
    pub calls: Vec<TxRequest>,
}

/// A withdrawal in a block override.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RpcWithdrawal {
    /// Its index.
    pub index: Quantity,
    /// The validator's index.
    pub validator_index: Quantity,
    /// The recipient.
    pub address: Address,
    /// The amount in gwei.
    pub amount: Quantity,
}

/// A block's overridden header values.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockOverrides {
    /// Block number.
    pub number: Option<U256>,
    /// Timestamp.
    pub time: Option<Quantity>,
    /// Gas limit.
    pub gas_limit: Option<Quantity>,
    /// Fee recipient (COINBASE).
    pub fee_recipient: Option<Address>,
    /// PREVRANDAO.
    pub prev_randao: Option<U256>,
    /// Base fee.
    pub base_fee_per_gas: Option<U256>,
    /// Blob base fee: BLOBBASEFEE and the blob gas price (the header's excess blob gas is
    /// still derived from the parent).
    pub blob_base_fee: Option<U256>,
    /// Withdrawals credited at the end of the block.
    pub withdrawals: Option<Vec<RpcWithdrawal>>,
}

/// An error with one of the specification's codes.
fn sim_error(code: i64, message: impl Into<String>) -> RpcError {
    RpcError::new(code, message)
}

/// A simulated block after the chain check: its number and time settled.
#[derive(Clone, Debug)]
pub struct PlannedBlock {
    /// Its number.
    pub number: u64,
    /// Its timestamp.
    pub timestamp: u64,
    /// What the request asked of it (nothing for a block filling a gap).
    pub block: SimBlock,
}

/// Checks the blocks' order and fills skipped numbers with empty blocks: numbers must
/// increase (-38020), timestamps too (-38021), and at most [`MAX_SIMULATE_BLOCKS`] blocks
/// may follow the base (-38026). A block without a number follows the previous one; without
/// a time, [`TIMESTAMP_INCREMENT`] seconds after it.
pub fn plan_blocks(
    base_number: u64,
    base_time: u64,
    blocks: Vec<SimBlock>,
) -> Result<Vec<PlannedBlock>, RpcError> {
    let mut out = Vec::with_capacity(blocks.len());
    let (mut prev_number, mut prev_time) = (base_number, base_time);
    for block in blocks {
        let overrides = block.block_overrides.clone().unwrap_or_default();
        let number = match overrides.number {
            Some(n) => n,
            None => U256::from(prev_number) + U256::from(1),
        };
        if number <= U256::from(prev_number) {
            return Err(sim_error(
                -38020,
                format!("block numbers must be in order: {number} <= {prev_number}"),
            ));
        }
        if number - U256::from(base_number) > U256::from(MAX_SIMULATE_BLOCKS) {
            return Err(sim_error(-38026, "too many blocks"));
        }
        let number: u64 = number.to::<u64>();
        for gap in prev_number + 1..number {
            prev_time = prev_time.saturating_add(TIMESTAMP_INCREMENT);
            out.push(PlannedBlock {
                number: gap,
                timestamp: prev_time,
                block: SimBlock::default(),
            });
        }
        let timestamp = match overrides.time {
            Some(Quantity(t)) if t <= prev_time => {
                return Err(sim_error(
                    -38021,
                    format!("block timestamps must be in order: {t} <= {prev_time}"),
                ))
            }
            Some(Quantity(t)) => t,
            None => prev_time.saturating_add(TIMESTAMP_INCREMENT),
        };
        prev_number = number;
        prev_time = timestamp;
        out.push(PlannedBlock {
            number,
            timestamp,
            block,
        });
    }
    Ok(out)
}

/// The EVM rules of `fork` without EIP-7825's cap on a transaction's gas: simulated calls
/// are not transactions a block must bound (geth skips that check for them too).
fn uncapped_spec(fork: Fork) -> &'static Spec {
    static SPECS: OnceLock<Mutex<Vec<(Fork, &'static Spec)>>> = OnceLock::new();
    let base = Spec::of(fork);
    if base.tx_gas_limit_cap.is_none() {
        return base;
    }
    let mut specs = SPECS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some((_, spec)) = specs.iter().find(|(f, _)| *f == fork) {
        return spec;
    }
    // One per fork, for the life of the process.
    let spec: &'static Spec = Box::leak(Box::new(Spec {
        tx_gas_limit_cap: None,
        ..*base
    }));
    specs.push((fork, spec));
    spec
}

/// The precompiles of a block after its state overrides: an overridden precompile is gone
/// (its new code runs), a moved one answers at its new address (-38022 when that is its own
/// address; of two moved to one address the later wins, as in geth). Returns the builder's
/// changes in order: `(address, Some(f))` adds, `(address, None)` removes.
pub fn precompile_changes(
    active: &Precompiles,
    overrides: &BTreeMap<Address, AccountOverride>,
) -> Result<Vec<(Address, Option<ember_evm::PrecompileFn>)>, RpcError> {
    let mut changes = Vec::new();
    for (address, o) in overrides {
        let f = active.get(address);
        if let Some(to) = o.move_precompile_to_address {
            let Some(f) = f else {
                return Err(RpcError::server(format!(
                    "account {address} is not a precompile"
                )));
            };
            if to == *address {
                return Err(sim_error(
                    -38022,
                    format!("account {address} cannot be moved to itself"),
                ));
            }
            if overrides.contains_key(&to) {
                return Err(RpcError::server(format!(
                    "account {to} is already overridden"
                )));
            }
            // Two precompiles moved to one address: the later (in address order) wins there,
            // as in geth.
            changes.push((to, Some(f)));
        }
        if f.is_some() {
            changes.push((*address, None));
        }
    }
    // A precompile moved onto another precompile's address replaces it there.
    changes.sort_by_key(|(_, f)| f.is_some());
    Ok(changes)
}

/// The state a simulation runs on: the base block's, changed block by block.
#[derive(Clone, Debug)]
struct SimDb(CallDb);

impl Database for SimDb {
    type Error = ForkError;
    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, ForkError> {
        self.0.basic(address)
    }
    fn code_by_hash(&mut self, hash: B256) -> Result<Bytecode, ForkError> {
        self.0.code_by_hash(hash)
    }
    fn storage(&mut self, address: Address, key: U256) -> Result<U256, ForkError> {
        self.0.storage(address, key)
    }
    fn block_hash(&mut self, number: u64) -> Result<B256, ForkError> {
        self.0.block_hash(number)
    }
    fn has_storage(&mut self, address: Address) -> Result<bool, ForkError> {
        self.0.has_storage(address)
    }
}

impl DatabaseCommit for SimDb {
    fn commit(&mut self, changes: &StateChanges) {
        self.0.make_mut().commit(changes);
    }
}

/// The logs of one call as geth's simulation tracer collects them: the call's own logs and,
/// with `traceTransfers`, an ERC-7528 log for each ether transfer, in execution order; a
/// frame that fails loses its logs. Indexes count every log captured in the block.
#[derive(Debug, Default)]
struct CallLogs {
    transfers: bool,
    /// Per open frame, its logs with their index in the block.
    frames: Vec<Vec<(usize, Log)>>,
    /// Per open create frame: where its transfer log waits for the new address.
    pending_create: Vec<Option<usize>>,
    done: Vec<(usize, Log)>,
    /// Logs captured in the block so far, dropped ones included (geth's count).
    captured: usize,
}

impl CallLogs {
    fn transfer_log(from: Address, to: Address, value: U256) -> Log {
        Log {
            address: TRANSFER_LOG_ADDRESS,
            topics: vec![TRANSFER_TOPIC, from.into_word(), to.into_word()],
            data: Bytes::from(value.to_be_bytes::<32>().to_vec()),
        }
    }

    fn push(&mut self, log: Log) {
        if let Some(frame) = self.frames.last_mut() {
            frame.push((self.captured, log));
        }
        self.captured += 1;
    }

    fn end_frame(&mut self, success: bool) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        if !success {
            return;
        }
        match self.frames.last_mut() {
            Some(parent) => parent.extend(frame),
            None => self.done.extend(frame),
        }
    }

    fn take(&mut self) -> Vec<(usize, Log)> {
        self.frames.clear();
        self.pending_create.clear();
        std::mem::take(&mut self.done)
    }
}

impl Inspector for CallLogs {
    fn wants_steps(&self) -> bool {
        false
    }
    fn wants_call_input(&self) -> bool {
        false
    }
    fn call(&mut self, inputs: &CallInputs, _depth: usize) {
        self.frames.push(Vec::new());
        if self.transfers
            && inputs.transfers_value
            && !inputs.value.is_zero()
            && inputs.kind != ember_evm::interpreter::CallKind::DelegateCall
        {
            self.push(Self::transfer_log(
                inputs.caller,
                inputs.target,
                inputs.value,
            ));
        }
    }
    fn call_end(&mut self, _inputs: &CallInputs, outcome: &CallOutcome, _depth: usize) {
        self.end_frame(outcome.exit.is_success());
    }
    fn create(&mut self, inputs: &CreateInputs, _depth: usize) {
        self.frames.push(Vec::new());
        let mut pending = None;
        if self.transfers && !inputs.value.is_zero() {
            pending = Some(0);
            self.push(Self::transfer_log(
                inputs.caller,
                Address::ZERO,
                inputs.value,
            ));
        }
        self.pending_create.push(pending);
    }
    fn create_end(&mut self, _inputs: &CreateInputs, outcome: &CreateOutcome, _depth: usize) {
        if let (Some(Some(at)), Some(frame)) = (self.pending_create.pop(), self.frames.last_mut()) {
            if let (Some((_, log)), Some(address)) = (frame.get_mut(at), outcome.address) {
                log.topics[2] = address.into_word();
            }
        }
        self.end_frame(outcome.result.exit.is_success());
    }
    fn log(&mut self, log: &Log) {
        self.push(log.clone());
    }
    fn selfdestruct(&mut self, address: Address, target: Address, value: U256) {
        if self.transfers && !value.is_zero() {
            self.push(Self::transfer_log(address, target, value));
        }
    }
}

/// The error code of a call the validator refused (the specification's table).
pub fn invalid_call_code(e: &InvalidTransaction) -> i64 {
    match e {
        InvalidTransaction::NonceTooLow { .. } => -38010,
        InvalidTransaction::NonceTooHigh { .. } => -38011,
        InvalidTransaction::FeeCapTooLow { .. } => -38012,
        InvalidTransaction::IntrinsicGasTooLow { .. }
        | InvalidTransaction::FloorGasTooLow { .. } => -38013,
        InvalidTransaction::InsufficientFunds { .. } | InvalidTransaction::GasLimitOverflow => {
            -38014
        }
        InvalidTransaction::GasLimitExceedsBlock { .. } => -38015,
        InvalidTransaction::SenderNotEoa => -38024,
        InvalidTransaction::InitcodeTooLarge { .. } => -38025,
        InvalidTransaction::PriorityFeeGreaterThanMaxFee { .. } => -32602,
        _ => -32603,
    }
}

/// geth's words for a halt (the message of a call's -32015 error).
fn halt_message(reason: &ember_evm::HaltReason) -> String {
    use ember_evm::Exit;
    match reason {
        Exit::OutOfGas => "out of gas".into(),
        other => format!("{other:?}"),
    }
}

/// `eth_simulateV1 [payload, block]`.
pub fn simulate(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let payload: SimulatePayload = p.required(0, "payload")?;
    let block_id: Option<BlockId> = p.optional(1, "block")?;
    let s = node.lock()?;
    if let Some(BlockId::Number(n)) = block_id {
        if n > s.chain.head_number() {
            return Err(RpcError::server("header not found"));
        }
    }
    let base_number = s.resolve(block_id)?;
    let base = s
        .chain
        .block(base_number)
        .ok_or_else(|| RpcError::server("header not found"))?
        .clone();
    let state = s.state_at(Some(BlockId::Number(base_number)))?;
    let mut db = SimDb(CallDb::new(state, s.chain.remote.clone()));
    let config = s.chain.config().clone();
    let chain_id = s.chain.chain_id;
    drop(s);

    let planned = plan_blocks(
        base_number,
        base.block.header.timestamp,
        payload.block_state_calls,
    )?;
    let mut parent = base.block.header.clone();
    let mut parent_hash = base.hash;
    let mut budget = SIMULATE_GAS_CAP;
    let mut results = Vec::with_capacity(planned.len());
    for plan in planned {
        let overrides = plan.block.block_overrides.clone().unwrap_or_default();
        let fork = config.fork_at(plan.number, plan.timestamp);
        let spec = Spec::of(fork);
        let gas_limit = overrides.gas_limit.map_or(parent.gas_limit, |q| q.0);
        let coinbase = overrides.fee_recipient.unwrap_or(parent.beneficiary);
        let prevrandao = overrides
            .prev_randao
            .map_or(B256::ZERO, |r| B256::from(r.to_be_bytes::<32>()));
        let base_fee = match overrides.base_fee_per_gas {
            Some(fee) => fee,
            None if payload.validation && parent.base_fee_per_gas.is_some() => calc_base_fee(
                parent.gas_limit,
                parent.gas_used,
                parent.base_fee_per_gas.unwrap_or_default(),
            ),
            None => U256::ZERO,
        };
        let parent_fork = config.fork_at(parent.number, parent.timestamp);
        let blob_params = config.blob_params(fork);
        let excess_blob_gas = blob_params.map(|params| {
            if Spec::of(parent_fork).blobs.is_some() {
                calc_excess_blob_gas(fork, params, &parent)
            } else {
                0
            }
        });
        let block_env = BlockEnv {
            number: plan.number,
            coinbase,
            timestamp: plan.timestamp,
            gas_limit,
            base_fee: if spec.tx_fee_market {
                base_fee
            } else {
                U256::ZERO
            },
            difficulty: parent.difficulty,
            prevrandao: spec.prevrandao.then_some(prevrandao),
            excess_blob_gas,
            blob_params,
            extension: Default::default(),
        };

        // State overrides, and the precompiles they move or replace.
        let state_overrides = plan.block.state_overrides.clone().unwrap_or_default();
        let changes = precompile_changes(Precompiles::for_spec(spec), &state_overrides)?;
        exec::apply_overrides(&mut db.0, &strip_moves(&state_overrides))?;

        let mut builder = Evm::builder(db)
            .spec(uncapped_spec(fork))
            .block(block_env.clone())
            .chain_id(chain_id)
            .allow_sender_with_code();
        if !payload.validation {
            builder = builder.disable_base_fee_check();
        }
        if let Some(fee) = overrides.blob_base_fee {
            builder = builder.blob_base_fee(fee);
        }
        for (address, f) in changes {
            builder = match f {
                Some(f) => builder.moved_precompile(address, f),
                None => builder.without_precompile(address),
            };
        }
        let mut evm = builder
            .inspector(CallLogs {
                transfers: payload.trace_transfers,
                ..CallLogs::default()
            })
            .build();

        // Pre-block system calls.
        if spec.beacon_roots_call {
            system_call(
                &mut evm,
                ember_blockchain::execute::BEACON_ROOTS_ADDRESS,
                Bytes::from(B256::ZERO.to_vec()),
            )?;
        }
        if spec.history_call {
            system_call(
                &mut evm,
                HISTORY_STORAGE_ADDRESS,
                Bytes::from(parent_hash.to_vec()),
            )?;
        }
        evm.inspector.take();
        evm.inspector.captured = 0;

        let mut txs = Vec::with_capacity(plan.block.calls.len());
        let mut outcomes = Vec::with_capacity(plan.block.calls.len());
        let mut calls = Vec::with_capacity(plan.block.calls.len());
        let mut call_logs = Vec::with_capacity(plan.block.calls.len());
        let mut gas_used = 0u64;
        let mut blob_gas_used = 0u64;
        for (index, request) in plan.block.calls.iter().enumerate() {
            let from = request.from.unwrap_or_default();
            let state_nonce = evm
                .db_mut()
                .basic(from)
                .map_err(|e| RpcError::internal(e.to_string()))?
                .map_or(0, |a| a.nonce);
            let remaining = gas_limit.saturating_sub(gas_used);
            let asked = request.gas.map_or(remaining, |g| g.0);
            if gas_used.saturating_add(asked) > gas_limit {
                return Err(sim_error(
                    -38015,
                    format!("block gas limit reached: {gas_used} >= {gas_limit}"),
                ));
            }
            let gas = asked.min(budget);
            if request.gas_price.is_some()
                && (request.max_fee_per_gas.is_some() || request.max_priority_fee_per_gas.is_some())
            {
                return Err(RpcError::invalid_params(
                    "both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified",
                ));
            }
            if let Some(Quantity(id)) = request.chain_id {
                if id != chain_id {
                    return Err(RpcError::invalid_params(format!(
                        "chainId does not match node's (have={id}, want={chain_id})"
                    )));
                }
            }
            let defaults = TxDefaults {
                nonce: state_nonce,
                gas,
                gas_price: U256::ZERO,
                priority_fee: U256::ZERO,
                blob_fee: U256::ZERO,
                chain_id,
            };
            let mut request = request.clone();
            request.gas = Some(Quantity(gas));
            let tx = request
                .build(spec, &defaults)
                .map_err(RpcError::invalid_params)?;
            let hash = tx.hash();
            let mut env = tx.to_env(from);
            // Without validation the nonce is not checked: the call runs at the account's, and
            // an account at 2^64-1 wraps to 0 (as geth's unchecked increment does).
            let wraps = !payload.validation && state_nonce == u64::MAX;
            if wraps {
                set_nonce(evm.db_mut(), from, 0)?;
            }
            if !payload.validation {
                env.nonce = if wraps { 0 } else { state_nonce };
                // A fee given must still cover the base fee (geth skips only a zero fee).
                if !env.gas_price.is_zero() && env.gas_price < block_env.base_fee {
                    return Err(sim_error(
                        -38012,
                        format!(
                            "max fee per gas less than block base fee: address {from}, maxFeePerGas: {}, baseFee: {}",
                            env.gas_price, block_env.base_fee
                        ),
                    ));
                }
            }
            let effective_gas_price =
                ember_transaction::effective_gas_price(spec, &env, block_env.base_fee);
            let tx_blob_gas = ember_transaction::blob_gas(&env);
            let outcome = evm.transact(&env);
            let logs = evm.inspector.take();
            let result = match outcome {
                Ok(r) => r,
                Err(EvmError::Transaction(e)) => {
                    return Err(sim_error(
                        invalid_call_code(&e),
                        format!("err: {e} (supplied gas {gas})"),
                    ))
                }
                Err(EvmError::Database(e)) => return Err(RpcError::internal(e.to_string())),
            };
            evm.db_mut().commit(&result.state);
            if wraps {
                set_nonce(evm.db_mut(), from, 0)?;
            }
            let executed = &result.result;
            let used = executed.gas_used();
            gas_used += used;
            blob_gas_used += tx_blob_gas;
            budget = budget.saturating_sub(used);
            let max_used = match executed {
                ExecutionResult::Success { gas_refunded, .. } => used + gas_refunded,
                _ => used,
            };
            let (status, return_data, error) = match executed {
                ExecutionResult::Success { .. } => {
                    (1u64, exec::call_output(&result).unwrap_or_default(), None)
                }
                // geth's return data of a failed call is empty; the revert data is the error's.
                ExecutionResult::Revert { output, .. } => {
                    let e = exec::revert_error(output);
                    (
                        0,
                        Bytes::new(),
                        Some(json!({"message": e.message, "code": 3, "data": output})),
                    )
                }
                ExecutionResult::Halt { reason, .. } => (
                    0,
                    Bytes::new(),
                    Some(json!({"message": halt_message(reason), "code": -32015})),
                ),
            };
            let receipt_outcome = if spec.receipt_status {
                ReceiptOutcome::Status(status == 1)
            } else {
                ReceiptOutcome::StateRoot(evm.db().0.local().state_root())
            };
            let receipt = Receipt::new(
                tx.tx_type(),
                receipt_outcome,
                gas_used,
                executed.logs().to_vec(),
            );
            outcomes.push(TxOutcome {
                index,
                hash,
                sender: from,
                receipt,
                gas_used: used,
                blob_gas_used: tx_blob_gas,
                effective_gas_price,
                contract_address: (env.kind == TxKind::Create)
                    .then(|| ember_blockchain::execute::create_address(from, env.nonce)),
            });
            txs.push(NodeTx {
                tx,
                sender: from,
                hash,
                impersonated: true,
            });
            call_logs.push(logs);
            calls.push((status, return_data, used, max_used, error));
        }

        // Before the merge, the miner's reward (no ommers here).
        if let Some(reward) = spec.block_reward {
            credit(evm.db_mut(), coinbase, U256::from(reward))?;
        }
        // Withdrawals, then the Prague requests.
        let withdrawals: Option<Vec<Withdrawal>> = spec.withdrawals.then(|| {
            overrides
                .withdrawals
                .iter()
                .flatten()
                .map(|w| Withdrawal {
                    index: w.index.0,
                    validator_index: w.validator_index.0,
                    address: w.address,
                    amount: w.amount.0,
                })
                .collect()
        });
        for w in withdrawals.iter().flatten() {
            let amount = U256::from(w.amount) * U256::from(1_000_000_000u64);
            credit(evm.db_mut(), w.address, amount)?;
        }
        let requests = if spec.execution_requests {
            let mut requests: Vec<Bytes> = Vec::new();
            let mut deposits = Vec::new();
            for log in outcomes.iter().flat_map(|o| o.receipt.logs.iter()) {
                if log.address == config.deposit_contract
                    && log.topics.first() == Some(&DEPOSIT_EVENT_SIGNATURE_HASH)
                {
                    deposits.extend(
                        parse_deposit_log(&log.data)
                            .map_err(|e| RpcError::internal(e.to_string()))?,
                    );
                }
            }
            if !deposits.is_empty() {
                let mut request = vec![request_type::DEPOSIT];
                request.extend(deposits);
                requests.push(request.into());
            }
            for (address, ty) in [
                (WITHDRAWAL_REQUEST_ADDRESS, request_type::WITHDRAWAL),
                (CONSOLIDATION_REQUEST_ADDRESS, request_type::CONSOLIDATION),
            ] {
                if let ExecutionResult::Success { output, .. } =
                    system_call(&mut evm, address, Bytes::new())?
                {
                    if !output.is_empty() {
                        let mut request = vec![ty];
                        request.extend_from_slice(&output);
                        requests.push(request.into());
                    }
                }
            }
            Some(requests)
        } else {
            None
        };
        db = evm.into_db();

        let tx_items: Vec<Vec<u8>> = txs.iter().map(|t| t.tx.encode()).collect();
        let receipts: Vec<Vec<u8>> = outcomes.iter().map(|o| o.receipt.encoded()).collect();
        let header = Header {
            parent_hash,
            ommers_hash: EMPTY_OMMERS_HASH,
            beneficiary: coinbase,
            state_root: db.0.local().state_root(),
            transactions_root: ordered_trie_root(&tx_items),
            receipts_root: ordered_trie_root(&receipts),
            logs_bloom: logs_bloom(outcomes.iter().flat_map(|o| o.receipt.logs.iter())),
            difficulty: parent.difficulty,
            number: plan.number,
            gas_limit,
            gas_used,
            timestamp: plan.timestamp,
            extra_data: Bytes::new(),
            mix_hash: prevrandao,
            nonce: Default::default(),
            base_fee_per_gas: spec.tx_fee_market.then_some(base_fee),
            withdrawals_root: withdrawals.as_ref().map(|list| {
                let encoded: Vec<Vec<u8>> = list.iter().map(Withdrawal::encoded).collect();
                ordered_trie_root(&encoded)
            }),
            blob_gas_used: spec.blobs.map(|_| blob_gas_used),
            excess_blob_gas,
            parent_beacon_block_root: spec.beacon_roots_call.then_some(B256::ZERO),
            requests_hash: requests.as_deref().map(requests_hash),
        };
        let block = Block {
            header,
            transactions: txs.iter().map(|t| t.tx.clone()).collect(),
            ommers: Vec::new(),
            withdrawals,
        };
        let hash = block.hash();
        db.0.make_mut().block_hashes.insert(plan.number, hash);
        let mined = MinedBlock {
            block,
            hash,
            txs,
            outcomes,
        };
        results.push(block_json(
            &mined,
            payload.return_full_transactions,
            calls,
            &call_logs,
        ));
        parent = mined.block.header.clone();
        parent_hash = hash;
    }
    Ok(Value::Array(results))
}

/// One call's result: status, return data, gas used, gas used before refunds, error.
type CallResult = (u64, Bytes, u64, u64, Option<Value>);

/// A simulated block as the response shows it: the block, then `calls`.
fn block_json(
    mined: &MinedBlock,
    full: bool,
    calls: Vec<CallResult>,
    call_logs: &[Vec<(usize, Log)>],
) -> Value {
    let mut out = render::block(mined, full);
    let map = out.as_object_mut().expect("a block is an object");
    map.remove("totalDifficulty");
    let calls: Vec<Value> = calls
        .into_iter()
        .enumerate()
        .map(|(i, (status, data, used, max_used, error))| {
            let logs: Vec<Value> = call_logs[i]
                .iter()
                .map(|(index, log)| render::mined_log(mined, i, *index, log))
                .collect();
            let mut call = json!({
                "returnData": render::hex_bytes(&data),
                "logs": logs,
                "gasUsed": crate::params::hex_u64(used),
                "maxUsedGas": crate::params::hex_u64(max_used),
                "status": crate::params::hex_u64(status),
            });
            if let Some(error) = error {
                call["error"] = error;
            }
            call
        })
        .collect();
    map.insert("calls".into(), Value::Array(calls));
    out
}

/// The overrides without their precompile moves (handled by the EVM's precompile set); an
/// override left with nothing to change is dropped, so it creates no account.
fn strip_moves(
    overrides: &BTreeMap<Address, AccountOverride>,
) -> BTreeMap<Address, AccountOverride> {
    overrides
        .iter()
        .filter_map(|(a, o)| {
            let mut o = o.clone();
            o.move_precompile_to_address = None;
            let empty = o.balance.is_none()
                && o.nonce.is_none()
                && o.code.is_none()
                && o.state.is_none()
                && o.state_diff.is_none();
            (!empty).then_some((*a, o))
        })
        .collect()
}

/// A system call (EIP-4788, EIP-2935, EIP-7002, EIP-7251), committed without the system
/// account.
fn system_call(
    evm: &mut Evm<SimDb, CallLogs>,
    to: Address,
    data: Bytes,
) -> Result<ExecutionResult, RpcError> {
    let mut out = evm
        .system_call(SYSTEM_ADDRESS, to, data, SYSTEM_CALL_GAS)
        .map_err(|e| RpcError::internal(format!("system call to {to}: {e}")))?;
    out.state.remove(&SYSTEM_ADDRESS);
    evm.db_mut().commit(&out.state);
    Ok(out.result)
}

/// Sets `address`'s nonce.
fn set_nonce(db: &mut SimDb, address: Address, nonce: u64) -> Result<(), RpcError> {
    let mut info = db
        .basic(address)
        .map_err(|e| RpcError::internal(e.to_string()))?
        .unwrap_or_default();
    if info.code.is_none() && info.has_code() {
        info.code = Some(
            db.code_by_hash(info.code_hash)
                .map_err(|e| RpcError::internal(e.to_string()))?,
        );
    }
    info.nonce = nonce;
    let mut changes = StateChanges::default();
    changes.insert(
        address,
        AccountChange::Updated {
            info,
            storage: Vec::new(),
            storage_cleared: false,
        },
    );
    db.commit(&changes);
    Ok(())
}

/// Adds a withdrawal's (or before the merge, the block reward's) `amount` to `address`.
fn credit(db: &mut SimDb, address: Address, amount: U256) -> Result<(), RpcError> {
    let mut info = db
        .basic(address)
        .map_err(|e| RpcError::internal(e.to_string()))?
        .unwrap_or_default();
    if info.code.is_none() && info.has_code() {
        info.code = Some(
            db.code_by_hash(info.code_hash)
                .map_err(|e| RpcError::internal(e.to_string()))?,
        );
    }
    if amount.is_zero() {
        return Ok(());
    }
    info.balance = info.balance.saturating_add(amount);
    let mut changes = StateChanges::default();
    changes.insert(
        address,
        AccountChange::Updated {
            info,
            storage: Vec::new(),
            storage_cleared: false,
        },
    );
    db.commit(&changes);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(n: Option<u64>, t: Option<u64>) -> SimBlock {
        SimBlock {
            block_overrides: Some(BlockOverrides {
                number: n.map(U256::from),
                time: t.map(Quantity),
                ..BlockOverrides::default()
            }),
            ..SimBlock::default()
        }
    }

    #[test]
    fn gaps_are_filled_with_empty_blocks_twelve_seconds_apart() {
        let plan = plan_blocks(
            10,
            100,
            vec![numbered(Some(13), None), numbered(None, None)],
        )
        .expect("in order");
        let got: Vec<(u64, u64, usize)> = plan
            .iter()
            .map(|p| (p.number, p.timestamp, p.block.calls.len()))
            .collect();
        assert_eq!(
            got,
            vec![(11, 112, 0), (12, 124, 0), (13, 136, 0), (14, 148, 0)]
        );
    }

    #[test]
    fn order_errors_carry_the_specification_codes() {
        let code = |r: Result<Vec<PlannedBlock>, RpcError>| r.map(|_| ()).unwrap_err().code;
        assert_eq!(
            code(plan_blocks(10, 100, vec![numbered(Some(10), None)])),
            -38020
        );
        assert_eq!(
            code(plan_blocks(
                10,
                100,
                vec![numbered(None, Some(120)), numbered(None, Some(120))]
            )),
            -38021
        );
        assert_eq!(
            code(plan_blocks(10, 100, vec![numbered(Some(10 + 257), None)])),
            -38026
        );
        let ok = plan_blocks(10, 100, vec![numbered(Some(10 + 256), None)]).expect("fits");
        assert_eq!(ok.len(), 256);
    }

    #[test]
    fn validator_errors_map_to_the_table() {
        assert_eq!(
            invalid_call_code(&InvalidTransaction::NonceTooLow { tx: 0, state: 1 }),
            -38010
        );
        assert_eq!(
            invalid_call_code(&InvalidTransaction::NonceTooHigh { tx: 2, state: 1 }),
            -38011
        );
        assert_eq!(
            invalid_call_code(&InvalidTransaction::IntrinsicGasTooLow {
                have: 0,
                want: 21000
            }),
            -38013
        );
        assert_eq!(
            invalid_call_code(&InvalidTransaction::InsufficientFunds {
                balance: U256::ZERO,
                cost: U256::from(1)
            }),
            -38014
        );
        assert_eq!(
            invalid_call_code(&InvalidTransaction::NonceOverflow(u64::MAX)),
            -32603
        );
    }

    #[test]
    fn moving_a_precompile() {
        let active = Precompiles::for_fork(Fork::Prague);
        let ecrecover = Address::with_last_byte(1);
        let to = Address::with_last_byte(0x77);
        let moved = |to: Address| AccountOverride {
            move_precompile_to_address: Some(to),
            ..AccountOverride::default()
        };
        let changes = precompile_changes(active, &BTreeMap::from([(ecrecover, moved(to))]))
            .expect("a precompile moves");
        let shape = |changes: &[(Address, Option<ember_evm::PrecompileFn>)]| {
            changes
                .iter()
                .map(|(a, f)| (*a, f.is_some()))
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(&changes), vec![(ecrecover, false), (to, true)]);
        // Not a precompile: refused.
        let other = Address::with_last_byte(0xc0);
        let err = precompile_changes(active, &BTreeMap::from([(other, moved(to))])).unwrap_err();
        assert_eq!(err.code, -32000);
        // Two onto one address: the later one answers there.
        let sha = Address::with_last_byte(2);
        let changes = precompile_changes(
            active,
            &BTreeMap::from([(ecrecover, moved(to)), (sha, moved(to))]),
        )
        .expect("geth accepts it");
        let last_at_to = changes
            .iter()
            .rev()
            .find(|(a, _)| *a == to)
            .and_then(|(_, f)| *f)
            .expect("a precompile at the destination");
        // SHA256 answers there: its output for empty input is sha256("").
        let out = last_at_to(&[], 1_000_000).expect("runs");
        assert_eq!(
            out.output.as_ref(),
            ember_primitives::hex::decode(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            )
            .expect("hex")
            .as_slice()
        );
        // Onto itself.
        let err = precompile_changes(active, &BTreeMap::from([(sha, moved(sha))])).unwrap_err();
        assert_eq!(err.code, -38022);
        // Code over a precompile removes it.
        let code = AccountOverride {
            code: Some(Bytes::from_static(&[0])),
            ..AccountOverride::default()
        };
        let changes =
            precompile_changes(active, &BTreeMap::from([(sha, code)])).expect("overridden");
        assert_eq!(shape(&changes), vec![(sha, false)]);
    }
}
