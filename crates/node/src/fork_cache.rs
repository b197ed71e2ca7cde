//! Fork mode's upstream settings and its disk cache.
//!
//! What a fork reads from its upstream at the fork block never changes, so it is kept on
//! disk as foundry keeps its RPC cache: one file per chain id and fork block,
//! `<root>/<chain id>/<block>/storage.json`, with the root `~/.ember/cache/rpc` unless
//! `--fork-cache-dir` (or `EMBER_FORK_CACHE_DIR`) names another. A restart on the same fork
//! block, or `anvil_reset` to it, reads it back and asks the upstream only for what it has
//! not seen. The file is written whole to a temporary file and renamed over the old one, so
//! a reader never sees it half-written.
//!
//! As foundry's default (`rpc_storage_caching.endpoints = "remote"`), an upstream on this
//! machine (localhost, a loopback address) is cached only when a cache directory is given
//! explicitly: a local dev chain restarted with the same chain id and block number is a
//! different chain.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The environment variable naming the cache root (as `--fork-cache-dir`).
pub const CACHE_DIR_ENV: &str = "EMBER_FORK_CACHE_DIR";

/// How fork mode talks to its upstream (anvil's flags of the same names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForkOptions {
    /// Keep what is read on disk (`--no-storage-caching` turns it off).
    pub storage_caching: bool,
    /// The cache root (`--fork-cache-dir` / `EMBER_FORK_CACHE_DIR`); `~/.ember/cache/rpc`
    /// for remote upstreams when absent.
    pub cache_dir: Option<PathBuf>,
    /// Further attempts after a request fails to connect or is refused as overloaded or
    /// rate-limited (`--retries`, 5 as in anvil).
    pub retries: u32,
    /// The wait before the first retry, doubled for each next one (`--fork-retry-backoff`,
    /// in milliseconds on the command line; 1 s as in anvil).
    pub retry_backoff: Duration,
    /// How long one request may take, connecting included (`--timeout`, in milliseconds
    /// on the command line; 45 s as in anvil).
    pub timeout: Duration,
    /// At most this many compute units a second are spent on the upstream
    /// (`--compute-units-per-second`); unlimited when absent.
    pub compute_units_per_second: Option<u64>,
}

impl Default for ForkOptions {
    fn default() -> Self {
        ForkOptions {
            storage_caching: true,
            cache_dir: None,
            retries: 5,
            retry_backoff: Duration::from_millis(1000),
            timeout: Duration::from_millis(45_000),
            compute_units_per_second: None,
        }
    }
}

/// Whether `url`'s host is this machine (localhost or a loopback address).
pub fn is_local(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl ForkOptions {
    /// The cache root for an upstream at `url`, or `None` when it is not cached.
    pub fn cache_root(&self, url: &str) -> Option<PathBuf> {
        if !self.storage_caching {
            return None;
        }
        if let Some(dir) = &self.cache_dir {
            return Some(dir.clone());
        }
        if let Some(dir) = std::env::var_os(CACHE_DIR_ENV).filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir));
        }
        if is_local(url) {
            return None;
        }
        let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
        Some(Path::new(&home).join(".ember").join("cache").join("rpc"))
    }
}

/// The compute units a call costs (Alchemy's table, which foundry's rate limit follows;
/// 20 for a method it does not list).
pub fn compute_units(method: &str) -> u64 {
    match method {
        "eth_chainId" | "net_version" | "eth_syncing" | "eth_protocolVersion" => 0,
        "eth_blockNumber" => 10,
        "eth_getBalance" | "eth_getBlockByNumber" | "eth_getBlockByHash" => 16,
        "eth_getStorageAt" => 17,
        "eth_getCode" | "eth_getTransactionCount" => 26,
        "eth_getProof" => 21,
        _ => 20,
    }
}

/// A budget of compute units a second: a call waits until the units it costs are there.
#[derive(Debug)]
pub struct Throttle {
    per_second: f64,
    available: f64,
    last: Instant,
}

impl Throttle {
    /// A budget of `per_second` units a second (at least one), full at the start.
    pub fn new(per_second: u64) -> Throttle {
        let per_second = per_second.max(1) as f64;
        Throttle {
            per_second,
            available: per_second,
            last: Instant::now(),
        }
    }

    /// Takes `units` from the budget: how long to wait before sending.
    pub fn take(&mut self, units: u64) -> Duration {
        let now = Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.available = (self.available + elapsed * self.per_second).min(self.per_second);
        self.available -= units as f64;
        if self.available >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.available / self.per_second)
        }
    }
}

