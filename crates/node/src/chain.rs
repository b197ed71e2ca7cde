//! [`DevChain`]: the dev chain's blocks, head state and recent history, and how a block is
//! mined from the pool.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use ember_blockchain::consensus::{calc_base_fee, calc_excess_blob_gas};
use ember_blockchain::header::EMPTY_OMMERS_HASH;
use ember_blockchain::{
    execute_block, Block, BlockContext, BlockDatabase, BlockError, ChainConfig, ExecuteOptions,
    ExecutionMode, Header, InvalidTxPolicy, TxOutcome,
};
use ember_evm::{
    AccountChange, AccountInfo, Bytecode, Database, DatabaseCommit, InMemoryDb, StateChanges,
};
use ember_primitives::{keccak256, Address, Bytes, Fork, Spec, B256, U256};

use crate::fork_mode::{ForkError, ForkedChain};
use crate::storage_trie::StorageTrie;
use crate::tx::NodeTx;

/// How many past blocks' states are kept for queries at a block number.
pub const STATE_HISTORY: usize = 256;

/// A mined block with what the RPC reports about it.
#[derive(Clone, Debug)]
pub struct MinedBlock {
    /// The block (header, transactions, withdrawals).
    pub block: Block,
    /// Its hash.
    pub hash: B256,
    /// Its transactions with senders and hashes, in order.
    pub txs: Vec<NodeTx>,
    /// The outcome of each transaction, in order.
    pub outcomes: Vec<TxOutcome>,
}

impl MinedBlock {
    /// Its number.
    pub fn number(&self) -> u64 {
        self.block.header.number
    }

    /// The index, within the block, of transaction `tx`'s first log.
    pub fn first_log_index(&self, tx: usize) -> usize {
        self.outcomes[..tx]
            .iter()
            .map(|o| o.receipt.logs.len())
            .sum()
    }
}

/// One account as a [`StateDiff`] records it after a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountDiff {
    /// Balance.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Code.
    pub code: Bytes,
    /// All storage was dropped before `storage` was applied.
    pub storage_cleared: bool,
    /// Changed slots (zero deletes).
    pub storage: Vec<(U256, U256)>,
}

/// What a block or a cheat code changed: every touched account with its new fields
/// (`None`: deleted). A durable store applies these to its copy of the state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateDiff {
    /// Changed accounts.
    pub accounts: Vec<(Address, Option<AccountDiff>)>,
}

impl StateDiff {
    /// Marks what this diff wrote as local on the forked chain (`--fork-url`): those
    /// accounts and slots are never read from the remote again.
    pub fn mark_written(&self, remote: &ForkedChain) {
        let mut accounts = Vec::with_capacity(self.accounts.len());
        let mut cleared = Vec::new();
        let mut slots = Vec::new();
        for (address, account) in &self.accounts {
            accounts.push(*address);
            match account {
                None => cleared.push(*address),
                Some(a) => {
                    if a.storage_cleared {
                        cleared.push(*address);
                    }
                    slots.extend(a.storage.iter().map(|(k, _)| (*address, *k)));
                }
            }
        }
        remote.record(&accounts, &cleared, &slots);
    }

    /// The diff of the accounts in `touched` as they are in `db` now, with the slots in
    /// `slots` (and a clear where `cleared`).
    fn collect(db: &InMemoryDb, tracker: &ChangeTracker) -> StateDiff {
        let accounts = tracker
            .accounts
            .iter()
            .map(|address| {
                let diff = db.accounts.get(address).map(|acc| AccountDiff {
                    balance: acc.info.balance,
                    nonce: acc.info.nonce,
                    code: acc
                        .info
                        .code
                        .as_ref()
                        .map(|c| c.original().clone())
                        .unwrap_or_default(),
                    storage_cleared: tracker.cleared.contains(address),
                    storage: tracker
                        .slots
                        .range((*address, U256::ZERO)..=(*address, U256::MAX))
                        .map(|(_, key)| (*key, acc.storage.get(key).copied().unwrap_or_default()))
                        .collect(),
                });
                (*address, diff)
            })
            .collect();
        StateDiff { accounts }
    }

