//! `ember run` and the tracing flags of `ember statetest`, end to end.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn ember(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(args)
        .output()
        .unwrap()
}

fn ember_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("run-cli-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// PUSH1 1, PUSH1 2, ADD, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN: returns 3 as a word.
const ADD_AND_RETURN: &str = "600160020160005260206000f3";

#[test]
fn prints_the_return_data() {
    let out = ember(&["run", "--code", ADD_AND_RETURN]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), format!("0x{:064x}\n", 3));
    // the code as the argument, with 0x and blanks, is the same
    let out = ember(&["run", &format!(" 0x{ADD_AND_RETURN}\n")]);
    assert_eq!(stdout(&out), format!("0x{:064x}\n", 3));
}

#[test]
fn revert_and_halts_in_geths_words() {
    // PUSH1 0, PUSH1 0, REVERT
    let out = ember(&["run", "--code", "60006000fd"]);
    assert_eq!(stdout(&out), "0x\n error: execution reverted\n");
    assert_eq!(out.status.code(), Some(0), "geth exits 0");
    let out = ember(&["run", "--exit-code", "--code", "60006000fd"]);
    assert_eq!(out.status.code(), Some(1));
    // revert data comes out too: PUSH1 0xaa, PUSH1 0, MSTORE8, PUSH1 1, PUSH1 0, REVERT
    let out = ember(&["run", "--code", "60aa60005360016000fd"]);
    assert_eq!(stdout(&out), "0xaa\n error: execution reverted\n");
    for (code, error) in [
        ("01", "stack underflow (0 <=> 2)"),
        ("fe", "invalid opcode: INVALID"),
        ("0c", "invalid opcode: opcode 0xc not defined"),
        ("600056", "invalid jump destination"),
    ] {
        let out = ember(&["run", "--exit-code", "--code", code]);
        assert_eq!(stdout(&out), format!("0x\n error: {error}\n"), "{code}");
        assert_eq!(out.status.code(), Some(1), "{code}");
    }
    // JUMPDEST, PUSH1 0, JUMP: loops until the gas is gone
    let out = ember(&["run", "--gas", "1000", "--code", "5b600056"]);
    assert_eq!(stdout(&out), "0x\n error: out of gas\n");
}

