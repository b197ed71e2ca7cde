//! Reading fixture files into [`Case`]s.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ember_primitives::{
    AccessListItem, Address, Authorization, BlobParams, BlockEnv, Bytes, Fork, TxEnv, TxKind,
    TxType, B256, U256,
};
use serde_json::{Map, Value};

use crate::Filler;
use crate::{sign, Case, PreAccount};
use ember_primitives::hex_parse::{self as hex, HexError};

/// Why a path could not be turned into cases. Every message names the file, and for a bad
/// value also the test and the JSON field.
#[derive(Debug)]
pub enum LoadError {
    /// The path does not exist.
    NotFound {
        /// The missing path.
        path: PathBuf,
    },
    /// The file or directory could not be read.
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid JSON.
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error, with line and column.
        source: serde_json::Error,
    },
    /// The file is a JSON object without any test.
    NoTests {
        /// The file.
        path: PathBuf,
    },
    /// A field is missing, has the wrong JSON type or an unusable value.
    Field {
        /// The file.
        path: PathBuf,
        /// The test, unless the problem is the file's top level.
        test: Option<String>,
        /// The field, as a path like `transaction.gasLimit[2]` or `post.Cancun[0].hash`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
}

impl LoadError {
    /// The file or directory the error is about.
    pub fn path(&self) -> &Path {
        match self {
            LoadError::NotFound { path }
            | LoadError::Io { path, .. }
            | LoadError::Json { path, .. }
            | LoadError::NoTests { path }
            | LoadError::Field { path, .. } => path,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotFound { path } => {
                write!(f, "{}: no such file or directory", path.display())
            }
            LoadError::Io { path, source } => {
                write!(f, "{}: cannot read: {source}", path.display())
            }
            LoadError::Json { path, source } => {
                write!(f, "{}: malformed JSON: {source}", path.display())
            }
            LoadError::NoTests { path } => write!(f, "{}: holds no test", path.display()),
            LoadError::Field {
                path,
                test,
                field,
                message,
            } => {
                write!(f, "{}: ", path.display())?;
                if let Some(test) = test {
                    write!(f, "test `{test}`: ")?;
                }
                write!(f, "{field}: {message}")
            }
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            LoadError::Json { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Post entries of a fork name that [`Fork`] does not know; they are counted as skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The test.
    pub test: String,
    /// The unknown fork name.
    pub fork: String,
    /// How many post entries it had.
    pub cases: usize,
}

/// Everything one file yields.
#[derive(Clone, Debug, Default)]
pub struct LoadedFile {
    /// The executable cases, test by test, each test's forks oldest first.
    pub cases: Vec<Case>,
    /// Post entries under fork names that could not be parsed.
    pub skipped: Vec<Skipped>,
}

/// Loads one fixture file into its cases. Post entries under unknown fork names are dropped;
/// use [`load`] to see them.
pub fn load_file(path: &Path) -> Result<Vec<Case>, LoadError> {
    load(path).map(|loaded| loaded.cases)
}

/// Collects the fixture files of `path`: the file itself, or every `*.json` file below a
/// directory (recursively), sorted.
pub fn collect_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let meta = fs::metadata(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            LoadError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            LoadError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let io = |source| LoadError::Io {
            path: dir.clone(),
            source,
        };
        for entry in fs::read_dir(&dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let p = entry.path();
            let is_dir = match entry.file_type().map_err(io)? {
                t if t.is_symlink() => fs::metadata(&p).map(|m| m.is_dir()).unwrap_or(false),
                t => t.is_dir(),
            };
            if is_dir {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Loads one fixture file: its cases and the post entries it had to skip.
pub fn load(path: &Path) -> Result<LoadedFile, LoadError> {
    let text = fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    load_slice(path, &text)
}

/// Loads a fixture from its bytes, as [`load`] does the file's: `path` only names the
/// file in the cases and in errors (nothing is read from it). Any bytes give cases or a
/// [`LoadError`], never a panic (the `statetest_json` fuzz target checks it).
pub fn load_slice(path: &Path, text: &[u8]) -> Result<LoadedFile, LoadError> {
    let root: Value = serde_json::from_slice(text).map_err(|source| LoadError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    let Value::Object(tests) = root else {
        return Err(LoadError::Field {
            path: path.to_path_buf(),
            test: None,
            field: "top level".into(),
            message: format!("expected an object of named tests, found {}", kind(&root)),
        });
    };
    if tests.is_empty() {
        return Err(LoadError::NoTests {
            path: path.to_path_buf(),
        });
    }
    let file = Arc::new(path.to_path_buf());
    let mut out = LoadedFile::default();
    for (name, test) in &tests {
        let cx = Cx { path, test: name };
        load_test(&cx, &file, test, &mut out)?;
    }
    Ok(out)
}

/// The JSON type of a value, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Where in the file we are: builds errors that name file, test and field.
struct Cx<'a> {
    path: &'a Path,
    test: &'a str,
}

/// A field result: the outer error is a malformed file, the inner one a value the fixture
/// spells correctly but that cannot be in a transaction (an invalid transaction).
type TxField<T> = Result<Result<T, String>, LoadError>;

impl Cx<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> LoadError {
        LoadError::Field {
            path: self.path.to_path_buf(),
            test: Some(self.test.to_string()),
            field: field.to_string(),
            message: message.into(),
        }
    }

    fn object<'v>(&self, v: &'v Value, field: &str) -> Result<&'v Map<String, Value>, LoadError> {
        v.as_object()
            .ok_or_else(|| self.err(field, format!("expected an object, found {}", kind(v))))
    }

    fn array<'v>(&self, v: &'v Value, field: &str) -> Result<&'v Vec<Value>, LoadError> {
        v.as_array()
            .ok_or_else(|| self.err(field, format!("expected an array, found {}", kind(v))))
    }

    fn str<'v>(&self, v: &'v Value, field: &str) -> Result<&'v str, LoadError> {
        v.as_str()
            .ok_or_else(|| self.err(field, format!("expected a string, found {}", kind(v))))
    }

    /// A required member of `obj`, whose own path is `prefix` (empty at a test's top).
    fn get<'v>(
        &self,
        obj: &'v Map<String, Value>,
        prefix: &str,
        key: &str,
    ) -> Result<&'v Value, LoadError> {
        match obj.get(key) {
            Some(Value::Null) | None => Err(self.err(&join(prefix, key), "missing")),
            Some(v) => Ok(v),
        }
    }

    /// A hex value where any error, overflow included, makes the file malformed.
    fn hex<T>(
        &self,
        v: &Value,
        field: &str,
        parse: fn(&str) -> Result<T, HexError>,
    ) -> Result<T, LoadError> {
        parse(self.str(v, field)?).map_err(|e| self.err(field, e.to_string()))
    }

    /// A quantity given as a hex string or (leniently) a JSON integer.
    fn quantity<T: Quantity>(
        &self,
        v: &Value,
        field: &str,
        parse: fn(&str) -> Result<T, HexError>,
    ) -> Result<T, LoadError> {
        match v.as_u64() {
            Some(n) => Ok(T::from_u64(n)),
            None => self.hex(v, field, parse),
        }
    }

    /// A transaction quantity: too wide a value is an invalid transaction, not a bad file.
    fn tx_quantity<T: Quantity>(
        &self,
        v: &Value,
        field: &str,
        parse: fn(&str) -> Result<T, HexError>,
    ) -> TxField<T> {
        if let Some(n) = v.as_u64() {
            return Ok(Ok(T::from_u64(n)));
        }
        match parse(self.str(v, field)?) {
            Ok(x) => Ok(Ok(x)),
            Err(e) if e.is_overflow() => Ok(Err(format!("{field}: {e}"))),
            Err(e) => Err(self.err(field, e.to_string())),
        }
    }

    /// An optional transaction quantity (absent or null is `None`).
    fn opt_tx_quantity<T: Quantity>(
        &self,
        obj: &Map<String, Value>,
        key: &str,
        parse: fn(&str) -> Result<T, HexError>,
    ) -> Result<Option<Result<T, String>>, LoadError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => self
                .tx_quantity(v, &join("transaction", key), parse)
                .map(Some),
        }
    }

    /// A list index: a JSON integer.
    fn index(&self, v: &Value, field: &str) -> Result<usize, LoadError> {
        v.as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| self.err(field, format!("expected an index, found {v}")))
    }
}

