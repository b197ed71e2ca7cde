//! Osaka and the blob-parameter-only forks through the embedding API: CLZ (EIP-7939), the
//! transaction gas limit cap (EIP-7825), the per-transaction blob limit (EIP-7594) and the
//! BPO blob schedules (EIP-7892). Invalid transactions must leave the state unchanged.

use ember_evm::bytecode::opcode::*;
use ember_evm::{
    address, AccountInfo, Address, AuthorizationSkip, BlockEnv, Bytecode, Bytes, Evm, EvmError,
    ExecutionResult, Fork, InMemoryDb, InvalidTransaction, TxEnv, TxKind, TxType, B256, U256,
};
use ember_primitives::spec::{GAS_PER_BLOB, MAX_BLOBS_PER_TX};
use ember_primitives::{Authorization, BlobParams, Spec};

const SENDER: Address = address!("1000000000000000000000000000000000000001");
const CONTRACT: Address = address!("2000000000000000000000000000000000000002");

fn db(code: &[u8]) -> InMemoryDb {
    let mut db = InMemoryDb::new();
    db.insert_account(
        SENDER,
        AccountInfo {
            balance: U256::from(10u64).pow(U256::from(20)),
            ..Default::default()
        },
        [],
    );
    db.insert_account(
        CONTRACT,
        AccountInfo::with_code(U256::ZERO, 1, Bytecode::new(Bytes::copy_from_slice(code))),
        [],
    );
    db
}

fn evm(code: &[u8], fork: Fork) -> Evm<InMemoryDb> {
    let block = BlockEnv {
        gas_limit: 60_000_000,
        excess_blob_gas: Some(0),
        ..BlockEnv::default()
    };
    Evm::builder(db(code)).fork(fork).block(block).build()
}

fn call(gas_limit: u64) -> TxEnv {
    TxEnv {
        caller: SENDER,
        kind: TxKind::Call(CONTRACT),
        gas_limit,
        gas_price: U256::from(1),
        ..Default::default()
    }
}

/// `PUSH32 x CLZ PUSH0 MSTORE PUSH1 32 PUSH0 RETURN`: returns `clz(x)`.
fn clz_of(x: U256, fork: Fork) -> ExecutionResult {
    let mut code = vec![PUSH32];
    code.extend_from_slice(&x.to_be_bytes::<32>());
    code.extend_from_slice(&[CLZ, PUSH0, MSTORE, PUSH1, 32, PUSH0, RETURN]);
    evm(&code, fork).transact(&call(100_000)).unwrap().result
}

#[test]
fn clz_values() {
    let one = U256::from(1);
    let cases = [
        (U256::ZERO, 256),
        (one, 255),
        (U256::from(2), 254),
        (U256::from(3), 254),
        (U256::from(0xff), 248),
        (U256::from(0x100), 247),
        (one << 128, 127),
        (one << 254, 1),
        ((one << 255) - one, 1),
        (one << 255, 0),
        (U256::MAX, 0),
    ];
    for fork in [Fork::Osaka, Fork::Bpo1, Fork::Bpo2] {
        for (x, want) in cases {
            match clz_of(x, fork) {
                ExecutionResult::Success {
                    output, gas_used, ..
                } => {
                    assert_eq!(
                        U256::from_be_slice(&output),
                        U256::from(want),
                        "clz({x:#x})"
                    );
                    // 21000 + PUSH32 3 + CLZ 5 + PUSH0 2 + MSTORE 3 + 3 (memory) + PUSH1 3
                    // + PUSH0 2 + RETURN 0.
                    assert_eq!(gas_used, 21_000 + 3 + 5 + 2 + 3 + 3 + 3 + 2, "clz({x:#x})");
                }
                other => panic!("clz({x:#x}) in {fork}: {other:?}"),
            }
        }
    }
    // Before Osaka 0x1e is an undefined instruction: all gas is consumed.
    match clz_of(one, Fork::Prague) {
        ExecutionResult::Halt { gas_used, .. } => assert_eq!(gas_used, 100_000),
        other => panic!("CLZ in Prague: {other:?}"),
    }
}

/// Expects `tx` to be invalid with `want`, leaving the state as it was.
fn assert_invalid(evm: &mut Evm<InMemoryDb>, tx: &TxEnv, want: InvalidTransaction) {
    let root = evm.db().state_root();
    match evm.transact_commit(tx) {
        Err(EvmError::Transaction(e)) => assert_eq!(e, want),
        other => panic!("expected {want:?}, got {other:?}"),
    }
    assert_eq!(evm.db().state_root(), root);
}

#[test]
fn eip7825_gas_limit_cap() {
    let cap = 1u64 << 24;
    for fork in [Fork::Osaka, Fork::Bpo1, Fork::Bpo2] {
        assert_eq!(Spec::of(fork).tx_gas_limit_cap, Some(cap));
        let mut evm = evm(&[STOP], fork);
        assert_invalid(
            &mut evm,
            &call(cap + 1),
            InvalidTransaction::GasLimitExceedsCap {
                gas_limit: cap + 1,
                cap,
            },
        );
        let result = evm.transact_commit(&call(cap)).unwrap();
        assert_eq!(result.gas_used(), 21_000);
    }
    // Prague has no cap: the block gas limit is the only bound.
    let mut evm = evm(&[STOP], Fork::Prague);
    assert_eq!(
        evm.transact_commit(&call(cap + 1)).unwrap().gas_used(),
        21_000
    );
}

