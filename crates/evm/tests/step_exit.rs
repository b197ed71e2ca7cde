//! What the interpreter tells inspectors an instruction charged (`Inspector::step_exit`,
//! `Interpreter::failed_charge`): tracers read costs there and never work them out again.
//! Every figure is worked out by hand from the opcode costs in the comments.

use ember_evm::{
    address, bytes, AccountInfo, Address, Bytecode, Bytes, Evm, Exit, FailedCharge, Fork,
    InMemoryDb, Inspector, Interpreter, TxEnv, TxKind, U256,
};

const SENDER: Address = address!("1000000000000000000000000000000000000001");
const CONTRACT: Address = address!("2000000000000000000000000000000000000002");

/// What `step_exit` reported for the instruction that ended the transaction's frame.
#[derive(Debug, Default)]
struct LastExit {
    gas_before: u64,
    seen: Option<(Exit, u64, FailedCharge, usize)>,
}

impl Inspector for LastExit {
    fn step(&mut self, interp: &Interpreter) {
        self.gas_before = interp.gas.remaining;
    }
    fn step_exit(&mut self, interp: &Interpreter, exit: Exit) {
        let spent = self.gas_before - interp.gas.remaining;
        let failed = interp.failed_charge();
        self.seen = Some((exit, spent, failed, interp.memory_size_after()));
    }
}

/// Runs `code` at Cancun as a call from SENDER with `gas_limit`, observed by `inspector`.
fn run<I: Inspector>(code: Bytes, gas_limit: u64, inspector: I) -> I {
    let mut db = InMemoryDb::new();
    db.insert_account(
        SENDER,
        AccountInfo {
            balance: U256::from(10u64.pow(18)),
            ..Default::default()
        },
        [],
    );
    db.insert_account(
        CONTRACT,
        AccountInfo::with_code(U256::ZERO, 0, Bytecode::new(code)),
        [],
    );
    let mut evm = Evm::builder(db)
        .fork(Fork::Cancun)
        .inspector(inspector)
        .build();
    let tx = TxEnv {
        caller: SENDER,
        kind: TxKind::Call(CONTRACT),
        gas_limit,
        ..Default::default()
    };
    evm.transact(&tx).unwrap();
    evm.inspector
}

/// Runs `code` with `gas` left after the intrinsic 21,000 and reports the last `step_exit`:
/// its exit, the gas spent, the failed charge and the memory size after.
fn last_exit(code: Bytes, gas: u64) -> (Exit, u64, FailedCharge, usize) {
    run(code, 21_000 + gas, LastExit::default())
        .seen
        .expect("no step_exit")
}

#[test]
fn a_failing_copy_reports_copy_and_memory_as_one_charge() {
    // PUSH2 0x0400, PUSH1 0, PUSH1 0, CALLDATACOPY with 50 gas left at it: the static 3 is
    // paid; the copy (32 words: 96) and the memory (32 words: 96 + 2) are one charge of 194.
    let (exit, spent, failed, memory) = last_exit(bytes!("610400 6000 6000 37"), 9 + 50);
    assert_eq!(exit, Exit::OutOfGas);
    assert_eq!(spent, 3);
    assert_eq!(
        failed,
        FailedCharge {
            gas: 194,
            memory: 98,
            memory_size: 1024,
            overflow: false,
        }
    );
    assert_eq!(memory, 1024);
}

#[test]
fn return_reports_its_memory_charge_and_size() {
    // PUSH1 64, PUSH1 0, RETURN: two words of memory (6) beside RETURN's static 0.
    let (exit, spent, failed, memory) = last_exit(bytes!("6040 6000 f3"), 1_000);
    assert_eq!(exit, Exit::Return);
    assert_eq!(spent, 6);
    assert_eq!(failed, FailedCharge::default());
    assert_eq!(memory, 64);
}

#[test]
fn an_offset_beyond_64_bits_fails_without_a_charge() {
    // PUSH9 2^64, MLOAD: the offset does not fit, nothing beyond the static 3 is charged.
    let (exit, spent, failed, _) = last_exit(bytes!("68010000000000000000 51"), 1_000);
    assert_eq!(exit, Exit::OutOfGas);
    assert_eq!(spent, 3);
    assert!(failed.overflow);
    assert_eq!(failed.gas, 0);
}

#[test]
fn a_static_charge_that_fails_is_reported() {
    // PUSH1 0, BALANCE with 50 gas left: the static 100 (Cancun's warm access) fails.
    let (exit, spent, failed, _) = last_exit(bytes!("6000 31"), 3 + 50);
    assert_eq!(exit, Exit::OutOfGas);
    assert_eq!(spent, 0);
    assert_eq!(failed.gas, 100);
}

#[test]
fn a_call_reports_the_gas_it_forwards_when_it_suspends() {
    // Five PUSH1 0, PUSH20 SENDER, PUSH2 0x1000, CALL: the CALL suspends the frame after one
    // charge of warm access (100: the sender is warm) and the 0x1000 gas it forwards.
    let code =
        bytes!("6000600060006000 6000 731000000000000000000000000000000000000001 611000 f1 00");
    #[derive(Default)]
    struct Suspends(Vec<(u64, u64)>);
    impl Inspector for Suspends {
        fn step(&mut self, interp: &Interpreter) {
            self.0.push((interp.gas.remaining, 0));
        }
        fn step_exit(&mut self, interp: &Interpreter, exit: Exit) {
            if exit == Exit::Suspend {
                let last = self.0.last_mut().unwrap();
                last.1 = last.0 - interp.gas.remaining;
            }
        }
    }
    let suspends = run(code, 100_000, Suspends::default());
    let charged: Vec<u64> = suspends.0.iter().map(|s| s.1).filter(|&c| c > 0).collect();
    assert_eq!(charged, vec![100 + 0x1000]);
}
