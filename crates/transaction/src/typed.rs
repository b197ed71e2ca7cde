//! EIP-2718 typed transactions: EIP-2930 access lists, EIP-1559 fee market, EIP-4844 blobs and
//! EIP-7702 set-code, each encoded as `type ‖ rlp([fields..., y_parity, r, s])`.

use alloy_rlp::Encodable;
use ember_primitives::{
    keccak256, AccessListItem, Address, Authorization, Bytes, TxKind, B256, U256,
};

use crate::error::{InvalidTransaction, TxDecodeError};
use crate::rlp::{encode_kind, encode_list, ListReader};
use crate::signature::{check_signature_values, parity_bit, recover_address, recover_authority};

/// An EIP-2930 access-list transaction (type 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxEip2930 {
    /// Chain id the transaction is signed for.
    pub chain_id: u64,
    /// Sender nonce.
    pub nonce: u64,
    /// Gas price in wei.
    pub gas_price: U256,
    /// Gas limit.
    pub gas_limit: u64,
    /// Call target, or creation.
    pub to: TxKind,
    /// Value transferred in wei.
    pub value: U256,
    /// Calldata or initcode.
    pub data: Bytes,
    /// Addresses and storage keys to warm.
    pub access_list: Vec<AccessListItem>,
    /// Signature parity (0 or 1 for a valid signature).
    pub y_parity: U256,
    /// Signature `r`.
    pub r: U256,
    /// Signature `s`.
    pub s: U256,
}

/// An EIP-1559 fee market transaction (type 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxEip1559 {
    /// Chain id the transaction is signed for.
    pub chain_id: u64,
    /// Sender nonce.
    pub nonce: u64,
    /// Max priority fee (tip) per gas in wei.
    pub max_priority_fee_per_gas: U256,
    /// Max total fee per gas in wei.
    pub max_fee_per_gas: U256,
    /// Gas limit.
    pub gas_limit: u64,
    /// Call target, or creation.
    pub to: TxKind,
    /// Value transferred in wei.
    pub value: U256,
    /// Calldata or initcode.
    pub data: Bytes,
    /// Addresses and storage keys to warm.
    pub access_list: Vec<AccessListItem>,
    /// Signature parity (0 or 1 for a valid signature).
    pub y_parity: U256,
    /// Signature `r`.
    pub r: U256,
    /// Signature `s`.
    pub s: U256,
}

/// An EIP-4844 blob transaction (type 3), in its canonical (block) form without the blobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxEip4844 {
    /// Chain id the transaction is signed for.
    pub chain_id: u64,
    /// Sender nonce.
    pub nonce: u64,
    /// Max priority fee (tip) per gas in wei.
    pub max_priority_fee_per_gas: U256,
    /// Max total fee per gas in wei.
    pub max_fee_per_gas: U256,
    /// Gas limit.
    pub gas_limit: u64,
    /// Call target (blob transactions cannot create).
    pub to: Address,
    /// Value transferred in wei.
    pub value: U256,
    /// Calldata.
    pub data: Bytes,
    /// Addresses and storage keys to warm.
    pub access_list: Vec<AccessListItem>,
    /// Max fee per blob gas in wei.
    pub max_fee_per_blob_gas: U256,
    /// Versioned hashes of the blobs.
    pub blob_versioned_hashes: Vec<B256>,
    /// Signature parity (0 or 1 for a valid signature).
    pub y_parity: U256,
    /// Signature `r`.
    pub r: U256,
    /// Signature `s`.
    pub s: U256,
}

/// An EIP-7702 set-code transaction (type 4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxEip7702 {
    /// Chain id the transaction is signed for.
    pub chain_id: u64,
    /// Sender nonce.
    pub nonce: u64,
    /// Max priority fee (tip) per gas in wei.
    pub max_priority_fee_per_gas: U256,
    /// Max total fee per gas in wei.
    pub max_fee_per_gas: U256,
    /// Gas limit.
    pub gas_limit: u64,
    /// Call target (set-code transactions cannot create).
    pub to: Address,
    /// Value transferred in wei.
    pub value: U256,
    /// Calldata.
    pub data: Bytes,
    /// Addresses and storage keys to warm.
    pub access_list: Vec<AccessListItem>,
    /// Signed delegations; `authority` is filled in by decoding (see [`recover_authority`]).
    pub authorization_list: Vec<Authorization>,
    /// Signature parity (0 or 1 for a valid signature).
    pub y_parity: U256,
    /// Signature `r`.
    pub r: U256,
    /// Signature `s`.
    pub s: U256,
}

