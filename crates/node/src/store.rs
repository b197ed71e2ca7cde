//! [`Store`]: the chain kept in an embedded transactional database (`--data-dir`).
//!
//! One redb file, `chain.redb`, in the directory, with these tables:
//!
//! - `meta`: the format version, the fork (by name), the chain id, and `base_root`: the state
//!   root of what the state tables hold;
//! - `blocks`: number → the block with its hash, each transaction's sender, hash and
//!   impersonation flag, and each outcome (receipt, gas, price, created address);
//! - `accounts`: address → balance, nonce, code hash; `code`: hash → bytes;
//!   `storage`: address ‖ slot → value (non-zero slots only);
//! - `cheats`: the state changes cheat codes made since the state tables were last written
//!   by a block, in order. The next block folds them into the state tables;
//! - `snapshots`: `evm_snapshot` id → head block number ‖ the whole state then, so a
//!   snapshot survives a restart (its clock does not); a revert drops it and later ones.
//!
//! So the state tables always hold a state whose root is known (`base_root`: the head block's
//! state root after a block; the written state's root after `init` or `rewind`). Opening the
//! store recomputes that root and refuses a mismatch, then applies the `cheats` on top.
//!
//! Durability: every write (a block, a cheat code, a revert, an init) is one write
//! transaction committed with [`Durability::Immediate`] (fsync) before the caller answers,
//! so a killed process, or a lost machine, loses nothing it acknowledged. A block that does
//! not extend the stored head is refused, so the store never holds a gap. The cost of a block
//! is one fsync plus tens of microseconds of encoding and table updates, so `anvil_mine` of
//! many blocks pays one fsync per block.
//!
//! Code is kept by hash and only dropped when the state is rewritten (`init`, `rewind`).
//!
//! Not stored, so a restart starts them afresh from the flags: the pool (transactions sent
//! under `--no-mining` or interval mining and not yet mined), the clock offset
//! (`evm_increaseTime`; blocks stay increasing in time), impersonations, the mining mode,
//! coinbase, gas limit, minimum gas price, filters and subscriptions. The states of blocks
//! before the head are not rebuilt: queries at an older block answer as for a block past
//! the kept history, until new blocks are mined.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ember_blockchain::{Block, Receipt, ReceiptOutcome, TxOutcome};
use ember_evm::{InMemoryDb, Log};
use ember_primitives::{keccak256, Address, Bytes, Fork, TxType, B256, KECCAK_EMPTY, U256};
use redb::{
    Database, DatabaseError, Durability, ReadableDatabase, ReadableTable, TableDefinition,
    TableError, TableHandle, WriteTransaction,
};

use crate::chain::{AccountDiff, DevChain, MinedBlock, StateDiff};
use crate::tx::NodeTx;

/// The database file in the data directory.
pub const FILE_NAME: &str = "chain.redb";
/// The layout version written to `meta`; another one is refused.
pub const FORMAT_VERSION: u64 = 1;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
const ACCOUNTS: TableDefinition<&[u8; 20], &[u8]> = TableDefinition::new("accounts");
const CODE: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("code");
const STORAGE: TableDefinition<&[u8; 52], &[u8; 32]> = TableDefinition::new("storage");
const CHEATS: TableDefinition<u64, &[u8]> = TableDefinition::new("cheats");
/// `evm_snapshot`s: id → head block number (8 bytes) ‖ the whole state then.
const SNAPSHOTS: TableDefinition<u64, &[u8]> = TableDefinition::new("snapshots");

/// A failure of the durable store.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

fn failed<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> StoreError {
    move |e| StoreError(format!("{what}: {e}"))
}

/// How long block commits took.
#[derive(Clone, Copy, Debug, Default)]
pub struct CommitStats {
    /// Blocks committed since the store was opened.
    pub blocks: u64,
    /// Their total time (encoding, writing, fsync).
    pub total: Duration,
    /// The slowest one.
    pub max: Duration,
}

