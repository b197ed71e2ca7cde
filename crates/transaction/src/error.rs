//! Errors: [`TxDecodeError`] for bytes that are not a well-formed transaction,
//! [`TxValidationError`] for well-formed transactions a fork rejects, and [`TxError`] for either.

use ember_primitives::{TxType, U256};

/// Why a byte string is not a canonically encoded transaction. Each variant names the field
/// (as `context.field`, e.g. `legacy.nonce` or `access_list.storage_key`) that is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxDecodeError {
    /// The input is empty.
    #[error("empty transaction bytes")]
    Empty,
    /// A typed envelope byte with nothing after it.
    #[error("typed transaction 0x{0:02x} has no payload")]
    EmptyTypedPayload(u8),
    /// The first byte is not a known transaction type (0x01..=0x04) nor an RLP list.
    #[error("transaction type 0x{0:02x} is not supported")]
    UnknownType(u8),
    /// The input starts with an RLP string header: neither a legacy list nor a typed envelope.
    #[error(
        "transaction is an RLP string (first byte 0x{0:02x}), expected a list or a typed envelope"
    )]
    NotAList(u8),
    /// The RLP structure of a field is malformed (non-canonical length, truncated input...).
    #[error("invalid RLP in `{field}`: {error}")]
    Rlp {
        /// The field being read.
        field: &'static str,
        /// What alloy-rlp reported.
        error: alloy_rlp::Error,
    },
    /// A list was found where a string (integer, address, bytes) is expected.
    #[error("`{field}` must be an RLP string, found a list")]
    UnexpectedList {
        /// The field being read.
        field: &'static str,
    },
    /// A string was found where a list is expected.
    #[error("`{field}` must be an RLP list, found a string")]
    UnexpectedString {
        /// The field being read.
        field: &'static str,
    },
    /// An integer with leading zero bytes (non-canonical; zero must be the empty string).
    #[error("integer `{field}` has leading zero bytes")]
    LeadingZeros {
        /// The field being read.
        field: &'static str,
    },
    /// An integer wider than its field.
    #[error("integer `{field}` is {len} bytes long, more than its {max_bits}-bit field")]
    IntegerOverflow {
        /// The field being read.
        field: &'static str,
        /// The encoded length in bytes.
        len: usize,
        /// The width of the field in bits.
        max_bits: u32,
    },
    /// An address that is not exactly 20 bytes (or empty where a creation is allowed).
    #[error("address `{field}` is {len} bytes long, expected 20")]
    AddressLength {
        /// The field being read.
        field: &'static str,
        /// The encoded length in bytes.
        len: usize,
    },
    /// A 32-byte value (storage key, versioned hash) of another length.
    #[error("`{field}` is {len} bytes long, expected 32")]
    HashLength {
        /// The field being read.
        field: &'static str,
        /// The encoded length in bytes.
        len: usize,
    },
    /// An empty `to` on a transaction type that cannot create contracts.
    #[error("`{field}` is empty, but this transaction type cannot create contracts")]
    MissingTo {
        /// The field being read.
        field: &'static str,
    },
    /// A list ended before one of its fields.
    #[error("too few RLP elements: `{field}` is missing")]
    MissingField {
        /// The first missing field.
        field: &'static str,
    },
    /// A list has more elements than its type defines.
    #[error("too many RLP elements in `{context}`")]
    ExtraFields {
        /// The list with extra elements.
        context: &'static str,
    },
    /// Bytes left over after the transaction.
    #[error("{0} trailing bytes after the transaction")]
    TrailingBytes(usize),
}

impl TxDecodeError {
    pub(crate) fn rlp(field: &'static str, error: alloy_rlp::Error) -> Self {
        TxDecodeError::Rlp { field, error }
    }
}

