//! Running a transaction against a state without keeping it: `eth_call`,
//! `eth_estimateGas`, `eth_createAccessList`, with state overrides.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use ember_evm::{
    AccountInfo, Bytecode, Database, Evm, EvmError, ExecutionResult, HaltReason, InMemoryDb,
    Inspector, NoopInspector, ResultAndState,
};
use ember_primitives::{Address, BlockEnv, Bytes, Fork, Spec, TxEnv, B256, U256};
use ember_rpc::RpcError;
use serde::Deserialize;
use serde_json::json;

use crate::fork_mode::{ForkError, ForkedChain};
use crate::genesis::account_info;
use crate::params::Quantity;

/// A state to run calls on: the chain's (shared, read only) or a copy changed by
/// overrides, over the forked chain in fork mode.
#[derive(Clone, Debug)]
pub struct CallDb {
    state: Arc<InMemoryDb>,
    remote: Option<Arc<ForkedChain>>,
}

impl CallDb {
    /// Calls on `state` (and the fork under it).
    pub fn new(state: Arc<InMemoryDb>, remote: Option<Arc<ForkedChain>>) -> CallDb {
        CallDb { state, remote }
    }

    /// The state to change (copied unless this is its only user).
    pub fn make_mut(&mut self) -> &mut InMemoryDb {
        Arc::make_mut(&mut self.state)
    }

    /// The state read so far (local part).
    pub fn local(&self) -> &Arc<InMemoryDb> {
        &self.state
    }

    /// Copies a forked account into the local state, so overrides change it rather than
    /// replace it.
    fn materialize(&mut self, address: Address) -> Result<(), ForkError> {
        if self.state.accounts.contains_key(&address) {
            return Ok(());
        }
        if let Some(remote) = self.remote.clone() {
            if let Some(info) = remote.account(&self.state, address)? {
                self.make_mut().insert_account(address, info, []);
            }
        }
        Ok(())
    }
}

impl Database for CallDb {
    type Error = ForkError;
    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, ForkError> {
        match &self.remote {
            Some(remote) => remote.account(&self.state, address),
            None => Ok(self.state.accounts.get(&address).map(|a| a.info.clone())),
        }
    }
    fn code_by_hash(&mut self, hash: B256) -> Result<Bytecode, ForkError> {
        if let Some(remote) = &self.remote {
            return Ok(remote.code(&self.state, hash));
        }
        Ok(self
            .state
            .accounts
            .values()
            .find(|a| a.info.code_hash == hash)
            .and_then(|a| a.info.code.clone())
            .unwrap_or_default())
    }
    fn storage(&mut self, address: Address, key: U256) -> Result<U256, ForkError> {
        if let Some(remote) = &self.remote {
            return remote.slot(&self.state, address, key);
        }
        Ok(self
            .state
            .accounts
            .get(&address)
            .and_then(|a| a.storage.get(&key))
            .copied()
            .unwrap_or_default())
    }
    fn block_hash(&mut self, number: u64) -> Result<B256, ForkError> {
        if let Some(hash) = self.state.block_hashes.get(&number) {
            return Ok(*hash);
        }
        match &self.remote {
            Some(remote) => remote.remote_block_hash(number),
            None => Ok(B256::ZERO),
        }
    }
    fn has_storage(&mut self, address: Address) -> Result<bool, ForkError> {
        Ok(self
            .state
            .accounts
            .get(&address)
            .is_some_and(|a| !a.storage.is_empty()))
    }
}

/// One account's override in `eth_call`'s third parameter.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountOverride {
    /// New balance.
    pub balance: Option<U256>,
    /// New nonce.
    pub nonce: Option<Quantity>,
    /// New code.
    pub code: Option<Bytes>,
    /// Replaces all storage.
    pub state: Option<BTreeMap<B256, B256>>,
    /// Changes these slots.
    pub state_diff: Option<BTreeMap<B256, B256>>,
    /// Moves a precompile (not supported: rejected).
    pub move_precompile_to_address: Option<Address>,
}

