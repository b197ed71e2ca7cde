//! One transaction validator: the block executor and `Evm::transact` reject the same invalid
//! transaction with the same error value (the block adds only the signature and the block's
//! gas and blob allowances), and a valid one passes both.

use ember_blockchain::{
    execute_block, BlockContext, BlockError, ChainConfig, ExecuteOptions, InvalidTxPolicy,
};
use ember_evm::{AccountInfo, Evm, EvmError, InMemoryDb, InvalidTransaction};
use ember_primitives::{keccak256, Address, BlockEnv, Bytes, Fork, Spec, TxKind, B256, U256};
use ember_transaction::{Transaction, TxEip1559, TxLegacy};
use secp256k1::{Message, SecretKey, SECP256K1};

const CHAIN_ID: u64 = 1;
const BASE_FEE: u64 = 7;

fn key() -> SecretKey {
    SecretKey::from_byte_array([0x45; 32]).unwrap()
}

fn sender() -> Address {
    let public = key().public_key(SECP256K1).serialize_uncompressed();
    Address::from_slice(&keccak256(&public[1..])[12..])
}

/// Signs `tx` with [`key`].
fn signed(mut tx: Transaction) -> Transaction {
    let message = Message::from_digest(tx.signature_hash().0);
    let (recid, compact) = SECP256K1
        .sign_ecdsa_recoverable(message, &key())
        .serialize_compact();
    let odd = i32::from(recid) == 1;
    let (r, s) = (
        U256::from_be_slice(&compact[..32]),
        U256::from_be_slice(&compact[32..]),
    );
    match &mut tx {
        Transaction::Legacy(t) => (t.v, t.r, t.s) = (U256::from(27 + u8::from(odd)), r, s),
        Transaction::FeeMarket(t) => (t.y_parity, t.r, t.s) = (U256::from(u8::from(odd)), r, s),
        _ => unreachable!("only legacy and EIP-1559 transactions here"),
    }
    tx
}

fn transfer() -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 0,
        max_priority_fee_per_gas: U256::from(1),
        max_fee_per_gas: U256::from(100),
        gas_limit: 21_000,
        to: TxKind::Call(Address::repeat_byte(0x77)),
        value: U256::from(1),
        data: Bytes::new(),
        access_list: Vec::new(),
        y_parity: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
    }
}

fn state(balance: U256, code: Option<Bytes>) -> InMemoryDb {
    let mut db = InMemoryDb::new();
    let mut info = AccountInfo {
        balance,
        nonce: 1,
        ..Default::default()
    };
    if let Some(code) = code {
        let code = ember_evm::Bytecode::new(code);
        info.code_hash = code.hash();
        info.code = Some(code);
    }
    db.insert_account(sender(), info, []);
    db
}

fn context(fork: Fork) -> BlockContext {
    BlockContext {
        fork,
        number: 1,
        timestamp: 1,
        gas_limit: 30_000_000,
        coinbase: Address::repeat_byte(0xc0),
        base_fee: U256::from(BASE_FEE),
        difficulty: U256::ZERO,
        prevrandao: B256::ZERO,
        excess_blob_gas: Some(0),
        parent_hash: None,
        parent_beacon_block_root: None,
    }
}

/// What the block executor says of `tx` (one transaction, an invalid one rejects the block).
fn block_verdict(fork: Fork, db: InMemoryDb, tx: &Transaction) -> Result<(), InvalidTransaction> {
    let options = ExecuteOptions {
        on_invalid_tx: InvalidTxPolicy::RejectBlock,
        ..ExecuteOptions::state_test(None)
    };
    let run = execute_block(
        db,
        &ChainConfig::single(fork, CHAIN_ID),
        &context(fork),
        std::slice::from_ref(tx),
        None,
        &options,
    );
    match run {
        Ok(_) => Ok(()),
        Err(BlockError::InvalidTransaction { index: 0, error }) => Err(error),
        Err(other) => panic!("not a transaction error: {other}"),
    }
}

/// What `Evm::transact` says of `tx`'s environment in the same block.
fn evm_verdict(fork: Fork, db: InMemoryDb, tx: &Transaction) -> Result<(), InvalidTransaction> {
    let block = BlockEnv {
        number: 1,
        timestamp: 1,
        gas_limit: 30_000_000,
        coinbase: Address::repeat_byte(0xc0),
        base_fee: U256::from(BASE_FEE),
        prevrandao: Some(B256::ZERO),
        excess_blob_gas: Some(0),
        ..BlockEnv::default()
    };
    let mut evm = Evm::builder(db)
        .fork(fork)
        .block(block)
        .chain_id(CHAIN_ID)
        .build();
    match evm.transact(&tx.to_env(sender())) {
        Ok(_) => Ok(()),
        Err(EvmError::Transaction(e)) => Err(e),
        Err(EvmError::Database(e)) => panic!("database error: {e:?}"),
    }
}

