//! Block execution: pre-block system calls (EIP-4788, EIP-2935), the transactions in order
//! with receipts, block rewards, withdrawals (EIP-4895), and the Prague requests (EIP-6110,
//! EIP-7002, EIP-7251, EIP-7685).

use std::collections::HashMap;

pub use crate::block_tx::BlockTransaction;
use alloy_rlp::Encodable;
use ember_evm::state::{AccountChange, AccountInfo, StateChanges};
use ember_evm::{
    Database, DatabaseCommit, Evm, EvmError, ExecutionResult, InMemoryDb, Inspector, Log,
    NoopInspector, PrecompileCache, ResultAndState,
};
use ember_primitives::alloy_primitives::Bloom;
use ember_primitives::{
    address, b256, keccak256, Address, BlockEnv, Bytes, Fork, Spec, TxEnv, TxKind, B256, U256,
};
use sha2::{Digest, Sha256};

use crate::block::Withdrawal;
use crate::header::Header;
use crate::receipt::{logs_bloom, ordered_trie_root, Receipt, ReceiptOutcome};
use crate::{BlockError, ChainConfig};

/// The caller of system calls (EIP-4788 and later).
pub const SYSTEM_ADDRESS: Address = address!("fffffffffffffffffffffffffffffffffffffffe");
/// EIP-4788 beacon roots contract.
pub const BEACON_ROOTS_ADDRESS: Address = address!("000F3df6D732807Ef1319fB7B8bB8522d0Beac02");
/// EIP-2935 block hash history contract.
pub const HISTORY_STORAGE_ADDRESS: Address = address!("0000F90827F1C53a10cb7A02335B175320002935");
/// EIP-7002 withdrawal request contract.
pub const WITHDRAWAL_REQUEST_ADDRESS: Address =
    address!("00000961Ef480Eb55e80D19ad83579A64c007002");
/// EIP-7251 consolidation request contract.
pub const CONSOLIDATION_REQUEST_ADDRESS: Address =
    address!("0000BBdDc7CE488642fb579F8B00f3a590007251");
/// Gas given to a system call (not counted in the block).
pub const SYSTEM_CALL_GAS: u64 = 30_000_000;
/// EIP-6110: the topic of the deposit contract's `DepositEvent`.
pub const DEPOSIT_EVENT_SIGNATURE_HASH: B256 =
    b256!("649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5");

/// EIP-7685 request types.
pub mod request_type {
    /// EIP-6110 deposits.
    pub const DEPOSIT: u8 = 0x00;
    /// EIP-7002 withdrawals.
    pub const WITHDRAWAL: u8 = 0x01;
    /// EIP-7251 consolidations.
    pub const CONSOLIDATION: u8 = 0x02;
}

/// A database a whole block can run on: the executor's [`Database`] that takes commits and
/// can compute its state root (pre-Byzantium receipts and the header check need it).
pub trait BlockDatabase: Database + DatabaseCommit {
    /// The state root of the current state.
    fn state_root(&mut self) -> B256;
}

impl BlockDatabase for InMemoryDb {
    fn state_root(&mut self) -> B256 {
        InMemoryDb::state_root(self)
    }
}

/// The block values execution needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockContext {
    /// The fork in force.
    pub fork: Fork,
    /// Block number.
    pub number: u64,
    /// Timestamp.
    pub timestamp: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Beneficiary.
    pub coinbase: Address,
    /// Base fee (zero before London).
    pub base_fee: U256,
    /// Difficulty (before the merge).
    pub difficulty: U256,
    /// PREVRANDAO (the header's mix hash from the merge on).
    pub prevrandao: B256,
    /// Excess blob gas (Cancun on).
    pub excess_blob_gas: Option<u64>,
    /// The parent's hash (EIP-2935 stores it); `None` skips the history call.
    pub parent_hash: Option<B256>,
    /// EIP-4788 parent beacon block root; `None` skips the beacon roots call.
    pub parent_beacon_block_root: Option<B256>,
}

