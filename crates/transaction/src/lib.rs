//! Ember's transactions: the five Ethereum transaction types (legacy, EIP-2930, EIP-1559,
//! EIP-4844, EIP-7702) with strict canonical RLP decoding, signature checks and sender recovery,
//! intrinsic gas, and the transaction validator (fork, block and sender rules). The
//! `TransactionTests` runner is in `ember-conformance`.
//!
//! ```
//! use ember_primitives::{Fork, Spec};
//! use ember_transaction::{intrinsic_gas, validate, Transaction};
//!
//! // The first transaction on mainnet (block 46147).
//! let raw = ember_primitives::hex::decode(
//!     "f86780862d79883d2000825208945df9b87991262f6ba471f09758cde1c0fc1de734827a69801c\
//!      a088ff6cf0fefd94db46111149ae4bfc179e9b94721fffd821d38d16464b3f71d0\
//!      a045e0aff800961cfce805daef7016b9b675c137a6a41a548f7b60a3484c06a33a",
//! )
//! .unwrap();
//! let spec = Spec::of(Fork::Frontier);
//! let (sender, _hash) = validate(&raw, spec).unwrap();
//! let tx = Transaction::decode(&raw).unwrap();
//! assert_eq!(intrinsic_gas(spec, &tx.to_env(sender)), 21_000);
//! ```
#![deny(missing_docs)]

pub mod envelope;
pub mod error;
pub mod intrinsic;
pub mod legacy;
mod rlp;
pub mod signature;
pub mod typed;
pub mod validity;

pub use envelope::Transaction;
pub use error::{TxDecodeError, TxError};
pub use intrinsic::{calldata_floor_gas, intrinsic_gas, min_gas_limit};
pub use legacy::TxLegacy;
pub use signature::recover_authority;
pub use typed::{TxEip1559, TxEip2930, TxEip4844, TxEip7702};
pub use validity::{
    blob_base_fee, blob_gas, blob_params, check_base_fee, check_block, check_env, check_sender,
    check_signature, check_transaction, check_transaction_from, effective_gas_price, gas_price_at,
    max_cost, type_enabled, validate, validate_with_chain_id, GasCharges, InvalidTransaction,
    SenderAccount, MAINNET_CHAIN_ID,
};

#[cfg(test)]
mod tests;
