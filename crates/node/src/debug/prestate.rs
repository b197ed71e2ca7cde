//! `prestateTracer`: a database that records what a transaction read (the accounts and
//! slots as they were before it) and the changes it committed, and the tracer's two output
//! forms built from them as anvil (revm-inspectors) builds them.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use ember_blockchain::BlockDatabase;
use ember_evm::{
    AccountChange, AccountInfo, Address, Bytecode, Bytes, Database, DatabaseCommit, Fork,
    InMemoryDb, StateChanges, B256, U256,
};
use serde_json::{json, Map, Value};

use crate::fork_mode::{ForkError, ForkedChain};

/// What the transaction under trace read and changed.
#[derive(Debug, Default)]
pub struct Recording {
    /// Recording is on (only while the traced transaction runs).
    pub on: bool,
    /// Accounts as first read.
    pub accounts: BTreeMap<Address, Option<AccountInfo>>,
    /// Slots as first read.
    pub slots: BTreeMap<Address, BTreeMap<U256, U256>>,
    /// What it committed.
    pub changes: Option<StateChanges>,
}

/// A recording shared between the database and the hooks that switch it on.
pub type SharedRecording = Rc<RefCell<Recording>>;

/// A database that records first reads while its recording is on.
#[derive(Debug)]
pub struct RecordingDb<D> {
    /// The state.
    pub inner: D,
    /// What was read.
    pub rec: SharedRecording,
    /// The fork (state roots are computed only where receipts need them).
    pub fork: Fork,
}

impl<D: Database> Database for RecordingDb<D> {
    type Error = D::Error;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Self::Error> {
        let info = self.inner.basic(address)?;
        let mut rec = self.rec.borrow_mut();
        if rec.on {
            rec.accounts.entry(address).or_insert_with(|| info.clone());
        }
        Ok(info)
    }

    fn code_by_hash(&mut self, hash: B256) -> Result<Bytecode, Self::Error> {
        self.inner.code_by_hash(hash)
    }

    fn storage(&mut self, address: Address, key: U256) -> Result<U256, Self::Error> {
        let value = self.inner.storage(address, key)?;
        let mut rec = self.rec.borrow_mut();
        if rec.on {
            rec.slots
                .entry(address)
                .or_default()
                .entry(key)
                .or_insert(value);
        }
        Ok(value)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error> {
        self.inner.block_hash(number)
    }

    fn has_storage(&mut self, address: Address) -> Result<bool, Self::Error> {
        self.inner.has_storage(address)
    }
}

impl<D: DatabaseCommit> DatabaseCommit for RecordingDb<D> {
    fn commit(&mut self, changes: &StateChanges) {
        {
            let mut rec = self.rec.borrow_mut();
            if rec.on {
                rec.changes = Some(changes.clone());
            }
        }
        self.inner.commit(changes);
    }
}

impl BlockDatabase for RecordingDb<ChainDb> {
    fn state_root(&mut self) -> B256 {
        // Receipts carry a state root only before EIP-658 (Byzantium) gave them a status; the
        // block's root is not needed.
        if !ember_evm::Spec::of(self.fork).receipt_status {
            self.inner.db.state_root()
        } else {
            B256::ZERO
        }
    }
}

/// A past state of the chain to run a block on: local, over the forked chain in fork mode.
///
/// What the local state lacks is read from the fork block. (The fork's record of what local
/// blocks wrote covers all blocks, later ones too, so it cannot tell what a past block saw:
/// a slot zeroed or an account deleted by an earlier local block reads as on the fork.)
#[derive(Debug)]
pub struct ChainDb {
    /// The local state.
    pub db: InMemoryDb,
    /// The forked chain (`--fork-url`).
    pub remote: Option<Arc<ForkedChain>>,
}

impl Database for ChainDb {
    type Error = ForkError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, ForkError> {
        if let Some(account) = self.db.accounts.get(&address) {
            return Ok(Some(account.info.clone()));
        }
        match &self.remote {
            Some(remote) => remote.remote_account(address),
            None => Ok(None),
        }
    }

    fn code_by_hash(&mut self, hash: B256) -> Result<Bytecode, ForkError> {
        match &self.remote {
            Some(remote) => Ok(remote.code(&self.db, hash)),
            None => Ok(self.db.code_by_hash(hash).unwrap_or_else(|e| match e {})),
        }
    }