impl BlockContext {
    /// The context of `header` under `fork`.
    pub fn from_header(fork: Fork, header: &Header) -> BlockContext {
        BlockContext {
            fork,
            number: header.number,
            timestamp: header.timestamp,
            gas_limit: header.gas_limit,
            coinbase: header.beneficiary,
            base_fee: header.base_fee_per_gas.unwrap_or_default(),
            difficulty: header.difficulty,
            prevrandao: header.mix_hash,
            excess_blob_gas: header.excess_blob_gas,
            parent_hash: Some(header.parent_hash),
            parent_beacon_block_root: header.parent_beacon_block_root,
        }
    }

    fn block_env(&self, config: &ChainConfig) -> BlockEnv {
        BlockEnv {
            number: self.number,
            coinbase: self.coinbase,
            timestamp: self.timestamp,
            gas_limit: self.gas_limit,
            base_fee: self.base_fee,
            difficulty: self.difficulty,
            prevrandao: Spec::of(self.fork).prevrandao.then_some(self.prevrandao),
            excess_blob_gas: self.excess_blob_gas,
            blob_params: config.blob_params(self.fork),
            extension: Default::default(),
        }
    }
}

/// An ommer for the reward: its distance from the block and its beneficiary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OmmerReward {
    /// Block number minus the ommer's number (1..=6).
    pub delta: u64,
    /// The ommer's beneficiary.
    pub beneficiary: Address,
}

/// What to do with an invalid transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidTxPolicy {
    /// The block is invalid (block import).
    RejectBlock,
    /// Leave it out and go on (t8n, block building).
    Skip,
}

/// What a block execution runs around the transactions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExecutionMode {
    /// A real block: the pre-block system calls, the transactions, rewards, withdrawals and
    /// the Prague requests.
    #[default]
    Block,
    /// State-test mode: the transactions only (no system calls, rewards, withdrawals or
    /// requests). Header checks are the caller's ([`Chain`](crate::Chain)), so there are none.
    StateTest,
}

/// Options of one block execution.
#[derive(Clone, Debug)]
pub struct ExecuteOptions {
    /// A real block, or the transactions only.
    pub mode: ExecutionMode,
    /// What an invalid transaction does.
    pub on_invalid_tx: InvalidTxPolicy,
    /// The block reward to pay with the ommers' shares; `None` pays nothing (and touches
    /// nothing).
    pub reward: Option<U256>,
    /// Ommers for the reward.
    pub ommers: Vec<OmmerReward>,
    /// A memo of precompile results shared between runs.
    pub precompile_cache: Option<PrecompileCache>,
    /// Let senders with code send (a dev chain's impersonated contracts; EIP-3607 off).
    pub allow_sender_with_code: bool,
}

impl ExecuteOptions {
    /// State-test mode: transactions only, an invalid one skipped (the state left as it was),
    /// nothing paid or called around them.
    pub fn state_test(precompile_cache: Option<PrecompileCache>) -> ExecuteOptions {
        ExecuteOptions {
            mode: ExecutionMode::StateTest,
            on_invalid_tx: InvalidTxPolicy::Skip,
            reward: None,
            ommers: Vec::new(),
            precompile_cache,
            allow_sender_with_code: false,
        }
    }
}

/// One included transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxOutcome {
    /// Its position in the input list.
    pub index: usize,
    /// Its hash.
    pub hash: B256,
    /// The recovered sender.
    pub sender: Address,
    /// The receipt.
    pub receipt: Receipt,
    /// Gas it used.
    pub gas_used: u64,
    /// Blob gas it used.
    pub blob_gas_used: u64,
    /// The price per gas it paid.
    pub effective_gas_price: U256,
    /// For a creation: the address derived from the sender and nonce.
    pub contract_address: Option<Address>,
}

