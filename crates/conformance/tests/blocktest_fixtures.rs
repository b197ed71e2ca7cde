//! Runs every execution-spec-tests blockchain test, and checks that each block a fixture
//! expects to be rejected is rejected for the rule its `expectException` names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ember_blockchain::{Block, Chain};
use ember_conformance::blocktest::{collect_files, load_file, run_files, Filter};
use ember_evm::InMemoryDb;
use rayon::prelude::*;

fn fixtures() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/fixtures/execution-spec-tests/blockchain_tests");
    assert!(
        dir.is_dir(),
        "{} is missing: run ../shared/fixtures/unpack from the workspace root",
        dir.display()
    );
    dir
}

#[test]
fn every_blockchain_test_passes() {
    let root = fixtures();
    let mut per_folder = BTreeMap::new();
    let mut failures = Vec::new();
    let mut total = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let folder = entry.unwrap().path();
        let files = collect_files(&folder).unwrap();
        let summary = run_files(&files, &Filter::default(), None, &|_| {});
        assert!(summary.load_errors.is_empty(), "{:?}", summary.load_errors);
        total += summary.passed;
        let name = folder.file_name().unwrap().to_string_lossy().to_string();
        per_folder.insert(name, (summary.passed, summary.failed, summary.skipped));
        failures.extend(
            summary
                .reports
                .iter()
                .filter(|r| !r.pass)
                .map(|r| format!("{} {}: {:?}", r.name, r.network, r.error)),
        );
    }
    eprintln!("{per_folder:#?}");
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
    assert!(total >= 4500, "only {total} tests ran");
}

/// Words of Ember's error that match an exception of the fixtures.
fn expected_words(exception: &str) -> Option<&'static [&'static str]> {
    let name = exception.rsplit('.').next().unwrap_or(exception);
    Some(match name {
        "INCORRECT_EXCESS_BLOB_GAS" => &["excess blob gas"],
        "INTRINSIC_GAS_TOO_LOW" => &["intrinsic gas too low"],
        "INTRINSIC_GAS_BELOW_FLOOR_GAS_COST" => &["floor"],
        "INVALID_REQUESTS" => &["requests_hash"],
        "INVALID_GASLIMIT" => &["gas limit"],
        "TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH" | "INVALID_VERSIONED_HASHES" => &["version"],
        "INSUFFICIENT_ACCOUNT_FUNDS" => &["insufficient funds"],
        "NONCE_MISMATCH_TOO_LOW" => &["nonce too low"],
        "NONCE_MISMATCH_TOO_HIGH" => &["nonce too high"],
        "GAS_ALLOWANCE_EXCEEDED" => &["exceeds the block's remaining"],
        "INVALID_WITHDRAWALS_ROOT" => &["withdrawals_root"],
        "INVALID_BLOCK_HASH" => &["parent hash", "unknown parent"],
        "SENDER_NOT_EOA" => &["externally owned"],
        "TYPE_1_TX_PRE_FORK" | "TYPE_2_TX_PRE_FORK" | "TYPE_3_TX_PRE_FORK"
        | "TYPE_4_TX_PRE_FORK" => &["not supported"],
        "INITCODE_SIZE_EXCEEDED" => &["initcode"],
        "RLP_STRUCTURES_ENCODING" | "TYPE_3_TX_WITH_FULL_BLOBS" => &["malformed block"],
        "INCORRECT_BLOCK_FORMAT" => &["incorrect block format", "malformed block"],
        "TYPE_3_TX_CONTRACT_CREATION" | "TYPE_4_TX_CONTRACT_CREATION" => {
            &["malformed block", "cannot create"]
        }
        "INVALID_DEPOSIT_EVENT_LAYOUT" => &["deposit event layout"],
        "INVALID_BASEFEE_PER_GAS" => &["base fee"],
        "INSUFFICIENT_MAX_FEE_PER_BLOB_GAS" => &["max fee per blob gas"],
        "INSUFFICIENT_MAX_FEE_PER_GAS" => &["below the base fee"],
        "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS" => &["priority fee"],
        "SYSTEM_CONTRACT_CALL_FAILED" => &["call failed"],
        "SYSTEM_CONTRACT_EMPTY" => &["has no code"],
        "TYPE_3_TX_ZERO_BLOBS" => &["no blob"],
        "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED" | "TYPE_3_TX_BLOB_COUNT_EXCEEDED" => {
            &["blob gas", "too many blobs"]
        }
        "TYPE_4_EMPTY_AUTHORIZATION_LIST" => &["empty authorization"],
        _ => return None,
    })
}

