//! The transaction validator: every rule that makes a transaction invalid (never executed, no
//! receipt, no state change), each written once, with one error enum,
//! [`InvalidTransaction`].
//!
//! The checks come in three layers, each usable without the others:
//!
//! - [`check_env`]: the transaction alone under a fork and a chain id (type, chain id,
//!   intrinsic gas and the EIP-7623 floor, EIP-2681, EIP-3860, EIP-7825, fee fields, blobs,
//!   authorizations); [`check_transaction`] adds the signature for a signed [`Transaction`].
//!   TransactionTests and a node's pool need only these.
//! - [`check_block`]: against the block it would go in (block gas limit, base fee, blob count
//!   and blob base fee).
//! - [`check_sender`]: against the sender's account, given as plain values
//!   ([`SenderAccount`]: nonce, balance, code).
//!
//! `Evm::transact` runs all three; the block executor recovers the sender
//! ([`check_signature`]) and leaves the rest to the EVM.

use ember_primitives::spec::GAS_PER_BLOB;
use ember_primitives::{
    Address, BlobParams, BlockEnv, Spec, TxEnv, TxKind, TxType, B256, U256,
    VERSIONED_HASH_VERSION_KZG,
};

use crate::envelope::Transaction;
use crate::error::TxError;
use crate::intrinsic::{calldata_floor_gas, intrinsic_gas};

/// The chain id [`validate`] assumes (Ethereum mainnet, also the fixtures' chain).
pub const MAINNET_CHAIN_ID: u64 = 1;

/// Why a transaction is invalid under a fork's rules, a block or its sender's state. It is
/// not executed and the state is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTransaction {
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
    /// A blob or set-code transaction that creates a contract.
    #[error("this transaction type cannot create a contract")]
    CreateNotAllowed,
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
    NonceOverflow(u64),
    /// EIP-3860: a creation's initcode exceeds the limit.
    #[error("initcode of {size} bytes exceeds the limit of {max} bytes (EIP-3860)")]
    InitcodeTooLarge {
        /// The initcode length.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// EIP-7825: the gas limit is above the per-transaction cap.
    #[error("gas limit {gas_limit} above the transaction gas cap {cap} (EIP-7825)")]
    GasLimitExceedsCap {
        /// The transaction gas limit.
        gas_limit: u64,
        /// The cap.
        cap: u64,
    },
    /// EIP-1559: the priority fee is above the max fee.
    #[error("max priority fee per gas {priority} is greater than max fee per gas {max}")]
    PriorityFeeGreaterThanMaxFee {
        /// The max priority fee per gas.
        priority: U256,
        /// The max fee per gas.
        max: U256,
    },
    /// `gas_limit * gas_price` (or `* max_fee_per_gas`) does not fit 256 bits.
    #[error("gas limit * gas price overflows 256 bits")]
    GasLimitOverflow,
    /// EIP-4844: a blob transaction without blobs.
    #[error("blob transaction has no blob versioned hashes")]
    EmptyBlobs,
    /// More blobs than one transaction may carry (EIP-7594, Osaka on).
    #[error("EIP-7594: {have} blobs exceed the per-transaction limit of {max}")]
    TooManyBlobsPerTx {
        /// Blobs in the transaction.
        have: usize,
        /// The per-transaction limit (`MAX_BLOBS_PER_TX`).
        max: u64,
    },
    /// EIP-4844: a versioned hash that does not start with the KZG version byte 0x01.
    #[error("blob versioned hash {index} has version 0x{version:02x}, expected 0x01")]
    BlobVersionNotSupported {
        /// Position in the list.
        index: usize,
        /// The version byte found.
        version: u8,
    },
    /// EIP-7702: a set-code transaction with an empty authorization list.
    #[error("set-code transaction has an empty authorization list")]
    EmptyAuthorizationList,
    /// Gas limit above the block's.
    #[error("gas limit {gas_limit} exceeds the block gas limit {block_gas_limit}")]
    GasLimitExceedsBlock {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The block's.
        block_gas_limit: u64,
    },
    /// Max fee per gas below the block's base fee.
    #[error("max fee per gas {max_fee} is below the base fee {base_fee}")]
    FeeCapTooLow {
        /// The transaction's fee cap.
        max_fee: U256,
        /// The block's base fee.
        base_fee: U256,
    },
    /// More blobs than the block may carry.
    #[error("too many blobs: {have}, max {max}")]
    TooManyBlobs {
        /// Blobs in the transaction.
        have: usize,
        /// The maximum.
        max: u64,
    },
    /// Max fee per blob gas below the blob base fee.
    #[error("max fee per blob gas {max_fee} is below the blob base fee {blob_base_fee}")]
    BlobFeeCapTooLow {
        /// The transaction's cap.
        max_fee: U256,
        /// The block's blob base fee.
        blob_base_fee: U256,
    },
    /// The sender has code (EIP-3607).
    #[error("sender is not an externally owned account")]
    SenderNotEoa,
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
    /// The sender cannot pay for gas and value.
    #[error("insufficient funds: balance {balance}, cost {cost}")]
    InsufficientFunds {
        /// The sender's balance.
        balance: U256,
        /// What the transaction may cost.
        cost: U256,
    },
    /// The fixture's values form no transaction (a state test's `ValueOverflow`); the text
    /// says which.
    #[error("{0}")]
    Malformed(String),
}

