//! The embedding API end to end: transfers, creation, REVERT, invalid transactions, fork
//! gating, refunds, transient storage, custom precompiles and inspectors. Every gas figure is
//! worked out by hand from the opcode costs in the comments.

use ember_evm::bytecode::opcode::*;
use ember_evm::{
    address, keccak256, AccountInfo, Address, BlockEnv, Bytecode, Bytes, CallInputs, CallOutcome,
    Evm, EvmError, ExecutionResult, Exit, Fork, InMemoryDb, Inspector, Interpreter,
    InvalidTransaction, Log, PrecompileError, PrecompileOutput, TxEnv, TxKind, TxType, B256, U256,
};
use std::cell::Cell;

const SENDER: Address = address!("1000000000000000000000000000000000000001");
const CONTRACT: Address = address!("2000000000000000000000000000000000000002");
const OTHER: Address = address!("3000000000000000000000000000000000000003");
const COINBASE: Address = address!("c0ffee0000000000000000000000000000000000");
const GWEI: u64 = 1_000_000_000;

fn ether() -> U256 {
    U256::from(10u64).pow(U256::from(18))
}

fn db() -> InMemoryDb {
    let mut db = InMemoryDb::new();
    db.insert_account(
        SENDER,
        AccountInfo {
            balance: ether(),
            ..Default::default()
        },
        [],
    );
    db
}

fn db_with_contract(code: &[u8], storage: &[(u64, u64)]) -> InMemoryDb {
    let mut db = db();
    db.insert_account(
        CONTRACT,
        AccountInfo::with_code(U256::ZERO, 1, Bytecode::new(Bytes::copy_from_slice(code))),
        storage.iter().map(|&(k, v)| (U256::from(k), U256::from(v))),
    );
    db
}

fn evm(db: InMemoryDb, fork: Fork) -> Evm<InMemoryDb> {
    Evm::builder(db).fork(fork).build()
}

fn call(to: Address, gas_limit: u64) -> TxEnv {
    TxEnv {
        caller: SENDER,
        kind: TxKind::Call(to),
        gas_limit,
        ..Default::default()
    }
}

fn balance<I: Inspector>(evm: &Evm<InMemoryDb, I>, a: Address) -> U256 {
    evm.db()
        .accounts
        .get(&a)
        .map_or(U256::ZERO, |acc| acc.info.balance)
}

fn nonce<I: Inspector>(evm: &Evm<InMemoryDb, I>, a: Address) -> u64 {
    evm.db().accounts.get(&a).map_or(0, |acc| acc.info.nonce)
}

fn slot<I: Inspector>(evm: &Evm<InMemoryDb, I>, a: Address, key: u64) -> Option<U256> {
    evm.db().accounts[&a].storage.get(&U256::from(key)).copied()
}

fn success(gas_used: u64, output: impl Into<Bytes>) -> ExecutionResult {
    ExecutionResult::Success {
        gas_used,
        gas_refunded: 0,
        logs: vec![],
        output: output.into(),
        created_address: None,
    }
}

fn word(value: u64) -> Bytes {
    Bytes::from(U256::from(value).to_be_bytes::<32>())
}

// ---------------------------------------------------------------------------------------
// Value transfer
// ---------------------------------------------------------------------------------------

#[test]
fn legacy_value_transfer_costs_21000_and_moves_balances() {
    let block = BlockEnv {
        coinbase: COINBASE,
        base_fee: U256::from(GWEI),
        ..Default::default()
    };
    let mut evm = Evm::builder(db()).fork(Fork::Cancun).block(block).build();
    let value = ether() / U256::from(10);
    let tx = TxEnv {
        value,
        gas_price: U256::from(3 * GWEI),
        ..call(OTHER, 50_000)
    };
    let result = evm.transact_commit(&tx).unwrap();
    assert_eq!(result, success(21_000, Bytes::new()));
    assert_eq!(
        balance(&evm, SENDER),
        ether() - value - U256::from(21_000 * 3 * GWEI)
    );
    assert_eq!(nonce(&evm, SENDER), 1);
    assert_eq!(balance(&evm, OTHER), value);
    assert_eq!(nonce(&evm, OTHER), 0);
    // The coinbase receives the tip (3 - 1 gwei per gas); the base fee is burnt.
    assert_eq!(balance(&evm, COINBASE), U256::from(21_000 * 2 * GWEI));
}

