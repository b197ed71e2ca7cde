//! Intrinsic gas: what a transaction pays before its first instruction runs, and the
//! EIP-7623 floor it pays at least. Each is computed here and nowhere else; the validator
//! ([`check_env`](crate::validity::check_env)) compares them with the gas limit.

use ember_primitives::{Spec, TxEnv, TxKind, INITCODE_WORD_COST};

/// Base cost of every transaction.
pub const TX_BASE_COST: u64 = 21_000;
/// Extra cost of a contract creation (EIP-2, Homestead on).
pub const TX_CREATE_COST: u64 = 32_000;
/// Cost per zero byte of calldata.
pub const TX_DATA_ZERO_COST: u64 = 4;
/// EIP-2930: cost per access-list address.
pub const ACCESS_LIST_ADDRESS_COST: u64 = 2_400;
/// EIP-2930: cost per access-list storage key.
pub const ACCESS_LIST_STORAGE_KEY_COST: u64 = 1_900;
/// EIP-7702: cost per authorization (`PER_EMPTY_ACCOUNT_COST`).
pub const PER_EMPTY_ACCOUNT_COST: u64 = 25_000;
/// EIP-7623: floor cost per calldata token.
pub const TOTAL_COST_FLOOR_PER_TOKEN: u64 = 10;

/// `(zero bytes, non-zero bytes)` of `data`.
fn byte_counts(data: &[u8]) -> (u64, u64) {
    let zeros = data.iter().filter(|&&b| b == 0).count() as u64;
    (zeros, data.len() as u64 - zeros)
}

/// Intrinsic gas of a transaction under `spec`, the sum of
///
/// - 21000, and 32000 more for a creation when `spec.tx_create_cost` (EIP-2);
/// - 4 per zero calldata byte and `spec.tx_data_nonzero` per non-zero byte;
/// - 2400 per access-list address and 1900 per storage key (EIP-2930);
/// - [`INITCODE_WORD_COST`] (2) per 32-byte word of initcode for creations when
///   `spec.max_initcode_size` is set (EIP-3860);
/// - 25000 per EIP-7702 authorization (`PER_EMPTY_ACCOUNT_COST`) when `spec.tx_set_code`.
///
/// Saturates instead of overflowing.
pub fn intrinsic_gas(spec: &Spec, tx: &TxEnv) -> u64 {
    let (zeros, nonzeros) = byte_counts(&tx.data);
    let mut gas = TX_BASE_COST
        .saturating_add(zeros.saturating_mul(TX_DATA_ZERO_COST))
        .saturating_add(nonzeros.saturating_mul(spec.tx_data_nonzero));
    if tx.kind == TxKind::Create {
        if spec.tx_create_cost {
            gas = gas.saturating_add(TX_CREATE_COST);
        }
        if spec.max_initcode_size.is_some() {
            let words = (tx.data.len() as u64).div_ceil(32);
            gas = gas.saturating_add(words.saturating_mul(INITCODE_WORD_COST));
        }
    }
    for item in &tx.access_list {
        gas = gas.saturating_add(ACCESS_LIST_ADDRESS_COST).saturating_add(
            (item.storage_keys.len() as u64).saturating_mul(ACCESS_LIST_STORAGE_KEY_COST),
        );
    }
    if spec.tx_set_code {
        gas = gas.saturating_add(
            (tx.authorization_list.len() as u64).saturating_mul(PER_EMPTY_ACCOUNT_COST),
        );
    }
    gas
}

/// EIP-7623 calldata floor under `spec`: `21000 + 10 * tokens`, `tokens = zero_bytes +
/// 4 * nonzero_bytes`, when `spec.calldata_floor`; zero (no floor) before Prague. A
/// transaction's gas limit must cover it, and it pays at least this much gas.
pub fn calldata_floor_gas(spec: &Spec, tx: &TxEnv) -> u64 {
    if !spec.calldata_floor {
        return 0;
    }
    let (zeros, nonzeros) = byte_counts(&tx.data);
    let tokens = zeros.saturating_add(nonzeros.saturating_mul(4));
    TX_BASE_COST.saturating_add(tokens.saturating_mul(TOTAL_COST_FLOOR_PER_TOKEN))
}

/// The least gas limit `tx` may have under `spec`: its [intrinsic gas](intrinsic_gas), or the
/// [EIP-7623 floor](calldata_floor_gas) when that is higher.
pub fn min_gas_limit(spec: &Spec, tx: &TxEnv) -> u64 {
    intrinsic_gas(spec, tx).max(calldata_floor_gas(spec, tx))
}
