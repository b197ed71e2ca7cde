//! Malformed input never panics: bad block and header RLP, bad transaction RLP and bad t8n
//! JSON each give an error that names what is wrong.

use ember_blockchain::{Block, DecodeError, Header};
use ember_conformance::t8n::{
    transition, T8nOptions, TxsInput, ERROR_CONFIG, ERROR_JSON, ERROR_RLP,
};
use ember_primitives::{Bytes, U256};
use serde_json::{json, Value};

/// A valid Cancun header with every field.
fn header() -> Header {
    Header {
        gas_limit: 30_000_000,
        number: 1,
        timestamp: 12,
        base_fee_per_gas: Some(U256::from(7)),
        withdrawals_root: Some(Default::default()),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(Default::default()),
        ..Header::default()
    }
}

fn block_bytes() -> Vec<u8> {
    Block {
        header: header(),
        withdrawals: Some(Vec::new()),
        ..Block::default()
    }
    .encoded()
}

#[test]
fn valid_block_round_trips() {
    let bytes = block_bytes();
    assert_eq!(Block::decode(&bytes).unwrap().encoded(), bytes);
    let h = header();
    assert_eq!(Header::decode(&h.encoded()).unwrap(), h);
}

#[test]
fn malformed_block_rlp_names_the_problem() {
    let bytes = block_bytes();
    // empty input, a string instead of a list, truncated, trailing bytes
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), ""),
        (vec![0x83, 1, 2, 3], "expected an RLP list"),
        (bytes[..bytes.len() - 1].to_vec(), ""),
        ([bytes.clone(), vec![0]].concat(), "trailing bytes"),
    ];
    for (input, want) in cases {
        let err = Block::decode(&input).expect_err("must not decode");
        let text = err.to_string();
        assert!(!text.is_empty());
        assert!(text.contains(want), "{text:?} should mention {want:?}");
    }
}