/// The result of executing a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockExecution {
    /// The fork it ran under.
    pub fork: Fork,
    /// The included transactions, in order.
    pub transactions: Vec<TxOutcome>,
    /// Transactions left out, with the reason (only with [`InvalidTxPolicy::Skip`]).
    pub rejected: Vec<(usize, String)>,
    /// Total gas used.
    pub gas_used: u64,
    /// Total blob gas used.
    pub blob_gas_used: u64,
    /// Bloom of every log.
    pub logs_bloom: Bloom,
    /// Every log of the included transactions, in order.
    pub logs: Vec<Log>,
    /// Root of the included transactions.
    pub transactions_root: B256,
    /// Root of the receipts.
    pub receipts_root: B256,
    /// Root of the withdrawals, when the block has them.
    pub withdrawals_root: Option<B256>,
    /// EIP-7685 requests (`type ‖ data`, non-empty ones), from Prague.
    pub requests: Option<Vec<Bytes>>,
    /// EIP-7685 requests hash, from Prague.
    pub requests_hash: Option<B256>,
    /// The state root after the block.
    pub state_root: B256,
}

/// EIP-7685: `sha256(sha256(r_0) ‖ sha256(r_1) ‖ ...)` over the non-empty requests.
pub fn requests_hash(requests: &[Bytes]) -> B256 {
    let mut outer = Sha256::new();
    for request in requests {
        if request.len() > 1 {
            outer.update(Sha256::digest(request));
        }
    }
    B256::from_slice(&outer.finalize())
}

/// The address a creation by `sender` with `nonce` deploys to.
pub fn create_address(sender: Address, nonce: u64) -> Address {
    let payload_length = sender.length() + nonce.length();
    let mut out = Vec::with_capacity(payload_length + 1);
    alloy_rlp::Header {
        list: true,
        payload_length,
    }
    .encode(&mut out);
    sender.encode(&mut out);
    nonce.encode(&mut out);
    Address::from_word(keccak256(out))
}

fn db_error(e: impl std::fmt::Display) -> BlockError {
    BlockError::Database(e.to_string())
}

/// Adds `amount` to `address`, creating it; with `cleanup` (EIP-161) an account left empty
/// is removed instead.
fn credit<DB: BlockDatabase>(
    db: &mut DB,
    address: Address,
    amount: U256,
    cleanup: bool,
) -> Result<(), BlockError> {
    let existing = db.basic(address).map_err(db_error)?;
    let mut info = existing.clone().unwrap_or_default();
    if info.code.is_none() && info.has_code() {
        info.code = Some(db.code_by_hash(info.code_hash).map_err(db_error)?);
    }
    info.balance = info.balance.saturating_add(amount);
    let mut changes = StateChanges::default();
    if cleanup && info.is_empty() {
        if existing.is_some() {
            changes.insert(address, AccountChange::Deleted);
        }
    } else {
        changes.insert(
            address,
            AccountChange::Updated {
                info,
                storage: Vec::new(),
                storage_cleared: false,
            },
        );
    }
    db.commit(&changes);
    Ok(())
}

/// Runs a call from [`SYSTEM_ADDRESS`] to `to` with [`SYSTEM_CALL_GAS`] through
/// [`Evm::system_call`]: no validation, fee, nonce change or gas counted in the block, and
/// the block environment (BASEFEE, COINBASE) as it is.
fn system_call<DB: BlockDatabase, I: Inspector>(
    evm: &mut Evm<DB, I>,
    to: Address,
    data: Bytes,
) -> Result<ExecutionResult, BlockError> {
    let ResultAndState {
        result, mut state, ..
    } = evm
        .system_call(SYSTEM_ADDRESS, to, data, SYSTEM_CALL_GAS)
        .map_err(|e| match e {
            EvmError::Transaction(e) => BlockError::SystemContractCallFailed {
                address: to,
                reason: format!("system call rejected: {e}"),
            },
            EvmError::Database(e) => db_error(e),
        })?;
    // The system account is only the caller: it must not appear in the state.
    state.remove(&SYSTEM_ADDRESS);
    evm.db_mut().commit(&state);
    Ok(result)
}

