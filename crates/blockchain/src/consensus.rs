//! Header rules against the parent: number, timestamp, gas limit, EIP-1559 base fee,
//! EIP-4844 blob gas, proof-of-work difficulty before the merge and the merge's constants.

use ember_primitives::spec::{DifficultyRule, GAS_PER_BLOB};
use ember_primitives::{BlobParams, Fork, Spec, U256};

use crate::header::{Header, EMPTY_OMMERS_HASH};
use crate::{BlockError, ChainConfig};

/// The smallest gas limit a block may have.
pub const GAS_LIMIT_MINIMUM: u64 = 5000;
/// The largest gas limit a block may have (2^63 - 1).
pub const GAS_LIMIT_MAXIMUM: u64 = i64::MAX as u64;
/// The gas limit moves by less than `parent / GAS_LIMIT_BOUND_DIVISOR` per block.
pub const GAS_LIMIT_BOUND_DIVISOR: u64 = 1024;
/// EIP-1559: the gas target is the limit over this.
pub const ELASTICITY_MULTIPLIER: u64 = 2;
/// EIP-1559: the base fee moves by at most 1/8 per block.
pub const BASE_FEE_MAX_CHANGE_DENOMINATOR: u64 = 8;
/// EIP-1559: the base fee of the London block.
pub const INITIAL_BASE_FEE: u64 = 1_000_000_000;
/// The smallest proof-of-work difficulty.
pub const MINIMUM_DIFFICULTY: u64 = 131_072;

/// True when `gas_limit` is a valid successor of `parent_gas_limit`: it moves by less than
/// 1/1024 of the parent's and is at least 5000.
pub fn check_gas_limit(gas_limit: u64, parent_gas_limit: u64) -> bool {
    let delta = parent_gas_limit / GAS_LIMIT_BOUND_DIVISOR;
    gas_limit < parent_gas_limit.saturating_add(delta)
        && gas_limit > parent_gas_limit.saturating_sub(delta)
        && (GAS_LIMIT_MINIMUM..=GAS_LIMIT_MAXIMUM).contains(&gas_limit)
}

/// The EIP-1559 base fee of a block whose parent had this gas limit, gas used and base fee.
pub fn calc_base_fee(parent_gas_limit: u64, parent_gas_used: u64, parent_base_fee: U256) -> U256 {
    let target = parent_gas_limit / ELASTICITY_MULTIPLIER;
    if target == 0 {
        return parent_base_fee;
    }
    let denominator = U256::from(BASE_FEE_MAX_CHANGE_DENOMINATOR);
    match parent_gas_used.cmp(&target) {
        std::cmp::Ordering::Equal => parent_base_fee,
        std::cmp::Ordering::Greater => {
            let delta = parent_base_fee.saturating_mul(U256::from(parent_gas_used - target))
                / U256::from(target)
                / denominator;
            parent_base_fee.saturating_add(delta.max(U256::from(1)))
        }
        std::cmp::Ordering::Less => {
            let delta = parent_base_fee.saturating_mul(U256::from(target - parent_gas_used))
                / U256::from(target)
                / denominator;
            parent_base_fee.saturating_sub(delta)
        }
    }
}

