//! Deep call chains: a contract that CALLs itself until the chain stops.
//!
//! The executor keeps call frames on an explicit heap stack, so a chain 1025 frames deep must
//! run on a thread with a small native stack. Before EIP-150 (Homestead) a caller may forward
//! all its gas, so with enough gas the chain reaches the depth limit exactly: the frame at
//! depth 1024 runs, and its CALL (which would start depth 1025) fails and pushes 0. From
//! Tangerine Whistle on, the 63/64 rule shrinks the gas of every level and stops the chain
//! far earlier.

use ember_evm::bytecode::opcode::*;
use ember_evm::{
    address, AccountInfo, Address, BlockEnv, Bytecode, Bytes, CallInputs, CallOutcome, Evm,
    ExecutionResult, Exit, Fork, InMemoryDb, Inspector, TxEnv, TxKind, U256,
};

const SENDER: Address = address!("1000000000000000000000000000000000000001");
const CONTRACT: Address = address!("2000000000000000000000000000000000000002");

/// Stack size of the thread that runs the deep chains: far too small to hold 1025 native
/// frames of an interpreter, plenty for one.
const SMALL_STACK: usize = 256 * 1024;

/// Gas the Homestead contract keeps back from each CALL for its own work afterwards.
const MARGIN: u16 = 30_000;

/// Homestead (no PUSH0) contract. Calldata word 0 is the frame's depth `d` (empty calldata
/// reads as 0):
///
/// ```text
/// sstore(0, d)                                   // deepest write wins
/// mstore(0, d + 1)
/// ok := call(gas() - MARGIN, address(), 0, 0, 32, 0, 0)
/// sstore(0x10000 + d, ok + 1)                    // 2: the nested call succeeded, 1: it failed
/// ```
fn homestead_contract() -> Bytes {
    let [m0, m1] = MARGIN.to_be_bytes();
    Bytes::from(vec![
        PUSH1,
        0,
        CALLDATALOAD, // [d]
        DUP1,
        PUSH1,
        0,
        SSTORE, // slot 0 = d
        DUP1,
        PUSH1,
        1,
        ADD,
        PUSH1,
        0,
        MSTORE, // mem[0..32] = d + 1
        PUSH1,
        0, // out len
        PUSH1,
        0, // out offset
        PUSH1,
        32, // in len
        PUSH1,
        0, // in offset
        PUSH1,
        0, // value
        ADDRESS,
        PUSH2,
        m0,
        m1,
        GAS,
        SUB,  // gas() - MARGIN
        CALL, // [ok, d]
        PUSH1,
        1,
        ADD,
        SWAP1,
        PUSH3,
        1,
        0,
        0,
        ADD,
        SSTORE, // slot 0x10000 + d = ok + 1
        STOP,
    ])
}

/// Cancun contract: `sstore(0, d); mstore(0, d + 1); call(gas(), address(), 0, 0, 32, 0, 0)`.
fn cancun_contract() -> Bytes {
    Bytes::from(vec![
        PUSH0,
        CALLDATALOAD,
        DUP1,
        PUSH0,
        SSTORE, // slot 0 = d
        PUSH1,
        1,
        ADD,
        PUSH0,
        MSTORE, // mem[0..32] = d + 1
        PUSH0,
        PUSH0,
        PUSH1,
        32,
        PUSH0,
        PUSH0,
        ADDRESS,
        GAS,
        CALL,
        STOP,
    ])
}

fn evm(fork: Fork, code: Bytes, block_gas_limit: u64) -> Evm<InMemoryDb, CallCounter> {
    let mut db = InMemoryDb::new();
    db.insert_account(
        SENDER,
        AccountInfo {
            balance: U256::from(1u64) << 100,
            ..Default::default()
        },
        [],
    );
    db.insert_account(
        CONTRACT,
        AccountInfo::with_code(U256::ZERO, 1, Bytecode::new(code)),
        [],
    );
    Evm::builder(db)
        .fork(fork)
        .block(BlockEnv {
            gas_limit: block_gas_limit,
            ..Default::default()
        })
        .inspector(CallCounter::default())
        .build()
}

fn call_tx(gas_limit: u64) -> TxEnv {
    TxEnv {
        caller: SENDER,
        kind: TxKind::Call(CONTRACT),
        gas_limit,
        ..Default::default()
    }
}

