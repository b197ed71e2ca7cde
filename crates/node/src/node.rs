//! [`Node`]: the dev chain behind the RPC — chain, pool, clock, mining, accounts, snapshots,
//! filters and subscriptions — and [`NodeState`]'s shared operations the methods use.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ember_evm::{AccountInfo, InMemoryDb};
use ember_primitives::{Address, BlockEnv, Spec, TxEnv, TxKind, B256, U256};
use ember_rpc::RpcError;
use ember_wallet::DevAccount;

use crate::chain::{BlockTemplate, DevChain, MinedBlock, StateDiff};
use crate::config::{MiningMode, NodeConfig};
use crate::exec::CallDb;
use crate::filter::{Filters, Subscriptions};
use crate::params::BlockId;
use crate::pool::Pool;
use crate::store::Store;
use crate::tx::{NodeTx, TxDefaults, TxRequest};
use ember_transaction::{InvalidTransaction, Transaction};

/// The tip anvil suggests (`eth_maxPriorityFeePerGas`): 1 gwei.
pub const SUGGESTED_PRIORITY_FEE: u64 = 1_000_000_000;

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Block timestamps: the wall clock shifted by `evm_increaseTime`, a pinned next timestamp,
/// or a fixed interval between blocks.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Seconds added to the wall clock.
    pub offset: i128,
    /// The next block's timestamp, once.
    pub next: Option<u64>,
    /// A fixed step between block timestamps (`anvil_setBlockTimestampInterval`).
    pub interval: Option<u64>,
}

impl Clock {
    /// The timestamp of a block after one at `parent`: never earlier (blocks mined within
    /// one second share it, as in anvil).
    pub fn next_timestamp(&mut self, parent: u64) -> u64 {
        if let Some(t) = self.next.take() {
            self.offset = t as i128 - unix_now() as i128;
            return t;
        }
        if let Some(step) = self.interval {
            let t = parent + step;
            self.offset = t as i128 - unix_now() as i128;
            return t;
        }
        let now = (unix_now() as i128 + self.offset).max(0) as u64;
        now.max(parent)
    }
}

/// The client version `web3_clientVersion` reports.
pub const CLIENT_VERSION: &str = concat!("ember/v", env!("CARGO_PKG_VERSION"));

/// A saved chain for `evm_revert`.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The head block number then.
    pub head: u64,
    /// The head state then.
    pub state: Arc<InMemoryDb>,
    /// The clock then.
    pub clock: Clock,
}

/// Everything the node holds, behind one lock.
pub struct NodeState {
    /// The configuration it started with.
    pub config: NodeConfig,
    /// The chain.
    pub chain: DevChain,
    /// Waiting transactions.
    pub pool: Pool,
    /// Block timestamps.
    pub clock: Clock,
    /// The next block's base fee, once (`anvil_setNextBlockBaseFeePerGas`).
    pub next_base_fee: Option<U256>,
    /// The beneficiary of new blocks.
    pub coinbase: Address,
    /// The gas limit of new blocks.
    pub gas_limit: u64,
    /// The lowest gas price the pool takes (`anvil_setMinGasPrice`).
    pub min_gas_price: Option<U256>,
    /// How blocks are mined.
    pub mining: MiningMode,
    /// The dev accounts.
    pub accounts: Vec<DevAccount>,
    /// Accounts that may send without a key.
    pub impersonated: HashSet<Address>,
    /// Every account may send without a key.
    pub auto_impersonate: bool,
    /// Saved chains by id.
    pub snapshots: BTreeMap<u64, Snapshot>,
    /// Snapshots dropped because an earlier one was restored: reverting to one is an error
    /// (anvil's "Resource not found"), unlike an id never issued or already used.
    pub dropped_snapshots: HashSet<u64>,
    /// The id the next snapshot gets.
    pub next_snapshot: u64,
    /// The safe and finalized blocks a forkchoice update set (a loaded chain); without one,
    /// anvil's head - 32 and head - 64.
    pub safe_finalized: Option<(u64, u64)>,
    /// Installed filters.
    pub filters: Filters,
    /// WebSocket subscriptions.
    pub subscriptions: Subscriptions,
    /// The durable store, with `--data-dir`.
    pub store: Option<Store>,
}

/// The node: its state and the signal the interval miner waits on.
pub struct Node {
    state: Mutex<NodeState>,
    /// Woken when the mining mode changes.
    pub(crate) mining_changed: Condvar,
}