/// The durable store.
#[derive(Debug)]
pub struct Store {
    db: Database,
    path: PathBuf,
    /// The stored head block's number and hash (`None` before `init`).
    head: Option<(u64, B256)>,
    /// The key the next cheat-code change gets; 0 when none is pending.
    next_cheat: u64,
    stats: CommitStats,
}

impl Store {
    /// Opens the store in `dir` (creating it), with the chain it holds, if any. The chain
    /// keeps the fork and chain id it was created with, whatever `fork` and `chain_id` say.
    pub fn open_or_create(
        dir: &Path,
        _fork: Fork,
        _chain_id: u64,
    ) -> Result<(Store, Option<DevChain>), StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join(FILE_NAME);
        let db = Database::create(&path).map_err(|e| match e {
            DatabaseError::DatabaseAlreadyOpen => StoreError(format!(
                "{} is in use by another process (is another node running on it?)",
                path.display()
            )),
            e => StoreError(format!("cannot open {}: {e}", path.display())),
        })?;
        let mut store = Store {
            db,
            path,
            head: None,
            next_cheat: 0,
            stats: CommitStats::default(),
        };
        let chain = store.load()?;
        Ok((store, chain))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored head block's number, once there is a chain.
    pub fn head(&self) -> Option<u64> {
        self.head.map(|(n, _)| n)
    }

    /// How long block commits took since the store was opened.
    pub fn commit_stats(&self) -> CommitStats {
        self.stats
    }

    /// Replaces the store's content with `chain` (a new chain, or `anvil_reset`).
    pub fn init(&mut self, chain: &DevChain) -> Result<(), StoreError> {
        let whole = StateDiff::whole(chain.state());
        let root = chain.state().state_root();
        self.write(|txn| {
            clear_tables(txn)?;
            let mut meta = txn.open_table(META).map_err(failed("open meta"))?;
            let fork = chain.fork.to_string();
            for (key, value) in [
                ("version", &FORMAT_VERSION.to_be_bytes()[..]),
                ("fork", fork.as_bytes()),
                ("chain_id", &chain.chain_id.to_be_bytes()[..]),
                ("base_root", root.as_slice()),
            ] {
                meta.insert(key, value).map_err(failed("write meta"))?;
            }
            let mut blocks = txn.open_table(BLOCKS).map_err(failed("open blocks"))?;
            for block in chain.blocks() {
                blocks
                    .insert(block.number(), encode_block(block).as_slice())
                    .map_err(failed("write a block"))?;
            }
            apply_diff(txn, &whole)
        })?;
        let head = chain.head();
        self.head = Some((head.number(), head.hash));
        self.next_cheat = 0;
        Ok(())
    }

    /// Writes a mined block and the state it changed, durably, with the cheat-code changes
    /// made since the last block folded in.
    pub fn commit_block(&mut self, block: &MinedBlock, diff: &StateDiff) -> Result<(), StoreError> {
        let start = Instant::now();
        let (head, head_hash) = self.stored_head()?;
        let parent = block.block.header.parent_hash;
        if block.number() != head + 1 || parent != head_hash {
            return Err(StoreError(format!(
                "block {} (parent {parent}) does not extend the stored head {head} ({head_hash}); \
                 the store is out of step with the chain after an earlier failure",
                block.number()
            )));
        }
        let record = encode_block(block);
        let fold = self.next_cheat > 0;
        self.write(|txn| {
            if fold {
                fold_cheats(txn)?;
            }
            apply_diff(txn, diff)?;
            txn.open_table(BLOCKS)
                .map_err(failed("open blocks"))?
                .insert(block.number(), record.as_slice())
                .map_err(failed("write the block"))?;
            txn.open_table(META)
                .map_err(failed("open meta"))?
                .insert("base_root", block.block.header.state_root.as_slice())
                .map_err(failed("write meta"))?;
            Ok(())
        })?;
        self.head = Some((block.number(), block.hash));
        self.next_cheat = 0;
        let took = start.elapsed();
        self.stats.blocks += 1;
        self.stats.total += took;
        self.stats.max = self.stats.max.max(took);
        Ok(())
    }

