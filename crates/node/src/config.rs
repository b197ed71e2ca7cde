//! [`NodeConfig`]: everything `ember node` is started with, with anvil's defaults.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use ember_primitives::{Fork, U256};

/// One ether in wei.
pub const ETHER: u128 = 1_000_000_000_000_000_000;
/// One gwei in wei.
pub const GWEI: u64 = 1_000_000_000;

/// How `ember node` is configured; [`NodeConfig::default`] is anvil's default chain.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Address to listen on (`--host`), 127.0.0.1 by default.
    pub host: IpAddr,
    /// Port to listen on (`--port`), 8545 by default; 0 picks a free one.
    pub port: u16,
    /// Number of dev accounts (`--accounts`).
    pub accounts: usize,
    /// Balance of each dev account in wei (`--balance` is in ether).
    pub balance: U256,
    /// BIP-39 mnemonic of the dev accounts (`--mnemonic`).
    pub mnemonic: String,
    /// Derivation path prefix; account `i` is `prefix + i`.
    pub derivation_path: String,
    /// Chain id (`--chain-id`).
    pub chain_id: u64,
    /// Block gas limit (`--gas-limit`).
    pub gas_limit: u64,
    /// Base fee of the genesis block (`--base-fee`).
    pub base_fee: u64,
    /// The fork the chain runs (`--hardfork`).
    pub fork: Fork,
    /// Mine a block every interval (`--block-time`) instead of on each transaction.
    pub block_time: Option<Duration>,
    /// Mine only on request (`--no-mining`).
    pub no_mining: bool,
    /// A geth genesis file to start from (`--init`).
    pub init: Option<PathBuf>,
    /// RLP-encoded blocks to import onto the `--init` genesis (`--import`).
    pub import: Option<PathBuf>,
    /// Set when the chain runs a genesis file's fork schedule: the node then answers as the
    /// JSON-RPC specification says where it and anvil differ. Holds `eth_config`'s answer.
    pub spec_chain: Option<serde_json::Value>,
    /// Load an anvil state file at start (`--load-state`, or `--state` when it exists).
    pub load_state: Option<PathBuf>,
    /// Write an anvil state file on exit (`--dump-state`, or `--state`).
    pub dump_state: Option<PathBuf>,
    /// Also write the dump every interval (`--state-interval`).
    pub state_interval: Option<Duration>,
    /// Keep the chain in a database here (`--data-dir`); in memory without it.
    pub data_dir: Option<PathBuf>,
    /// Fork another node's chain (`--fork-url`).
    pub fork_url: Option<String>,
    /// The block of the forked chain to start from (`--fork-block-number`).
    pub fork_block_number: Option<u64>,
    /// How fork mode talks to its upstream and caches what it reads (`--retries`,
    /// `--timeout`, `--no-storage-caching`, ...).
    pub fork_options: crate::fork_cache::ForkOptions,
    /// Genesis timestamp (`--timestamp`); the wall clock when absent.
    pub genesis_timestamp: Option<u64>,
    /// Print nothing but errors (`--silent`).
    pub silent: bool,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8545,
            accounts: 10,
            balance: U256::from(10_000u64) * U256::from(ETHER),
            mnemonic: ember_wallet::DEFAULT_MNEMONIC.to_string(),
            derivation_path: ember_wallet::DEFAULT_DERIVATION_PATH.to_string(),
            chain_id: 31337,
            gas_limit: 30_000_000,
            base_fee: GWEI,
            fork: Fork::Prague,
            block_time: None,
            no_mining: false,
            init: None,
            import: None,
            spec_chain: None,
            load_state: None,
            dump_state: None,
            state_interval: None,
            data_dir: None,
            fork_url: None,
            fork_block_number: None,
            fork_options: crate::fork_cache::ForkOptions::default(),
            genesis_timestamp: None,
            silent: false,
        }
    }
}

/// How blocks get mined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MiningMode {
    /// A block for every transaction, at once.
    Auto,
    /// A block every interval, with what the pool holds.
    Interval(Duration),
    /// Only `evm_mine` / `anvil_mine`.
    Manual,
}

impl NodeConfig {
    /// The chain runs a genesis file's fork schedule (see [`NodeConfig::spec_chain`]).
    pub fn follows_spec(&self) -> bool {
        self.spec_chain.is_some()
    }

    /// The mining mode the flags ask for.
    pub fn mining_mode(&self) -> MiningMode {
        match (self.no_mining, self.block_time) {
            (true, _) => MiningMode::Manual,
            (false, Some(interval)) => MiningMode::Interval(interval),
            (false, None) => MiningMode::Auto,
        }
    }
}
