//! Fork-level validity of a single transaction, independent of any state: the checks the
//! TransactionTests fixtures exercise.

use ember_primitives::{Address, Spec, TxKind, TxType, B256, U256};

use crate::envelope::Transaction;
use crate::error::{TxError, TxValidationError};
use crate::intrinsic::{calldata_floor_gas, intrinsic_gas};

/// The chain id [`validate`] assumes (Ethereum mainnet, also the fixtures' chain).
pub const MAINNET_CHAIN_ID: u64 = 1;

/// EIP-4844: the version byte of a KZG versioned hash.
pub const VERSIONED_HASH_VERSION_KZG: u8 = 0x01;

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

/// Every state-independent check of a decoded transaction under `spec` on chain `chain_id`,
/// returning the recovered sender. In order:
///
/// - the type is enabled in the fork ([`type_enabled`]);
/// - the chain id matches (typed transactions, and legacy EIP-155 signatures once EIP-155 is
///   active);
/// - the signature is valid and recovers ([`Transaction::recover_sender`]);
/// - the gas limit covers the intrinsic gas, and the EIP-7623 floor when `spec.calldata_floor`;
/// - EIP-2681: the nonce is below 2^64-1;
/// - EIP-3860: a creation's initcode is within `spec.max_initcode_size`;
/// - EIP-7825: the gas limit is within `spec.tx_gas_limit_cap`;
/// - fees: the priority fee is not above the max fee, and `gas_limit * max_fee` fits 256 bits;
/// - EIP-4844: at least one blob, every versioned hash with version 0x01;
/// - EIP-7702: a non-empty authorization list.
///
/// Blob counts against the block's limit, balances, nonces against the state and base fees are
/// the executor's to check.
pub fn check_transaction(
    tx: &Transaction,
    spec: &Spec,
    chain_id: u64,
) -> Result<Address, TxValidationError> {
    let ty = tx.tx_type();
    if !type_enabled(spec, ty) {
        return Err(TxValidationError::TypeNotSupported(ty));
    }
    let chain_checked = ty != TxType::Legacy || spec.eip155;
    if let (true, Some(have)) = (chain_checked, tx.chain_id()) {
        if have != U256::from(chain_id) {
            return Err(TxValidationError::InvalidChainId {
                have,
                want: Some(chain_id),
            });
        }
    }
    let sender = tx.recover_sender(spec)?;
    check_transaction_from(tx, spec, sender)
}

/// [`check_transaction`]'s checks after the signature, for a transaction whose sender is
/// known without one (a dev node's impersonated accounts); the type and chain id are not
/// checked here.
pub fn check_transaction_from(
    tx: &Transaction,
    spec: &Spec,
    sender: Address,
) -> Result<Address, TxValidationError> {
    let ty = tx.tx_type();
    let env = tx.to_env(sender);
    let want = intrinsic_gas(spec, &env);
    if env.gas_limit < want {
        return Err(TxValidationError::IntrinsicGasTooLow {
            have: env.gas_limit,
            want,
        });
    }
    if spec.calldata_floor {
        let floor = calldata_floor_gas(&env);
        if env.gas_limit < floor {
            return Err(TxValidationError::FloorGasTooLow {
                have: env.gas_limit,
                want: floor,
            });
        }
    }
    if env.nonce == u64::MAX {
        return Err(TxValidationError::NonceTooHigh(env.nonce));
    }
    if let (TxKind::Create, Some(max)) = (env.kind, spec.max_initcode_size) {
        if env.data.len() > max {
            return Err(TxValidationError::InitcodeTooLarge {
                size: env.data.len(),
                max,
            });
        }
    }
    if let Some(cap) = spec.tx_gas_limit_cap {
        if env.gas_limit > cap {
            return Err(TxValidationError::GasLimitAboveCap {
                have: env.gas_limit,
                cap,
            });
        }
    }
    if let Some(priority) = env.gas_priority_fee {
        if priority > env.gas_price {
            return Err(TxValidationError::PriorityFeeGreaterThanMaxFee {
                priority,
                max: env.gas_price,
            });
        }
    }
    if U256::from(env.gas_limit)
        .checked_mul(env.gas_price)
        .is_none()
    {
        return Err(TxValidationError::GasLimitOverflow);
    }
    if ty == TxType::Blob {
        if env.blob_hashes.is_empty() {
            return Err(TxValidationError::NoBlobs);
        }
        for (index, hash) in env.blob_hashes.iter().enumerate() {
            if hash[0] != VERSIONED_HASH_VERSION_KZG {
                return Err(TxValidationError::InvalidBlobVersion {
                    index,
                    version: hash[0],
                });
            }
        }
    }
    if ty == TxType::SetCode && env.authorization_list.is_empty() {
        return Err(TxValidationError::EmptyAuthorizationList);
    }
    Ok(sender)
}