/// A number type a fixture quantity can be parsed into.
trait Quantity: Sized {
    fn from_u64(n: u64) -> Self;
}

impl Quantity for u64 {
    fn from_u64(n: u64) -> Self {
        n
    }
}

impl Quantity for U256 {
    fn from_u64(n: u64) -> Self {
        U256::from(n)
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The transaction fields of a test, parsed once and combined per post entry.
struct TxTemplate {
    caller: Address,
    kind: TxKind,
    nonce: Result<u64, String>,
    /// `gasPrice`, or `maxFeePerGas` for fee-market types.
    fee_cap: Result<U256, String>,
    /// `maxPriorityFeePerGas` (defaults to the fee cap) when `maxFeePerGas` is present.
    priority_fee: Option<Result<U256, String>>,
    max_fee_per_blob_gas: Result<U256, String>,
    blob_hashes: Option<Vec<B256>>,
    authorization_list: Option<Result<Vec<Authorization>, String>>,
    data: Vec<Bytes>,
    gas_limits: Vec<Result<u64, String>>,
    values: Vec<Result<U256, String>>,
    /// `accessLists`, one per data index, `None` where null.
    access_lists: Option<Vec<Option<Vec<AccessListItem>>>>,
}

impl TxTemplate {
    fn parse(cx: &Cx<'_>, tx: &Map<String, Value>) -> Result<Self, LoadError> {
        const T: &str = "transaction";
        let caller = match tx.get("sender") {
            Some(v) if !v.is_null() && v.as_str() != Some("") => {
                cx.hex(v, "transaction.sender", hex::parse_address)?
            }
            _ => {
                let key = cx.hex(
                    cx.get(tx, T, "secretKey")?,
                    "transaction.secretKey",
                    hex::parse_b256,
                )?;
                sign::address_from_secret_key(&key)
                    .map_err(|e| cx.err("transaction.secretKey", e))?
            }
        };
        let kind = match tx.get("to") {
            None | Some(Value::Null) => TxKind::Create,
            Some(v) => match cx.str(v, "transaction.to")? {
                "" => TxKind::Create,
                s => TxKind::Call(
                    hex::parse_address(s).map_err(|e| cx.err("transaction.to", e.to_string()))?,
                ),
            },
        };
        let nonce = cx.tx_quantity(cx.get(tx, T, "nonce")?, "transaction.nonce", hex::parse_u64)?;

        let gas_price = cx.opt_tx_quantity(tx, "gasPrice", hex::parse_u256)?;
        let max_fee = cx.opt_tx_quantity(tx, "maxFeePerGas", hex::parse_u256)?;
        let max_priority = cx.opt_tx_quantity(tx, "maxPriorityFeePerGas", hex::parse_u256)?;
        let (fee_cap, priority_fee) = match (max_fee, gas_price) {
            (Some(cap), _) => {
                let tip = max_priority.unwrap_or_else(|| cap.clone());
                (cap, Some(tip))
            }
            (None, Some(price)) => (price, None),
            (None, None) => {
                return Err(cx.err("transaction.gasPrice", "missing (and no maxFeePerGas)"))
            }
        };
        let max_fee_per_blob_gas = cx
            .opt_tx_quantity(tx, "maxFeePerBlobGas", hex::parse_u256)?
            .unwrap_or(Ok(U256::ZERO));

        let blob_hashes = match tx.get("blobVersionedHashes") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let list = cx.array(v, "transaction.blobVersionedHashes")?;
                let mut hashes = Vec::with_capacity(list.len());
                for (i, h) in list.iter().enumerate() {
                    hashes.push(cx.hex(
                        h,
                        &format!("transaction.blobVersionedHashes[{i}]"),
                        hex::parse_b256,
                    )?);
                }
                Some(hashes)
            }
        };

        let authorization_list = match tx.get("authorizationList") {
            None | Some(Value::Null) => None,
            Some(v) => Some(parse_authorizations(cx, v)?),
        };

        let data = cx.array(cx.get(tx, T, "data")?, "transaction.data")?;
        let data = data
            .iter()
            .enumerate()
            .map(|(i, d)| cx.hex(d, &format!("transaction.data[{i}]"), hex::parse_bytes))
            .collect::<Result<Vec<_>, _>>()?;
        let gas_limits = cx.array(cx.get(tx, T, "gasLimit")?, "transaction.gasLimit")?;
        let gas_limits = gas_limits
            .iter()
            .enumerate()
            .map(|(i, g)| cx.tx_quantity(g, &format!("transaction.gasLimit[{i}]"), hex::parse_u64))
            .collect::<Result<Vec<_>, _>>()?;
        let values = cx.array(cx.get(tx, T, "value")?, "transaction.value")?;
        let values = values
            .iter()
            .enumerate()
            .map(|(i, v)| cx.tx_quantity(v, &format!("transaction.value[{i}]"), hex::parse_u256))
            .collect::<Result<Vec<_>, _>>()?;

        let access_lists = match tx.get("accessLists") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let lists = cx.array(v, "transaction.accessLists")?;
                let mut out = Vec::with_capacity(lists.len());
                for (i, list) in lists.iter().enumerate() {
                    let field = format!("transaction.accessLists[{i}]");
                    out.push(match list {
                        Value::Null => None,
                        list => Some(parse_access_list(cx, list, &field)?),
                    });
                }
                Some(out)
            }
        };

        Ok(TxTemplate {
            caller,
            kind,
            nonce,
            fee_cap,
            priority_fee,
            max_fee_per_blob_gas,
            blob_hashes,
            authorization_list,
            data,
            gas_limits,
            values,
            access_lists,
        })
    }

    /// The transaction of one `(data, gas, value)` combination.
    fn build(&self, (d, g, v): (usize, usize, usize), chain_id: u64) -> Result<TxEnv, String> {
        let access_list = self
            .access_lists
            .as_ref()
            .and_then(|l| l.get(d).cloned().flatten());
        let tx_type = if self.authorization_list.is_some() {
            TxType::SetCode
        } else if self.blob_hashes.is_some() {
            TxType::Blob
        } else if self.priority_fee.is_some() {
            TxType::FeeMarket
        } else if access_list.is_some() {
            TxType::AccessList
        } else {
            TxType::Legacy
        };
        let authorization_list = match &self.authorization_list {
            Some(list) => list.clone()?,
            None => Vec::new(),
        };
        Ok(TxEnv {
            tx_type,
            caller: self.caller,
            gas_limit: self.gas_limits[g].clone()?,
            gas_price: self.fee_cap.clone()?,
            gas_priority_fee: self.priority_fee.clone().transpose()?,
            kind: self.kind,
            value: self.values[v].clone()?,
            data: self.data[d].clone(),
            nonce: self.nonce.clone()?,
            chain_id: (tx_type != TxType::Legacy).then_some(chain_id),
            access_list: access_list.unwrap_or_default(),
            blob_hashes: self.blob_hashes.clone().unwrap_or_default(),
            max_fee_per_blob_gas: self.max_fee_per_blob_gas.clone()?,
            authorization_list,
        })
    }
}