fn storage(evm: &Evm<InMemoryDb, CallCounter>, key: u64) -> Option<U256> {
    evm.db().accounts[&CONTRACT]
        .storage
        .get(&U256::from(key))
        .copied()
}

/// Counts call hooks, the deepest depth seen, and the calls that failed for depth.
#[derive(Debug, Default)]
struct CallCounter {
    calls: usize,
    call_ends: usize,
    max_depth: usize,
    too_deep: Vec<usize>,
}

impl Inspector for CallCounter {
    fn wants_steps(&self) -> bool {
        false
    }

    fn call(&mut self, _inputs: &CallInputs, depth: usize) {
        self.calls += 1;
        self.max_depth = self.max_depth.max(depth);
    }

    fn call_end(&mut self, _inputs: &CallInputs, outcome: &CallOutcome, depth: usize) {
        self.call_ends += 1;
        if outcome.exit == Exit::CallTooDeep {
            self.too_deep.push(depth);
        }
    }
}

/// Runs `f` on a thread with a [`SMALL_STACK`] native stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .name("small-stack".into())
        .stack_size(SMALL_STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the deep call chain must not overflow a small native stack")
}

#[test]
fn homestead_reaches_depth_1024_exactly_on_a_small_stack() {
    let (result, evm) = on_small_stack(|| {
        let mut evm = evm(Fork::Homestead, homestead_contract(), u64::MAX / 2);
        let result = evm.transact_commit(&call_tx(1 << 60)).unwrap();
        (result, evm)
    });

    // Every frame pays 110 gas of plain opcodes and two SSTOREs: slot 0 costs 5000 (20000
    // only at depth 1, where it goes from zero to non-zero) and slot 0x10000 + d costs 20000.
    // The failed 1025th call returns all its gas, so nothing else is spent.
    let frames = 1025u64;
    let expected_gas = 21_000 + frames * 110 + (frames - 1) * 5_000 + 20_000 + frames * 20_000;
    assert_eq!(expected_gas, 25_773_750);
    assert_eq!(
        result,
        ExecutionResult::Success {
            gas_used: expected_gas,
            gas_refunded: 0,
            logs: vec![],
            output: Bytes::new(),
            created_address: None,
        }
    );

    // The deepest frame that ran is depth 1024.
    assert_eq!(storage(&evm, 0), Some(U256::from(1024)));
    // Frames 0..=1023 saw their nested call succeed; frame 1024's call failed (pushed 0).
    for d in 0..1024 {
        assert_eq!(storage(&evm, 0x10000 + d), Some(U256::from(2)), "depth {d}");
    }
    assert_eq!(storage(&evm, 0x10000 + 1024), Some(U256::from(1)));
    assert_eq!(storage(&evm, 0x10000 + 1025), None);
    assert_eq!(evm.db().accounts[&CONTRACT].storage.len(), 1 + 1025);

    // The inspector saw the transaction's call, 1024 nested frames and the refused call.
    assert_eq!(evm.inspector.calls, 1026);
    assert_eq!(evm.inspector.call_ends, 1026);
    assert_eq!(evm.inspector.max_depth, 1025);
    assert_eq!(evm.inspector.too_deep, vec![1025]);
}

#[test]
fn homestead_chain_is_repeatable_after_commit() {
    // A second identical transaction over the committed state reaches the same depth.
    let (first, second, evm) = on_small_stack(|| {
        let mut evm = evm(Fork::Homestead, homestead_contract(), u64::MAX / 2);
        let first = evm.transact_commit(&call_tx(1 << 60)).unwrap();
        let tx = TxEnv {
            nonce: 1,
            ..call_tx(1 << 60)
        };
        let second = evm.transact_commit(&tx).unwrap();
        (first, second, evm)
    });
    assert_eq!(first.gas_used(), 25_773_750);
    // Slot 0 goes 1024 -> 0 -> 1 -> ... : every write is to or from a non-zero value except
    // depth 1 (0 -> 1, 20000); clearing slot 0 at depth 0 refunds 15000 (Frontier rules).
    // Slots 0x10000 + d are rewritten with the same non-zero value: 5000 each.
    let frames = 1025u64;
    let spent = 21_000 + frames * 110 + (frames - 1) * 5_000 + 20_000 + frames * 5_000;
    assert_eq!(spent, 10_398_750);
    assert_eq!(
        second,
        ExecutionResult::Success {
            gas_used: spent - 15_000,
            gas_refunded: 15_000,
            logs: vec![],
            output: Bytes::new(),
            created_address: None,
        }
    );
    assert_eq!(storage(&evm, 0), Some(U256::from(1024)));
    assert_eq!(storage(&evm, 0x10000 + 1024), Some(U256::from(1)));
}

