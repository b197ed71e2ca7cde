//! anvil's state file: `--dump-state`/`--load-state`/`--state`/`--state-interval` and
//! `anvil_dumpState` / `anvil_loadState`, in anvil's format, so a state dumped by either node
//! loads in the other.
//!
//! The format is anvil's `SerializableState`, a JSON object:
//!
//! ```text
//! { "block": { number, beneficiary, timestamp, gas_limit, basefee, difficulty, prevrandao,
//!              blob_excess_gas_and_price: { excess_blob_gas, blob_gasprice }, slot_num },
//!   "accounts": { "0xaddr": { "nonce": 1, "balance": "0x..", "code": "0x..",
//!                             "storage": { "0x<32-byte slot>": "0x<32-byte value>" } } },
//!   "best_block_number": 2,
//!   "blocks": [ { "header": { parentHash, sha3Uncles, miner, ... }, "transactions": [..],
//!                 "ommers": [], "withdrawals": null } ],
//!   "transactions": [ { info, receipt, block_hash, block_number } ],
//!   "historical_states": null }
//! ```
//!
//! A file (`--dump-state`) holds that JSON as is; `anvil_dumpState` returns it gzip-compressed,
//! as hex. Loading takes either form (and the hex text of the compressed form, as a file).
//!
//! What is restored, from a dump of either node:
//! - accounts: balance, code and storage slots are set as dumped (a dumped zero deletes the
//!   slot), the nonce is the larger of the dumped and the present one, as anvil does; accounts
//!   not in the dump are left as they are (a load merges into the head state);
//! - the block number, when the node is at its genesis and the dump has the headers of every
//!   block up to its best block, linked by their hashes (anvil's dumps do): the chain is
//!   rebuilt from those headers, so block numbers, hashes, timestamps and base fees continue
//!   where the dumped chain stopped. Those blocks come back without their transactions:
//!   transaction bodies, receipts and logs of dumped blocks (`transactions`), and anvil's
//!   `historical_states`, are not restored, and states before the head are not kept.
//!   Otherwise (a node that has mined blocks, or a dump without the headers) only the
//!   accounts are merged and the chain stays as it is.
//!
//! A dump written here holds every account with its storage, the head block's environment,
//! the best block number and every block's header (without transactions), which is what anvil
//! needs to continue at that block.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ember_blockchain::json::{address, b256, bytes, object, quantity, quantity_u64};
use ember_blockchain::{Block, Header};
use ember_evm::InMemoryDb;
use ember_primitives::alloy_primitives::{Bloom, B64};
use ember_primitives::{hex, Address, Bytes, B256, U256};
use ember_rpc::RpcError;
use serde_json::{json, Map, Value};

use crate::chain::{DevChain, MinedBlock};
use crate::genesis::account_info;
use crate::node::NodeState;
use crate::params::hex_u64;
pub use crate::render::header as header_to_json;
use crate::render::{hex_bytes, hex_u256};

/// The largest state a compressed dump may expand to.
const MAX_DECOMPRESSED: u64 = 1 << 30;

/// One account of a dump.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DumpedAccount {
    /// Nonce.
    pub nonce: u64,
    /// Balance.
    pub balance: U256,
    /// Code.
    pub code: Bytes,
    /// Slots as dumped (a zero value clears the slot).
    pub storage: BTreeMap<U256, U256>,
}

/// A parsed state dump.
#[derive(Clone, Debug, Default)]
pub struct DumpedState {
    /// Accounts by address.
    pub accounts: BTreeMap<Address, DumpedAccount>,
    /// `best_block_number`, or else `block.number`.
    pub best_block_number: Option<u64>,
    /// The headers of `blocks`.
    pub headers: Vec<Header>,
}