    fn storage(&mut self, address: Address, key: U256) -> Result<U256, ForkError> {
        let local = self
            .db
            .accounts
            .get(&address)
            .and_then(|a| a.storage.get(&key));
        match (local, &self.remote) {
            (Some(value), _) => Ok(*value),
            (None, Some(remote)) => remote.remote_slot(address, key),
            (None, None) => Ok(U256::ZERO),
        }
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, ForkError> {
        if let Some(hash) = self.db.block_hashes.get(&number) {
            return Ok(*hash);
        }
        match &self.remote {
            Some(remote) => remote.remote_block_hash(number),
            None => Ok(B256::ZERO),
        }
    }

    fn has_storage(&mut self, address: Address) -> Result<bool, ForkError> {
        Ok(self.db.has_storage(address).unwrap_or_else(|e| match e {}))
    }
}

impl DatabaseCommit for ChainDb {
    fn commit(&mut self, changes: &StateChanges) {
        self.db.commit(changes);
    }
}

/// The tracer's options (`tracerConfig`).
#[derive(Clone, Copy, Debug, Default)]
pub struct PrestateConfig {
    /// `diffMode`.
    pub diff: bool,
    /// Not `disableCode`.
    pub code: bool,
    /// Not `disableStorage`.
    pub storage: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct AccountState {
    balance: Option<U256>,
    code: Option<Bytes>,
    nonce: Option<u64>,
    storage: BTreeMap<U256, U256>,
}

impl AccountState {
    fn new(info: &AccountInfo, code: bool) -> AccountState {
        AccountState {
            balance: Some(info.balance),
            code: code
                .then(|| info.code.as_ref().map(|c| c.original().clone()))
                .flatten()
                .filter(|c| !c.is_empty()),
            nonce: (info.nonce != 0).then_some(info.nonce),
            storage: BTreeMap::new(),
        }
    }

    fn to_json(&self) -> Value {
        let mut map = Map::new();
        if let Some(balance) = self.balance {
            map.insert("balance".into(), json!(format!("{balance:#x}")));
        }
        if let Some(code) = &self.code {
            map.insert("code".into(), json!(code));
        }
        if let Some(nonce) = self.nonce {
            map.insert("nonce".into(), json!(nonce));
        }
        if !self.storage.is_empty() {
            let slots: Map<String, Value> = self
                .storage
                .iter()
                .map(|(k, v)| (word(*k), json!(word(*v))))
                .collect();
            map.insert("storage".into(), Value::Object(slots));
        }
        Value::Object(map)
    }
}

fn word(v: U256) -> String {
    format!("{:#x}", B256::from(v))
}

fn accounts_json(accounts: &BTreeMap<Address, AccountState>) -> Value {
    Value::Object(
        accounts
            .iter()
            .map(|(a, s)| (format!("{a:#x}"), s.to_json()))
            .collect(),
    )
}

/// The `prestateTracer` result of a transaction whose reads are in `rec` and whose changes
/// are `changes`. Of the slots read, the default mode lists those SLOAD or SSTORE touched
/// (`touched`): not the access list's, which Ember loads up front and revm lazily.
pub fn render(
    rec: &Recording,
    changes: &StateChanges,
    touched: &HashSet<(Address, U256)>,
    config: PrestateConfig,
) -> Value {
    let empty = AccountInfo::default();
    if !config.diff {
        let mut out = BTreeMap::new();
        for (address, info) in &rec.accounts {
            let mut state = AccountState::new(info.as_ref().unwrap_or(&empty), config.code);
            if config.storage {
                if let Some(slots) = rec.slots.get(address) {
                    state.storage = slots
                        .iter()
                        .filter(|(key, _)| touched.contains(&(*address, **key)))
                        .map(|(key, value)| (*key, *value))
                        .collect();
                }
            }
            out.insert(*address, state);
        }
        return accounts_json(&out);
    }
    let mut pre = BTreeMap::new();
    let mut post = BTreeMap::new();
    let mut created = Vec::new();
    let mut destroyed = Vec::new();
    for (address, info) in &rec.accounts {
        let before = info.clone().unwrap_or_default();
        let mut pre_state = AccountState::new(&before, config.code);
        let (after, storage, was_created) = match changes.get(address) {
            // An empty account removed by EIP-161 is unchanged, not destroyed.
            Some(AccountChange::Deleted) if before.is_empty() => (before.clone(), &[][..], false),
            Some(AccountChange::Deleted) => {
                destroyed.push(*address);
                pre.insert(*address, pre_state);
                continue;
            }
            Some(AccountChange::Updated {
                info,
                storage,
                storage_cleared,
            }) => (info.clone(), storage.as_slice(), *storage_cleared),
            None => (before.clone(), &[][..], false),
        };
        let mut post_state = AccountState::new(&after, config.code);
        if config.code && after.code_hash == before.code_hash {
            post_state.code = pre_state.code.clone();
        }
        if config.storage {
            let read = rec.slots.get(address);
            for (key, value) in storage {
                let original = read.and_then(|s| s.get(key)).copied().unwrap_or_default();
                if *value != original {
                    pre_state.storage.insert(*key, original);
                    post_state.storage.insert(*key, *value);
                }
            }
        }
        if was_created && before.is_empty() {
            created.push(*address);
        }
        pre.insert(*address, pre_state);
        post.insert(*address, post_state);
    }
    // Only what changed: drop accounts equal before and after, then zero slots.
    pre.retain(|address, state| {
        if post.get(address) == Some(state) {
            post.remove(address);
            return false;
        }
        true
    });
    for state in pre.values_mut().chain(post.values_mut()) {
        state.storage.retain(|_, v| !v.is_zero());
    }
    post.retain(|address, state| {
        if destroyed.contains(address) {
            return false;
        }
        if let Some(before) = pre.get(address) {
            if state.balance == before.balance {
                state.balance = None;
            }
            if state.nonce == before.nonce {
                state.nonce = None;
            }
            if state.code == before.code {
                state.code = None;
            }
        }
        true
    });
    pre.retain(|address, _| !created.contains(address));
    json!({ "post": accounts_json(&post), "pre": accounts_json(&pre) })
}
