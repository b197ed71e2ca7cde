//! Fork mode (`--fork-url`): the state of another node's chain at one block, fetched as
//! execution touches it and cached, under the local changes.
//!
//! The local state is an overlay: an account or slot the dev chain wrote is local from then
//! on (also when it was deleted or zeroed), anything else is read from the remote node at
//! the fork block. Remote values never change, so they are cached for good, in memory and
//! (see [`crate::fork_cache`]) on disk.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use ember_evm::{AccountInfo, Bytecode, InMemoryDb};
use ember_primitives::{keccak256, Address, Bytes, B256, KECCAK_EMPTY, U256};
use serde_json::{json, Value};

use crate::fork_cache::{self, CacheFile, CachedAccount, ForkOptions, Throttle};

/// A failure to read the forked chain.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("fork: {0}")]
pub struct ForkError(pub String);

/// What the local chain wrote over the fork: these accounts and slots are never read from
/// the remote again.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// Accounts written (or deleted) locally.
    pub accounts: HashSet<Address>,
    /// Accounts whose whole storage is local (created or cleared here).
    pub cleared: HashSet<Address>,
    /// Slots written locally.
    pub slots: HashSet<(Address, U256)>,
}

#[derive(Debug, Default)]
struct Cache {
    accounts: HashMap<Address, Option<AccountInfo>>,
    codes: HashMap<B256, Bytecode>,
    slots: HashMap<(Address, U256), U256>,
    hashes: HashMap<u64, B256>,
    requests: HashMap<String, Value>,
}

impl Cache {
    /// The cache as its file keeps it.
    fn to_file(&self, chain_id: u64, block: u64, header: &Value) -> CacheFile {
        let mut file = CacheFile {
            chain_id,
            block,
            header: header.clone(),
            ..CacheFile::default()
        };
        for (address, info) in &self.accounts {
            file.accounts.insert(
                address.to_string(),
                info.as_ref().map(|i| CachedAccount {
                    balance: format!("{:#x}", i.balance),
                    nonce: i.nonce,
                    code_hash: i.code_hash.to_string(),
                }),
            );
        }
        for (hash, code) in &self.codes {
            file.codes
                .insert(hash.to_string(), code.original().to_string());
        }
        for ((address, key), value) in &self.slots {
            file.storage
                .entry(address.to_string())
                .or_default()
                .insert(format!("{key:#x}"), format!("{value:#x}"));
        }
        for (number, hash) in &self.hashes {
            file.block_hashes.insert(*number, hash.to_string());
        }
        file.requests = self
            .requests
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        file
    }

    /// The cache a file holds; entries that do not parse are left out (and fetched again).
    fn from_file(file: CacheFile) -> Cache {
        let mut cache = Cache::default();
        for (hash, code) in file.codes {
            if let (Ok(hash), Ok(code)) = (hash.parse::<B256>(), code.parse::<Bytes>()) {
                if keccak256(&code) == hash {
                    cache.codes.insert(hash, Bytecode::new(code));
                }
            }
        }
        for (address, account) in file.accounts {
            let Ok(address) = address.parse::<Address>() else {
                continue;
            };
            let info = match account {
                None => None,
                Some(a) => {
                    let (Ok(balance), Ok(code_hash)) =
                        (a.balance.parse::<U256>(), a.code_hash.parse::<B256>())
                    else {
                        continue;
                    };
                    let code = if code_hash == KECCAK_EMPTY {
                        None
                    } else {
                        match cache.codes.get(&code_hash) {
                            Some(c) => Some(c.clone()),
                            None => continue,
                        }
                    };
                    Some(AccountInfo {
                        balance,
                        nonce: a.nonce,
                        code_hash,
                        code,
                    })
                }
            };
            cache.accounts.insert(address, info);
        }
        for (address, slots) in file.storage {
            let Ok(address) = address.parse::<Address>() else {
                continue;
            };
            for (key, value) in slots {
                if let (Ok(key), Ok(value)) = (key.parse::<U256>(), value.parse::<U256>()) {
                    cache.slots.insert((address, key), value);
                }
            }
        }
        for (number, hash) in file.block_hashes {
            if let Ok(hash) = hash.parse::<B256>() {
                cache.hashes.insert(number, hash);
            }
        }
        cache.requests = file.requests.into_iter().collect();
        cache
    }
}

