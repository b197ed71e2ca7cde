//! Fork mode: a node forked from another (an in-process `ember node` served on 127.0.0.1)
//! serves the upstream's state and code, and its own transactions leave the upstream alone.

use std::sync::Arc;

use ember_node::methods::dispatch;
use ember_node::params::Params;
use ember_node::{build_state, Node, NodeConfig};
use serde_json::{json, Value};

const DEV: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/// Init code of a contract whose runtime returns slot 0 and stores its calldata word there:
/// runtime `36 15 600c 57 6000 35 6000 55 00 5b 6000 54 6000 52 6020 6000 f3` (24 bytes),
/// after `sstore(0, 42)` and a copy of the runtime from offset 17.
const INIT: &str =
    "0x602a6000556018601160003960186000f33615600c57600035600055005b60005460005260206000f3";

fn call(node: &Node, method: &str, params: Value) -> Value {
    dispatch(node, method, &Params::new(params).unwrap())
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

fn config(fork_url: Option<String>) -> NodeConfig {
    NodeConfig {
        port: 0,
        silent: true,
        fork_url,
        ..NodeConfig::default()
    }
}

#[test]
fn forked_node_reads_upstream_and_writes_locally() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // The upstream: a node with a deployed contract whose slot 0 is 42.
    let upstream = Node::new(build_state(config(None)).unwrap());
    let hash = call(
        &upstream,
        "eth_sendTransaction",
        json!([{ "from": DEV, "data": INIT }]),
    );
    let receipt = call(&upstream, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(receipt["status"], "0x1");
    let contract = receipt["contractAddress"].as_str().unwrap().to_string();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let service: Arc<dyn ember_rpc::RpcService> = upstream.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(ember_rpc::serve(listener, service, async {
        let _ = stopped.await;
    }));

    let forked = Node::new(build_state(config(Some(url))).unwrap());
    // The fork starts at the upstream's head and serves its state and code.
    assert_eq!(call(&forked, "eth_blockNumber", json!([])), "0x1");
    assert_eq!(
        call(&forked, "eth_getCode", json!([contract, "latest"])),
        call(&upstream, "eth_getCode", json!([contract, "latest"]))
    );
    let word = |n: u8| format!("0x{:064x}", n);
    assert_eq!(
        call(
            &forked,
            "eth_getStorageAt",
            json!([contract, "0x0", "latest"])
        ),
        word(42)
    );
    assert_eq!(
        call(&forked, "eth_call", json!([{ "to": contract }, "latest"])),
        word(42)
    );
    // A local transaction changes the fork only.
    call(
        &forked,
        "eth_sendTransaction",
        json!([{ "from": DEV, "to": contract, "data": word(7) }]),
    );
    assert_eq!(call(&forked, "eth_blockNumber", json!([])), "0x2");
    assert_eq!(
        call(&forked, "eth_call", json!([{ "to": contract }, "latest"])),
        word(7)
    );
    assert_eq!(
        call(
            &upstream,
            "eth_getStorageAt",
            json!([contract, "0x0", "latest"])
        ),
        word(42)
    );
    assert_eq!(call(&upstream, "eth_blockNumber", json!([])), "0x1");
    // The dev account keeps its upstream nonce.
    assert_eq!(
        call(&forked, "eth_getTransactionCount", json!([DEV, "latest"])),
        "0x2"
    );
    let _ = stop.send(());
    runtime.block_on(server).unwrap().unwrap();
}