/// An account as the cache keeps it (`None` in [`CacheFile::accounts`] is an empty one).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CachedAccount {
    /// The balance, a hex quantity.
    pub balance: String,
    /// The nonce.
    pub nonce: u64,
    /// The code hash (the code itself is in [`CacheFile::codes`]).
    #[serde(rename = "codeHash")]
    pub code_hash: String,
}

/// The cache file of one chain and fork block.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CacheFile {
    /// The chain id.
    #[serde(rename = "chainId")]
    pub chain_id: u64,
    /// The fork block.
    pub block: u64,
    /// The fork block's header as the upstream returned it.
    pub header: Value,
    /// Accounts at the fork block, by address.
    pub accounts: BTreeMap<String, Option<CachedAccount>>,
    /// Code by hash, hex.
    pub codes: BTreeMap<String, String>,
    /// Storage at the fork block, by address and slot.
    pub storage: BTreeMap<String, BTreeMap<String, String>>,
    /// Block hashes up to the fork block, by number.
    #[serde(rename = "blockHashes")]
    pub block_hashes: BTreeMap<u64, String>,
    /// Answers to other calls about the chain up to the fork block (blocks by number or
    /// hash), by `method` and params.
    pub requests: BTreeMap<String, Value>,
}

/// Where the cache of `chain_id` at `block` lives under `root`.
pub fn cache_path(root: &Path, chain_id: u64, block: u64) -> PathBuf {
    root.join(chain_id.to_string())
        .join(block.to_string())
        .join("storage.json")
}

/// Reads a cache file; `None` when there is none, or it is unreadable or of another chain
/// or block (a cache is an optimisation: a bad one is ignored and later replaced).
pub fn load(path: &Path, chain_id: u64, block: u64) -> Option<CacheFile> {
    let text = std::fs::read(path).ok()?;
    let file: CacheFile = serde_json::from_slice(&text).ok()?;
    (file.chain_id == chain_id && file.block == block && file.header.is_object()).then_some(file)
}

/// Writes `file` at `path` atomically: to a temporary file beside it, synced, then renamed
/// over the old one.
pub fn store(path: &Path, file: &CacheFile) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".storage.json.{}.{:?}.tmp",
        std::process::id(),
        std::thread::current().id()
    ));
    let written = (|| {
        let mut out = std::fs::File::create(&tmp)?;
        serde_json::to_writer(std::io::BufWriter::new(&mut out), file)?;
        out.flush()?;
        out.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts() {
        for url in [
            "http://localhost:8545",
            "https://LOCALHOST",
            "http://127.0.0.1:1/x",
            "http://[::1]:8545",
            "http://user:pw@127.0.0.2",
        ] {
            assert!(is_local(url), "{url}");
        }
        for url in ["https://eth.example.org/v2/key", "http://10.0.0.1:8545"] {
            assert!(!is_local(url), "{url}");
        }
    }

    #[test]
    fn cache_root_follows_the_flags() {
        let mut o = ForkOptions {
            cache_dir: Some("/tmp/c".into()),
            ..ForkOptions::default()
        };
        assert_eq!(
            o.cache_root("http://localhost:1"),
            Some(PathBuf::from("/tmp/c"))
        );
        o.storage_caching = false;
        assert_eq!(o.cache_root("https://example.org"), None);
    }

    #[test]
    fn throttle_waits_when_the_budget_is_spent() {
        let mut t = Throttle::new(100);
        assert_eq!(t.take(60), Duration::ZERO);
        let wait = t.take(60);
        assert!(wait > Duration::from_millis(150) && wait <= Duration::from_millis(200));
    }

    #[test]
    fn store_then_load() {
        let dir = std::env::temp_dir().join(format!("ember-fork-cache-{}", std::process::id()));
        let path = cache_path(&dir, 1, 7);
        let mut file = CacheFile {
            chain_id: 1,
            block: 7,
            header: serde_json::json!({ "number": "0x7" }),
            ..CacheFile::default()
        };
        file.block_hashes.insert(6, "0x01".into());
        store(&path, &file).unwrap();
        let back = load(&path, 1, 7).unwrap();
        assert_eq!(back.block_hashes.get(&6).map(String::as_str), Some("0x01"));
        assert!(load(&path, 1, 8).is_none());
        assert!(load(&path, 2, 7).is_none());
        std::fs::write(&path, b"{ half").unwrap();
        assert!(load(&path, 1, 7).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
