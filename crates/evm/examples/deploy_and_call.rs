//! Deploys a tiny counter contract from initcode, calls it twice, and reads its storage.
//!
//! ```text
//! cargo run -p ember-evm --example deploy_and_call
//! ```

use ember_evm::bytecode::opcode::*;
use ember_evm::{
    address, AccountInfo, Bytes, Evm, ExecutionResult, Fork, InMemoryDb, TxEnv, TxKind, U256,
};

/// Runtime code: `n := sload(0) + 1; sstore(0, n); mstore(0, n); return(0, 32)`.
const COUNTER: [u8; 13] = [
    PUSH0, SLOAD, PUSH1, 1, ADD, // n
    DUP1, PUSH0, SSTORE, // sstore(0, n)
    PUSH0, MSTORE, PUSH1, 32, PUSH0,
];

fn runtime() -> Vec<u8> {
    let mut code = COUNTER.to_vec();
    code.push(RETURN);
    code
}

/// Initcode: copy the runtime (which follows these 10 bytes) to memory and return it.
fn initcode() -> Bytes {
    let runtime = runtime();
    let len = runtime.len() as u8;
    let mut code = vec![
        PUSH1, len, PUSH1, 10, PUSH0, CODECOPY, PUSH1, len, PUSH0, RETURN,
    ];
    assert_eq!(code.len(), 10);
    code.extend_from_slice(&runtime);
    Bytes::from(code)
}

fn main() {
    let deployer = address!("de9107e200000000000000000000000000000001");
    let mut db = InMemoryDb::new();
    db.insert_account(
        deployer,
        AccountInfo {
            balance: U256::from(10u64).pow(U256::from(18)),
            ..Default::default()
        },
        [],
    );
    let mut evm = Evm::builder(db).fork(Fork::Cancun).build();

    // 1. Deploy.
    let deploy = TxEnv {
        caller: deployer,
        kind: TxKind::Create,
        data: initcode(),
        gas_limit: 200_000,
        ..Default::default()
    };
    let result = evm.transact_commit(&deploy).expect("valid deployment");
    let ExecutionResult::Success {
        created_address: Some(counter),
        gas_used,
        ..
    } = result
    else {
        panic!("deployment failed: {result:?}");
    };
    let code = evm.db().accounts[&counter].info.code.clone().unwrap();
    println!(
        "deployed counter at {counter} ({gas_used} gas), code 0x{}",
        hex(code.original())
    );
    assert_eq!(code.original(), &Bytes::from(runtime()));
    // Intrinsic 21000 + 32000 + 24 non-zero bytes * 16 + 1 initcode word * 2; initcode 22;
    // code deposit 14 bytes * 200.
    assert_eq!(gas_used, 53_386 + 22 + 2_800);

    // 2. Call it twice; each call returns the new count.
    let mut outputs = Vec::new();
    let mut gas = Vec::new();
    for nonce in 1..=2 {
        let tx = TxEnv {
            caller: deployer,
            kind: TxKind::Call(counter),
            nonce,
            gas_limit: 100_000,
            ..Default::default()
        };
        let result = evm.transact_commit(&tx).expect("valid call");
        let count = U256::from_be_slice(result.output());
        println!(
            "call {nonce}: success={} gas_used={} returned {count}",
            result.is_success(),
            result.gas_used()
        );
        assert!(result.is_success());
        outputs.push(count);
        gas.push(result.gas_used());
    }

    // 3. Read the storage directly.
    let stored = evm.db().accounts[&counter].storage[&U256::ZERO];
    println!("storage[0] = {stored}");

    assert_eq!(outputs, [U256::from(1), U256::from(2)]);
    // Cold SLOAD (2100) both times; the SSTORE sets a zero slot (20000), then resets it (2900).
    assert_eq!(gas, [21_000 + 2_126 + 20_000, 21_000 + 2_126 + 2_900]);
    assert_eq!(stored, U256::from(2));
    assert_eq!(evm.db().accounts[&deployer].info.nonce, 3);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
