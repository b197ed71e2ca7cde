//! Sends ether between two accounts of an in-memory database and prints the balances.
//!
//! ```text
//! cargo run -p ember-evm --example transfer
//! ```

use ember_evm::{address, AccountInfo, BlockEnv, Evm, Fork, InMemoryDb, TxEnv, TxKind, U256};

fn main() {
    let alice = address!("a11ce00000000000000000000000000000000001");
    let bob = address!("b0b0000000000000000000000000000000000002");
    let miner = address!("c0ffee0000000000000000000000000000000003");
    let ether = U256::from(10u64).pow(U256::from(18));
    let gwei = U256::from(1_000_000_000u64);

    let mut db = InMemoryDb::new();
    db.insert_account(
        alice,
        AccountInfo {
            balance: U256::from(5) * ether,
            ..Default::default()
        },
        [],
    );

    let block = BlockEnv {
        coinbase: miner,
        base_fee: U256::from(7) * gwei,
        ..Default::default()
    };
    let mut evm = Evm::builder(db).fork(Fork::Cancun).block(block).build();

    let print = |evm: &Evm<InMemoryDb>, when: &str| {
        println!("{when}:");
        for (name, who) in [("alice", alice), ("bob", bob), ("miner", miner)] {
            let (balance, nonce) = evm
                .db()
                .accounts
                .get(&who)
                .map_or((U256::ZERO, 0), |a| (a.info.balance, a.info.nonce));
            println!("  {name:5} {who}  balance {balance:>22} wei  nonce {nonce}");
        }
    };
    print(&evm, "before");

    let value = ether + ether / U256::from(2); // 1.5 ether
    let tx = TxEnv {
        caller: alice,
        kind: TxKind::Call(bob),
        value,
        gas_limit: 21_000,
        gas_price: U256::from(10) * gwei,
        ..Default::default()
    };
    let result = evm.transact_commit(&tx).expect("valid transaction");
    println!(
        "transfer of {value} wei: success={} gas_used={}",
        result.is_success(),
        result.gas_used()
    );
    print(&evm, "after");

    // Checks, so that CI notices a regression.
    assert!(result.is_success());
    assert_eq!(result.gas_used(), 21_000);
    let accounts = &evm.db().accounts;
    let fee = U256::from(21_000) * U256::from(10) * gwei;
    assert_eq!(
        accounts[&alice].info.balance,
        U256::from(5) * ether - value - fee
    );
    assert_eq!(accounts[&alice].info.nonce, 1);
    assert_eq!(accounts[&bob].info.balance, value);
    // The miner gets the tip above the base fee: 21000 * (10 - 7) gwei.
    assert_eq!(
        accounts[&miner].info.balance,
        U256::from(21_000) * U256::from(3) * gwei
    );
}