/// Applies state overrides to `db`.
pub fn apply_overrides(
    db: &mut CallDb,
    overrides: &BTreeMap<Address, AccountOverride>,
) -> Result<(), RpcError> {
    if overrides.is_empty() {
        return Ok(());
    }
    for address in overrides.keys() {
        db.materialize(*address)
            .map_err(|e| RpcError::internal(e.to_string()))?;
    }
    let db = db.make_mut();
    for (address, o) in overrides {
        if o.state.is_some() && o.state_diff.is_some() {
            return Err(RpcError::invalid_params(format!(
                "`stateOverrides`: {address} has both state and stateDiff"
            )));
        }
        if o.move_precompile_to_address.is_some() {
            return Err(RpcError::invalid_params(
                "`stateOverrides`: movePrecompileToAddress is not supported",
            ));
        }
        let account = db.accounts.entry(*address).or_default();
        let code = match &o.code {
            Some(code) => code.clone(),
            None => account
                .info
                .code
                .as_ref()
                .map(|c| c.original().clone())
                .unwrap_or_default(),
        };
        account.info = account_info(
            o.balance.unwrap_or(account.info.balance),
            o.nonce.map_or(account.info.nonce, |n| n.0),
            code,
        );
        if let Some(state) = &o.state {
            account.storage.clear();
            for (k, v) in state {
                account.storage.insert((*k).into(), (*v).into());
            }
        }
        if let Some(diff) = &o.state_diff {
            for (k, v) in diff {
                let (k, v): (U256, U256) = ((*k).into(), (*v).into());
                if v.is_zero() {
                    account.storage.remove(&k);
                } else {
                    account.storage.insert(k, v);
                }
            }
        }
    }
    Ok(())
}

/// Runs `tx` on `db` without committing.
pub fn run<I: Inspector>(
    db: CallDb,
    fork: Fork,
    chain_id: u64,
    block: &BlockEnv,
    tx: &TxEnv,
    inspector: I,
) -> Result<(ResultAndState, I), EvmError<ForkError>> {
    // Calls may come from any address, contracts included (as in geth and anvil).
    let mut builder = Evm::builder(db)
        .fork(fork)
        .block(block.clone())
        .chain_id(chain_id)
        .allow_sender_with_code();
    if tx.gas_price.is_zero() {
        // A call without a fee: BASEFEE still reads the block's.
        builder = builder.disable_base_fee_check();
    }
    let mut evm = builder.inspector(inspector).build();
    let result = evm.transact(tx)?;
    Ok((result, evm.inspector))
}

/// The JSON-RPC error of a transaction the EVM refused (anvil's words where it has them).
pub fn invalid_tx_error(e: EvmError<ForkError>) -> RpcError {
    match e {
        EvmError::Transaction(
            ember_evm::InvalidTransaction::InsufficientFunds { .. }
            | ember_evm::InvalidTransaction::GasLimitOverflow,
        ) => RpcError::new(-32003, "Insufficient funds for gas * price + value"),
        EvmError::Transaction(e) => RpcError::server(e.to_string()),
        EvmError::Database(e) => RpcError::internal(e.to_string()),
    }
}

/// The error of a reverted call: code 3, "execution reverted[: reason]", the data as hex.
/// `Error(string)`, `Panic(uint256)` and UTF-8 data decode as alloy (and so anvil) words
/// them; other data shows its selector and the rest as text, as anvil does.
pub fn revert_error(output: &Bytes) -> RpcError {
    use alloy_sol_types::{ContractError, RevertReason};
    let reason = match RevertReason::decode(output) {
        Some(RevertReason::ContractError(ContractError::Revert(r))) => Some(r.reason),
        Some(other) => Some(other.to_string()),
        None => None,
    };
    let message = match reason {
        Some(reason) if !reason.is_empty() => format!("execution reverted: {reason}"),
        _ if output.len() > 4 => format!(
            "execution reverted: custom error 0x{}: {}",
            ember_primitives::hex::encode(&output[..4]),
            String::from_utf8_lossy(&output[4..])
        ),
        _ if output.len() == 4 => format!("execution reverted: custom error {output}"),
        _ => "execution reverted".to_string(),
    };
    RpcError::new(3, message).with_data(json!(output))
}

/// The error of a call that halted.
pub fn halt_error(reason: &HaltReason) -> RpcError {
    RpcError::new(-32603, format!("EVM error {reason:?}"))
}

/// What one run of `eth_call` returned (for a creation, the deployed code), or its error.
pub fn call_output(result: &ResultAndState) -> Result<Bytes, RpcError> {
    match &result.result {
        ExecutionResult::Success {
            created_address: Some(address),
            ..
        } => Ok(match result.state.get(address) {
            Some(ember_evm::AccountChange::Updated { info, .. }) => info
                .code
                .as_ref()
                .map(|c| c.original().clone())
                .unwrap_or_default(),
            _ => Bytes::new(),
        }),
        ExecutionResult::Success { output, .. } => Ok(output.clone()),
        ExecutionResult::Revert { output, .. } => Err(revert_error(output)),
        ExecutionResult::Halt { reason, .. } => Err(halt_error(reason)),
    }
}