/// The EIP-4844 excess blob gas of a block under `fork` with blob `params`, given its parent
/// (a parent before Cancun counts as zero excess and zero used). When the fork's
/// [`Spec::blob_base_cost`] is set (EIP-7918, Osaka on) and the parent's execution cost of a
/// blob, `blob_base_cost * base_fee`, exceeds its blob gas cost `GAS_PER_BLOB * blob_base_fee`,
/// the excess does not fall: it grows by `blob_gas_used * (max - target) / max`.
pub fn calc_excess_blob_gas(fork: Fork, params: BlobParams, parent: &Header) -> u64 {
    let parent_excess = parent.excess_blob_gas.unwrap_or(0);
    let parent_used = parent.blob_gas_used.unwrap_or(0);
    let target = params.target_blob_gas();
    let total = parent_excess.saturating_add(parent_used);
    if total < target {
        return 0;
    }
    if let (Some(base_cost), true) = (Spec::of(fork).blob_base_cost, params.max > 0) {
        let base_fee = parent.base_fee_per_gas.unwrap_or_default();
        let blob_fee = U256::from(params.base_fee(parent_excess));
        let execution_cost = U256::from(base_cost).saturating_mul(base_fee);
        if execution_cost > U256::from(GAS_PER_BLOB) * blob_fee {
            let growth = u128::from(parent_used)
                * u128::from(params.max.saturating_sub(params.target))
                / u128::from(params.max);
            return parent_excess.saturating_add(growth as u64);
        }
    }
    total - target
}

/// The proof-of-work difficulty of a block under `fork`'s [`Spec::difficulty_rule`]
/// (Frontier, Homestead EIP-2, Byzantium EIP-100) with the difficulty bomb pushed back by its
/// [`Spec::difficulty_bomb_delay`].
pub fn calc_difficulty(
    fork: Fork,
    number: u64,
    timestamp: u64,
    parent_timestamp: u64,
    parent_difficulty: U256,
    parent_has_ommers: bool,
) -> U256 {
    let spec = Spec::of(fork);
    let step = parent_difficulty / U256::from(2048);
    let elapsed = timestamp.saturating_sub(parent_timestamp);
    let factor: i64 = match spec.difficulty_rule {
        DifficultyRule::Byzantium => {
            let base = if parent_has_ommers { 2 } else { 1 };
            (base - (elapsed / 9).min(1000) as i64).max(-99)
        }
        DifficultyRule::Homestead => (1 - (elapsed / 10).min(1000) as i64).max(-99),
        DifficultyRule::Frontier if elapsed < 13 => 1,
        DifficultyRule::Frontier => -1,
    };
    let offset = step.saturating_mul(U256::from(factor.unsigned_abs()));
    let mut difficulty = if factor >= 0 {
        parent_difficulty.saturating_add(offset)
    } else {
        parent_difficulty.saturating_sub(offset)
    };
    let delay = spec.difficulty_bomb_delay;
    if number >= delay {
        let periods = (number - delay) / 100_000;
        if periods >= 2 {
            let exp = (periods - 2).min(255) as usize;
            difficulty = difficulty.saturating_add(U256::from(1) << exp);
        }
    }
    difficulty.max(U256::from(MINIMUM_DIFFICULTY))
}

/// Checks that the header has exactly the fields its fork's [`Spec`] defines.
pub fn check_header_fields(fork: Fork, header: &Header) -> Result<(), BlockError> {
    let spec = Spec::of(fork);
    let checks = [
        // EIP-1559.
        (
            "base_fee_per_gas",
            header.base_fee_per_gas.is_some(),
            spec.tx_fee_market,
        ),
        // EIP-4895.
        (
            "withdrawals_root",
            header.withdrawals_root.is_some(),
            spec.withdrawals,
        ),
        // EIP-4844.
        (
            "blob_gas_used",
            header.blob_gas_used.is_some(),
            spec.blobs.is_some(),
        ),
        (
            "excess_blob_gas",
            header.excess_blob_gas.is_some(),
            spec.blobs.is_some(),
        ),
        // EIP-4788.
        (
            "parent_beacon_block_root",
            header.parent_beacon_block_root.is_some(),
            spec.beacon_roots_call,
        ),
        // EIP-7685.
        (
            "requests_hash",
            header.requests_hash.is_some(),
            spec.execution_requests,
        ),
    ];
    for (field, present, wanted) in checks {
        if present != wanted {
            return Err(BlockError::IncorrectBlockFormat(format!(
                "header field {field} {} in {fork}",
                if present { "present" } else { "missing" }
            )));
        }
    }
    Ok(())
}