// ---- shared pieces ----

fn decode_access_list(r: &mut ListReader<'_>) -> Result<Vec<AccessListItem>, TxDecodeError> {
    let mut list = r.list("access_list")?;
    let mut items = Vec::new();
    while !list.is_empty() {
        let mut item = list.list("access_list.item")?;
        let address = item.address("access_list.address")?;
        let mut keys = item.list("access_list.storage_keys")?;
        let mut storage_keys = Vec::new();
        while !keys.is_empty() {
            storage_keys.push(keys.b256("access_list.storage_key")?);
        }
        item.finish()?;
        items.push(AccessListItem {
            address,
            storage_keys,
        });
    }
    Ok(items)
}

fn encode_access_list(list: &[AccessListItem], out: &mut Vec<u8>) {
    encode_list(out, |p| {
        for item in list {
            encode_list(p, |q| {
                item.address.encode(q);
                encode_list(q, |k| {
                    for key in &item.storage_keys {
                        key.encode(k);
                    }
                });
            });
        }
    });
}

fn decode_authorization_list(r: &mut ListReader<'_>) -> Result<Vec<Authorization>, TxDecodeError> {
    let mut list = r.list("authorization_list")?;
    let mut out = Vec::new();
    while !list.is_empty() {
        let mut t = list.list("authorization")?;
        let mut auth = Authorization {
            chain_id: t.u256("authorization.chain_id")?,
            address: t.address("authorization.address")?,
            nonce: t.u64("authorization.nonce")?,
            y_parity: U256::from(t.u8("authorization.y_parity")?),
            r: t.u256("authorization.r")?,
            s: t.u256("authorization.s")?,
            authority: None,
        };
        t.finish()?;
        auth.authority = recover_authority(&auth);
        out.push(auth);
    }
    Ok(out)
}

fn encode_authorization_list(list: &[Authorization], out: &mut Vec<u8>) {
    encode_list(out, |p| {
        for auth in list {
            encode_list(p, |q| {
                auth.chain_id.encode(q);
                auth.address.encode(q);
                auth.nonce.encode(q);
                auth.y_parity.encode(q);
                auth.r.encode(q);
                auth.s.encode(q);
            });
        }
    });
}

fn decode_hashes(r: &mut ListReader<'_>) -> Result<Vec<B256>, TxDecodeError> {
    let mut list = r.list("blob_versioned_hashes")?;
    let mut out = Vec::new();
    while !list.is_empty() {
        out.push(list.b256("blob_versioned_hash")?);
    }
    Ok(out)
}

fn encode_hashes(list: &[B256], out: &mut Vec<u8>) {
    encode_list(out, |p| {
        for h in list {
            h.encode(p);
        }
    });
}

/// `type ‖ rlp(list(fill))`.
fn typed_bytes(ty: u8, fill: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = vec![ty];
    encode_list(&mut out, fill);
    out
}

/// Typed transactions always require a low `s` and a `y_parity` of 0 or 1.
fn recover_typed(
    hash: B256,
    y_parity: U256,
    r: U256,
    s: U256,
) -> Result<Address, InvalidTransaction> {
    check_signature_values(r, s, true)?;
    let odd_y = parity_bit(y_parity).ok_or(InvalidTransaction::InvalidYParity(y_parity))?;
    recover_address(hash, r, s, odd_y)
}