/// Why a well-formed transaction is invalid under a fork's rules (signature, gas, limits).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxValidationError {
    /// The transaction type is not enabled in this fork.
    #[error("transaction type {0:?} is not supported by this fork")]
    TypeNotSupported(TxType),
    /// `r` or `s` outside `[1, n)`.
    #[error("invalid signature: {0}")]
    InvalidSignature(&'static str),
    /// `s > n/2` where EIP-2 requires a low `s`.
    #[error("invalid signature: s is above secp256k1n/2 (EIP-2)")]
    HighS,
    /// A legacy `v` that is neither 27/28 nor (when EIP-155 is active) `35 + 2 * chain_id + {0,1}`.
    #[error("invalid signature: v = {0} is not a valid recovery id for this fork")]
    InvalidV(U256),
    /// A typed transaction's `y_parity` other than 0 or 1.
    #[error("invalid signature: y_parity = {0} is not 0 or 1")]
    InvalidYParity(U256),
    /// The signature does not recover to a public key.
    #[error("invalid signature: public key recovery failed")]
    RecoveryFailed,
    /// The transaction is signed for another chain (or an EIP-155 chain id that does not fit
    /// 64 bits).
    #[error("invalid chain id {have} (expected {})", want.map_or_else(|| "at most 2^64-1".to_string(), |w| w.to_string()))]
    InvalidChainId {
        /// The chain id the transaction carries.
        have: U256,
        /// The chain id that was required, if one was.
        want: Option<u64>,
    },
    /// The gas limit does not cover the intrinsic gas.
    #[error("intrinsic gas too low: gas limit {have} < intrinsic gas {want}")]
    IntrinsicGasTooLow {
        /// The transaction gas limit.
        have: u64,
        /// The intrinsic gas.
        want: u64,
    },
    /// The gas limit does not cover the EIP-7623 calldata floor.
    #[error("gas limit {have} below the EIP-7623 calldata floor {want}")]
    FloorGasTooLow {
        /// The transaction gas limit.
        have: u64,
        /// The floor.
        want: u64,
    },
    /// EIP-2681: the nonce is 2^64-1 (it could never be incremented).
    #[error("nonce {0} is too high (EIP-2681: must be below 2^64-1)")]
    NonceTooHigh(u64),
    /// EIP-3860: a creation's initcode exceeds the limit.
    #[error("initcode of {size} bytes exceeds the limit of {max} bytes (EIP-3860)")]
    InitcodeTooLarge {
        /// The initcode length.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// EIP-7825: the gas limit is above the per-transaction cap.
    #[error("gas limit {have} above the transaction gas cap {cap} (EIP-7825)")]
    GasLimitAboveCap {
        /// The transaction gas limit.
        have: u64,
        /// The cap.
        cap: u64,
    },
    /// `gas_limit * gas_price` (or `* max_fee_per_gas`) does not fit 256 bits.
    #[error("gas limit * gas price overflows 256 bits")]
    GasLimitOverflow,
    /// EIP-1559: the priority fee is above the max fee.
    #[error("max priority fee per gas {priority} is greater than max fee per gas {max}")]
    PriorityFeeGreaterThanMaxFee {
        /// The max priority fee per gas.
        priority: U256,
        /// The max fee per gas.
        max: U256,
    },
    /// EIP-4844: a blob transaction without blobs.
    #[error("blob transaction has no blob versioned hashes")]
    NoBlobs,
    /// EIP-4844: a versioned hash that does not start with the KZG version byte 0x01.
    #[error("blob versioned hash {index} has version 0x{version:02x}, expected 0x01")]
    InvalidBlobVersion {
        /// Position in the list.
        index: usize,
        /// The version byte found.
        version: u8,
    },
    /// EIP-7702: a set-code transaction with an empty authorization list.
    #[error("set-code transaction has an empty authorization list")]
    EmptyAuthorizationList,
}

/// Any reason a transaction is rejected: undecodable or invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// The bytes are not a canonically encoded transaction.
    #[error("decoding: {0}")]
    Decode(#[from] TxDecodeError),
    /// The transaction is invalid under the fork's rules.
    #[error("validation: {0}")]
    Validation(#[from] TxValidationError),
}