/// The forked chain: where it is, and what has been read from it.
#[derive(Debug)]
pub struct ForkedChain {
    url: String,
    /// The block forked from.
    pub block: u64,
    /// The remote chain id.
    pub chain_id: u64,
    /// The fork block's header as the remote returned it.
    pub header: Value,
    agent: ureq::Agent,
    options: ForkOptions,
    throttle: Option<Mutex<Throttle>>,
    /// The cache file, when what is read is kept on disk.
    cache_path: Option<PathBuf>,
    cache: Mutex<Cache>,
    /// The cache holds something its file does not.
    dirty: AtomicBool,
    /// What the local chain wrote.
    pub written: Mutex<Written>,
}

fn quantity(v: &Value, what: &str) -> Result<u64, ForkError> {
    let s = v
        .as_str()
        .ok_or_else(|| ForkError(format!("{what} is not a quantity: {v}")))?;
    u64::from_str_radix(s.trim_start_matches("0x"), 16)
        .map_err(|e| ForkError(format!("{what} `{s}`: {e}")))
}

fn word(v: &Value, what: &str) -> Result<U256, ForkError> {
    let s = v
        .as_str()
        .ok_or_else(|| ForkError(format!("{what} is not a hex string: {v}")))?;
    s.parse::<U256>()
        .map_err(|e| ForkError(format!("{what} `{s}`: {e}")))
}

/// The crypto provider every https upstream uses: rustls on `ring` (no C toolchain beyond
/// a C compiler; rustls deprecates it only for lacking post-quantum key exchange).
#[allow(deprecated)]
fn crypto_provider() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    std::sync::Arc::new(rustls::crypto::ring::default_provider())
}

/// The trusted roots for an https upstream: the platform's certificates, or those
/// `SSL_CERT_FILE` / `SSL_CERT_DIR` name (read by `rustls-native-certs`).
fn native_roots() -> Result<Vec<ureq::tls::Certificate<'static>>, ForkError> {
    let found = rustls_native_certs::load_native_certs();
    let certs: Vec<_> = found
        .certs
        .iter()
        .map(|der| ureq::tls::Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    if certs.is_empty() {
        let why: Vec<String> = found.errors.iter().map(|e| e.to_string()).collect();
        return Err(ForkError(format!(
            "no trusted root certificates found for https (set SSL_CERT_FILE or SSL_CERT_DIR){}",
            if why.is_empty() {
                String::new()
            } else {
                format!(": {}", why.join("; "))
            }
        )));
    }
    Ok(certs)
}

/// The HTTP client for `url`: plain for `http://`, rustls (ring, the platform's roots)
/// for `https://`; each request fails after `timeout`.
fn agent(url: &str, timeout: Duration) -> Result<ureq::Agent, ForkError> {
    let builder = ureq::Agent::config_builder().timeout_global(Some(timeout));
    let builder = if url.starts_with("https://") {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(ureq::tls::RootCerts::new_with_certs(&native_roots()?))
            .unversioned_rustls_crypto_provider(crypto_provider())
            .build();
        builder.tls_config(tls)
    } else if url.starts_with("http://") {
        builder
    } else {
        return Err(ForkError(format!(
            "`{url}`: the fork URL must start with http:// or https://"
        )));
    };
    Ok(builder.build().into())
}

impl ForkedChain {
    /// Connects to `url` and pins block `block` (the remote head when `None`), with anvil's
    /// default upstream settings.
    pub fn connect(url: &str, block: Option<u64>) -> Result<ForkedChain, ForkError> {
        ForkedChain::connect_with(url, block, &ForkOptions::default())
    }

