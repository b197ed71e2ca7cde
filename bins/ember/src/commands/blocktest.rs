//! `ember blocktest [--fork NAME] [--run REGEX] [--human] [--json] PATH...`
//!
//! Runs blockchain-test fixtures (execution-spec-tests `blockchain_tests`): imports the
//! genesis and every block, checks that blocks with `expectException` are rejected and the
//! others accepted, then compares the final state and head hash. Output like
//! `ember statetest`: per PATH a JSON array of `{"name","pass","stateRoot","fork","error"}`
//! on stdout, or with `--human` one line per failure and a progress bar. The last line on
//! stderr is always `N passed, N failed, N skipped` (skipped: networks Ember does not run).
//! Exit status: 2 when a path is missing or a file cannot be loaded, else 1 when a test
//! failed, else 0.
//!
//! `ember blocktest --bench [--bench-runs N] PATH...` times each selected test instead: the
//! blocks' import (RLP decoding, header checks, execution, receipts and state root; fixture
//! parsing and the pre-state excluded), run N times (default 5, at least 5) from a fresh
//! pre-state without any precompile memo. One JSON line per test on stdout
//! (`name, file, network, gasUsed, blocks, runs, medianNs, mgasPerSec, pass, error`) and a
//! table sorted slowest (lowest Mgas/s) first on stderr. Tests run one at a time.
//!
//! A test whose network names a fork Ember lacks is skipped, and the skip is printed on
//! stderr with its network (`SKIP name network: reason`).
//!
//! `ember blocktest --statetest-mode PATH...` takes *state-test* fixtures instead
//! (GeneralStateTests, execution-spec-tests `state_tests`) and runs every case through the
//! block executor in state-test mode, checking root, logs hash and rejection as
//! `ember statetest` does; Paris-and-later cases with a valid transaction also run as a real
//! one-transaction block whose status, gas used and logs must equal the state-test runner's
//! (`ember_conformance::statetest_mode`). Same output and last stderr line; before it, a line
//! `real blocks: N agree, N differ, N not applicable`.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use ember_conformance::blocktest::{
    bench_test, collect_files, load_file, run_files, BenchReport, BlockTest, Event, Filter,
    PrecompileCache, RunSummary, TestReport,
};
use ember_primitives::Fork;
use indicatif::{ProgressBar, ProgressStyle};
use regex::Regex;
use serde::Serialize;

/// Arguments of `ember blocktest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run only the tests whose network runs this fork (a transition network such as
    /// ShanghaiToCancunAtTime15k matches both of its forks).
    #[arg(long, value_name = "NAME", value_parser = parse_fork)]
    fork: Option<Fork>,

    /// Run only the tests whose name matches this regular expression.
    #[arg(long, value_name = "REGEX", value_parser = Regex::new)]
    run: Option<Regex>,

    /// One line per failure and a progress bar on stderr (the default when stdout is a
    /// terminal).
    #[arg(long, conflicts_with = "json")]
    human: bool,

    /// A JSON array of results per PATH on stdout (the default when stdout is not a terminal).
    #[arg(long)]
    json: bool,

    /// The PATHs are state-test fixtures: run each case through the block executor in
    /// state-test mode, and Paris-and-later valid transactions as real one-transaction blocks.
    #[arg(long = "statetest-mode")]
    statetest_mode: bool,

    /// Time each test's block imports (median of --bench-runs fresh runs, no precompile
    /// memo): JSON lines on stdout and a table sorted slowest first on stderr.
    #[arg(long, conflicts_with = "statetest_mode")]
    bench: bool,

    /// Runs per test with --bench (the median is reported; at least 5).
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(5..))]
    bench_runs: u32,

    /// Fixture files, or directories searched recursively for `*.json` files.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

fn parse_fork(name: &str) -> Result<Fork, String> {
    name.parse::<Fork>().map_err(|e| e.to_string())
}

/// Runs the command and returns its exit status.
pub fn run(args: Args) -> ExitCode {
    let human = args.human || (!args.json && io::stdout().is_terminal());
    if args.statetest_mode {
        return run_statetest_mode(&args, human);
    }
    if args.bench {
        return run_bench(&args);
    }
    let filter = Filter {
        fork: args.fork,
        name: args.run,
    };
    let cache = ember_conformance::shared_precompile_cache();
    let mut total = RunSummary::default();
    for path in &args.paths {
        let summary = match collect_files(path) {
            Ok(files) if human => run_human(path, &files, &filter, &cache),
            Ok(files) => run_json(&files, &filter, &cache),
            Err(e) => {
                eprintln!("{e}");
                if !human {
                    print_json(&[]);
                }
                RunSummary {
                    load_errors: vec![e],
                    ..RunSummary::default()
                }
            }
        };
        total.merge(summary);
    }
    eprintln!("{}", total.line());
    ExitCode::from(total.exit_code())
}