fn parse_access_list(
    cx: &Cx<'_>,
    v: &Value,
    field: &str,
) -> Result<Vec<AccessListItem>, LoadError> {
    let items = cx.array(v, field)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = format!("{field}[{i}]");
        let obj = cx.object(item, &field)?;
        let address = cx.hex(
            cx.get(obj, &field, "address")?,
            &format!("{field}.address"),
            hex::parse_address,
        )?;
        let keys_field = format!("{field}.storageKeys");
        let keys = match obj.get("storageKeys") {
            None | Some(Value::Null) => &Vec::new(),
            Some(k) => cx.array(k, &keys_field)?,
        };
        let storage_keys = keys
            .iter()
            .enumerate()
            .map(|(j, k)| cx.hex(k, &format!("{keys_field}[{j}]"), hex::parse_word))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(AccessListItem {
            address,
            storage_keys,
        });
    }
    Ok(out)
}

/// The authorization list; a value too wide for its field makes the transaction invalid.
fn parse_authorizations(cx: &Cx<'_>, v: &Value) -> TxField<Vec<Authorization>> {
    let items = cx.array(v, "transaction.authorizationList")?;
    let mut out = Vec::with_capacity(items.len());
    let mut invalid = None;
    for (i, item) in items.iter().enumerate() {
        let field = format!("transaction.authorizationList[{i}]");
        let obj = cx.object(item, &field)?;
        let q = |key: &str| -> TxField<U256> {
            cx.tx_quantity(
                cx.get(obj, &field, key)?,
                &format!("{field}.{key}"),
                hex::parse_u256,
            )
        };
        let chain_id = q("chainId")?;
        let address = cx.hex(
            cx.get(obj, &field, "address")?,
            &format!("{field}.address"),
            hex::parse_address,
        )?;
        let nonce = cx.tx_quantity(
            cx.get(obj, &field, "nonce")?,
            &format!("{field}.nonce"),
            hex::parse_u64,
        )?;
        let y_parity = if obj.get("yParity").is_some_and(|v| !v.is_null()) {
            q("yParity")?
        } else {
            q("v")?
        };
        let r = q("r")?;
        let s = q("s")?;
        match chain_id.and_then(|c| Ok((c, nonce?, y_parity?, r?, s?))) {
            Ok((chain_id, nonce, y_parity, r, s)) => out.push(Authorization {
                chain_id,
                address,
                nonce,
                y_parity,
                r,
                s,
                authority: sign::recover_authority(chain_id, address, nonce, y_parity, r, s),
            }),
            Err(e) => {
                invalid.get_or_insert(e);
            }
        }
    }
    Ok(match invalid {
        Some(e) => Err(e),
        None => Ok(out),
    })
}

