//! Errors: [`TxDecodeError`] for bytes that are not a well-formed transaction,
//! [`InvalidTransaction`] (the validator's) for well-formed transactions a fork rejects, and
//! [`TxError`] for either.

pub use crate::validity::InvalidTransaction;

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

/// Any reason a transaction is rejected: undecodable or invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// The bytes are not a canonically encoded transaction.
    #[error("decoding: {0}")]
    Decode(#[from] TxDecodeError),
    /// The transaction is invalid under the fork's rules.
    #[error("validation: {0}")]
    Validation(#[from] InvalidTransaction),
}
