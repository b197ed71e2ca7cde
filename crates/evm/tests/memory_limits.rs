//! Memory expansion that no gas limit can pay for must fail as out of gas before any
//! allocation, and the per-frame memory cap of `EvmBuilder::memory_limit` must hold even when
//! the gas would pay.

use ember_evm::bytecode::opcode::*;
use ember_evm::{
    address, AccountInfo, Address, BlockEnv, Bytecode, Bytes, Evm, ExecutionResult, Exit, Fork,
    HaltReason, InMemoryDb, TxEnv, TxKind, U256,
};

const SENDER: Address = address!("1000000000000000000000000000000000000001");
const CONTRACT: Address = address!("2000000000000000000000000000000000000002");
const TX_GAS: u64 = 30_000_000;

fn db_with(code: Vec<u8>) -> InMemoryDb {
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
        AccountInfo::with_code(U256::ZERO, 1, Bytecode::new(Bytes::from(code))),
        [],
    );
    db
}

fn tx(gas_limit: u64, data: Vec<u8>) -> TxEnv {
    TxEnv {
        caller: SENDER,
        kind: TxKind::Call(CONTRACT),
        gas_limit,
        data: Bytes::from(data),
        ..Default::default()
    }
}

/// Runs `code` under Cancun with a 30M gas transaction.
fn run(code: Vec<u8>) -> ExecutionResult {
    let mut evm = Evm::builder(db_with(code)).fork(Fork::Cancun).build();
    evm.transact(&tx(TX_GAS, vec![])).unwrap().result
}

fn assert_oog(code: Vec<u8>) {
    let result = run(code.clone());
    assert_eq!(
        result,
        ExecutionResult::Halt {
            reason: HaltReason::OutOfGas,
            gas_used: TX_GAS,
        },
        "code {code:02x?}"
    );
}

/// `PUSHn` of the minimal big-endian bytes of `value` (PUSH0 for zero).
fn push(value: U256) -> Vec<u8> {
    if value.is_zero() {
        return vec![PUSH0];
    }
    let bytes = value.to_be_bytes_trimmed_vec();
    let mut out = vec![PUSH1 + bytes.len() as u8 - 1];
    out.extend(bytes);
    out
}

fn p(value: u64) -> Vec<u8> {
    push(U256::from(value))
}

fn pow2(n: usize) -> U256 {
    U256::from(1) << n
}

/// Concatenates pieces of code.
fn code(pieces: &[&[u8]]) -> Vec<u8> {
    pieces.concat()
}

#[test]
fn mstore_at_huge_offsets() {
    // MSTORE pops offset, then value.
    assert_oog(code(&[&p(1), &p(u64::MAX), &[MSTORE]]));
    assert_oog(code(&[&p(1), &push(pow2(32)), &[MSTORE]]));
    assert_oog(code(&[&p(1), &push(pow2(40)), &[MSTORE]]));
    assert_oog(code(&[&p(1), &push(pow2(64)), &[MSTORE]]));
    assert_oog(code(&[&p(1), &push(U256::MAX), &[MSTORE]]));
    assert_oog(code(&[&p(1), &push(U256::MAX), &[MSTORE8]]));
    assert_oog(code(&[&push(pow2(63)), &[MLOAD]]));
}

#[test]
fn calldatacopy_of_4_gib() {
    // CALLDATACOPY pops dest offset, source offset, length.
    assert_oog(code(&[&push(pow2(32)), &p(0), &p(0), &[CALLDATACOPY]]));
    assert_oog(code(&[&push(U256::MAX), &p(0), &p(0), &[CALLDATACOPY]]));
    assert_oog(code(&[&p(32), &p(0), &push(pow2(40)), &[CALLDATACOPY]]));
    assert_oog(code(&[&push(pow2(32)), &p(0), &p(0), &[CODECOPY]]));
}

#[test]
fn return_and_revert_near_2_pow_63() {
    // RETURN pops offset, then length.
    let offset = pow2(63) - U256::from(32);
    assert_oog(code(&[&p(32), &push(offset), &[RETURN]]));
    assert_oog(code(&[&p(32), &push(offset), &[REVERT]]));
    assert_oog(code(&[&push(pow2(63)), &p(0), &[RETURN]]));
    assert_oog(code(&[&push(U256::MAX), &p(0), &[RETURN]]));
}

#[test]
fn keccak256_of_1_tib() {
    // KECCAK256 pops offset, then length.
    assert_oog(code(&[&push(pow2(40)), &p(0), &[KECCAK256]]));
    assert_oog(code(&[&push(U256::MAX), &p(0), &[KECCAK256]]));
    assert_oog(code(&[&p(32), &push(pow2(40)), &[KECCAK256]]));
}

#[test]
fn mcopy_huge() {
    // MCOPY pops destination, source, length.
    assert_oog(code(&[&push(pow2(32)), &p(0), &p(0), &[MCOPY]]));
    assert_oog(code(&[&push(U256::MAX), &p(0), &p(0), &[MCOPY]]));
    assert_oog(code(&[&p(32), &p(0), &push(pow2(40)), &[MCOPY]]));
    assert_oog(code(&[&p(32), &push(pow2(40)), &p(0), &[MCOPY]]));
    assert_oog(code(&[&p(32), &p(0), &push(U256::MAX), &[MCOPY]]));
}

