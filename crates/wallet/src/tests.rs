//! Vectors marked "cast" were printed by Foundry's `cast` 1.7.1 (an independent implementation)
//! for the same keys and inputs.

use ember_primitives::{address, b256, bytes, hex, Fork, Spec, TxKind};
use ember_transaction::signature::recover_address;
use ember_transaction::{TxEip1559, TxEip2930, TxEip4844, TxEip7702};
use serde_json::json;

use super::*;

/// Anvil's account 0 (`cast wallet private-key "test ... junk"`).
const KEY0: B256 = b256!("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const ADDR0: Address = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const ADDR1: Address = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");

fn prague() -> &'static Spec {
    Spec::of(Fork::Prague)
}

// ---- accounts ----

#[test]
fn default_accounts_match_anvil() {
    let accounts = derive_accounts(DEFAULT_MNEMONIC, 10, DEFAULT_DERIVATION_PATH).unwrap();
    assert_eq!(accounts.len(), 10);
    assert_eq!(accounts[0].address, ADDR0);
    assert_eq!(accounts[0].secret_key, KEY0);
    assert_eq!(accounts[1].address, ADDR1);
    assert_eq!(
        accounts[1].secret_key,
        b256!("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
    );
    assert_eq!(
        accounts[9].address,
        address!("a0Ee7A142d267C1f36714E4a8F75612F20a79720")
    );
    assert_eq!(
        accounts[9].secret_key,
        b256!("2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6")
    );
    for account in &accounts {
        assert_eq!(address_of(&account.secret_key).unwrap(), account.address);
    }
}

#[test]
fn derivation_path_spellings_agree() {
    let want = derive_accounts(DEFAULT_MNEMONIC, 3, DEFAULT_DERIVATION_PATH).unwrap();
    for path in ["m/44'/60'/0'/0", "m/44h/60h/0h/0/"] {
        assert_eq!(
            derive_accounts(DEFAULT_MNEMONIC, 3, path).unwrap(),
            want,
            "{path}"
        );
    }
    // Extra whitespace between words does not change the phrase.
    let spaced = "  test test test test test test\ttest test test test test  junk\n";
    assert_eq!(
        derive_accounts(spaced, 3, DEFAULT_DERIVATION_PATH).unwrap(),
        want
    );
    assert!(
        derive_accounts(DEFAULT_MNEMONIC, 0, DEFAULT_DERIVATION_PATH)
            .unwrap()
            .is_empty()
    );
    // Another account: a different prefix gives different keys.
    let other = derive_accounts(DEFAULT_MNEMONIC, 1, "m/44'/60'/1'/0/").unwrap();
    assert_ne!(other[0], want[0]);
    // The root itself.
    assert_eq!(derive_accounts(DEFAULT_MNEMONIC, 2, "m/").unwrap().len(), 2);
}

#[test]
fn bad_mnemonics_are_errors() {
    let unknown = "test test test test test test test test test test test jnuk";
    let err = derive_accounts(unknown, 1, DEFAULT_DERIVATION_PATH).unwrap_err();
    assert!(matches!(err, WalletError::InvalidMnemonic(_)));
    assert!(err.to_string().contains("word 12 (`jnuk`)"), "{err}");

    let checksum = "test test test test test test test test test test test test";
    let err = derive_accounts(checksum, 1, DEFAULT_DERIVATION_PATH).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");

    for count in [
        "",
        "test test test",
        "TEST test test test test test test test test test test junk",
    ] {
        let err = derive_accounts(count, 1, DEFAULT_DERIVATION_PATH).unwrap_err();
        assert!(
            matches!(err, WalletError::InvalidMnemonic(_)),
            "{count}: {err}"
        );
    }
}

#[test]
fn bad_derivation_paths_are_errors() {
    for path in [
        "",
        "44'/60'/0'/0/",
        "m/x/",
        "m//0/",
        "m/44''/",
        "m/4294967296/",
    ] {
        let err = derive_accounts(DEFAULT_MNEMONIC, 1, path).unwrap_err();
        assert!(
            matches!(&err, WalletError::InvalidDerivationPath { path: p, .. } if p == path),
            "{path}: {err}"
        );
    }
    let err = derive_accounts(DEFAULT_MNEMONIC, usize::MAX, DEFAULT_DERIVATION_PATH).unwrap_err();
    assert!(
        matches!(err, WalletError::InvalidDerivationPath { .. }),
        "{err}"
    );
}

#[test]
fn bad_secret_keys_are_errors() {
    let n = b256!("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    for key in [B256::ZERO, n, B256::repeat_byte(0xff)] {
        assert_eq!(address_of(&key), Err(WalletError::InvalidSecretKey));
        assert_eq!(
            DevAccount::from_secret_key(key),
            Err(WalletError::InvalidSecretKey)
        );
        assert_eq!(
            sign_hash(&key, B256::ZERO),
            Err(WalletError::InvalidSecretKey)
        );
        assert_eq!(eth_sign(&key, b"x"), Err(WalletError::InvalidSecretKey));
        assert_eq!(
            sign_typed_data(&key, &mail()),
            Err(WalletError::InvalidSecretKey)
        );
        let mut tx = Transaction::FeeMarket(eip1559());
        assert_eq!(
            sign_transaction(&mut tx, &key),
            Err(WalletError::InvalidSecretKey)
        );
        assert_eq!(tx, Transaction::FeeMarket(eip1559()), "untouched on error");
    }
    assert_eq!(
        address_of(&b256!(
            "0000000000000000000000000000000000000000000000000000000000000001"
        )),
        Ok(address!("7E5F4552091A69125d5DfCb7b8C2659029395Bdf"))
    );
}

// ---- raw hashes, eth_sign ----

#[test]
fn sign_hash_matches_cast_and_recovers() {
    let hash = b256!("1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8");
    let signature = sign_hash(&KEY0, hash).unwrap();
    // cast wallet sign --no-hash 0x1c8a...
    assert_eq!(
        signature.to_bytes65(),
        hex!("73eebf81a611136662d65778960c853fdcaf6eca86793ed9cabc30f2195937af78a07e601627da5b4cc80c0ab35f6894da19b4a01759d90c101d9c9dd1c6745d1b")
    );
    assert_eq!(signature.v(), 27);
    assert_eq!(
        recover_address(hash, signature.r, signature.s, signature.y_parity),
        Ok(ADDR0)
    );
}

#[test]
fn eth_sign_matches_cast() {
    // cast wallet sign "hello"
    assert_eq!(
        eth_sign(&KEY0, b"hello").unwrap(),
        bytes!("f16ea9a3478698f695fd1401bfe27e9e4a7e8e3da94aa72b021125e31fa899cc573c48ea3fe1d4ab61a9db10c19032026e3ed2dbccba5a178235ac27f94504311c")
    );
    // cast wallet sign ""
    assert_eq!(
        eth_sign(&KEY0, b"").unwrap(),
        bytes!("c1977b761f1dd36c29795783460d241885c8e7f9d962dbe7bba2753fd94e89b444a1cd9ed855dd09afa3b73f7c2bd097ec9abc2d2775d737505a02d3f0cafa591b")
    );
    // cast wallet sign 0xdeadbeef (hex messages are signed as their bytes)
    assert_eq!(
        eth_sign(&KEY0, &hex!("deadbeef")).unwrap(),
        bytes!("a114c834af73872c6c9efe918d85b0b1b34a486d10f9011e2630e28417c828c060dbd65cda67e73d52ebb7c555260621dbc1b0b4036acb61086bba091ac3f1641b")
    );
}

// ---- EIP-712 ----

/// The example of EIP-712 itself.
fn mail() -> serde_json::Value {
    json!({
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"}
            ],
            "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
            "Mail": [
                {"name": "from", "type": "Person"},
                {"name": "to", "type": "Person"},
                {"name": "contents", "type": "string"}
            ]
        },
        "primaryType": "Mail",
        "domain": {
            "name": "Ether Mail",
            "version": "1",
            "chainId": 1,
            "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"
        },
        "message": {
            "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
            "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
            "contents": "Hello, Bob!"
        }
    })
}

