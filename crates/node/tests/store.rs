//! `--data-dir`: the chain survives dropping the node and reopening the directory — blocks,
//! receipts, balances, nonces, code, storage, cheat codes and reverts — and the reopened head
//! state has the head block's state root.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use ember_node::methods::dispatch;
use ember_node::params::Params;
use ember_node::{build_state, Node, NodeConfig};
use serde_json::{json, Value};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "ember-store-test-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn open(dir: &Path) -> Arc<Node> {
    let config = NodeConfig {
        data_dir: Some(dir.to_path_buf()),
        port: 0,
        silent: true,
        ..Default::default()
    };
    Node::new(build_state(config).unwrap_or_else(|e| panic!("opening {}: {e}", dir.display())))
}

fn try_call(node: &Node, method: &str, params: Value) -> Result<Value, String> {
    dispatch(node, method, &Params::new(params).unwrap()).map_err(|e| e.message)
}

fn call(node: &Node, method: &str, params: Value) -> Value {
    try_call(node, method, params).unwrap_or_else(|e| panic!("{method}: {e}"))
}

fn quantity(v: &Value) -> u128 {
    let s = v.as_str().unwrap_or_else(|| panic!("not a quantity: {v}"));
    u128::from_str_radix(s.trim_start_matches("0x"), 16).unwrap()
}

fn block_number(node: &Node) -> u128 {
    quantity(&call(node, "eth_blockNumber", json!([])))
}

fn send(node: &Node, tx: Value) -> String {
    call(node, "eth_sendTransaction", json!([tx]))
        .as_str()
        .unwrap()
        .to_string()
}

/// The head state's root equals the head block's, in memory.
fn assert_head_root(node: &Node) {
    let s = node.lock().unwrap();
    let head = s.chain.head();
    assert_eq!(
        s.chain.state().state_root(),
        head.block.header.state_root,
        "head state root vs block {}",
        head.number()
    );
}

/// Init code storing 0x2a at slot 0 and 7 at slot 1, deploying a runtime that stores its
/// first calldata word at slot 2 and logs it as a topic.
const INIT_CODE: &str = concat!(
    "0x",
    "602a600055",       // SSTORE(0, 0x2a)
    "6007600155",       // SSTORE(1, 7)
    "600f6016600039",   // CODECOPY(0, 22, 15)
    "600f6000f3",       // RETURN(0, 15)
    "600035600255",     // runtime: SSTORE(2, CALLDATALOAD(0))
    "60003560006000a1", // LOG1(0, 0, CALLDATALOAD(0))
    "00",               // STOP
);

const RECIPIENT: &str = "0x00000000000000000000000000000000000000aa";
const CHEATED: &str = "0x00000000000000000000000000000000000000bb";
const IMPERSONATED: &str = "0x00000000000000000000000000000000000000cc";

/// What the tests compare across a reopen.
fn observe(node: &Node, contract: &str, hashes: &[String], accounts: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("number".into(), call(node, "eth_blockNumber", json!([])));
    out.insert(
        "latest".into(),
        call(node, "eth_getBlockByNumber", json!(["latest", true])),
    );
    out.insert(
        "genesis".into(),
        call(node, "eth_getBlockByNumber", json!(["0x0", false])),
    );
    for a in accounts {
        out.insert(
            format!("balance {a}"),
            call(node, "eth_getBalance", json!([a, "latest"])),
        );
        out.insert(
            format!("nonce {a}"),
            call(node, "eth_getTransactionCount", json!([a, "latest"])),
        );
    }
    out.insert(
        "code".into(),
        call(node, "eth_getCode", json!([contract, "latest"])),
    );
    for slot in ["0x0", "0x1", "0x2", "0x3"] {
        out.insert(
            format!("slot {slot}"),
            call(node, "eth_getStorageAt", json!([contract, slot, "latest"])),
        );
    }
    for h in hashes {
        out.insert(
            format!("receipt {h}"),
            call(node, "eth_getTransactionReceipt", json!([h])),
        );
        out.insert(
            format!("tx {h}"),
            call(node, "eth_getTransactionByHash", json!([h])),
        );
    }
    out.insert(
        "logs".into(),
        call(
            node,
            "eth_getLogs",
            json!([{ "fromBlock": "0x0", "toBlock": "latest" }]),
        ),
    );
    Value::Object(out)
}