#[test]
fn malformed_header_fields_are_named() {
    // number as a 9-byte integer: too wide for u64
    let mut h = header();
    h.number = 0;
    let mut encoded = h.encoded();
    let good = Header::decode(&encoded).unwrap();
    assert_eq!(good.number, 0);
    // a header with one field too few (drop the last item: rebuild the list by hand)
    let err = Header::decode(&[0xc1, 0x80]).unwrap_err();
    assert!(
        matches!(
            err,
            DecodeError::MissingField { .. } | DecodeError::Rlp { .. }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("field"), "{err}");
    // a non-canonical integer (leading zero) in gas_limit
    let gas_limit = 30_000_000u64.to_be_bytes();
    let canonical: Vec<u8> = [&[0x84u8][..], &gas_limit[4..]].concat();
    let at = encoded
        .windows(canonical.len())
        .position(|w| w == canonical.as_slice())
        .unwrap();
    let padded: Vec<u8> = [&[0x85u8, 0][..], &gas_limit[4..]].concat();
    encoded.splice(at..at + canonical.len(), padded);
    // fix the list length prefix (one byte longer)
    let payload_len = u16::from_be_bytes([encoded[1], encoded[2]]) + 1;
    assert_eq!(encoded[0], 0xf9);
    encoded[1..3].copy_from_slice(&payload_len.to_be_bytes());
    let err = Header::decode(&encoded).unwrap_err();
    assert!(err.to_string().contains("gas_limit"), "{err}");
}

/// Every single-byte corruption and every truncation of a block decodes or fails cleanly.
#[test]
fn corrupted_blocks_never_panic() {
    let bytes = block_bytes();
    for cut in 0..bytes.len() {
        let _ = Block::decode(&bytes[..cut]);
    }
    for at in 0..bytes.len() {
        for value in [0x00, 0x7f, 0x80, 0xb8, 0xbf, 0xc0, 0xf7, 0xf8, 0xff] {
            let mut b = bytes.clone();
            b[at] = value;
            let _ = Block::decode(&b);
        }
    }
}

fn env() -> Value {
    json!({
        "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba",
        "currentGasLimit": "0x1000000",
        "currentNumber": "0x1",
        "currentTimestamp": "0x3e8",
        "currentRandom": "0x00",
        "currentBaseFee": "0x7",
        "currentExcessBlobGas": "0x0",
        "parentBeaconBlockRoot": "0x0000000000000000000000000000000000000000000000000000000000000000",
        "withdrawals": [],
    })
}

fn options(fork: &str) -> T8nOptions {
    T8nOptions {
        fork: fork.to_string(),
        chain_id: 1,
        reward: 0,
    }
}

fn t8n_error(alloc: Value, env: Value, txs: TxsInput, fork: &str) -> (u8, String) {
    let e = transition(&alloc, &env, &txs, &options(fork)).expect_err("must fail");
    (e.code, e.message)
}

#[test]
fn t8n_bad_json_is_named() {
    let no_txs = || TxsInput::Json(json!([]));
    let (code, msg) = t8n_error(json!([1, 2]), env(), no_txs(), "Cancun");
    assert_eq!(code, ERROR_JSON);
    assert!(msg.contains("alloc"), "{msg}");

    let (code, msg) = t8n_error(
        json!({ "0x12": { "balance": "0x1" } }),
        env(),
        no_txs(),
        "Cancun",
    );
    assert_eq!(code, ERROR_JSON);
    assert!(msg.contains("0x12"), "{msg}");

    let mut bad = env();
    bad.as_object_mut().unwrap().remove("currentCoinbase");
    let (code, msg) = t8n_error(json!({}), bad, no_txs(), "Cancun");
    assert_eq!(code, ERROR_JSON);
    assert!(msg.contains("currentCoinbase"), "{msg}");

    let mut bad = env();
    bad["currentGasLimit"] = json!("0xnothex");
    let (code, msg) = t8n_error(json!({}), bad, no_txs(), "Cancun");
    assert_eq!(code, ERROR_JSON);
    assert!(msg.contains("currentGasLimit"), "{msg}");

    let (code, msg) = t8n_error(json!({}), env(), TxsInput::Json(json!({"a": 1})), "Cancun");
    assert_eq!(code, ERROR_JSON);
    assert!(msg.contains("txs"), "{msg}");

    let tx = json!([{ "type": "0x2", "nonce": "0x0", "gas": "zz" }]);
    let (code, msg) = t8n_error(json!({}), env(), TxsInput::Json(tx), "Cancun");
    assert_eq!(code, ERROR_JSON);
    assert!(msg.contains("transaction"), "{msg}");
}

#[test]
fn t8n_bad_rlp_and_config_are_named() {
    let (code, msg) = t8n_error(
        json!({}),
        env(),
        TxsInput::Rlp(Bytes::from_static(&[0xc3, 0x01])),
        "Cancun",
    );
    assert_eq!(code, ERROR_RLP);
    assert!(msg.contains("txs"), "{msg}");

    let (code, msg) = t8n_error(
        json!({}),
        env(),
        TxsInput::Rlp(Bytes::from_static(&[0xc2, 0x02, 0x80])),
        "Cancun",
    );
    assert_eq!(code, ERROR_RLP);
    assert!(msg.contains("transaction"), "{msg}");

    let (code, msg) = t8n_error(json!({}), env(), TxsInput::Json(json!([])), "Atlantis");
    assert_eq!(code, ERROR_CONFIG);
    assert!(msg.contains("Atlantis"), "{msg}");

    let mut no_random = env();
    no_random.as_object_mut().unwrap().remove("currentRandom");
    let (code, msg) = t8n_error(json!({}), no_random, TxsInput::Json(json!([])), "Cancun");
    assert_eq!(code, ERROR_CONFIG);
    assert!(msg.contains("currentRandom"), "{msg}");
}
