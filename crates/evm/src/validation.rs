//! Transaction validity: the checks that make a transaction invalid (no receipt, no state
//! change), split into those that need no state and those against the sender's account.

use crate::InvalidTransaction;
use ember_primitives::spec::GAS_PER_BLOB;
use ember_primitives::{BlobParams, BlockEnv, Spec, TxEnv, TxKind, TxType, U256};
use ember_state::AccountInfo;

/// Blob versioned hash version for KZG commitments (EIP-4844).
const VERSIONED_HASH_VERSION_KZG: u8 = 0x01;

/// The blob parameters in force: the block's override, else the fork's schedule.
pub(crate) fn blob_params(spec: &Spec, block: &BlockEnv) -> Option<BlobParams> {
    spec.blobs
        .map(|schedule| block.blob_params.unwrap_or(schedule))
}

/// The blob base fee of the block (zero before Cancun).
pub(crate) fn blob_base_fee(spec: &Spec, block: &BlockEnv) -> U256 {
    match blob_params(spec, block) {
        Some(params) => U256::from(params.base_fee(block.excess_blob_gas.unwrap_or(0))),
        None => U256::ZERO,
    }
}

/// The price per gas the sender pays.
pub(crate) fn effective_gas_price(spec: &Spec, block: &BlockEnv, tx: &TxEnv) -> U256 {
    match tx.gas_priority_fee {
        Some(priority) if spec.tx_fee_market => {
            tx.gas_price.min(block.base_fee.saturating_add(priority))
        }
        _ => tx.gas_price,
    }
}

/// Checks that need no state; returns the intrinsic gas.
pub(crate) fn validate_env(
    spec: &Spec,
    block: &BlockEnv,
    chain_id: u64,
    tx: &TxEnv,
    base_fee_check: bool,
) -> Result<u64, InvalidTransaction> {
    let supported = match tx.tx_type {
        TxType::Legacy => true,
        TxType::AccessList => spec.tx_access_list,
        TxType::FeeMarket => spec.tx_fee_market,
        TxType::Blob => spec.blobs.is_some(),
        TxType::SetCode => spec.tx_set_code,
    };
    if !supported {
        return Err(InvalidTransaction::TypeNotSupported(tx.tx_type));
    }
    if let Some(tx_chain) = tx.chain_id {
        // Legacy transactions may omit the chain id; typed ones always carry one.
        if tx_chain != chain_id {
            return Err(InvalidTransaction::InvalidChainId {
                got: tx_chain,
                want: chain_id,
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
    if tx.gas_limit > block.gas_limit {
        return Err(InvalidTransaction::GasLimitExceedsBlock {
            gas_limit: tx.gas_limit,
            block_gas_limit: block.gas_limit,
        });
    }
    if spec.tx_fee_market {
        if let Some(priority) = tx.gas_priority_fee {
            if priority > tx.gas_price {
                return Err(InvalidTransaction::PriorityFeeGreaterThanMaxFee);
            }
        }
        if base_fee_check && tx.gas_price < block.base_fee {
            return Err(InvalidTransaction::FeeCapTooLow {
                max_fee: tx.gas_price,
                base_fee: block.base_fee,
            });
        }
    }
    if matches!(tx.tx_type, TxType::Blob | TxType::SetCode) && tx.kind == TxKind::Create {
        return Err(InvalidTransaction::CreateNotAllowed);
    }
    if tx.tx_type == TxType::Blob {
        let params = blob_params(spec, block).unwrap_or(BlobParams::CANCUN);
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
        if tx.blob_hashes.len() as u64 > params.max {
            return Err(InvalidTransaction::TooManyBlobs {
                have: tx.blob_hashes.len(),
                max: params.max,
            });
        }
        if tx
            .blob_hashes
            .iter()
            .any(|h| h[0] != VERSIONED_HASH_VERSION_KZG)
        {
            return Err(InvalidTransaction::BlobVersionNotSupported);
        }
        let blob_base_fee = blob_base_fee(spec, block);
        if tx.max_fee_per_blob_gas < blob_base_fee {
            return Err(InvalidTransaction::BlobFeeCapTooLow {
                max_fee: tx.max_fee_per_blob_gas,
                blob_base_fee,
            });
        }
    }
    if tx.tx_type == TxType::SetCode && tx.authorization_list.is_empty() {
        return Err(InvalidTransaction::EmptyAuthorizationList);
    }
    if let (TxKind::Create, Some(max)) = (tx.kind, spec.max_initcode_size) {
        if tx.data.len() > max {
            return Err(InvalidTransaction::InitcodeTooLarge {
                size: tx.data.len(),
                max,
            });
        }
    }
    let intrinsic = ember_transaction::intrinsic_gas(spec, tx);
    let floor = if spec.calldata_floor {
        ember_transaction::calldata_floor_gas(tx)
    } else {
        0
    };
    let want = intrinsic.max(floor);
    if tx.gas_limit < want {
        return Err(InvalidTransaction::IntrinsicGasTooLow {
            have: tx.gas_limit,
            want,
        });
    }
    Ok(intrinsic)
}

/// Blob gas the transaction uses.
pub(crate) fn blob_gas(tx: &TxEnv) -> u64 {
    GAS_PER_BLOB * tx.blob_hashes.len() as u64
}

/// Checks against the sender's account.
pub(crate) fn validate_sender(
    spec: &Spec,
    tx: &TxEnv,
    sender: &AccountInfo,
    sender_code_is_delegation: bool,
    sender_code_check: bool,
) -> Result<(), InvalidTransaction> {
    // EIP-3607, with EIP-7702's exception for delegated accounts.
    if sender_code_check
        && spec.reject_sender_with_code
        && sender.has_code()
        && !(spec.tx_set_code && sender_code_is_delegation)
    {
        return Err(InvalidTransaction::SenderNotEoa);
    }
    if sender.nonce == u64::MAX {
        return Err(InvalidTransaction::NonceOverflow);
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
    // The most the transaction can cost: its gas at the fee cap, its blob gas at the blob
    // fee cap, and its value.
    let cost = U256::from(tx.gas_limit)
        .checked_mul(tx.gas_price)
        .and_then(|c| c.checked_add(U256::from(blob_gas(tx)).checked_mul(tx.max_fee_per_blob_gas)?))
        .and_then(|c| c.checked_add(tx.value));
    match cost {
        Some(cost) if cost <= sender.balance => Ok(()),
        Some(cost) => Err(InvalidTransaction::InsufficientFunds {
            balance: sender.balance,
            cost,
        }),
        None => Err(InvalidTransaction::InsufficientFunds {
            balance: sender.balance,
            cost: U256::MAX,
        }),
    }
}