/// True when `address` has code.
fn has_code<DB: BlockDatabase, I: Inspector>(
    evm: &mut Evm<DB, I>,
    address: Address,
) -> Result<bool, BlockError> {
    Ok(evm
        .db_mut()
        .basic(address)
        .map_err(db_error)?
        .is_some_and(|a| a.has_code()))
}

/// A Prague request contract call: the contract must have code and the call must succeed.
fn request_call<DB: BlockDatabase, I: Inspector>(
    evm: &mut Evm<DB, I>,
    address: Address,
    ty: u8,
    requests: &mut Vec<Bytes>,
) -> Result<(), BlockError> {
    if !has_code(evm, address)? {
        return Err(BlockError::SystemContractEmpty(address));
    }
    let result = system_call(evm, address, Bytes::new())?;
    match &result {
        ExecutionResult::Success { output, .. } => {
            if !output.is_empty() {
                let mut request = Vec::with_capacity(output.len() + 1);
                request.push(ty);
                request.extend_from_slice(output);
                requests.push(request.into());
            }
            Ok(())
        }
        ExecutionResult::Revert { .. } => Err(BlockError::SystemContractCallFailed {
            address,
            reason: "reverted".into(),
        }),
        ExecutionResult::Halt { reason, .. } => Err(BlockError::SystemContractCallFailed {
            address,
            reason: format!("halted: {reason:?}"),
        }),
    }
}

/// EIP-6110: the deposit request data of one `DepositEvent` log, checking the ABI layout.
pub fn parse_deposit_log(data: &[u8]) -> Result<Vec<u8>, BlockError> {
    fn bad(msg: String) -> BlockError {
        BlockError::InvalidDepositEventLayout(msg)
    }
    if data.len() != 576 {
        return Err(bad(format!("event data is {} bytes, want 576", data.len())));
    }
    let word = |at: usize| U256::from_be_slice(&data[at..at + 32]);
    // (offset slot, expected offset, expected size) for pubkey, withdrawal credentials,
    // amount, signature, index.
    let fields = [
        (0, 160, 48),
        (32, 256, 32),
        (64, 320, 8),
        (96, 384, 96),
        (128, 512, 8),
    ];
    let mut out = Vec::with_capacity(192);
    for (slot, offset, size) in fields {
        if word(slot) != U256::from(offset) {
            return Err(bad(format!(
                "offset at {slot} is {}, want {offset}",
                word(slot)
            )));
        }
        if word(offset) != U256::from(size) {
            return Err(bad(format!(
                "size at {offset} is {}, want {size}",
                word(offset)
            )));
        }
        out.extend_from_slice(&data[offset + 32..offset + 32 + size]);
    }
    Ok(out)
}

/// Executes a block's transactions on `db` and returns what it produced with the database.
///
/// With [`InvalidTxPolicy::RejectBlock`] the first invalid transaction fails the block; the
/// database handed in is then lost, so pass a copy when the parent state must survive (the
/// [`Chain`](crate::Chain) does). Header fields are not compared here: see
/// [`Chain::import`](crate::Chain::import).
pub fn execute_block<DB: BlockDatabase, T: BlockTransaction>(
    db: DB,
    config: &ChainConfig,
    ctx: &BlockContext,
    transactions: &[T],
    withdrawals: Option<&[Withdrawal]>,
    options: &ExecuteOptions,
) -> Result<(BlockExecution, DB), BlockError> {
    execute_block_inspected(
        db,
        config,
        ctx,
        transactions,
        withdrawals,
        options,
        NoopInspector,
        &mut (),
    )
}

