//! Loading a chain: the execution-apis test chain (a geth genesis with fork blocks, a
//! terminal total difficulty and fork times through BPO2, then 54 blocks) imports with the
//! block executor's validation, its head is the block `headfcu.json` names, and a malformed
//! or invalid block stops the import at the block before it with a message naming it.
//!
//! Reads `target/fixtures/execution-apis/tests` (unpacked by `.ci/run`); fails when missing.

use std::path::PathBuf;

use ember_node::genesis::GenesisFile;
use ember_node::import::{decode_blocks, import_chain, Schedule};
use ember_node::methods::dispatch;
use ember_node::params::Params;
use ember_node::{build_state, Node, NodeConfig};
use serde_json::{json, Value};

fn tests_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/fixtures/execution-apis/tests");
    assert!(
        dir.join("chain.rlp").exists(),
        "{} is missing: unpack the fixtures (.ci/run does)",
        dir.display()
    );
    dir
}

fn load() -> (GenesisFile, Schedule, Vec<u8>, Value) {
    let dir = tests_dir();
    let genesis = GenesisFile::load(&dir.join("genesis.json")).unwrap();
    let schedule = Schedule::from_genesis(&genesis)
        .unwrap()
        .expect("a schedule");
    let rlp = std::fs::read(dir.join("chain.rlp")).unwrap();
    let fcu: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("headfcu.json")).unwrap()).unwrap();
    (genesis, schedule, rlp, fcu)
}

#[test]
fn the_whole_chain_imports_and_its_head_is_the_forkchoice_head() {
    let (genesis, schedule, rlp, fcu) = load();
    let (blocks, error) = decode_blocks(&rlp);
    assert!(error.is_none(), "{error:?}");
    let count = blocks.len();
    let last_number = blocks.last().unwrap().header.number;
    let imported = import_chain(&genesis, &schedule, blocks, None).unwrap();
    assert!(imported.error.is_none(), "{:?}", imported.error);
    assert_eq!(imported.imported, count);
    assert_eq!(imported.chain.head_number(), last_number);
    let want: ember_primitives::B256 = fcu["params"][0]["headBlockHash"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(imported.chain.head().hash, want);
    // Block 1 is a proof-of-work block, the head a proof-of-stake one.
    assert!(!imported
        .chain
        .block(1)
        .unwrap()
        .block
        .header
        .difficulty
        .is_zero());
    assert!(imported.chain.head().block.header.difficulty.is_zero());
}

#[test]
fn a_truncated_file_keeps_the_blocks_before_the_broken_one() {
    let (genesis, schedule, rlp, _) = load();
    let (all, _) = decode_blocks(&rlp);
    let keep = 20;
    let cut: usize = all[..keep].iter().map(|b| b.encoded().len()).sum::<usize>() + 10;
    let (blocks, error) = decode_blocks(&rlp[..cut]);
    assert_eq!(blocks.len(), keep);
    let error = error.expect("the 21st block is cut short");
    assert!(
        error.contains(&format!("block {} of the file", keep + 1)),
        "{error}"
    );
    let imported = import_chain(&genesis, &schedule, blocks, Some(error)).unwrap();
    assert_eq!(imported.imported, keep);
    assert_eq!(
        imported.chain.head_number(),
        all[keep - 1].header.number,
        "kept up to the last valid block"
    );
    assert!(imported.error.is_some());
}

#[test]
fn an_invalid_block_is_named_with_its_rule_and_the_chain_kept() {
    let (genesis, schedule, rlp, _) = load();
    let (mut blocks, _) = decode_blocks(&rlp);
    // A wrong gas used in block 10's header: execution disagrees.
    let target = blocks
        .iter()
        .position(|b| !b.transactions.is_empty() && b.header.number >= 10)
        .unwrap();
    let number = blocks[target].header.number;
    blocks[target].header.gas_used += 1;
    let imported = import_chain(&genesis, &schedule, blocks, None).unwrap();
    let error = imported.error.expect("rejected");
    assert!(error.starts_with(&format!("block {number} (")), "{error}");
    assert!(error.contains("gas"), "{error}");
    assert_eq!(imported.chain.head_number(), number - 1);
}

#[test]
fn the_node_serves_the_loaded_chain_with_the_spec_answers() {
    let dir = tests_dir();
    let state = build_state(NodeConfig {
        port: 0,
        silent: true,
        init: Some(dir.join("genesis.json")),
        import: Some(dir.join("chain.rlp")),
        ..NodeConfig::default()
    })
    .unwrap();
    let node = Node::new(state);
    let call = |method: &str, params: Value| {
        dispatch(&node, method, &Params::new(params).unwrap())
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    };
    let (_, _, rlp, fcu) = load();
    let (blocks, _) = decode_blocks(&rlp);
    assert_eq!(
        call("eth_blockNumber", json!([])),
        json!(format!("{:#x}", blocks.len()))
    );
    let answer = call("engine_forkchoiceUpdatedV3", fcu["params"].clone());
    assert_eq!(answer["payloadStatus"]["status"], "VALID");
    let head = call("eth_getBlockByNumber", json!(["finalized", false]));
    assert_eq!(head["hash"], fcu["params"][0]["finalizedBlockHash"]);
    assert!(head.get("totalDifficulty").is_none());
    // No dev accounts and no automatic mining on a loaded chain.
    assert_eq!(call("eth_accounts", json!([])), json!([]));
    let config = call("eth_config", json!([]));
    assert_eq!(config["current"]["activationTime"], json!(540));
}
