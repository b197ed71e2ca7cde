//! Starting the node: the genesis from the configuration, the banner, the server, the
//! interval miner and the state dumps, and `anvil_reset`.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ember_evm::InMemoryDb;
use ember_primitives::{Address, U256};
use ember_rpc::RpcError;

use crate::chain::{BlockTemplate, DevChain};
use crate::config::MiningMode;
use crate::config::{NodeConfig, ETHER};
use crate::filter::{Filters, Subscriptions};
use crate::fork_mode::ForkedChain;
use crate::genesis::{account_info, add_system_contracts, GenesisFile};
use crate::import::{decode_blocks, import_chain, Schedule};
use crate::node::{unix_now, Clock, Node, NodeState};
use crate::pool::Pool;
use crate::store::Store;

/// The node's state as `config` asks for it: a new chain, or the one in `--data-dir`.
pub fn build_state(config: NodeConfig) -> Result<NodeState, String> {
    let accounts =
        ember_wallet::derive_accounts(&config.mnemonic, config.accounts, &config.derivation_path)
            .map_err(|e| format!("--mnemonic: {e}"))?;
    let remote = match &config.fork_url {
        Some(url) => {
            if config.data_dir.is_some() {
                return Err("--fork-url with --data-dir is not supported".into());
            }
            let fork =
                ForkedChain::connect_with(url, config.fork_block_number, &config.fork_options)
                    .map_err(|e| format!("--fork-url: {e}"))?;
            Some(Arc::new(fork))
        }
        None => None,
    };
    let genesis_file = match &config.init {
        Some(path) => Some(GenesisFile::load(path)?),
        None => None,
    };
    if config.import.is_some() && genesis_file.is_none() {
        return Err("--import needs the chain's genesis file (--init)".into());
    }
    // A genesis file with a fork schedule: the chain exactly as it specifies (no dev
    // accounts), with the blocks of --import.
    if let Some(genesis) = &genesis_file {
        if let Some(schedule) = Schedule::from_genesis(genesis)? {
            return build_loaded_state(config, genesis, &schedule);
        }
    }
    // In fork mode the forked chain's id, gas limit, time and base fee carry on (a chain id
    // given on the command line wins, as in anvil).
    let header_field = |name: &str| {
        remote.as_ref().and_then(|r| {
            r.header[name]
                .as_str()
                .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        })
    };
    let chain_id = genesis_file
        .as_ref()
        .and_then(|g| g.config.chain_id)
        .or_else(|| {
            remote
                .as_ref()
                .filter(|_| config.chain_id == NodeConfig::default().chain_id)
                .map(|r| r.chain_id)
        })
        .unwrap_or(config.chain_id);
    let gas_limit = genesis_file
        .as_ref()
        .and_then(|g| g.gas_limit)
        .or_else(|| header_field("gasLimit"))
        .unwrap_or(config.gas_limit);
    let mut state = InMemoryDb::new();
    for account in &accounts {
        // A forked account keeps its nonce and code; only the balance is the dev balance.
        let existing = match &remote {
            Some(r) => r
                .account(&state, account.address)
                .map_err(|e| format!("--fork-url: {e}"))?,
            None => None,
        };
        let mut info =
            existing.unwrap_or_else(|| account_info(config.balance, 0, Default::default()));
        info.balance = config.balance;
        state.insert_account(account.address, info, []);
    }
    if let Some(genesis) = &genesis_file {
        genesis.apply(&mut state);
    }
    add_system_contracts(&mut state, config.fork);
    let template = BlockTemplate {
        timestamp: genesis_file
            .as_ref()
            .and_then(|g| g.timestamp)
            .or(config.genesis_timestamp)
            .or_else(|| header_field("timestamp"))
            .unwrap_or_else(unix_now),
        gas_limit,
        coinbase: genesis_file
            .as_ref()
            .and_then(|g| g.coinbase)
            .unwrap_or(Address::ZERO),
        base_fee: U256::from(
            genesis_file
                .as_ref()
                .and_then(|g| g.base_fee_per_gas)
                .or_else(|| header_field("baseFeePerGas"))
                .unwrap_or(config.base_fee),
        ),
    };
    let first_number = remote.as_ref().map_or(0, |r| r.block);
    let mut store = None;
    let mut chain = None;
    if let Some(dir) = &config.data_dir {
        let (opened, loaded) = Store::open_or_create(dir, config.fork, chain_id)
            .map_err(|e| format!("--data-dir {}: {e}", dir.display()))?;
        chain = loaded;
        store = Some(opened);
    }
    let mut chain = match chain {
        Some(chain) => chain,
        None => {
            let chain = DevChain::new_at(
                config.fork,
                chain_id,
                state,
                &template,
                first_number,
                remote.clone(),
            );
            if let Some(store) = &mut store {
                store.init(&chain).map_err(|e| format!("--data-dir: {e}"))?;
            }
            chain
        }
    };
    if chain.fork != config.fork || chain.chain_id != chain_id {
        return Err(format!(
            "--data-dir holds a {} chain with id {}, not {} with id {chain_id}",
            chain.fork, chain.chain_id, config.fork
        ));
    }
    let _ = &mut chain;
    let mut node = NodeState {
        mining: config.mining_mode(),
        gas_limit,
        coinbase: template.coinbase,
        config,
        chain,
        pool: Pool::default(),
        clock: Clock::default(),
        next_base_fee: None,
        min_gas_price: None,
        accounts,
        impersonated: HashSet::new(),
        auto_impersonate: false,
        snapshots: BTreeMap::new(),
        dropped_snapshots: HashSet::new(),
        next_snapshot: 0,
        safe_finalized: None,
        filters: Filters::default(),
        subscriptions: Subscriptions::default(),
        store,
    };
    // Snapshots kept by --data-dir survive restarts (their clocks do not: time goes on).
    if let Some(store) = &node.store {
        let kept = store.snapshots().map_err(|e| format!("--data-dir: {e}"))?;
        for (id, head, mut state) in kept {
            for block in node.chain.blocks() {
                let n = block.number();
                if n <= head && n + 256 >= head {
                    state.block_hashes.insert(n, block.hash);
                }
            }
            node.snapshots.insert(
                id,
                crate::node::Snapshot {
                    head,
                    state: Arc::new(state),
                    clock: Clock::default(),
                },
            );
            node.next_snapshot = node.next_snapshot.max(id + 1);
        }
    }
    if let Some(path) = node.config.load_state.clone() {
        crate::state_file::load_file(&mut node, &path)?;
    }
    Ok(node)
}