    /// The diff of `addresses` as they are in `db` with all their storage (cheat codes).
    pub fn of_accounts(db: &InMemoryDb, addresses: &[Address]) -> StateDiff {
        let mut tracker = ChangeTracker::default();
        for address in addresses {
            tracker.accounts.insert(*address);
            tracker.cleared.insert(*address);
            if let Some(acc) = db.accounts.get(address) {
                tracker
                    .slots
                    .extend(acc.storage.keys().map(|k| (*address, *k)));
            }
        }
        StateDiff::collect(db, &tracker)
    }

    /// The diff that recreates every account of `db`.
    pub fn whole(db: &InMemoryDb) -> StateDiff {
        let mut tracker = ChangeTracker::default();
        for (address, acc) in &db.accounts {
            tracker.accounts.insert(*address);
            tracker.cleared.insert(*address);
            tracker
                .slots
                .extend(acc.storage.keys().map(|k| (*address, *k)));
        }
        StateDiff::collect(db, &tracker)
    }

    /// Applies the diff to `db`.
    pub fn apply(&self, db: &mut InMemoryDb) {
        for (address, diff) in &self.accounts {
            let Some(diff) = diff else {
                db.accounts.remove(address);
                continue;
            };
            let account = db.accounts.entry(*address).or_default();
            account.info =
                crate::genesis::account_info(diff.balance, diff.nonce, diff.code.clone());
            if diff.storage_cleared {
                account.storage.clear();
            }
            for (key, value) in &diff.storage {
                if value.is_zero() {
                    account.storage.remove(key);
                } else {
                    account.storage.insert(*key, *value);
                }
            }
        }
    }
}

/// The addresses and slots a block touched.
#[derive(Debug, Default)]
struct ChangeTracker {
    accounts: BTreeSet<Address>,
    cleared: BTreeSet<Address>,
    slots: BTreeSet<(Address, U256)>,
}

impl ChangeTracker {
    fn record(&mut self, changes: &StateChanges) {
        for (address, change) in changes {
            self.accounts.insert(*address);
            match change {
                AccountChange::Deleted => {
                    self.cleared.insert(*address);
                }
                AccountChange::Updated {
                    storage,
                    storage_cleared,
                    ..
                } => {
                    if *storage_cleared {
                        self.cleared.insert(*address);
                    }
                    self.slots
                        .extend(storage.iter().map(|(key, _)| (*address, *key)));
                }
            }
        }
    }
}

/// The head state during a block (over the forked chain in fork mode), recording what
/// changes.
struct TrackedDb {
    db: InMemoryDb,
    tracker: ChangeTracker,
    remote: Option<Arc<ForkedChain>>,
    /// Storage tries of accounts as they were before the block (see [`DevChain`]).
    storage_tries: StorageTries,
}

impl Database for TrackedDb {
    type Error = ForkError;
    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Self::Error> {
        match &self.remote {
            Some(remote) => remote.account(&self.db, address),
            None => Ok(self.db.accounts.get(&address).map(|a| a.info.clone())),
        }
    }
    fn code_by_hash(&mut self, hash: B256) -> Result<Bytecode, Self::Error> {
        match &self.remote {
            Some(remote) => Ok(remote.code(&self.db, hash)),
            None => Ok(self.db.code_by_hash(hash).unwrap_or_else(|e| match e {})),
        }
    }
    fn storage(&mut self, address: Address, key: U256) -> Result<U256, Self::Error> {
        match &self.remote {
            Some(remote) => remote.slot(&self.db, address, key),
            None => Ok(self.db.storage(address, key).unwrap_or_else(|e| match e {})),
        }
    }
    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error> {
        if let Some(hash) = self.db.block_hashes.get(&number) {
            return Ok(*hash);
        }
        match &self.remote {
            Some(remote) => remote.remote_block_hash(number),
            None => Ok(B256::ZERO),
        }
    }
    fn has_storage(&mut self, address: Address) -> Result<bool, Self::Error> {
        Ok(self.db.has_storage(address).unwrap_or_else(|e| match e {}))
    }
}