/// The smallest gas limit with which `tx` succeeds on `db`, searched between its intrinsic
/// cost and `cap` (anvil's answer: exact to the unit).
pub fn estimate_gas(
    db: &CallDb,
    fork: Fork,
    chain_id: u64,
    block: &BlockEnv,
    tx: &TxEnv,
    cap: u64,
) -> Result<u64, RpcError> {
    let attempt = |gas: u64| -> Result<ExecutionResult, EvmError<ForkError>> {
        let mut tx = tx.clone();
        tx.gas_limit = gas;
        run(db.clone(), fork, chain_id, block, &tx, NoopInspector).map(|(r, _)| r.result)
    };
    let first = match attempt(cap) {
        // Anvil estimates a transfer the sender cannot afford as if it could.
        Err(EvmError::Transaction(ember_evm::InvalidTransaction::InsufficientFunds { .. })) => {
            let mut funded = db.clone();
            let caller = tx.caller;
            funded
                .materialize(caller)
                .map_err(|e| RpcError::internal(e.to_string()))?;
            let account = funded.make_mut().accounts.entry(caller).or_default();
            account.info.balance = U256::MAX >> 1;
            return estimate_gas(&funded, fork, chain_id, block, tx, cap);
        }
        other => other.map_err(invalid_tx_error)?,
    };
    let used = match &first {
        ExecutionResult::Success {
            gas_used,
            gas_refunded,
            ..
        } => gas_used + gas_refunded,
        ExecutionResult::Revert { output, .. } => return Err(revert_error(output)),
        ExecutionResult::Halt { reason, .. } => {
            return Err(match reason {
                HaltReason::OutOfGas => RpcError::new(
                    -32003,
                    format!("Out of gas: gas required exceeds allowance: {cap}"),
                ),
                other => halt_error(other),
            })
        }
    };
    let succeeds = |gas: u64| matches!(attempt(gas), Ok(ExecutionResult::Success { .. }));
    let intrinsic = ember_transaction::min_gas_limit(Spec::of(fork), tx);
    let mut lo = used.saturating_sub(1).max(intrinsic.saturating_sub(1));
    let mut hi = cap;
    // Most calls need a little more than they use (the 63/64 rule, refunds): try that first.
    let optimistic = (used + 2_300) * 64 / 63;
    if optimistic < hi {
        if succeeds(optimistic) {
            hi = optimistic;
        } else {
            lo = optimistic;
        }
    }
    if lo < used && used <= hi && succeeds(used) {
        hi = used;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if succeeds(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

/// The access list a transaction touches (addresses other than the sender, recipient and
/// precompiles, with their slots) and the gas it then uses.
#[derive(Debug, Default)]
pub struct AccessCollector {
    /// Touched addresses and slots.
    pub touched: BTreeMap<Address, std::collections::BTreeSet<B256>>,
}

impl Inspector for AccessCollector {
    fn step(&mut self, interp: &ember_evm::Interpreter) {
        use ember_evm::bytecode::opcode;
        let op = interp.current_opcode();
        let data = interp.stack.data();
        let peek = |n: usize| data.len().checked_sub(n + 1).map(|i| data[i]);
        let address = interp.address;
        match op {
            opcode::SLOAD | opcode::SSTORE => {
                if let Some(key) = peek(0) {
                    self.touched
                        .entry(address)
                        .or_default()
                        .insert(B256::from(key));
                }
            }
            opcode::EXTCODECOPY
            | opcode::EXTCODEHASH
            | opcode::EXTCODESIZE
            | opcode::BALANCE
            | opcode::SELFDESTRUCT => {
                if let Some(word) = peek(0) {
                    self.touched
                        .entry(Address::from_word(B256::from(word)))
                        .or_default();
                }
            }
            opcode::CALL | opcode::CALLCODE | opcode::DELEGATECALL | opcode::STATICCALL => {
                if let Some(word) = peek(1) {
                    self.touched
                        .entry(Address::from_word(B256::from(word)))
                        .or_default();
                }
            }
            _ => {}
        }
    }
}

/// Removes from an access list what is warm anyway.
pub fn prune_access_list(
    touched: &mut BTreeMap<Address, std::collections::BTreeSet<B256>>,
    always_warm: &HashSet<Address>,
) {
    touched.retain(|a, slots| !(always_warm.contains(a) && slots.is_empty()));
    for a in always_warm {
        if touched.get(a).is_some_and(|s| s.is_empty()) {
            touched.remove(a);
        }
    }
}