impl DumpedState {
    /// The blocks from genesis to the best block, linked by parent hash, when the dump has
    /// all of them.
    pub fn chain_headers(&self) -> Option<Vec<(Header, B256)>> {
        let best = self.best_block_number?;
        let by_hash: HashMap<B256, &Header> = self.headers.iter().map(|h| (h.hash(), h)).collect();
        let mut tips: Vec<(&B256, &&Header)> =
            by_hash.iter().filter(|(_, h)| h.number == best).collect();
        tips.sort_by_key(|(hash, _)| **hash);
        'tips: for (hash, header) in tips {
            let mut out = vec![((*header).clone(), *hash)];
            let mut current = *header;
            while current.number > 0 {
                match by_hash.get(&current.parent_hash) {
                    Some(parent) if parent.number + 1 == current.number => {
                        out.push(((*parent).clone(), current.parent_hash));
                        current = parent;
                    }
                    _ => continue 'tips,
                }
            }
            out.reverse();
            return Some(out);
        }
        None
    }
}

// ---- reading ----

/// The JSON text inside `data`: plain JSON, gzip-compressed JSON, or the `0x` hex of either
/// (optionally as a JSON string, as `anvil_dumpState` returns it).
fn decode(data: &[u8], depth: u8) -> Result<Vec<u8>, String> {
    if depth > 3 {
        return Err("the state is wrapped too many times (hex in gzip in hex ...)".into());
    }
    if data.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .take(MAX_DECOMPRESSED + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("the gzip-compressed state is corrupt: {e}"))?;
        if out.len() as u64 > MAX_DECOMPRESSED {
            return Err(format!(
                "the compressed state expands to more than {MAX_DECOMPRESSED} bytes"
            ));
        }
        return decode(&out, depth + 1);
    }
    let trimmed = data.trim_ascii();
    let text = if trimmed.starts_with(b"\"") {
        match serde_json::from_slice::<Value>(trimmed) {
            Ok(Value::String(s)) => Some(s),
            _ => return Err("the state is a malformed JSON string".into()),
        }
    } else if trimmed.starts_with(b"0x") || trimmed.starts_with(b"0X") {
        Some(String::from_utf8_lossy(trimmed).into_owned())
    } else {
        None
    };
    match text {
        Some(t) => {
            let digits = t
                .strip_prefix("0x")
                .or_else(|| t.strip_prefix("0X"))
                .ok_or("the state string is not 0x-prefixed hex")?;
            let raw = hex::decode(digits.trim())
                .map_err(|e| format!("the state's hex is malformed: {e}"))?;
            decode(&raw, depth + 1)
        }
        None => Ok(trimmed.to_vec()),
    }
}

fn account(v: &Value, ctx: &str) -> Result<DumpedAccount, String> {
    let fields = object(v, ctx)?;
    let nonce = fields
        .get("nonce")
        .ok_or_else(|| format!("{ctx}: missing `nonce`"))?;
    let balance = fields
        .get("balance")
        .ok_or_else(|| format!("{ctx}: missing `balance`"))?;
    let mut out = DumpedAccount {
        nonce: quantity_u64(nonce, &format!("{ctx}.nonce"))?,
        balance: quantity(balance, &format!("{ctx}.balance"))?,
        ..DumpedAccount::default()
    };
    match fields.get("code") {
        None | Some(Value::Null) => {}
        Some(c) => out.code = bytes(c, &format!("{ctx}.code"))?,
    }
    match fields.get("storage") {
        None | Some(Value::Null) => {}
        Some(s) => {
            for (key, value) in object(s, &format!("{ctx}.storage"))? {
                let slot = quantity(&Value::String(key.clone()), &format!("{ctx}.storage key"))?;
                let value = quantity(value, &format!("{ctx}.storage[{key}]"))?;
                out.storage.insert(slot, value);
            }
        }
    }
    Ok(out)
}

fn field<'a>(fields: &'a Map<String, Value>, name: &str, ctx: &str) -> Result<&'a Value, String> {
    fields
        .get(name)
        .filter(|v| !v.is_null())
        .ok_or_else(|| format!("{ctx}: missing `{name}`"))
}

fn optional<T>(
    fields: &Map<String, Value>,
    name: &str,
    ctx: &str,
    parse: impl Fn(&Value, &str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => parse(v, &format!("{ctx}.{name}")).map(Some),
    }
}