impl DatabaseCommit for TrackedDb {
    fn commit(&mut self, changes: &StateChanges) {
        self.tracker.record(changes);
        self.db.commit(changes);
    }
}

impl BlockDatabase for TrackedDb {
    /// The state root, updating the kept storage tries with the slots the block wrote.
    fn state_root(&mut self) -> B256 {
        let tries = &mut self.storage_tries;
        let accounts = &self.db.accounts;
        let tracker = &self.tracker;
        for address in &tracker.accounts {
            let Some(account) = accounts.get(address) else {
                tries.remove(address);
                continue;
            };
            match tries.get_mut(address) {
                Some(trie) if !tracker.cleared.contains(address) => {
                    for (_, slot) in tracker
                        .slots
                        .range((*address, U256::ZERO)..=(*address, U256::MAX))
                    {
                        trie.set(
                            *slot,
                            account.storage.get(slot).copied().unwrap_or_default(),
                        );
                    }
                }
                _ => {
                    tries.insert(*address, StorageTrie::from_storage(&account.storage));
                }
            }
        }
        for (address, account) in accounts {
            tries
                .entry(*address)
                .or_insert_with(|| StorageTrie::from_storage(&account.storage));
        }
        tries.retain(|address, _| accounts.contains_key(address));
        let roots: HashMap<Address, B256> = tries
            .iter_mut()
            .map(|(address, trie)| (*address, trie.root()))
            .collect();
        ember_evm::state::state_root_with_storage_roots(
            accounts
                .iter()
                .map(|(address, account)| (*address, &account.info, roots[address])),
        )
    }
}

/// Storage tries by account, for the head state: kept across blocks so a block rehashes
/// only the paths of the slots it wrote (system contracts' ring buffers grow by a slot or two
/// a block, to thousands).
type StorageTries = HashMap<Address, StorageTrie>;

/// The chain: blocks from genesis, the head state, and recent states.
#[derive(Debug, Clone)]
pub struct DevChain {
    /// The fork every block runs.
    pub fork: Fork,
    /// The chain id.
    pub chain_id: u64,
    /// The forked chain under the local state (`--fork-url`).
    pub remote: Option<Arc<ForkedChain>>,
    /// The number of the first block held (the genesis, or the fork block).
    first: u64,
    config: ChainConfig,
    blocks: Vec<Arc<MinedBlock>>,
    by_hash: HashMap<B256, u64>,
    tx_index: HashMap<B256, (u64, usize)>,
    state: Arc<InMemoryDb>,
    history: VecDeque<(u64, Arc<InMemoryDb>)>,
    /// Storage tries of the head state's accounts (empty: built at the next block).
    storage_tries: StorageTries,
}

/// What mining a block produced.
#[derive(Debug)]
pub struct Mined {
    /// The new head.
    pub block: Arc<MinedBlock>,
    /// Transactions left out, with the reason.
    pub rejected: Vec<(NodeTx, String)>,
    /// What the block changed in the state.
    pub diff: StateDiff,
}

/// What to mine next.
#[derive(Clone, Debug)]
pub struct BlockTemplate {
    /// Timestamp.
    pub timestamp: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Beneficiary.
    pub coinbase: Address,
    /// Base fee (ignored before London).
    pub base_fee: U256,
}

impl DevChain {
    /// A chain whose genesis holds `state`, with the genesis header's values from
    /// `template`.
    pub fn new(fork: Fork, chain_id: u64, state: InMemoryDb, template: &BlockTemplate) -> Self {
        DevChain::new_at(fork, chain_id, state, template, 0, None)
    }

