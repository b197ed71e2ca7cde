//! The transition tool (`t8n`), as geth's `evm t8n`: a pre-state (`alloc`), a block
//! environment (`env`) and transactions in; the post-state, the block's roots and receipts,
//! the rejected transactions and the body out.
//!
//! Errors carry geth's exit codes ([`T8nError::code`]): 2 execution, 3 configuration,
//! 4 a BLOCKHASH without the hash in `env.blockHashes`, 10 JSON, 11 I/O, 12 RLP.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ember_evm::state::{logs_hash, AccountInfo, StateChanges};
use ember_evm::{Bytecode, Database, DatabaseCommit, InMemoryDb, Inspector, Log, NoopInspector};
use ember_primitives::{AccessListItem, Address, Authorization, Bytes, Spec, TxKind, B256, U256};
use ember_transaction::{Transaction, TxEip1559, TxEip2930, TxEip4844, TxEip7702, TxLegacy};
use secp256k1::{Message, SecretKey, SECP256K1};
use serde_json::{json, Map, Value};

use ember_blockchain::block::{decode_transactions, encode_transactions, Withdrawal};
use ember_blockchain::consensus::{calc_base_fee, calc_difficulty, calc_excess_blob_gas};
use ember_blockchain::execute::{
    execute_block_inspected, BlockContext, BlockDatabase, ExecuteOptions, ExecutionMode,
    InvalidTxPolicy, OmmerReward, TxHooks,
};
use ember_blockchain::header::{Header, EMPTY_OMMERS_HASH};
use ember_blockchain::json::{self as j, hex_bytes, hex_quantity, Alloc};
use ember_blockchain::ChainConfig;

/// Exit code: execution failed.
pub const ERROR_EVM: u8 = 2;
/// Exit code: the configuration (fork, env) is unusable.
pub const ERROR_CONFIG: u8 = 3;
/// Exit code: BLOCKHASH asked for a hash `env.blockHashes` lacks.
pub const ERROR_MISSING_BLOCKHASH: u8 = 4;
/// Exit code: malformed JSON input.
pub const ERROR_JSON: u8 = 10;
/// Exit code: reading or writing failed.
pub const ERROR_IO: u8 = 11;
/// Exit code: malformed RLP input.
pub const ERROR_RLP: u8 = 12;

/// A t8n failure with its exit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct T8nError {
    /// geth's exit code.
    pub code: u8,
    /// What went wrong.
    pub message: String,
}

impl T8nError {
    /// An error with `code`.
    pub fn new(code: u8, message: impl Into<String>) -> T8nError {
        T8nError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for T8nError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ERROR({}): {}", self.code, self.message)
    }
}

impl std::error::Error for T8nError {}

/// The transactions input.
#[derive(Clone, Debug)]
pub enum TxsInput {
    /// A JSON array of transactions (signed, or with `secretKey` and a zero signature).
    Json(Value),
    /// The RLP list of signed transactions.
    Rlp(Bytes),
}

/// The options of a transition.
#[derive(Clone, Debug)]
pub struct T8nOptions {
    /// `--state.fork`: a fork or transition network name.
    pub fork: String,
    /// `--state.chainid`.
    pub chain_id: u64,
    /// `--state.reward`: the block reward in wei; negative disables rewards.
    pub reward: i64,
}

/// What a transition produces.
#[derive(Clone, Debug)]
pub struct T8nOutput {
    /// The post-state, geth's `alloc` format.
    pub alloc: Value,
    /// The result object.
    pub result: Value,
    /// The RLP list of the included transactions.
    pub body: Bytes,
}

/// The t8n state: the allocation in memory, and BLOCKHASH answered from `env.blockHashes`
/// only, remembering a miss.
struct T8nDb {
    db: InMemoryDb,
    hashes: Option<HashMap<u64, B256>>,
    missing: Option<String>,
}

impl Database for T8nDb {
    type Error = std::convert::Infallible;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Self::Error> {
        self.db.basic(address)
    }

    fn code_by_hash(&mut self, hash: B256) -> Result<Bytecode, Self::Error> {
        self.db.code_by_hash(hash)
    }