fn fixed<const N: usize>(v: &Value, what: &str) -> Result<[u8; N], String> {
    let b = bytes(v, what)?;
    <[u8; N]>::try_from(b.as_ref())
        .map_err(|_| format!("{what}: expected {N} bytes, got {}", b.len()))
}

/// A header in the JSON-RPC form anvil dumps it in.
pub fn header_from_json(v: &Value, ctx: &str) -> Result<Header, String> {
    let f = object(v, ctx)?;
    let req = |name: &str| field(f, name, ctx).map(|v| (v, format!("{ctx}.{name}")));
    let h256 = |name: &str| req(name).and_then(|(v, w)| b256(v, &w));
    let u64_of = |name: &str| req(name).and_then(|(v, w)| quantity_u64(v, &w));
    Ok(Header {
        parent_hash: h256("parentHash")?,
        ommers_hash: h256("sha3Uncles")?,
        beneficiary: req("miner").and_then(|(v, w)| address(v, &w))?,
        state_root: h256("stateRoot")?,
        transactions_root: h256("transactionsRoot")?,
        receipts_root: h256("receiptsRoot")?,
        logs_bloom: Bloom::from(req("logsBloom").and_then(|(v, w)| fixed::<256>(v, &w))?),
        difficulty: req("difficulty").and_then(|(v, w)| quantity(v, &w))?,
        number: u64_of("number")?,
        gas_limit: u64_of("gasLimit")?,
        gas_used: u64_of("gasUsed")?,
        timestamp: u64_of("timestamp")?,
        extra_data: req("extraData").and_then(|(v, w)| bytes(v, &w))?,
        mix_hash: h256("mixHash")?,
        nonce: B64::from(req("nonce").and_then(|(v, w)| fixed::<8>(v, &w))?),
        base_fee_per_gas: optional(f, "baseFeePerGas", ctx, quantity)?,
        withdrawals_root: optional(f, "withdrawalsRoot", ctx, b256)?,
        blob_gas_used: optional(f, "blobGasUsed", ctx, quantity_u64)?,
        excess_blob_gas: optional(f, "excessBlobGas", ctx, quantity_u64)?,
        parent_beacon_block_root: optional(f, "parentBeaconBlockRoot", ctx, b256)?,
        requests_hash: optional(f, "requestsHash", ctx, b256)?,
    })
}

/// Parses a dump: plain or gzip-compressed JSON, or its hex. The error names the problem.
pub fn parse(data: &[u8]) -> Result<DumpedState, String> {
    let text = decode(data, 0)?;
    let root: Value =
        serde_json::from_slice(&text).map_err(|e| format!("the state is not valid JSON: {e}"))?;
    let top = root
        .as_object()
        .ok_or("the state must be a JSON object with `accounts` (anvil's state format)")?;
    let accounts = top
        .get("accounts")
        .ok_or("the state has no `accounts` (not anvil's state format)")?;
    let mut out = DumpedState::default();
    for (key, value) in object(accounts, "accounts")? {
        let addr = address(&Value::String(key.clone()), &format!("accounts: `{key}`"))?;
        out.accounts
            .insert(addr, account(value, &format!("accounts.{key}"))?);
    }
    let block_number = match top.get("block") {
        None | Some(Value::Null) => None,
        Some(block) => optional(object(block, "block")?, "number", "block", quantity_u64)?,
    };
    out.best_block_number =
        optional(top, "best_block_number", "state", quantity_u64)?.or(block_number);
    match top.get("blocks") {
        None | Some(Value::Null) => {}
        Some(Value::Array(blocks)) => {
            for (i, block) in blocks.iter().enumerate() {
                let ctx = format!("blocks[{i}]");
                let header = object(block, &ctx)?
                    .get("header")
                    .ok_or_else(|| format!("{ctx}: missing `header`"))?;
                out.headers
                    .push(header_from_json(header, &format!("{ctx}.header"))?);
            }
        }
        Some(_) => return Err("`blocks` must be an array".into()),
    }
    if top
        .get("transactions")
        .is_some_and(|v| !v.is_null() && !v.is_array())
    {
        return Err("`transactions` must be an array".into());
    }
    Ok(out)
}