/// What the 63/64 rule predicts for [`cancun_contract`] given `gas` for the top frame:
/// the deepest frame that completes, and the gas left to the top frame at the end.
fn model_63_64(gas: u64) -> (u64, u64) {
    // Opcode costs around the SSTORE: 10 before it, 14 + 15 + 100 (warm CALL) after it.
    const BEFORE_SSTORE: u64 = 10;
    const AFTER_SSTORE: u64 = 14 + 15 + 100;
    let sstore = |d: u64| match d {
        0 => 2_100 + 100, // cold, writes 0 over 0
        1 => 20_000,      // warm, 0 -> 1 (original 0)
        _ => 100,         // warm, dirty slot
    };
    // Each completed frame keeps `avail / 64` after its CALL; collect them, deepest last.
    let mut kept = Vec::new();
    let mut g = gas;
    let mut d = 0u64;
    loop {
        let cost = BEFORE_SSTORE + sstore(d) + AFTER_SSTORE;
        // EIP-2200: SSTORE needs more than 2300 gas left.
        let completes = g > BEFORE_SSTORE + 2_300 && g >= cost;
        if d > 1024 {
            // The call into depth 1025 is refused and hands all its gas back.
            kept.push(g);
            break;
        }
        if !completes {
            break;
        }
        let avail = g - cost;
        kept.push(avail / 64);
        g = avail - avail / 64;
        d += 1;
    }
    // The first frame that does not complete halts and returns nothing; every completed
    // frame hands its kept gas (plus what its child returned) back to its parent.
    let left = kept.iter().sum();
    (d - 1, left)
}

#[test]
fn cancun_63_64_rule_caps_depth_far_below_1024() {
    let (result, evm) = on_small_stack(|| {
        let mut evm = evm(Fork::Cancun, cancun_contract(), 30_000_000);
        let result = evm.transact_commit(&call_tx(30_000_000)).unwrap();
        (result, evm)
    });
    let (depth, left) = model_63_64(30_000_000 - 21_000);
    assert_eq!(depth, 473);
    assert!(depth < 1024);
    assert_eq!(
        result,
        ExecutionResult::Success {
            gas_used: 30_000_000 - left,
            gas_refunded: 0,
            logs: vec![],
            output: Bytes::new(),
            created_address: None,
        }
    );
    assert_eq!(storage(&evm, 0), Some(U256::from(depth)));
    // The frame at depth + 1 started and halted (out of gas); nothing was refused for depth.
    assert_eq!(evm.inspector.max_depth as u64, depth + 1);
    assert_eq!(evm.inspector.calls as u64, depth + 2);
    assert!(evm.inspector.too_deep.is_empty());
}

#[test]
fn cancun_with_huge_gas_still_stops_at_depth_1024() {
    // With far more gas the 63/64 rule no longer bites before the depth limit does.
    let (result, evm) = on_small_stack(|| {
        let mut evm = evm(Fork::Cancun, cancun_contract(), u64::MAX / 2);
        let result = evm.transact_commit(&call_tx(1 << 60)).unwrap();
        (result, evm)
    });
    let (depth, left) = model_63_64((1 << 60) - 21_000);
    assert_eq!(depth, 1024);
    assert_eq!(
        result,
        ExecutionResult::Success {
            gas_used: (1 << 60) - left,
            gas_refunded: 0,
            logs: vec![],
            output: Bytes::new(),
            created_address: None,
        }
    );
    assert_eq!(storage(&evm, 0), Some(U256::from(1024)));
    assert_eq!(evm.inspector.max_depth, 1025);
    assert_eq!(evm.inspector.too_deep, vec![1025]);
    assert_eq!(evm.inspector.calls, 1026);
}
