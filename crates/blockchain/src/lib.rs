//! Whole blocks for Ember.
//!
//! - [`Header`] and [`Block`] with strict RLP decoding, encoding and hashing (every header
//!   field through Prague);
//! - [`consensus`]: the header rules against the parent (gas limit, EIP-1559 base fee,
//!   EIP-4844 blob gas, difficulty, the merge's constants);
//! - [`execute_block`]: system calls (EIP-4788, EIP-2935), transactions with receipts,
//!   rewards, withdrawals (EIP-4895) and the Prague requests (EIP-6110, EIP-7002, EIP-7251,
//!   EIP-7685);
//! - [`Chain`]: imports blocks on an in-memory chain, rejecting a block that breaks a rule
//!   with a [`BlockError`] naming it and leaving the state at the parent;
//! - [`json`]: the JSON spellings of quantities, bytes and account allocations.
//!
//! The fixture runners built on it (blockchain tests, t8n, state tests through the block
//! executor) are in `ember-conformance`.
//!
//! ```
//! use ember_blockchain::{Block, ChainConfig, Chain, Header};
//! use ember_evm::InMemoryDb;
//! use ember_primitives::{Fork, EMPTY_ROOT};
//!
//! let genesis = Block {
//!     header: Header { state_root: EMPTY_ROOT, gas_limit: 30_000_000, ..Header::default() },
//!     ..Block::default()
//! };
//! let chain = Chain::new(ChainConfig::single(Fork::Berlin, 1), genesis, InMemoryDb::new()).unwrap();
//! assert_eq!(chain.head().header.number, 0);
//! ```
#![deny(missing_docs)]

pub mod block;
pub mod block_tx;
pub mod chain;
pub mod config;
pub mod consensus;
pub mod dao;
mod error;
pub mod execute;
pub mod header;
pub mod json;
pub mod receipt;
mod rlp;

pub use block::{Block, Withdrawal};
pub use block_tx::{BlockTransaction, StateTestTx};
pub use chain::{BlockTemplate, Chain};
pub use config::{Activation, ChainConfig, UnknownNetwork, MAINNET_DEPOSIT_CONTRACT};
pub use error::{BlockError, DecodeError};
pub use execute::{
    execute_block, execute_block_inspected, BlockContext, BlockDatabase, BlockExecution,
    ExecuteOptions, ExecutionMode, InvalidTxPolicy, OmmerReward, TxHooks, TxOutcome,
};
pub use header::Header;
pub use receipt::{Receipt, ReceiptOutcome};
