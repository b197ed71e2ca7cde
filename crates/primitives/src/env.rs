//! The block and transaction environments a transaction executes in.

use crate::{Address, Bytes, B256, U256};
use std::any::Any;
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;

/// The block a transaction executes in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockEnv {
    /// Block number.
    pub number: u64,
    /// The beneficiary (coinbase) that receives fees.
    pub coinbase: Address,
    /// Block timestamp in seconds.
    pub timestamp: u64,
    /// Block gas limit.
    pub gas_limit: u64,
    /// EIP-1559 base fee per gas (zero before London).
    pub base_fee: U256,
    /// Proof-of-work difficulty (before the merge).
    pub difficulty: U256,
    /// EIP-4399 randomness (the merge and later); DIFFICULTY reads it from Paris on.
    pub prevrandao: Option<B256>,
    /// EIP-4844 excess blob gas of this block (Cancun and later).
    pub excess_blob_gas: Option<u64>,
    /// The blob parameters to use, overriding the fork's schedule (a fixture's `blobSchedule`).
    pub blob_params: Option<crate::BlobParams>,
    /// Fields a chain variant adds to the block (empty on Ethereum).
    pub extension: BlockExtension,
}

/// The fields a chain variant adds to [`BlockEnv`]: one value of the variant's own type,
/// which its instructions and precompiles read back with [`BlockExtension::get`].
///
/// Cloning shares the value; two extensions are equal when both are empty or both hold the
/// same shared value.
#[derive(Clone, Default)]
pub struct BlockExtension(Option<Arc<ExtensionFields>>);

/// What a [`BlockExtension`] holds: any value that can cross threads and unwinding, as the
/// rest of [`BlockEnv`] can.
type ExtensionFields = dyn Any + Send + Sync + UnwindSafe + RefUnwindSafe;

impl BlockExtension {
    /// An extension holding `fields`.
    pub fn new<T: Any + Send + Sync + UnwindSafe + RefUnwindSafe>(fields: T) -> BlockExtension {
        BlockExtension(Some(Arc::new(fields)))
    }

    /// The fields, when the extension holds a `T`.
    pub fn get<T: Any>(&self) -> Option<&T> {
        let fields: &dyn Any = self.0.as_deref()?;
        fields.downcast_ref()
    }

    /// True when the block has no added fields.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

impl fmt::Debug for BlockExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            None => f.write_str("BlockExtension(none)"),
            Some(_) => f.write_str("BlockExtension(..)"),
        }
    }
}

impl PartialEq for BlockExtension {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for BlockExtension {}

impl Default for BlockEnv {
    fn default() -> Self {
        BlockEnv {
            number: 0,
            coinbase: Address::ZERO,
            timestamp: 0,
            gas_limit: 30_000_000,
            base_fee: U256::ZERO,
            difficulty: U256::ZERO,
            prevrandao: None,
            excess_blob_gas: None,
            blob_params: None,
            extension: BlockExtension::default(),
        }
    }
}

/// Whether a transaction calls an address or creates a contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TxKind {
    /// Message call to an address.
    Call(Address),
    /// Contract creation; the data is the initcode.
    Create,
}

impl TxKind {
    /// The callee, or `None` for a creation.
    pub fn to(&self) -> Option<Address> {
        match self {
            TxKind::Call(a) => Some(*a),
            TxKind::Create => None,
        }
    }
}

/// The envelope type of a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum TxType {
    /// Untyped legacy transaction (with or without EIP-155).
    #[default]
    Legacy = 0,
    /// EIP-2930 access-list transaction.
    AccessList = 1,
    /// EIP-1559 fee market transaction.
    FeeMarket = 2,
    /// EIP-4844 blob transaction.
    Blob = 3,
    /// EIP-7702 set-code transaction.
    SetCode = 4,
}

/// One entry of an EIP-2930 access list.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AccessListItem {
    /// The address to warm.
    pub address: Address,
    /// The storage keys of that address to warm.
    pub storage_keys: Vec<B256>,
}

/// One signed EIP-7702 authorization tuple.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    /// Chain id the authorization is valid on (0: any chain).
    pub chain_id: U256,
    /// The address whose code the authority delegates to.
    pub address: Address,
    /// The authority's nonce this authorization consumes.
    pub nonce: u64,
    /// Signature parity.
    pub y_parity: U256,
    /// Signature r.
    pub r: U256,
    /// Signature s.
    pub s: U256,
    /// The recovered authority, or `None` when the signature does not recover.
    pub authority: Option<Address>,
}

/// A transaction, with its sender already recovered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxEnv {
    /// The envelope type.
    pub tx_type: TxType,
    /// The sender.
    pub caller: Address,
    /// Gas limit.
    pub gas_limit: u64,
    /// Legacy/EIP-2930 gas price, or the EIP-1559 max fee per gas.
    pub gas_price: U256,
    /// EIP-1559 max priority fee per gas (`None` for legacy and EIP-2930).
    pub gas_priority_fee: Option<U256>,
    /// Call target or creation.
    pub kind: TxKind,
    /// Value transferred.
    pub value: U256,
    /// Calldata or initcode.
    pub data: Bytes,
    /// Sender nonce.
    pub nonce: u64,
    /// Chain id the transaction is signed for (`None`: legacy without EIP-155).
    pub chain_id: Option<u64>,
    /// EIP-2930 access list.
    pub access_list: Vec<AccessListItem>,
    /// EIP-4844 versioned blob hashes.
    pub blob_hashes: Vec<B256>,
    /// EIP-4844 max fee per blob gas.
    pub max_fee_per_blob_gas: U256,
    /// EIP-7702 authorization list.
    pub authorization_list: Vec<Authorization>,
}

impl Default for TxEnv {
    fn default() -> Self {
        TxEnv {
            tx_type: TxType::Legacy,
            caller: Address::ZERO,
            gas_limit: 30_000_000,
            gas_price: U256::ZERO,
            gas_priority_fee: None,
            kind: TxKind::Call(Address::ZERO),
            value: U256::ZERO,
            data: Bytes::new(),
            nonce: 0,
            chain_id: None,
            access_list: Vec::new(),
            blob_hashes: Vec::new(),
            max_fee_per_blob_gas: U256::ZERO,
            authorization_list: Vec::new(),
        }
    }
}
