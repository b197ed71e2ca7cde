//! `eth_getProof`: proofs verify against the block's state root (alloy-trie's
//! `verify_proof`), and the values agree with anvil's for a contract deployed the same way.

use std::sync::Arc;

use alloy_trie::proof::verify_proof;
use alloy_trie::Nibbles;
use ember_evm::InMemoryDb;
use ember_node::genesis::account_info;
use ember_node::proof::account_proof;
use ember_node::{build_state, Node, NodeConfig};
use ember_primitives::{address, keccak256, Address, Bytes, B256, EMPTY_ROOT, U256};
use ember_rpc::RpcService;
use serde_json::{json, Value};

const A0: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const A1: &str = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
/// Constructor: slot 0 = 0x2a, slot 1 = 0x1234; runtime: return slot 0.
const INIT: &str = "0x602a600055611234600155600b601760003960\
0b6000f360005460005260206000f3";

/// Where the runtime code starts in [`INIT`] (the offset its CODECOPY reads from).
const RUNTIME_AT: usize = 0x17;

fn init_code() -> Bytes {
    INIT.parse().unwrap()
}

/// The root of a storage trie holding `slots` (slot, value), built with alloy-trie's
/// `HashBuilder` from the slots alone.
fn storage_root_of(slots: &[(u64, u64)]) -> B256 {
    let mut leaves: Vec<(B256, Vec<u8>)> = slots
        .iter()
        .map(|&(slot, value)| {
            let key = keccak256(U256::from(slot).to_be_bytes::<32>());
            (key, alloy_rlp::encode(U256::from(value)))
        })
        .collect();
    leaves.sort();
    let mut builder = alloy_trie::HashBuilder::default();
    for (key, value) in &leaves {
        builder.add_leaf(Nibbles::unpack(key), value);
    }
    builder.root()
}

fn node() -> Arc<Node> {
    let config = NodeConfig {
        accounts: 3,
        silent: true,
        genesis_timestamp: Some(1_700_000_000),
        ..NodeConfig::default()
    };
    Node::new(build_state(config).expect("state"))
}

fn call(node: &Node, method: &str, params: Value) -> Value {
    node.call(method, params)
        .unwrap_or_else(|e| panic!("{method}: {}", e.message))
}

fn b(v: &Value) -> B256 {
    v.as_str().unwrap().parse().unwrap()
}

fn u(v: &Value) -> U256 {
    v.as_str().unwrap().parse().unwrap()
}

fn proof_nodes(v: &Value) -> Vec<Bytes> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().parse().unwrap())
        .collect()
}