    /// Writes state changed outside a block (cheat codes), durably.
    pub fn commit_state(&mut self, diff: &StateDiff) -> Result<(), StoreError> {
        self.stored_head()?;
        let key = self.next_cheat;
        let record = encode_diff(diff);
        self.write(|txn| {
            txn.open_table(CHEATS)
                .map_err(failed("open cheats"))?
                .insert(key, record.as_slice())
                .map_err(failed("write a state change"))?;
            Ok(())
        })?;
        self.next_cheat += 1;
        Ok(())
    }

    /// Drops blocks after `head` and replaces the state with `whole`, durably.
    pub fn rewind(&mut self, head: u64, whole: &StateDiff) -> Result<(), StoreError> {
        self.stored_head()?;
        let mut state = InMemoryDb::new();
        whole.apply(&mut state);
        let root = state.state_root();
        let mut head_hash = B256::ZERO;
        self.write(|txn| {
            let mut blocks = txn.open_table(BLOCKS).map_err(failed("open blocks"))?;
            head_hash = match blocks.get(head).map_err(failed("read a block"))? {
                Some(record) => decode_block_hash(record.value())?,
                None => {
                    return Err(StoreError(format!(
                        "cannot rewind to block {head}: not stored"
                    )))
                }
            };
            blocks
                .retain_in(head + 1.., |_, _| false)
                .map_err(failed("drop blocks"))?;
            drop(blocks);
            clear(
                txn,
                &[ACCOUNTS.name(), CODE.name(), STORAGE.name(), CHEATS.name()],
            )?;
            apply_diff(txn, whole)?;
            txn.open_table(META)
                .map_err(failed("open meta"))?
                .insert("base_root", root.as_slice())
                .map_err(failed("write meta"))?;
            Ok(())
        })?;
        self.head = Some((head, head_hash));
        self.next_cheat = 0;
        Ok(())
    }

    /// Keeps snapshot `id` (the chain at block `head` with state `state`), durably.
    pub fn save_snapshot(
        &mut self,
        id: u64,
        head: u64,
        state: &InMemoryDb,
    ) -> Result<(), StoreError> {
        let mut record = head.to_be_bytes().to_vec();
        record.extend_from_slice(&encode_diff(&StateDiff::whole(state)));
        self.write(|txn| {
            txn.open_table(SNAPSHOTS)
                .map_err(failed("open snapshots"))?
                .insert(id, record.as_slice())
                .map_err(failed("write a snapshot"))?;
            Ok(())
        })
    }

    /// Forgets snapshot `id` and every later one (they were restored or dropped).
    pub fn drop_snapshots_from(&mut self, id: u64) -> Result<(), StoreError> {
        self.write(|txn| {
            txn.open_table(SNAPSHOTS)
                .map_err(failed("open snapshots"))?
                .retain_in(id.., |_, _| false)
                .map_err(failed("drop snapshots"))?;
            Ok(())
        })
    }

    /// The kept snapshots: id, head block number, state (block hashes not filled in).
    pub fn snapshots(&self) -> Result<Vec<(u64, u64, InMemoryDb)>, StoreError> {
        let txn = self.db.begin_read().map_err(failed("begin a read"))?;
        let table = match txn.open_table(SNAPSHOTS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(StoreError(format!("open snapshots: {e}"))),
        };
        let mut out = Vec::new();
        for entry in table.iter().map_err(failed("read snapshots"))? {
            let (id, record) = entry.map_err(failed("read a snapshot"))?;
            let record = record.value();
            if record.len() < 8 {
                return Err(StoreError(format!("snapshot {} is truncated", id.value())));
            }
            let head = u64::from_be_bytes(record[..8].try_into().expect("8 bytes"));
            let diff = decode_diff(&record[8..])
                .map_err(|e| StoreError(format!("snapshot {}: {e}", id.value())))?;
            let mut state = InMemoryDb::new();
            diff.apply(&mut state);
            out.push((id.value(), head, state));
        }
        Ok(out)
    }

    fn stored_head(&self) -> Result<(u64, B256), StoreError> {
        self.head
            .ok_or_else(|| StoreError("the store holds no chain yet (init was not called)".into()))
    }