#[test]
fn eip1559_transfer_pays_the_effective_price() {
    let block = BlockEnv {
        coinbase: COINBASE,
        base_fee: U256::from(GWEI),
        ..Default::default()
    };
    let mut evm = Evm::builder(db()).fork(Fork::London).block(block).build();
    let tx = TxEnv {
        tx_type: TxType::FeeMarket,
        chain_id: Some(1),
        value: U256::from(12_345),
        gas_price: U256::from(5 * GWEI),
        gas_priority_fee: Some(U256::from(GWEI)),
        ..call(OTHER, 21_000)
    };
    let result = evm.transact_commit(&tx).unwrap();
    assert_eq!(result, success(21_000, Bytes::new()));
    // Effective price min(5, 1 + 1) = 2 gwei.
    assert_eq!(
        balance(&evm, SENDER),
        ether() - U256::from(12_345) - U256::from(21_000 * 2 * GWEI)
    );
    assert_eq!(balance(&evm, OTHER), U256::from(12_345));
    assert_eq!(balance(&evm, COINBASE), U256::from(21_000 * GWEI));
    assert_eq!(nonce(&evm, SENDER), 1);
}

// ---------------------------------------------------------------------------------------
// Contract creation
// ---------------------------------------------------------------------------------------

/// Runtime: `mstore(0, 42) return(0, 32)` (no PUSH0, so it runs in every fork).
const RUNTIME: [u8; 10] = [PUSH1, 42, PUSH1, 0, MSTORE, PUSH1, 32, PUSH1, 0, RETURN];

/// Initcode: `codecopy(0, 12, 10) return(0, 10)` followed by the runtime.
fn initcode() -> Bytes {
    let mut code = vec![
        PUSH1, 10, PUSH1, 12, PUSH1, 0, CODECOPY, PUSH1, 10, PUSH1, 0, RETURN,
    ];
    assert_eq!(code.len(), 12);
    code.extend_from_slice(&RUNTIME);
    Bytes::from(code)
}

/// `keccak(rlp([sender, nonce]))[12..]` for a nonce below 128.
fn create_address(sender: Address, nonce: u8) -> Address {
    let mut rlp = vec![0xd6, 0x94];
    rlp.extend_from_slice(sender.as_slice());
    rlp.push(if nonce == 0 { 0x80 } else { nonce });
    Address::from_word(keccak256(rlp))
}

#[test]
fn create_transaction_deploys_runtime_code() {
    let mut evm = evm(db(), Fork::Cancun);
    let tx = TxEnv {
        caller: SENDER,
        kind: TxKind::Create,
        data: initcode(),
        gas_limit: 100_000,
        ..Default::default()
    };
    let created = create_address(SENDER, 0);
    let result = evm.transact_commit(&tx).unwrap();
    // Intrinsic: 21000 + 32000 (creation) + 4 zero bytes * 4 + 18 non-zero * 16 + 1 initcode
    // word * 2. Initcode: 2 PUSH1 + PUSH1 + CODECOPY (3 + 3 copy + 3 memory) + 2 PUSH1 +
    // RETURN. Deposit: 10 bytes * 200.
    let intrinsic = 21_000 + 32_000 + 4 * 4 + 18 * 16 + 2;
    let expected = intrinsic + (6 + 3 + 9 + 6) + 10 * 200;
    assert_eq!(expected, 55_330);
    assert_eq!(
        result,
        ExecutionResult::Success {
            gas_used: expected,
            gas_refunded: 0,
            logs: vec![],
            output: Bytes::new(),
            created_address: Some(created),
        }
    );
    let account = &evm.db().accounts[&created];
    assert_eq!(
        account.info.code.as_ref().unwrap().original(),
        &Bytes::from_static(&RUNTIME)
    );
    assert_eq!(account.info.code_hash, keccak256(RUNTIME));
    assert_eq!(account.info.nonce, 1);
    assert_eq!(nonce(&evm, SENDER), 1);

    // Calling it runs the runtime: 4 PUSH1 + MSTORE (3 + 3 memory).
    let tx = TxEnv {
        nonce: 1,
        ..call(created, 100_000)
    };
    let result = evm.transact_commit(&tx).unwrap();
    assert_eq!(result, success(21_018, word(42)));
}

