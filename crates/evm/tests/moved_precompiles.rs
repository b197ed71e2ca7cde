//! Removing and moving precompiles through the builder, as a call simulation does
//! (`eth_simulateV1`'s code over a precompile and `movePrecompileToAddress`): a removed
//! precompile's address runs its account's code and stays warm; a moved precompile answers at
//! its new address, which does not start warm. And an overridden blob base fee (the
//! `blobBaseFee` block override) is what BLOBBASEFEE reads and blob gas costs.

use ember_evm::bytecode::opcode::*;
use ember_evm::{
    address, AccountInfo, Address, BlockEnv, Bytecode, Bytes, Evm, ExecutionResult, Fork,
    InMemoryDb, Precompiles, TxEnv, TxKind, U256,
};

const SENDER: Address = address!("1000000000000000000000000000000000000001");
const SHA256: Address = address!("0000000000000000000000000000000000000002");
const ELSEWHERE: Address = address!("0000000000000000000000000000000000123456");
const PROBE: Address = address!("2000000000000000000000000000000000000002");

/// sha256 of the empty input.
const SHA256_EMPTY: [u8; 32] = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// A state where SHA256's address holds code returning the word 42, and [`PROBE`] runs
/// `BALANCE(target); STOP`.
fn db(target: Address) -> InMemoryDb {
    let mut db = InMemoryDb::new();
    db.insert_account(
        SENDER,
        AccountInfo {
            balance: U256::from(10u64).pow(U256::from(20)),
            ..Default::default()
        },
        [],
    );
    let returns_42 = [PUSH1, 42, PUSH0, MSTORE, PUSH1, 32, PUSH0, RETURN];
    db.insert_account(
        SHA256,
        AccountInfo::with_code(
            U256::ZERO,
            1,
            Bytecode::new(Bytes::copy_from_slice(&returns_42)),
        ),
        [],
    );
    let mut probe = vec![PUSH20];
    probe.extend_from_slice(target.as_slice());
    probe.extend_from_slice(&[BALANCE, POP, STOP]);
    db.insert_account(
        PROBE,
        AccountInfo::with_code(U256::ZERO, 1, Bytecode::new(Bytes::from(probe))),
        [],
    );
    db
}

fn tx(to: Address) -> TxEnv {
    TxEnv {
        caller: SENDER,
        kind: TxKind::Call(to),
        gas_limit: 1_000_000,
        gas_price: U256::from(1),
        ..Default::default()
    }
}

fn block() -> BlockEnv {
    BlockEnv {
        gas_limit: 30_000_000,
        excess_blob_gas: Some(0),
        ..BlockEnv::default()
    }
}

fn output(result: &ExecutionResult) -> Vec<u8> {
    assert!(result.is_success(), "{result:?}");
    result.output().to_vec()
}

fn sha256_fn() -> ember_evm::PrecompileFn {
    Precompiles::for_fork(Fork::Prague)
        .get(&SHA256)
        .expect("SHA256 is a precompile")
}

#[test]
fn a_removed_precompile_runs_its_code_and_stays_warm() {
    let mut kept = Evm::builder(db(SHA256))
        .fork(Fork::Prague)
        .block(block())
        .build();
    assert_eq!(
        output(&kept.transact(&tx(SHA256)).unwrap().result),
        SHA256_EMPTY
    );
    let mut removed = Evm::builder(db(SHA256))
        .fork(Fork::Prague)
        .block(block())
        .without_precompile(SHA256)
        .build();
    let mut want = [0u8; 32];
    want[31] = 42;
    assert_eq!(output(&removed.transact(&tx(SHA256)).unwrap().result), want);
    // BALANCE of the address costs the same: it is warm either way.
    let kept_gas = kept.transact(&tx(PROBE)).unwrap().result.gas_used();
    let removed_gas = removed.transact(&tx(PROBE)).unwrap().result.gas_used();
    assert_eq!(kept_gas, removed_gas);
}

#[test]
fn a_moved_precompile_answers_at_its_new_address_which_starts_cold() {
    let mut moved = Evm::builder(db(ELSEWHERE))
        .fork(Fork::Prague)
        .block(block())
        .without_precompile(SHA256)
        .moved_precompile(ELSEWHERE, sha256_fn())
        .build();
    assert_eq!(
        output(&moved.transact(&tx(ELSEWHERE)).unwrap().result),
        SHA256_EMPTY
    );
    let mut added = Evm::builder(db(ELSEWHERE))
        .fork(Fork::Prague)
        .block(block())
        .precompile(ELSEWHERE, sha256_fn())
        .build();
    // EIP-2929: a cold account access costs 2600, a warm one 100.
    let cold = moved.transact(&tx(PROBE)).unwrap().result.gas_used();
    let warm = added.transact(&tx(PROBE)).unwrap().result.gas_used();
    assert_eq!(cold - warm, 2_500);
}

/// `BLOBBASEFEE PUSH0 MSTORE PUSH1 32 PUSH0 RETURN` at [`PROBE`], run by a blob transaction.
fn blob_fee_run(override_fee: Option<u64>) -> (U256, U256) {
    let mut db = db(PROBE);
    let code = [BLOBBASEFEE, PUSH0, MSTORE, PUSH1, 32, PUSH0, RETURN];
    db.insert_account(
        PROBE,
        AccountInfo::with_code(U256::ZERO, 1, Bytecode::new(Bytes::copy_from_slice(&code))),
        [],
    );
    let mut builder = Evm::builder(db).fork(Fork::Cancun).block(BlockEnv {
        excess_blob_gas: Some(10_000_000),
        ..block()
    });
    if let Some(fee) = override_fee {
        builder = builder.blob_base_fee(U256::from(fee));
    }
    let mut evm = builder.build();
    let mut hash = [0u8; 32];
    hash[0] = 1;
    let tx = TxEnv {
        tx_type: ember_evm::TxType::Blob,
        // With a zero base fee this pays 1 per gas.
        gas_priority_fee: Some(U256::from(1)),
        chain_id: Some(1),
        blob_hashes: vec![hash.into()],
        max_fee_per_blob_gas: U256::from(1_000_000),
        ..tx(PROBE)
    };
    let out = evm.transact(&tx).unwrap();
    let fee = U256::from_be_slice(&output(&out.result));
    let balance = match out.state.get(&SENDER) {
        Some(ember_evm::AccountChange::Updated { info, .. }) => info.balance,
        other => panic!("sender not updated: {other:?}"),
    };
    let gas_cost = U256::from(out.result.gas_used()) * tx.gas_price;
    (
        fee,
        U256::from(10u64).pow(U256::from(20)) - balance - gas_cost,
    )
}

#[test]
fn an_overridden_blob_base_fee_is_read_and_charged() {
    let (derived, derived_paid) = blob_fee_run(None);
    assert!(derived > U256::from(1), "excess blob gas raises the fee");
    assert_eq!(derived_paid, derived * U256::from(1u64 << 17));
    let (fee, paid) = blob_fee_run(Some(0));
    assert_eq!((fee, paid), (U256::ZERO, U256::ZERO));
    let (fee, paid) = blob_fee_run(Some(7));
    assert_eq!((fee, paid), (U256::from(7), U256::from(7u64 << 17)));
}