impl InvalidTransaction {
    /// True for the signature errors ([`Transaction::recover_sender`]'s).
    pub fn is_signature_error(&self) -> bool {
        matches!(
            self,
            InvalidTransaction::InvalidSignature(_)
                | InvalidTransaction::HighS
                | InvalidTransaction::InvalidV(_)
                | InvalidTransaction::InvalidYParity(_)
                | InvalidTransaction::RecoveryFailed
        )
    }
}

/// True when transactions of type `ty` are accepted under `spec`: EIP-2930 from Berlin,
/// EIP-1559 from London, EIP-4844 from Cancun, EIP-7702 from Prague.
pub fn type_enabled(spec: &Spec, ty: TxType) -> bool {
    match ty {
        TxType::Legacy => true,
        TxType::AccessList => spec.tx_access_list,
        TxType::FeeMarket => spec.tx_fee_market,
        TxType::Blob => spec.blobs.is_some(),
        TxType::SetCode => spec.tx_set_code,
    }
}

/// Decodes `bytes` and checks them against `spec` on mainnet (chain id 1); returns the sender
/// and the transaction hash. See [`validate_with_chain_id`].
pub fn validate(bytes: &[u8], spec: &Spec) -> Result<(Address, B256), TxError> {
    validate_with_chain_id(bytes, spec, MAINNET_CHAIN_ID)
}

/// Decodes `bytes` and runs [`check_transaction`] for a chain with id `chain_id`; returns the
/// sender and the transaction hash.
pub fn validate_with_chain_id(
    bytes: &[u8],
    spec: &Spec,
    chain_id: u64,
) -> Result<(Address, B256), TxError> {
    let tx = Transaction::decode(bytes)?;
    let sender = check_transaction(&tx, spec, chain_id)?;
    Ok((sender, tx.hash()))
}

/// The checks of a signed transaction before its sender is known, in order: the type is
/// enabled in the fork ([`type_enabled`]); the chain id matches (typed transactions, and
/// legacy EIP-155 signatures once EIP-155 is active); the signature is valid and recovers
/// ([`Transaction::recover_sender`]). Returns the sender. The block executor runs this, and
/// the EVM the rest.
pub fn check_signature(
    tx: &Transaction,
    spec: &Spec,
    chain_id: u64,
) -> Result<Address, InvalidTransaction> {
    let ty = tx.tx_type();
    if !type_enabled(spec, ty) {
        return Err(InvalidTransaction::TypeNotSupported(ty));
    }
    let chain_checked = ty != TxType::Legacy || spec.eip155;
    if let (true, Some(have)) = (chain_checked, tx.chain_id()) {
        if have != U256::from(chain_id) {
            return Err(InvalidTransaction::InvalidChainId {
                have,
                want: Some(chain_id),
            });
        }
    }
    tx.recover_sender(spec)
}

