//! Untyped (legacy) transactions, with and without EIP-155 replay protection.

use alloy_rlp::Encodable;
use ember_primitives::{keccak256, Address, Bytes, Spec, TxKind, B256, U256};

use crate::error::{InvalidTransaction, TxDecodeError};
use crate::rlp::{encode_kind, encode_list, ListReader};
use crate::signature::{check_signature_values, recover_address};

/// A legacy transaction: `rlp([nonce, gas_price, gas_limit, to, value, data, v, r, s])`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxLegacy {
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
    /// Signature `v`: 27/28, or `35 + 2 * chain_id + parity` with EIP-155.
    pub v: U256,
    /// Signature `r`.
    pub r: U256,
    /// Signature `s`.
    pub s: U256,
}

impl TxLegacy {
    /// Reads the nine fields from a transaction list.
    pub(crate) fn decode_fields(r: &mut ListReader<'_>) -> Result<Self, TxDecodeError> {
        let tx = TxLegacy {
            nonce: r.u64("nonce")?,
            gas_price: r.u256("gas_price")?,
            gas_limit: r.u64("gas_limit")?,
            to: r.kind("to")?,
            value: r.u256("value")?,
            data: Bytes::copy_from_slice(r.bytes("data")?),
            v: r.u256("v")?,
            r: r.u256("r")?,
            s: r.u256("s")?,
        };
        Ok(tx)
    }

    fn encode_unsigned_fields(&self, p: &mut Vec<u8>) {
        self.nonce.encode(p);
        self.gas_price.encode(p);
        self.gas_limit.encode(p);
        encode_kind(&self.to, p);
        self.value.encode(p);
        self.data.encode(p);
    }

    /// Appends the signed RLP list.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        encode_list(out, |p| {
            self.encode_unsigned_fields(p);
            self.v.encode(p);
            self.r.encode(p);
            self.s.encode(p);
        });
    }

    /// The EIP-155 chain id encoded in `v` (`(v - 35) / 2` when `v >= 35`), or `None` for an
    /// unprotected signature.
    pub fn chain_id(&self) -> Option<U256> {
        let v35 = self.v.checked_sub(U256::from(35u8))?;
        Some(v35 >> 1)
    }

    /// The hash that was signed: `keccak(rlp([nonce, gas_price, gas, to, value, data]))`, or
    /// with EIP-155 (`v >= 35`) `keccak(rlp([..., chain_id, 0, 0]))`.
    pub fn signature_hash(&self) -> B256 {
        let mut out = Vec::new();
        encode_list(&mut out, |p| {
            self.encode_unsigned_fields(p);
            if let Some(chain_id) = self.chain_id() {
                chain_id.encode(p);
                0u8.encode(p);
                0u8.encode(p);
            }
        });
        keccak256(&out)
    }

    /// Checks the signature under `spec` and recovers the sender.
    pub(crate) fn recover_sender(&self, spec: &Spec) -> Result<Address, InvalidTransaction> {
        check_signature_values(self.r, self.s, spec.tx_create_cost)?;
        let odd_y = if self.v == U256::from(27u8) || self.v == U256::from(28u8) {
            self.v == U256::from(28u8)
        } else if let (true, Some(chain_id)) = (spec.eip155, self.chain_id()) {
            if chain_id > U256::from(u64::MAX) {
                return Err(InvalidTransaction::InvalidChainId {
                    have: chain_id,
                    want: None,
                });
            }
            // v = 35 + 2 * chain_id + parity: an even v means parity 1.
            !self.v.bit(0)
        } else {
            return Err(InvalidTransaction::InvalidV(self.v));
        };
        recover_address(self.signature_hash(), self.r, self.s, odd_y)
    }

    /// The EIP-155 chain id as a `u64`, when `v` carries one that fits.
    pub(crate) fn chain_id_u64(&self) -> Option<u64> {
        self.chain_id().and_then(|c| u64::try_from(c).ok())
    }
}