/// Hooks around each transaction of [`execute_block_inspected`], handed the block's
/// inspector: set it up for one transaction, then take its output. System calls run with the
/// inspector as the hooks leave it between transactions.
pub trait TxHooks<I> {
    /// Before a transaction runs; `position` is where it would go in the block (the number
    /// of transactions included so far) and `hash` is its hash.
    fn before_tx(&mut self, _inspector: &mut I, _position: usize, _hash: B256) {}
    /// After it ran or was rejected; `included` tells which.
    fn after_tx(&mut self, _inspector: &mut I, _included: bool) {}
}

/// No hooks.
impl<I> TxHooks<I> for () {}

/// [`execute_block`] with an inspector observing execution and hooks around each
/// transaction (`ember t8n --trace` writes one trace file per transaction with them).
#[allow(clippy::too_many_arguments)]
pub fn execute_block_inspected<DB: BlockDatabase, T: BlockTransaction, I: Inspector>(
    db: DB,
    config: &ChainConfig,
    ctx: &BlockContext,
    transactions: &[T],
    withdrawals: Option<&[Withdrawal]>,
    options: &ExecuteOptions,
    inspector: I,
    hooks: &mut dyn TxHooks<I>,
) -> Result<(BlockExecution, DB), BlockError> {
    let fork = ctx.fork;
    let spec = Spec::of(fork);
    let mut builder = Evm::builder(db)
        .fork(fork)
        .block(ctx.block_env(config))
        .chain_id(config.chain_id);
    if let Some(cache) = &options.precompile_cache {
        builder = builder.precompile_cache(cache.clone());
    }
    if options.allow_sender_with_code {
        builder = builder.allow_sender_with_code();
    }
    let mut evm = builder.inspector(inspector).build();
    let whole_block = options.mode == ExecutionMode::Block;

    // Pre-block system calls. Their absence of code is not an error (EIP-4788, EIP-2935).
    if whole_block && spec.beacon_roots_call {
        if let Some(root) = ctx.parent_beacon_block_root {
            system_call(&mut evm, BEACON_ROOTS_ADDRESS, root.0.to_vec().into())?;
        }
    }
    if whole_block && spec.history_call {
        if let Some(parent_hash) = ctx.parent_hash {
            system_call(
                &mut evm,
                HISTORY_STORAGE_ADDRESS,
                parent_hash.0.to_vec().into(),
            )?;
        }
    }

    let max_blob_gas = config
        .blob_params(fork)
        .map_or(0, |params| params.max_blob_gas());
    let mut outcomes: Vec<TxOutcome> = Vec::with_capacity(transactions.len());
    let mut rejected = Vec::new();
    let mut gas_used = 0u64;
    let mut blob_gas_used = 0u64;
    let mut logs = Vec::new();
    for (index, tx) in transactions.iter().enumerate() {
        hooks.before_tx(&mut evm.inspector, outcomes.len(), tx.hash());
        let result = execute_transaction(
            &mut evm,
            config,
            spec,
            tx,
            index,
            ctx.gas_limit - gas_used.min(ctx.gas_limit),
            (blob_gas_used, max_blob_gas),
        );
        hooks.after_tx(&mut evm.inspector, result.is_ok());
        let (executed, env, tx_blob_gas, effective_gas_price) = match result {
            Ok(done) => done,
            Err(TxFailure::Invalid(e)) => match options.on_invalid_tx {
                InvalidTxPolicy::RejectBlock => return Err(e),
                InvalidTxPolicy::Skip => {
                    rejected.push((index, tx_error_text(&e)));
                    continue;
                }
            },
            Err(TxFailure::Fatal(e)) => return Err(e),
        };
        gas_used += executed.gas_used();
        blob_gas_used += tx_blob_gas;
        let outcome = if spec.receipt_status {
            ReceiptOutcome::Status(executed.is_success())
        } else {
            ReceiptOutcome::StateRoot(evm.db_mut().state_root())
        };
        let tx_logs = executed.logs().to_vec();
        logs.extend(tx_logs.iter().cloned());
        let receipt = Receipt::new(tx.tx_type(), outcome, gas_used, tx_logs);
        outcomes.push(TxOutcome {
            index,
            hash: tx.hash(),
            sender: env.caller,
            receipt,
            gas_used: executed.gas_used(),
            blob_gas_used: tx_blob_gas,
            effective_gas_price,
            contract_address: (env.kind == TxKind::Create)
                .then(|| create_address(env.caller, env.nonce)),
        });
    }

    // Rewards (before the merge), then withdrawals.
    let cleanup = spec.empty_account_cleanup;
    if let Some(reward) = options.reward.filter(|_| whole_block) {
        let per_ommer = reward / U256::from(32);
        let mut miner = reward;
        for ommer in &options.ommers {
            miner += per_ommer;
            let share = U256::from(8u64.saturating_sub(ommer.delta)) * reward / U256::from(8);
            credit(evm.db_mut(), ommer.beneficiary, share, cleanup)?;
        }
        credit(evm.db_mut(), ctx.coinbase, miner, cleanup)?;
    }
    let withdrawals_root = match withdrawals.filter(|_| whole_block) {
        Some(withdrawals) => {
            for w in withdrawals {
                let amount = U256::from(w.amount) * U256::from(1_000_000_000u64);
                credit(evm.db_mut(), w.address, amount, true)?;
            }
            let encoded: Vec<Vec<u8>> = withdrawals.iter().map(Withdrawal::encoded).collect();
            Some(ordered_trie_root(&encoded))
        }
        None => None,
    };

    // Prague requests: deposits from the logs, then the two request contracts.
    let requests = if whole_block && spec.execution_requests {
        let mut requests = Vec::new();
        let mut deposits = Vec::new();
        for log in outcomes.iter().flat_map(|o| o.receipt.logs.iter()) {
            if log.address == config.deposit_contract
                && log.topics.first() == Some(&DEPOSIT_EVENT_SIGNATURE_HASH)
            {
                deposits.extend(parse_deposit_log(&log.data)?);
            }
        }
        if !deposits.is_empty() {
            let mut request = vec![request_type::DEPOSIT];
            request.extend(deposits);
            requests.push(request.into());
        }
        request_call(
            &mut evm,
            WITHDRAWAL_REQUEST_ADDRESS,
            request_type::WITHDRAWAL,
            &mut requests,
        )?;
        request_call(
            &mut evm,
            CONSOLIDATION_REQUEST_ADDRESS,
            request_type::CONSOLIDATION,
            &mut requests,
        )?;
        Some(requests)
    } else {
        None
    };

    let mut db = evm.into_db();
    let state_root = db.state_root();
    let tx_items: Vec<Vec<u8>> = outcomes
        .iter()
        .map(|o| transactions[o.index].trie_item())
        .collect();
    let receipts: Vec<Vec<u8>> = outcomes.iter().map(|o| o.receipt.encoded()).collect();
    let execution = BlockExecution {
        fork,
        gas_used,
        blob_gas_used,
        logs_bloom: logs_bloom(outcomes.iter().flat_map(|o| o.receipt.logs.iter())),
        logs,
        transactions_root: ordered_trie_root(&tx_items),
        receipts_root: ordered_trie_root(&receipts),
        withdrawals_root,
        requests_hash: requests.as_deref().map(requests_hash),
        requests,
        state_root,
        transactions: outcomes,
        rejected,
    };
    Ok((execution, db))
}