/// Every state- and block-independent check of a decoded transaction under `spec` on chain
/// `chain_id`: [`check_signature`], then [`check_env`]. Returns the recovered sender.
///
/// Blob counts against the block's limit, fees against the block's, nonces and balances
/// against the state are [`check_block`]'s and [`check_sender`]'s.
pub fn check_transaction(
    tx: &Transaction,
    spec: &Spec,
    chain_id: u64,
) -> Result<Address, InvalidTransaction> {
    let sender = check_signature(tx, spec, chain_id)?;
    check_env(spec, chain_id, &tx.to_env(sender))?;
    Ok(sender)
}

/// [`check_env`] for a transaction whose sender is known without a signature (a dev node's
/// impersonated accounts).
pub fn check_transaction_from(
    tx: &Transaction,
    spec: &Spec,
    chain_id: u64,
    sender: Address,
) -> Result<Address, InvalidTransaction> {
    check_env(spec, chain_id, &tx.to_env(sender))?;
    Ok(sender)
}

/// The gas a valid transaction is charged whatever it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GasCharges {
    /// The intrinsic gas ([`intrinsic_gas`]), charged before execution.
    pub intrinsic: u64,
    /// The EIP-7623 floor ([`calldata_floor_gas`], zero before Prague): the least gas it
    /// uses.
    pub floor: u64,
}

/// Every check of `tx` that needs neither state nor block, under `spec` on chain `chain_id`,
/// in order:
///
/// - the type is enabled in the fork ([`type_enabled`]);
/// - a chain id, when the transaction carries one, is `chain_id`;
/// - blob and set-code transactions do not create;
/// - the gas limit covers the intrinsic gas, then the EIP-7623 floor;
/// - EIP-2681: the nonce is below 2^64-1;
/// - EIP-3860: a creation's initcode is within `spec.max_initcode_size`;
/// - EIP-7825: the gas limit is within `spec.tx_gas_limit_cap`;
/// - EIP-1559: the priority fee is not above the max fee;
/// - `gas_limit * max_fee` fits 256 bits;
/// - EIP-4844: at least one blob, at most `spec.max_blobs_per_tx` (EIP-7594), every
///   versioned hash with version 0x01;
/// - EIP-7702: a non-empty authorization list.
///
/// Returns the gas the transaction is charged whatever it runs.
pub fn check_env(spec: &Spec, chain_id: u64, tx: &TxEnv) -> Result<GasCharges, InvalidTransaction> {
    if !type_enabled(spec, tx.tx_type) {
        return Err(InvalidTransaction::TypeNotSupported(tx.tx_type));
    }
    if let Some(have) = tx.chain_id {
        // Legacy transactions may omit the chain id; typed ones always carry one.
        if have != chain_id {
            return Err(InvalidTransaction::InvalidChainId {
                have: U256::from(have),
                want: Some(chain_id),
            });
        }
    }
    if matches!(tx.tx_type, TxType::Blob | TxType::SetCode) && tx.kind == TxKind::Create {
        return Err(InvalidTransaction::CreateNotAllowed);
    }
    let intrinsic = intrinsic_gas(spec, tx);
    if tx.gas_limit < intrinsic {
        return Err(InvalidTransaction::IntrinsicGasTooLow {
            have: tx.gas_limit,
            want: intrinsic,
        });
    }
    let floor = calldata_floor_gas(spec, tx);
    if tx.gas_limit < floor {
        return Err(InvalidTransaction::FloorGasTooLow {
            have: tx.gas_limit,
            want: floor,
        });
    }
    if tx.nonce == u64::MAX {
        return Err(InvalidTransaction::NonceOverflow(tx.nonce));
    }
    if let (TxKind::Create, Some(max)) = (tx.kind, spec.max_initcode_size) {
        if tx.data.len() > max {
            return Err(InvalidTransaction::InitcodeTooLarge {
                size: tx.data.len(),
                max,
            });
        }
    }
    if let Some(cap) = spec.tx_gas_limit_cap {
        if tx.gas_limit > cap {
            return Err(InvalidTransaction::GasLimitExceedsCap {
                gas_limit: tx.gas_limit,
                cap,
            });
        }
    }
    if let (true, Some(priority)) = (spec.tx_fee_market, tx.gas_priority_fee) {
        if priority > tx.gas_price {
            return Err(InvalidTransaction::PriorityFeeGreaterThanMaxFee {
                priority,
                max: tx.gas_price,
            });
        }
    }
    if U256::from(tx.gas_limit).checked_mul(tx.gas_price).is_none() {
        return Err(InvalidTransaction::GasLimitOverflow);
    }
    if tx.tx_type == TxType::Blob {
        if tx.blob_hashes.is_empty() {
            return Err(InvalidTransaction::EmptyBlobs);
        }
        if let Some(max) = spec.max_blobs_per_tx {
            if tx.blob_hashes.len() as u64 > max {
                return Err(InvalidTransaction::TooManyBlobsPerTx {
                    have: tx.blob_hashes.len(),
                    max,
                });
            }
        }
        for (index, hash) in tx.blob_hashes.iter().enumerate() {
            if hash[0] != VERSIONED_HASH_VERSION_KZG {
                return Err(InvalidTransaction::BlobVersionNotSupported {
                    index,
                    version: hash[0],
                });
            }
        }
    }
    if tx.tx_type == TxType::SetCode && tx.authorization_list.is_empty() {
        return Err(InvalidTransaction::EmptyAuthorizationList);
    }
    Ok(GasCharges { intrinsic, floor })
}