    /// Connects to `url` and pins block `block` (the remote head when `None`), reading the
    /// disk cache of that chain and block when `options` keep one.
    pub fn connect_with(
        url: &str,
        block: Option<u64>,
        options: &ForkOptions,
    ) -> Result<ForkedChain, ForkError> {
        let agent = agent(url, options.timeout)?;
        let mut fork = ForkedChain {
            url: url.to_string(),
            block: 0,
            chain_id: 0,
            header: Value::Null,
            agent,
            options: options.clone(),
            throttle: options
                .compute_units_per_second
                .map(|cups| Mutex::new(Throttle::new(cups))),
            cache_path: None,
            cache: Mutex::new(Cache::default()),
            dirty: AtomicBool::new(false),
            written: Mutex::new(Written::default()),
        };
        fork.chain_id = quantity(&fork.request("eth_chainId", json!([]))?, "eth_chainId")?;
        fork.block = match block {
            Some(b) => b,
            None => quantity(
                &fork.request("eth_blockNumber", json!([]))?,
                "eth_blockNumber",
            )?,
        };
        fork.cache_path = options
            .cache_root(url)
            .map(|root| fork_cache::cache_path(&root, fork.chain_id, fork.block));
        if let Some(file) = fork
            .cache_path
            .as_deref()
            .and_then(|p| fork_cache::load(p, fork.chain_id, fork.block))
        {
            fork.header = file.header.clone();
            *fork.cache.get_mut().expect("cache") = Cache::from_file(file);
            return Ok(fork);
        }
        let header = fork.request(
            "eth_getBlockByNumber",
            json!([format!("{:#x}", fork.block), false]),
        )?;
        if header.is_null() {
            return Err(ForkError(format!(
                "block {} does not exist on {url}",
                fork.block
            )));
        }
        fork.header = header;
        fork.dirty.store(true, Ordering::Relaxed);
        Ok(fork)
    }

    /// The upstream's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The upstream settings.
    pub fn options(&self) -> &ForkOptions {
        &self.options
    }

    /// The cache file, when what is read is kept on disk.
    pub fn cache_path(&self) -> Option<&std::path::Path> {
        self.cache_path.as_deref()
    }

    /// Writes what was read since the last flush to the disk cache (atomically); nothing
    /// when there is no disk cache or nothing new.
    pub fn flush(&self) -> Result<(), ForkError> {
        let Some(path) = &self.cache_path else {
            return Ok(());
        };
        if !self.dirty.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        let file =
            self.cache
                .lock()
                .expect("cache")
                .to_file(self.chain_id, self.block, &self.header);
        fork_cache::store(path, &file).map_err(|e| {
            self.dirty.store(true, Ordering::Relaxed);
            ForkError(format!("writing the fork cache {}: {e}", path.display()))
        })
    }

    /// A call about the chain up to the fork block (a block by number or hash), answered
    /// from the cache when it was asked before; a `null` answer is not kept.
    pub fn cached_request(&self, method: &str, params: Value) -> Result<Value, ForkError> {
        let key = format!("{method} {params}");
        if let Some(hit) = self.cache.lock().expect("cache").requests.get(&key) {
            return Ok(hit.clone());
        }
        let value = self.request(method, params)?;
        if !value.is_null() {
            self.cache
                .lock()
                .expect("cache")
                .requests
                .insert(key, value.clone());
            self.dirty.store(true, Ordering::Relaxed);
        }
        Ok(value)
    }

    /// One JSON-RPC call to the remote.
    pub fn request(&self, method: &str, params: Value) -> Result<Value, ForkError> {
        let mut out = self.batch(&[(method, params)])?;
        Ok(out.remove(0))
    }