    /// Runs `f` in one write transaction committed with fsync; nothing is written when it
    /// fails.
    fn write(
        &self,
        f: impl FnOnce(&WriteTransaction) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut txn = self
            .db
            .begin_write()
            .map_err(failed("begin a write transaction"))?;
        txn.set_durability(Durability::Immediate)
            .map_err(failed("set durability"))?;
        f(&txn)?;
        txn.commit()
            .map_err(|e| StoreError(format!("commit to {} failed: {e}", self.path.display())))
    }

    /// The chain in the file, checked; `None` for a new file.
    fn load(&mut self) -> Result<Option<DevChain>, StoreError> {
        let txn = self
            .db
            .begin_read()
            .map_err(failed("begin a read transaction"))?;
        let meta = match txn.open_table(META) {
            Ok(t) => t,
            Err(TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(StoreError(format!("open meta: {e}"))),
        };
        let get = |key: &str| -> Result<Option<Vec<u8>>, StoreError> {
            Ok(meta
                .get(key)
                .map_err(failed("read meta"))?
                .map(|v| v.value().to_vec()))
        };
        let Some(version) = get("version")? else {
            return Ok(None);
        };
        let version = u64_of(&version, "meta version")?;
        if version != FORMAT_VERSION {
            return Err(StoreError(format!(
                "{} has layout version {version}; this ember reads version {FORMAT_VERSION}",
                self.path.display()
            )));
        }
        let missing = |key: &str| StoreError(format!("meta has no `{key}`"));
        let fork_name = get("fork")?.ok_or_else(|| missing("fork"))?;
        let fork_name = String::from_utf8_lossy(&fork_name).into_owned();
        let fork: Fork = fork_name
            .parse()
            .map_err(|_| StoreError(format!("meta names an unknown fork `{fork_name}`")))?;
        let chain_id = u64_of(
            &get("chain_id")?.ok_or_else(|| missing("chain_id"))?,
            "chain id",
        )?;
        let base_root = b256_of(&get("base_root")?.ok_or_else(|| missing("base_root"))?)?;

        let mut blocks: Vec<MinedBlock> = Vec::new();
        let table = txn.open_table(BLOCKS).map_err(failed("open blocks"))?;
        for entry in table.iter().map_err(failed("read blocks"))? {
            let (number, record) = entry.map_err(failed("read blocks"))?;
            let number = number.value();
            let block = decode_block(record.value())
                .map_err(|e| StoreError(format!("block {number}: {e}")))?;
            let expected = blocks.len() as u64;
            if number != expected || block.number() != expected {
                return Err(StoreError(format!(
                    "blocks are not contiguous: expected block {expected}, found {number} \
                     (header number {})",
                    block.number()
                )));
            }
            if let Some(parent) = blocks.last() {
                if block.block.header.parent_hash != parent.hash {
                    return Err(StoreError(format!(
                        "block {number}'s parent hash {} is not block {}'s hash {}",
                        block.block.header.parent_hash,
                        parent.number(),
                        parent.hash
                    )));
                }
            }
            blocks.push(block);
        }
        let Some(head) = blocks.last() else {
            return Err(StoreError("the store holds no blocks".into()));
        };
        let (head_number, head_hash, head_root) =
            (head.number(), head.hash, head.block.header.state_root);

        let mut state = load_state(&txn)?;
        let root = state.state_root();
        if root != base_root {
            return Err(StoreError(format!(
                "state root mismatch in {}: the stored state's root is {root}, but {base_root} \
                 was written (head block {head_number} has state root {head_root}); the \
                 data directory is damaged",
                self.path.display()
            )));
        }
        let cheats = txn.open_table(CHEATS).map_err(failed("open cheats"))?;
        let mut next_cheat = 0;
        for entry in cheats.iter().map_err(failed("read cheats"))? {
            let (key, record) = entry.map_err(failed("read cheats"))?;
            decode_diff(record.value())
                .map_err(|e| StoreError(format!("state change {}: {e}", key.value())))?
                .apply(&mut state);
            next_cheat = key.value() + 1;
        }
        for block in &blocks {
            state.block_hashes.insert(block.number(), block.hash);
        }
        self.head = Some((head_number, head_hash));
        self.next_cheat = next_cheat;
        Ok(Some(DevChain::from_blocks(fork, chain_id, blocks, state)))
    }
}

/// Deletes every table but none of the file (`init`).
fn clear_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    clear(
        txn,
        &[
            META.name(),
            BLOCKS.name(),
            ACCOUNTS.name(),
            CODE.name(),
            STORAGE.name(),
            CHEATS.name(),
            SNAPSHOTS.name(),
        ],
    )
}