fn parse_pre(
    cx: &Cx<'_>,
    pre: &Map<String, Value>,
) -> Result<Vec<(Address, PreAccount)>, LoadError> {
    let mut out = Vec::with_capacity(pre.len());
    for (addr, acc) in pre {
        let field = format!("pre.{addr}");
        let address = hex::parse_address(addr).map_err(|e| cx.err(&field, e.to_string()))?;
        let obj = cx.object(acc, &field)?;
        let balance = match obj.get("balance") {
            None | Some(Value::Null) => U256::ZERO,
            Some(v) => cx.quantity(v, &format!("{field}.balance"), hex::parse_u256)?,
        };
        let nonce = match obj.get("nonce") {
            None | Some(Value::Null) => 0,
            Some(v) => cx.quantity(v, &format!("{field}.nonce"), hex::parse_u64)?,
        };
        let code = match obj.get("code") {
            None | Some(Value::Null) => Bytes::new(),
            Some(v) => cx.hex(v, &format!("{field}.code"), hex::parse_bytes)?,
        };
        let mut storage = Vec::new();
        if let Some(v) = obj.get("storage").filter(|v| !v.is_null()) {
            let slots = cx.object(v, &format!("{field}.storage"))?;
            storage.reserve(slots.len());
            for (k, v) in slots {
                let f = format!("{field}.storage.{k}");
                let key = hex::parse_u256(k).map_err(|e| cx.err(&f, e.to_string()))?;
                storage.push((key, cx.quantity(v, &f, hex::parse_u256)?));
            }
        }
        out.push((
            address,
            PreAccount {
                balance,
                nonce,
                code,
                storage,
            },
        ));
    }
    Ok(out)
}

fn parse_env(cx: &Cx<'_>, env: &Map<String, Value>) -> Result<BlockEnv, LoadError> {
    const E: &str = "env";
    let u64_of = |key: &str| -> Result<u64, LoadError> {
        cx.quantity(cx.get(env, E, key)?, &join(E, key), hex::parse_u64)
    };
    let opt = |key: &str| env.get(key).filter(|v| !v.is_null());
    Ok(BlockEnv {
        number: u64_of("currentNumber")?,
        coinbase: cx.hex(
            cx.get(env, E, "currentCoinbase")?,
            "env.currentCoinbase",
            hex::parse_address,
        )?,
        timestamp: u64_of("currentTimestamp")?,
        gas_limit: u64_of("currentGasLimit")?,
        base_fee: match opt("currentBaseFee") {
            Some(v) => cx.quantity(v, "env.currentBaseFee", hex::parse_u256)?,
            None => U256::ZERO,
        },
        difficulty: match opt("currentDifficulty") {
            Some(v) => cx.quantity(v, "env.currentDifficulty", hex::parse_u256)?,
            None => U256::ZERO,
        },
        prevrandao: match opt("currentRandom") {
            Some(v) => Some(cx.hex(v, "env.currentRandom", hex::parse_word)?),
            None => None,
        },
        excess_blob_gas: match opt("currentExcessBlobGas") {
            Some(v) => Some(cx.quantity(v, "env.currentExcessBlobGas", hex::parse_u64)?),
            None => None,
        },
        blob_params: None,
        extension: Default::default(),
    })
}

