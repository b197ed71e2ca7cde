//! Runs the ethereum/tests `TransactionTests` fixtures for every fork they cover (Frontier to
//! Cancun, Prague when present) and requires every case to pass.
//!
//! The fixtures live at `target/fixtures/ethereum-tests/TransactionTests` of the workspace
//! (unpack them with `../shared/fixtures/unpack` from the workspace root), or wherever
//! `EMBER_TRANSACTION_TESTS` points.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ember_conformance::transaction_tests::run_path_report;
use ember_primitives::Fork;

fn fixtures_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("EMBER_TRANSACTION_TESTS") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/fixtures/ethereum-tests/TransactionTests")
}

#[test]
fn transaction_tests() {
    let dir = fixtures_dir();
    assert!(
        dir.is_dir(),
        "TransactionTests fixtures not found at {}: run `../shared/fixtures/unpack` from the workspace \
         root (or set EMBER_TRANSACTION_TESTS)",
        dir.display()
    );
    let report = run_path_report(&dir, None);

    let mut per_fork: BTreeMap<Fork, (usize, usize)> = BTreeMap::new();
    let mut failures = 0;
    for case in report.cases.iter().filter(|c| c.fork <= Fork::Prague) {
        let entry = per_fork.entry(case.fork).or_default();
        if case.pass {
            entry.0 += 1;
        } else {
            entry.1 += 1;
            failures += 1;
            println!(
                "FAIL {} `{}` [{}]: {}",
                case.file.display(),
                case.name,
                case.fork,
                case.message.as_deref().unwrap_or("")
            );
        }
    }
    for (fork, (pass, fail)) in &per_fork {
        println!("{:>18}: {pass} passed, {fail} failed", fork.to_string());
    }
    for error in &report.file_errors {
        println!("FILE ERROR {error}");
    }
    for skipped in &report.skipped {
        println!("SKIPPED (unknown fork) {skipped}");
    }
    let total: usize = per_fork.values().map(|(p, f)| p + f).sum();
    assert!(
        total > 0,
        "no TransactionTests cases found under {}",
        dir.display()
    );
    assert!(
        report.file_errors.is_empty(),
        "{} fixture files could not be run",
        report.file_errors.len()
    );
    assert_eq!(
        failures, 0,
        "{failures} of {total} TransactionTests cases failed"
    );
}