/// Empties the tables `names` (deleted, then created again, so that a reader finds every
/// table once `meta` exists).
fn clear(txn: &WriteTransaction, names: &[&str]) -> Result<(), StoreError> {
    for name in names {
        delete_table(txn, name)?;
    }
    txn.open_table(META).map_err(failed("create meta"))?;
    txn.open_table(BLOCKS).map_err(failed("create blocks"))?;
    txn.open_table(ACCOUNTS)
        .map_err(failed("create accounts"))?;
    txn.open_table(CODE).map_err(failed("create code"))?;
    txn.open_table(STORAGE).map_err(failed("create storage"))?;
    txn.open_table(CHEATS).map_err(failed("create cheats"))?;
    Ok(())
}

fn delete_table(txn: &WriteTransaction, name: &str) -> Result<(), StoreError> {
    // The untyped definition deletes whatever the name holds.
    let def: TableDefinition<&[u8], &[u8]> = TableDefinition::new(name);
    txn.delete_table(def)
        .map_err(|e| StoreError(format!("clear {name}: {e}")))?;
    Ok(())
}

fn slot_key(address: &Address, slot: &U256) -> [u8; 52] {
    let mut key = [0u8; 52];
    key[..20].copy_from_slice(address.as_slice());
    key[20..].copy_from_slice(&slot.to_be_bytes::<32>());
    key
}

fn storage_bounds(address: &Address) -> ([u8; 52], [u8; 52]) {
    let mut lo = [0u8; 52];
    lo[..20].copy_from_slice(address.as_slice());
    let mut hi = [0xffu8; 52];
    hi[..20].copy_from_slice(address.as_slice());
    (lo, hi)
}

fn write_err(e: redb::StorageError) -> StoreError {
    StoreError(format!("write state: {e}"))
}

/// Applies `diff` to the state tables.
fn apply_diff(txn: &WriteTransaction, diff: &StateDiff) -> Result<(), StoreError> {
    let mut accounts = txn.open_table(ACCOUNTS).map_err(failed("open accounts"))?;
    let mut code = txn.open_table(CODE).map_err(failed("open code"))?;
    let mut storage = txn.open_table(STORAGE).map_err(failed("open storage"))?;
    for (address, account) in &diff.accounts {
        let key: &[u8; 20] = &address.0 .0;
        let clear = match account {
            None => true,
            Some(a) => a.storage_cleared,
        };
        if clear {
            let (lo, hi) = storage_bounds(address);
            storage
                .retain_in::<&[u8; 52], _>(&lo..=&hi, |_, _| false)
                .map_err(write_err)?;
        }
        let Some(account) = account else {
            accounts.remove(key).map_err(write_err)?;
            continue;
        };
        let code_hash = if account.code.is_empty() {
            KECCAK_EMPTY
        } else {
            let hash = keccak256(&account.code);
            let present = code
                .get(&hash.0)
                .map_err(|e| StoreError(format!("read code: {e}")))?
                .is_some();
            if !present {
                code.insert(&hash.0, account.code.as_ref())
                    .map_err(|e| StoreError(format!("write code: {e}")))?;
            }
            hash
        };
        let mut value = [0u8; 72];
        value[..32].copy_from_slice(&account.balance.to_be_bytes::<32>());
        value[32..40].copy_from_slice(&account.nonce.to_be_bytes());
        value[40..].copy_from_slice(code_hash.as_slice());
        accounts.insert(key, value.as_slice()).map_err(write_err)?;
        for (slot, v) in &account.storage {
            let k = slot_key(address, slot);
            if v.is_zero() {
                storage.remove(&k).map_err(write_err)?;
            } else {
                storage
                    .insert(&k, &v.to_be_bytes::<32>())
                    .map_err(write_err)?;
            }
        }
    }
    Ok(())
}

