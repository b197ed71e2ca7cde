//! `ember node`: a local development chain that speaks anvil's JSON-RPC, so scripts written
//! for anvil (ethers, viem, web3.py, cast) run against it unchanged.
//!
//! - [`config`]: the flags, with anvil's defaults; [`startup`]: genesis, banner, serving;
//! - [`chain`]: blocks, head state, recent states, mining a block from the pool ([`pool`]);
//! - [`node`]: the state behind the lock and the operations methods share;
//! - [`methods`] and [`cheats`]: the JSON-RPC methods; [`call`]: what call-like methods read;
//!   [`exec`]: calls and gas estimation; [`simulate`]: `eth_simulateV1`;
//!   [`debug`]: traces; [`proof`]: `eth_getProof`; [`filter`]: logs, filters, subscriptions;
//! - [`import`]: a chain loaded from a geth genesis file and RLP blocks (`--import`);
//! - [`store`]: the chain in a database (`--data-dir`); [`state_file`]: anvil's state dumps;
//! - [`fork_mode`]: `--fork-url`, another node's chain read over RPC under the local changes;
//!   [`fork_cache`]: its upstream settings and disk cache.
#![deny(missing_docs)]

pub mod call;
pub mod chain;
pub mod cheats;
pub mod config;
pub mod debug;
pub mod exec;
pub mod filter;
pub mod fork_cache;
pub mod fork_mode;
pub mod genesis;
pub mod import;
pub mod methods;
pub mod node;
pub mod params;
pub mod parity_trace;
pub mod pool;
pub mod proof;
pub mod render;
pub mod simulate;
pub mod startup;
pub mod state_file;
pub mod storage_trie;
pub mod store;
pub mod tx;

pub use config::NodeConfig;
pub use node::{Node, NodeState};
pub use startup::{build_state, run};