/// Implements the field codec of one typed transaction from its field list, so decoding,
/// encoding and the signing payload can never disagree on the order.
macro_rules! typed_tx {
    ($ty:ident, $type_byte:expr, [$($field:ident : $read:ident => $write:ident),* $(,)?]) => {
        impl $ty {
            /// The EIP-2718 type byte.
            pub const TYPE: u8 = $type_byte;

            /// Reads the fields and the signature from a transaction list.
            pub(crate) fn decode_fields(r: &mut ListReader<'_>) -> Result<Self, TxDecodeError> {
                Ok($ty {
                    $($field: typed_tx!(@read r, $read, $field),)*
                    y_parity: r.u256("y_parity")?,
                    r: r.u256("r")?,
                    s: r.u256("s")?,
                })
            }

            fn encode_unsigned_fields(&self, p: &mut Vec<u8>) {
                $(typed_tx!(@write p, $write, &self.$field);)*
            }

            /// `type ‖ rlp([fields..., y_parity, r, s])`.
            pub(crate) fn encoded(&self) -> Vec<u8> {
                typed_bytes(Self::TYPE, |p| {
                    self.encode_unsigned_fields(p);
                    self.y_parity.encode(p);
                    self.r.encode(p);
                    self.s.encode(p);
                })
            }

            /// The signing hash: `keccak(type ‖ rlp([fields...]))`.
            pub fn signature_hash(&self) -> B256 {
                keccak256(typed_bytes(Self::TYPE, |p| self.encode_unsigned_fields(p)))
            }

            /// Checks the signature and recovers the sender.
            pub(crate) fn recover_sender(&self) -> Result<Address, InvalidTransaction> {
                recover_typed(self.signature_hash(), self.y_parity, self.r, self.s)
            }
        }
    };
    (@read $r:ident, u64, $field:ident) => { $r.u64(stringify!($field))? };
    (@read $r:ident, u256, $field:ident) => { $r.u256(stringify!($field))? };
    (@read $r:ident, kind, $field:ident) => { $r.kind(stringify!($field))? };
    (@read $r:ident, required_to, $field:ident) => { $r.required_to(stringify!($field))? };
    (@read $r:ident, bytes, $field:ident) => { Bytes::copy_from_slice($r.bytes(stringify!($field))?) };
    (@read $r:ident, access_list, $field:ident) => { decode_access_list($r)? };
    (@read $r:ident, hashes, $field:ident) => { decode_hashes($r)? };
    (@read $r:ident, authorizations, $field:ident) => { decode_authorization_list($r)? };
    (@write $p:ident, encode, $v:expr) => { $v.encode($p) };
    (@write $p:ident, kind, $v:expr) => { encode_kind($v, $p) };
    (@write $p:ident, access_list, $v:expr) => { encode_access_list($v, $p) };
    (@write $p:ident, hashes, $v:expr) => { encode_hashes($v, $p) };
    (@write $p:ident, authorizations, $v:expr) => { encode_authorization_list($v, $p) };
}

typed_tx!(TxEip2930, 0x01, [
    chain_id: u64 => encode,
    nonce: u64 => encode,
    gas_price: u256 => encode,
    gas_limit: u64 => encode,
    to: kind => kind,
    value: u256 => encode,
    data: bytes => encode,
    access_list: access_list => access_list,
]);

typed_tx!(TxEip1559, 0x02, [
    chain_id: u64 => encode,
    nonce: u64 => encode,
    max_priority_fee_per_gas: u256 => encode,
    max_fee_per_gas: u256 => encode,
    gas_limit: u64 => encode,
    to: kind => kind,
    value: u256 => encode,
    data: bytes => encode,
    access_list: access_list => access_list,
]);

typed_tx!(TxEip4844, 0x03, [
    chain_id: u64 => encode,
    nonce: u64 => encode,
    max_priority_fee_per_gas: u256 => encode,
    max_fee_per_gas: u256 => encode,
    gas_limit: u64 => encode,
    to: required_to => encode,
    value: u256 => encode,
    data: bytes => encode,
    access_list: access_list => access_list,
    max_fee_per_blob_gas: u256 => encode,
    blob_versioned_hashes: hashes => hashes,
]);

typed_tx!(TxEip7702, 0x04, [
    chain_id: u64 => encode,
    nonce: u64 => encode,
    max_priority_fee_per_gas: u256 => encode,
    max_fee_per_gas: u256 => encode,
    gas_limit: u64 => encode,
    to: required_to => encode,
    value: u256 => encode,
    data: bytes => encode,
    access_list: access_list => access_list,
    authorization_list: authorizations => authorizations,
]);

impl TxEip7702 {
    /// Recomputes every `authority` from its signature (after building a transaction by hand).
    pub fn recover_authorities(&mut self) {
        for auth in &mut self.authorization_list {
            auth.authority = recover_authority(auth);
        }
    }
}
