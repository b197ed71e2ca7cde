//! The outcome of a valid transaction.

use ember_interpreter::{Exit, Log};
use ember_primitives::{Address, Bytes};
use ember_state::StateChanges;

/// Why execution halted exceptionally.
pub type HaltReason = Exit;

/// The outcome of a transaction that was valid and executed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecutionResult {
    /// The top frame stopped normally.
    Success {
        /// Gas charged to the sender, after refunds.
        gas_used: u64,
        /// Gas refunded.
        gas_refunded: u64,
        /// Logs emitted.
        logs: Vec<Log>,
        /// Return data (empty for creations).
        output: Bytes,
        /// The created contract, for a creation.
        created_address: Option<Address>,
    },
    /// The top frame reverted.
    Revert {
        /// Gas charged.
        gas_used: u64,
        /// Revert data.
        output: Bytes,
    },
    /// The top frame halted exceptionally.
    Halt {
        /// Why.
        reason: HaltReason,
        /// Gas charged (the whole limit).
        gas_used: u64,
    },
}

impl ExecutionResult {
    /// True for [`ExecutionResult::Success`].
    pub fn is_success(&self) -> bool {
        matches!(self, ExecutionResult::Success { .. })
    }

    /// Gas charged to the sender.
    pub fn gas_used(&self) -> u64 {
        match self {
            ExecutionResult::Success { gas_used, .. }
            | ExecutionResult::Revert { gas_used, .. }
            | ExecutionResult::Halt { gas_used, .. } => *gas_used,
        }
    }

    /// Logs (empty unless successful).
    pub fn logs(&self) -> &[Log] {
        match self {
            ExecutionResult::Success { logs, .. } => logs,
            _ => &[],
        }
    }

    /// Return or revert data.
    pub fn output(&self) -> &Bytes {
        static EMPTY: Bytes = Bytes::new();
        match self {
            ExecutionResult::Success { output, .. } | ExecutionResult::Revert { output, .. } => {
                output
            }
            ExecutionResult::Halt { .. } => &EMPTY,
        }
    }
}

/// A transaction's result together with the state changes it would make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultAndState {
    /// The result.
    pub result: ExecutionResult,
    /// Every changed account.
    pub state: StateChanges,
    /// EIP-7702 authorizations that failed a check and were skipped (the transaction still
    /// executed), in list order.
    pub skipped_authorizations: Vec<SkippedAuthorization>,
}

/// Why an EIP-7702 authorization tuple was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorizationSkip {
    /// Its chain id is neither 0 nor the chain's.
    WrongChainId,
    /// Its nonce is 2^64-1, which the authority could never exceed (EIP-2681).
    NonceOverflow,
    /// Its signature recovers no authority (invalid, or s in the upper half).
    InvalidSignature,
    /// The authority has code that is not a delegation designator.
    AuthorityHasCode,
    /// Its nonce is not the authority's current nonce.
    NonceMismatch {
        /// The authority's nonce.
        expected: u64,
        /// The tuple's nonce.
        got: u64,
    },
}

impl std::fmt::Display for AuthorizationSkip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthorizationSkip::WrongChainId => {
                f.write_str("chain id is neither 0 nor this chain's")
            }
            AuthorizationSkip::NonceOverflow => f.write_str("nonce is 2^64-1"),
            AuthorizationSkip::InvalidSignature => f.write_str("signature recovers no authority"),
            AuthorizationSkip::AuthorityHasCode => {
                f.write_str("authority has code that is not a delegation")
            }
            AuthorizationSkip::NonceMismatch { expected, got } => {
                write!(f, "nonce {got}, authority's nonce is {expected}")
            }
        }
    }
}

/// An EIP-7702 authorization that was skipped: its index in the list and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkippedAuthorization {
    /// Position in the transaction's authorization list.
    pub index: usize,
    /// The check it failed.
    pub reason: AuthorizationSkip,
}