#[test]
fn chain_survives_reopen() {
    let dir = TempDir::new("reopen");
    let node = open(&dir.0);
    let accounts = call(&node, "eth_accounts", json!([]));
    let a0 = accounts[0].as_str().unwrap().to_string();
    let a1 = accounts[1].as_str().unwrap().to_string();
    let mut hashes = Vec::new();

    for value in ["0x1", "0x2", "0x3"] {
        hashes.push(send(
            &node,
            json!({ "from": a0, "to": RECIPIENT, "value": value }),
        ));
    }
    let deploy = send(&node, json!({ "from": a1, "data": INIT_CODE }));
    let receipt = call(&node, "eth_getTransactionReceipt", json!([deploy]));
    assert_eq!(receipt["status"], json!("0x1"));
    let contract = receipt["contractAddress"].as_str().unwrap().to_string();
    hashes.push(deploy);
    let word = format!("0x{:064x}", 5);
    hashes.push(send(
        &node,
        json!({ "from": a0, "to": contract, "data": word, "gas": "0x20000" }),
    ));
    assert_eq!(
        call(
            &node,
            "eth_getStorageAt",
            json!([contract, "0x2", "latest"])
        ),
        json!(format!("0x{:064x}", 5))
    );

    // A snapshot, a block, a revert: the reverted block must not come back.
    let snap = call(&node, "evm_snapshot", json!([]));
    let dropped = send(
        &node,
        json!({ "from": a0, "to": RECIPIENT, "value": "0x100" }),
    );
    assert_eq!(call(&node, "evm_revert", json!([snap])), json!(true));
    assert!(call(&node, "eth_getTransactionReceipt", json!([dropped])).is_null());

    // An impersonated legacy transaction.
    call(
        &node,
        "anvil_setBalance",
        json!([IMPERSONATED, "0x56bc75e2d63100000"]),
    );
    call(&node, "anvil_impersonateAccount", json!([IMPERSONATED]));
    hashes.push(send(
        &node,
        json!({ "from": IMPERSONATED, "to": RECIPIENT, "value": "0x10", "type": "0x0" }),
    ));
    assert_head_root(&node);

    // Cheat codes after the last block: kept though no block follows them.
    call(&node, "anvil_setBalance", json!([CHEATED, "0x1234"]));
    call(&node, "anvil_setNonce", json!([CHEATED, "0x7"]));
    call(
        &node,
        "anvil_setStorageAt",
        json!([contract, "0x3", format!("0x{:064x}", 9)]),
    );

    let watched = [a0.as_str(), a1.as_str(), RECIPIENT, CHEATED, IMPERSONATED];
    let before = observe(&node, &contract, &hashes, &watched);
    let state_root = node.lock().unwrap().chain.state().state_root();
    drop(node);

    let node = open(&dir.0);
    let after = observe(&node, &contract, &hashes, &watched);
    assert_eq!(before, after);
    assert_eq!(node.lock().unwrap().chain.state().state_root(), state_root);
    assert!(call(&node, "eth_getTransactionReceipt", json!([dropped])).is_null());
    assert_eq!(
        call(&node, "eth_getBalance", json!([RECIPIENT, "latest"])),
        json!("0x16")
    );

    // New blocks continue from the stored head, folding the cheats in.
    let head = after["latest"]["hash"].clone();
    let next = send(
        &node,
        json!({ "from": a0, "to": RECIPIENT, "value": "0x4" }),
    );
    hashes.push(next.clone());
    let block = call(&node, "eth_getBlockByNumber", json!(["latest", false]));
    assert_eq!(block["parentHash"], head);
    assert_eq!(quantity(&block["number"]), quantity(&after["number"]) + 1);
    assert_head_root(&node);
    let before = observe(&node, &contract, &hashes, &watched);
    drop(node);

    let node = open(&dir.0);
    assert_eq!(observe(&node, &contract, &hashes, &watched), before);
    assert_head_root(&node);
    assert_eq!(
        call(&node, "eth_getBalance", json!([CHEATED, "latest"])),
        json!("0x1234")
    );
    assert_eq!(
        call(&node, "eth_getTransactionCount", json!([CHEATED, "latest"])),
        json!("0x7")
    );
    // BLOCKHASH-style lookups see the reloaded hashes.
    let s = node.lock().unwrap();
    let genesis = s.chain.block(0).unwrap().hash;
    assert_eq!(s.chain.state().block_hashes.get(&0), Some(&genesis));
}

#[test]
fn revert_across_reopen_and_reset() {
    let dir = TempDir::new("revert");
    let node = open(&dir.0);
    let a0 = call(&node, "eth_accounts", json!([]))[0]
        .as_str()
        .unwrap()
        .to_string();
    send(
        &node,
        json!({ "from": a0, "to": RECIPIENT, "value": "0x1" }),
    );
    let snap = call(&node, "evm_snapshot", json!([]));
    call(&node, "anvil_setBalance", json!([CHEATED, "0x99"]));
    for _ in 0..3 {
        send(
            &node,
            json!({ "from": a0, "to": RECIPIENT, "value": "0x1" }),
        );
    }
    call(&node, "anvil_mine", json!(["0x5"]));
    assert_eq!(block_number(&node), 9);
    assert_eq!(call(&node, "evm_revert", json!([snap])), json!(true));
    assert_eq!(block_number(&node), 1);
    let before = call(&node, "eth_getBlockByNumber", json!(["latest", false]));
    drop(node);

    let node = open(&dir.0);
    assert_eq!(block_number(&node), 1);
    assert_eq!(
        call(&node, "eth_getBlockByNumber", json!(["latest", false])),
        before
    );
    assert_eq!(
        call(&node, "eth_getBalance", json!([RECIPIENT, "latest"])),
        json!("0x1")
    );
    assert_eq!(
        call(&node, "eth_getBalance", json!([CHEATED, "latest"])),
        json!("0x0")
    );
    assert_head_root(&node);
    // A restored snapshot is used up, across a restart too.
    assert_eq!(call(&node, "evm_revert", json!([snap])), json!(false));
    send(
        &node,
        json!({ "from": a0, "to": RECIPIENT, "value": "0x1" }),
    );
    assert_eq!(block_number(&node), 2);

    call(&node, "anvil_reset", json!([]));
    assert_eq!(block_number(&node), 0);
    drop(node);
    let node = open(&dir.0);
    assert_eq!(block_number(&node), 0);
    assert_eq!(
        call(&node, "eth_getBalance", json!([RECIPIENT, "latest"])),
        json!("0x0")
    );
    assert_head_root(&node);
}