    fn batch(&self, calls: &[(&str, Value)]) -> Result<Vec<Value>, ForkError> {
        let names: Vec<&str> = calls.iter().map(|(m, _)| *m).collect();
        let named = names.join(", ");
        let body: Vec<Value> = calls
            .iter()
            .enumerate()
            .map(|(id, (method, params))| {
                json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
            })
            .collect();
        let body = Value::Array(body).to_string();
        if let Some(throttle) = &self.throttle {
            let units = names.iter().map(|m| fork_cache::compute_units(m)).sum();
            let wait = throttle.lock().expect("throttle").take(units);
            if !wait.is_zero() {
                std::thread::sleep(wait);
            }
        }
        let mut attempt = 0u32;
        let text = loop {
            match self.send(&body) {
                Ok(text) => break text,
                Err((retry, why)) => {
                    if !retry || attempt >= self.options.retries {
                        let tries = if attempt > 0 {
                            format!(" (after {} attempts)", attempt + 1)
                        } else {
                            String::new()
                        };
                        return Err(ForkError(format!(
                            "upstream call {named} to {} failed{tries}: {why}",
                            self.url
                        )));
                    }
                    let wait = self
                        .options
                        .retry_backoff
                        .saturating_mul(1u32 << attempt.min(16));
                    std::thread::sleep(wait.min(Duration::from_secs(60)));
                    attempt += 1;
                }
            }
        };
        let replies: Vec<Value> = serde_json::from_str(&text).map_err(|e| {
            ForkError(format!(
                "upstream call {named} to {}: not a JSON-RPC batch reply: {e}",
                self.url
            ))
        })?;
        let mut out = vec![Value::Null; calls.len()];
        for reply in replies {
            let id = reply["id"].as_u64().unwrap_or(u64::MAX) as usize;
            if id >= calls.len() {
                continue;
            }
            if let Some(err) = reply.get("error") {
                return Err(ForkError(format!(
                    "upstream call {} to {} failed: {err}",
                    calls[id].0, self.url
                )));
            }
            out[id] = reply["result"].clone();
        }
        Ok(out)
    }

    /// Posts one body; on failure, whether a retry may help (a refused or dropped
    /// connection, or the upstream overloaded or rate-limiting: HTTP 429 and 5xx) and what
    /// went wrong. A timeout is not retried: `--timeout` bounds the caller's wait.
    fn send(&self, body: &str) -> Result<String, (bool, String)> {
        let response = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .send(body)
            .map_err(|e| {
                let retry = match &e {
                    ureq::Error::StatusCode(code) => *code == 429 || *code >= 500,
                    ureq::Error::Timeout(_) => false,
                    ureq::Error::ConnectionFailed => true,
                    // A dropped or refused connection; not a TLS failure (a bad
                    // certificate comes as invalid data and fails at once).
                    ureq::Error::Io(io) => matches!(
                        io.kind(),
                        std::io::ErrorKind::ConnectionRefused
                            | std::io::ErrorKind::ConnectionReset
                            | std::io::ErrorKind::ConnectionAborted
                            | std::io::ErrorKind::NotConnected
                            | std::io::ErrorKind::BrokenPipe
                            | std::io::ErrorKind::UnexpectedEof
                    ),
                    _ => false,
                };
                (retry, e.to_string())
            })?;
        response
            .into_body()
            .read_to_string()
            .map_err(|e| (false, e.to_string()))
    }

    fn tag(&self) -> Value {
        json!(format!("{:#x}", self.block))
    }

    /// The remote account (`None` when it is empty).
    pub fn remote_account(&self, address: Address) -> Result<Option<AccountInfo>, ForkError> {
        if let Some(hit) = self.cache.lock().expect("cache").accounts.get(&address) {
            return Ok(hit.clone());
        }
        let a = json!(address);
        let r = self.batch(&[
            ("eth_getBalance", json!([a, self.tag()])),
            ("eth_getTransactionCount", json!([a, self.tag()])),
            ("eth_getCode", json!([a, self.tag()])),
        ])?;
        let balance = word(&r[0], "balance")?;
        let nonce = quantity(&r[1], "nonce")?;
        let code: Bytes = r[2]
            .as_str()
            .unwrap_or("0x")
            .parse()
            .map_err(|e| ForkError(format!("code of {address}: {e}")))?;
        let info = if balance.is_zero() && nonce == 0 && code.is_empty() {
            None
        } else if code.is_empty() {
            Some(AccountInfo {
                balance,
                nonce,
                ..AccountInfo::default()
            })
        } else {
            let hash = keccak256(&code);
            let bytecode = Bytecode::new(code);
            self.cache
                .lock()
                .expect("cache")
                .codes
                .insert(hash, bytecode.clone());
            Some(AccountInfo {
                balance,
                nonce,
                code_hash: hash,
                code: Some(bytecode),
            })
        };
        self.cache
            .lock()
            .expect("cache")
            .accounts
            .insert(address, info.clone());
        self.dirty.store(true, Ordering::Relaxed);
        Ok(info)
    }