/// Why one transaction did not execute.
enum TxFailure {
    /// It is invalid (the block is, or it is skipped).
    Invalid(BlockError),
    /// The database failed.
    Fatal(BlockError),
}

/// The reason text of a rejected transaction (without the block-level prefix).
fn tx_error_text(e: &BlockError) -> String {
    match e {
        BlockError::InvalidTransaction { error, .. } => error.to_string(),
        BlockError::GasAllowanceExceeded {
            gas_limit,
            available,
            ..
        } => format!("gas limit reached: tx gas limit {gas_limit}, block gas left {available}"),
        BlockError::BlobGasExceeded { used, max, .. } => {
            format!("blob gas ({used}) would exceed maximum allowance {max}")
        }
        other => other.to_string(),
    }
}

type Executed = (ExecutionResult, TxEnv, u64, U256);

fn execute_transaction<DB: BlockDatabase, T: BlockTransaction, I: Inspector>(
    evm: &mut Evm<DB, I>,
    config: &ChainConfig,
    spec: &'static Spec,
    tx: &T,
    index: usize,
    gas_available: u64,
    (blob_gas_used, max_blob_gas): (u64, u64),
) -> Result<Executed, TxFailure> {
    let invalid = |error| TxFailure::Invalid(BlockError::InvalidTransaction { index, error });
    let env = tx.checked_env(spec, config.chain_id).map_err(invalid)?;
    if env.gas_limit > gas_available {
        return Err(TxFailure::Invalid(BlockError::GasAllowanceExceeded {
            index,
            gas_limit: env.gas_limit,
            available: gas_available,
        }));
    }
    let tx_blob_gas = ember_transaction::blob_gas(&env);
    if tx_blob_gas > 0 && blob_gas_used.saturating_add(tx_blob_gas) > max_blob_gas {
        return Err(TxFailure::Invalid(BlockError::BlobGasExceeded {
            index,
            used: blob_gas_used.saturating_add(tx_blob_gas),
            max: max_blob_gas,
        }));
    }
    let effective_gas_price =
        ember_transaction::effective_gas_price(spec, &env, evm.ctx.block.base_fee);
    match evm.transact(&env) {
        Ok(ResultAndState { result, state, .. }) => {
            evm.db_mut().commit(&state);
            Ok((result, env, tx_blob_gas, effective_gas_price))
        }
        Err(EvmError::Transaction(e)) => Err(invalid(e)),
        Err(EvmError::Database(e)) => Err(TxFailure::Fatal(db_error(e))),
    }
}