fn blob_tx(blobs: usize) -> TxEnv {
    let mut hash = B256::ZERO;
    hash.0[0] = 1; // VERSIONED_HASH_VERSION_KZG
    TxEnv {
        tx_type: TxType::Blob,
        gas_priority_fee: Some(U256::from(1)),
        chain_id: Some(1),
        blob_hashes: vec![hash; blobs],
        max_fee_per_blob_gas: U256::from(1),
        ..call(100_000)
    }
}

#[test]
fn eip7594_blob_limit_per_transaction() {
    assert_eq!(MAX_BLOBS_PER_TX, 6);
    for fork in [Fork::Osaka, Fork::Bpo1, Fork::Bpo2] {
        let mut evm = evm(&[STOP], fork);
        assert_invalid(
            &mut evm,
            &blob_tx(7),
            InvalidTransaction::TooManyBlobsPerTx { have: 7, max: 6 },
        );
        let err = InvalidTransaction::TooManyBlobsPerTx { have: 7, max: 6 }.to_string();
        assert!(err.contains("EIP-7594"), "{err}");
        // Six blobs are fine, in every Osaka-era fork.
        let before = evm.db().accounts[&SENDER].info.balance;
        evm.transact_commit(&blob_tx(6)).unwrap();
        let after = evm.db().accounts[&SENDER].info.balance;
        // 21000 gas at 1 wei and 6 blobs at the minimum blob base fee of 1 wei.
        assert_eq!(before - after, U256::from(21_000 + 6 * GAS_PER_BLOB));
    }
    // Prague: 7, 8 and 9 blobs are allowed (the block's maximum is 9), 10 are not.
    let mut evm = evm(&[STOP], Fork::Prague);
    evm.transact_commit(&blob_tx(9)).unwrap();
    let mut tx = blob_tx(10);
    tx.nonce = 1;
    assert_invalid(
        &mut evm,
        &tx,
        InvalidTransaction::TooManyBlobs { have: 10, max: 9 },
    );
}

#[test]
fn bpo_blob_schedules() {
    let blobs = |fork: Fork| Spec::of(fork).blobs.unwrap();
    assert_eq!(blobs(Fork::Osaka), BlobParams::PRAGUE);
    assert_eq!((blobs(Fork::Bpo1).target, blobs(Fork::Bpo1).max), (10, 15));
    assert_eq!(blobs(Fork::Bpo1).update_fraction, 8_346_193);
    assert_eq!((blobs(Fork::Bpo2).target, blobs(Fork::Bpo2).max), (14, 21));
    assert_eq!(blobs(Fork::Bpo2).update_fraction, 11_684_671);
    // The blob base fee falls with a larger update fraction: at the same excess, BPO2's is
    // the lowest. The blob fee cap check uses the fork's fraction.
    let excess = 40_000_000;
    let fees: Vec<u128> = [Fork::Osaka, Fork::Bpo1, Fork::Bpo2]
        .iter()
        .map(|&f| blobs(f).base_fee(excess))
        .collect();
    assert!(fees[0] > fees[1] && fees[1] > fees[2], "{fees:?}");
    for (fork, fee) in [Fork::Osaka, Fork::Bpo1, Fork::Bpo2].into_iter().zip(fees) {
        let mut evm = evm(&[STOP], fork);
        evm.block_mut().excess_blob_gas = Some(excess);
        let mut tx = blob_tx(1);
        tx.max_fee_per_blob_gas = U256::from(fee - 1);
        assert_invalid(
            &mut evm,
            &tx,
            InvalidTransaction::BlobFeeCapTooLow {
                max_fee: U256::from(fee - 1),
                blob_base_fee: U256::from(fee),
            },
        );
        tx.max_fee_per_blob_gas = U256::from(fee);
        evm.transact_commit(&tx).unwrap();
    }
}

/// EIP-7702: a tuple that fails a check is skipped, the transaction still executes, and the
/// result says which tuple was skipped and why.
#[test]
fn skipped_authorizations_are_reported() {
    let authority = address!("3000000000000000000000000000000000000003");
    let tuple = |chain_id: u64, nonce: u64, authority: Option<Address>| Authorization {
        chain_id: U256::from(chain_id),
        address: CONTRACT,
        nonce,
        y_parity: U256::ZERO,
        r: U256::from(1),
        s: U256::from(1),
        authority,
    };
    let tx = TxEnv {
        tx_type: TxType::SetCode,
        authorization_list: vec![
            tuple(7, 0, Some(authority)),
            tuple(1, 5, Some(authority)),
            tuple(1, 0, None),
            tuple(0, u64::MAX, Some(authority)),
            tuple(1, 0, Some(authority)),
            tuple(1, 0, Some(authority)),
        ],
        gas_priority_fee: Some(U256::ZERO),
        ..call(200_000)
    };
    let out = evm(&[STOP], Fork::Prague).transact(&tx).unwrap();
    assert!(out.result.is_success());
    let skipped: Vec<_> = out
        .skipped_authorizations
        .iter()
        .map(|s| (s.index, s.reason))
        .collect();
    assert_eq!(
        skipped,
        vec![
            (0, AuthorizationSkip::WrongChainId),
            (
                1,
                AuthorizationSkip::NonceMismatch {
                    expected: 0,
                    got: 5
                }
            ),
            (2, AuthorizationSkip::InvalidSignature),
            (3, AuthorizationSkip::NonceOverflow),
            // The fifth tuple applied and bumped the nonce, so the sixth no longer matches.
            (
                5,
                AuthorizationSkip::NonceMismatch {
                    expected: 1,
                    got: 0
                }
            ),
        ]
    );
    assert_eq!(
        AuthorizationSkip::NonceMismatch {
            expected: 1,
            got: 0
        }
        .to_string(),
        "nonce 0, authority's nonce is 1"
    );
}