fn lock_poisoned() -> RpcError {
    RpcError::internal("the node's state lock is poisoned by an earlier failure")
}

impl Node {
    /// Wraps `state`.
    pub fn new(state: NodeState) -> Arc<Node> {
        Arc::new(Node {
            state: Mutex::new(state),
            mining_changed: Condvar::new(),
        })
    }

    /// Locks the state.
    pub fn lock(&self) -> Result<MutexGuard<'_, NodeState>, RpcError> {
        self.state.lock().map_err(|_| lock_poisoned())
    }

    /// Mines on an interval while the mode says so; returns when `stop` is set. Runs on its
    /// own thread.
    pub fn run_interval_miner(self: &Arc<Node>, stop: Arc<std::sync::atomic::AtomicBool>) {
        use std::sync::atomic::Ordering;
        let mut guard = match self.state.lock() {
            Ok(g) => g,
            Err(_) => return,
        };
        while !stop.load(Ordering::Relaxed) {
            let wait = match guard.mining {
                MiningMode::Interval(d) => d,
                _ => Duration::from_millis(500),
            };
            let (g, timeout) = match self.mining_changed.wait_timeout(guard, wait) {
                Ok(r) => r,
                Err(_) => return,
            };
            guard = g;
            if timeout.timed_out() {
                if let MiningMode::Interval(_) = guard.mining {
                    if let Err(e) = guard.mine_one(None) {
                        eprintln!("interval mining failed: {}", e.message);
                    }
                }
            }
        }
    }
}