/// The blob parameters in force: the block's override, else the fork's schedule (`None`
/// before Cancun).
pub fn blob_params(spec: &Spec, block: &BlockEnv) -> Option<BlobParams> {
    spec.blobs
        .map(|schedule| block.blob_params.unwrap_or(schedule))
}

/// The blob base fee of `block` (zero before Cancun).
pub fn blob_base_fee(spec: &Spec, block: &BlockEnv) -> U256 {
    match blob_params(spec, block) {
        Some(params) => U256::from(params.base_fee(block.excess_blob_gas.unwrap_or(0))),
        None => U256::ZERO,
    }
}

/// Blob gas `tx` uses (EIP-4844: `GAS_PER_BLOB` per blob).
pub fn blob_gas(tx: &TxEnv) -> u64 {
    GAS_PER_BLOB.saturating_mul(tx.blob_hashes.len() as u64)
}

/// The price per gas a transaction with fee cap `max_fee` and priority fee `priority_fee`
/// pays at `base_fee`: `min(max_fee, base_fee + priority_fee)` for an EIP-1559 fee, else
/// `max_fee` (the gas price). Below the base fee only where the caller allows it.
pub fn gas_price_at(max_fee: U256, priority_fee: Option<U256>, base_fee: U256) -> U256 {
    match priority_fee {
        Some(priority) => max_fee.min(base_fee.saturating_add(priority)),
        None => max_fee,
    }
}

/// The price per gas `tx` pays under `spec` at `base_fee` ([`gas_price_at`]; its priority
/// fee counts from London on).
pub fn effective_gas_price(spec: &Spec, tx: &TxEnv, base_fee: U256) -> U256 {
    let priority = tx.gas_priority_fee.filter(|_| spec.tx_fee_market);
    gas_price_at(tx.gas_price, priority, base_fee)
}

