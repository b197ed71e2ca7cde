//! anvil's state files: `anvil_dumpState` / `anvil_loadState`, `--dump-state` /
//! `--load-state` / `--state`, a dump made by anvil 1.7.1 (tests/data), and bad input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ember_node::{build_state, state_file, Node, NodeConfig};
use ember_primitives::{Address, B256, U256};
use ember_rpc::RpcService;
use serde_json::{json, Value};

const A0: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const A1: &str = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const INIT: &str = "0x602a600055611234600155600b601760003960\
0b6000f360005460005260206000f3";
const CONTRACT: &str = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/anvil-1.7.1-state.json")
}

fn config() -> NodeConfig {
    NodeConfig {
        accounts: 3,
        silent: true,
        genesis_timestamp: Some(1_700_000_000),
        ..NodeConfig::default()
    }
}

fn node_with(config: NodeConfig) -> Arc<Node> {
    Node::new(build_state(config).expect("state"))
}

fn call(node: &Node, method: &str, params: Value) -> Value {
    node.call(method, params)
        .unwrap_or_else(|e| panic!("{method}: {}", e.message))
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ember-state-file-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every account of the head state: (balance, nonce, code, sorted storage).
type Accounts = Vec<(Address, U256, u64, Vec<u8>, Vec<(U256, U256)>)>;

fn accounts(node: &Node) -> Accounts {
    let s = node.lock().unwrap();
    let mut out: Accounts = s
        .chain
        .state()
        .accounts
        .iter()
        .map(|(a, acc)| {
            let mut storage: Vec<_> = acc.storage.iter().map(|(k, v)| (*k, *v)).collect();
            storage.sort();
            let code = acc
                .info
                .code
                .as_ref()
                .map(|c| c.original().to_vec())
                .unwrap_or_default();
            (*a, acc.info.balance, acc.info.nonce, code, storage)
        })
        .collect();
    out.sort_by_key(|a| a.0);
    out
}

/// A chain with transfers, a contract and every cheat that changes an account.
fn busy_node() -> Arc<Node> {
    let node = node_with(config());
    call(
        &node,
        "eth_sendTransaction",
        json!([{ "from": A0, "to": A1, "value": "0xde0b6b3a7640000" }]),
    );
    call(
        &node,
        "eth_sendTransaction",
        json!([{ "from": A0, "data": INIT }]),
    );
    call(
        &node,
        "anvil_setStorageAt",
        json!([CONTRACT, "0x5", format!("{:#066x}", 7)]),
    );
    call(
        &node,
        "anvil_setBalance",
        json!(["0x00000000000000000000000000000000000000aa", "0x1234"]),
    );
    call(
        &node,
        "anvil_setCode",
        json!(["0x00000000000000000000000000000000000000bb", "0x6001600101"]),
    );
    call(
        &node,
        "anvil_setNonce",
        json!(["0x00000000000000000000000000000000000000bb", "0x7"]),
    );
    call(&node, "evm_mine", json!([]));
    node
}

fn head(node: &Node) -> Value {
    call(node, "eth_getBlockByNumber", json!(["latest", false]))
}

#[test]
fn dump_state_is_hex_of_gzip_json_and_round_trips() {
    let a = busy_node();
    let dumped = call(&a, "anvil_dumpState", json!([]));
    let hex = dumped.as_str().unwrap();
    assert!(
        hex.starts_with("0x1f8b"),
        "gzip magic, as anvil: {}",
        &hex[..10]
    );
    // The JSON inside has anvil's shape.
    let raw = ember_primitives::hex::decode(&hex[2..]).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&raw[..]), &mut text).unwrap();
    let state: Value = serde_json::from_str(&text).unwrap();
    for key in [
        "block",
        "accounts",
        "best_block_number",
        "blocks",
        "transactions",
        "historical_states",
    ] {
        assert!(state.get(key).is_some(), "{key} missing");
    }
    assert_eq!(state["best_block_number"], 3);
    assert_eq!(state["block"]["number"], "0x3");
    let c = &state["accounts"][CONTRACT];
    assert_eq!(c["nonce"], 1);
    assert_eq!(c["code"], "0x60005460005260206000f3");
    assert_eq!(c["storage"][format!("{:#066x}", 5)], format!("{:#066x}", 7));
    assert_eq!(state["blocks"].as_array().unwrap().len(), 4);

    // Into a fresh node: every account, the block number and the block hashes.
    let b = node_with(config());
    assert_eq!(call(&b, "anvil_loadState", json!([hex])), json!(true));
    assert_eq!(accounts(&b), accounts(&a));
    assert_eq!(head(&b)["number"], "0x3");
    assert_eq!(head(&b)["hash"], head(&a)["hash"]);
    assert_eq!(head(&b)["stateRoot"], head(&a)["stateRoot"]);
    {
        let (sa, sb) = (a.lock().unwrap(), b.lock().unwrap());
        assert_eq!(sb.chain.state().state_root(), sa.chain.state().state_root());
        assert_eq!(sb.chain.state().block_hashes, sa.chain.state().block_hashes);
    }
    assert_eq!(
        call(&b, "eth_call", json!([{ "to": CONTRACT }, "latest"])),
        json!(format!("{:#066x}", 0x2a))
    );
    // The loaded chain goes on: the next block's parent is the dumped head.
    call(
        &b,
        "eth_sendTransaction",
        json!([{ "from": A1, "to": A0, "value": "0x1" }]),
    );
    let next = head(&b);
    assert_eq!(next["number"], "0x4");
    assert_eq!(next["parentHash"], head(&a)["hash"]);
    assert_eq!(
        call(&b, "eth_getTransactionCount", json!([A0, "latest"])),
        "0x2"
    );
}