    fn storage(&mut self, address: Address, key: U256) -> Result<U256, Self::Error> {
        self.db.storage(address, key)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error> {
        let found = self.hashes.as_ref().and_then(|h| h.get(&number).copied());
        if found.is_none() && self.missing.is_none() {
            self.missing = Some(match self.hashes {
                None => format!("getHash({number}) invoked, no blockhashes provided"),
                Some(_) => {
                    format!("getHash({number}) invoked, blockhash for that block not provided")
                }
            });
        }
        Ok(found.unwrap_or_default())
    }

    fn has_storage(&mut self, address: Address) -> Result<bool, Self::Error> {
        self.db.has_storage(address)
    }
}

impl DatabaseCommit for T8nDb {
    fn commit(&mut self, changes: &StateChanges) {
        self.db.commit(changes)
    }
}

impl BlockDatabase for T8nDb {
    fn state_root(&mut self) -> B256 {
        self.db.state_root()
    }
}

/// The parsed `env`.
#[derive(Debug, Default)]
struct Env {
    coinbase: Address,
    gas_limit: u64,
    number: u64,
    timestamp: u64,
    difficulty: Option<U256>,
    random: Option<B256>,
    parent_difficulty: Option<U256>,
    parent_base_fee: Option<U256>,
    parent_gas_used: u64,
    parent_gas_limit: u64,
    parent_timestamp: u64,
    block_hashes: Option<HashMap<u64, B256>>,
    ommers: Vec<OmmerReward>,
    withdrawals: Option<Vec<Withdrawal>>,
    base_fee: Option<U256>,
    parent_uncle_hash: B256,
    excess_blob_gas: Option<u64>,
    parent_excess_blob_gas: Option<u64>,
    parent_blob_gas_used: Option<u64>,
    parent_beacon_block_root: Option<B256>,
}

fn json_err(message: String) -> T8nError {
    T8nError::new(ERROR_JSON, message)
}

fn parse_env(v: &Value) -> Result<Env, T8nError> {
    let o = j::object(v, "env").map_err(json_err)?;
    let req = |key: &str| {
        o.get(key)
            .filter(|v| !v.is_null())
            .ok_or_else(|| json_err(format!("env: missing required field '{key}'")))
    };
    let opt = |key: &str| o.get(key).filter(|v| !v.is_null());
    let u64_of = |key: &str, v: &Value| j::quantity_u64(v, &format!("env.{key}")).map_err(json_err);
    let u256_of = |key: &str, v: &Value| j::quantity(v, &format!("env.{key}")).map_err(json_err);
    let mut env = Env {
        coinbase: j::address(req("currentCoinbase")?, "env.currentCoinbase").map_err(json_err)?,
        gas_limit: u64_of("currentGasLimit", req("currentGasLimit")?)?,
        number: u64_of("currentNumber", req("currentNumber")?)?,
        timestamp: u64_of("currentTimestamp", req("currentTimestamp")?)?,
        ..Env::default()
    };
    if let Some(v) = opt("currentDifficulty") {
        env.difficulty = Some(u256_of("currentDifficulty", v)?);
    }
    if let Some(v) = opt("currentRandom") {
        env.random = Some(j::word(v, "env.currentRandom").map_err(json_err)?);
    }
    if let Some(v) = opt("parentDifficulty") {
        env.parent_difficulty = Some(u256_of("parentDifficulty", v)?);
    }
    if let Some(v) = opt("parentBaseFee") {
        env.parent_base_fee = Some(u256_of("parentBaseFee", v)?);
    }
    if let Some(v) = opt("parentGasUsed") {
        env.parent_gas_used = u64_of("parentGasUsed", v)?;
    }
    if let Some(v) = opt("parentGasLimit") {
        env.parent_gas_limit = u64_of("parentGasLimit", v)?;
    }
    if let Some(v) = opt("parentTimestamp") {
        env.parent_timestamp = u64_of("parentTimestamp", v)?;
    }
    if let Some(v) = opt("currentBaseFee") {
        env.base_fee = Some(u256_of("currentBaseFee", v)?);
    }
    if let Some(v) = opt("parentUncleHash") {
        env.parent_uncle_hash = j::b256(v, "env.parentUncleHash").map_err(json_err)?;
    }
    if let Some(v) = opt("currentExcessBlobGas") {
        env.excess_blob_gas = Some(u64_of("currentExcessBlobGas", v)?);
    }
    if let Some(v) = opt("parentExcessBlobGas") {
        env.parent_excess_blob_gas = Some(u64_of("parentExcessBlobGas", v)?);
    }
    if let Some(v) = opt("parentBlobGasUsed") {
        env.parent_blob_gas_used = Some(u64_of("parentBlobGasUsed", v)?);
    }
    if let Some(v) = opt("parentBeaconBlockRoot") {
        env.parent_beacon_block_root =
            Some(j::b256(v, "env.parentBeaconBlockRoot").map_err(json_err)?);
    }
    if let Some(v) = opt("blockHashes") {
        let mut hashes = HashMap::new();
        for (k, h) in j::object(v, "env.blockHashes").map_err(json_err)? {
            let n = j::quantity_u64(&Value::String(k.clone()), "env.blockHashes key")
                .map_err(json_err)?;
            hashes.insert(n, j::b256(h, "env.blockHashes").map_err(json_err)?);
        }
        env.block_hashes = Some(hashes);
    }
    if let Some(v) = opt("ommers") {
        let list = v
            .as_array()
            .ok_or_else(|| json_err("env.ommers: expected an array".into()))?;
        for o in list {
            let o = j::object(o, "env.ommers[]").map_err(json_err)?;
            let get = |k: &str| {
                o.get(k)
                    .ok_or_else(|| json_err(format!("env.ommers[]: missing '{k}'")))
            };
            env.ommers.push(OmmerReward {
                delta: u64_of("ommers.delta", get("delta")?)?,
                beneficiary: j::address(get("address")?, "env.ommers.address").map_err(json_err)?,
            });
        }
    }
    if let Some(v) = opt("withdrawals") {
        let list = v
            .as_array()
            .ok_or_else(|| json_err("env.withdrawals: expected an array".into()))?;
        let mut out = Vec::new();
        for w in list {
            let w = j::object(w, "env.withdrawals[]").map_err(json_err)?;
            let get = |k: &str| {
                w.get(k)
                    .ok_or_else(|| json_err(format!("env.withdrawals[]: missing '{k}'")))
            };
            out.push(Withdrawal {
                index: u64_of("withdrawals.index", get("index")?)?,
                validator_index: u64_of("withdrawals.validatorIndex", get("validatorIndex")?)?,
                address: j::address(get("address")?, "env.withdrawals.address")
                    .map_err(json_err)?,
                amount: u64_of("withdrawals.amount", get("amount")?)?,
            });
        }
        env.withdrawals = Some(out);
    }
    Ok(env)
}

/// A transaction field of the JSON input.
struct TxFields<'a> {
    o: &'a Map<String, Value>,
    index: usize,
}