/// Applies the pending cheat-code changes to the state tables and drops them.
fn fold_cheats(txn: &WriteTransaction) -> Result<(), StoreError> {
    let mut diffs = Vec::new();
    {
        let cheats = txn.open_table(CHEATS).map_err(failed("open cheats"))?;
        for entry in cheats.iter().map_err(failed("read cheats"))? {
            let (key, record) = entry.map_err(failed("read cheats"))?;
            diffs.push(
                decode_diff(record.value())
                    .map_err(|e| StoreError(format!("state change {}: {e}", key.value())))?,
            );
        }
    }
    for diff in &diffs {
        apply_diff(txn, diff)?;
    }
    clear(txn, &[CHEATS.name()])
}

/// The state in the state tables.
fn load_state(txn: &redb::ReadTransaction) -> Result<InMemoryDb, StoreError> {
    let mut state = InMemoryDb::new();
    let accounts = txn.open_table(ACCOUNTS).map_err(failed("open accounts"))?;
    let code = txn.open_table(CODE).map_err(failed("open code"))?;
    for entry in accounts.iter().map_err(failed("read accounts"))? {
        let (key, value) = entry.map_err(failed("read accounts"))?;
        let address = Address::from(*key.value());
        let value = value.value();
        if value.len() != 72 {
            return Err(StoreError(format!(
                "account {address}: {} bytes, not 72",
                value.len()
            )));
        }
        let balance = U256::from_be_slice(&value[..32]);
        let nonce = u64_of(&value[32..40], "nonce")?;
        let code_hash = B256::from_slice(&value[40..]);
        let bytes = if code_hash == KECCAK_EMPTY {
            Bytes::new()
        } else {
            let stored = code
                .get(&code_hash.0)
                .map_err(failed("read code"))?
                .ok_or_else(|| {
                    StoreError(format!("account {address}: code {code_hash} is missing"))
                })?;
            Bytes::copy_from_slice(stored.value())
        };
        let info = crate::genesis::account_info(balance, nonce, bytes);
        if info.code_hash != code_hash {
            return Err(StoreError(format!(
                "account {address}: its code hashes to {}, not {code_hash}",
                info.code_hash
            )));
        }
        state.insert_account(address, info, []);
    }
    let storage = txn.open_table(STORAGE).map_err(failed("open storage"))?;
    for entry in storage.iter().map_err(failed("read storage"))? {
        let (key, value) = entry.map_err(failed("read storage"))?;
        let key = key.value();
        let address = Address::from_slice(&key[..20]);
        let slot = U256::from_be_slice(&key[20..]);
        let value = U256::from_be_bytes(*value.value());
        let account = state
            .accounts
            .get_mut(&address)
            .ok_or_else(|| StoreError(format!("storage of {address} without the account")))?;
        account.storage.insert(slot, value);
    }
    Ok(state)
}

fn u64_of(bytes: &[u8], what: &str) -> Result<u64, StoreError> {
    let array: [u8; 8] = bytes
        .try_into()
        .map_err(|_| StoreError(format!("{what}: {} bytes, not 8", bytes.len())))?;
    Ok(u64::from_be_bytes(array))
}

fn b256_of(bytes: &[u8]) -> Result<B256, StoreError> {
    if bytes.len() != 32 {
        return Err(StoreError(format!("a hash of {} bytes", bytes.len())));
    }
    Ok(B256::from_slice(bytes))
}

/// A compact binary writer: fixed-width big-endian integers, length-prefixed byte strings.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: usize) {
        let v = u32::try_from(v).expect("fits the store's 32-bit lengths");
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn raw(&mut self, v: &[u8]) {
        self.0.extend_from_slice(v);
    }
    fn u256(&mut self, v: U256) {
        self.raw(&v.to_be_bytes::<32>());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.u32(v.len());
        self.raw(v);
    }
}