#[test]
fn invalid_hex_is_a_clear_error() {
    for (code, want) in [
        ("6001zz", "unexpected 'z' at position 4"),
        ("600", "odd number of digits (3)"),
    ] {
        let out = ember(&["run", "--code", code]);
        assert_eq!(out.status.code(), Some(2), "{code}");
        let err = stderr(&out);
        assert!(err.contains("invalid hex") && err.contains(want), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(stdout(&out).is_empty());
    }
    let out = ember(&["run", "--code", "00", "--input", "0xg0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--input: invalid hex"));
}

#[test]
fn create_runs_initcode_and_prints_the_code() {
    // initcode: copy the 10 bytes after it (PUSH1 0x2a PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN)
    // to memory and return them.
    let runtime = "602a60005260206000f3";
    let initcode = format!("600a600c600039600a6000f3{runtime}");
    let out = ember(&["run", "--create", "--code", &initcode]);
    assert_eq!(stdout(&out), format!("0x{runtime}\n"));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn prestate_sets_accounts_and_block() {
    let dir = temp_dir("prestate");
    let genesis = dir.join("genesis.json");
    // The receiver returns NUMBER, TIMESTAMP, CHAINID, COINBASE and its own balance.
    std::fs::write(
        &genesis,
        r#"{
          "config": {"chainId": 5, "berlinBlock": 0, "londonBlock": 0, "shanghaiTime": 0, "cancunTime": 0},
          "coinbase": "0x00000000000000000000000000000000000000cc",
          "timestamp": "0x1234", "number": "77", "gasLimit": "0x100000", "difficulty": "0x20000",
          "alloc": {
            "0x0000000000000000000000000000000000000bbb": {
              "balance": "0x10",
              "code": "0x43600052426020524660405241606052476080526000546000526020600052600060a0f3"
            }
          }
        }"#,
    )
    .unwrap();
    // NUMBER, TIMESTAMP, CHAINID, COINBASE, SELFBALANCE stored at 0..160, returned.
    let code = "4360005242602052466040524160605247608052" // the five words
        .to_string()
        + "60a06000f3";
    let out = ember(&[
        "run",
        "--prestate",
        genesis.to_str().unwrap(),
        "--receiver",
        "0xbbb",
        "--code",
        &code,
    ]);
    let words: Vec<String> = [0x4d, 0x1234, 5, 0xcc, 0x10]
        .iter()
        .map(|v| format!("{v:064x}"))
        .collect();
    assert_eq!(
        stdout(&out),
        format!("0x{}\n", words.concat()),
        "{}",
        stderr(&out)
    );
    // a missing prestate file is a clear error
    let out = ember(&[
        "run",
        "--prestate",
        "/nonexistent/genesis.json",
        "--code",
        "00",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read prestate"));
}

#[test]
fn json_trace_has_a_line_per_step_and_one_per_frame() {
    let out = ember(&["run", "--json", "--code", ADD_AND_RETURN]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).is_empty(),
        "like geth, no result line when tracing"
    );
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 9, "{err}");
    assert_eq!(
        lines[0],
        r#"{"pc":0,"op":96,"gas":"0x2540be400","gasCost":"0x3","memSize":0,"stack":[],"depth":1,"refund":0,"opName":"PUSH1"}"#
    );
    assert_eq!(
        lines[8],
        format!(r#"{{"output":"{:064x}","gasUsed":"0x18"}}"#, 3)
    );
    // struct format, no stack
    let out = ember(&[
        "run",
        "--trace",
        "--trace.format=struct",
        "--trace.nostack",
        "--code",
        "600100",
    ]);
    assert_eq!(
        stderr(&out),
        "PUSH1           pc=00000000 gas=10000000000 cost=3\n\n\
         STOP            pc=00000002 gas=9999999997 cost=0\n\n"
    );
    // memory on request
    let out = ember(&[
        "run",
        "--trace",
        "--trace.nomemory=false",
        "--code",
        "60016000526000",
    ]);
    assert!(stderr(&out).contains(&format!(r#""memory":"0x{:064x}""#, 1)));
}

#[test]
fn statdump_and_profile() {
    let out = ember(&["run", "--statdump", "--code", ADD_AND_RETURN]);
    let err = stderr(&out);
    assert!(
        err.starts_with("EVM gas used:    24\nexecution time:  "),
        "{err}"
    );
    assert!(err.contains("\nallocations:     "), "{err}");
    assert!(err.contains("\nallocated bytes: "), "{err}");
    let dir = temp_dir("profile");
    let page = dir.join("p.html");
    let out = ember(&[
        "run",
        "--profile",
        page.to_str().unwrap(),
        "--code",
        ADD_AND_RETURN,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("MSTORE"));
}

fn fixture() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/add11_cancun.json")
}

#[test]
fn statetest_traces_to_stderr_and_prints_state_roots() {
    let out = ember(&["statetest", "--json", fixture()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let results: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["pass"], true);
    let root = results[0]["stateRoot"].as_str().unwrap().to_string();
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    // 6 steps, the frame's end, the state root, the closing line
    assert_eq!(lines.len(), 9, "{err}");
    assert!(lines[0].starts_with(r#"{"pc":0,"op":96,"#));
    assert_eq!(lines[6], r#"{"output":"","gasUsed":"0x5660"}"#);
    assert_eq!(lines[7], format!(r#"{{"stateRoot": "{root}"}}"#));
    assert_eq!(lines[8], "1 passed, 0 failed, 0 skipped");

    // without tracing: results and the state root only
    let out = ember(&["statetest", fixture()]);
    assert_eq!(
        stderr(&out),
        format!("{{\"stateRoot\": \"{root}\"}}\n1 passed, 0 failed, 0 skipped\n")
    );
}

#[test]
fn statetest_batch_mode_reads_file_names_from_stdin() {
    let input = format!("{}\n\n{}\n", fixture(), fixture());
    let out = ember_stdin(&["statetest", "--statetest.index", "0", "--dump"], &input);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let arrays: Vec<Vec<serde_json::Value>> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter()
        .map(|a| a.unwrap())
        .collect();
    assert_eq!(arrays.len(), 2, "one array per file name");
    let state = &arrays[0][0]["state"];
    assert!(state["accounts"].as_object().unwrap().len() >= 2, "{state}");
    assert_eq!(state["root"], arrays[0][0]["stateRoot"]);
    assert!(stderr(&out).ends_with("2 passed, 0 failed, 0 skipped\n"));
    // an index that does not exist runs nothing
    let out = ember(&["statetest", "--statetest.index", "7", fixture()]);
    assert_eq!(stdout(&out), "[]\n");
}
