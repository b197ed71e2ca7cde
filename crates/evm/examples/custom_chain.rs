//! A chain variant defined entirely outside Ember's crates, through the public API: Prague's
//! rules with one gas constant changed, a new opcode, a stateful precompile and an extra
//! block-environment field, run through [`Evm`]. Checks that each took effect.
//!
//! ```text
//! cargo run -p ember-evm --example custom_chain
//! ```

use ember_evm::bytecode::opcode::{self, MemoryOperand, OpInfo, StaticGas};
use ember_evm::precompile::{PrecompileError, PrecompileOutput, PrecompileResult};
use ember_evm::state::Database;
use ember_evm::{
    address, AccountInfo, Address, BlockEnv, BlockExtension, Bytecode, Bytes, CustomInstruction,
    Evm, Exit, Fork, Host, InMemoryDb, Interpreter, PrecompileCall, Spec, TxEnv, TxKind, U256,
};

/// The variant's block field: the layer-1 block this layer-2 block was built on.
struct L2Block {
    l1_block_number: u64,
}

/// The variant's new opcode, at a byte Prague leaves undefined: pushes the layer-1 block
/// number of the block.
const L1BLOCK: u8 = 0x4b;

/// Its opcode table row: no inputs, one output, 2 gas, no memory.
const L1BLOCK_ROW: OpInfo = OpInfo {
    name: "L1BLOCK",
    immediate: 0,
    inputs: 0,
    outputs: 1,
    enabled: |_| true,
    static_gas: StaticGas::Fixed(2),
    memory: &[] as &[MemoryOperand],
    dynamic_gas: false,
};

/// Its body.
fn l1block(interp: &mut Interpreter, host: &mut dyn Host) -> Result<(), Exit> {
    let number = host
        .block()
        .extension
        .get::<L2Block>()
        .map_or(0, |block| block.l1_block_number);
    interp.stack.push(U256::from(number))
}

/// The variant's stateful precompile: a counter kept in its own storage. Each call adds
/// one and returns the new count; it costs 5,000 gas and refuses static calls.
const COUNTER: Address = address!("0000000000000000000000000000000000000420");
const COUNTER_GAS: u64 = 5_000;

fn counter(host: &mut dyn Host, call: &PrecompileCall<'_>) -> PrecompileResult {
    if call.gas_limit < COUNTER_GAS {
        return Err(PrecompileError::OutOfGas);
    }
    if call.is_static {
        return Err(PrecompileError::Failure("the counter changes state"));
    }
    let count = host.sload(call.address, U256::ZERO).data + U256::from(1);
    host.sstore(call.address, U256::ZERO, count);
    Ok(PrecompileOutput::new(
        COUNTER_GAS,
        Bytes::copy_from_slice(&count.to_be_bytes::<32>()),
    ))
}

/// The variant's rules: Prague with EXP's per-byte cost raised from 50 to 80.
fn variant_spec() -> &'static Spec {
    let mut spec = *Spec::of(Fork::Prague);
    spec.exp_byte = 80;
    Box::leak(Box::new(spec))
}

const SENDER: Address = address!("1000000000000000000000000000000000000001");
const CONTRACT: Address = address!("2000000000000000000000000000000000000002");

fn database(code: Vec<u8>) -> InMemoryDb {
    let mut db = InMemoryDb::new();
    db.insert_account(
        SENDER,
        AccountInfo {
            balance: U256::from(10u64).pow(U256::from(18)),
            ..Default::default()
        },
        [],
    );
    // The counter keeps its count in its own account, which must not be empty (EIP-161
    // removes touched empty accounts, storage and all): the variant's genesis gives it a nonce.
    db.insert_account(
        COUNTER,
        AccountInfo {
            nonce: 1,
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

fn call_contract(nonce: u64) -> TxEnv {
    TxEnv {
        caller: SENDER,
        nonce,
        kind: TxKind::Call(CONTRACT),
        gas_limit: 200_000,
        gas_price: U256::from(1),
        ..Default::default()
    }
}

fn main() {
    use opcode::*;
    let block = BlockEnv {
        number: 7,
        extension: BlockExtension::new(L2Block {
            l1_block_number: 21_000_000,
        }),
        ..Default::default()
    };
    let variant = |code: Vec<u8>| {
        Evm::builder(database(code))
            .spec(variant_spec())
            .block(block.clone())
            .instruction(
                L1BLOCK,
                CustomInstruction {
                    info: L1BLOCK_ROW,
                    run: l1block,
                },
            )
            .stateful_precompile(COUNTER, counter)
            .build()
    };

    // The opcode and the block field: store L1BLOCK in slot 0.
    // The precompile: call the counter and store what it returns in slot 1.
    let code = vec![
        L1BLOCK, PUSH0, SSTORE, // slot 0 = L1BLOCK
        PUSH1, 32, PUSH0, PUSH0, PUSH0, PUSH0, PUSH2, 0x04, 0x20, GAS, CALL, POP, // counter()
        PUSH0, MLOAD, PUSH1, 1, SSTORE, // slot 1 = its answer
        STOP,
    ];
    let mut evm = variant(code);
    for round in 1..=2u64 {
        let result = evm
            .transact_commit(&call_contract(round - 1))
            .expect("valid");
        assert!(result.is_success(), "{result:?}");
        let db = evm.db_mut();
        assert_eq!(db.storage(CONTRACT, U256::ZERO), Ok(U256::from(21_000_000)));
        assert_eq!(db.storage(CONTRACT, U256::from(1)), Ok(U256::from(round)));
        assert_eq!(db.storage(COUNTER, U256::ZERO), Ok(U256::from(round)));
        println!(
            "round {round}: L1BLOCK = 21000000, counter = {round}, gas used {}",
            result.gas_used()
        );
    }

    // The gas change: EXP with a one-byte exponent costs 30 more than on Prague.
    let exp = vec![PUSH1, 0xff, PUSH1, 2, EXP, STOP];
    let gas = |mut evm: Evm<InMemoryDb>| {
        let result = evm.transact(&call_contract(0)).expect("valid").result;
        assert!(result.is_success(), "{result:?}");
        result.gas_used()
    };
    let prague = gas(Evm::builder(database(exp.clone()))
        .fork(Fork::Prague)
        .build());
    let changed = gas(variant(exp));
    assert_eq!(changed, prague + 30);
    println!("EXP: {prague} gas on Prague, {changed} on the variant");

    // On Prague itself the new opcode is undefined.
    let mut prague = Evm::builder(database(vec![L1BLOCK, STOP]))
        .fork(Fork::Prague)
        .build();
    let result = prague.transact(&call_contract(0)).expect("valid").result;
    assert!(!result.is_success(), "{result:?}");
    println!("L1BLOCK on Prague: {result:?}");
}