impl TxFields<'_> {
    fn get(&self, keys: &[&str]) -> Option<&Value> {
        keys.iter()
            .find_map(|k| self.o.get(*k))
            .filter(|v| !v.is_null())
    }
    fn what(&self, key: &str) -> String {
        format!("txs[{}].{key}", self.index)
    }
    fn u256(&self, keys: &[&str]) -> Result<U256, String> {
        self.get(keys)
            .map_or(Ok(U256::ZERO), |v| j::quantity(v, &self.what(keys[0])))
    }
    fn u64(&self, keys: &[&str]) -> Result<u64, String> {
        self.get(keys)
            .map_or(Ok(0), |v| j::quantity_u64(v, &self.what(keys[0])))
    }
    fn bytes(&self, keys: &[&str]) -> Result<Bytes, String> {
        self.get(keys)
            .map_or(Ok(Bytes::new()), |v| j::bytes(v, &self.what(keys[0])))
    }
    fn to(&self) -> Result<TxKind, String> {
        match self.get(&["to"]) {
            None => Ok(TxKind::Create),
            Some(Value::String(s)) if s.is_empty() || s == "0x" => Ok(TxKind::Create),
            Some(v) => j::address(v, &self.what("to")).map(TxKind::Call),
        }
    }
    fn access_list(&self) -> Result<Vec<AccessListItem>, String> {
        let Some(v) = self.get(&["accessList"]) else {
            return Ok(Vec::new());
        };
        let list = v
            .as_array()
            .ok_or_else(|| format!("{}: expected an array", self.what("accessList")))?;
        list.iter()
            .map(|item| {
                let o = j::object(item, &self.what("accessList[]"))?;
                let address = j::address(
                    o.get("address").unwrap_or(&Value::Null),
                    &self.what("accessList[].address"),
                )?;
                let keys = match o.get("storageKeys") {
                    Some(Value::Array(keys)) => keys
                        .iter()
                        .map(|k| j::word(k, &self.what("accessList[].storageKeys")))
                        .collect::<Result<Vec<_>, _>>()?,
                    _ => Vec::new(),
                };
                Ok(AccessListItem {
                    address,
                    storage_keys: keys,
                })
            })
            .collect()
    }
}

