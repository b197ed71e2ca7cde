//! Errors: an invalid transaction (never executed, no receipt) or a database failure.

use ember_primitives::{TxType, U256};

/// Why a transaction is invalid. It was not executed and the state is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTransaction {
    /// The fork does not have this transaction type.
    #[error("transaction type {0:?} is not supported in this fork")]
    TypeNotSupported(TxType),
    /// Signed for another chain.
    #[error("chain id {got} does not match the chain's {want}")]
    InvalidChainId {
        /// The transaction's chain id.
        got: u64,
        /// The chain's.
        want: u64,
    },
    /// Gas limit above the block's.
    #[error("gas limit {gas_limit} exceeds the block gas limit {block_gas_limit}")]
    GasLimitExceedsBlock {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The block's.
        block_gas_limit: u64,
    },
    /// Gas limit above the EIP-7825 cap.
    #[error("gas limit {gas_limit} exceeds the transaction cap {cap}")]
    GasLimitExceedsCap {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The cap.
        cap: u64,
    },
    /// Gas limit below the intrinsic cost.
    #[error("intrinsic gas too low: have {have}, want {want}")]
    IntrinsicGasTooLow {
        /// The transaction's gas limit.
        have: u64,
        /// Its intrinsic cost (or the EIP-7623 floor).
        want: u64,
    },
    /// Max fee per gas below the block's base fee.
    #[error("max fee per gas {max_fee} is below the base fee {base_fee}")]
    FeeCapTooLow {
        /// The transaction's fee cap.
        max_fee: U256,
        /// The block's base fee.
        base_fee: U256,
    },
    /// Priority fee above the max fee.
    #[error("max priority fee per gas is higher than max fee per gas")]
    PriorityFeeGreaterThanMaxFee,
    /// The sender cannot pay for gas and value.
    #[error("insufficient funds: balance {balance}, cost {cost}")]
    InsufficientFunds {
        /// The sender's balance.
        balance: U256,
        /// What the transaction may cost.
        cost: U256,
    },
    /// Nonce below the sender's.
    #[error("nonce too low: transaction {tx}, state {state}")]
    NonceTooLow {
        /// The transaction's nonce.
        tx: u64,
        /// The sender's.
        state: u64,
    },
    /// Nonce above the sender's.
    #[error("nonce too high: transaction {tx}, state {state}")]
    NonceTooHigh {
        /// The transaction's nonce.
        tx: u64,
        /// The sender's.
        state: u64,
    },
    /// The sender's nonce is 2^64-1 (EIP-2681).
    #[error("nonce has reached its maximum")]
    NonceOverflow,
    /// The sender has code (EIP-3607).
    #[error("sender is not an externally owned account")]
    SenderNotEoa,
    /// Initcode above the EIP-3860 limit.
    #[error("initcode size {size} exceeds the limit {max}")]
    InitcodeTooLarge {
        /// Initcode length.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A blob transaction without blobs.
    #[error("blob transaction has no blobs")]
    EmptyBlobs,
    /// More blobs than the block may carry.
    #[error("too many blobs: {have}, max {max}")]
    TooManyBlobs {
        /// Blobs in the transaction.
        have: usize,
        /// The maximum.
        max: u64,
    },
    /// More blobs than one transaction may carry (EIP-7594, Osaka on).
    #[error("EIP-7594: {have} blobs exceed the per-transaction limit of {max}")]
    TooManyBlobsPerTx {
        /// Blobs in the transaction.
        have: usize,
        /// The per-transaction limit (`MAX_BLOBS_PER_TX`).
        max: u64,
    },
    /// A versioned hash with the wrong version byte.
    #[error("blob versioned hash has an unsupported version")]
    BlobVersionNotSupported,
    /// Max fee per blob gas below the blob base fee.
    #[error("max fee per blob gas {max_fee} is below the blob base fee {blob_base_fee}")]
    BlobFeeCapTooLow {
        /// The transaction's cap.
        max_fee: U256,
        /// The block's blob base fee.
        blob_base_fee: U256,
    },
    /// A blob or set-code transaction that creates a contract.
    #[error("this transaction type cannot create a contract")]
    CreateNotAllowed,
    /// A set-code transaction with no authorizations.
    #[error("set-code transaction has an empty authorization list")]
    EmptyAuthorizationList,
    /// A value in the transaction does not fit (a fixture's `ValueOverflow`).
    #[error("malformed transaction: {0}")]
    Malformed(String),
}

/// What can stop a transaction from producing a result.
#[derive(Debug, thiserror::Error)]
pub enum EvmError<DbError> {
    /// The transaction is invalid.
    #[error("invalid transaction: {0}")]
    Transaction(#[from] InvalidTransaction),
    /// The database failed.
    #[error("database error: {0}")]
    Database(DbError),
}