/// Loads an account map (address → info and storage) into an [`InMemoryDb`].
pub fn state_from_accounts(
    accounts: impl IntoIterator<Item = (Address, AccountInfo, HashMap<U256, U256>)>,
) -> InMemoryDb {
    let mut db = InMemoryDb::new();
    for (address, info, storage) in accounts {
        db.insert_account(address, info, storage);
    }
    db
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::EMPTY_REQUESTS_HASH;

    #[test]
    fn empty_requests_hash() {
        assert_eq!(requests_hash(&[]), EMPTY_REQUESTS_HASH);
        // a request with only its type byte counts as empty
        assert_eq!(
            requests_hash(&[Bytes::from_static(&[1])]),
            EMPTY_REQUESTS_HASH
        );
    }

    #[test]
    fn create_addresses() {
        // the first contract created by 0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0
        let sender = address!("6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
        assert_eq!(
            create_address(sender, 0),
            address!("cd234a471b72ba2f1ccf0a70fcaba648a5eecd8d")
        );
    }

    #[test]
    fn deposit_layout() {
        let mut data = vec![0u8; 576];
        for (slot, value) in [(0, 160u64), (32, 256), (64, 320), (96, 384), (128, 512)] {
            data[slot + 24..slot + 32].copy_from_slice(&value.to_be_bytes());
        }
        for (offset, size) in [(160, 48u64), (256, 32), (320, 8), (384, 96), (512, 8)] {
            data[offset + 24..offset + 32].copy_from_slice(&size.to_be_bytes());
        }
        assert_eq!(parse_deposit_log(&data).unwrap().len(), 192);
        data[31] = 0;
        assert!(parse_deposit_log(&data).is_err());
        assert!(parse_deposit_log(&[0; 10]).is_err());
    }
}