#[test]
fn created_contract_nonce_is_one_from_spurious_dragon() {
    for (fork, expected_nonce) in [
        (Fork::Homestead, 0),
        (Fork::Tangerine, 0),
        (Fork::SpuriousDragon, 1),
        (Fork::Byzantium, 1),
        (Fork::London, 1),
    ] {
        let mut evm = evm(db(), fork);
        let tx = TxEnv {
            caller: SENDER,
            kind: TxKind::Create,
            data: initcode(),
            gas_limit: 100_000,
            ..Default::default()
        };
        let result = evm.transact_commit(&tx).unwrap();
        let created = create_address(SENDER, 0);
        assert_eq!(
            result.clone(),
            ExecutionResult::Success {
                gas_used: result.gas_used(),
                gas_refunded: 0,
                logs: vec![],
                output: Bytes::new(),
                created_address: Some(created),
            },
            "{fork}"
        );
        let account = &evm.db().accounts[&created];
        assert_eq!(account.info.nonce, expected_nonce, "{fork}");
        assert_eq!(account.info.code_hash, keccak256(RUNTIME), "{fork}");
    }
}

// ---------------------------------------------------------------------------------------
// REVERT
// ---------------------------------------------------------------------------------------

#[test]
fn revert_returns_data_undoes_storage_and_refunds_remaining_gas() {
    // sstore(0, 1) mstore(0, 0xdead) revert(30, 2)
    let code = [
        PUSH1, 1, PUSH0, SSTORE, PUSH2, 0xde, 0xad, PUSH0, MSTORE, PUSH1, 2, PUSH1, 30, REVERT,
    ];
    let mut evm = evm(db_with_contract(&code, &[]), Fork::Cancun);
    let price = U256::from(GWEI);
    let tx = TxEnv {
        gas_price: price,
        ..call(CONTRACT, 100_000)
    };
    let result = evm.transact_commit(&tx).unwrap();
    // PUSH1 + PUSH0 + SSTORE (cold 2100 + set 20000), PUSH2 + PUSH0 + MSTORE (3 + 3),
    // 2 PUSH1, REVERT.
    let expected = 21_000 + 3 + 2 + 22_100 + 3 + 2 + 6 + 3 + 3;
    assert_eq!(expected, 43_122);
    assert_eq!(
        result,
        ExecutionResult::Revert {
            gas_used: expected,
            output: Bytes::from_static(&[0xde, 0xad]),
        }
    );
    // Only the gas used is paid: the unused 56878 gas came back.
    assert_eq!(
        balance(&evm, SENDER),
        ether() - U256::from(expected) * price
    );
    assert_eq!(nonce(&evm, SENDER), 1);
    assert_eq!(slot(&evm, CONTRACT, 0), None);
}

// ---------------------------------------------------------------------------------------
// Invalid transactions
// ---------------------------------------------------------------------------------------