/// One result as geth's `evm blocktest` prints it.
#[derive(Serialize)]
struct JsonResult<'a> {
    name: &'a str,
    pass: bool,
    #[serde(rename = "stateRoot")]
    state_root: String,
    fork: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

fn print_json(reports: &[TestReport]) {
    let results: Vec<JsonResult<'_>> = reports
        .iter()
        .map(|r| JsonResult {
            name: &r.name,
            pass: r.pass,
            state_root: r.state_root.to_string(),
            fork: &r.network,
            error: if r.pass { None } else { r.error.as_deref() },
        })
        .collect();
    let mut out = io::stdout().lock();
    let written = serde_json::to_writer_pretty(&mut out, &results)
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("ember blocktest: cannot write results: {e}");
    }
}

fn run_json(files: &[PathBuf], filter: &Filter, cache: &PrecompileCache) -> RunSummary {
    let progress = |event: Event<'_>| match event {
        Event::LoadFailed(e) => eprintln!("{e}"),
        Event::Skipped { test, reason } => print_skip(test, reason),
        _ => {}
    };
    let mut summary = run_files(files, filter, Some(cache), &progress);
    print_json(&summary.reports);
    summary.reports = Vec::new();
    summary
}

fn print_skip(test: &BlockTest, reason: &str) {
    eprintln!(
        "SKIP {} {} {}: {reason}",
        test.name,
        test.network,
        test.file.display()
    );
}

/// One `--bench` result as a JSON line.
#[derive(Serialize)]
struct BenchJson<'a> {
    name: &'a str,
    file: String,
    network: &'a str,
    #[serde(rename = "gasUsed")]
    gas_used: u64,
    blocks: usize,
    runs: usize,
    #[serde(rename = "medianNs")]
    median_ns: u64,
    #[serde(rename = "mgasPerSec")]
    mgas_per_sec: f64,
    pass: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

fn run_bench(args: &Args) -> ExitCode {
    let filter = Filter {
        fork: args.fork,
        name: args.run.clone(),
    };
    let runs = args.bench_runs as usize;
    let mut total = RunSummary::default();
    let mut reports: Vec<BenchReport> = Vec::new();
    let mut out = io::stdout().lock();
    for path in &args.paths {
        let files = match collect_files(path) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("{e}");
                total.load_errors.push(e);
                continue;
            }
        };
        for file in files {
            let tests = match load_file(&file) {
                Ok(tests) => tests,
                Err(e) => {
                    eprintln!("{e}");
                    total.load_errors.push(e);
                    continue;
                }
            };
            for test in tests.iter().filter(|t| filter.matches(t)) {
                if let Err(reason) = &test.config {
                    print_skip(test, reason);
                    total.skipped += 1;
                    continue;
                }
                let report = bench_test(test, runs);
                let line = BenchJson {
                    name: &report.name,
                    file: report.file.display().to_string(),
                    network: &report.network,
                    gas_used: report.gas_used,
                    blocks: report.blocks,
                    runs: report.runs_ns.len(),
                    median_ns: report.median_ns(),
                    mgas_per_sec: report.mgas_per_sec(),
                    pass: report.error.is_none(),
                    error: report.error.as_deref(),
                };
                if let Ok(text) = serde_json::to_string(&line) {
                    let _ = writeln!(out, "{text}");
                }
                if report.error.is_none() {
                    total.passed += 1;
                } else {
                    total.failed += 1;
                }
                reports.push(report);
            }
        }
    }
    let _ = out.flush();
    print_bench_table(&mut reports, runs);
    eprintln!("{}", total.line());
    ExitCode::from(total.exit_code())
}

/// The table of `--bench`, slowest (lowest Mgas/s) first; tests without gas, then failures,
/// last.
fn print_bench_table(reports: &mut [BenchReport], runs: usize) {
    // Failures and blocks that use no gas (no Mgas/s to speak of) go last.
    reports.sort_by(|a, b| {
        a.error
            .is_some()
            .cmp(&b.error.is_some())
            .then((a.gas_used == 0).cmp(&(b.gas_used == 0)))
            .then(a.mgas_per_sec().total_cmp(&b.mgas_per_sec()))
    });
    let mut err = io::stderr().lock();
    let _ = writeln!(
        err,
        "{:>10} {:>12} {:>12}  test (median of {runs} imports, slowest first)",
        "Mgas/s", "gas used", "median ms"
    );
    let mut gas = 0u128;
    let mut ns = 0u128;
    for r in reports.iter() {
        let status = r
            .error
            .as_deref()
            .map_or(String::new(), |e| format!("  FAIL: {e}"));
        let _ = writeln!(
            err,
            "{:>10.1} {:>12} {:>12.3}  {}{status}",
            r.mgas_per_sec(),
            r.gas_used,
            r.median_ns() as f64 / 1e6,
            r.name
        );
        if r.error.is_none() {
            gas += u128::from(r.gas_used);
            ns += u128::from(r.median_ns());
        }
    }
    if ns > 0 {
        let _ = writeln!(
            err,
            "total: {:.1} Mgas in {:.3} s of medians, {:.1} Mgas/s",
            gas as f64 / 1e6,
            ns as f64 / 1e9,
            gas as f64 * 1e3 / ns as f64
        );
    }
}