/// Reads `--import`'s blocks, imports them onto the genesis and reports how far it got: a
/// rejected block is printed (naming it and the rule) and the chain kept up to the block
/// before it.
pub fn load_chain(
    genesis: &GenesisFile,
    schedule: &Schedule,
    import: Option<&std::path::Path>,
) -> Result<crate::import::Imported, String> {
    let (blocks, decode_error) = match import {
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let (blocks, error) = decode_blocks(&bytes);
            (blocks, error.map(|e| format!("{}: {e}", path.display())))
        }
        None => (Vec::new(), None),
    };
    import_chain(genesis, schedule, blocks, decode_error)
}

/// The node on a chain a genesis file with a fork schedule specifies: no dev accounts, no
/// automatic mining (a transaction waits in the pool, as on a real node) unless
/// `--block-time` asks for it, and no `--data-dir` or `--fork-url`.
fn build_loaded_state(
    mut config: NodeConfig,
    genesis: &GenesisFile,
    schedule: &Schedule,
) -> Result<NodeState, String> {
    if config.data_dir.is_some() || config.fork_url.is_some() {
        return Err(
            "a genesis file with a fork schedule cannot be used with --data-dir or --fork-url"
                .into(),
        );
    }
    let imported = load_chain(genesis, schedule, config.import.as_deref())?;
    if let Some(error) = &imported.error {
        eprintln!(
            "import stopped: {error}; the chain is kept up to block {}",
            imported.chain.head_number()
        );
    }
    if !config.silent && config.import.is_some() {
        println!(
            "Imported {} blocks; head {} ({})",
            imported.imported,
            imported.chain.head_number(),
            imported.chain.head().hash
        );
    }
    let chain = imported.chain;
    config.fork = chain.fork;
    config.spec_chain = Some(crate::import::eth_config(genesis, &chain));
    let mining = match config.block_time {
        Some(interval) => MiningMode::Interval(interval),
        None => MiningMode::Manual,
    };
    let head = &chain.head().block.header;
    Ok(NodeState {
        mining,
        gas_limit: head.gas_limit,
        coinbase: head.beneficiary,
        config,
        chain,
        pool: Pool::default(),
        clock: Clock::default(),
        next_base_fee: None,
        min_gas_price: None,
        accounts: Vec::new(),
        impersonated: HashSet::new(),
        auto_impersonate: false,
        snapshots: BTreeMap::new(),
        dropped_snapshots: HashSet::new(),
        next_snapshot: 0,
        safe_finalized: None,
        filters: Filters::default(),
        subscriptions: Subscriptions::default(),
        store: None,
    })
    .map(|mut s: NodeState| {
        let head = s.chain.head_number();
        s.safe_finalized = Some((head, head));
        s
    })
}