// ---- applying ----

/// What a load did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadOutcome {
    /// Accounts merged.
    pub accounts: usize,
    /// The chain was rebuilt from the dump's headers up to this block.
    pub head: Option<u64>,
}

fn merge(db: &mut InMemoryDb, accounts: &BTreeMap<Address, DumpedAccount>) {
    for (addr, dumped) in accounts {
        let acc = db.accounts.entry(*addr).or_default();
        let nonce = acc.info.nonce.max(dumped.nonce);
        acc.info = account_info(dumped.balance, nonce, dumped.code.clone());
        for (slot, value) in &dumped.storage {
            if value.is_zero() {
                acc.storage.remove(slot);
            } else {
                acc.storage.insert(*slot, *value);
            }
        }
    }
}

/// Applies a parsed dump to the head state (see the module's documentation).
pub fn apply(s: &mut NodeState, state: &DumpedState) -> Result<LoadOutcome, String> {
    let chain_headers = if s.chain.head_number() == 0 {
        state.chain_headers()
    } else {
        None
    };
    let touched: Vec<Address> = state.accounts.keys().copied().collect();
    if let Some(headers) = chain_headers {
        let mut db = InMemoryDb::clone(s.chain.state());
        merge(&mut db, &state.accounts);
        db.block_hashes = headers.iter().map(|(h, hash)| (h.number, *hash)).collect();
        let head = headers.last().map(|(h, _)| h.number);
        let blocks = headers
            .into_iter()
            .map(|(header, hash)| MinedBlock {
                block: Block {
                    withdrawals: header.withdrawals_root.map(|_| Vec::new()),
                    header,
                    transactions: Vec::new(),
                    ommers: Vec::new(),
                },
                hash,
                txs: Vec::new(),
                outcomes: Vec::new(),
            })
            .collect();
        let chain = DevChain::from_blocks(s.chain.fork, s.chain.chain_id, blocks, db);
        if let Some(store) = &mut s.store {
            store
                .init(&chain)
                .map_err(|e| format!("writing the loaded chain failed: {e}"))?;
        }
        s.chain = chain;
        // Snapshots belong to the chain that was replaced.
        s.snapshots.clear();
        return Ok(LoadOutcome {
            accounts: touched.len(),
            head,
        });
    }
    let before = s.chain.state().clone();
    s.modify(|db| merge(db, &state.accounts));
    if let Err(e) = s.persist_accounts(&touched) {
        s.modify(|db| *db = InMemoryDb::clone(&before));
        return Err(e.message);
    }
    Ok(LoadOutcome {
        accounts: touched.len(),
        head: None,
    })
}

fn load(s: &mut NodeState, data: &[u8]) -> Result<LoadOutcome, String> {
    let state = parse(data)?;
    let outcome = apply(s, &state)?;
    if outcome.head.is_none() && !s.config.silent {
        if let Some(best) = state.best_block_number.filter(|b| *b > 0) {
            eprintln!(
                "loaded {} accounts; the dump's block number {best} is not restored ({})",
                outcome.accounts,
                if s.chain.head_number() > 0 {
                    "this node has mined blocks"
                } else {
                    "the dump lacks linked headers of its blocks"
                }
            );
        }
    }
    Ok(outcome)
}

/// `anvil_loadState`: merges a dumped state (gzip-compressed or plain JSON) into the head
/// state.
pub fn load_bytes(s: &mut NodeState, data: &[u8]) -> Result<(), RpcError> {
    load(s, data)
        .map(|_| ())
        .map_err(|e| RpcError::invalid_params(format!("anvil_loadState: {e}")))
}

/// anvil's rule for a state path: a directory means `state.json` in it.
fn state_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("state.json")
    } else {
        path.to_path_buf()
    }
}