/// Reads what [`Writer`] wrote; every shortfall is an error.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err(format!(
                "truncated record: {n} bytes wanted, {} left",
                self.0.len()
            ));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<usize, String> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes(b.try_into().expect("4 bytes")) as usize)
    }
    fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        Ok(u64::from_be_bytes(b.try_into().expect("8 bytes")))
    }
    fn u256(&mut self) -> Result<U256, String> {
        Ok(U256::from_be_slice(self.take(32)?))
    }
    fn b256(&mut self) -> Result<B256, String> {
        Ok(B256::from_slice(self.take(32)?))
    }
    fn address(&mut self) -> Result<Address, String> {
        Ok(Address::from_slice(self.take(20)?))
    }
    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.u32()?;
        self.take(n)
    }
    fn finish(&self) -> Result<(), String> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(format!("{} trailing bytes", self.0.len()))
        }
    }
}

fn tx_type_of(byte: u8) -> Result<TxType, String> {
    Ok(match byte {
        0 => TxType::Legacy,
        1 => TxType::AccessList,
        2 => TxType::FeeMarket,
        3 => TxType::Blob,
        4 => TxType::SetCode,
        other => return Err(format!("unknown transaction type {other}")),
    })
}

/// `hash ‖ block RLP ‖ count ‖ per transaction: hash, sender, impersonated, outcome`.
fn encode_block(block: &MinedBlock) -> Vec<u8> {
    let mut w = Writer::default();
    w.raw(block.hash.as_slice());
    w.bytes(&block.block.encoded());
    w.u32(block.txs.len());
    for (tx, outcome) in block.txs.iter().zip(&block.outcomes) {
        w.raw(tx.hash.as_slice());
        w.raw(tx.sender.as_slice());
        w.u8(tx.impersonated as u8);
        encode_outcome(&mut w, outcome);
    }
    w.0
}

fn encode_outcome(w: &mut Writer, o: &TxOutcome) {
    w.u64(o.index as u64);
    w.raw(o.hash.as_slice());
    w.raw(o.sender.as_slice());
    let r = &o.receipt;
    w.u8(r.tx_type as u8);
    match r.outcome {
        ReceiptOutcome::Status(ok) => w.u8(ok as u8),
        ReceiptOutcome::StateRoot(root) => {
            w.u8(2);
            w.raw(root.as_slice());
        }
    }
    w.u64(r.cumulative_gas_used);
    w.u32(r.logs.len());
    for log in &r.logs {
        w.raw(log.address.as_slice());
        w.u8(log.topics.len() as u8);
        for topic in &log.topics {
            w.raw(topic.as_slice());
        }
        w.bytes(&log.data);
    }
    w.u64(o.gas_used);
    w.u64(o.blob_gas_used);
    w.u256(o.effective_gas_price);
    match o.contract_address {
        Some(a) => {
            w.u8(1);
            w.raw(a.as_slice());
        }
        None => w.u8(0),
    }
}

fn decode_block_hash(record: &[u8]) -> Result<B256, StoreError> {
    Reader(record).b256().map_err(StoreError)
}

fn decode_block(record: &[u8]) -> Result<MinedBlock, String> {
    let mut r = Reader(record);
    let hash = r.b256()?;
    let block = Block::decode(r.bytes()?).map_err(|e| format!("block RLP: {e}"))?;
    if block.hash() != hash {
        return Err(format!(
            "stored hash {hash}, but the block hashes to {}",
            block.hash()
        ));
    }
    let count = r.u32()?;
    if count != block.transactions.len() {
        return Err(format!(
            "{count} transaction records for {} transactions",
            block.transactions.len()
        ));
    }
    let mut txs = Vec::with_capacity(count);
    let mut outcomes = Vec::with_capacity(count);
    for tx in &block.transactions {
        let hash = r.b256()?;
        let sender = r.address()?;
        let impersonated = match r.u8()? {
            0 => false,
            1 => true,
            other => return Err(format!("impersonation flag {other}")),
        };
        txs.push(NodeTx {
            tx: tx.clone(),
            sender,
            hash,
            impersonated,
        });
        outcomes.push(decode_outcome(&mut r)?);
    }
    r.finish()?;
    Ok(MinedBlock {
        block,
        hash,
        txs,
        outcomes,
    })
}