#[test]
fn invalid_transactions_are_rejected_and_change_nothing() {
    let mut evm = evm(
        db_with_contract(&[PUSH1, 1, PUSH0, SSTORE], &[]),
        Fork::Cancun,
    );
    let root = evm.db().state_root();
    let accounts = evm.db().accounts.clone();

    let cases: Vec<(TxEnv, InvalidTransaction)> = vec![
        (
            TxEnv {
                nonce: 5,
                ..call(CONTRACT, 100_000)
            },
            InvalidTransaction::NonceTooHigh { tx: 5, state: 0 },
        ),
        (
            TxEnv {
                value: ether(),
                gas_price: U256::from(1),
                ..call(CONTRACT, 100_000)
            },
            InvalidTransaction::InsufficientFunds {
                balance: ether(),
                cost: ether() + U256::from(100_000),
            },
        ),
        (
            call(CONTRACT, 20_999),
            InvalidTransaction::IntrinsicGasTooLow {
                have: 20_999,
                want: 21_000,
            },
        ),
        (
            TxEnv {
                data: Bytes::from_static(&[1, 0]),
                ..call(CONTRACT, 21_019)
            },
            InvalidTransaction::IntrinsicGasTooLow {
                have: 21_019,
                want: 21_020,
            },
        ),
        (
            call(CONTRACT, 30_000_001),
            InvalidTransaction::GasLimitExceedsBlock {
                gas_limit: 30_000_001,
                block_gas_limit: 30_000_000,
            },
        ),
    ];
    for (tx, expected) in cases {
        match evm.transact(&tx) {
            Err(EvmError::Transaction(e)) => assert_eq!(e, expected),
            other => panic!("expected {expected:?}, got {other:?}"),
        }
        match evm.transact_commit(&tx) {
            Err(EvmError::Transaction(e)) => assert_eq!(e, expected),
            other => panic!("expected {expected:?}, got {other:?}"),
        }
        assert_eq!(evm.db().state_root(), root);
        assert_eq!(evm.db().accounts, accounts);
    }

    // The EVM is still usable: a valid transaction runs normally afterwards, and the same
    // transaction again is now "nonce too low".
    let tx = call(CONTRACT, 100_000);
    assert_eq!(
        evm.transact_commit(&tx).unwrap(),
        success(21_000 + 3 + 2 + 22_100, Bytes::new())
    );
    assert_ne!(evm.db().state_root(), root);
    assert_eq!(slot(&evm, CONTRACT, 0), Some(U256::from(1)));
    let root = evm.db().state_root();
    match evm.transact_commit(&tx) {
        Err(EvmError::Transaction(e)) => {
            assert_eq!(e, InvalidTransaction::NonceTooLow { tx: 0, state: 1 })
        }
        other => panic!("expected nonce too low, got {other:?}"),
    }
    assert_eq!(evm.db().state_root(), root);
}

// ---------------------------------------------------------------------------------------
// Fork gating
// ---------------------------------------------------------------------------------------

#[test]
fn push0_is_undefined_in_london_and_defined_in_shanghai() {
    let code = [PUSH0, STOP];
    let mut london = evm(db_with_contract(&code, &[]), Fork::London);
    assert_eq!(
        london.transact_commit(&call(CONTRACT, 100_000)).unwrap(),
        ExecutionResult::Halt {
            reason: Exit::UndefinedOpcode,
            gas_used: 100_000,
        }
    );
    assert_eq!(nonce(&london, SENDER), 1);
    assert_eq!(balance(&london, SENDER), ether());

    let mut shanghai = evm(db_with_contract(&code, &[]), Fork::Shanghai);
    assert_eq!(
        shanghai.transact_commit(&call(CONTRACT, 100_000)).unwrap(),
        success(21_002, Bytes::new())
    );
}

// ---------------------------------------------------------------------------------------
// Refunds
// ---------------------------------------------------------------------------------------