#[test]
fn rejections_name_the_rule() {
    let files = collect_files(&fixtures()).unwrap();
    let problems: Vec<String> = files
        .par_iter()
        .flat_map_iter(|file| {
            let tests = load_file(file).unwrap();
            let mut problems = Vec::new();
            for test in tests {
                if test.blocks.iter().all(|b| b.expect_exception.is_none()) {
                    continue;
                }
                let Ok(config) = test.config.clone() else {
                    continue;
                };
                let mut db = InMemoryDb::new();
                for (address, account) in &test.pre {
                    let (info, storage) = account.to_state();
                    db.insert_account(*address, info, storage);
                }
                let genesis = Block::decode(&test.genesis_rlp).unwrap();
                let mut chain = Chain::new(config, genesis, db).unwrap();
                for block in &test.blocks {
                    let result = block
                        .rlp
                        .clone()
                        .and_then(|rlp| {
                            Block::decode(&rlp).map_err(|e| format!("malformed block: {e}"))
                        })
                        .and_then(|b| chain.import(b).map(|_| ()).map_err(|e| e.to_string()));
                    let (Some(want), Err(got)) = (&block.expect_exception, result) else {
                        continue;
                    };
                    let mut known = false;
                    let matched = want.split('|').any(|alt| match expected_words(alt) {
                        Some(words) => {
                            known = true;
                            words.iter().any(|w| got.contains(w))
                        }
                        None => false,
                    });
                    if !matched {
                        problems.push(format!(
                            "{}: expected {want}{}, got `{got}`",
                            test.name,
                            if known { "" } else { " (unmapped)" }
                        ));
                    }
                }
            }
            problems
        })
        .collect();
    assert!(
        problems.is_empty(),
        "{} rejections for another reason:\n{}",
        problems.len(),
        problems[..problems.len().min(20)].join("\n")
    );
}

/// Words of Ember's error that match an exception name of the classic (ethereum/tests)
/// blockchain tests.
fn classic_expected_words(exception: &str) -> Option<&'static [&'static str]> {
    Some(match exception {
        "InvalidStateRoot" => &["state_root"],
        "InvalidReceiptsStateRoot" => &["receipts_root"],
        "InvalidTransactionsRoot" => &["transactions_root"],
        "InvalidUnclesHash" => &["ommers_hash"],
        "InvalidLogBloom" => &["logs_bloom"],
        "InvalidGasUsed" | "TooMuchGasUsed" => &["gas used"],
        "InvalidGasLimit" => &["gas limit"],
        "InvalidTimestamp" => &["timestamp"],
        "InvalidNumber" => &["block number"],
        "InvalidDifficulty" => &["difficulty"],
        "ExtraDataTooBig" => &["extra data"],
        "UnknownParent" => &["unknown parent"],
        "BlockGasLimitReached" => &["exceeds the block's remaining"],
        "UncleInChain"
        | "InvalidUncleParentHash"
        | "UncleTooOld"
        | "UncleIsBrother"
        | "TooManyUncles" => &["ommer"],
        _ => return None,
    })
}

/// The classic blockchain tests: every block the fixture names an exception for is rejected
/// for that rule (or, for an ommer, as an invalid ommer), on whichever branch it sits. The
/// one rule Ember does not check, an ommer's Ethash seal (`InvalidBlockNonce`), is printed.
#[test]
fn classic_rejections_name_the_rule() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fixtures/legacy-blockchain-tests");
    assert!(dir.is_dir(), "{} is missing", dir.display());
    let files = collect_files(&dir).unwrap();
    let checked = std::sync::atomic::AtomicUsize::new(0);
    let problems: Vec<String> = files
        .par_iter()
        .flat_map_iter(|file| {
            let tests = load_file(file).unwrap();
            let mut problems = Vec::new();
            for test in tests {
                let Ok(config) = test.config.clone() else {
                    continue;
                };
                let mut db = InMemoryDb::new();
                for (address, account) in &test.pre {
                    let (info, storage) = account.to_state();
                    db.insert_account(*address, info, storage);
                }
                let genesis = Block::decode(&test.genesis_rlp).unwrap();
                let mut chain = Chain::new(config, genesis, db).unwrap();
                for block in &test.blocks {
                    let result = block
                        .rlp
                        .clone()
                        .and_then(|rlp| {
                            Block::decode(&rlp).map_err(|e| format!("malformed block: {e}"))
                        })
                        .and_then(|b| chain.import(b).map(|_| ()).map_err(|e| e.to_string()));
                    let (Some(want), Err(got)) = (&block.expect_exception, result) else {
                        continue;
                    };
                    if want.starts_with("no blockHeader") {
                        continue; // invalid, with no rule named
                    }
                    if want == "InvalidBlockNonce" {
                        // An ommer's Ethash seal (nonce, mix hash) under sealEngine Ethash:
                        // Ember does not verify proof of work.
                        eprintln!(
                            "not checked: {} expects {want}; Ember does not verify Ethash \
                             seals and rejects the block with `{got}`",
                            test.name
                        );
                        continue;
                    }
                    let Some(words) = classic_expected_words(want) else {
                        problems.push(format!(
                            "{}: unmapped exception {want}, got `{got}`",
                            test.name
                        ));
                        continue;
                    };
                    checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if !words.iter().any(|w| got.contains(w)) {
                        problems.push(format!("{}: expected {want}, got `{got}`", test.name));
                    }
                }
            }
            problems
        })
        .collect();
    let checked = checked.into_inner();
    eprintln!("{checked} named rejections checked");
    assert!(checked > 350, "only {checked} named rejections checked");
    assert!(
        problems.is_empty(),
        "{} rejections for another reason:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