#[test]
fn plain_json_loads_and_merges_into_a_node_with_blocks() {
    let a = busy_node();
    let b = node_with(config());
    call(
        &b,
        "eth_sendTransaction",
        json!([{ "from": A1, "to": A0, "value": "0x1" }]),
    );
    call(&b, "evm_mine", json!([]));
    call(&b, "evm_mine", json!([]));
    call(&b, "evm_mine", json!([]));
    call(&b, "evm_mine", json!([]));
    call(
        &b,
        "anvil_setNonce",
        json!(["0x00000000000000000000000000000000000000bb", "0x9"]),
    );
    call(
        &b,
        "anvil_setBalance",
        json!(["0x00000000000000000000000000000000000000dd", "0x5"]),
    );
    let before = head(&b);
    let text = {
        let s = a.lock().unwrap();
        serde_json::to_vec(&state_file::state_json(&s)).unwrap()
    };
    let hex = format!("0x{}", ember_primitives::hex::encode(&text));
    call(&b, "anvil_loadState", json!([hex]));
    // b has mined blocks: its chain stays, the accounts are merged.
    assert_eq!(head(&b), before);
    let bb = "0x00000000000000000000000000000000000000bb";
    // anvil keeps the larger nonce.
    assert_eq!(
        call(&b, "eth_getTransactionCount", json!([bb, "latest"])),
        "0x9"
    );
    assert_eq!(
        call(&b, "eth_getCode", json!([bb, "latest"])),
        "0x6001600101"
    );
    // Accounts not in the dump stay.
    assert_eq!(
        call(
            &b,
            "eth_getBalance",
            json!(["0x00000000000000000000000000000000000000dd", "latest"])
        ),
        "0x5"
    );
    assert_eq!(
        call(&b, "eth_getStorageAt", json!([CONTRACT, "0x1", "latest"])),
        format!("{:#066x}", 0x1234)
    );
    let balance_a1 = call(&a, "eth_getBalance", json!([A1, "latest"]));
    assert_eq!(
        call(&b, "eth_getBalance", json!([A1, "latest"])),
        balance_a1
    );
}