impl NodeState {
    /// The fork's rules.
    pub fn spec(&self) -> &'static Spec {
        self.chain.spec()
    }

    /// The block number a [`BlockId`] names (`pending` is the head: its state is the
    /// head's plus nothing mined).
    pub fn resolve(&self, id: Option<BlockId>) -> Result<u64, RpcError> {
        let head = self.chain.head_number();
        match id.unwrap_or(BlockId::Latest) {
            BlockId::Latest | BlockId::Pending => Ok(head),
            BlockId::Safe => Ok(self
                .safe_finalized
                .map_or(head.saturating_sub(32), |(safe, _)| safe.min(head))),
            BlockId::Finalized => Ok(self
                .safe_finalized
                .map_or(head.saturating_sub(64), |(_, finalized)| {
                    finalized.min(head)
                })),
            BlockId::Earliest => Ok(self.chain.first_number()),
            BlockId::Number(n) if n < self.chain.first_number() => Err(RpcError::server(format!(
                "block {n} is before the fork block {}: ask the forked node",
                self.chain.first_number()
            ))),
            BlockId::Number(n) if n <= head => Ok(n),
            BlockId::Number(n) => Err(RpcError::new(
                -32602,
                format!("BlockOutOfRangeError: block height is {head} but requested was {n}"),
            )),
            BlockId::Hash(h) => self
                .chain
                .block_by_hash(&h)
                .map(|b| b.number())
                .ok_or_else(|| RpcError::server(format!("block {h} not found"))),
        }
    }

    /// The state at a block.
    pub fn state_at(&self, id: Option<BlockId>) -> Result<Arc<InMemoryDb>, RpcError> {
        if id == Some(BlockId::Pending) && !self.pool.is_empty() {
            return self.pending_state();
        }
        let number = self.resolve(id)?;
        self.chain.state_at(number).ok_or_else(|| {
            RpcError::server(format!(
                "state of block {number} is no longer kept (the last {} blocks are)",
                crate::chain::STATE_HISTORY
            ))
        })
    }

    /// The state after the block the pool would mine next (the `pending` tag), mined on a
    /// copy of the chain.
    pub fn pending_state(&self) -> Result<Arc<InMemoryDb>, RpcError> {
        let template = self.peek_template();
        let state = self.chain.state().clone();
        let txs = self.pool.select(
            |a| state.accounts.get(&a).map_or(0, |x| x.info.nonce),
            template.base_fee,
            template.gas_limit,
        );
        let mut scratch = self.chain.clone();
        scratch
            .mine(&template, txs)
            .map_err(|e| RpcError::internal(format!("building the pending block failed: {e}")))?;
        Ok(scratch.state().clone())
    }

    /// An account of `state` as the chain sees it (over the forked chain in fork mode).
    pub fn account_in(
        &self,
        state: &InMemoryDb,
        address: Address,
    ) -> Result<Option<AccountInfo>, RpcError> {
        match &self.chain.remote {
            Some(remote) => remote
                .account(state, address)
                .map_err(|e| RpcError::internal(e.to_string())),
            None => Ok(state.accounts.get(&address).map(|a| a.info.clone())),
        }
    }

    /// A storage slot of `state` as the chain sees it.
    pub fn slot_in(
        &self,
        state: &InMemoryDb,
        address: Address,
        key: U256,
    ) -> Result<U256, RpcError> {
        match &self.chain.remote {
            Some(remote) => remote
                .slot(state, address, key)
                .map_err(|e| RpcError::internal(e.to_string())),
            None => Ok(state
                .accounts
                .get(&address)
                .and_then(|a| a.storage.get(&key).copied())
                .unwrap_or_default()),
        }
    }

    /// In fork mode, copies a forked account into the head state before a local change, so
    /// the change keeps its other fields; afterwards the account is local.
    pub fn materialize(&mut self, address: Address) -> Result<(), RpcError> {
        let Some(remote) = self.chain.remote.clone() else {
            return Ok(());
        };
        if self.chain.state().accounts.contains_key(&address) {
            return Ok(());
        }
        let info = remote
            .account(self.chain.state(), address)
            .map_err(|e| RpcError::internal(e.to_string()))?;
        if let Some(info) = info {
            self.chain
                .modify_state(|db| db.insert_account(address, info, []));
        }
        remote.record(&[address], &[], &[]);
        Ok(())
    }

    /// The account nonce at the head.
    pub fn state_nonce(&self, address: Address) -> u64 {
        self.account_in(self.chain.state(), address)
            .ok()
            .flatten()
            .map_or(0, |a| a.nonce)
    }

    /// The nonce after the sender's pooled transactions (the `pending` tag).
    pub fn pending_nonce(&self, address: Address) -> u64 {
        let state = self.state_nonce(address);
        let mut next = state;
        // Count only the unbroken run from the account nonce.
        let (ready, _) = self
            .pool
            .split(|a| if a == address { state } else { u64::MAX });
        for tx in ready {
            if tx.sender == address {
                next = next.max(tx.nonce() + 1);
            }
        }
        next
    }

    /// The block environment for a call at `number` (`pending`: the next block's).
    pub fn call_block_env(&self, id: Option<BlockId>) -> Result<BlockEnv, RpcError> {
        if id == Some(BlockId::Pending) {
            let template = self.peek_template();
            let ctx = self.chain.next_context(&template);
            return Ok(self.block_env_of(&ctx));
        }
        let number = self.resolve(id)?;
        let block = self
            .chain
            .block(number)
            .ok_or_else(|| RpcError::server(format!("block {number} is not held")))?;
        let ctx = ember_blockchain::BlockContext::from_header(self.chain.fork, &block.block.header);
        Ok(self.block_env_of(&ctx))
    }

    fn block_env_of(&self, ctx: &ember_blockchain::BlockContext) -> BlockEnv {
        BlockEnv {
            number: ctx.number,
            coinbase: ctx.coinbase,
            timestamp: ctx.timestamp,
            gas_limit: ctx.gas_limit,
            base_fee: ctx.base_fee,
            difficulty: ctx.difficulty,
            prevrandao: self.spec().prevrandao.then_some(ctx.prevrandao),
            excess_blob_gas: ctx.excess_blob_gas,
            blob_params: self.chain.config().blob_params(self.chain.fork),
            extension: Default::default(),
        }
    }

    /// The next block's values without advancing the clock.
    pub fn peek_template(&self) -> BlockTemplate {
        let parent = self.chain.head().block.header.timestamp;
        let timestamp = self.clock.clone().next_timestamp(parent);
        BlockTemplate {
            timestamp,
            gas_limit: self.gas_limit,
            coinbase: self.coinbase,
            base_fee: self
                .next_base_fee
                .unwrap_or_else(|| self.chain.next_base_fee()),
        }
    }

    /// The tip suggested to clients (`eth_maxPriorityFeePerGas`, and in `eth_gasPrice`):
    /// 1 gwei. (Anvil raises it to the lowest tip of the latest block when its fee-history
    /// cache, filled in the background, already holds that block: a race ember does not copy.)
    pub fn suggested_tip(&self) -> U256 {
        U256::from(SUGGESTED_PRIORITY_FEE)
    }

    /// The largest gas a transaction may ask for.
    pub fn tx_gas_cap(&self) -> u64 {
        let cap = self.spec().tx_gas_limit_cap.unwrap_or(u64::MAX);
        self.gas_limit.min(cap)
    }

    /// The gas price suggested to clients (`eth_gasPrice`): the next base fee plus the tip.
    pub fn gas_price(&self) -> U256 {
        let base = if self.spec().tx_fee_market {
            self.next_base_fee
                .unwrap_or_else(|| self.chain.next_base_fee())
        } else {
            U256::ZERO
        };
        let price = base + self.suggested_tip();
        self.min_gas_price.map_or(price, |min| price.max(min))
    }

    /// The key of a dev account.
    pub fn signer(&self, address: &Address) -> Option<&DevAccount> {
        self.accounts.iter().find(|a| a.address == *address)
    }

    /// The environment of a call request at `block` on `db` (no fee unless one is given; a
    /// given fee must cover the base fee, as in a transaction).
    pub fn call_env(
        &self,
        request: &TxRequest,
        db: &InMemoryDb,
        block: &BlockEnv,
    ) -> Result<TxEnv, RpcError> {
        let spec = self.spec();
        let caller = request.from.unwrap_or_default();
        // Calls and estimates run at the account's nonce whatever the request says, as in
        // anvil (a queued transaction is estimated as if it were next).
        let nonce = self.account_in(db, caller)?.map_or(0, |a| a.nonce);
        let ty = request
            .envelope_type(spec)
            .map_err(RpcError::invalid_params)?;
        let gas_price = request
            .max_fee_per_gas
            .or(request.gas_price)
            .unwrap_or_default();
        Ok(TxEnv {
            tx_type: ty,
            caller,
            gas_limit: request
                .gas
                .map_or(self.tx_gas_cap().min(block.gas_limit), |g| g.0),
            gas_price,
            gas_priority_fee: match ty {
                ember_primitives::TxType::Legacy | ember_primitives::TxType::AccessList => None,
                _ => Some(
                    request
                        .max_priority_fee_per_gas
                        .unwrap_or_default()
                        .min(gas_price),
                ),
            },
            kind: request.to.map_or(TxKind::Create, TxKind::Call),
            value: request.value.unwrap_or_default(),
            data: request.calldata(),
            nonce,
            chain_id: Some(self.chain.chain_id),
            access_list: request.access_list(),
            blob_hashes: request.blob_versioned_hashes.clone().unwrap_or_default(),
            max_fee_per_blob_gas: request.max_fee_per_blob_gas.unwrap_or_default(),
            authorization_list: request.authorizations(),
        })
    }

    /// Mines one block from the pool; `timestamp` pins its time.
    pub fn mine_one(&mut self, timestamp: Option<u64>) -> Result<Arc<MinedBlock>, RpcError> {
        let parent_time = self.chain.head().block.header.timestamp;
        if let Some(t) = timestamp {
            self.clock.next = Some(t);
        }
        let ts = self.clock.next_timestamp(parent_time);
        let base_fee = self
            .next_base_fee
            .take()
            .unwrap_or_else(|| self.chain.next_base_fee());
        let template = BlockTemplate {
            timestamp: ts,
            gas_limit: self.gas_limit,
            coinbase: self.coinbase,
            base_fee,
        };
        let state = self.chain.state().clone();
        let nonce_of = |a: Address| state.accounts.get(&a).map_or(0, |x| x.info.nonce);
        let txs = self.pool.select(nonce_of, base_fee, self.gas_limit);
        for tx in &txs {
            self.pool.remove(&tx.hash);
        }
        let crate::chain::Mined {
            block,
            rejected,
            diff,
        } = self
            .chain
            .mine(&template, txs)
            .map_err(|e| RpcError::internal(format!("mining failed: {e}")))?;
        if let Some(remote) = &self.chain.remote {
            diff.mark_written(remote);
        }
        for (tx, reason) in rejected {
            if !self.config.silent {
                eprintln!("dropped transaction {}: {reason}", tx.hash);
            }
        }
        if let Some(store) = &mut self.store {
            store
                .commit_block(&block, &diff)
                .map_err(|e| RpcError::internal(format!("writing block failed: {e}")))?;
        }
        let state = self.chain.state().clone();
        self.pool
            .prune(|a| state.accounts.get(&a).map_or(0, |x| x.info.nonce));
        self.subscriptions.on_block(&block);
        if !self.config.silent {
            print_block(&block);
        }
        Ok(block)
    }

    /// Applies a cheat code's change to the head state ([`NodeState::persist_accounts`]
    /// writes it to `--data-dir`).
    pub fn modify(&mut self, f: impl FnOnce(&mut InMemoryDb)) {
        self.chain.modify_state(f);
    }

    /// Persists the accounts `touched` as they are now (after a cheat code).
    pub fn persist_accounts(&mut self, touched: &[Address]) -> Result<(), RpcError> {
        let Some(store) = &mut self.store else {
            return Ok(());
        };
        let state = self.chain.state();
        let diff = StateDiff::of_accounts(state, touched);
        store
            .commit_state(&diff)
            .map_err(|e| RpcError::internal(format!("writing state failed: {e}")))
    }

    /// Validates `tx` against the head state and pool rules, adds it to the pool, and mines
    /// it at once under automine. Returns its hash.
    pub fn submit(&mut self, tx: NodeTx) -> Result<B256, RpcError> {
        // The pool reads senders' nonces from the local state.
        self.materialize(tx.sender)?;
        let spec = self.spec();
        let env = tx
            .check(spec, self.chain.chain_id)
            .map_err(anvil_validation_error)?;
        let state_nonce = self.state_nonce(tx.sender);
        if env.nonce < state_nonce {
            return Err(RpcError::new(-32003, "nonce too low"));
        }
        if env.gas_limit > self.gas_limit {
            return Err(RpcError::server(
                "intrinsic gas too high -- tx.gas_limit > env.block.gas_limit",
            ));
        }
        let base_fee = self
            .next_base_fee
            .unwrap_or_else(|| self.chain.next_base_fee());
        if ember_transaction::check_base_fee(spec, &env, base_fee).is_err() {
            return Err(RpcError::new(
                -32003,
                "max fee per gas less than block base fee",
            ));
        }
        if let Some(min) = self.min_gas_price {
            if env.gas_price < min {
                return Err(RpcError::server(format!(
                    "max fee per gas {} below the minimum gas price {min}",
                    env.gas_price
                )));
            }
        }
        let balance = self
            .chain
            .state()
            .accounts
            .get(&tx.sender)
            .map_or(U256::ZERO, |a| a.info.balance);
        if ember_transaction::max_cost(&env).is_none_or(|cost| balance < cost) {
            return Err(RpcError::new(
                -32003,
                "Insufficient funds for gas * price + value",
            ));
        }
        let hash = tx.hash;
        self.pool
            .add(tx)
            .map_err(|e| RpcError::new(-32003, e.to_string()))?;
        self.filters.on_pending(hash);
        self.subscriptions.on_pending(hash);
        if self.mining == MiningMode::Auto {
            self.mine_one(None)?;
        }
        Ok(hash)
    }

    /// Builds, signs (or impersonates) and submits a request from `eth_sendTransaction`.
    pub fn send_request(&mut self, request: TxRequest) -> Result<B256, RpcError> {
        self.send_request_as(request, false)
    }

    /// [`NodeState::send_request`]; with `unsigned` (anvil's `eth_sendUnsignedTransaction`)
    /// the sender is taken as given, never signed for.
    pub fn send_request_as(
        &mut self,
        request: TxRequest,
        unsigned: bool,
    ) -> Result<B256, RpcError> {
        // Without `from`, anvil sends from the first dev account.
        let from = match request
            .from
            .or_else(|| self.accounts.first().map(|a| a.address))
        {
            Some(from) => from,
            None => return Err(RpcError::new(-32602, "No Signer available")),
        };
        let mut request = request;
        request.from = Some(from);
        let key = self
            .signer(&from)
            .map(|a| a.secret_key)
            .filter(|_| !unsigned);
        let impersonated = unsigned || self.auto_impersonate || self.impersonated.contains(&from);
        if key.is_none() && !impersonated {
            return Err(RpcError::new(-32602, "No Signer available"));
        }
        let mut tx = self.fill(&request, from, false)?;
        let node_tx = match key {
            Some(key) => {
                ember_wallet::sign_transaction(&mut tx, &key)
                    .map_err(|e| RpcError::internal(e.to_string()))?;
                NodeTx::signed(tx, from)
            }
            None => NodeTx::impersonated(tx, from),
        };
        self.submit(node_tx)
    }

    /// The unsigned transaction a request from `from` becomes, its gaps filled as anvil fills
    /// them (`eth_fillTransaction`, and before signing in `eth_sendTransaction`): the pending
    /// nonce, the estimated gas, the suggested fees.
    /// A failing estimate is the error with `strict` (`eth_fillTransaction`), else (as
    /// anvil's `eth_sendTransaction`) the whole allowance, so the transaction fails on chain
    /// where its receipt shows why.
    pub fn fill(
        &self,
        request: &TxRequest,
        from: Address,
        strict: bool,
    ) -> Result<Transaction, RpcError> {
        let mut request = request.clone();
        request.from = Some(from);
        let gas = match request.gas {
            Some(g) => g.0,
            None => match self.estimate_request(&request) {
                Ok(gas) => gas,
                Err(e) if strict => return Err(e),
                Err(_) => self.tx_gas_cap(),
            },
        };
        let defaults = TxDefaults {
            nonce: self.pending_nonce(from),
            gas,
            gas_price: self.gas_price(),
            priority_fee: self.suggested_tip(),
            blob_fee: U256::from(1u64),
            chain_id: self.chain.chain_id,
        };
        request
            .build(self.spec(), &defaults)
            .map_err(RpcError::invalid_params)
    }

    /// `eth_estimateGas` of a request at the pending state.
    pub fn estimate_request(&self, request: &TxRequest) -> Result<u64, RpcError> {
        let state = self.chain.state().clone();
        let block = self.call_block_env(Some(BlockId::Pending))?;
        let env = self.call_env(request, &state, &block)?;
        let cap = request.gas.map_or(self.tx_gas_cap(), |g| g.0);
        crate::exec::estimate_gas(
            &CallDb::new(state, self.chain.remote.clone()),
            self.chain.fork,
            self.chain.chain_id,
            &block,
            &env,
            cap,
        )
    }
}