/// Validates `header` against its `parent` under `config`; returns the header's fork.
/// Execution-dependent fields (roots, gas used, blob gas used) are checked after execution.
/// A fork activated by total difficulty counts as not reached: see
/// [`validate_header_after`].
pub fn validate_header(
    config: &ChainConfig,
    header: &Header,
    parent: &Header,
) -> Result<Fork, BlockError> {
    let fork = config.fork_at(header.number, header.timestamp);
    let parent_fork = config.fork_at(parent.number, parent.timestamp);
    validate_header_under(config, header, parent, fork, parent_fork)
}

/// [`validate_header`] for a parent whose total difficulty (genesis to parent) is
/// `parent_total_difficulty`, so that a merge by terminal total difficulty
/// (`ArrowGlacierToParisAtDiffC0000`) applies: a block after the terminal proof-of-work
/// block must be a proof-of-stake block (difficulty and nonce zero, no ommers), and one
/// before it a proof-of-work block of the right difficulty.
pub fn validate_header_after(
    config: &ChainConfig,
    header: &Header,
    parent: &Header,
    parent_total_difficulty: U256,
) -> Result<Fork, BlockError> {
    let fork = config.fork_after(header.number, header.timestamp, parent_total_difficulty);
    let grandparent_td = parent_total_difficulty.saturating_sub(parent.difficulty);
    let parent_fork = config.fork_after(parent.number, parent.timestamp, grandparent_td);
    validate_header_under(config, header, parent, fork, parent_fork)
}