#[test]
fn anvil_fixture_loads() {
    let mut config = config();
    config.load_state = Some(fixture());
    let node = node_with(config);
    // Values anvil 1.7.1 reported for this chain (see tests/data).
    assert_eq!(call(&node, "eth_blockNumber", json!([])), "0x2");
    let latest = head(&node);
    assert_eq!(
        latest["hash"],
        "0x515d8ce14cedd76fa57e01fc5d581f2f556decd4e591262c2bebbe2d0f5fd254"
    );
    assert_eq!(
        latest["parentHash"],
        "0xa77126a763768aab65814169d4ce28040e7029cabe06a3e5fe76e321499f0e91"
    );
    assert_eq!(latest["timestamp"], "0x6553f102");
    assert_eq!(
        call(&node, "eth_getBalance", json!([A0, "latest"])),
        "0x21e0bff426ec17c8740"
    );
    assert_eq!(
        call(&node, "eth_getBalance", json!([A1, "latest"])),
        "0x21e27c1806e59a40000"
    );
    assert_eq!(
        call(&node, "eth_getTransactionCount", json!([A0, "latest"])),
        "0x2"
    );
    assert_eq!(
        call(&node, "eth_getCode", json!([CONTRACT, "latest"])),
        "0x60005460005260206000f3"
    );
    for (slot, value) in [("0x0", 0x2a), ("0x1", 0x1234), ("0x5", 7)] {
        assert_eq!(
            call(&node, "eth_getStorageAt", json!([CONTRACT, slot, "latest"])),
            format!("{value:#066x}")
        );
    }
    let bb = "0x00000000000000000000000000000000000000bb";
    assert_eq!(
        call(&node, "eth_getTransactionCount", json!([bb, "latest"])),
        "0x7"
    );
    assert_eq!(
        call(
            &node,
            "eth_getBalance",
            json!(["0x00000000000000000000000000000000000000aa", "latest"])
        ),
        "0x1234"
    );
    // The chain goes on from anvil's block 2 with anvil's nonces.
    let hash = call(
        &node,
        "eth_sendTransaction",
        json!([{ "from": A0, "to": A1, "value": "0x1" }]),
    );
    let receipt = call(&node, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(receipt["blockNumber"], "0x3");
    assert_eq!(
        receipt["blockHash"],
        head(&node)["hash"],
        "mined on top of the loaded head"
    );
    assert_eq!(
        head(&node)["parentHash"],
        "0x515d8ce14cedd76fa57e01fc5d581f2f556decd4e591262c2bebbe2d0f5fd254"
    );
    // BLOCKHASH sees anvil's hashes.
    let s = node.lock().unwrap();
    assert_eq!(
        s.chain.state().block_hashes.get(&1),
        Some(
            &"0xa77126a763768aab65814169d4ce28040e7029cabe06a3e5fe76e321499f0e91"
                .parse::<B256>()
                .unwrap()
        )
    );
}

#[test]
fn fixture_as_gzip_and_as_hex_text() {
    let raw = std::fs::read(fixture()).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&raw).unwrap();
    let gz = gz.finish().unwrap();
    let plain = {
        let mut c = config();
        c.load_state = Some(fixture());
        accounts(&node_with(c))
    };
    // anvil_loadState with gzip (what anvil_dumpState returns).
    let node = node_with(config());
    call(
        &node,
        "anvil_loadState",
        json!([format!("0x{}", ember_primitives::hex::encode(&gz))]),
    );
    assert_eq!(accounts(&node), plain);
    // A file holding anvil_dumpState's answer: the quoted hex, or bare hex, or raw gzip.
    let dir = tempdir("forms");
    let hex = format!("0x{}", ember_primitives::hex::encode(&gz));
    for (name, content) in [
        ("quoted.json", format!("\"{hex}\"\n").into_bytes()),
        ("bare.hex", format!("{hex}\n").into_bytes()),
        ("state.json.gz", gz.clone()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let mut c = config();
        c.load_state = Some(path);
        let node = node_with(c);
        assert_eq!(accounts(&node), plain, "{name}");
        assert_eq!(call(&node, "eth_blockNumber", json!([])), "0x2", "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dump_file_round_trip_and_state_directory() {
    let a = busy_node();
    let dir = tempdir("files");
    let file = dir.join("sub").join("dump.json");
    {
        let mut s = a.lock().unwrap();
        s.config.dump_state = Some(file.clone());
        state_file::dump_configured(&s).unwrap();
        // Again over the first: replaced whole.
        state_file::dump_configured(&s).unwrap();
    }
    let leftovers: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("dump.json")]);
    // anvil writes plain JSON to the file.
    let text: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(text["best_block_number"], 3);
    let mut c = config();
    c.load_state = Some(file.clone());
    let b = node_with(c);
    assert_eq!(accounts(&b), accounts(&a));
    assert_eq!(head(&b)["hash"], head(&a)["hash"]);

    // `--state DIR`: nothing to load at first, then DIR/state.json.
    let state_dir = dir.join("state");
    std::fs::create_dir_all(&state_dir).unwrap();
    let mut c = config();
    c.load_state = Some(state_dir.clone());
    c.dump_state = Some(state_dir.clone());
    let fresh = node_with(c.clone());
    call(
        &fresh,
        "anvil_setBalance",
        json!(["0x00000000000000000000000000000000000000ee", "0x77"]),
    );
    state_file::dump_configured(&fresh.lock().unwrap()).unwrap();
    assert!(state_dir.join("state.json").is_file());
    let again = node_with(c);
    assert_eq!(
        call(
            &again,
            "eth_getBalance",
            json!(["0x00000000000000000000000000000000000000ee", "latest"])
        ),
        "0x77"
    );
    // --load-state of a missing file is an error naming it.
    let mut c = config();
    c.load_state = Some(dir.join("nope.json"));
    let err = build_state(c).err().expect("missing file");
    assert!(err.contains("nope.json"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn malformed_input_is_rejected_whole() {
    let node = busy_node();
    let before = accounts(&node);
    let before_head = head(&node);
    let good = "\"0x00000000000000000000000000000000000000aa\": {\"nonce\": 1, \"balance\": \"0x99\", \"code\": \"0x\", \"storage\": {}}";
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not json at all".to_vec(), "not valid JSON"),
        (b"[1, 2]".to_vec(), "JSON object"),
        (b"{\"block\": null}".to_vec(), "no `accounts`"),
        (b"{\"accounts\": []}".to_vec(), "accounts: expected an object"),
        (
            format!("{{\"accounts\": {{{good}, \"0x12\": {{\"nonce\": 0, \"balance\": \"0x0\"}}}}}}")
                .into_bytes(),
            "0x12",
        ),
        (
            format!("{{\"accounts\": {{{good}, \"0x00000000000000000000000000000000000000ab\": {{\"nonce\": 0, \"balance\": \"0xzz\"}}}}}}")
                .into_bytes(),
            "accounts.0x00000000000000000000000000000000000000ab.balance",
        ),
        (
            format!("{{\"accounts\": {{{good}, \"0x00000000000000000000000000000000000000ab\": {{\"balance\": \"0x1\"}}}}}}")
                .into_bytes(),
            "missing `nonce`",
        ),
        (
            format!("{{\"accounts\": {{{good}, \"0x00000000000000000000000000000000000000ab\": {{\"nonce\": 0, \"balance\": \"0x1\", \"code\": \"0x6\"}}}}}}")
                .into_bytes(),
            ".code",
        ),
        (
            format!("{{\"accounts\": {{{good}, \"0x00000000000000000000000000000000000000ab\": {{\"nonce\": 0, \"balance\": \"0x1\", \"storage\": {{\"0x1\": \"0xgg\"}}}}}}}}")
                .into_bytes(),
            "storage[0x1]",
        ),
        (
            format!("{{\"accounts\": {{{good}}}, \"blocks\": [{{\"header\": {{\"number\": \"0x0\"}}}}]}}")
                .into_bytes(),
            "blocks[0].header: missing `parentHash`",
        ),
        (vec![0x1f, 0x8b, 0x08, 0x00, 1, 2, 3], "gzip"),
        (b"\"0xnothex\"".to_vec(), "hex"),
    ];
    for (data, expected) in cases {
        let hex = format!("0x{}", ember_primitives::hex::encode(&data));
        let err = node
            .call("anvil_loadState", json!([hex]))
            .expect_err(expected);
        assert_eq!(err.code, -32602, "{expected}");
        assert!(
            err.message.contains(expected),
            "`{}` should mention `{expected}`",
            err.message
        );
        // Nothing applied, not even the good account before the bad one.
        assert_eq!(accounts(&node), before, "{expected}");
        assert_eq!(head(&node), before_head);
    }
    // The parameter itself must be hex.
    let err = node
        .call("anvil_loadState", json!(["zz"]))
        .expect_err("not hex");
    assert_eq!(err.code, -32602);

    // And at startup: an error naming the file.
    let dir = tempdir("malformed");
    let path = dir.join("bad.json");
    std::fs::write(&path, "{\"accounts\": {\"0x1\": {}}}").unwrap();
    let mut c = config();
    c.load_state = Some(path);
    let err = build_state(c).err().expect("bad file");
    assert!(err.contains("bad.json") && err.contains("0x1"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn headers_round_trip_through_json() {
    let raw = std::fs::read(fixture()).unwrap();
    let state: Value = serde_json::from_slice(&raw).unwrap();
    let blocks = state["blocks"].as_array().unwrap();
    for (i, block) in blocks.iter().enumerate() {
        let header = state_file::header_from_json(&block["header"], "header").unwrap();
        assert_eq!(
            state_file::header_to_json(&header),
            block["header"],
            "block {i}"
        );
    }
    // Our hash of anvil's header is anvil's: each block names its parent's.
    let parsed = state_file::parse(&raw).unwrap();
    let chain = parsed.chain_headers().expect("linked headers");
    assert_eq!(chain.len(), 3);
    assert_eq!(parsed.accounts.len(), 9);
}
