//! Ember's shared vocabulary: 256-bit words, addresses and hashes (re-exported from
//! `alloy-primitives`), the ordered [`Fork`] enum, the fork rule table [`Spec`], and the
//! block and transaction environments every other crate speaks in; [`hex_parse`] reads the
//! hex strings of fixtures and command lines, and [`state_access`] holds what reading and
//! writing state reports back to the interpreter ([`Log`], [`StateLoad`], [`SStoreValues`],
//! [`SelfDestructOutcome`]).
#![deny(missing_docs)]

pub mod env;
pub mod fork;
pub mod hex_parse;
pub mod spec;
pub mod state_access;

pub use alloy_primitives::{
    self, address, b256, bytes, hex, keccak256, Address, Bytes, B256, U256,
};
pub use env::{AccessListItem, Authorization, BlockEnv, BlockExtension, TxEnv, TxKind, TxType};
pub use fork::{Fork, UnknownFork};
pub use spec::{BlobParams, Spec};
pub use state_access::{Log, SStoreValues, SelfDestructOutcome, StateLoad};

/// Keccak-256 of the empty byte string: the code hash of an account without code.
pub const KECCAK_EMPTY: B256 =
    b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");

/// The root of an empty Merkle-Patricia trie (keccak of the RLP empty string).
pub const EMPTY_ROOT: B256 =
    b256!("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");

/// EIP-4844: the version byte of a KZG versioned hash (`0x01 ‖ sha256(commitment)[1..]`).
pub const VERSIONED_HASH_VERSION_KZG: u8 = 0x01;

/// EIP-3860: gas per 32-byte word of initcode, charged by a creating transaction's intrinsic
/// gas and by CREATE and CREATE2.
pub const INITCODE_WORD_COST: u64 = 2;