/// Signs `tx` with `key` (legacy: EIP-155 with `chain_id` when `protected`).
fn sign(tx: &mut Transaction, key: &SecretKey, protected: Option<u64>) -> Result<(), String> {
    if let Transaction::Legacy(legacy) = tx {
        legacy.v = match protected {
            Some(chain_id) => U256::from(chain_id) * U256::from(2) + U256::from(35),
            None => U256::from(27),
        };
    }
    let hash = tx.signature_hash();
    let msg = Message::from_digest(hash.0);
    let sig = SECP256K1.sign_ecdsa_recoverable(msg, key);
    let (recid, bytes) = sig.serialize_compact();
    let parity = i32::from(recid) as u64;
    let r = U256::from_be_slice(&bytes[..32]);
    let s = U256::from_be_slice(&bytes[32..]);
    match tx {
        Transaction::Legacy(t) => {
            t.v += U256::from(parity);
            if protected.is_none() {
                t.v = U256::from(27 + parity);
            }
            t.r = r;
            t.s = s;
        }
        Transaction::AccessList(t) => (t.y_parity, t.r, t.s) = (U256::from(parity), r, s),
        Transaction::FeeMarket(t) => (t.y_parity, t.r, t.s) = (U256::from(parity), r, s),
        Transaction::Blob(t) => (t.y_parity, t.r, t.s) = (U256::from(parity), r, s),
        Transaction::SetCode(t) => (t.y_parity, t.r, t.s) = (U256::from(parity), r, s),
    }
    Ok(())
}

/// Builds one transaction from geth's JSON form, signing it when it has a `secretKey` and
/// a zero signature.
fn parse_tx(v: &Value, index: usize, chain_id: u64, eip155: bool) -> Result<Transaction, String> {
    let o = j::object(v, &format!("txs[{index}]"))?;
    let f = TxFields { o, index };
    let ty = f.u64(&["type"])?;
    let sig_v = f.u256(&["v", "yParity"])?;
    let y_parity = f.u256(&["yParity", "v"])?;
    let r = f.u256(&["r"])?;
    let s = f.u256(&["s"])?;
    let data = f.bytes(&["input", "data"])?;
    let gas_limit = f.u64(&["gas", "gasLimit"])?;
    let nonce = f.u64(&["nonce"])?;
    let value = f.u256(&["value"])?;
    let tx_chain = match f.get(&["chainId"]) {
        Some(v) => j::quantity_u64(v, &f.what("chainId"))?,
        None => chain_id,
    };
    let call_to = || match f.to()? {
        TxKind::Call(a) => Ok(a),
        TxKind::Create => Err(format!("txs[{index}]: this transaction type needs `to`")),
    };
    let mut tx = match ty {
        0 => Transaction::Legacy(TxLegacy {
            nonce,
            gas_price: f.u256(&["gasPrice"])?,
            gas_limit,
            to: f.to()?,
            value,
            data,
            v: sig_v,
            r,
            s,
        }),
        1 => Transaction::AccessList(TxEip2930 {
            chain_id: tx_chain,
            nonce,
            gas_price: f.u256(&["gasPrice"])?,
            gas_limit,
            to: f.to()?,
            value,
            data,
            access_list: f.access_list()?,
            y_parity,
            r,
            s,
        }),
        2 => Transaction::FeeMarket(TxEip1559 {
            chain_id: tx_chain,
            nonce,
            max_priority_fee_per_gas: f.u256(&["maxPriorityFeePerGas"])?,
            max_fee_per_gas: f.u256(&["maxFeePerGas"])?,
            gas_limit,
            to: f.to()?,
            value,
            data,
            access_list: f.access_list()?,
            y_parity,
            r,
            s,
        }),
        3 => {
            let hashes = match f.get(&["blobVersionedHashes"]) {
                Some(Value::Array(list)) => list
                    .iter()
                    .map(|h| j::b256(h, &f.what("blobVersionedHashes")))
                    .collect::<Result<Vec<_>, _>>()?,
                _ => Vec::new(),
            };
            Transaction::Blob(TxEip4844 {
                chain_id: tx_chain,
                nonce,
                max_priority_fee_per_gas: f.u256(&["maxPriorityFeePerGas"])?,
                max_fee_per_gas: f.u256(&["maxFeePerGas"])?,
                gas_limit,
                to: call_to()?,
                value,
                data,
                access_list: f.access_list()?,
                max_fee_per_blob_gas: f.u256(&["maxFeePerBlobGas"])?,
                blob_versioned_hashes: hashes,
                y_parity,
                r,
                s,
            })
        }
        4 => {
            let mut auths = Vec::new();
            if let Some(Value::Array(list)) = f.get(&["authorizationList"]) {
                for a in list {
                    let o = j::object(a, &f.what("authorizationList[]"))?;
                    let af = TxFields { o, index };
                    auths.push(Authorization {
                        chain_id: af.u256(&["chainId"])?,
                        address: j::address(
                            o.get("address").unwrap_or(&Value::Null),
                            &f.what("authorizationList[].address"),
                        )?,
                        nonce: af.u64(&["nonce"])?,
                        y_parity: af.u256(&["yParity", "v"])?,
                        r: af.u256(&["r"])?,
                        s: af.u256(&["s"])?,
                        authority: None,
                    });
                }
            }
            let mut t = TxEip7702 {
                chain_id: tx_chain,
                nonce,
                max_priority_fee_per_gas: f.u256(&["maxPriorityFeePerGas"])?,
                max_fee_per_gas: f.u256(&["maxFeePerGas"])?,
                gas_limit,
                to: call_to()?,
                value,
                data,
                access_list: f.access_list()?,
                authorization_list: auths,
                y_parity,
                r,
                s,
            };
            t.recover_authorities();
            Transaction::SetCode(t)
        }
        other => return Err(format!("txs[{index}]: unknown transaction type {other}")),
    };
    if let Some(key) = f.get(&["secretKey"]) {
        let unsigned = sig_v.is_zero() && r.is_zero() && s.is_zero();
        if unsigned {
            let secret = j::b256(key, &f.what("secretKey"))?;
            let key = SecretKey::from_byte_array(secret.0)
                .map_err(|_| format!("txs[{index}]: invalid secretKey"))?;
            let protected = f
                .get(&["protected"])
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let chain = (protected && eip155).then_some(chain_id);
            sign(&mut tx, &key, chain).map_err(|e| format!("txs[{index}]: {e}"))?;
        }
    }
    Ok(tx)
}

