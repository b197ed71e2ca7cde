//! What reading and writing state reports back to the interpreter: a value with its
//! EIP-2929 warmth ([`StateLoad`]), a slot's values around an SSTORE ([`SStoreValues`]), what
//! a SELFDESTRUCT did ([`SelfDestructOutcome`]), and a [`Log`] entry. The state journal
//! produces them and the interpreter prices them, so they live below both.

use crate::{Address, Bytes, B256, U256};

/// A value read from state, with whether the access was cold (EIP-2929).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateLoad<T> {
    /// The value.
    pub data: T,
    /// True when this was the transaction's first access of the account or slot.
    pub is_cold: bool,
}

/// A storage slot's values around an SSTORE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SStoreValues {
    /// The value at the start of the transaction.
    pub original: U256,
    /// The value before this write.
    pub present: U256,
    /// The value written.
    pub new: U256,
}

/// What SELFDESTRUCT did, for its gas and refund.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SelfDestructOutcome {
    /// The destroyed account had a non-zero balance.
    pub had_value: bool,
    /// The beneficiary existed before.
    pub target_exists: bool,
    /// The beneficiary was empty (EIP-161) or absent before.
    pub target_is_empty: bool,
    /// The account had already been marked for destruction in this transaction.
    pub previously_destroyed: bool,
}

/// A log entry emitted by LOG0..LOG4.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Log {
    /// The emitting contract.
    pub address: Address,
    /// Up to four topics.
    pub topics: Vec<B256>,
    /// The data.
    pub data: Bytes,
}
