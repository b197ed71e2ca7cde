//! Arbitrary bytes as contract code, run by one transaction in Ember under a small gas limit
//! and a 1 MiB memory cap, at a fork the input chooses.
//!
//! Input: `[fork, gas, flags, calldata_len, ...code_then_calldata]`.
//! - `fork`: index into `Fork::ALL` (modulo);
//! - `gas`: the transaction gas limit is `21_000 + gas * 4_000` (at most ~1.04M);
//! - `flags`: bit 0 runs the code as initcode (a creation transaction) instead of calling
//!   it; bit 1 gives the contract a second copy of the code at another address, which the
//!   code can reach with CALL/DELEGATECALL/EXTCODECOPY through small-number addresses;
//!   bit 2 makes the transaction an EIP-1559 one (when the fork has it);
//! - `calldata_len`: how many bytes at the end are calldata.
//!
//! Checks: no panic, no hang (libFuzzer's `-timeout`), no runaway memory (`-rss_limit_mb`),
//! a valid transaction never uses more gas than its limit, and `transact` is deterministic
//! (the same transaction on a fresh EVM gives the same result and state changes).
#![no_main]

use ember_evm::{
    AccountChange, AccountInfo, Address, BlockEnv, Bytecode, Bytes, Evm, Fork, InMemoryDb, TxEnv,
    TxKind, TxType, B256, U256,
};
use libfuzzer_sys::fuzz_target;

const SENDER: Address = Address::new([0x10; 20]);
const TARGET: Address = Address::new([0x20; 20]);
/// A second account with the same code, at a small address the code can PUSH cheaply.
const TWIN: Address = Address::with_last_byte(0x42);

fn run(fork: Fork, code: &[u8], tx: &TxEnv, twin: bool) -> Option<String> {
    let mut db = InMemoryDb::new();
    let rich = U256::from(10u64).pow(U256::from(20));
    db.insert_account(
        SENDER,
        AccountInfo::with_code(rich, 0, Bytecode::default()),
        [],
    );
    let code = Bytes::copy_from_slice(code);
    if tx.kind != TxKind::Create {
        db.insert_account(
            TARGET,
            AccountInfo::with_code(U256::from(1000), 1, Bytecode::new(code.clone())),
            [(U256::from(1), U256::from(7))],
        );
    }
    if twin {
        db.insert_account(
            TWIN,
            AccountInfo::with_code(U256::ZERO, 1, Bytecode::new(code)),
            [],
        );
    }
    let block = BlockEnv {
        number: 100,
        coinbase: Address::with_last_byte(0xcb),
        timestamp: 1_700_000_000,
        gas_limit: 30_000_000,
        base_fee: U256::from(7),
        difficulty: U256::from(0x20000),
        prevrandao: Some(B256::with_last_byte(9)),
        excess_blob_gas: Some(0),
        ..BlockEnv::default()
    };
    let mut evm = Evm::builder(db)
        .fork(fork)
        .block(block)
        .memory_limit(1 << 20)
        .build();
    match evm.transact(tx) {
        Err(e) => Some(format!("invalid: {e}")),
        Ok(done) => {
            let used = done.result.gas_used();
            assert!(
                used <= tx.gas_limit,
                "gas used {used} above the limit {}",
                tx.gas_limit
            );
            // `state` is a hash map: compare it in address order, slots sorted.
            let mut state: Vec<String> = done
                .state
                .iter()
                .map(|(address, change)| match change {
                    AccountChange::Deleted => format!("{address} deleted"),
                    AccountChange::Updated {
                        info,
                        storage,
                        storage_cleared,
                    } => {
                        let mut slots = storage.clone();
                        slots.sort();
                        format!("{address} {info:?} {slots:?} {storage_cleared}")
                    }
                })
                .collect();
            state.sort();
            Some(format!("{:?} {state:?}", done.result))
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [fork, gas, flags, calldata_len, rest @ ..] = data else {
        return;
    };
    let fork = Fork::ALL[usize::from(*fork) % Fork::ALL.len()];
    let split = rest.len().saturating_sub(usize::from(*calldata_len));
    let (code, calldata) = rest.split_at(split);
    let create = flags & 1 != 0;
    let fee_market = flags & 4 != 0 && fork >= Fork::London;
    let tx = TxEnv {
        tx_type: if fee_market {
            TxType::FeeMarket
        } else {
            TxType::Legacy
        },
        caller: SENDER,
        gas_limit: 21_000 + u64::from(*gas) * 4_000,
        gas_price: U256::from(10),
        gas_priority_fee: fee_market.then(|| U256::from(2)),
        kind: if create {
            TxKind::Create
        } else {
            TxKind::Call(TARGET)
        },
        value: U256::from(u8::from(flags & 8 != 0)),
        data: if create {
            Bytes::copy_from_slice(code)
        } else {
            Bytes::copy_from_slice(calldata)
        },
        nonce: 0,
        chain_id: fee_market.then_some(1),
        ..TxEnv::default()
    };
    let twin = flags & 2 != 0;
    let first = run(fork, code, &tx, twin);
    let again = run(fork, code, &tx, twin);
    assert_eq!(first, again, "transact is not deterministic");
});