#[test]
fn sstore_clear_refund_under_london() {
    // sstore(0, 0) on a slot holding 1.
    let one = [PUSH1, 0, PUSH1, 0, SSTORE];
    let mut evm = evm(db_with_contract(&one, &[(0, 1), (1, 1)]), Fork::London);
    let result = evm.transact_commit(&call(CONTRACT, 100_000)).unwrap();
    // 2 PUSH1 + SSTORE (cold 2100 + reset 2900) = 26006 spent; refund 4800 < 26006 / 5.
    assert_eq!(
        result,
        ExecutionResult::Success {
            gas_used: 26_006 - 4_800,
            gas_refunded: 4_800,
            logs: vec![],
            output: Bytes::new(),
            created_address: None,
        }
    );
    assert_eq!(slot(&evm, CONTRACT, 0), None);
    assert_eq!(slot(&evm, CONTRACT, 1), Some(U256::from(1)));
}

#[test]
fn sstore_refund_is_capped_at_a_fifth_under_london() {
    // sstore(0, 0) sstore(1, 0) on two slots holding 1.
    let two = [PUSH1, 0, PUSH1, 0, SSTORE, PUSH1, 0, PUSH1, 1, SSTORE];
    let mut evm = evm(db_with_contract(&two, &[(0, 1), (1, 1)]), Fork::London);
    let result = evm.transact_commit(&call(CONTRACT, 100_000)).unwrap();
    // Spent 21000 + 2 * 5006 = 31012; refund 2 * 4800 = 9600 capped at 31012 / 5 = 6202.
    assert_eq!(
        result,
        ExecutionResult::Success {
            gas_used: 31_012 - 6_202,
            gas_refunded: 6_202,
            logs: vec![],
            output: Bytes::new(),
            created_address: None,
        }
    );
    assert!(evm.db().accounts[&CONTRACT].storage.is_empty());

    // Before London (Berlin) the same clears refund 15000 each, capped at half.
    let mut berlin = Evm::builder(db_with_contract(&two, &[(0, 1), (1, 1)]))
        .fork(Fork::Berlin)
        .build();
    let result = berlin.transact_commit(&call(CONTRACT, 100_000)).unwrap();
    assert_eq!(
        result,
        ExecutionResult::Success {
            gas_used: 31_012 - 15_506,
            gas_refunded: 15_506,
            logs: vec![],
            output: Bytes::new(),
            created_address: None,
        }
    );
}

// ---------------------------------------------------------------------------------------
// Transient storage
// ---------------------------------------------------------------------------------------

#[test]
fn transient_storage_lives_for_one_transaction() {
    // sstore(1, tload(0) + 1) tstore(0, 7) mstore(0, tload(0)) return(0, 32)
    let code = [
        PUSH0, TLOAD, PUSH1, 1, ADD, PUSH1, 1, SSTORE, // slot 1 = tload(0) + 1
        PUSH1, 7, PUSH0, TSTORE, // tstore(0, 7)
        PUSH0, TLOAD, PUSH0, MSTORE, PUSH1, 32, PUSH0, RETURN,
    ];
    // Without the SSTORE: 331 gas of opcodes (TLOAD and TSTORE are 100 each).
    let mut evm = evm(db_with_contract(&code, &[]), Fork::Cancun);
    let first = evm.transact_commit(&call(CONTRACT, 100_000)).unwrap();
    assert_eq!(first, success(21_000 + 331 + 22_100, word(7)));
    assert_eq!(slot(&evm, CONTRACT, 1), Some(U256::from(1)));

    // The second transaction reads 0 again: slot 1 is rewritten with 1 (cold, unchanged).
    let tx = TxEnv {
        nonce: 1,
        ..call(CONTRACT, 100_000)
    };
    let second = evm.transact_commit(&tx).unwrap();
    assert_eq!(second, success(21_000 + 331 + 2_200, word(7)));
    assert_eq!(slot(&evm, CONTRACT, 1), Some(U256::from(1)));
    assert!(evm.ctx.journal.transient.is_empty());
}