fn run_human(
    path: &Path,
    files: &[PathBuf],
    filter: &Filter,
    cache: &PrecompileCache,
) -> RunSummary {
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40.cyan/blue}] {pos}/{len} files {prefix} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix(path.display().to_string());
    let passed = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let progress = |event: Event<'_>| match event {
        Event::Test(report) if report.pass => {
            passed.fetch_add(1, Ordering::Relaxed);
        }
        Event::Test(report) => {
            failed.fetch_add(1, Ordering::Relaxed);
            let reason = report.error.as_deref().unwrap_or("failed");
            bar.suspend(|| {
                let _ = writeln!(
                    io::stdout().lock(),
                    "FAIL {} {} {}: {reason}",
                    report.name,
                    report.network,
                    report.file.display()
                );
            });
        }
        Event::LoadFailed(e) => bar.suspend(|| eprintln!("{e}")),
        Event::Skipped { test, reason } => bar.suspend(|| print_skip(test, reason)),
        Event::FileDone(_) => {
            bar.inc(1);
            bar.set_message(format!(
                "{} passed, {} failed",
                passed.load(Ordering::Relaxed),
                failed.load(Ordering::Relaxed)
            ));
        }
    };
    let mut summary = run_files(files, filter, Some(cache), &progress);
    summary.reports = Vec::new();
    bar.finish_and_clear();
    summary
}

// ---------------------------------------------------------------------------------------------
// --statetest-mode: state-test fixtures through the block executor.

/// One state-test case result, as `ember statetest` prints it.
#[derive(Serialize)]
struct CaseJson {
    name: String,
    pass: bool,
    #[serde(rename = "stateRoot")]
    state_root: String,
    fork: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn run_statetest_mode(args: &Args, human: bool) -> ExitCode {
    use ember_conformance::statetest_mode::{execute_case, BlockComparison};
    use ember_conformance::{Case, Keep};

    ember_conformance::capture_executor_panics();
    let filter = ember_conformance::Filter::new(args.fork, args.run.clone());
    let agree = AtomicUsize::new(0);
    let differ = AtomicUsize::new(0);
    let not_applicable = AtomicUsize::new(0);
    let exec = |case: &Case| {
        let (outcome, comparison) = execute_case(case, true);
        let counter = match comparison {
            BlockComparison::Agree => &agree,
            BlockComparison::Differ(_) => &differ,
            BlockComparison::NotApplicable(_) => &not_applicable,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        outcome
    };
    let progress = |event: ember_conformance::Event<'_>| match event {
        ember_conformance::Event::LoadFailed(e) => eprintln!("{e}"),
        ember_conformance::Event::Case(report) if human && !report.pass => {
            let reason = report.error.as_deref().unwrap_or("failed");
            let _ = writeln!(io::stdout().lock(), "FAIL {}: {reason}", report.case);
        }
        _ => {}
    };
    let keep = if human { Keep::Nothing } else { Keep::All };
    let mut total = ember_conformance::RunSummary::default();
    for path in &args.paths {
        let summary = match ember_conformance::collect_files(path) {
            Ok(files) => ember_conformance::run_files(&files, &filter, keep, &exec, &progress),
            Err(e) => {
                eprintln!("{e}");
                ember_conformance::RunSummary {
                    load_errors: vec![e],
                    ..Default::default()
                }
            }
        };
        if !human {
            let results: Vec<CaseJson> = summary
                .reports
                .iter()
                .map(|r| CaseJson {
                    name: r.case.name.clone(),
                    pass: r.pass,
                    state_root: r.state_root.to_string(),
                    fork: r.case.fork.fixture_name(),
                    error: if r.pass { None } else { r.error.clone() },
                })
                .collect();
            let mut out = io::stdout().lock();
            let written = serde_json::to_writer_pretty(&mut out, &results)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
                .and_then(|()| out.flush());
            if let Err(e) = written {
                eprintln!("ember blocktest: cannot write results: {e}");
            }
        }
        total.merge(ember_conformance::RunSummary {
            reports: Vec::new(),
            ..summary
        });
    }
    eprintln!(
        "real blocks: {} agree, {} differ, {} not applicable",
        agree.load(Ordering::Relaxed),
        differ.load(Ordering::Relaxed),
        not_applicable.load(Ordering::Relaxed)
    );
    eprintln!("{}", total.line());
    ExitCode::from(total.exit_code())
}