fn alloc_to_db(alloc: &Alloc) -> InMemoryDb {
    let mut db = InMemoryDb::new();
    for (address, account) in alloc {
        let (info, storage) = account.to_state();
        db.insert_account(*address, info, storage);
    }
    db
}

/// geth's post-state dump: balance always, nonce/code/storage when set; storage keys and
/// values as 32-byte hex.
fn dump_alloc(db: &InMemoryDb) -> Value {
    let sorted: BTreeMap<&Address, _> = db.accounts.iter().collect();
    let mut out = Map::new();
    for (address, account) in sorted {
        let mut o = Map::new();
        let info = &account.info;
        if let Some(code) = info.code.as_ref().filter(|c| !c.is_empty()) {
            o.insert("code".into(), json!(hex_bytes(code.original())));
        }
        if !account.storage.is_empty() {
            let storage: BTreeMap<B256, B256> = account
                .storage
                .iter()
                .map(|(k, v)| (B256::from(*k), B256::from(*v)))
                .collect();
            let mut s = Map::new();
            for (k, v) in storage {
                s.insert(k.to_string(), json!(v.to_string()));
            }
            o.insert("storage".into(), Value::Object(s));
        }
        o.insert("balance".into(), json!(hex_quantity(info.balance)));
        if info.nonce != 0 {
            o.insert("nonce".into(), json!(format!("{:#x}", info.nonce)));
        }
        out.insert(format!("{address:#x}"), Value::Object(o));
    }
    Value::Object(out)
}

/// The block hash t8n puts in receipts and logs (geth's placeholder `0x1337…`).
fn placeholder_block_hash() -> B256 {
    let mut h = B256::ZERO;
    h.0[0] = 0x13;
    h.0[1] = 0x37;
    h
}

fn log_json(log: &Log, number: u64, tx_hash: B256, tx_index: usize, log_index: usize) -> Value {
    json!({
        "address": format!("{:#x}", log.address),
        "topics": log.topics.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
        "data": hex_bytes(&log.data),
        "blockNumber": format!("{number:#x}"),
        "transactionHash": tx_hash.to_string(),
        "transactionIndex": format!("{tx_index:#x}"),
        "blockHash": placeholder_block_hash().to_string(),
        "logIndex": format!("{log_index:#x}"),
        "removed": false,
    })
}

/// Runs a transition.
pub fn transition(
    alloc: &Value,
    env: &Value,
    txs: &TxsInput,
    options: &T8nOptions,
) -> Result<T8nOutput, T8nError> {
    transition_inspected(alloc, env, txs, options, NoopInspector, &mut ())
}