/// EIP-1559 (London on): the max fee per gas covers `base_fee`.
pub fn check_base_fee(spec: &Spec, tx: &TxEnv, base_fee: U256) -> Result<(), InvalidTransaction> {
    if spec.tx_fee_market && tx.gas_price < base_fee {
        return Err(InvalidTransaction::FeeCapTooLow {
            max_fee: tx.gas_price,
            base_fee,
        });
    }
    Ok(())
}

/// The checks of `tx` against the block it would go in, in order: the gas limit is within
/// the block's; the max fee covers the base fee ([`check_base_fee`], skipped without
/// `base_fee_check`: a call simulation at gas price zero); a blob transaction's blobs fit the
/// block's maximum and its max fee per blob gas covers the [blob base fee](blob_base_fee).
pub fn check_block(
    spec: &Spec,
    block: &BlockEnv,
    tx: &TxEnv,
    base_fee_check: bool,
) -> Result<(), InvalidTransaction> {
    if tx.gas_limit > block.gas_limit {
        return Err(InvalidTransaction::GasLimitExceedsBlock {
            gas_limit: tx.gas_limit,
            block_gas_limit: block.gas_limit,
        });
    }
    if base_fee_check {
        check_base_fee(spec, tx, block.base_fee)?;
    }
    if tx.tx_type == TxType::Blob {
        let params = blob_params(spec, block).unwrap_or(BlobParams::CANCUN);
        if tx.blob_hashes.len() as u64 > params.max {
            return Err(InvalidTransaction::TooManyBlobs {
                have: tx.blob_hashes.len(),
                max: params.max,
            });
        }
        let blob_base_fee = blob_base_fee(spec, block);
        if tx.max_fee_per_blob_gas < blob_base_fee {
            return Err(InvalidTransaction::BlobFeeCapTooLow {
                max_fee: tx.max_fee_per_blob_gas,
                blob_base_fee,
            });
        }
    }
    Ok(())
}

/// What the state says about a transaction's sender.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SenderAccount {
    /// Its nonce.
    pub nonce: u64,
    /// Its balance.
    pub balance: U256,
    /// It has code.
    pub has_code: bool,
    /// Its code is an EIP-7702 delegation designator.
    pub is_delegated: bool,
}

/// The most `tx` can cost its sender: its gas at the fee cap, its blob gas at the blob fee
/// cap, and its value; `None` when that does not fit 256 bits.
pub fn max_cost(tx: &TxEnv) -> Option<U256> {
    U256::from(tx.gas_limit)
        .checked_mul(tx.gas_price)?
        .checked_add(U256::from(blob_gas(tx)).checked_mul(tx.max_fee_per_blob_gas)?)?
        .checked_add(tx.value)
}

/// The checks of `tx` against its sender's account, in order: EIP-3607, the sender has no
/// code (except an EIP-7702 delegation; skipped with `allow_code`, as a dev chain lets an
/// impersonated contract send); the nonce is the sender's; the balance covers
/// [`max_cost`]. (A sender nonce of 2^64-1 needs no check of its own: [`check_env`] refuses
/// that transaction nonce.)
pub fn check_sender(
    spec: &Spec,
    tx: &TxEnv,
    sender: &SenderAccount,
    allow_code: bool,
) -> Result<(), InvalidTransaction> {
    if !allow_code
        && spec.reject_sender_with_code
        && sender.has_code
        && !(spec.tx_set_code && sender.is_delegated)
    {
        return Err(InvalidTransaction::SenderNotEoa);
    }
    if tx.nonce < sender.nonce {
        return Err(InvalidTransaction::NonceTooLow {
            tx: tx.nonce,
            state: sender.nonce,
        });
    }
    if tx.nonce > sender.nonce {
        return Err(InvalidTransaction::NonceTooHigh {
            tx: tx.nonce,
            state: sender.nonce,
        });
    }
    match max_cost(tx) {
        Some(cost) if cost <= sender.balance => Ok(()),
        cost => Err(InvalidTransaction::InsufficientFunds {
            balance: sender.balance,
            cost: cost.unwrap_or(U256::MAX),
        }),
    }
}
