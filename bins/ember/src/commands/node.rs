//! `ember node`: the local development chain, with anvil's flags.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ember_node::config::{NodeConfig, ETHER};
use ember_primitives::{Fork, U256};

/// `ember node` flags (anvil's names and meanings).
#[derive(Debug, Parser)]
pub struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(short, long, default_value_t = 8545)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Number of dev accounts.
    #[arg(short, long, default_value_t = 10)]
    accounts: usize,
    /// Balance of each dev account, in ether.
    #[arg(long, default_value_t = 10_000)]
    balance: u64,
    /// BIP-39 mnemonic of the dev accounts.
    #[arg(short, long, default_value = ember_wallet::DEFAULT_MNEMONIC)]
    mnemonic: String,
    /// Derivation path prefix of the dev accounts.
    #[arg(long, default_value = ember_wallet::DEFAULT_DERIVATION_PATH)]
    derivation_path: String,
    /// Chain id.
    #[arg(long, default_value_t = 31337)]
    chain_id: u64,
    /// Block gas limit.
    #[arg(long, default_value_t = 30_000_000)]
    gas_limit: u64,
    /// Base fee of the genesis block, in wei.
    #[arg(long, default_value_t = 1_000_000_000)]
    base_fee: u64,
    /// The fork the chain runs: frontier … prague, osaka (anvil's names; `latest` is Prague).
    #[arg(long, default_value = "prague")]
    hardfork: String,
    /// Mine a block every N seconds instead of on each transaction.
    #[arg(short, long, value_name = "SECONDS")]
    block_time: Option<f64>,
    /// Mine only on request (evm_mine / anvil_mine).
    #[arg(long)]
    no_mining: bool,
    /// Start from a geth genesis.json. With a fork schedule in its `config`, the chain runs
    /// that schedule, without dev accounts or automatic mining.
    #[arg(long, value_name = "PATH")]
    init: Option<PathBuf>,
    /// Import these RLP-encoded blocks (geth's export format) onto the --init genesis.
    #[arg(long, value_name = "PATH", requires = "init")]
    import: Option<PathBuf>,
    /// Load this anvil state file at start and write it on exit.
    #[arg(long, value_name = "PATH")]
    state: Option<PathBuf>,
    /// Load this anvil state file at start.
    #[arg(long, value_name = "PATH")]
    load_state: Option<PathBuf>,
    /// Write the state to this file on exit.
    #[arg(long, value_name = "PATH")]
    dump_state: Option<PathBuf>,
    /// Also write the state file every N seconds.
    #[arg(short = 's', long, value_name = "SECONDS")]
    state_interval: Option<u64>,
    /// Keep the chain in a database in this directory; restart continues where it stopped.
    #[arg(long, value_name = "PATH")]
    data_dir: Option<PathBuf>,
    /// Fork the chain of the node at this URL, fetching its state as needed.
    #[arg(short, long, value_name = "URL")]
    fork_url: Option<String>,
    /// The block of the forked chain to start from.
    #[arg(long, value_name = "NUMBER")]
    fork_block_number: Option<u64>,
    /// Initial retry backoff on upstream errors in fork mode, in milliseconds (doubled on
    /// each retry).
    #[arg(long, value_name = "MILLISECONDS", default_value_t = 1000)]
    fork_retry_backoff: u64,
    /// Retries of an upstream request that failed to connect or was refused as overloaded
    /// or rate-limited (HTTP 429, 5xx) in fork mode.
    #[arg(long, default_value_t = 5)]
    retries: u32,
    /// Timeout of one upstream request in fork mode, in milliseconds.
    #[arg(long, value_name = "MILLISECONDS", default_value_t = 45_000)]
    timeout: u64,
    /// Spend at most this many compute units a second on the upstream (Alchemy's costs per
    /// method); unlimited when absent.
    #[arg(long, value_name = "CUPS")]
    compute_units_per_second: Option<u64>,
    /// Keep nothing read from the upstream on disk: every start asks it again.
    #[arg(long)]
    no_storage_caching: bool,
    /// The fork cache's root directory (also EMBER_FORK_CACHE_DIR), ~/.ember/cache/rpc by
    /// default; given, it caches an upstream on this machine too.
    #[arg(long, value_name = "PATH")]
    fork_cache_dir: Option<PathBuf>,
    /// Genesis timestamp (seconds since the epoch).
    #[arg(long)]
    timestamp: Option<u64>,
    /// Print nothing but errors.
    #[arg(long)]
    silent: bool,
}

/// anvil's fork names on Ember's forks.
fn parse_fork(name: &str) -> Result<Fork, String> {
    match name.to_ascii_lowercase().as_str() {
        "latest" => Ok(Fork::Prague),
        other => other
            .parse::<Fork>()
            .map_err(|e| format!("--hardfork: {e}")),
    }
}

impl Args {
    fn into_config(self) -> Result<NodeConfig, String> {
        let fork = parse_fork(&self.hardfork)?;
        let block_time = match self.block_time {
            Some(secs) if !(secs.is_finite() && secs > 0.0) => {
                return Err(format!(
                    "--block-time: {secs} is not a positive number of seconds"
                ))
            }
            Some(secs) => Some(Duration::from_secs_f64(secs)),
            None => None,
        };
        let load_state = self
            .load_state
            .or_else(|| self.state.clone().filter(|p| p.exists()));
        Ok(NodeConfig {
            host: self.host,
            port: self.port,
            accounts: self.accounts,
            balance: U256::from(self.balance) * U256::from(ETHER),
            mnemonic: self.mnemonic,
            derivation_path: self.derivation_path,
            chain_id: self.chain_id,
            gas_limit: self.gas_limit,
            base_fee: self.base_fee,
            fork,
            block_time,
            no_mining: self.no_mining,
            init: self.init,
            import: self.import,
            spec_chain: None,
            load_state,
            dump_state: self.dump_state.or(self.state),
            state_interval: self.state_interval.map(Duration::from_secs),
            data_dir: self.data_dir,
            fork_url: self.fork_url,
            fork_block_number: self.fork_block_number,
            fork_options: ember_node::fork_cache::ForkOptions {
                storage_caching: !self.no_storage_caching,
                cache_dir: self.fork_cache_dir,
                retries: self.retries,
                retry_backoff: Duration::from_millis(self.fork_retry_backoff),
                timeout: Duration::from_millis(self.timeout.max(1)),
                compute_units_per_second: self.compute_units_per_second,
            },
            genesis_timestamp: self.timestamp,
            silent: self.silent,
        })
    }
}

/// Runs `ember node` until Ctrl-C.
pub fn run(args: Args) -> ExitCode {
    let config = match args.into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ember node: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ember node: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(ember_node::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ember node: {e}");
            ExitCode::FAILURE
        }
    }
}
