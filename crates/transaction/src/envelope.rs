//! The [`Transaction`] envelope: any of the five transaction types, decoded from and encoded to
//! the bytes that appear in a block (`rlp(list)` for legacy, `type ‖ rlp(list)` for typed).

use ember_primitives::{keccak256, Address, Spec, TxEnv, TxKind, TxType, B256, U256};

use crate::error::{InvalidTransaction, TxDecodeError};
use crate::legacy::TxLegacy;
use crate::rlp::ListReader;
use crate::typed::{TxEip1559, TxEip2930, TxEip4844, TxEip7702};

/// A signed transaction of any type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transaction {
    /// Untyped legacy transaction.
    Legacy(TxLegacy),
    /// EIP-2930 access-list transaction (type 1).
    AccessList(TxEip2930),
    /// EIP-1559 fee market transaction (type 2).
    FeeMarket(TxEip1559),
    /// EIP-4844 blob transaction (type 3).
    Blob(TxEip4844),
    /// EIP-7702 set-code transaction (type 4).
    SetCode(TxEip7702),
}

/// Decodes exactly one list from `bytes` with `decode`, rejecting trailing bytes.
fn decode_whole<T>(
    mut bytes: &[u8],
    decode: impl FnOnce(&mut ListReader<'_>) -> Result<T, TxDecodeError>,
) -> Result<T, TxDecodeError> {
    let mut list = ListReader::open(&mut bytes, "transaction")?;
    let tx = decode(&mut list)?;
    list.finish()?;
    if !bytes.is_empty() {
        return Err(TxDecodeError::TrailingBytes(bytes.len()));
    }
    Ok(tx)
}

impl Transaction {
    /// Decodes a transaction as it appears in a block / `eth_sendRawTransaction` / a state
    /// test's `txbytes`: a legacy RLP list, or `type_byte ‖ rlp(payload)` for typed ones.
    ///
    /// Strict: non-canonical RLP, trailing bytes, lists where strings belong (and the reverse),
    /// integers with leading zeros or wider than their field, addresses that are not 20 bytes and
    /// an empty `to` on blob/set-code transactions are errors naming the field. Authorization
    /// signatures of set-code transactions are recovered here (see
    /// [`recover_authority`](crate::recover_authority)); a bad one leaves `authority` `None`
    /// rather than failing.
    pub fn decode(bytes: &[u8]) -> Result<Transaction, TxDecodeError> {
        let first = *bytes.first().ok_or(TxDecodeError::Empty)?;
        if first >= alloy_rlp::EMPTY_LIST_CODE {
            return decode_whole(bytes, TxLegacy::decode_fields).map(Transaction::Legacy);
        }
        if first >= alloy_rlp::EMPTY_STRING_CODE {
            return Err(TxDecodeError::NotAList(first));
        }
        let payload = &bytes[1..];
        if !(1..=4).contains(&first) {
            return Err(TxDecodeError::UnknownType(first));
        }
        if payload.is_empty() {
            return Err(TxDecodeError::EmptyTypedPayload(first));
        }
        Ok(match first {
            TxEip2930::TYPE => {
                Transaction::AccessList(decode_whole(payload, TxEip2930::decode_fields)?)
            }
            TxEip1559::TYPE => {
                Transaction::FeeMarket(decode_whole(payload, TxEip1559::decode_fields)?)
            }
            TxEip4844::TYPE => Transaction::Blob(decode_whole(payload, TxEip4844::decode_fields)?),
            _ => Transaction::SetCode(decode_whole(payload, TxEip7702::decode_fields)?),
        })
    }

    /// The canonical encoding (what [`decode`](Self::decode) reads back).
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Transaction::Legacy(tx) => {
                let mut out = Vec::new();
                tx.encode(&mut out);
                out
            }
            Transaction::AccessList(tx) => tx.encoded(),
            Transaction::FeeMarket(tx) => tx.encoded(),
            Transaction::Blob(tx) => tx.encoded(),
            Transaction::SetCode(tx) => tx.encoded(),
        }
    }

    /// The transaction hash: keccak-256 of [`encode`](Self::encode).
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// The envelope type.
    pub fn tx_type(&self) -> TxType {
        match self {
            Transaction::Legacy(_) => TxType::Legacy,
            Transaction::AccessList(_) => TxType::AccessList,
            Transaction::FeeMarket(_) => TxType::FeeMarket,
            Transaction::Blob(_) => TxType::Blob,
            Transaction::SetCode(_) => TxType::SetCode,
        }
    }

    /// The hash the sender signed: for legacy `keccak(rlp([nonce, gas_price, gas, to, value,
    /// data]))`, with EIP-155 (`v >= 35`) `[..., chain_id, 0, 0]` appended; for typed
    /// transactions `keccak(type ‖ rlp([fields without the signature]))`.
    pub fn signature_hash(&self) -> B256 {
        match self {
            Transaction::Legacy(tx) => tx.signature_hash(),
            Transaction::AccessList(tx) => tx.signature_hash(),
            Transaction::FeeMarket(tx) => tx.signature_hash(),
            Transaction::Blob(tx) => tx.signature_hash(),
            Transaction::SetCode(tx) => tx.signature_hash(),
        }
    }

    /// Recovers the sender. Checks `r, s` in `[1, n)`, and `s <= n/2` for typed transactions and
    /// for legacy ones when `spec.tx_create_cost` (EIP-2, Homestead on). A legacy `v` must be 27/28,
    /// or `35 + 2 * chain_id + {0, 1}` when `spec.eip155` (with a chain id below 2^64); a typed
    /// `y_parity` must be 0 or 1. Does not compare the chain id with any network's: see
    /// [`chain_id`](Self::chain_id) and [`validate_with_chain_id`](crate::validate_with_chain_id).
    pub fn recover_sender(&self, spec: &Spec) -> Result<Address, InvalidTransaction> {
        match self {
            Transaction::Legacy(tx) => tx.recover_sender(spec),
            Transaction::AccessList(tx) => tx.recover_sender(),
            Transaction::FeeMarket(tx) => tx.recover_sender(),
            Transaction::Blob(tx) => tx.recover_sender(),
            Transaction::SetCode(tx) => tx.recover_sender(),
        }
    }

    /// The chain id the transaction is signed for: the typed field, or the EIP-155 chain id in a
    /// legacy `v` (`None` for an unprotected legacy signature). May exceed 64 bits for a legacy
    /// `v` (such a transaction is invalid).
    pub fn chain_id(&self) -> Option<U256> {
        match self {
            Transaction::Legacy(tx) => tx.chain_id(),
            Transaction::AccessList(tx) => Some(U256::from(tx.chain_id)),
            Transaction::FeeMarket(tx) => Some(U256::from(tx.chain_id)),
            Transaction::Blob(tx) => Some(U256::from(tx.chain_id)),
            Transaction::SetCode(tx) => Some(U256::from(tx.chain_id)),
        }
    }

    /// Sender nonce.
    pub fn nonce(&self) -> u64 {
        match self {
            Transaction::Legacy(tx) => tx.nonce,
            Transaction::AccessList(tx) => tx.nonce,
            Transaction::FeeMarket(tx) => tx.nonce,
            Transaction::Blob(tx) => tx.nonce,
            Transaction::SetCode(tx) => tx.nonce,
        }
    }

    /// Gas limit.
    pub fn gas_limit(&self) -> u64 {
        match self {
            Transaction::Legacy(tx) => tx.gas_limit,
            Transaction::AccessList(tx) => tx.gas_limit,
            Transaction::FeeMarket(tx) => tx.gas_limit,
            Transaction::Blob(tx) => tx.gas_limit,
            Transaction::SetCode(tx) => tx.gas_limit,
        }
    }

    /// The gas price (legacy, EIP-2930) or the max fee per gas (EIP-1559 and later).
    pub fn max_fee_per_gas(&self) -> U256 {
        match self {
            Transaction::Legacy(tx) => tx.gas_price,
            Transaction::AccessList(tx) => tx.gas_price,
            Transaction::FeeMarket(tx) => tx.max_fee_per_gas,
            Transaction::Blob(tx) => tx.max_fee_per_gas,
            Transaction::SetCode(tx) => tx.max_fee_per_gas,
        }
    }

    /// The max priority fee per gas (`None` for legacy and EIP-2930).
    pub fn max_priority_fee_per_gas(&self) -> Option<U256> {
        match self {
            Transaction::Legacy(_) | Transaction::AccessList(_) => None,
            Transaction::FeeMarket(tx) => Some(tx.max_priority_fee_per_gas),
            Transaction::Blob(tx) => Some(tx.max_priority_fee_per_gas),
            Transaction::SetCode(tx) => Some(tx.max_priority_fee_per_gas),
        }
    }

    /// Call target or creation.
    pub fn kind(&self) -> TxKind {
        match self {
            Transaction::Legacy(tx) => tx.to,
            Transaction::AccessList(tx) => tx.to,
            Transaction::FeeMarket(tx) => tx.to,
            Transaction::Blob(tx) => TxKind::Call(tx.to),
            Transaction::SetCode(tx) => TxKind::Call(tx.to),
        }
    }

    /// Converts to the executor's environment with the recovered sender `caller`.
    /// `chain_id` is the typed field, or for legacy the EIP-155 chain id when it fits 64 bits.
    pub fn to_env(&self, caller: Address) -> TxEnv {
        let mut env = TxEnv {
            tx_type: self.tx_type(),
            caller,
            gas_limit: self.gas_limit(),
            gas_price: self.max_fee_per_gas(),
            gas_priority_fee: self.max_priority_fee_per_gas(),
            kind: self.kind(),
            nonce: self.nonce(),
            ..TxEnv::default()
        };
        match self {
            Transaction::Legacy(tx) => {
                env.value = tx.value;
                env.data = tx.data.clone();
                env.chain_id = tx.chain_id_u64();
            }
            Transaction::AccessList(tx) => {
                env.value = tx.value;
                env.data = tx.data.clone();
                env.chain_id = Some(tx.chain_id);
                env.access_list = tx.access_list.clone();
            }
            Transaction::FeeMarket(tx) => {
                env.value = tx.value;
                env.data = tx.data.clone();
                env.chain_id = Some(tx.chain_id);
                env.access_list = tx.access_list.clone();
            }
            Transaction::Blob(tx) => {
                env.value = tx.value;
                env.data = tx.data.clone();
                env.chain_id = Some(tx.chain_id);
                env.access_list = tx.access_list.clone();
                env.blob_hashes = tx.blob_versioned_hashes.clone();
                env.max_fee_per_blob_gas = tx.max_fee_per_blob_gas;
            }
            Transaction::SetCode(tx) => {
                env.value = tx.value;
                env.data = tx.data.clone();
                env.chain_id = Some(tx.chain_id);
                env.access_list = tx.access_list.clone();
                env.authorization_list = tx.authorization_list.clone();
            }
        }
        env
    }
}

impl From<TxLegacy> for Transaction {
    fn from(tx: TxLegacy) -> Self {
        Transaction::Legacy(tx)
    }
}

impl From<TxEip2930> for Transaction {
    fn from(tx: TxEip2930) -> Self {
        Transaction::AccessList(tx)
    }
}

impl From<TxEip1559> for Transaction {
    fn from(tx: TxEip1559) -> Self {
        Transaction::FeeMarket(tx)
    }
}

impl From<TxEip4844> for Transaction {
    fn from(tx: TxEip4844) -> Self {
        Transaction::Blob(tx)
    }
}

impl From<TxEip7702> for Transaction {
    fn from(tx: TxEip7702) -> Self {
        Transaction::SetCode(tx)
    }
}
