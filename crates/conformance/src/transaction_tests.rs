//! Runner for the ethereum/tests `TransactionTests` fixtures.
//!
//! Each fixture file is a JSON object of named tests; a test has `txbytes` and a `result` object
//! keyed by fork name, each either `{hash, sender, intrinsicGas}` (the transaction is valid in
//! that fork) or `{exception}` (it is not). A valid case passes when [`validate`] accepts the
//! bytes with the expected sender and hash and [`intrinsic_gas`] matches `intrinsicGas`; an
//! invalid case passes when [`validate`] rejects the bytes, for any reason (kept in the message).

use std::fs;
use std::path::{Path, PathBuf};

use ember_primitives::{hex, Address, Fork, Spec, B256};
use serde_json::Value;

use ember_transaction::{intrinsic_gas, validate, Transaction};

/// The outcome of one test in one fork.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// The fixture file.
    pub file: PathBuf,
    /// The test name inside the file.
    pub name: String,
    /// The fork of this case.
    pub fork: Fork,
    /// Whether Ember agrees with the fixture.
    pub pass: bool,
    /// Why it failed, or for an expected rejection which error Ember reported.
    pub message: Option<String>,
}

/// Everything a run produced: the cases, the files that could not be run, and the cases skipped
/// because their fork name is unknown to [`Fork`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// One entry per test and fork.
    pub cases: Vec<CaseResult>,
    /// Files (or tests inside them) that are unreadable or malformed, each naming the file and
    /// the problem.
    pub file_errors: Vec<String>,
    /// `file: test: fork` for each result under a fork name [`Fork`] does not parse.
    pub skipped: Vec<String>,
}

/// Runs every `*.json` under `path` (a file or a directory, recursively, in path order),
/// optionally only the results of `fork_filter`. Returns the cases and, separately, one message
/// per file that is unreadable or malformed JSON (the other files still run).
pub fn run_path(path: &Path, fork_filter: Option<Fork>) -> (Vec<CaseResult>, Vec<String>) {
    let report = run_path_report(path, fork_filter);
    (report.cases, report.file_errors)
}

/// Like [`run_path`], with the skipped cases too.
pub fn run_path_report(path: &Path, fork_filter: Option<Fork>) -> Report {
    let mut report = Report::default();
    let mut files = Vec::new();
    collect_json(path, &mut files, &mut report.file_errors);
    files.sort();
    for file in files {
        run_file(&file, fork_filter, &mut report);
    }
    report
}

fn collect_json(path: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<String>) {
    if path.is_file() {
        files.push(path.to_path_buf());
        return;
    }
    let entries = match fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(format!("{}: cannot read directory: {e}", path.display()));
            return;
        }
    };
    for entry in entries {
        match entry {
            Ok(entry) => {
                let p = entry.path();
                if p.is_dir() {
                    collect_json(&p, files, errors);
                } else if p.extension().is_some_and(|e| e == "json") {
                    files.push(p);
                }
            }
            Err(e) => errors.push(format!("{}: cannot list directory: {e}", path.display())),
        }
    }
}

/// Runs one fixture file, appending to `report`.
pub fn run_file(file: &Path, fork_filter: Option<Fork>, report: &mut Report) {
    let text = match fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            report
                .file_errors
                .push(format!("{}: cannot read: {e}", file.display()));
            return;
        }
    };
    let json: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            report
                .file_errors
                .push(format!("{}: malformed JSON: {e}", file.display()));
            return;
        }
    };
    let Some(tests) = json.as_object() else {
        report.file_errors.push(format!(
            "{}: top level is not an object of tests",
            file.display()
        ));
        return;
    };
    for (name, test) in tests {
        let bad = |what: &str| format!("{}: test `{name}`: {what}", file.display());
        let Some(txbytes) = test.get("txbytes").and_then(Value::as_str) else {
            report.file_errors.push(bad("missing `txbytes` string"));
            continue;
        };
        let bytes = match hex::decode(txbytes) {
            Ok(b) => b,
            Err(e) => {
                report
                    .file_errors
                    .push(bad(&format!("`txbytes` is not hex: {e}")));
                continue;
            }
        };
        let Some(results) = test.get("result").and_then(Value::as_object) else {
            report.file_errors.push(bad("missing `result` object"));
            continue;
        };
        for (fork_name, expect) in results {
            let fork: Fork = match fork_name.parse() {
                Ok(f) => f,
                Err(_) => {
                    report
                        .skipped
                        .push(format!("{}: {name}: {fork_name}", file.display()));
                    continue;
                }
            };
            if fork_filter.is_some_and(|f| f != fork) {
                continue;
            }
            let (pass, message) = match run_case(&bytes, fork, expect) {
                Ok(message) => (true, message),
                Err(message) => (false, Some(message)),
            };
            report.cases.push(CaseResult {
                file: file.to_path_buf(),
                name: name.clone(),
                fork,
                pass,
                message,
            });
        }
    }
}

/// Runs one case: `Ok(note)` when Ember agrees with the fixture, `Err(why)` when not.
fn run_case(bytes: &[u8], fork: Fork, expect: &Value) -> Result<Option<String>, String> {
    let spec = Spec::of(fork);
    let outcome = validate(bytes, spec);
    if let Some(exception) = expect.get("exception") {
        let exception = exception.as_str().unwrap_or("?");
        return match outcome {
            Err(e) => Ok(Some(format!("expected {exception}; rejected: {e}"))),
            Ok((sender, _)) => Err(format!(
                "expected {exception}, but the transaction is valid (sender {sender})"
            )),
        };
    }
    let field = |key: &str| {
        expect
            .get(key)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("fixture result has neither `exception` nor a `{key}` string"))
    };
    let want_hash: B256 = field("hash")?
        .parse()
        .map_err(|e| format!("bad `hash` in fixture: {e}"))?;
    let want_sender: Address = field("sender")?
        .parse()
        .map_err(|e| format!("bad `sender` in fixture: {e}"))?;
    let want_gas = parse_u64(field("intrinsicGas")?).ok_or("bad `intrinsicGas` in fixture")?;

    let (sender, hash) = outcome.map_err(|e| format!("expected valid, but rejected: {e}"))?;
    if sender != want_sender {
        return Err(format!("sender {sender}, expected {want_sender}"));
    }
    if hash != want_hash {
        return Err(format!("hash {hash}, expected {want_hash}"));
    }
    let tx = Transaction::decode(bytes).map_err(|e| format!("re-decoding failed: {e}"))?;
    let gas = intrinsic_gas(spec, &tx.to_env(sender));
    if gas != want_gas {
        return Err(format!("intrinsic gas {gas}, expected {want_gas}"));
    }
    Ok(None)
}

/// Parses a `0x`-prefixed hex or a decimal quantity.
fn parse_u64(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some("") => Some(0),
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}
