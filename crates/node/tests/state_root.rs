//! The dev chain keeps storage tries across blocks and rehashes only what a block wrote; the
//! header's state root must still be the root of the whole state, recomputed from scratch.

use ember_node::methods::dispatch;
use ember_node::params::Params;
use ember_node::{build_state, Node, NodeConfig};
use serde_json::{json, Value};

const DEV: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/// Init code returning a 13-byte runtime that stores the calldata word at the slot named by
/// the call's value and clears slot `value - 1`, so slots are written and cleared:
/// `6000 35 34 55` (sstore(callvalue, calldataload(0))), `6000 6001 34 03 55`
/// (sstore(callvalue - 1, 0)), `00`.
const INIT: &str = "0x600d600c600039600d6000f3 60003534556000600134035500";

fn call(node: &Node, method: &str, params: Value) -> Value {
    dispatch(node, method, &Params::new(params).unwrap())
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

#[test]
fn header_roots_match_a_full_recomputation_as_storage_grows_and_shrinks() {
    let node = Node::new(
        build_state(NodeConfig {
            port: 0,
            silent: true,
            ..NodeConfig::default()
        })
        .unwrap(),
    );
    let init = INIT.replace(' ', "");
    let hash = call(
        &node,
        "eth_sendTransaction",
        json!([{ "from": DEV, "data": init }]),
    );
    let contract = call(&node, "eth_getTransactionReceipt", json!([hash]))["contractAddress"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 1..=60u64 {
        call(
            &node,
            "eth_sendTransaction",
            json!([{ "from": DEV, "to": contract, "value": format!("{i:#x}"),
                     "data": format!("0x{:064x}", i * 3 + 1) }]),
        );
        if i % 10 == 0 {
            // Empty blocks grow the system contracts' ring buffers.
            call(&node, "anvil_mine", json!(["0x20"]));
            // A cheat code drops the kept tries; the next block rebuilds them.
            call(
                &node,
                "anvil_setStorageAt",
                json!([contract, "0x5", format!("0x{:064x}", i)]),
            );
        }
        let s = node.lock().unwrap();
        let header_root = s.chain.head().block.header.state_root;
        let full = s.chain.state().state_root();
        if i % 10 != 0 {
            assert_eq!(header_root, full, "after transaction {i}");
        }
    }
    // The contract kept its written slots and dropped the cleared ones.
    let slot = |n: u64| {
        call(
            &node,
            "eth_getStorageAt",
            json!([contract, format!("{n:#x}"), "latest"]),
        )
    };
    assert_eq!(slot(60), format!("0x{:064x}", 60 * 3 + 1));
    assert_eq!(slot(59), format!("0x{:064x}", 0));
}
