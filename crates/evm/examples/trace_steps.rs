//! An inspector that prints every step (pc, opcode, gas left, stack top) of a short program.
//!
//! ```text
//! cargo run -p ember-evm --example trace_steps
//! ```

use ember_evm::bytecode::opcode::{self, *};
use ember_evm::{
    address, AccountInfo, Bytecode, Bytes, Evm, Fork, InMemoryDb, Inspector, Interpreter, TxEnv,
    TxKind, U256,
};

/// Prints one line per instruction and remembers the opcodes it saw.
#[derive(Default)]
struct Tracer {
    seen: Vec<&'static str>,
}

impl Inspector for Tracer {
    fn step(&mut self, interp: &Interpreter) {
        let op = interp.current_opcode();
        let name = opcode::name(op).unwrap_or("UNKNOWN");
        let top = interp
            .stack
            .data()
            .last()
            .map_or_else(|| "-".to_string(), |v| format!("{v:#x}"));
        println!(
            "depth {} pc {:>3}  {:<10} gas {:>6}  stack top {}",
            interp.depth, interp.pc, name, interp.gas.remaining, top
        );
        self.seen.push(name);
    }
}

fn main() {
    let sender = address!("5e4de70000000000000000000000000000000001");
    let program = address!("c0de000000000000000000000000000000000002");
    // mstore(0, 2 + 3) return(0, 32)
    let code = [
        PUSH1, 2, PUSH1, 3, ADD, PUSH0, MSTORE, PUSH1, 32, PUSH0, RETURN,
    ];

    let mut db = InMemoryDb::new();
    db.insert_account(
        sender,
        AccountInfo {
            balance: U256::from(10u64).pow(U256::from(18)),
            ..Default::default()
        },
        [],
    );
    db.insert_account(
        program,
        AccountInfo::with_code(U256::ZERO, 1, Bytecode::new(Bytes::copy_from_slice(&code))),
        [],
    );
    let mut evm = Evm::builder(db)
        .fork(Fork::Cancun)
        .inspector(Tracer::default())
        .build();
    let tx = TxEnv {
        caller: sender,
        kind: TxKind::Call(program),
        gas_limit: 50_000,
        ..Default::default()
    };
    let result = evm.transact(&tx).expect("valid transaction").result;
    let value = U256::from_be_slice(result.output());
    println!(
        "success={} gas_used={} output={value}",
        result.is_success(),
        result.gas_used()
    );

    assert!(result.is_success());
    assert_eq!(value, U256::from(5));
    // 3 PUSH1 (3) + ADD (3) + 2 PUSH0 (2) + MSTORE (3 + 3 memory) + RETURN (0).
    assert_eq!(result.gas_used(), 21_000 + 9 + 3 + 4 + 6);
    assert_eq!(
        evm.inspector.seen,
        ["PUSH1", "PUSH1", "ADD", "PUSH0", "MSTORE", "PUSH1", "PUSH0", "RETURN"]
    );
}