#[test]
fn other_memory_users_with_huge_ranges() {
    // LOG0 pops offset, length.
    assert_oog(code(&[&push(pow2(32)), &p(0), &[LOG0]]));
    // RETURNDATACOPY pops dest, source, length: expansion fails before the bounds check.
    assert_oog(code(&[&push(pow2(32)), &p(0), &p(0), &[RETURNDATACOPY]]));
    // EXTCODECOPY pops address, dest, source, length.
    assert_oog(code(&[
        &push(pow2(32)),
        &p(0),
        &p(0),
        &[ADDRESS],
        &[EXTCODECOPY],
    ]));
    // CALL with a huge output range: gas, to, value, in offset, in len, out offset, out len.
    assert_oog(code(&[
        &push(pow2(40)),
        &p(0),
        &p(0),
        &p(0),
        &p(0),
        &[ADDRESS],
        &[GAS],
        &[CALL],
    ]));
    // CREATE with an initcode length beyond EIP-3860's limit: value, offset, length.
    assert_oog(code(&[&push(pow2(32)), &p(0), &p(0), &[CREATE]]));
}

/// `mstore(offset, 1)`.
fn mstore_at(offset: u64) -> Vec<u8> {
    code(&[&p(1), &p(offset), &[MSTORE]])
}

fn run_with_limit(code: Vec<u8>, limit: Option<u64>, gas_limit: u64) -> ExecutionResult {
    let mut builder = Evm::builder(db_with(code))
        .fork(Fork::Cancun)
        .block(BlockEnv {
            gas_limit,
            ..Default::default()
        });
    if let Some(limit) = limit {
        builder = builder.memory_limit(limit);
    }
    builder
        .build()
        .transact(&tx(gas_limit, vec![]))
        .unwrap()
        .result
}

fn success(gas_used: u64) -> ExecutionResult {
    ExecutionResult::Success {
        gas_used,
        gas_refunded: 0,
        logs: vec![],
        output: Bytes::new(),
        created_address: None,
    }
}

/// Memory gas of `words` words: `3w + w²/512`.
fn memory_gas(words: u64) -> u64 {
    3 * words + words * words / 512
}

#[test]
fn memory_limit_caps_affordable_expansion() {
    const MIB: u64 = 1 << 20;
    const BIG_GAS: u64 = 100_000_000;
    // PUSH1 (3) + PUSH3 (3) + MSTORE (3) + memory.
    let gas = |words: u64| 21_000 + 9 + memory_gas(words);

    // Exactly 1 MiB fits under a 1 MiB cap.
    let last_word = mstore_at(MIB - 32);
    assert_eq!(
        run_with_limit(last_word.clone(), Some(MIB), BIG_GAS),
        success(gas(MIB / 32))
    );
    assert_eq!(gas(MIB / 32), 2_216_465);

    // One byte further is affordable (about 2.2M gas) but over the cap: out of gas, all of it.
    let past = mstore_at(MIB - 31);
    assert_eq!(
        run_with_limit(past.clone(), Some(MIB), BIG_GAS),
        ExecutionResult::Halt {
            reason: Exit::OutOfGas,
            gas_used: BIG_GAS,
        }
    );
    // Without the cap (default 4 GiB) the same code succeeds.
    assert_eq!(
        run_with_limit(past, None, BIG_GAS),
        success(gas(MIB / 32 + 1))
    );

    // 16 MiB costs ~0.7 billion gas: with a 1 MiB cap a large gas limit does not help.
    let far = mstore_at(16 * MIB);
    assert_eq!(
        run_with_limit(far, Some(MIB), BIG_GAS),
        ExecutionResult::Halt {
            reason: Exit::OutOfGas,
            gas_used: BIG_GAS,
        }
    );
}

#[test]
fn memory_limit_applies_per_frame_and_a_failed_child_does_not_fail_the_parent() {
    const MIB: u64 = 1 << 20;
    const BIG_GAS: u64 = 100_000_000;
    const CHILD: Address = address!("3000000000000000000000000000000000000003");
    // The child grows its memory past the cap; the parent calls it, then stores the CALL's
    // result in slot 0 and returns it.
    let child = mstore_at(MIB);
    let parent = code(&[
        &p(0),
        &p(0),
        &p(0),
        &p(0),
        &p(0),
        &push(U256::from_be_slice(CHILD.as_slice())),
        &[GAS, CALL],
        &p(0),
        &[MSTORE],
        &p(32),
        &p(0),
        &[RETURN],
    ]);
    let mut db = db_with(parent);
    db.insert_account(
        CHILD,
        AccountInfo::with_code(U256::ZERO, 1, Bytecode::new(Bytes::from(child))),
        [],
    );
    let mut evm = Evm::builder(db)
        .fork(Fork::Cancun)
        .block(BlockEnv {
            gas_limit: BIG_GAS,
            ..Default::default()
        })
        .memory_limit(MIB)
        .build();
    let result = evm.transact(&tx(BIG_GAS, vec![])).unwrap().result;
    // The child took 63/64 of the parent's gas and burnt it; the parent returns 0.
    let ExecutionResult::Success {
        output, gas_used, ..
    } = result
    else {
        panic!("parent failed: {result:?}")
    };
    assert_eq!(output, Bytes::from(U256::ZERO.to_be_bytes::<32>()));
    // Parent: 5 PUSH (2 each, PUSH0) + PUSH20 (3) + GAS (2) + CALL (100 warm + 2500 cold
    // surcharge), then PUSH0 + MSTORE (3 + 3 memory) + PUSH1 + PUSH0 + RETURN.
    let before_call = 21_000 + 5 * 2 + 3 + 2 + 2_600;
    let avail = BIG_GAS - before_call;
    let forwarded = avail - avail / 64;
    let after_call = 2 + 6 + 3 + 2;
    assert_eq!(gas_used, before_call + forwarded + after_call);
}
