//! `ember statetest` end to end: output shape, filters, exit codes, the closing line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

/// A valid state test with one Berlin and two Cancun post entries.
fn fixture() -> Value {
    let entry = |d: usize, root: &str| {
        json!({ "hash": format!("0x{}", root.repeat(32)), "logs": format!("0x{}", "22".repeat(32)),
                "indexes": { "data": d, "gas": 0, "value": 0 } })
    };
    json!({
        "alpha": {
            "env": {
                "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba",
                "currentGasLimit": "0x05f5e100", "currentNumber": "0x01",
                "currentTimestamp": "0x03e8", "currentDifficulty": "0x020000",
                "currentBaseFee": "0x0a"
            },
            "pre": {
                "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b": {
                    "balance": "0x0de0b6b3a7640000", "nonce": "0x00", "code": "0x", "storage": {}
                }
            },
            "transaction": {
                "data": ["0x", "0x01"], "gasLimit": ["0x061a80"], "gasPrice": "0x0a", "nonce": "0x00",
                "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8",
                "to": "0x0000000000000000000000000000000000001000", "value": ["0x00"]
            },
            "post": { "Berlin": [entry(0, "11")], "Cancun": [entry(0, "33"), entry(1, "44")] }
        }
    })
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("statetest-cli-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    dir
}

fn ember(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(args)
        .output()
        .unwrap()
}

fn last_stderr_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

/// The JSON arrays printed on stdout, one per path.
fn arrays(out: &Output) -> Vec<Vec<Value>> {
    serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Vec<Value>>()
        .map(|a| a.unwrap())
        .collect()
}

#[test]
fn json_output_per_path() {
    let dir = temp_dir("json");
    let file = dir.join("sub/alpha.json");
    std::fs::write(&file, fixture().to_string()).unwrap();
    std::fs::write(dir.join("sub/notes.txt"), "not a fixture").unwrap();
    let out = ember(&[
        "statetest",
        "--json",
        dir.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    let code = out.status.code().unwrap();
    assert!(code == 0 || code == 1, "exit {code}");
    let arrays = arrays(&out);
    assert_eq!(arrays.len(), 2, "one array per PATH");
    for results in &arrays {
        assert_eq!(results.len(), 3);
        let forks: Vec<_> = results
            .iter()
            .map(|r| r["fork"].as_str().unwrap())
            .collect();
        assert_eq!(forks, ["Berlin", "Cancun", "Cancun"]);
        for r in results {
            assert_eq!(r["name"], "alpha");
            assert!(r["stateRoot"].as_str().unwrap().starts_with("0x"));
            let pass = r["pass"].as_bool().unwrap();
            assert_eq!(
                r.get("error").is_some(),
                !pass,
                "error only on failure: {r}"
            );
        }
    }
    let passed = arrays
        .iter()
        .flatten()
        .filter(|r| r["pass"] == true)
        .count();
    assert_eq!(
        last_stderr_line(&out),
        format!("{passed} passed, {} failed, 0 skipped", 6 - passed)
    );
}

#[test]
fn filters() {
    let dir = temp_dir("filters");
    let file = dir.join("alpha.json");
    std::fs::write(&file, fixture().to_string()).unwrap();
    let path = file.to_str().unwrap();
    let count = |args: &[&str]| -> usize {
        let out = ember(&[&["statetest", "--json"], args, &[path]].concat());
        arrays(&out)[0].len()
    };
    assert_eq!(count(&["--fork", "Cancun"]), 2);
    assert_eq!(count(&["--fork", "berlin"]), 1);
    assert_eq!(count(&["--run", "^alp"]), 3);
    assert_eq!(count(&["--run", "beta"]), 0);
    let out = ember(&["statetest", "--fork", "Atlantis", path]);
    assert_eq!(out.status.code(), Some(2), "unknown fork is a usage error");
}

#[test]
fn bad_paths_exit_2_and_others_still_run() {
    let dir = temp_dir("bad");
    let good = dir.join("good.json");
    std::fs::write(&good, fixture().to_string()).unwrap();
    std::fs::write(dir.join("sub/empty.json"), "{}").unwrap();
    std::fs::write(dir.join("sub/broken.json"), "{\"alpha\": ").unwrap();
    let mut missing_post = fixture();
    missing_post["alpha"]
        .as_object_mut()
        .unwrap()
        .remove("post");
    std::fs::write(dir.join("sub/nopost.json"), missing_post.to_string()).unwrap();
    let missing = dir.join("missing.json");
    let out = ember(&[
        "statetest",
        "--json",
        missing.to_str().unwrap(),
        dir.join("sub").to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let arrays = arrays(&out);
    assert_eq!(arrays.iter().map(Vec::len).collect::<Vec<_>>(), [0, 0, 3]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("missing.json: no such file or directory"),
        "{err}"
    );
    assert!(err.contains("empty.json: holds no test"), "{err}");
    assert!(err.contains("broken.json: malformed JSON"), "{err}");
    assert!(
        err.contains("nopost.json: test `alpha`: post: missing"),
        "{err}"
    );
    assert!(last_stderr_line(&out).ends_with(" failed, 0 skipped"));
}

#[test]
fn human_output() {
    let dir = temp_dir("human");
    let file = dir.join("alpha.json");
    std::fs::write(&file, fixture().to_string()).unwrap();
    let out = ember(&["statetest", "--human", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let failures = stdout
        .lines()
        .filter(|l| l.starts_with("FAIL alpha "))
        .count();
    assert_eq!(
        stdout.lines().count(),
        failures,
        "only failure lines: {stdout}"
    );
    assert_eq!(
        last_stderr_line(&out),
        format!("{} passed, {failures} failed, 0 skipped", 3 - failures)
    );
    assert_eq!(out.status.code(), Some(if failures == 0 { 0 } else { 1 }));
}