fn validate_header_under(
    config: &ChainConfig,
    header: &Header,
    parent: &Header,
    fork: Fork,
    parent_fork: Fork,
) -> Result<Fork, BlockError> {
    check_header_fields(fork, header)?;
    if header.number != parent.number.wrapping_add(1) || parent.number == u64::MAX {
        return Err(BlockError::InvalidNumber {
            got: header.number,
            want: parent.number.saturating_add(1),
        });
    }
    let parent_hash = parent.hash();
    if header.parent_hash != parent_hash {
        return Err(BlockError::InvalidParentHash {
            got: header.parent_hash,
            want: parent_hash,
        });
    }
    if header.timestamp <= parent.timestamp {
        return Err(BlockError::InvalidTimestamp {
            got: header.timestamp,
            parent: parent.timestamp,
        });
    }
    if header.extra_data.len() > 32 {
        return Err(BlockError::ExtraDataTooLong(header.extra_data.len()));
    }
    if header.gas_used > header.gas_limit {
        return Err(BlockError::GasUsedExceedsLimit {
            used: header.gas_used,
            limit: header.gas_limit,
        });
    }
    // The first EIP-1559 block may double the gas limit (elasticity).
    let london_block = Spec::of(fork).tx_fee_market && !Spec::of(parent_fork).tx_fee_market;
    let parent_gas_limit = if london_block {
        parent.gas_limit.saturating_mul(ELASTICITY_MULTIPLIER)
    } else {
        parent.gas_limit
    };
    if !check_gas_limit(header.gas_limit, parent_gas_limit) {
        return Err(BlockError::InvalidGasLimit {
            got: header.gas_limit,
            parent: parent_gas_limit,
        });
    }
    if let Some(got) = header.base_fee_per_gas {
        let want = if london_block {
            U256::from(INITIAL_BASE_FEE)
        } else {
            calc_base_fee(
                parent.gas_limit,
                parent.gas_used,
                parent.base_fee_per_gas.unwrap_or_default(),
            )
        };
        if got != want {
            return Err(BlockError::InvalidBaseFee { got, want });
        }
    }
    if let (Some(got), Some(params)) = (header.excess_blob_gas, config.blob_params(fork)) {
        let want = calc_excess_blob_gas(fork, params, parent);
        if got != want {
            return Err(BlockError::IncorrectExcessBlobGas { got, want });
        }
        let used = header.blob_gas_used.unwrap_or(0);
        if used > params.max_blob_gas() || !used.is_multiple_of(GAS_PER_BLOB) {
            return Err(BlockError::IncorrectBlobGasUsed {
                got: used,
                want: used.min(params.max_blob_gas()) / GAS_PER_BLOB * GAS_PER_BLOB,
            });
        }
    }
    if Spec::of(fork).proof_of_stake {
        if !header.difficulty.is_zero() {
            return Err(BlockError::InvalidDifficulty {
                got: header.difficulty,
                want: U256::ZERO,
            });
        }
        if !header.nonce.is_zero() {
            return Err(BlockError::InvalidNonce);
        }
        if header.ommers_hash != EMPTY_OMMERS_HASH {
            return Err(BlockError::InvalidOmmers(
                "ommers after the merge".to_string(),
            ));
        }
    } else {
        let want = calc_difficulty(
            fork,
            header.number,
            header.timestamp,
            parent.timestamp,
            parent.difficulty,
            parent.ommers_hash != EMPTY_OMMERS_HASH,
        );
        if header.difficulty != want {
            return Err(BlockError::InvalidDifficulty {
                got: header.difficulty,
                want,
            });
        }
    }
    Ok(fork)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gas_limit_bounds() {
        assert!(check_gas_limit(1_000_000, 1_000_000));
        let delta = 1_000_000 / 1024;
        assert!(check_gas_limit(1_000_000 + delta - 1, 1_000_000));
        assert!(!check_gas_limit(1_000_000 + delta, 1_000_000));
        assert!(!check_gas_limit(1_000_000 - delta, 1_000_000));
        assert!(!check_gas_limit(4999, 5000));
    }

    #[test]
    fn base_fee_updates() {
        let fee = U256::from(1_000_000_000u64);
        assert_eq!(calc_base_fee(30_000_000, 15_000_000, fee), fee);
        assert_eq!(
            calc_base_fee(30_000_000, 30_000_000, fee),
            U256::from(1_125_000_000u64)
        );
        assert_eq!(
            calc_base_fee(30_000_000, 0, fee),
            U256::from(875_000_000u64)
        );
        // the increase is at least 1
        assert_eq!(
            calc_base_fee(30_000_000, 15_000_001, U256::from(7)),
            U256::from(8)
        );
    }

    #[test]
    fn excess_blob_gas() {
        let parent = Header {
            excess_blob_gas: Some(0),
            blob_gas_used: Some(4 * GAS_PER_BLOB),
            ..Header::default()
        };
        assert_eq!(
            calc_excess_blob_gas(Fork::Cancun, BlobParams::CANCUN, &parent),
            GAS_PER_BLOB
        );
        assert_eq!(
            calc_excess_blob_gas(Fork::Prague, BlobParams::PRAGUE, &parent),
            0
        );
    }

    #[test]
    fn eip7918_excess_blob_gas() {
        // Each expected value was also computed with the execution spec's
        // `calculate_excess_blob_gas` (osaka, bpo1 and bpo2 `vm/gas.py`).
        let header = |excess: u64, used_blobs: u64, base_fee: u64| Header {
            excess_blob_gas: Some(excess),
            blob_gas_used: Some(used_blobs * GAS_PER_BLOB),
            base_fee_per_gas: Some(U256::from(base_fee)),
            ..Header::default()
        };
        let osaka = |p: &Header| calc_excess_blob_gas(Fork::Osaka, BlobParams::OSAKA, p);
        let prague = |p: &Header| calc_excess_blob_gas(Fork::Prague, BlobParams::PRAGUE, p);
        // Below the target: zero, as before.
        assert_eq!(osaka(&header(0, 5, 1_000_000_000)), 0);
        // Blob base fee 1 wei, base fee 1 gwei: the execution cost 2^13 * 10^9 exceeds the
        // blob cost 2^17 * 1, so the excess grows by used * (max - target) / max instead of
        // falling: 9 blobs used -> 9 * 2^17 * 3 / 9 = 3 * 2^17.
        let p = header(0, 9, 1_000_000_000);
        assert_eq!(osaka(&p), 3 * GAS_PER_BLOB);
        // Prague gives the same here by coincidence: 9 - 6 blobs.
        assert_eq!(prague(&p), 3 * GAS_PER_BLOB);
        // Used below target with excess above it: Prague falls, Osaka keeps rising.
        let p = header(10 * GAS_PER_BLOB, 2, 1_000_000_000);
        assert_eq!(prague(&p), 6 * GAS_PER_BLOB);
        assert_eq!(osaka(&p), 10 * GAS_PER_BLOB + 2 * GAS_PER_BLOB / 3);
        assert_eq!(osaka(&p), 1_398_101);
        // Base fee 7 wei: 2^13 * 7 < 2^17 * 1, the plain EIP-4844 rule applies.
        let p = header(10 * GAS_PER_BLOB, 2, 7);
        assert_eq!(osaka(&p), prague(&p));
        // Exactly equal (2^13 * 16 = 2^17 * 1) is not "greater": the plain rule.
        let p = header(10 * GAS_PER_BLOB, 2, 16);
        assert_eq!(osaka(&p), 6 * GAS_PER_BLOB);
        let p = header(10 * GAS_PER_BLOB, 2, 17);
        assert_eq!(osaka(&p), 10 * GAS_PER_BLOB + 87_381);
        // A high excess makes the blob base fee large enough to switch the bound off.
        let p = header(100_000_000, 2, 1_000_000_000);
        assert_eq!(BlobParams::OSAKA.base_fee(100_000_000), 470_442_149);
        assert_eq!(osaka(&p), 100_000_000 + 2 * GAS_PER_BLOB - 6 * GAS_PER_BLOB);
        assert_eq!(osaka(&p), 99_475_712);
        // BPO1 and BPO2 use their own target, max and fraction.
        let p = header(20 * GAS_PER_BLOB, 3, 1_000_000_000);
        assert_eq!(
            calc_excess_blob_gas(Fork::Bpo1, BlobParams::BPO1, &p),
            20 * GAS_PER_BLOB + 3 * GAS_PER_BLOB * 5 / 15
        );
        assert_eq!(
            calc_excess_blob_gas(Fork::Bpo2, BlobParams::BPO2, &p),
            20 * GAS_PER_BLOB + 3 * GAS_PER_BLOB * 7 / 21
        );
        let p = header(20 * GAS_PER_BLOB, 3, 1);
        assert_eq!(
            calc_excess_blob_gas(Fork::Bpo1, BlobParams::BPO1, &p),
            13 * GAS_PER_BLOB
        );
        // A schedule with max 0 and a target above max do not panic.
        let odd = BlobParams {
            target: 0,
            max: 0,
            update_fraction: 1,
        };
        assert_eq!(
            calc_excess_blob_gas(Fork::Osaka, odd, &p),
            23 * GAS_PER_BLOB
        );
        let odd = BlobParams {
            target: 2,
            max: 1,
            update_fraction: 1,
        };
        let _ = calc_excess_blob_gas(Fork::Osaka, odd, &header(u64::MAX, 9, u64::MAX));
    }

    #[test]
    fn difficulty() {
        let d = U256::from(0x020000);
        // Frontier: fast block raises the difficulty by parent/2048
        assert_eq!(
            calc_difficulty(Fork::Frontier, 1, 12, 0, d, false),
            U256::from(0x020040)
        );
        assert_eq!(
            calc_difficulty(Fork::Byzantium, 1, 100, 0, d, false),
            U256::from(MINIMUM_DIFFICULTY)
        );
        assert_eq!(Spec::of(Fork::Paris).block_reward, None);
    }
}