/// `config`: the chain id and the blob schedule per fork.
fn parse_config(
    cx: &Cx<'_>,
    test: &Map<String, Value>,
) -> Result<(u64, Vec<(Fork, BlobParams)>), LoadError> {
    let Some(config) = test.get("config").filter(|v| !v.is_null()) else {
        return Ok((1, Vec::new()));
    };
    let config = cx.object(config, "config")?;
    let chain_id = match config.get("chainid").filter(|v| !v.is_null()) {
        Some(v) => cx.quantity(v, "config.chainid", hex::parse_u64)?,
        None => 1,
    };
    let mut schedule = Vec::new();
    if let Some(s) = config.get("blobSchedule").filter(|v| !v.is_null()) {
        for (name, params) in cx.object(s, "config.blobSchedule")? {
            let Ok(fork) = name.parse::<Fork>() else {
                continue;
            };
            let field = format!("config.blobSchedule.{name}");
            let obj = cx.object(params, &field)?;
            let q = |key: &str| {
                cx.quantity(
                    cx.get(obj, &field, key)?,
                    &format!("{field}.{key}"),
                    hex::parse_u64,
                )
            };
            schedule.push((
                fork,
                BlobParams {
                    target: q("target")?,
                    max: q("max")?,
                    update_fraction: q("baseFeeUpdateFraction")?,
                },
            ));
        }
    }
    Ok((chain_id, schedule))
}

