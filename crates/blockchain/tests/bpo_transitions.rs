//! Crafted header tests of the blob-parameter-only forks and their transitions
//! (`OsakaToBPO1AtTime15k` .. `BPO4ToBPO5AtTime15k`): the block before the transition time
//! follows the old fork's blob schedule, the block at it the new one's (target for the
//! excess blob gas, max for the blob gas used), and a fixture's `blobSchedule` overrides the
//! defaults.

use ember_blockchain::consensus::{calc_base_fee, validate_header};
use ember_blockchain::header::{EMPTY_OMMERS_HASH, EMPTY_REQUESTS_HASH};
use ember_blockchain::{BlockError, ChainConfig, Header};
use ember_primitives::spec::GAS_PER_BLOB;
use ember_primitives::{BlobParams, Fork, B256, EMPTY_ROOT, U256};

/// A post-merge parent at `timestamp` with 40 blobs of excess gas and a base fee low enough
/// (7 wei) that EIP-7918's bound does not apply: the child's excess is `40 - target` blobs.
fn parent(timestamp: u64) -> Header {
    Header {
        ommers_hash: EMPTY_OMMERS_HASH,
        number: 10,
        gas_limit: 30_000_000,
        gas_used: 15_000_000,
        timestamp,
        base_fee_per_gas: Some(U256::from(7)),
        withdrawals_root: Some(EMPTY_ROOT),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(40 * GAS_PER_BLOB),
        parent_beacon_block_root: Some(B256::ZERO),
        requests_hash: Some(EMPTY_REQUESTS_HASH),
        ..Header::default()
    }
}

fn child(parent: &Header, timestamp: u64, excess_blobs: u64, used_blobs: u64) -> Header {
    Header {
        parent_hash: parent.hash(),
        number: parent.number + 1,
        timestamp,
        gas_used: 0,
        base_fee_per_gas: Some(calc_base_fee(
            parent.gas_limit,
            parent.gas_used,
            parent.base_fee_per_gas.unwrap(),
        )),
        excess_blob_gas: Some(excess_blobs * GAS_PER_BLOB),
        blob_gas_used: Some(used_blobs * GAS_PER_BLOB),
        ..parent.clone()
    }
}

/// `(network, old target, new target, new max)` of each transition, from the forks'
/// default schedules (EIP-7892 for BPO1 and BPO2; execution-spec-tests for BPO3..BPO5).
const TRANSITIONS: [(&str, u64, u64, u64); 5] = [
    ("OsakaToBPO1AtTime15k", 6, 10, 15),
    ("BPO1ToBPO2AtTime15k", 10, 14, 21),
    ("BPO2ToBPO3AtTime15k", 14, 21, 32),
    ("BPO3ToBPO4AtTime15k", 21, 14, 21),
    ("BPO4ToBPO5AtTime15k", 14, 14, 21),
];

#[test]
fn each_transition_switches_the_blob_schedule_at_its_time() {
    for (network, old_target, new_target, new_max) in TRANSITIONS {
        let config = ChainConfig::for_network(network, 1).unwrap();
        // Before the transition: the old target.
        let p = parent(14_000);
        let before = child(&p, 14_999, 40 - old_target, 0);
        validate_header(&config, &before, &p).unwrap_or_else(|e| panic!("{network}: {e}"));
        // At the transition: the new target; the old one's excess is rejected when they differ.
        let at = child(&p, 15_000, 40 - new_target, new_max);
        let fork = validate_header(&config, &at, &p).unwrap_or_else(|e| panic!("{network}: {e}"));
        assert_eq!(fork, config.forks[1].0, "{network}");
        if old_target != new_target {
            let stale = child(&p, 15_000, 40 - old_target, 0);
            assert!(
                matches!(
                    validate_header(&config, &stale, &p),
                    Err(BlockError::IncorrectExcessBlobGas { .. })
                ),
                "{network}"
            );
        }
        // One blob over the new fork's max is rejected.
        let over = child(&p, 15_000, 40 - new_target, new_max + 1);
        assert!(
            matches!(
                validate_header(&config, &over, &p),
                Err(BlockError::IncorrectBlobGasUsed { .. })
            ),
            "{network}"
        );
    }
}

#[test]
fn a_fixture_blob_schedule_overrides_the_defaults() {
    // As a fixture's `config.blobSchedule` would give for BPO4.
    let mut config = ChainConfig::for_network("BPO3ToBPO4AtTime15k", 1).unwrap();
    config.blob_schedule.push((
        Fork::Bpo4,
        BlobParams {
            target: 9,
            max: 12,
            update_fraction: 13_739_630,
        },
    ));
    let p = parent(14_000);
    let at = child(&p, 15_000, 31, 12);
    validate_header(&config, &at, &p).unwrap();
    let default = child(&p, 15_000, 26, 0);
    assert!(matches!(
        validate_header(&config, &default, &p),
        Err(BlockError::IncorrectExcessBlobGas { .. })
    ));
    let over = child(&p, 15_000, 31, 13);
    assert!(matches!(
        validate_header(&config, &over, &p),
        Err(BlockError::IncorrectBlobGasUsed { .. })
    ));
}
