//! Strict RLP field reading on top of alloy-rlp's canonical [`Header`] decoding, and the few
//! encoding helpers the transaction types need.
//!
//! alloy-rlp's `Header::decode` already rejects non-canonical lengths (long form for short
//! payloads, leading zeros in a length, `0x81 0x05` for a single byte) and payloads that run past
//! the input; this module adds the per-field rules: integers without leading zeros and no wider
//! than their field, addresses of exactly 20 bytes, lists where lists belong.

use alloy_rlp::{Encodable, Header};
use ember_primitives::{Address, TxKind, B256, U256};

use crate::error::TxDecodeError;

/// The items of one RLP list, read in order. Every accessor names the field it reads so an error
/// says which one is wrong.
pub(crate) struct ListReader<'a> {
    rest: &'a [u8],
    context: &'static str,
}

/// Reads one item header from `buf`, returning whether it is a list and its payload, and
/// advancing `buf` past it.
fn next_item<'a>(
    buf: &mut &'a [u8],
    field: &'static str,
) -> Result<(bool, &'a [u8]), TxDecodeError> {
    let header = Header::decode(buf).map_err(|e| TxDecodeError::rlp(field, e))?;
    // `Header::decode` guarantees `buf.len() >= payload_length`; stay defensive anyway.
    if buf.len() < header.payload_length {
        return Err(TxDecodeError::rlp(field, alloy_rlp::Error::InputTooShort));
    }
    let (payload, rest) = buf.split_at(header.payload_length);
    *buf = rest;
    Ok((header.list, payload))
}

impl<'a> ListReader<'a> {
    /// Reads a list header from `buf` (advancing it past the whole list) and returns a reader
    /// over the list's items.
    pub(crate) fn open(buf: &mut &'a [u8], context: &'static str) -> Result<Self, TxDecodeError> {
        let (list, payload) = next_item(buf, context)?;
        if !list {
            return Err(TxDecodeError::UnexpectedString { field: context });
        }
        Ok(ListReader {
            rest: payload,
            context,
        })
    }

    /// True when every item has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Errors when items are left over.
    pub(crate) fn finish(self) -> Result<(), TxDecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(TxDecodeError::ExtraFields {
                context: self.context,
            })
        }
    }

    fn item(&mut self, field: &'static str) -> Result<(bool, &'a [u8]), TxDecodeError> {
        if self.rest.is_empty() {
            return Err(TxDecodeError::MissingField { field });
        }
        next_item(&mut self.rest, field)
    }

    /// A byte string.
    pub(crate) fn bytes(&mut self, field: &'static str) -> Result<&'a [u8], TxDecodeError> {
        match self.item(field)? {
            (false, payload) => Ok(payload),
            (true, _) => Err(TxDecodeError::UnexpectedList { field }),
        }
    }

    /// A nested list.
    pub(crate) fn list(&mut self, field: &'static str) -> Result<ListReader<'a>, TxDecodeError> {
        match self.item(field)? {
            (true, payload) => Ok(ListReader {
                rest: payload,
                context: field,
            }),
            (false, _) => Err(TxDecodeError::UnexpectedString { field }),
        }
    }

    /// A canonical big-endian integer of at most `max_bytes` bytes.
    fn int_bytes(
        &mut self,
        field: &'static str,
        max_bytes: usize,
    ) -> Result<&'a [u8], TxDecodeError> {
        let b = self.bytes(field)?;
        if b.first() == Some(&0) {
            return Err(TxDecodeError::LeadingZeros { field });
        }
        if b.len() > max_bytes {
            return Err(TxDecodeError::IntegerOverflow {
                field,
                len: b.len(),
                max_bits: (max_bytes * 8) as u32,
            });
        }
        Ok(b)
    }

    /// An integer of at most 8 bits.
    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, TxDecodeError> {
        let b = self.int_bytes(field, 1)?;
        Ok(b.first().copied().unwrap_or(0))
    }

    /// An integer of at most 64 bits.
    pub(crate) fn u64(&mut self, field: &'static str) -> Result<u64, TxDecodeError> {
        let b = self.int_bytes(field, 8)?;
        Ok(b.iter().fold(0u64, |acc, &x| (acc << 8) | x as u64))
    }

    /// An integer of at most 256 bits.
    pub(crate) fn u256(&mut self, field: &'static str) -> Result<U256, TxDecodeError> {
        let b = self.int_bytes(field, 32)?;
        // At most 32 bytes, checked above: `try_from_be_slice` cannot fail.
        U256::try_from_be_slice(b).ok_or(TxDecodeError::IntegerOverflow {
            field,
            len: b.len(),
            max_bits: 256,
        })
    }

    /// A 20-byte address.
    pub(crate) fn address(&mut self, field: &'static str) -> Result<Address, TxDecodeError> {
        let b = self.bytes(field)?;
        if b.len() != 20 {
            return Err(TxDecodeError::AddressLength {
                field,
                len: b.len(),
            });
        }
        Ok(Address::from_slice(b))
    }

    /// A 32-byte hash or storage key.
    pub(crate) fn b256(&mut self, field: &'static str) -> Result<B256, TxDecodeError> {
        let b = self.bytes(field)?;
        if b.len() != 32 {
            return Err(TxDecodeError::HashLength {
                field,
                len: b.len(),
            });
        }
        Ok(B256::from_slice(b))
    }

    /// A `to` field that may be empty (contract creation) or a 20-byte address.
    pub(crate) fn kind(&mut self, field: &'static str) -> Result<TxKind, TxDecodeError> {
        let b = self.bytes(field)?;
        match b.len() {
            0 => Ok(TxKind::Create),
            20 => Ok(TxKind::Call(Address::from_slice(b))),
            len => Err(TxDecodeError::AddressLength { field, len }),
        }
    }

    /// A `to` field that must be a 20-byte address (types that cannot create).
    pub(crate) fn required_to(&mut self, field: &'static str) -> Result<Address, TxDecodeError> {
        match self.kind(field)? {
            TxKind::Call(a) => Ok(a),
            TxKind::Create => Err(TxDecodeError::MissingTo { field }),
        }
    }
}

/// Appends `rlp(list(payload))` where `payload` is what `fill` writes.
pub(crate) fn encode_list(out: &mut Vec<u8>, fill: impl FnOnce(&mut Vec<u8>)) {
    let mut payload = Vec::new();
    fill(&mut payload);
    Header {
        list: true,
        payload_length: payload.len(),
    }
    .encode(out);
    out.extend_from_slice(&payload);
}

/// Appends the RLP encoding of a `to` field (empty string for a creation).
pub(crate) fn encode_kind(kind: &TxKind, out: &mut Vec<u8>) {
    match kind {
        TxKind::Call(a) => a.encode(out),
        TxKind::Create => out.push(alloy_rlp::EMPTY_STRING_CODE),
    }
}