fn load_test(
    cx: &Cx<'_>,
    file: &Arc<PathBuf>,
    test: &Value,
    out: &mut LoadedFile,
) -> Result<(), LoadError> {
    let test = cx.object(test, "test")?;
    let env = cx.object(cx.get(test, "", "env")?, "env")?;
    let pre = cx.object(cx.get(test, "", "pre")?, "pre")?;
    let tx = cx.object(cx.get(test, "", "transaction")?, "transaction")?;
    let post = cx.object(cx.get(test, "", "post")?, "post")?;

    let block = parse_env(cx, env)?;
    let (chain_id, schedule) = parse_config(cx, test)?;
    let pre = Arc::new(parse_pre(cx, pre)?);
    let template = TxTemplate::parse(cx, tx)?;
    let filler = Filler::of(test);

    let mut forks = Vec::with_capacity(post.len());
    for (name, entries) in post {
        let field = format!("post.{name}");
        let entries = cx.array(entries, &field)?;
        match name.parse::<Fork>() {
            Ok(fork) => forks.push((fork, name, entries)),
            Err(_) => out.skipped.push(Skipped {
                test: cx.test.to_string(),
                fork: name.clone(),
                cases: entries.len(),
            }),
        }
    }
    forks.sort_by_key(|(fork, ..)| *fork);

    for (fork, name, entries) in forks {
        let mut block = block.clone();
        block.blob_params = schedule.iter().find(|(f, _)| *f == fork).map(|(_, p)| *p);
        for (index, entry) in entries.iter().enumerate() {
            let field = format!("post.{name}[{index}]");
            let e = cx.object(entry, &field)?;
            let idx = cx.object(cx.get(e, &field, "indexes")?, &format!("{field}.indexes"))?;
            let at = |key: &str, len: usize| -> Result<usize, LoadError> {
                let f = format!("{field}.indexes.{key}");
                let i = cx.index(cx.get(idx, &format!("{field}.indexes"), key)?, &f)?;
                if i >= len {
                    let list = if key == "gas" { "gasLimit" } else { key };
                    return Err(cx.err(
                        &f,
                        format!("{i} is out of range: transaction.{list} has {len}"),
                    ));
                }
                Ok(i)
            };
            let indexes = (
                at("data", template.data.len())?,
                at("gas", template.gas_limits.len())?,
                at("value", template.values.len())?,
            );
            let expected_root = cx.hex(
                cx.get(e, &field, "hash")?,
                &format!("{field}.hash"),
                hex::parse_b256,
            )?;
            let expected_logs = cx.hex(
                cx.get(e, &field, "logs")?,
                &format!("{field}.logs"),
                hex::parse_b256,
            )?;
            let tx_bytes = match e.get("txbytes").filter(|v| !v.is_null()) {
                Some(v) => Some(cx.hex(v, &format!("{field}.txbytes"), hex::parse_bytes)?),
                None => None,
            };
            let expect_exception = match e.get("expectException").filter(|v| !v.is_null()) {
                Some(v) => Some(cx.str(v, &format!("{field}.expectException"))?.to_string()),
                None => None,
            }
            .filter(|s| !s.is_empty());
            out.cases.push(Case {
                file: file.clone(),
                name: cx.test.to_string(),
                fork,
                index,
                indexes,
                pre: pre.clone(),
                block: block.clone(),
                chain_id,
                tx: template.build(indexes, chain_id),
                tx_bytes,
                expected_root,
                expected_logs,
                expect_exception,
                filler,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ember_primitives::address;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Writes `text` to a fresh file `dir/name` under the temp dir and returns its path.
    pub(crate) fn write_fixture(name: &str, text: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ember-statetest-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(dir.join("stExample")).unwrap();
        let path = dir.join("stExample").join(name);
        fs::write(&path, text).unwrap();
        path
    }

    /// A small valid test: two data, two gas limits, one value; Berlin and Cancun posts.
    pub(crate) fn sample() -> Value {
        json!({
            "foo": {
                "env": {
                    "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba",
                    "currentGasLimit": "0x05f5e100",
                    "currentNumber": "0x01",
                    "currentTimestamp": "0x03e8",
                    "currentDifficulty": "0x020000",
                    "currentBaseFee": "0x0a",
                    "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000020000",
                    "currentExcessBlobGas": "0x00"
                },
                "pre": {
                    "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b": {
                        "balance": "0x0de0b6b3a7640000", "nonce": "0x00", "code": "0x",
                        "storage": {}
                    },
                    "0x0000000000000000000000000000000000001000": {
                        "balance": "0x", "nonce": "0x01", "code": "0x600160005500",
                        "storage": { "0x00": "0x01", "0x01": "0x00" }
                    }
                },
                "transaction": {
                    "data": ["0x", "0x00ff"],
                    "gasLimit": ["0x061a80", "0x0186a0"],
                    "gasPrice": "0x0a",
                    "nonce": "0x00",
                    "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8",
                    "to": "0x0000000000000000000000000000000000001000",
                    "value": ["0x00"]
                },
                "post": {
                    "Cancun": [
                        { "hash": format!("0x{}", "11".repeat(32)), "logs": format!("0x{}", "22".repeat(32)),
                          "indexes": { "data": 0, "gas": 0, "value": 0 }, "txbytes": "0xf860" },
                        { "hash": format!("0x{}", "33".repeat(32)), "logs": format!("0x{}", "22".repeat(32)),
                          "indexes": { "data": 1, "gas": 1, "value": 0 },
                          "expectException": "TransactionException.INTRINSIC_GAS_TOO_LOW" }
                    ],
                    "Berlin": [
                        { "hash": format!("0x{}", "44".repeat(32)), "logs": format!("0x{}", "22".repeat(32)),
                          "indexes": { "data": 0, "gas": 1, "value": 0 } }
                    ]
                }
            }
        })
    }

    fn load_value(v: &Value) -> Result<LoadedFile, LoadError> {
        load(&write_fixture("foo.json", &v.to_string()))
    }

    fn load_err(v: &Value) -> String {
        load_value(v).unwrap_err().to_string()
    }

    #[test]
    fn loads_sample() {
        let loaded = load_value(&sample()).unwrap();
        let cases = loaded.cases;
        assert_eq!(cases.len(), 3);
        // forks oldest first, entries in order
        assert_eq!(cases[0].fork, Fork::Berlin);
        assert_eq!((cases[1].fork, cases[1].index), (Fork::Cancun, 0));
        assert_eq!(
            (cases[2].fork, cases[2].index, cases[2].indexes),
            (Fork::Cancun, 1, (1, 1, 0))
        );
        let c = &cases[2];
        assert_eq!(c.name, "foo");
        assert_eq!(c.chain_id, 1);
        assert_eq!(
            c.expect_exception.as_deref(),
            Some("TransactionException.INTRINSIC_GAS_TOO_LOW")
        );
        assert_eq!(c.expected_root, B256::repeat_byte(0x33));
        assert_eq!(c.expected_logs, B256::repeat_byte(0x22));
        assert_eq!(cases[1].tx_bytes, Some(Bytes::from(vec![0xf8, 0x60])));
        assert_eq!(c.tx_bytes, None);
        assert_eq!(c.block.gas_limit, 100_000_000);
        assert_eq!(c.block.base_fee, U256::from(10));
        assert_eq!(c.block.prevrandao, Some(B256::from(U256::from(0x020000))));
        assert_eq!(c.block.excess_blob_gas, Some(0));
        assert_eq!(c.block.blob_params, None);
        assert_eq!(c.pre.len(), 2);
        let (addr, acc) = &c.pre[0];
        assert_eq!(*addr, address!("0000000000000000000000000000000000001000"));
        assert_eq!(acc.nonce, 1);
        assert_eq!(
            acc.storage,
            vec![(U256::ZERO, U256::from(1)), (U256::from(1), U256::ZERO)]
        );
        let tx = c.tx.as_ref().unwrap();
        // sender from secretKey when `sender` is absent
        assert_eq!(
            tx.caller,
            address!("a94f5374fce5edbc8e2a8697c15331677e6ebf0b")
        );
        assert_eq!(tx.tx_type, TxType::Legacy);
        assert_eq!(tx.chain_id, None);
        assert_eq!(tx.gas_limit, 100_000);
        assert_eq!(tx.data.as_ref(), &[0x00, 0xff]);
        assert_eq!(tx.gas_price, U256::from(10));
        assert_eq!(tx.gas_priority_fee, None);
        assert_eq!(
            tx.kind,
            TxKind::Call(address!("0000000000000000000000000000000000001000"))
        );
    }

    fn tx_of(v: &Value, i: usize) -> TxEnv {
        load_value(v).unwrap().cases[i].tx.clone().unwrap()
    }

    #[test]
    fn transaction_types() {
        let mut v = sample();
        let tx = &mut v["foo"]["transaction"];
        tx["to"] = json!("");
        tx["accessLists"] = json!([null, [{ "address": "0x0000000000000000000000000000000000001000",
                                             "storageKeys": ["0x00", format!("0x{}", "01".repeat(32))] }]]);
        // data 0 has a null access list: legacy; data 1 has one: access list (type 1)
        let t = tx_of(&v, 1);
        assert_eq!(t.tx_type, TxType::Legacy);
        assert_eq!(t.kind, TxKind::Create);
        let t = tx_of(&v, 2);
        assert_eq!(t.tx_type, TxType::AccessList);
        assert_eq!(t.chain_id, Some(1));
        assert_eq!(t.access_list.len(), 1);
        assert_eq!(
            t.access_list[0].storage_keys,
            vec![B256::ZERO, B256::repeat_byte(1)]
        );

        let tx = &mut v["foo"]["transaction"];
        tx.as_object_mut().unwrap().remove("gasPrice");
        tx["maxFeePerGas"] = json!("0x64");
        tx["maxPriorityFeePerGas"] = json!("0x02");
        v["foo"]["config"] = json!({ "chainid": "0x05" });
        let t = tx_of(&v, 1);
        assert_eq!(t.tx_type, TxType::FeeMarket);
        assert_eq!(
            (t.gas_price, t.gas_priority_fee),
            (U256::from(100), Some(U256::from(2)))
        );
        assert_eq!(t.chain_id, Some(5));
        assert!(t.access_list.is_empty());
        assert_eq!(tx_of(&v, 2).access_list.len(), 1);

        let tx = &mut v["foo"]["transaction"];
        tx["blobVersionedHashes"] = json!([format!("0x01{}", "00".repeat(31))]);
        tx["maxFeePerBlobGas"] = json!("0x0a");
        let t = tx_of(&v, 1);
        assert_eq!(t.tx_type, TxType::Blob);
        assert_eq!(t.blob_hashes.len(), 1);
        assert_eq!(t.max_fee_per_blob_gas, U256::from(10));

        v["foo"]["transaction"]["authorizationList"] = json!([{
            "chainId": "0x01", "address": "0x0000000000000000000000000000000000001000", "nonce": "0x00",
            "v": "0x01", "r": "0x01", "s": "0x01"
        }]);
        let t = tx_of(&v, 1);
        assert_eq!(t.tx_type, TxType::SetCode);
        assert_eq!(t.authorization_list.len(), 1);
        assert_eq!(t.authorization_list[0].y_parity, U256::from(1));
    }

    #[test]
    fn sender_field_wins_and_blob_schedule() {
        let mut v = sample();
        v["foo"]["transaction"]["sender"] = json!("0x00000000000000000000000000000000000000aa");
        v["foo"]["config"] = json!({ "chainid": "0x01", "blobSchedule": {
            "Cancun": { "target": "0x03", "max": "0x06", "baseFeeUpdateFraction": "0x32f0ed" },
            "Prague": { "target": "0x06", "max": "0x09", "baseFeeUpdateFraction": "0x4c6964" },
            "Atlantis": {}
        }});
        let cases = load_value(&v).unwrap().cases;
        assert_eq!(
            cases[0].tx.as_ref().unwrap().caller,
            address!("00000000000000000000000000000000000000aa")
        );
        assert_eq!(cases[0].block.blob_params, None);
        assert_eq!(cases[1].block.blob_params, Some(BlobParams::CANCUN));
    }

    #[test]
    fn too_wide_values_make_an_invalid_tx() {
        let mut v = sample();
        v["foo"]["transaction"]["value"] = json!([
            "0x00",
            "0x:bigint 0x10000000000000000000000000000000000000000000000000000000000000001",
            format!("0x1{}", "0".repeat(64))
        ]);
        v["foo"]["transaction"]["gasLimit"][1] = json!("0x010000000000000000");
        v["foo"]["post"]["Cancun"][0]["indexes"]["value"] = json!(1);
        v["foo"]["post"]["Berlin"][0]["indexes"] = json!({ "data": 0, "gas": 0, "value": 2 });
        let cases = load_value(&v).unwrap().cases;
        let berlin = cases[0].tx.as_ref().unwrap_err();
        assert!(berlin.starts_with("transaction.value[2]: "), "{berlin}");
        assert!(berlin.contains("256 bits"));
        assert!(cases[1]
            .tx
            .as_ref()
            .unwrap_err()
            .starts_with("transaction.value[1]"));
        let gas = cases[2].tx.as_ref().unwrap_err();
        assert!(
            gas.starts_with("transaction.gasLimit[1]") && gas.contains("64 bits"),
            "{gas}"
        );

        let mut v = sample();
        v["foo"]["transaction"]["nonce"] = json!("0x010000000000000000");
        assert!(load_value(&v).unwrap().cases.iter().all(|c| c.tx.is_err()));
        // a too-wide pre-state value is a malformed file, though
        let mut v = sample();
        v["foo"]["pre"]["0x0000000000000000000000000000000000001000"]["nonce"] =
            json!("0x010000000000000000");
        assert!(load_value(&v).is_err());
    }

    #[test]
    fn errors_name_file_test_and_field() {
        let mut v = sample();
        v["foo"]["transaction"]["gasLimit"][1] = json!("0xzz");
        let e = load_err(&v);
        assert!(
            e.ends_with(
                "stExample/foo.json: test `foo`: transaction.gasLimit[1]: invalid hex `0xzz`"
            ),
            "{e}"
        );

        let mut v = sample();
        v["foo"].as_object_mut().unwrap().remove("post");
        assert!(load_err(&v).ends_with("foo.json: test `foo`: post: missing"));

        let mut v = sample();
        v["foo"]["post"]["Cancun"][1]["indexes"]["data"] = json!(7);
        let e = load_err(&v);
        assert!(
            e.contains("post.Cancun[1].indexes.data: 7 is out of range"),
            "{e}"
        );

        let mut v = sample();
        v["foo"]["env"]["currentCoinbase"] = json!(12);
        assert!(load_err(&v).contains("env.currentCoinbase: expected a string, found a number"));

        let mut v = sample();
        v["foo"]["pre"]["0x0000000000000000000000000000000000001000"]["storage"]["0x00"] =
            json!("0xg");
        assert!(load_err(&v)
            .contains("pre.0x0000000000000000000000000000000000001000.storage.0x00: invalid hex"));

        let mut v = sample();
        v["foo"]["transaction"]
            .as_object_mut()
            .unwrap()
            .remove("secretKey");
        assert!(load_err(&v).contains("transaction.secretKey: missing"));

        let e = load(&write_fixture("empty.json", "{}")).unwrap_err();
        assert!(matches!(e, LoadError::NoTests { .. }));
        assert!(
            e.to_string()
                .ends_with("stExample/empty.json: holds no test"),
            "{e}"
        );

        let e = load(&write_fixture("bad.json", "{\"foo\": {")).unwrap_err();
        assert!(matches!(e, LoadError::Json { .. }));
        assert!(e.to_string().contains("bad.json: malformed JSON: "), "{e}");

        let e = load(&write_fixture("list.json", "[]"))
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("list.json: top level: expected an object of named tests, found an array"),
            "{e}"
        );

        let e = load(Path::new("/nonexistent/x.json"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/nonexistent/x.json: cannot read"), "{e}");
    }

    /// `load_slice` reads bytes as `load` reads the file, and names the given path.
    #[test]
    fn load_slice_matches_load() {
        let text = sample().to_string();
        let from_file = load(&write_fixture("foo.json", &text)).unwrap();
        let from_bytes = load_slice(Path::new("mem/foo.json"), text.as_bytes()).unwrap();
        assert_eq!(from_bytes.cases.len(), from_file.cases.len());
        for (a, b) in from_bytes.cases.iter().zip(&from_file.cases) {
            assert_eq!(a.file.as_path(), Path::new("mem/foo.json"));
            assert_eq!((&a.name, a.fork, a.indexes), (&b.name, b.fork, b.indexes));
            assert_eq!(a.tx, b.tx);
            assert_eq!(a.expected_root, b.expected_root);
        }
        for bad in [&b"\xff\xfe"[..], b"", b"{\"t\": []}", b"[1]", b"{}"] {
            let e = load_slice(Path::new("mem/bad.json"), bad).unwrap_err();
            assert!(e.to_string().starts_with("mem/bad.json: "), "{e}");
        }
    }

    #[test]
    fn unknown_forks_are_skipped() {
        let mut v = sample();
        v["foo"]["post"]["Atlantis"] = v["foo"]["post"]["Cancun"].clone();
        let loaded = load_value(&v).unwrap();
        assert_eq!(loaded.cases.len(), 3);
        assert_eq!(
            loaded.skipped,
            vec![Skipped {
                test: "foo".into(),
                fork: "Atlantis".into(),
                cases: 2
            }]
        );
    }

    #[test]
    fn collects_json_files_sorted() {
        let a = write_fixture("b.json", "{}");
        let dir = a.parent().unwrap().parent().unwrap();
        fs::write(dir.join("stExample/a.json"), "{}").unwrap();
        fs::write(dir.join("stExample/.stub"), "").unwrap();
        fs::create_dir_all(dir.join("stExample/sub")).unwrap();
        fs::write(dir.join("stExample/sub/c.json"), "{}").unwrap();
        let files = collect_files(dir).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| f.strip_prefix(dir).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            [
                "stExample/a.json",
                "stExample/b.json",
                "stExample/sub/c.json"
            ]
            .map(PathBuf::from)
        );
        assert_eq!(collect_files(&a).unwrap(), vec![a.clone()]);
        let missing = collect_files(&dir.join("nope")).unwrap_err();
        assert!(matches!(missing, LoadError::NotFound { .. }));
        assert!(missing
            .to_string()
            .ends_with("nope: no such file or directory"));
    }
}