#[test]
fn block_executor_and_evm_reject_with_the_same_error() {
    let rich = U256::from(10u64.pow(18));
    let fork = Fork::Prague;
    let with = |edit: fn(&mut TxEip1559)| {
        let mut tx = transfer();
        tx.nonce = 1;
        edit(&mut tx);
        signed(Transaction::FeeMarket(tx))
    };
    let cases: Vec<(&str, Transaction, InMemoryDb, InvalidTransaction)> = vec![
        (
            "intrinsic gas",
            with(|t| t.gas_limit = 20_999),
            state(rich, None),
            InvalidTransaction::IntrinsicGasTooLow {
                have: 20_999,
                want: 21_000,
            },
        ),
        (
            "EIP-7623 floor",
            {
                let mut tx = transfer();
                tx.nonce = 1;
                tx.data = Bytes::from(vec![0u8; 10_000]);
                // 21000 + 4 * 10000 covers the intrinsic gas, not the floor of 21000 + 100000.
                tx.gas_limit = 61_000;
                signed(Transaction::FeeMarket(tx))
            },
            state(rich, None),
            InvalidTransaction::FloorGasTooLow {
                have: 61_000,
                want: 121_000,
            },
        ),
        (
            "nonce too low",
            with(|t| t.nonce = 0),
            state(rich, None),
            InvalidTransaction::NonceTooLow { tx: 0, state: 1 },
        ),
        (
            "nonce too high",
            with(|t| t.nonce = 2),
            state(rich, None),
            InvalidTransaction::NonceTooHigh { tx: 2, state: 1 },
        ),
        (
            "EIP-2681",
            with(|t| t.nonce = u64::MAX),
            state(rich, None),
            InvalidTransaction::NonceOverflow(u64::MAX),
        ),
        (
            "fee cap below the base fee",
            with(|t| {
                t.max_fee_per_gas = U256::from(BASE_FEE - 1);
                t.max_priority_fee_per_gas = U256::ZERO;
            }),
            state(rich, None),
            InvalidTransaction::FeeCapTooLow {
                max_fee: U256::from(BASE_FEE - 1),
                base_fee: U256::from(BASE_FEE),
            },
        ),
        (
            "priority fee above the max fee",
            with(|t| t.max_priority_fee_per_gas = U256::from(101)),
            state(rich, None),
            InvalidTransaction::PriorityFeeGreaterThanMaxFee {
                priority: U256::from(101),
                max: U256::from(100),
            },
        ),
        (
            "insufficient funds",
            with(|t| t.value = U256::from(10u64.pow(18))),
            state(rich, None),
            InvalidTransaction::InsufficientFunds {
                balance: rich,
                cost: U256::from(10u64.pow(18) + 2_100_000),
            },
        ),
        (
            "gas limit times fee overflows",
            with(|t| {
                t.max_fee_per_gas = U256::MAX;
                t.max_priority_fee_per_gas = U256::ZERO;
            }),
            state(rich, None),
            InvalidTransaction::GasLimitOverflow,
        ),
        (
            "EIP-3860 initcode limit",
            with(|t| {
                t.to = TxKind::Create;
                t.data = Bytes::from(vec![0u8; 0xC001]);
                t.gas_limit = 1_000_000;
            }),
            state(rich, None),
            InvalidTransaction::InitcodeTooLarge {
                size: 0xC001,
                max: 0xC000,
            },
        ),
        (
            "EIP-3607 sender with code",
            with(|_| {}),
            state(rich, Some(Bytes::from_static(&[0x00]))),
            InvalidTransaction::SenderNotEoa,
        ),
    ];
    for (name, tx, db, want) in cases {
        let from_block = block_verdict(fork, db.clone(), &tx);
        let from_evm = evm_verdict(fork, db, &tx);
        assert_eq!(from_block, Err(want.clone()), "{name}: block executor");
        assert_eq!(from_evm, Err(want), "{name}: Evm::transact");
    }

    // EIP-7825 under Osaka, and a type before its fork.
    let capped = with(|t| t.gas_limit = (1 << 24) + 1);
    let want = InvalidTransaction::GasLimitExceedsCap {
        gas_limit: (1 << 24) + 1,
        cap: 1 << 24,
    };
    assert_eq!(
        block_verdict(Fork::Osaka, state(rich, None), &capped),
        Err(want.clone())
    );
    assert_eq!(
        evm_verdict(Fork::Osaka, state(rich, None), &capped),
        Err(want)
    );
    let typed = with(|_| {});
    let want = InvalidTransaction::TypeNotSupported(ember_primitives::TxType::FeeMarket);
    assert_eq!(
        block_verdict(Fork::Berlin, state(rich, None), &typed),
        Err(want.clone())
    );
    assert_eq!(
        evm_verdict(Fork::Berlin, state(rich, None), &typed),
        Err(want)
    );

    // The same transactions made valid pass both.
    for tx in [
        with(|_| {}),
        signed(Transaction::Legacy(TxLegacy {
            nonce: 1,
            gas_price: U256::from(100),
            gas_limit: 21_000,
            to: TxKind::Call(Address::repeat_byte(0x77)),
            value: U256::from(1),
            data: Bytes::new(),
            v: U256::ZERO,
            r: U256::ZERO,
            s: U256::ZERO,
        })),
    ] {
        assert_eq!(block_verdict(fork, state(rich, None), &tx), Ok(()));
        assert_eq!(evm_verdict(fork, state(rich, None), &tx), Ok(()));
    }
    assert!(Spec::of(fork).calldata_floor);
}