    /// A remote storage slot.
    pub fn remote_slot(&self, address: Address, key: U256) -> Result<U256, ForkError> {
        if let Some(v) = self.cache.lock().expect("cache").slots.get(&(address, key)) {
            return Ok(*v);
        }
        let v = word(
            &self.request(
                "eth_getStorageAt",
                json!([address, format!("{key:#x}"), self.tag()]),
            )?,
            "storage",
        )?;
        self.cache
            .lock()
            .expect("cache")
            .slots
            .insert((address, key), v);
        self.dirty.store(true, Ordering::Relaxed);
        Ok(v)
    }

    /// A remote block hash (blocks up to the fork block).
    pub fn remote_block_hash(&self, number: u64) -> Result<B256, ForkError> {
        if number > self.block {
            return Ok(B256::ZERO);
        }
        if let Some(h) = self.cache.lock().expect("cache").hashes.get(&number) {
            return Ok(*h);
        }
        let block = self.request(
            "eth_getBlockByNumber",
            json!([format!("{number:#x}"), false]),
        )?;
        let hash = block["hash"]
            .as_str()
            .and_then(|s| s.parse::<B256>().ok())
            .unwrap_or_default();
        self.cache
            .lock()
            .expect("cache")
            .hashes
            .insert(number, hash);
        self.dirty.store(true, Ordering::Relaxed);
        Ok(hash)
    }

    /// The account as the dev chain sees it: local, else (unless written) remote.
    pub fn account(
        &self,
        local: &InMemoryDb,
        address: Address,
    ) -> Result<Option<AccountInfo>, ForkError> {
        if let Some(acc) = local.accounts.get(&address) {
            return Ok(Some(acc.info.clone()));
        }
        if self
            .written
            .lock()
            .expect("written")
            .accounts
            .contains(&address)
        {
            return Ok(None);
        }
        self.remote_account(address)
    }

    /// The slot as the dev chain sees it.
    pub fn slot(&self, local: &InMemoryDb, address: Address, key: U256) -> Result<U256, ForkError> {
        if let Some(v) = local
            .accounts
            .get(&address)
            .and_then(|a| a.storage.get(&key))
        {
            return Ok(*v);
        }
        {
            let w = self.written.lock().expect("written");
            if w.cleared.contains(&address) || w.slots.contains(&(address, key)) {
                return Ok(U256::ZERO);
            }
        }
        self.remote_slot(address, key)
    }

    /// Code by hash: local accounts, else what the remote sent.
    pub fn code(&self, local: &InMemoryDb, hash: B256) -> Bytecode {
        if hash == KECCAK_EMPTY {
            return Bytecode::default();
        }
        if let Some(code) = local
            .accounts
            .values()
            .find(|a| a.info.code_hash == hash)
            .and_then(|a| a.info.code.clone())
        {
            return code;
        }
        self.cache
            .lock()
            .expect("cache")
            .codes
            .get(&hash)
            .cloned()
            .unwrap_or_default()
    }

    /// Records what a block or cheat code wrote.
    pub fn record(&self, accounts: &[Address], cleared: &[Address], slots: &[(Address, U256)]) {
        let mut w = self.written.lock().expect("written");
        w.accounts.extend(accounts.iter().copied());
        w.cleared.extend(cleared.iter().copied());
        w.slots.extend(slots.iter().copied());
    }
}

impl Drop for ForkedChain {
    /// Keeps what was read: a fork dropped (a reset, a stop) leaves its cache on disk.
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            eprintln!("ember node: {e}");
        }
    }
}