#[test]
fn transient_storage_is_shared_by_frames_of_one_transaction() {
    // Outer frame (no calldata): tstore(0, 9), call itself with one byte of calldata,
    // return the 32 bytes it returned. Inner frame: return tload(0).
    let code = [
        CALLDATASIZE,
        PUSH1,
        0x17,
        JUMPI, // 0x00
        PUSH1,
        9,
        PUSH0,
        TSTORE, // 0x04
        PUSH1,
        32,
        PUSH0,
        PUSH1,
        1,
        PUSH0,
        PUSH0,
        ADDRESS,
        GAS,
        CALL, // 0x08
        POP,
        PUSH1,
        32,
        PUSH0,
        RETURN, // 0x12
        JUMPDEST,
        PUSH0,
        TLOAD,
        PUSH0,
        MSTORE,
        PUSH1,
        32,
        PUSH0,
        RETURN, // 0x17
    ];
    assert_eq!(code[0x17], JUMPDEST);
    let mut evm = evm(db_with_contract(&code, &[]), Fork::Cancun);
    let result = evm.transact_commit(&call(CONTRACT, 100_000)).unwrap();
    // Outer: 15 (dispatch) + 105 (tstore) + 16 (call args) + 103 (warm CALL + one memory
    // word) + 7 (POP, PUSH1, PUSH0). Inner: 15 (dispatch) + 116.
    assert_eq!(result, success(21_000 + 246 + 131, word(9)));
}

// ---------------------------------------------------------------------------------------
// Custom precompiles
// ---------------------------------------------------------------------------------------

const REVERSE: Address = address!("00000000000000000000000000000000000c0ffe");
thread_local! {
    /// Calls of `reverse` on this thread: tests run in parallel, each on its own thread.
    static REVERSE_CALLS: Cell<usize> = const { Cell::new(0) };
}

/// Returns its input reversed for 15 gas.
fn reverse(input: &[u8], gas_limit: u64) -> Result<PrecompileOutput, PrecompileError> {
    REVERSE_CALLS.with(|calls| calls.set(calls.get() + 1));
    if gas_limit < 15 {
        return Err(PrecompileError::OutOfGas);
    }
    let mut out = input.to_vec();
    out.reverse();
    Ok(PrecompileOutput::new(15, out))
}

#[test]
fn custom_precompile_is_called() {
    let calls_before = REVERSE_CALLS.with(Cell::get);
    // Contract: mstore(0, 0x010203) call(gas, REVERSE, 0, 29, 3, 32, 32) return(32, 32)
    let mut code = vec![
        PUSH3, 1, 2, 3, PUSH0, MSTORE, PUSH1, 32, PUSH1, 32, PUSH1, 3, PUSH1, 29, PUSH0, PUSH20,
    ];
    code.extend_from_slice(REVERSE.as_slice());
    code.extend_from_slice(&[GAS, CALL, POP, PUSH1, 32, PUSH1, 32, RETURN]);
    let mut evm = Evm::builder(db_with_contract(&code, &[]))
        .fork(Fork::Cancun)
        .precompile(REVERSE, reverse)
        .build();

    // Called directly: 21000 + 3 non-zero calldata bytes + 15.
    let tx = TxEnv {
        data: Bytes::from_static(&[1, 2, 3]),
        ..call(REVERSE, 100_000)
    };
    let result = evm.transact_commit(&tx).unwrap();
    assert_eq!(result, success(21_000 + 48 + 15, vec![3u8, 2, 1]));

    // Too little gas for it: the call halts out of gas.
    let tx = TxEnv {
        nonce: 1,
        data: Bytes::from_static(&[1, 2, 3]),
        ..call(REVERSE, 21_000 + 48 + 14)
    };
    let result = evm.transact_commit(&tx).unwrap();
    assert_eq!(
        result,
        ExecutionResult::Halt {
            reason: Exit::OutOfGas,
            gas_used: 21_000 + 48 + 14,
        }
    );

    // Called from a contract: it is warm like the standard precompiles (EIP-2929).
    // PUSH3 + PUSH0 + MSTORE (6) = 11; CALL arguments 19; CALL 100 + 3 memory + 15 used;
    // POP + 2 PUSH1 = 8.
    let tx = TxEnv {
        nonce: 2,
        ..call(CONTRACT, 100_000)
    };
    let result = evm.transact_commit(&tx).unwrap();
    let mut expected = [0u8; 32];
    expected[..3].copy_from_slice(&[3, 2, 1]);
    assert_eq!(
        result,
        success(21_000 + 11 + 19 + 118 + 8, expected.to_vec())
    );
    assert_eq!(REVERSE_CALLS.with(Cell::get) - calls_before, 3);
}