/// Runs a transition with an inspector and hooks around each transaction (see
/// [`execute_block_inspected`]); `ember t8n --trace` writes its trace files with them.
pub fn transition_inspected<I: Inspector>(
    alloc: &Value,
    env: &Value,
    txs: &TxsInput,
    options: &T8nOptions,
    inspector: I,
    hooks: &mut dyn TxHooks<I>,
) -> Result<T8nOutput, T8nError> {
    let config = ChainConfig::for_network(&options.fork, options.chain_id).map_err(|e| {
        T8nError::new(
            ERROR_CONFIG,
            format!("failed constructing chain configuration: {e}"),
        )
    })?;
    let alloc = j::parse_alloc(alloc, "alloc").map_err(json_err)?;
    let env = parse_env(env)?;
    let fork = config.fork_at(env.number, env.timestamp);
    let spec = Spec::of(fork);

    // Transactions: decoded from RLP, or built (and signed) from JSON.
    let mut prepared: Vec<Transaction> = match txs {
        TxsInput::Rlp(bytes) => decode_transactions(bytes)
            .map_err(|e| T8nError::new(ERROR_RLP, format!("failed decoding txs: {e}")))?,
        TxsInput::Json(Value::Null) => Vec::new(),
        TxsInput::Json(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, v)| parse_tx(v, i, options.chain_id, spec.eip155))
            .collect::<Result<_, _>>()
            .map_err(|e| json_err(format!("failed reading transactions: {e}")))?,
        TxsInput::Json(_) => {
            return Err(json_err("txs: expected an array".into()));
        }
    };

    // The block environment, computing what the env leaves to the tool.
    let base_fee = if spec.tx_fee_market {
        match (env.base_fee, env.parent_base_fee) {
            (Some(fee), _) => Some(fee),
            (None, Some(parent_fee)) if env.number != 0 => Some(calc_base_fee(
                env.parent_gas_limit,
                env.parent_gas_used,
                parent_fee,
            )),
            _ => {
                return Err(T8nError::new(
                    ERROR_CONFIG,
                    "EIP-1559 config but missing 'currentBaseFee' in env section",
                ))
            }
        }
    } else {
        env.base_fee
    };
    let spec = Spec::of(fork);
    if spec.withdrawals && env.withdrawals.is_none() {
        return Err(T8nError::new(
            ERROR_CONFIG,
            "Shanghai config but missing 'withdrawals' in env section",
        ));
    }
    let difficulty = if spec.proof_of_stake {
        if env.random.is_none() {
            return Err(T8nError::new(
                ERROR_CONFIG,
                "post-merge requires currentRandom to be defined in env",
            ));
        }
        if env.difficulty.is_some_and(|d| !d.is_zero()) {
            return Err(T8nError::new(
                ERROR_CONFIG,
                "post-merge difficulty must be zero (or omitted) in env",
            ));
        }
        None
    } else if let Some(d) = env.difficulty {
        Some(d)
    } else {
        let Some(parent_difficulty) = env.parent_difficulty else {
            return Err(T8nError::new(
                ERROR_CONFIG,
                "currentDifficulty was not provided, and cannot be calculated due to missing parentDifficulty",
            ));
        };
        if env.number == 0 {
            return Err(T8nError::new(
                ERROR_CONFIG,
                "currentDifficulty needs to be provided for block number 0",
            ));
        }
        if env.timestamp <= env.parent_timestamp {
            return Err(T8nError::new(
                ERROR_CONFIG,
                format!(
                    "currentDifficulty cannot be calculated -- currentTime ({}) needs to be after parent time ({})",
                    env.timestamp, env.parent_timestamp
                ),
            ));
        }
        let uncles =
            env.parent_uncle_hash != B256::ZERO && env.parent_uncle_hash != EMPTY_OMMERS_HASH;
        Some(calc_difficulty(
            fork,
            env.number,
            env.timestamp,
            env.parent_timestamp,
            parent_difficulty,
            uncles,
        ))
    };
    let blob_params = config.blob_params(fork);
    let excess_blob_gas = match (env.excess_blob_gas, blob_params) {
        (Some(x), _) => Some(x),
        (None, Some(params)) => match (env.parent_excess_blob_gas, env.parent_blob_gas_used) {
            (Some(excess), Some(used)) => {
                let parent = Header {
                    excess_blob_gas: Some(excess),
                    blob_gas_used: Some(used),
                    base_fee_per_gas: env.parent_base_fee,
                    ..Header::default()
                };
                Some(calc_excess_blob_gas(fork, params, &parent))
            }
            _ => None,
        },
        (None, None) => None,
    };
    let blob_gas_known = excess_blob_gas.is_some() && blob_params.is_some();

    // Leave out what cannot run; remember where each runnable transaction came from.
    let mut rejected: Vec<(usize, String)> = Vec::new();
    let mut runnable = Vec::new();
    let mut origin = Vec::new();
    for (i, tx) in prepared.drain(..).enumerate() {
        match tx {
            tx if matches!(tx, Transaction::Blob(_)) && !blob_gas_known => rejected.push((
                i,
                "blob tx used but field env.ExcessBlobGas missing".to_string(),
            )),
            tx => {
                origin.push(i);
                runnable.push(tx);
            }
        }
    }

    let ctx = BlockContext {
        fork,
        number: env.number,
        timestamp: env.timestamp,
        gas_limit: env.gas_limit,
        coinbase: env.coinbase,
        base_fee: base_fee.unwrap_or_default(),
        difficulty: difficulty.unwrap_or_default(),
        prevrandao: env.random.unwrap_or_default(),
        excess_blob_gas,
        parent_hash: env.block_hashes.as_ref().map(|h| {
            h.get(&env.number.wrapping_sub(1))
                .copied()
                .unwrap_or_default()
        }),
        parent_beacon_block_root: env.parent_beacon_block_root,
    };
    let options_exec = ExecuteOptions {
        mode: ExecutionMode::Block,
        on_invalid_tx: InvalidTxPolicy::Skip,
        reward: (options.reward >= 0).then(|| U256::from(options.reward as u64)),
        ommers: env.ommers.clone(),
        precompile_cache: None,
        allow_sender_with_code: false,
    };
    let db = T8nDb {
        db: alloc_to_db(&alloc),
        hashes: env.block_hashes.clone(),
        missing: None,
    };
    let (execution, mut db) = execute_block_inspected(
        db,
        &config,
        &ctx,
        &runnable,
        env.withdrawals.as_deref(),
        &options_exec,
        inspector,
        hooks,
    )
    .map_err(|e| T8nError::new(ERROR_EVM, e.to_string()))?;
    if let Some(missing) = db.missing.take() {
        return Err(T8nError::new(ERROR_MISSING_BLOCKHASH, missing));
    }
    rejected.extend(
        execution
            .rejected
            .iter()
            .map(|(i, e)| (origin[*i], e.clone())),
    );
    rejected.sort_by_key(|r| r.0);

    let blob_base_fee = match (blob_params, excess_blob_gas) {
        (Some(p), Some(x)) => Some(U256::from(p.base_fee(x))),
        _ => None,
    };
    let mut log_index = 0usize;
    let receipts: Vec<Value> = execution
        .transactions
        .iter()
        .enumerate()
        .map(|(tx_index, o)| {
            let r = &o.receipt;
            let mut m = Map::new();
            let ty = r.tx_type as u8;
            if ty != 0 {
                m.insert("type".into(), json!(format!("{ty:#x}")));
            }
            let root = match r.outcome {
                ember_blockchain::ReceiptOutcome::StateRoot(root) => hex_bytes(root.as_slice()),
                ember_blockchain::ReceiptOutcome::Status(_) => "0x".to_string(),
            };
            m.insert("root".into(), json!(root));
            m.insert(
                "status".into(),
                json!(if r.succeeded() { "0x1" } else { "0x0" }),
            );
            m.insert(
                "cumulativeGasUsed".into(),
                json!(format!("{:#x}", r.cumulative_gas_used)),
            );
            m.insert("logsBloom".into(), json!(r.bloom.to_string()));
            let logs: Vec<Value> = r
                .logs
                .iter()
                .map(|l| {
                    let v = log_json(l, env.number, o.hash, tx_index, log_index);
                    log_index += 1;
                    v
                })
                .collect();
            m.insert(
                "logs".into(),
                if logs.is_empty() {
                    Value::Null
                } else {
                    Value::Array(logs)
                },
            );
            m.insert("transactionHash".into(), json!(o.hash.to_string()));
            m.insert(
                "contractAddress".into(),
                json!(format!("{:#x}", o.contract_address.unwrap_or_default())),
            );
            m.insert("gasUsed".into(), json!(format!("{:#x}", o.gas_used)));
            m.insert(
                "effectiveGasPrice".into(),
                json!(hex_quantity(o.effective_gas_price)),
            );
            if o.blob_gas_used > 0 {
                m.insert(
                    "blobGasUsed".into(),
                    json!(format!("{:#x}", o.blob_gas_used)),
                );
                if let Some(fee) = blob_base_fee {
                    m.insert("blobGasPrice".into(), json!(hex_quantity(fee)));
                }
            }
            m.insert(
                "blockHash".into(),
                json!(placeholder_block_hash().to_string()),
            );
            m.insert("blockNumber".into(), json!(format!("{:#x}", env.number)));
            m.insert("transactionIndex".into(), json!(format!("{tx_index:#x}")));
            Value::Object(m)
        })
        .collect();

    let mut result = Map::new();
    result.insert("stateRoot".into(), json!(execution.state_root.to_string()));
    result.insert(
        "txRoot".into(),
        json!(execution.transactions_root.to_string()),
    );
    result.insert(
        "receiptsRoot".into(),
        json!(execution.receipts_root.to_string()),
    );
    result.insert(
        "logsHash".into(),
        json!(logs_hash(&execution.logs).to_string()),
    );
    result.insert("logsBloom".into(), json!(execution.logs_bloom.to_string()));
    result.insert("receipts".into(), Value::Array(receipts));
    if !rejected.is_empty() {
        result.insert(
            "rejected".into(),
            Value::Array(
                rejected
                    .iter()
                    .map(|(i, e)| json!({"index": i, "error": e}))
                    .collect(),
            ),
        );
    }
    result.insert(
        "currentDifficulty".into(),
        difficulty.map_or(Value::Null, |d| json!(hex_quantity(d))),
    );
    result.insert(
        "gasUsed".into(),
        json!(format!("{:#x}", execution.gas_used)),
    );
    if let Some(fee) = base_fee {
        result.insert("currentBaseFee".into(), json!(hex_quantity(fee)));
    }
    if let Some(root) = execution.withdrawals_root {
        result.insert("withdrawalsRoot".into(), json!(root.to_string()));
    }
    if blob_base_fee.is_some() {
        result.insert(
            "currentExcessBlobGas".into(),
            json!(format!("{:#x}", excess_blob_gas.unwrap_or(0))),
        );
        result.insert(
            "blobGasUsed".into(),
            json!(format!("{:#x}", execution.blob_gas_used)),
        );
    }
    if let Some(hash) = execution.requests_hash {
        result.insert("requestsHash".into(), json!(hash.to_string()));
    }
    result.insert(
        "requests".into(),
        match &execution.requests {
            Some(requests) => Value::Array(requests.iter().map(|r| json!(hex_bytes(r))).collect()),
            None => Value::Null,
        },
    );

    let included: Vec<Transaction> = execution
        .transactions
        .iter()
        .map(|o| runnable[o.index].clone())
        .collect();
    Ok(T8nOutput {
        alloc: dump_alloc(&db.db),
        result: Value::Object(result),
        body: encode_transactions(&included).into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Value {
        json!({
            "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba",
            "currentGasLimit": "0x1000000",
            "currentNumber": "0x1",
            "currentTimestamp": "0x3e8",
            "currentRandom": "0x0",
            "currentBaseFee": "0x7",
            "currentExcessBlobGas": "0x0",
            "parentBeaconBlockRoot": B256::ZERO.to_string(),
            "withdrawals": [],
        })
    }

    fn options(fork: &str) -> T8nOptions {
        T8nOptions {
            fork: fork.into(),
            chain_id: 1,
            reward: -1,
        }
    }

    #[test]
    fn signs_and_runs_a_transfer() {
        let sender = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
        let alloc = json!({ sender: {"balance": "0x3635c9adc5dea00000"} });
        let txs = json!([{
            "type": "0x2", "chainId": "0x1", "nonce": "0x0", "maxFeePerGas": "0x10",
            "maxPriorityFeePerGas": "0x1", "gas": "0x5208",
            "to": "0x2000000000000000000000000000000000000002", "value": "0x1", "input": "0x",
            "v": "0x0", "r": "0x0", "s": "0x0",
            "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"
        }, {
            "type": "0x2", "chainId": "0x1", "nonce": "0x7", "maxFeePerGas": "0x10",
            "maxPriorityFeePerGas": "0x1", "gas": "0x5208",
            "to": "0x2000000000000000000000000000000000000002", "value": "0x1", "input": "0x",
            "v": "0x0", "r": "0x0", "s": "0x0",
            "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"
        }]);
        let out = transition(&alloc, &env(), &TxsInput::Json(txs), &options("Cancun")).unwrap();
        assert_eq!(out.result["gasUsed"], "0x5208");
        assert_eq!(out.result["rejected"][0]["index"], 1);
        assert_eq!(out.result["receipts"][0]["status"], "0x1");
        assert_eq!(
            out.alloc["0x2000000000000000000000000000000000000002"]["balance"],
            "0x1"
        );
        // the body holds the included transaction only, and decodes back
        assert_eq!(decode_transactions(&out.body).unwrap().len(), 1);
    }

    #[test]
    fn configuration_errors() {
        let alloc = json!({});
        let txs = TxsInput::Json(json!([]));
        let e = transition(&alloc, &env(), &txs, &options("Atlantis")).unwrap_err();
        assert_eq!(e.code, ERROR_CONFIG);
        let mut no_fee = env();
        no_fee.as_object_mut().unwrap().remove("currentBaseFee");
        let e = transition(&alloc, &no_fee, &txs, &options("London")).unwrap_err();
        assert_eq!(e.code, ERROR_CONFIG);
        let e = transition(&alloc, &json!({}), &txs, &options("London")).unwrap_err();
        assert_eq!(e.code, ERROR_JSON);
        let e = transition(
            &alloc,
            &env(),
            &TxsInput::Rlp(Bytes::from_static(&[0xc1])),
            &options("Cancun"),
        )
        .unwrap_err();
        assert_eq!(e.code, ERROR_RLP);
    }
}
