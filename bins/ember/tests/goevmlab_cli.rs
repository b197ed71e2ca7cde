//! `ember` driven exactly as goevmlab drives geth's `evm`: the trace flags before the
//! subcommand (`evm --json --noreturndata --nomemory statetest FILE`), and the batch form
//! that reads file names from standard input. Checks the results arrays on stdout and the
//! trace and state-root lines on stderr against geth's form.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const ADD11: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/add11_cancun.json");

/// add11's expected post-state root, read from the fixture's `hash`.
fn add11_root() -> String {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(ADD11).unwrap()).unwrap();
    doc["add11"]["post"]["Cancun"][0]["hash"]
        .as_str()
        .expect("add11 has a Cancun post hash")
        .to_string()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("goevmlab-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// add11 with a wrong expected root, so its one case fails.
fn failing_copy(dir: &Path) -> PathBuf {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(ADD11).unwrap()).unwrap();
    doc["add11"]["post"]["Cancun"][0]["hash"] = Value::String(format!("0x{}", "11".repeat(32)));
    let path = dir.join("add11_wrong_root.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

fn ember(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

/// The results arrays on stdout, in order.
fn arrays(out: &Output) -> Vec<Vec<Value>> {
    serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Vec<Value>>()
        .map(|a| a.expect("stdout holds only JSON arrays"))
        .collect()
}

fn is_hex_word(s: &str) -> bool {
    let Some(digits) = s.strip_prefix("0x") else {
        return false;
    };
    !digits.is_empty()
        && digits.len() <= 64
        && digits
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        && (digits == "0" || !digits.starts_with('0'))
}

/// Checks the keys of a JSON object, in the order `text` writes them (serde_json's `Value`
/// sorts them, so the order is read from the text).
fn check_key_order(text: &str, keys: &[&str]) {
    let mut at = 0;
    for key in keys {
        let quoted = format!("\"{key}\":");
        let found = text[at..]
            .find(&quoted)
            .unwrap_or_else(|| panic!("{key} missing or out of order in {text}"));
        at += found + quoted.len();
    }
}

/// Checks one results entry has geth's keys and values.
fn check_result(r: &Value, pass: bool) {
    let obj = r.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    if pass {
        assert_eq!(keys, ["fork", "name", "pass", "stateRoot"], "{r}");
    } else {
        assert_eq!(keys, ["error", "fork", "name", "pass", "stateRoot"], "{r}");
        assert!(!r["error"].as_str().unwrap().is_empty());
    }
    assert_eq!(r["name"], "add11");
    assert_eq!(r["pass"], pass);
    assert_eq!(r["fork"], "Cancun");
    assert_eq!(r["stateRoot"], add11_root());
}

/// geth's order of a result's keys, checked on the raw stdout.
fn check_results_text(out: &Output) {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    for entry in text.split('{').skip(1) {
        check_key_order(entry, &["name", "pass", "stateRoot", "fork"]);
    }
}

/// What stderr holds: trace step lines, per-transaction summaries, state-root lines.
#[derive(Default)]
struct Stderr {
    steps: Vec<Value>,
    step_lines: Vec<String>,
    summaries: Vec<Value>,
    roots: Vec<String>,
    other: Vec<String>,
}

fn split_stderr(out: &Output) -> Stderr {
    let mut s = Stderr::default();
    for line in String::from_utf8(out.stderr.clone()).unwrap().lines() {
        if line.starts_with("{\"stateRoot\": ") {
            // geth writes this line with a space after the colon
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v.as_object().unwrap().len(), 1, "{line}");
            s.roots.push(v["stateRoot"].as_str().unwrap().to_string());
        } else if line.starts_with("{\"pc\":") {
            s.steps.push(serde_json::from_str(line).unwrap());
            s.step_lines.push(line.to_string());
        } else if line.starts_with("{\"output\":") {
            s.summaries.push(serde_json::from_str(line).unwrap());
        } else {
            s.other.push(line.to_string());
        }
    }
    s
}

/// Checks a step line is in geth's form: its keys in order, numbers and hex where geth has
/// them, no memory or return data (both switched off).
fn check_step(line: &str, step: &Value) {
    check_key_order(
        line,
        &[
            "pc", "op", "gas", "gasCost", "memSize", "stack", "depth", "refund", "opName",
        ],
    );
    let mut keys: Vec<&str> = step
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.retain(|k| *k != "error");
    assert_eq!(keys.len(), 9, "{line}");
    for key in ["pc", "op", "memSize", "depth", "refund"] {
        assert!(step[key].is_u64(), "{key} is a number: {step}");
    }
    for key in ["gas", "gasCost"] {
        assert!(is_hex_word(step[key].as_str().unwrap()), "{key}: {step}");
    }
    for item in step["stack"].as_array().unwrap() {
        assert!(is_hex_word(item.as_str().unwrap()), "stack item {item}");
    }
    assert!(step["opName"].is_string());
}

/// add11's trace: PUSH1 1, PUSH1 1, ADD, PUSH1 0, SSTORE, STOP.
fn check_add11_trace(lines: &[String], steps: &[Value]) {
    let ops: Vec<&str> = steps
        .iter()
        .map(|s| s["opName"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["PUSH1", "PUSH1", "ADD", "PUSH1", "SSTORE", "STOP"]);
    let pcs: Vec<u64> = steps.iter().map(|s| s["pc"].as_u64().unwrap()).collect();
    assert_eq!(pcs, [0, 2, 4, 5, 7, 8]);
    for (line, step) in lines.iter().zip(steps) {
        check_step(line, step);
        assert_eq!(step["depth"], 1);
    }
    // gas falls by each gasCost
    for pair in steps.windows(2) {
        let gas =
            |s: &Value, k: &str| u64::from_str_radix(&s[k].as_str().unwrap()[2..], 16).unwrap();
        assert_eq!(
            gas(&pair[0], "gas") - gas(&pair[0], "gasCost"),
            gas(&pair[1], "gas")
        );
    }
    assert_eq!(steps[0]["gas"], "0x5c878");
    assert_eq!(steps[4]["stack"], serde_json::json!(["0x2", "0x0"]));
    assert_eq!(steps[4]["gasCost"], "0x5654");
}

#[test]
fn json_before_the_subcommand_with_a_file() {
    let out = ember(
        &["--json", "--noreturndata", "--nomemory", "statetest", ADD11],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let arrays = arrays(&out);
    assert_eq!(arrays.len(), 1);
    assert_eq!(arrays[0].len(), 1);
    check_result(&arrays[0][0], true);
    check_results_text(&out);
    let err = split_stderr(&out);
    check_add11_trace(&err.step_lines, &err.steps);
    assert_eq!(err.roots, [add11_root()]);
    assert_eq!(err.summaries.len(), 1);
    assert_eq!(err.summaries[0]["gasUsed"], "0x5660");
    assert_eq!(err.other, ["1 passed, 0 failed, 0 skipped"]);
    // the state-root line follows the case's trace
    let text = String::from_utf8(out.stderr).unwrap();
    let root_at = text.find("{\"stateRoot\"").unwrap();
    assert!(text.rfind("{\"pc\":").unwrap() < root_at);
}

#[test]
fn same_output_with_the_flags_after_the_subcommand() {
    let before = ember(&["--json", "--nomemory", "statetest", ADD11], None);
    let after = ember(&["statetest", "--json", "--nomemory", ADD11], None);
    assert_eq!(before.stdout, after.stdout);
    assert_eq!(before.stderr, after.stderr);
    assert!(!before.stderr.is_empty());
}

#[test]
fn batch_mode_reads_file_names_from_stdin() {
    let dir = temp_dir("batch");
    let wrong = failing_copy(&dir);
    let names = format!("{ADD11}\n{}\n\n{ADD11}\n", wrong.display());
    let out = ember(
        &["--json", "--noreturndata", "--nomemory", "statetest"],
        Some(&names),
    );
    // one case failed
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let arrays = arrays(&out);
    assert_eq!(
        arrays.len(),
        3,
        "one array per file name, blank lines skipped"
    );
    check_result(&arrays[0][0], true);
    check_result(&arrays[1][0], false);
    check_result(&arrays[2][0], true);
    check_results_text(&out);
    let err = split_stderr(&out);
    assert_eq!(err.roots, vec![add11_root(); 3]);
    assert_eq!(err.steps.len(), 18);
    for (lines, case) in err.step_lines.chunks(6).zip(err.steps.chunks(6)) {
        check_add11_trace(lines, case);
    }
    assert_eq!(err.other, ["2 passed, 1 failed, 0 skipped"]);
}

#[test]
fn batch_mode_without_tracing_prints_roots_only() {
    let out = ember(&["statetest"], Some(&format!("{ADD11}\n")));
    assert_eq!(out.status.code(), Some(0));
    let err = split_stderr(&out);
    assert!(err.steps.is_empty());
    assert_eq!(err.roots, [add11_root()]);
    check_result(&arrays(&out)[0][0], true);
}

#[test]
fn batch_mode_missing_file_gives_an_empty_array_and_exit_2() {
    let out = ember(&["--json", "statetest"], Some("/no/such/fixture.json\n"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(arrays(&out), [Vec::<Value>::new()]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.lines()
            .next()
            .unwrap()
            .contains("/no/such/fixture.json"),
        "{err}"
    );
}