/// Anvil's words for a transaction that fails the checks before the pool.
fn anvil_validation_error(e: InvalidTransaction) -> RpcError {
    match e {
        InvalidTransaction::IntrinsicGasTooLow { .. } => RpcError::server("intrinsic gas too low"),
        InvalidTransaction::InvalidChainId { .. } => {
            RpcError::new(-32003, "invalid chain id for signer")
        }
        e if e.is_signature_error() => RpcError::new(-32003, "invalid signature"),
        e => RpcError::new(-32003, e.to_string()),
    }
}

fn print_block(block: &MinedBlock) {
    for (tx, outcome) in block.txs.iter().zip(&block.outcomes) {
        println!();
        println!("    Transaction: {}", tx.hash);
        if let Some(address) = outcome.contract_address {
            println!("    Contract created: {address}");
        }
        println!("    Gas used: {}", outcome.gas_used);
    }
    if !block.txs.is_empty() {
        println!();
    }
    println!(
        "    Block Number: {}\n    Block Hash: {}\n    Block Time: \"{}\"\n",
        block.number(),
        block.hash,
        block.block.header.timestamp
    );
}

/// Saves the chain for `evm_revert`; returns the id.
pub fn take_snapshot(s: &mut NodeState) -> Result<u64, RpcError> {
    let id = s.next_snapshot;
    s.next_snapshot += 1;
    let snap = Snapshot {
        head: s.chain.head_number(),
        state: s.chain.state().clone(),
        clock: s.clock.clone(),
    };
    if let Some(store) = &mut s.store {
        store
            .save_snapshot(id, snap.head, &snap.state)
            .map_err(|e| RpcError::internal(format!("writing the snapshot failed: {e}")))?;
    }
    s.snapshots.insert(id, snap);
    Ok(id)
}

/// Restores snapshot `id` and drops it and every later one; false when there is none.
pub fn revert_snapshot(s: &mut NodeState, id: u64) -> Result<bool, RpcError> {
    if s.dropped_snapshots.contains(&id) {
        return Err(RpcError::new(-32001, "Resource not found"));
    }
    let Some(snap) = s.snapshots.remove(&id) else {
        return Ok(false);
    };
    let later = s.snapshots.split_off(&id);
    s.dropped_snapshots.extend(later.into_keys());
    s.chain.rewind(snap.head, snap.state);
    s.clock = snap.clock;
    if let Some(store) = &mut s.store {
        let whole = StateDiff::whole(s.chain.state());
        store
            .rewind(snap.head, &whole)
            .and_then(|()| store.drop_snapshots_from(id))
            .map_err(|e| RpcError::internal(format!("writing state failed: {e}")))?;
    }
    Ok(true)
}