/// Arrays of structs, bytes32, bytes, bool, a negative int, and numbers as decimal strings,
/// hex strings and JSON numbers.
fn batch() -> serde_json::Value {
    json!({
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"}
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"}
            ],
            "Batch": [
                {"name": "permits", "type": "Permit[]"},
                {"name": "tag", "type": "bytes32"},
                {"name": "data", "type": "bytes"},
                {"name": "ok", "type": "bool"},
                {"name": "delta", "type": "int8"}
            ]
        },
        "primaryType": "Batch",
        "domain": {
            "name": "Token",
            "version": "2",
            "chainId": 31337,
            "verifyingContract": "0x5FbDB2315678afecb367f032d93F642f64180aa3"
        },
        "message": {
            "permits": [
                {
                    "owner": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                    "spender": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                    "value": "1000000000000000000",
                    "nonce": 0,
                    "deadline": "0xffffffff"
                },
                {
                    "owner": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                    "spender": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                    "value": 42,
                    "nonce": "7",
                    "deadline": 1700000000
                }
            ],
            "tag": "0x1111111111111111111111111111111111111111111111111111111111111111",
            "data": "0xdeadbeef",
            "ok": true,
            "delta": -5
        }
    })
}

#[test]
fn typed_data_matches_eip712_and_cast() {
    // The signing hash EIP-712 gives for its example.
    assert_eq!(
        typed_data_hash(&mail()).unwrap(),
        b256!("be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
    );
    // cast wallet sign --data --from-file mail.json
    let want = bytes!("6ea8bb309a3401225701f3565e32519f94a0ea91a5910ce9229fe488e773584c0390416a2190d9560219dab757ecca2029e63fa9d1c2aebf676cc25b9f03126a1b");
    assert_eq!(sign_typed_data(&KEY0, &mail()).unwrap(), want);
    // The same data sent as a JSON string.
    let as_string = serde_json::Value::String(mail().to_string());
    assert_eq!(sign_typed_data(&KEY0, &as_string).unwrap(), want);
    // cast wallet sign --data --from-file batch.json
    assert_eq!(
        sign_typed_data(&KEY0, &batch()).unwrap(),
        bytes!("01a109ae531ec8fb5595877f58dbd39231ef81440b33c749179accd1f51865145385b41bf1b3288dcf291cd1b7adfd6b1548be8c4df5cd1fbf362eabf5061bcd1b")
    );
}

#[test]
fn bad_typed_data_is_an_error() {
    let mut no_primary = mail();
    no_primary.as_object_mut().unwrap().remove("primaryType");
    let mut unknown_primary = mail();
    unknown_primary["primaryType"] = json!("Letter");
    let mut unknown_field_type = mail();
    unknown_field_type["types"]["Mail"][2]["type"] = json!("Text");
    let mut missing_field = mail();
    missing_field["message"]
        .as_object_mut()
        .unwrap()
        .remove("contents");
    let mut bad_address = mail();
    bad_address["message"]["to"]["wallet"] = json!("0x1234");
    let mut bad_number = mail();
    bad_number["domain"]["chainId"] = json!("one");
    let cases = [
        json!(null),
        json!(42),
        json!([]),
        json!({}),
        json!("not json"),
        json!("{\"types\": 1}"),
        no_primary,
        unknown_primary,
        unknown_field_type,
        missing_field,
        bad_address,
        bad_number,
    ];
    for case in cases {
        match sign_typed_data(&KEY0, &case) {
            Err(WalletError::InvalidTypedData(reason)) => assert!(!reason.is_empty()),
            other => panic!("{case}: {other:?}"),
        }
    }
    // The reason names the field at fault.
    let mut bad_domain = mail();
    bad_domain["domain"]["chainId"] = json!("one");
    for (case, want) in [
        (json!({}), "missing field `types`"),
        (json!({"types": {}}), "missing field `primaryType`"),
        (json!(3), "expected a JSON object"),
        (json!("nope"), "the string given is not JSON"),
        (bad_domain, "`domain`: "),
        (json!({"types": {"A": 1}, "primaryType": "A"}), "`types`: "),
    ] {
        let err = typed_data_hash(&case).unwrap_err().to_string();
        assert!(err.contains(want), "{case}: {err}");
    }
}

// ---- transactions ----

fn eip1559() -> TxEip1559 {
    TxEip1559 {
        chain_id: 31337,
        nonce: 3,
        max_priority_fee_per_gas: U256::from(1_000_000_000u64),
        max_fee_per_gas: U256::from(2_000_000_000u64),
        gas_limit: 50_000,
        to: TxKind::Call(ADDR1),
        value: U256::from(5),
        data: bytes!("deadbeef"),
        access_list: vec![],
        y_parity: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
    }
}

fn legacy() -> TxLegacy {
    TxLegacy {
        nonce: 0,
        gas_price: U256::from(1_000_000_000u64),
        gas_limit: 21_000,
        to: TxKind::Call(ADDR1),
        value: U256::from(1),
        data: Bytes::new(),
        v: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
    }
}

/// Encodes, decodes, and recovers the sender.
fn round_trip(tx: &Transaction) -> Address {
    let decoded = Transaction::decode(&tx.encode()).unwrap();
    assert_eq!(&decoded, tx);
    decoded.recover_sender(prague()).unwrap()
}

#[test]
fn eip1559_matches_cast_mktx() {
    let mut tx = Transaction::FeeMarket(eip1559());
    sign_transaction(&mut tx, &KEY0).unwrap();
    // cast mktx --chain 31337 --nonce 3 --gas-limit 50000 --gas-price 2000000000
    //   --priority-gas-price 1000000000 0x7099... --value 5 0xdeadbeef
    assert_eq!(
        tx.encode(),
        hex!("02f870827a6903843b9aca00847735940082c3509470997970c51812dc3a010c7d01b50e0d17dc79c80584deadbeefc001a041051d1a9f49fc37644b2d13424178134042e6e1665fd531663488b1ebb36f29a03a3d89e0112c09b1d2dd0c14fdff3caa6346303a6dcf3f84e36e8d73588d929b")
    );
    assert_eq!(round_trip(&tx), ADDR0);
}

#[test]
fn eip155_legacy_matches_cast_mktx() {
    let want = hex!("f86580843b9aca008252089470997970c51812dc3a010c7d01b50e0d17dc79c8018082f4f5a01975752eb4e386649e8ec4e67436bbad151fc60ea6ff87f6c9aab29038872e77a05108c04138280c6fdd5c7d54347219b4fb66ae2ff3f4467422872d0547d19b51");
    // Explicit chain id.
    let mut tx = legacy();
    sign_legacy(&mut tx, Some(31337), &KEY0).unwrap();
    let tx = Transaction::Legacy(tx);
    // cast mktx --legacy --chain 31337 --nonce 0 --gas-limit 21000 --gas-price 1000000000
    //   0x7099... --value 1
    assert_eq!(tx.encode(), want);
    assert_eq!(round_trip(&tx), ADDR0);
    assert_eq!(tx.chain_id(), Some(U256::from(31337)));

    // Chain id read from a placeholder v, also on re-signing a signed transaction.
    for placeholder in [U256::from(35 + 2 * 31337), U256::from(36 + 2 * 31337)] {
        let mut tx = legacy();
        tx.v = placeholder;
        let mut tx = Transaction::Legacy(tx);
        sign_transaction(&mut tx, &KEY0).unwrap();
        assert_eq!(tx.encode(), want);
    }
}

#[test]
fn unprotected_legacy_round_trips() {
    let mut tx = legacy();
    sign_legacy(&mut tx, None, &KEY0).unwrap();
    assert!(tx.v == U256::from(27) || tx.v == U256::from(28));
    let tx = Transaction::Legacy(tx);
    assert_eq!(tx.chain_id(), None);
    assert_eq!(round_trip(&tx), ADDR0);
    assert_eq!(tx.recover_sender(Spec::of(Fork::Frontier)), Ok(ADDR0));

    // Through sign_transaction, from a v of 0, 27 or 28.
    for v in [0u8, 27, 28] {
        let mut tx = legacy();
        tx.v = U256::from(v);
        let mut tx = Transaction::Legacy(tx);
        sign_transaction(&mut tx, &KEY0).unwrap();
        assert_eq!(round_trip(&tx), ADDR0);
        assert_eq!(tx.chain_id(), None);
    }

    // Contract creation.
    let mut tx = legacy();
    tx.to = TxKind::Create;
    tx.data = bytes!("6000");
    sign_legacy(&mut tx, Some(1), &KEY0).unwrap();
    assert_eq!(round_trip(&Transaction::Legacy(tx)), ADDR0);
}

#[test]
fn legacy_chain_id_past_64_bits_is_refused() {
    let mut tx = legacy();
    tx.v = U256::MAX;
    let mut tx = Transaction::Legacy(tx);
    assert!(matches!(
        sign_transaction(&mut tx, &KEY0),
        Err(WalletError::InvalidChainId(_))
    ));
    let mut tx = legacy();
    sign_legacy(&mut tx, Some(u64::MAX), &KEY0).unwrap();
    assert_eq!(
        Transaction::Legacy(tx).chain_id(),
        Some(U256::from(u64::MAX))
    );
}

#[test]
fn every_typed_transaction_round_trips() {
    let key1 = derive_accounts(DEFAULT_MNEMONIC, 2, DEFAULT_DERIVATION_PATH).unwrap()[1].secret_key;
    let access_list = vec![ember_primitives::AccessListItem {
        address: ADDR0,
        storage_keys: vec![B256::repeat_byte(1)],
    }];
    let base = eip1559();
    let mut auth = Authorization {
        chain_id: U256::from(31337),
        address: address!("5FbDB2315678afecb367f032d93F642f64180aa3"),
        nonce: 4,
        y_parity: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
        authority: None,
    };
    sign_authorization(&mut auth, &KEY0).unwrap();
    let txs = [
        Transaction::AccessList(TxEip2930 {
            chain_id: 1,
            nonce: 0,
            gas_price: U256::from(7),
            gas_limit: 30_000,
            to: TxKind::Create,
            value: U256::ZERO,
            data: bytes!("00"),
            access_list: access_list.clone(),
            y_parity: U256::ZERO,
            r: U256::ZERO,
            s: U256::ZERO,
        }),
        Transaction::FeeMarket(TxEip1559 {
            access_list: access_list.clone(),
            ..base.clone()
        }),
        Transaction::Blob(TxEip4844 {
            chain_id: base.chain_id,
            nonce: 9,
            max_priority_fee_per_gas: base.max_priority_fee_per_gas,
            max_fee_per_gas: base.max_fee_per_gas,
            gas_limit: 100_000,
            to: ADDR0,
            value: U256::ZERO,
            data: Bytes::new(),
            access_list: access_list.clone(),
            max_fee_per_blob_gas: U256::from(1),
            blob_versioned_hashes: vec![b256!(
                "0100000000000000000000000000000000000000000000000000000000000001"
            )],
            y_parity: U256::ZERO,
            r: U256::ZERO,
            s: U256::ZERO,
        }),
        Transaction::SetCode(TxEip7702 {
            chain_id: base.chain_id,
            nonce: 0,
            max_priority_fee_per_gas: base.max_priority_fee_per_gas,
            max_fee_per_gas: base.max_fee_per_gas,
            gas_limit: 100_000,
            to: ADDR0,
            value: U256::ZERO,
            data: Bytes::new(),
            access_list,
            authorization_list: vec![auth],
            y_parity: U256::ZERO,
            r: U256::ZERO,
            s: U256::ZERO,
        }),
    ];
    for mut tx in txs {
        sign_transaction(&mut tx, &key1).unwrap();
        assert_eq!(round_trip(&tx), ADDR1, "{tx:?}");
        // Signing is deterministic.
        let again = {
            let mut again = tx.clone();
            sign_transaction(&mut again, &key1).unwrap();
            again
        };
        assert_eq!(again, tx);
    }
}

#[test]
fn authorization_matches_cast_sign_auth() {
    let mut auth = Authorization {
        chain_id: U256::from(31337),
        address: address!("5FbDB2315678afecb367f032d93F642f64180aa3"),
        nonce: 4,
        y_parity: U256::from(1),
        r: U256::from(1),
        s: U256::from(1),
        authority: None,
    };
    sign_authorization(&mut auth, &KEY0).unwrap();
    // cast wallet sign-auth 0x5FbD... --nonce 4 --chain 31337:
    // rlp([0x7a69, 0x5fbd..., 4, 0, r, s])
    assert_eq!(auth.y_parity, U256::ZERO);
    assert_eq!(
        auth.r,
        U256::from_be_bytes(hex!(
            "d4301eb9f82f747137a5f2c3dc3a5c2d253917cf99ecdc0d49f7bb85313c3159"
        ))
    );
    assert_eq!(
        auth.s,
        U256::from_be_bytes(hex!(
            "786d354f0bbd456f44116ddd3aa50475e989d72d8396005e5b3a12cede83fb68"
        ))
    );
    assert_eq!(auth.authority, Some(ADDR0));
    assert_eq!(ember_transaction::recover_authority(&auth), Some(ADDR0));
}

#[test]
fn errors_read_well() {
    let err = derive_accounts(DEFAULT_MNEMONIC, 1, "n/0").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid derivation path `n/0`: "),
        "{err}"
    );
    assert_eq!(
        WalletError::InvalidSecretKey.to_string(),
        "invalid secret key: must be a 32-byte scalar in [1, n) of secp256k1"
    );
    let err = sign_typed_data(&KEY0, &json!({})).unwrap_err();
    assert!(err.to_string().starts_with("invalid typed data: "), "{err}");
}