#[test]
fn custom_precompile_can_replace_a_standard_one() {
    const IDENTITY: Address = address!("0000000000000000000000000000000000000004");
    let mut evm = Evm::builder(db())
        .fork(Fork::Cancun)
        .precompile(IDENTITY, reverse)
        .build();
    let tx = TxEnv {
        data: Bytes::from_static(&[7, 8]),
        ..call(IDENTITY, 100_000)
    };
    assert_eq!(
        evm.transact_commit(&tx).unwrap(),
        success(21_000 + 32 + 15, vec![8u8, 7])
    );
}

// ---------------------------------------------------------------------------------------
// Inspectors
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Counter {
    steps: usize,
    step_ends: usize,
    opcodes: Vec<u8>,
    depths: Vec<usize>,
    first_gas: Option<u64>,
    calls: Vec<(Address, usize)>,
    call_ends: Vec<(Exit, usize)>,
    logs: Vec<Log>,
    selfdestructs: Vec<(Address, Address, U256)>,
}

impl Inspector for Counter {
    fn step(&mut self, interp: &Interpreter) {
        self.steps += 1;
        self.opcodes.push(interp.current_opcode());
        self.depths.push(interp.depth);
        self.first_gas.get_or_insert(interp.gas.remaining);
    }

    fn step_end(&mut self, _interp: &Interpreter) {
        self.step_ends += 1;
    }

    fn call(&mut self, inputs: &CallInputs, depth: usize) {
        self.calls.push((inputs.target, depth));
    }

    fn call_end(&mut self, _inputs: &CallInputs, outcome: &CallOutcome, depth: usize) {
        self.call_ends.push((outcome.exit, depth));
    }

    fn log(&mut self, log: &Log) {
        self.logs.push(log.clone());
    }

    fn selfdestruct(&mut self, address: Address, target: Address, value: U256) {
        self.selfdestructs.push((address, target, value));
    }
}

/// CONTRACT calls OTHER with no arguments, pops the result and stops; OTHER runs
/// `PUSH1 1 POP STOP`.
fn two_contracts() -> InMemoryDb {
    let mut caller = vec![PUSH0, PUSH0, PUSH0, PUSH0, PUSH0, PUSH20];
    caller.extend_from_slice(OTHER.as_slice());
    caller.extend_from_slice(&[GAS, CALL, POP, STOP]);
    let mut db = db_with_contract(&caller, &[]);
    db.insert_account(
        OTHER,
        AccountInfo::with_code(
            U256::ZERO,
            1,
            Bytecode::new(Bytes::from_static(&[PUSH1, 1, POP, STOP])),
        ),
        [],
    );
    db
}

