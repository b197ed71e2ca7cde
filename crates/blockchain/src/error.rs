//! Errors: malformed RLP, and the rule a block breaks.

use ember_primitives::{Address, B256, U256};

/// Why bytes are not a block, header or transaction list.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The RLP of a field is malformed or not canonical.
    #[error("{what}: field `{field}`: {reason}")]
    Rlp {
        /// What was being decoded.
        what: &'static str,
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A list was expected.
    #[error("{0}: expected an RLP list")]
    NotAList(&'static str),
    /// A required field is absent.
    #[error("{what}: missing field `{field}`")]
    MissingField {
        /// What was being decoded.
        what: &'static str,
        /// The field.
        field: &'static str,
    },
    /// The list has more items than the structure has fields.
    #[error("{0}: too many fields")]
    ExtraFields(&'static str),
    /// Bytes after the end of the item.
    #[error("{0} trailing bytes")]
    TrailingBytes(usize),
    /// A transaction of the body does not decode.
    #[error("transaction {index}: {reason}")]
    Transaction {
        /// Its position in the block.
        index: usize,
        /// Why.
        reason: String,
    },
}

/// A rule a block breaks. The block is rejected and the state stays at its parent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// The block's RLP is malformed.
    #[error("malformed block: {0}")]
    Decode(#[from] DecodeError),
    /// A header field is present before its fork or missing after it, or the body's
    /// withdrawals are.
    #[error("incorrect block format: {0}")]
    IncorrectBlockFormat(String),
    /// A block of the DAO fork's range without `dao-hard-fork` as its extra data.
    #[error("block {number}: the DAO fork range requires the extra data `dao-hard-fork`")]
    InvalidDaoExtraData {
        /// The block's number.
        number: u64,
    },
    /// The block is already in the chain (on any branch).
    #[error("block {0} is already known")]
    KnownBlock(B256),
    /// The parent is not known.
    #[error("unknown parent {0}")]
    UnknownParent(B256),
    /// `parent_hash` is not the hash of the parent.
    #[error("parent hash {got} is not the parent's {want}")]
    InvalidParentHash {
        /// The header's.
        got: B256,
        /// The parent's.
        want: B256,
    },
    /// The number is not the parent's plus one.
    #[error("block number {got}, want {want}")]
    InvalidNumber {
        /// The header's.
        got: u64,
        /// Parent's plus one.
        want: u64,
    },
    /// The timestamp is not after the parent's.
    #[error("timestamp {got} is not after the parent's {parent}")]
    InvalidTimestamp {
        /// The header's.
        got: u64,
        /// The parent's.
        parent: u64,
    },
    /// The block's RLP encoding is larger than EIP-7934 allows.
    #[error("block RLP is {size} bytes, over the EIP-7934 limit of {max}")]
    BlockTooLarge {
        /// The block's encoded size.
        size: u64,
        /// The fork's limit.
        max: u64,
    },
    /// More than 32 bytes of extra data.
    #[error("extra data is {0} bytes, at most 32 allowed")]
    ExtraDataTooLong(usize),
    /// The gas limit moved more than parent/1024, or is below 5000 or above 2^63-1.
    #[error("gas limit {got} out of bounds for parent gas limit {parent}")]
    InvalidGasLimit {
        /// The header's.
        got: u64,
        /// The parent's (doubled at the London block).
        parent: u64,
    },
    /// The header's gas used exceeds its gas limit.
    #[error("gas used {used} exceeds the gas limit {limit}")]
    GasUsedExceedsLimit {
        /// Gas used.
        used: u64,
        /// Gas limit.
        limit: u64,
    },
    /// The base fee is not the EIP-1559 update of the parent's.
    #[error("base fee {got}, want {want}")]
    InvalidBaseFee {
        /// The header's.
        got: U256,
        /// Computed from the parent.
        want: U256,
    },
    /// The difficulty is not the expected one (non-zero after the merge).
    #[error("difficulty {got}, want {want}")]
    InvalidDifficulty {
        /// The header's.
        got: U256,
        /// Computed.
        want: U256,
    },
    /// A non-zero nonce after the merge.
    #[error("non-zero nonce after the merge")]
    InvalidNonce,
    /// The ommers hash does not match the ommers, or the ommers break a rule.
    #[error("invalid ommers: {0}")]
    InvalidOmmers(String),
    /// The excess blob gas is not the EIP-4844 update of the parent's.
    #[error("excess blob gas {got}, want {want}")]
    IncorrectExcessBlobGas {
        /// The header's.
        got: u64,
        /// Computed from the parent.
        want: u64,
    },
    /// The header's blob gas used is not what the transactions use, or too much.
    #[error("blob gas used {got}, want {want}")]
    IncorrectBlobGasUsed {
        /// The header's.
        got: u64,
        /// The transactions'.
        want: u64,
    },
    /// A transaction is invalid.
    #[error("transaction {index}: {error}")]
    InvalidTransaction {
        /// Its position.
        index: usize,
        /// Why (the transaction validator's error).
        error: ember_transaction::InvalidTransaction,
    },
    /// A transaction's gas limit is above the gas the block has left.
    #[error(
        "transaction {index}: gas limit {gas_limit} exceeds the block's remaining {available}"
    )]
    GasAllowanceExceeded {
        /// Its position.
        index: usize,
        /// Its gas limit.
        gas_limit: u64,
        /// Gas left in the block.
        available: u64,
    },
    /// A transaction's blobs exceed the block's blob gas left.
    #[error("transaction {index}: blob gas {used} would exceed the block maximum {max}")]
    BlobGasExceeded {
        /// Its position.
        index: usize,
        /// Blob gas with this transaction.
        used: u64,
        /// The maximum.
        max: u64,
    },
    /// The header's gas used is not what the transactions used.
    #[error("gas used {got}, want {want}")]
    InvalidGasUsed {
        /// The header's.
        got: u64,
        /// Computed.
        want: u64,
    },
    /// A root or hash of the header does not match the body or the execution.
    #[error("{field} {got}, want {want}")]
    RootMismatch {
        /// Which header field (`state_root`, `receipts_root`, `transactions_root`,
        /// `withdrawals_root`, `logs_bloom`, `requests_hash`).
        field: &'static str,
        /// The header's.
        got: String,
        /// Computed.
        want: String,
    },
    /// A deposit contract log does not have the EIP-6110 layout.
    #[error("invalid deposit event layout: {0}")]
    InvalidDepositEventLayout(String),
    /// A system contract required by the fork has no code.
    #[error("system contract {0} has no code")]
    SystemContractEmpty(Address),
    /// A system contract call reverted or halted.
    #[error("system contract {address} call failed: {reason}")]
    SystemContractCallFailed {
        /// The contract.
        address: Address,
        /// Why.
        reason: String,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Database(String),
}
