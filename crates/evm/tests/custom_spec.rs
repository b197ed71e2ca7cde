//! A custom [`Spec`] through the embedding API: a chain variant that changes one gas constant
//! of a stock fork gets a gas table of its own, so the charged gas follows its values and the
//! stock fork's table is left as it was.

use ember_evm::bytecode::opcode::*;
use ember_evm::{
    address, AccountInfo, Address, Bytecode, Bytes, Evm, Fork, InMemoryDb, Spec, TxEnv, TxKind,
    U256,
};

const SENDER: Address = address!("1000000000000000000000000000000000000001");
const CONTRACT: Address = address!("2000000000000000000000000000000000000002");

/// Reads one storage slot (a warm SLOAD after the first) and stops.
const CODE: &[u8] = &[PUSH0, SLOAD, PUSH0, SLOAD, STOP];

fn gas_used(spec: &'static Spec) -> u64 {
    let mut db = InMemoryDb::new();
    db.insert_account(
        SENDER,
        AccountInfo {
            balance: U256::from(10u64).pow(U256::from(18)),
            ..Default::default()
        },
        [],
    );
    db.insert_account(
        CONTRACT,
        AccountInfo::with_code(U256::ZERO, 1, Bytecode::new(Bytes::from_static(CODE))),
        [],
    );
    let mut evm = Evm::builder(db).spec(spec).build();
    let tx = TxEnv {
        caller: SENDER,
        kind: TxKind::Call(CONTRACT),
        gas_limit: 100_000,
        gas_price: U256::from(1),
        ..Default::default()
    };
    let result = evm.transact(&tx).expect("valid transaction").result;
    assert!(result.is_success(), "{result:?}");
    result.gas_used()
}

#[test]
fn a_changed_gas_constant_changes_the_charged_gas() {
    let stock = Spec::of(Fork::Prague);
    let mut variant = *stock;
    // The warm access cost (EIP-2929: 100), charged statically by SLOAD and others.
    variant.warm_access = 150;
    let variant: &'static Spec = Box::leak(Box::new(variant));

    let stock_gas = gas_used(stock);
    let variant_gas = gas_used(variant);
    // Two SLOADs: the cold one pays `cold_sload` in all (its warm part statically, the rest
    // when it finds the slot cold), so only the warm one pays the 50 more.
    assert_eq!(variant_gas, stock_gas + 50);
    // The stock fork's table is unchanged, and asking again gives the same answers.
    assert_eq!(gas_used(stock), stock_gas);
    assert_eq!(gas_used(variant), variant_gas);
}