#[test]
fn inspector_counts_steps_and_calls() {
    let mut evm = Evm::builder(two_contracts())
        .fork(Fork::Cancun)
        .inspector(Counter::default())
        .build();
    let result = evm.transact_commit(&call(CONTRACT, 100_000)).unwrap();
    // Caller: 5 PUSH0 + PUSH20 + GAS = 15, CALL 100 + 2500 (OTHER is cold), POP 2.
    // Callee: PUSH1 + POP = 5.
    assert_eq!(result, success(21_000 + 15 + 2_600 + 2 + 5, Bytes::new()));
    let c = &evm.inspector;
    assert_eq!(c.steps, 13);
    assert_eq!(
        c.opcodes,
        [
            PUSH0, PUSH0, PUSH0, PUSH0, PUSH0, PUSH20, GAS, CALL, // caller
            PUSH1, POP, STOP, // callee
            POP, STOP, // caller again
        ]
    );
    assert_eq!(c.depths, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0]);
    assert_eq!(c.first_gas, Some(100_000 - 21_000));
    assert_eq!(c.calls, [(CONTRACT, 0), (OTHER, 1)]);
    assert_eq!(c.call_ends, [(Exit::Stop, 1), (Exit::Stop, 0)]);
}

#[test]
fn noop_inspector_and_counting_inspector_agree_on_results() {
    let mut plain = Evm::builder(two_contracts()).fork(Fork::Cancun).build();
    let mut inspected = Evm::builder(two_contracts())
        .fork(Fork::Cancun)
        .inspector(Counter::default())
        .build();
    let tx = call(CONTRACT, 100_000);
    assert_eq!(
        plain.transact(&tx).unwrap(),
        inspected.transact(&tx).unwrap()
    );
}

/// `Inspector::step_end` is documented as "after each instruction that did not end the
/// frame". CALL does not end its frame, so 13 steps should give 13 - 2 (the two STOPs) = 11
/// `step_end`s.
#[test]
fn inspector_step_end_runs_after_call() {
    let mut evm = Evm::builder(two_contracts())
        .fork(Fork::Cancun)
        .inspector(Counter::default())
        .build();
    evm.transact_commit(&call(CONTRACT, 100_000)).unwrap();
    assert_eq!(evm.inspector.steps, 13);
    assert_eq!(evm.inspector.step_ends, 11);
}

#[test]
fn inspector_sees_logs() {
    // log1(0, 0, topic 0x42)
    let code = [PUSH1, 0x42, PUSH0, PUSH0, LOG1, STOP];
    let mut evm = Evm::builder(db_with_contract(&code, &[]))
        .fork(Fork::Cancun)
        .inspector(Counter::default())
        .build();
    let result = evm.transact_commit(&call(CONTRACT, 100_000)).unwrap();
    let log = Log {
        address: CONTRACT,
        topics: vec![B256::from(U256::from(0x42))],
        data: Bytes::new(),
    };
    assert_eq!(result.logs(), std::slice::from_ref(&log));
    assert_eq!(evm.inspector.logs, [log]);
}

/// `Inspector::selfdestruct` is documented as "an account self-destructed", but nothing
/// calls it.
#[test]
fn inspector_sees_selfdestruct() {
    let mut code = vec![PUSH20];
    code.extend_from_slice(OTHER.as_slice());
    code.push(SELFDESTRUCT);
    let mut db = db();
    db.insert_account(
        CONTRACT,
        AccountInfo::with_code(U256::from(5), 1, Bytecode::new(Bytes::from(code))),
        [],
    );
    let mut evm = Evm::builder(db)
        .fork(Fork::Cancun)
        .inspector(Counter::default())
        .build();
    let result = evm.transact_commit(&call(CONTRACT, 100_000)).unwrap();
    // PUSH20 + SELFDESTRUCT 5000 + cold beneficiary 2600 + new account 25000 (value sent
    // to an empty account).
    assert_eq!(
        result,
        success(21_000 + 3 + 5_000 + 2_600 + 25_000, Bytes::new())
    );
    // EIP-6780: the contract was not created in this transaction, so only the value moves.
    assert_eq!(balance(&evm, OTHER), U256::from(5));
    assert_eq!(balance(&evm, CONTRACT), U256::ZERO);
    assert!(evm.db().accounts[&CONTRACT].info.has_code());
    assert_eq!(
        evm.inspector.selfdestructs,
        [(CONTRACT, OTHER, U256::from(5))]
    );
}