fn decode_outcome(r: &mut Reader<'_>) -> Result<TxOutcome, String> {
    let index = r.u64()? as usize;
    let hash = r.b256()?;
    let sender = r.address()?;
    let tx_type = tx_type_of(r.u8()?)?;
    let outcome = match r.u8()? {
        0 => ReceiptOutcome::Status(false),
        1 => ReceiptOutcome::Status(true),
        2 => ReceiptOutcome::StateRoot(r.b256()?),
        other => return Err(format!("receipt outcome kind {other}")),
    };
    let cumulative_gas_used = r.u64()?;
    let count = r.u32()?;
    let mut logs = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let address = r.address()?;
        let topics = (0..r.u8()?)
            .map(|_| r.b256())
            .collect::<Result<Vec<_>, _>>()?;
        let data = Bytes::copy_from_slice(r.bytes()?);
        logs.push(Log {
            address,
            topics,
            data,
        });
    }
    let gas_used = r.u64()?;
    let blob_gas_used = r.u64()?;
    let effective_gas_price = r.u256()?;
    let contract_address = match r.u8()? {
        0 => None,
        1 => Some(r.address()?),
        other => return Err(format!("contract address flag {other}")),
    };
    Ok(TxOutcome {
        index,
        hash,
        sender,
        receipt: Receipt::new(tx_type, outcome, cumulative_gas_used, logs),
        gas_used,
        blob_gas_used,
        effective_gas_price,
        contract_address,
    })
}

/// `count ‖ per account: address, present, [balance, nonce, code, cleared, slots]`.
fn encode_diff(diff: &StateDiff) -> Vec<u8> {
    let mut w = Writer::default();
    w.u32(diff.accounts.len());
    for (address, account) in &diff.accounts {
        w.raw(address.as_slice());
        let Some(a) = account else {
            w.u8(0);
            continue;
        };
        w.u8(1);
        w.u256(a.balance);
        w.u64(a.nonce);
        w.bytes(&a.code);
        w.u8(a.storage_cleared as u8);
        w.u32(a.storage.len());
        for (slot, value) in &a.storage {
            w.u256(*slot);
            w.u256(*value);
        }
    }
    w.0
}

fn decode_diff(record: &[u8]) -> Result<StateDiff, String> {
    let mut r = Reader(record);
    let count = r.u32()?;
    let mut accounts = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let address = r.address()?;
        let account = match r.u8()? {
            0 => None,
            1 => {
                let balance = r.u256()?;
                let nonce = r.u64()?;
                let code = Bytes::copy_from_slice(r.bytes()?);
                let storage_cleared = r.u8()? != 0;
                let slots = r.u32()?;
                let storage = (0..slots)
                    .map(|_| Ok((r.u256()?, r.u256()?)))
                    .collect::<Result<Vec<_>, String>>()?;
                Some(AccountDiff {
                    balance,
                    nonce,
                    code,
                    storage_cleared,
                    storage,
                })
            }
            other => return Err(format!("account presence flag {other}")),
        };
        accounts.push((address, account));
    }
    r.finish()?;
    Ok(StateDiff { accounts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_round_trips() {
        let diff = StateDiff {
            accounts: vec![
                (Address::repeat_byte(1), None),
                (
                    Address::repeat_byte(2),
                    Some(AccountDiff {
                        balance: U256::from(7u64),
                        nonce: 3,
                        code: Bytes::from_static(&[0x60, 0x00]),
                        storage_cleared: true,
                        storage: vec![(U256::from(1u64), U256::from(2u64))],
                    }),
                ),
            ],
        };
        assert_eq!(decode_diff(&encode_diff(&diff)).unwrap(), diff);
        assert!(decode_diff(&encode_diff(&diff)[..10]).is_err());
    }
}