    /// A chain whose first block is number `number` (the fork block in fork mode), over
    /// `remote`.
    pub fn new_at(
        fork: Fork,
        chain_id: u64,
        mut state: InMemoryDb,
        template: &BlockTemplate,
        number: u64,
        remote: Option<Arc<ForkedChain>>,
    ) -> Self {
        let spec = Spec::of(fork);
        let header = Header {
            ommers_hash: EMPTY_OMMERS_HASH,
            beneficiary: template.coinbase,
            state_root: state.state_root(),
            transactions_root: ember_primitives::EMPTY_ROOT,
            receipts_root: ember_primitives::EMPTY_ROOT,
            gas_limit: template.gas_limit,
            timestamp: template.timestamp,
            base_fee_per_gas: spec.tx_fee_market.then_some(template.base_fee),
            withdrawals_root: spec.withdrawals.then_some(ember_primitives::EMPTY_ROOT),
            blob_gas_used: spec.blobs.map(|_| 0),
            excess_blob_gas: spec.blobs.map(|_| 0),
            parent_beacon_block_root: spec.beacon_roots_call.then_some(B256::ZERO),
            requests_hash: spec
                .execution_requests
                .then_some(ember_blockchain::header::EMPTY_REQUESTS_HASH),
            number,
            ..Header::default()
        };
        let block = Block {
            header,
            transactions: Vec::new(),
            ommers: Vec::new(),
            withdrawals: spec.withdrawals.then(Vec::new),
        };
        let hash = block.hash();
        state.block_hashes.insert(number, hash);
        let genesis = MinedBlock {
            block,
            hash,
            txs: Vec::new(),
            outcomes: Vec::new(),
        };
        let mut chain = DevChain::from_blocks(fork, chain_id, vec![genesis], state);
        chain.remote = remote;
        chain
    }

    /// A chain from its blocks (genesis first) and the state after the last.
    pub fn from_blocks(
        fork: Fork,
        chain_id: u64,
        blocks: Vec<MinedBlock>,
        state: InMemoryDb,
    ) -> Self {
        let first = blocks.first().map_or(0, MinedBlock::number);
        let mut chain = DevChain {
            fork,
            chain_id,
            remote: None,
            first,
            config: ChainConfig::single(fork, chain_id),
            blocks: Vec::with_capacity(blocks.len()),
            by_hash: HashMap::new(),
            tx_index: HashMap::new(),
            state: Arc::new(state),
            history: VecDeque::new(),
            storage_tries: StorageTries::new(),
        };
        for block in blocks {
            chain.index(Arc::new(block));
        }
        chain
    }

    /// A chain loaded from a genesis file and imported blocks (genesis first), under
    /// `config`'s fork schedule: `history` holds the states after the blocks before the head
    /// (by number), `state` the head's. The next block runs the fork in force after the head.
    pub fn from_imported(
        config: ChainConfig,
        blocks: Vec<MinedBlock>,
        history: Vec<(u64, Arc<InMemoryDb>)>,
        state: InMemoryDb,
    ) -> Self {
        let head = blocks
            .last()
            .map(|b| b.block.header.clone())
            .unwrap_or_default();
        let fork = config.fork_at(head.number + 1, head.timestamp + 1);
        let mut chain = DevChain::from_blocks(fork, config.chain_id, blocks, state);
        chain.config = config;
        chain.history = history.into();
        chain
    }

    /// The fork of block `number` with `timestamp` under the chain's schedule (the one fork
    /// of a dev chain).
    pub fn fork_at(&self, number: u64, timestamp: u64) -> Fork {
        self.config.fork_at(number, timestamp)
    }

    fn index(&mut self, block: Arc<MinedBlock>) {
        let number = block.number();
        self.by_hash.insert(block.hash, number);
        for (i, tx) in block.txs.iter().enumerate() {
            self.tx_index.insert(tx.hash, (number, i));
        }
        self.blocks.push(block);
    }

