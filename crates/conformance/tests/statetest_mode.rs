//! State-test cases through the block executor: on an evenly spaced sample of the fixture
//! files, state-test mode gives the state-test runner's outcome (root, logs hash, rejection)
//! and the fixture's expectation, and every real one-transaction block that applies agrees
//! with it. The full suites run with `ember blocktest --statetest-mode` (see README).

use std::path::{Path, PathBuf};

use ember_conformance::statetest_mode::{execute_case, BlockComparison};
use ember_conformance::{check, collect_files, load_file};
use rayon::prelude::*;

fn fixture_dir(rel: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/fixtures")
        .join(rel);
    assert!(
        dir.is_dir(),
        "{} is missing: run ../shared/fixtures/unpack from the workspace root",
        dir.display()
    );
    dir
}

/// Every `step`-th file of the sorted list.
fn sample(rel: &str, step: usize) -> Vec<PathBuf> {
    let mut files = collect_files(&fixture_dir(rel)).unwrap();
    files.sort();
    files.into_iter().step_by(step).collect()
}

fn run(files: &[PathBuf]) -> (usize, usize) {
    let results: Vec<(usize, usize, Vec<String>)> = files
        .par_iter()
        .map(|file| {
            let mut failures = Vec::new();
            let (mut cases, mut agreed) = (0, 0);
            for case in load_file(file).unwrap() {
                cases += 1;
                let (outcome, comparison) = execute_case(&case, true);
                let reference = ember_conformance::execute(&case);
                if outcome.state_root != reference.state_root
                    || outcome.logs_hash != reference.logs_hash
                    || outcome.invalid.is_some() != reference.invalid.is_some()
                {
                    failures.push(format!("{}: {outcome:?} vs {reference:?}", case.id()));
                }
                let report = check(&case, &outcome);
                if !report.pass {
                    failures.push(format!("{}: {:?}", case.id(), report.error));
                }
                match comparison {
                    BlockComparison::Agree => agreed += 1,
                    BlockComparison::Differ(why) => failures.push(format!("{}: {why}", case.id())),
                    BlockComparison::NotApplicable(_) => {}
                }
            }
            (cases, agreed, failures)
        })
        .collect();
    let failures: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    assert!(
        failures.is_empty(),
        "{} failures: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
    (
        results.iter().map(|r| r.0).sum(),
        results.iter().map(|r| r.1).sum(),
    )
}

#[test]
fn general_state_tests_sample() {
    let (cases, agreed) = run(&sample("ethereum-tests/GeneralStateTests", 97));
    assert!(cases > 300, "{cases}");
    assert!(agreed > 50, "{agreed}");
}

#[test]
fn execution_spec_state_tests_sample() {
    let (cases, agreed) = run(&sample("execution-spec-tests/state_tests", 23));
    assert!(cases > 300, "{cases}");
    assert!(agreed > 200, "{agreed}");
}