fn account_rlp(p: &Value) -> Vec<u8> {
    use alloy_rlp::Encodable;
    let nonce =
        u64::from_str_radix(p["nonce"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    let (balance, root, code) = (u(&p["balance"]), b(&p["storageHash"]), b(&p["codeHash"]));
    let payload = nonce.length() + balance.length() + root.length() + code.length();
    let mut out = Vec::new();
    alloy_rlp::Header {
        list: true,
        payload_length: payload,
    }
    .encode(&mut out);
    nonce.encode(&mut out);
    balance.encode(&mut out);
    root.encode(&mut out);
    code.encode(&mut out);
    out
}

/// Checks every part of an `eth_getProof` answer against `state_root`; `exists` says
/// whether the account should be in the trie.
fn verify(p: &Value, state_root: B256, exists: bool) {
    let address: Address = p["address"].as_str().unwrap().parse().unwrap();
    let key = Nibbles::unpack(keccak256(address));
    let expected = exists.then(|| account_rlp(p));
    verify_proof(state_root, key, expected, &proof_nodes(&p["accountProof"]))
        .unwrap_or_else(|e| panic!("account proof of {address}: {e}"));
    let storage_root = b(&p["storageHash"]);
    for sp in p["storageProof"].as_array().unwrap() {
        let slot = u(&sp["key"]);
        let value = u(&sp["value"]);
        let key = Nibbles::unpack(keccak256(slot.to_be_bytes::<32>()));
        let expected = (!value.is_zero()).then(|| alloy_rlp::encode(value));
        verify_proof(storage_root, key, expected, &proof_nodes(&sp["proof"]))
            .unwrap_or_else(|e| panic!("storage proof of {address} slot {slot}: {e}"));
    }
}

fn slot(n: u64) -> String {
    format!("{:#066x}", n)
}

/// The chain of the comparison with anvil: a transfer, a deployment, a storage cheat, and a
/// block so the cheat is in a state root.
fn scenario() -> (Arc<Node>, String) {
    let node = node();
    call(
        &node,
        "eth_sendTransaction",
        json!([{ "from": A0, "to": A1, "value": "0xde0b6b3a7640000" }]),
    );
    let hash = call(
        &node,
        "eth_sendTransaction",
        json!([{ "from": A0, "data": INIT }]),
    );
    let receipt = call(&node, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(receipt["status"], "0x1");
    let contract = receipt["contractAddress"].as_str().unwrap().to_string();
    call(
        &node,
        "anvil_setStorageAt",
        json!([contract, "0x5", slot(7)]),
    );
    call(&node, "evm_mine", json!([]));
    (node, contract)
}

fn state_root(node: &Node, block: &str) -> B256 {
    b(&call(node, "eth_getBlockByNumber", json!([block, false]))["stateRoot"])
}

#[test]
fn contract_proof_verifies_and_matches_anvil() {
    let (node, contract) = scenario();
    assert_eq!(contract, "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    let root = state_root(&node, "latest");
    let p = call(
        &node,
        "eth_getProof",
        json!([contract, [slot(0), "0x1", slot(5), slot(9)], "latest"]),
    );
    verify(&p, root, true);
    // What the scenario wrote (anvil 1.7.1 answers the same for the same steps): the
    // runtime code, and slots 0 and 1 from the constructor and 5 from the cheat code.
    assert_eq!(p["balance"], "0x0");
    assert_eq!(p["nonce"], "0x1");
    assert_eq!(b(&p["codeHash"]), keccak256(&init_code()[RUNTIME_AT..]));
    assert_eq!(
        b(&p["storageHash"]),
        storage_root_of(&[(0, 0x2a), (1, 0x1234), (5, 7)])
    );
    let sp = p["storageProof"].as_array().unwrap();
    assert_eq!(sp[0]["key"], slot(0));
    assert_eq!(sp[0]["value"], "0x2a");
    // The storage proof of slot 0 is anvil's, node for node (the storage trie is the same).
    assert_eq!(
        sp[0]["proof"],
        json!([
            "0xf871a02ea0e9ef629961d1615144831a7df497ebc5c434b9eb8f33e0cb491d1ea01e4980a0f73cea67884580eec8c3f6d0746360906cf897bf812183520e51b89a12166cfe8080808080808080a0107fa2f10231df59598f8a6787f84ad9943e8535cc92157d2a8eed68a33a24dd8080808080",
            "0xe2a0390decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e5632a"
        ])
    );
    assert_eq!(sp[1]["key"], slot(1));
    assert_eq!(sp[1]["value"], "0x1234");
    assert_eq!(sp[2]["value"], "0x7");
    // A missing slot: zero, proven absent by the branch alone (as anvil).
    assert_eq!(sp[3]["value"], "0x0");
    assert_eq!(sp[3]["proof"].as_array().unwrap().len(), 1);
}

#[test]
fn missing_account_and_account_without_storage() {
    let (node, _) = scenario();
    let root = state_root(&node, "latest");
    let missing = "0x00000000000000000000000000000000000000cc";
    let p = call(&node, "eth_getProof", json!([missing, [slot(1)], "latest"]));
    assert_eq!(p["balance"], "0x0");
    assert_eq!(p["nonce"], "0x0");
    assert_eq!(
        b(&p["codeHash"]),
        ember_primitives::KECCAK_EMPTY,
        "anvil answers the empty code's hash"
    );
    assert_eq!(b(&p["storageHash"]), EMPTY_ROOT);
    assert_eq!(p["storageProof"][0]["proof"], json!(["0x80"]));
    verify(&p, root, false);
    // An externally owned account: in the trie, with an empty storage trie.
    let p = call(&node, "eth_getProof", json!([A1, [slot(0)], "latest"]));
    assert_eq!(
        u(&p["balance"]),
        U256::from(10_001u64) * U256::from(10u64).pow(U256::from(18))
    );
    assert_eq!(p["storageProof"][0]["proof"], json!(["0x80"]));
    verify(&p, root, true);
}

#[test]
fn proof_at_an_earlier_block() {
    let (node, contract) = scenario();
    // Block 1 holds the transfer; the contract comes in block 2. (The state kept for a
    // block is the one the next block started from, cheat codes included, as in anvil, so
    // block 2's would not match its header after the storage cheat.)
    let root = state_root(&node, "0x1");
    assert_ne!(root, state_root(&node, "latest"));
    let p = call(&node, "eth_getProof", json!([contract, [slot(0)], "0x1"]));
    assert_eq!(b(&p["storageHash"]), EMPTY_ROOT);
    assert_eq!(p["storageProof"][0]["value"], "0x0");
    verify(&p, root, false);
    let p = call(&node, "eth_getProof", json!([A1, [], "0x1"]));
    verify(&p, root, true);
    let p = call(&node, "eth_getProof", json!([A0, [], "earliest"]));
    assert_eq!(p["nonce"], "0x0");
    verify(&p, state_root(&node, "earliest"), true);
}

#[test]
fn bad_parameters() {
    let node = node();
    let err = node
        .call("eth_getProof", json!([A0]))
        .expect_err("storage keys are required");
    assert_eq!(err.code, -32602);
    let err = node
        .call("eth_getProof", json!(["0x12", []]))
        .expect_err("bad address");
    assert_eq!(err.code, -32602);
    let err = node
        .call("eth_getProof", json!([A0, ["0xzz"]]))
        .expect_err("bad slot");
    assert_eq!(err.code, -32602);
    let err = node
        .call("eth_getProof", json!([A0, [], "0x99"]))
        .expect_err("block beyond the head");
    assert!(err.message.contains("153"), "{}", err.message);
}

/// Many accounts and slots, so the tries have branches, extensions and deep leaves.
#[test]
fn proofs_in_a_larger_trie() {
    let mut db = InMemoryDb::new();
    for i in 0..300u64 {
        let addr = Address::from_word(keccak256(i.to_be_bytes()));
        let code = if i % 7 == 0 {
            Bytes::from(vec![0x60, i as u8, 0x00])
        } else {
            Bytes::new()
        };
        let storage: Vec<(U256, U256)> = (0..(i % 40))
            .map(|k| (U256::from(k * 3), U256::from(i * 1000 + k + 1)))
            .collect();
        db.insert_account(addr, account_info(U256::from(i), i, code), storage);
    }
    let root = db.state_root();
    for i in [0u64, 7, 39, 299, 1000, 1001] {
        let addr = Address::from_word(keccak256(i.to_be_bytes()));
        let slots: Vec<U256> = (0..45u64).map(U256::from).collect();
        let p = account_proof(&db, addr, &slots).to_json();
        verify(&p, root, i < 300);
        if i < 300 {
            let sp = &p["storageProof"];
            // Slot 3 is the account's second slot (k = 1), set when it has two or more.
            let expected = if i % 40 > 1 { i * 1000 + 2 } else { 0 };
            assert_eq!(u(&sp[3]["value"]), U256::from(expected));
        }
    }
    let p = account_proof(
        &db,
        address!("00000000000000000000000000000000000000aa"),
        &[],
    )
    .to_json();
    assert_eq!(p["storageProof"], json!([]));
    verify(&p, root, false);
}