    /// The fork's rules.
    pub fn spec(&self) -> &'static Spec {
        Spec::of(self.fork)
    }

    /// The newest block.
    pub fn head(&self) -> &Arc<MinedBlock> {
        self.blocks.last().expect("a chain has its genesis")
    }

    /// The number of the first block held: 0, or the fork block in fork mode.
    pub fn first_number(&self) -> u64 {
        self.first
    }

    /// The newest block's number.
    pub fn head_number(&self) -> u64 {
        self.head().number()
    }

    /// Block `number`.
    pub fn block(&self, number: u64) -> Option<&Arc<MinedBlock>> {
        self.blocks
            .get(usize::try_from(number.checked_sub(self.first)?).ok()?)
    }

    /// The block with `hash`.
    pub fn block_by_hash(&self, hash: &B256) -> Option<&Arc<MinedBlock>> {
        self.by_hash.get(hash).and_then(|n| self.block(*n))
    }

    /// Where transaction `hash` was mined: its block and index.
    pub fn find_tx(&self, hash: &B256) -> Option<(&Arc<MinedBlock>, usize)> {
        let (number, index) = self.tx_index.get(hash)?;
        Some((self.block(*number)?, *index))
    }

    /// Every block, genesis first.
    pub fn blocks(&self) -> &[Arc<MinedBlock>] {
        &self.blocks
    }

    /// The state at the head ("latest"), cheat-code changes included.
    pub fn state(&self) -> &Arc<InMemoryDb> {
        &self.state
    }

    /// The state after block `number`, while it is kept.
    pub fn state_at(&self, number: u64) -> Option<Arc<InMemoryDb>> {
        if number == self.head_number() {
            return Some(self.state.clone());
        }
        self.history
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, s)| s.clone())
    }

    /// Changes the head state outside a block (cheat codes); returns what changed.
    pub fn modify_state(&mut self, f: impl FnOnce(&mut InMemoryDb)) {
        // A cheat code may change any account's storage: recompute roots at the next block.
        self.storage_tries.clear();
        f(Arc::make_mut(&mut self.state));
    }

    /// The base fee the next block has by EIP-1559.
    pub fn next_base_fee(&self) -> U256 {
        let parent = &self.head().block.header;
        match parent.base_fee_per_gas {
            // As anvil: the first block keeps the configured base fee of the genesis.
            Some(fee) if parent.number == 0 => fee,
            Some(fee) if self.spec().tx_fee_market => {
                calc_base_fee(parent.gas_limit, parent.gas_used, fee)
            }
            _ => U256::ZERO,
        }
    }

    /// The blob base fee's excess gas for the next block.
    pub fn next_excess_blob_gas(&self) -> Option<u64> {
        let params = self.config.blob_params(self.fork)?;
        Some(calc_excess_blob_gas(
            self.fork,
            params,
            &self.head().block.header,
        ))
    }

    /// The block environment values of the next block.
    pub fn next_context(&self, template: &BlockTemplate) -> BlockContext {
        let parent = self.head();
        let number = parent.number() + 1;
        BlockContext {
            fork: self.fork,
            number,
            timestamp: template.timestamp,
            gas_limit: template.gas_limit,
            coinbase: template.coinbase,
            base_fee: if self.spec().tx_fee_market {
                template.base_fee
            } else {
                U256::ZERO
            },
            difficulty: U256::ZERO,
            prevrandao: keccak256(number.to_be_bytes()),
            excess_blob_gas: self.next_excess_blob_gas(),
            parent_hash: Some(parent.hash),
            parent_beacon_block_root: self.spec().beacon_roots_call.then_some(B256::ZERO),
        }
    }

    /// The chain configuration blocks execute under.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// Mines a block with `txs` (in this order) on the head. Invalid transactions are left
    /// out and returned with the reason; the new block becomes the head.
    pub fn mine(
        &mut self,
        template: &BlockTemplate,
        txs: Vec<NodeTx>,
    ) -> Result<Mined, BlockError> {
        // A loaded chain's schedule may start a fork at this block.
        self.fork = self
            .config
            .fork_at(self.head_number() + 1, template.timestamp);
        let ctx = self.next_context(template);
        let withdrawals = self.spec().withdrawals.then(Vec::new);
        self.mine_with(ctx, txs, withdrawals, Bytes::new())
    }

    /// Mines a block with the environment `ctx` (its fork, number, time, fee recipient,
    /// PREVRANDAO, beacon root), `txs` in this order (invalid ones left out and returned),
    /// `withdrawals` and `extra_data` on the head; the new block becomes the head
    /// (`testing_buildBlockV1` runs it on a copy of the chain).
    pub fn mine_with(
        &mut self,
        ctx: BlockContext,
        txs: Vec<NodeTx>,
        withdrawals: Option<Vec<ember_blockchain::Withdrawal>>,
        extra_data: Bytes,
    ) -> Result<Mined, BlockError> {
        self.fork = ctx.fork;
        let options = ExecuteOptions {
            mode: ExecutionMode::Block,
            on_invalid_tx: InvalidTxPolicy::Skip,
            reward: None,
            ommers: Vec::new(),
            precompile_cache: None,
            allow_sender_with_code: true,
        };
        let db = TrackedDb {
            db: InMemoryDb::clone(&self.state),
            tracker: ChangeTracker::default(),
            remote: self.remote.clone(),
            storage_tries: std::mem::take(&mut self.storage_tries),
        };
        let (execution, mut db) = execute_block(
            db,
            &self.config,
            &ctx,
            &txs,
            withdrawals.as_deref(),
            &options,
        )?;
        let rejected_at: HashMap<usize, String> = execution.rejected.iter().cloned().collect();
        let mut included = Vec::with_capacity(execution.transactions.len());
        let mut rejected = Vec::new();
        for (index, tx) in txs.into_iter().enumerate() {
            match rejected_at.get(&index) {
                Some(reason) => rejected.push((tx, reason.clone())),
                None => included.push(tx),
            }
        }
        let header = Header {
            parent_hash: self.head().hash,
            ommers_hash: EMPTY_OMMERS_HASH,
            beneficiary: ctx.coinbase,
            state_root: execution.state_root,
            transactions_root: execution.transactions_root,
            receipts_root: execution.receipts_root,
            logs_bloom: execution.logs_bloom,
            difficulty: U256::ZERO,
            number: ctx.number,
            gas_limit: ctx.gas_limit,
            gas_used: execution.gas_used,
            timestamp: ctx.timestamp,
            extra_data,
            mix_hash: ctx.prevrandao,
            nonce: Default::default(),
            base_fee_per_gas: self.spec().tx_fee_market.then_some(ctx.base_fee),
            withdrawals_root: execution.withdrawals_root,
            blob_gas_used: self.spec().blobs.map(|_| execution.blob_gas_used),
            excess_blob_gas: ctx.excess_blob_gas,
            parent_beacon_block_root: ctx.parent_beacon_block_root,
            requests_hash: execution.requests_hash,
        };
        let block = Block {
            header,
            transactions: included.iter().map(|t| t.tx.clone()).collect(),
            ommers: Vec::new(),
            withdrawals,
        };
        let hash = block.hash();
        db.db.block_hashes.insert(ctx.number, hash);
        // BLOCKHASH reaches 256 blocks back; older hashes live in the history contract
        // (EIP-2935) and the blocks themselves.
        db.db
            .block_hashes
            .retain(|n, _| n.saturating_add(256) >= ctx.number);
        self.storage_tries = std::mem::take(&mut db.storage_tries);
        let diff = StateDiff::collect(&db.db, &db.tracker);
        let mined = Arc::new(MinedBlock {
            block,
            hash,
            txs: included,
            outcomes: execution.transactions,
        });
        let old = std::mem::replace(&mut self.state, Arc::new(db.db));
        self.history.push_back((ctx.number - 1, old));
        if self.history.len() > STATE_HISTORY {
            self.history.pop_front();
        }
        self.index(mined.clone());
        Ok(Mined {
            block: mined,
            rejected,
            diff,
        })
    }

    /// Drops every block after `number` and restores `state` as the head state
    /// (`evm_revert`, `anvil_reset` to a snapshot).
    pub fn rewind(&mut self, number: u64, state: Arc<InMemoryDb>) {
        while self.head_number() > number {
            let block = self.blocks.pop().expect("above genesis");
            self.by_hash.remove(&block.hash);
            for tx in &block.txs {
                self.tx_index.remove(&tx.hash);
            }
        }
        self.history.retain(|(n, _)| *n < number);
        self.state = state;
        self.storage_tries.clear();
    }
}