/// Loads `--load-state` / `--state` into the head state.
pub fn load_file(s: &mut NodeState, path: &Path) -> Result<(), String> {
    let file = state_path(path);
    if file != path && !file.exists() && s.config.dump_state.as_deref() == Some(path) {
        // `--state DIR` before its first dump: nothing to load yet.
        return Ok(());
    }
    let data = std::fs::read(&file)
        .map_err(|e| format!("--load-state: cannot read {}: {e}", file.display()))?;
    load(s, &data).map_err(|e| format!("--load-state {}: {e}", file.display()))?;
    Ok(())
}

// ---- writing ----

/// The head state and chain in anvil's format.
pub fn state_json(s: &NodeState) -> Value {
    let head = &s.chain.head().block.header;
    let blob = head.excess_blob_gas.map(|excess| {
        let price = s
            .chain
            .config()
            .blob_params(s.chain.fork)
            .map_or(1, |p| p.base_fee(excess));
        json!({ "excess_blob_gas": excess, "blob_gasprice": price })
    });
    let block = json!({
        "number": hex_u64(head.number),
        "beneficiary": head.beneficiary,
        "timestamp": hex_u64(head.timestamp),
        "gas_limit": head.gas_limit,
        "basefee": u64::try_from(head.base_fee_per_gas.unwrap_or_default()).unwrap_or(u64::MAX),
        "difficulty": hex_u256(head.difficulty),
        "prevrandao": head.mix_hash,
        "blob_excess_gas_and_price": blob,
        "slot_num": 0,
    });
    let mut accounts = Map::new();
    let sorted: BTreeMap<_, _> = s.chain.state().accounts.iter().collect();
    for (addr, acc) in sorted {
        let code = acc
            .info
            .code
            .as_ref()
            .map(|c| c.original().clone())
            .unwrap_or_default();
        let storage: BTreeMap<B256, B256> = acc
            .storage
            .iter()
            .filter(|(_, v)| !v.is_zero())
            .map(|(k, v)| (B256::from(*k), B256::from(*v)))
            .collect();
        accounts.insert(
            addr.to_string().to_lowercase(),
            json!({
                "nonce": acc.info.nonce,
                "balance": hex_u256(acc.info.balance),
                "code": hex_bytes(&code),
                "storage": storage,
            }),
        );
    }
    let blocks: Vec<Value> = s
        .chain
        .blocks()
        .iter()
        .map(|b| {
            json!({
                "header": header_to_json(&b.block.header),
                "transactions": [],
                "ommers": [],
                "withdrawals": null,
            })
        })
        .collect();
    json!({
        "block": block,
        "accounts": accounts,
        "best_block_number": head.number,
        "blocks": blocks,
        "transactions": [],
        "historical_states": null,
    })
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data)?;
    encoder.finish()
}

/// `anvil_dumpState`: the state as anvil returns it, the hex of its gzip-compressed JSON.
pub fn dump_hex(s: &NodeState) -> Result<Value, RpcError> {
    let text = serde_json::to_vec(&state_json(s))
        .map_err(|e| RpcError::internal(format!("serializing the state failed: {e}")))?;
    let compressed = gzip(&text)
        .map_err(|e| RpcError::internal(format!("compressing the state failed: {e}")))?;
    Ok(hex_bytes(&compressed))
}

/// Writes `data` to `path` whole or not at all: a temporary file beside it, then a rename.
pub fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state.json".into());
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(data)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    } else if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    result
}

/// Writes the state to `path` (a directory: `state.json` in it) as anvil's `--dump-state`
/// does: plain JSON.
pub fn dump_to(s: &NodeState, path: &Path) -> Result<(), String> {
    let file = state_path(path);
    let text = serde_json::to_vec(&state_json(s))
        .map_err(|e| format!("serializing the state failed: {e}"))?;
    write_atomic(&file, &text).map_err(|e| format!("cannot write {}: {e}", file.display()))
}

/// Writes `--dump-state` / `--state`, when configured.
pub fn dump_configured(s: &NodeState) -> Result<(), String> {
    match &s.config.dump_state {
        Some(path) => dump_to(s, path).map_err(|e| format!("--dump-state: {e}")),
        None => Ok(()),
    }
}