/// `anvil_reset`: a new chain from the configuration (in memory; a `--data-dir` is
/// rewritten).
pub fn reset(s: &mut NodeState) -> Result<(), RpcError> {
    let config = s.config.clone();
    reset_to(s, config)
}

/// `anvil_reset` to another configuration (another fork URL or block): a new chain built
/// from `config`. The forked chain's cache is written first, so a reset to the same fork
/// block reads it back instead of asking the upstream again.
pub fn reset_to(s: &mut NodeState, mut config: NodeConfig) -> Result<(), RpcError> {
    if let Some(remote) = &s.chain.remote {
        if let Err(e) = remote.flush() {
            eprintln!("ember node: {e}");
        }
    }
    config.load_state = None;
    let data_dir = config.data_dir.take();
    let mut fresh = build_state(config).map_err(RpcError::internal)?;
    fresh.config.data_dir = data_dir;
    fresh.store = s.store.take();
    fresh.mining = s.mining;
    if let Some(store) = &mut fresh.store {
        store
            .init(&fresh.chain)
            .map_err(|e| RpcError::internal(format!("writing state failed: {e}")))?;
    }
    *s = fresh;
    Ok(())
}

/// Prints anvil's kind of banner.
pub fn print_banner(s: &NodeState, listening: SocketAddr) {
    let c = &s.config;
    println!(
        r#"
                             _
   ___  _ __ ___   | |__    ___  _ __
  / _ \| '_ ` _ \  | '_ \  / _ \| '__|
 |  __/| | | | | | | |_) ||  __/| |
  \___||_| |_| |_| |_.__/  \___||_|     ember node {}
"#,
        env!("CARGO_PKG_VERSION")
    );
    println!("Available Accounts\n==================\n");
    for (i, a) in s.accounts.iter().enumerate() {
        let ether = c.balance / U256::from(ETHER);
        println!("({i}) {} ({ether}.000000000000000000 ETH)", a.address);
    }
    println!("\nPrivate Keys\n==================\n");
    for (i, a) in s.accounts.iter().enumerate() {
        println!("({i}) {}", a.secret_key);
    }
    println!("\nWallet\n==================");
    println!("Mnemonic:          {}", c.mnemonic);
    println!("Derivation path:   {}<index>\n", c.derivation_path);
    println!("Chain ID\n==================\n\n{}\n", s.chain.chain_id);
    println!(
        "Base Fee\n==================\n\n{}\n",
        s.chain
            .head()
            .block
            .header
            .base_fee_per_gas
            .unwrap_or_default()
    );
    println!("Gas Limit\n==================\n\n{}\n", s.gas_limit);
    println!(
        "Genesis Timestamp\n==================\n\n{}\n",
        s.chain.block(0).map_or(0, |b| b.block.header.timestamp)
    );
    println!("Hardfork\n==================\n\n{}\n", s.chain.fork);
    if let Some(dir) = &c.data_dir {
        println!(
            "Data directory\n==================\n\n{} (block {})\n",
            dir.display(),
            s.chain.head_number()
        );
    }
    println!("Listening on {listening}");
}

/// Runs the node until Ctrl-C: binds, prints the banner, serves, mines on an interval
/// when asked, and dumps the state on exit when asked.
pub async fn run(config: NodeConfig) -> Result<(), String> {
    let addr = SocketAddr::new(config.host, config.port);
    let silent = config.silent;
    let state = tokio::task::spawn_blocking(move || build_state(config))
        .await
        .map_err(|e| e.to_string())??;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    if !silent {
        print_banner(&state, local);
    }
    let dump_interval = state.config.state_interval;
    let node = Node::new(state);
    let stop = Arc::new(AtomicBool::new(false));
    let miner = {
        let node = node.clone();
        let stop = stop.clone();
        std::thread::spawn(move || node.run_interval_miner(stop))
    };
    let dumper = dump_interval.map(|every| {
        let node = node.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(every);
                if let Ok(s) = node.lock() {
                    if let Err(e) = crate::state_file::dump_configured(&s) {
                        eprintln!("state dump failed: {e}");
                    }
                }
            }
        })
    });
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let service: Arc<dyn ember_rpc::RpcService> = node.clone();
    ember_rpc::serve(listener, service, shutdown)
        .await
        .map_err(|e| format!("server failed: {e}"))?;
    stop.store(true, Ordering::Relaxed);
    node.mining_changed.notify_all();
    let _ = miner.join();
    drop(dumper);
    if let Ok(s) = node.lock() {
        if let Some(remote) = &s.chain.remote {
            remote.flush().map_err(|e| e.to_string())?;
        }
        crate::state_file::dump_configured(&s)?;
    }
    Ok(())
}