#[test]
fn second_open_is_refused() {
    let dir = TempDir::new("locked");
    let node = open(&dir.0);
    let config = NodeConfig {
        data_dir: Some(dir.0.clone()),
        silent: true,
        ..Default::default()
    };
    let err = build_state(config).err().expect("a second open fails");
    assert!(err.contains("in use"), "{err}");
    drop(node);
}

#[test]
fn other_chain_id_is_refused() {
    let dir = TempDir::new("chainid");
    drop(open(&dir.0));
    let config = NodeConfig {
        data_dir: Some(dir.0.clone()),
        chain_id: 1,
        silent: true,
        ..Default::default()
    };
    let err = build_state(config).err().expect("another chain id fails");
    assert!(err.contains("chain with id"), "{err}");
}

#[test]
fn damaged_state_fails_loudly() {
    let dir = TempDir::new("damaged");
    let node = open(&dir.0);
    let a0 = call(&node, "eth_accounts", json!([]))[0]
        .as_str()
        .unwrap()
        .to_string();
    send(
        &node,
        json!({ "from": a0, "to": RECIPIENT, "value": "0x1" }),
    );
    drop(node);

    // Change one balance behind the store's back.
    {
        let db = redb::Database::create(dir.0.join(ember_node::store::FILE_NAME)).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let def: redb::TableDefinition<&[u8; 20], &[u8]> =
                redb::TableDefinition::new("accounts");
            let mut table = txn.open_table(def).unwrap();
            let key: [u8; 20] = {
                let mut k = [0u8; 20];
                k[19] = 0xaa;
                k
            };
            let mut value = redb::ReadableTable::get(&table, &key)
                .unwrap()
                .unwrap()
                .value()
                .to_vec();
            value[31] ^= 1;
            table.insert(&key, value.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let config = NodeConfig {
        data_dir: Some(dir.0.clone()),
        silent: true,
        ..Default::default()
    };
    let err = build_state(config).err().expect("a damaged state fails");
    assert!(err.contains("state root mismatch"), "{err}");
    assert!(err.contains("head block 1"), "{err}");
}

/// Per-block commit cost (run with `--nocapture` to see it).
#[test]
fn commit_cost() {
    let dir = TempDir::new("cost");
    let node = open(&dir.0);
    let a0 = call(&node, "eth_accounts", json!([]))[0]
        .as_str()
        .unwrap()
        .to_string();
    let start = std::time::Instant::now();
    let n = 100u32;
    for _ in 0..n {
        send(
            &node,
            json!({ "from": a0, "to": RECIPIENT, "value": "0x1", "gas": "0x5208" }),
        );
    }
    let took = start.elapsed();
    let stats = node.lock().unwrap().store.as_ref().unwrap().commit_stats();
    assert_eq!(stats.blocks, u64::from(n));
    println!(
        "{n} transfers in {took:?} ({:.0}/s); block commit: mean {:?}, max {:?}",
        f64::from(n) / took.as_secs_f64(),
        stats.total / n,
        stats.max
    );
}

#[test]
fn snapshots_survive_a_restart() {
    let dir = TempDir::new("snapshots");
    let node = open(&dir.0);
    let a0 = call(&node, "eth_accounts", json!([]))[0]
        .as_str()
        .unwrap()
        .to_string();
    send(
        &node,
        json!({ "from": a0, "to": RECIPIENT, "value": "0x1" }),
    );
    let snap = call(&node, "evm_snapshot", json!([]));
    send(
        &node,
        json!({ "from": a0, "to": RECIPIENT, "value": "0x2" }),
    );
    assert_eq!(block_number(&node), 2);
    drop(node);

    let node = open(&dir.0);
    assert_eq!(block_number(&node), 2);
    assert_eq!(call(&node, "evm_revert", json!([snap])), json!(true));
    assert_eq!(block_number(&node), 1);
    assert_eq!(
        call(&node, "eth_getBalance", json!([RECIPIENT, "latest"])),
        json!("0x1")
    );
    // New snapshot ids go on after the kept ones.
    let next = call(&node, "evm_snapshot", json!([]));
    assert_ne!(next, snap);
    assert_head_root(&node);
    drop(node);
    let node = open(&dir.0);
    assert_eq!(block_number(&node), 1);
    assert_eq!(call(&node, "evm_revert", json!([snap])), json!(false));
    assert_eq!(call(&node, "evm_revert", json!([next])), json!(true));
}
