//! `ember statetest [--statetest.fork NAME] [--statetest.index N] [--run REGEX] [--human]
//! [--trace | --json] [--dump] [--bench] [--profile DIR] [PATH...]`
//!
//! Runs state-test fixtures and reports like geth's `evm statetest`: for each PATH a JSON
//! array of `{"name","pass","stateRoot","fork","error"}` on stdout (`error` only on failure;
//! `state` with `--dump`, `benchStats` with `--bench`), the default when stdout is not a
//! terminal; or with `--human` (the default on a terminal) one line per failure and a
//! progress bar. As geth, every case prints `{"stateRoot": "0x…"}` on stderr, and `--trace` /
//! `--json` trace each case to stderr before that line (`--json` no longer selects the
//! results format: they are JSON whenever stdout is not a terminal). Without PATH, file names
//! are read from standard input, one per line, each answered with its results array (geth's
//! batch mode). The last line on stderr is always `N passed, N failed, N skipped`. Exit
//! status: 2 when a path is missing or a file cannot be loaded (the others still run), else 1
//! when a case failed, else 0.

use std::io::{self, BufRead, IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use ember_conformance::{
    capture_executor_panics, check, collect_files, load, run_file_sets, run_files, Case,
    CaseReport, Event, Filter, FixtureDb, Keep, LoadError, Outcome, RunSummary,
};
use ember_evm::{Evm, InMemoryDb, Inspector, PrecompileCache, B256};
use ember_primitives::Fork;
use ember_trace::{Both, GasProfiler, Maybe};
use indicatif::{ProgressBar, ProgressStyle};
use regex::Regex;
use serde::Serialize;
use serde_json::Value;

use super::profile::write_case_page;
use super::state_dump::dump_json;
use super::stats::{measure, ExecStats};
use super::trace_flags::TraceArgs;

/// Arguments of `ember statetest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run only the cases of this fork (fixture names such as Berlin, ConstantinopleFix,
    /// Cancun, Osaka, BPO1, BPO2, or aliases such as Petersburg).
    #[arg(long = "statetest.fork", visible_alias = "fork", value_name = "NAME", value_parser = parse_fork)]
    fork: Option<Fork>,

    /// Run only this entry of each fork's post states (0-based).
    #[arg(long = "statetest.index", value_name = "N")]
    index: Option<usize>,

    /// Run only the tests whose name matches this regular expression.
    #[arg(long, value_name = "REGEX", value_parser = Regex::new)]
    run: Option<Regex>,

    /// One line per failure and a progress bar on stderr (the default when stdout is a
    /// terminal); without it, a JSON array of results per PATH on stdout.
    #[arg(long)]
    human: bool,

    /// Add each case's post state (geth's dump) to its result.
    #[arg(long)]
    dump: bool,

    /// Time each case (untraced, repeated) and add `benchStats` to its result.
    #[arg(long)]
    bench: bool,

    /// Write a gas profile page per case into this directory.
    #[arg(long, value_name = "DIR")]
    profile: Option<PathBuf>,

    #[command(flatten)]
    trace: TraceArgs,

    /// Fixture files, or directories searched recursively for `*.json` files; none: read
    /// file names from standard input, one per line.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

fn parse_fork(name: &str) -> Result<Fork, String> {
    name.parse::<Fork>().map_err(|e| e.to_string())
}

/// geth's line after each case, on stderr.
fn print_state_root(root: B256) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{{\"stateRoot\": \"{root}\"}}");
}

/// Executes one case in Ember and prints its state root line.
fn execute(case: &Case) -> Outcome {
    let outcome = ember_conformance::execute(case);
    print_state_root(outcome.state_root);
    outcome
}

/// Runs the command and returns its exit status.
pub fn run(args: Args) -> ExitCode {
    let human = args.human || io::stdout().is_terminal();
    let filter = Filter::new(args.fork, args.run.clone());
    capture_executor_panics();
    let sequential = args.trace.format().is_some()
        || args.dump
        || args.bench
        || args.index.is_some()
        || args.profile.is_some();

    let mut total = RunSummary::default();
    let mut run_path = |path: &Path| {
        let summary = match collect_files(path) {
            Ok(files) if sequential => run_sequential(&files, &args, &filter, human),
            Ok(files) if human => run_human(&path.display().to_string(), &files, &filter),
            Ok(files) => run_json(&files, &filter),
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
    };
    if args.paths.is_empty() {
        let stdin = io::stdin();
        if stdin.is_terminal() {
            eprintln!(
                "ember statetest: no PATH given and standard input is a terminal: \
                 give fixture paths, or pipe file names in, one per line"
            );
            return ExitCode::from(2);
        }
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            let name = line.trim();
            if !name.is_empty() {
                run_path(Path::new(name));
            }
        }
    } else if sequential {
        for path in &args.paths {
            run_path(path);
        }
    } else {
        // Every PATH's files run as one parallel set (so many small PATHs keep both cores
        // busy), still reported per PATH and in order.
        let collected: Vec<_> = args.paths.iter().map(|p| collect_files(p)).collect();
        total.merge(if human {
            run_human_paths(&args.paths, collected, &filter)
        } else {
            run_json_paths(collected, &filter)
        });
    }
    eprintln!("{}", total.line());
    ExitCode::from(total.exit_code())
}

/// Benchmark figures as geth's `benchStats` (time in nanoseconds).
#[derive(Serialize)]
struct BenchStats {
    time: u64,
    allocs: u64,
    #[serde(rename = "bytesAllocated")]
    bytes_allocated: u64,
    #[serde(rename = "gasUsed")]
    gas_used: u64,
}

impl From<ExecStats> for BenchStats {
    fn from(s: ExecStats) -> Self {
        BenchStats {
            time: s.time.as_nanos() as u64,
            allocs: s.allocs,
            bytes_allocated: s.bytes,
            gas_used: s.gas_used,
        }
    }
}

/// One result as geth's `evm statetest` prints it.
#[derive(Serialize)]
struct JsonResult<'a> {
    name: &'a str,
    pass: bool,
    #[serde(rename = "stateRoot")]
    state_root: String,
    fork: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<Value>,
    #[serde(rename = "benchStats", skip_serializing_if = "Option::is_none")]
    bench_stats: Option<BenchStats>,
}

impl<'a> JsonResult<'a> {
    fn of(report: &'a CaseReport) -> Self {
        JsonResult {
            name: &report.case.name,
            pass: report.pass,
            state_root: report.state_root.to_string(),
            fork: report.case.fork.fixture_name(),
            // like geth: an error only for a failure
            error: if report.pass {
                None
            } else {
                report.error.as_deref()
            },
            state: None,
            bench_stats: None,
        }
    }
}

fn print_results(results: &[JsonResult<'_>]) {
    let mut out = io::stdout().lock();
    let written = serde_json::to_writer_pretty(&mut out, results)
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("ember statetest: cannot write results: {e}");
    }
}

fn print_json(reports: &[CaseReport]) {
    let results: Vec<JsonResult<'_>> = reports.iter().map(JsonResult::of).collect();
    print_results(&results);
}

/// JSON mode: load errors on stderr as they happen, the array once the path is done.
fn run_json(files: &[PathBuf], filter: &Filter) -> RunSummary {
    let progress = |event: Event<'_>| {
        if let Event::LoadFailed(e) = event {
            eprintln!("{e}");
        }
    };
    let mut summary = run_files(files, filter, Keep::All, &execute, &progress);
    print_json(&summary.reports);
    summary.reports = Vec::new();
    summary
}

/// JSON mode for PATH arguments: all their files run in parallel, then one array per PATH, in
/// order (`[]` for a PATH that is missing).
fn run_json_paths(collected: Vec<Result<Vec<PathBuf>, LoadError>>, filter: &Filter) -> RunSummary {
    let progress = |event: Event<'_>| {
        if let Event::LoadFailed(e) = event {
            eprintln!("{e}");
        }
    };
    let sets: Vec<&[PathBuf]> = collected
        .iter()
        .map(|c| c.as_deref().unwrap_or_default())
        .collect();
    let summaries = run_file_sets(&sets, filter, Keep::All, &execute, &progress);
    let mut total = RunSummary::default();
    for (collected, mut summary) in collected.into_iter().zip(summaries) {
        if let Err(e) = collected {
            eprintln!("{e}");
            summary.load_errors.push(e);
        }
        print_json(&summary.reports);
        summary.reports = Vec::new();
        total.merge(summary);
    }
    total
}

/// Human mode for PATH arguments: the missing ones reported first, then one progress bar
/// over all the files.
fn run_human_paths(
    paths: &[PathBuf],
    collected: Vec<Result<Vec<PathBuf>, LoadError>>,
    filter: &Filter,
) -> RunSummary {
    let mut total = RunSummary::default();
    let mut files = Vec::new();
    for found in collected {
        match found {
            Ok(found) => files.extend(found),
            Err(e) => {
                eprintln!("{e}");
                total.load_errors.push(e);
            }
        }
    }
    let label = match paths {
        [one] => one.display().to_string(),
        _ => format!("{} paths", paths.len()),
    };
    total.merge(run_human(&label, &files, filter));
    total
}

/// Human mode: a progress bar over the files, one line per failure on stdout.
fn run_human(label: &str, files: &[PathBuf], filter: &Filter) -> RunSummary {
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40.cyan/blue}] {pos}/{len} files {prefix} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    let passed = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let progress = |event: Event<'_>| match event {
        Event::Case(report) if report.pass => {
            passed.fetch_add(1, Ordering::Relaxed);
        }
        Event::Case(report) => {
            failed.fetch_add(1, Ordering::Relaxed);
            let reason = report.error.as_deref().unwrap_or("failed");
            // A closed stdout (`| head`) must not stop the run: ignore write errors.
            bar.suspend(|| {
                let _ = writeln!(io::stdout().lock(), "FAIL {}: {reason}", report.case);
            });
        }
        Event::LoadFailed(e) => bar.suspend(|| eprintln!("{e}")),
        Event::FileDone { .. } => {
            bar.inc(1);
            bar.set_message(format!(
                "{} passed, {} failed",
                passed.load(Ordering::Relaxed),
                failed.load(Ordering::Relaxed)
            ));
        }
        Event::Loaded { .. } => {}
    };
    let exec = |case: &Case| {
        let outcome = ember_conformance::execute(case);
        bar.suspend(|| print_state_root(outcome.state_root));
        outcome
    };
    let summary = run_files(files, filter, Keep::Nothing, &exec, &progress);
    bar.finish_and_clear();
    summary
}

// ---------------------------------------------------------------------------------------------
// One case at a time, in order: tracing, dumps, benchmarks, profiles, a single index.

/// Runs the files' selected cases one by one, in file and case order.
fn run_sequential(files: &[PathBuf], args: &Args, filter: &Filter, human: bool) -> RunSummary {
    let mut summary = RunSummary::default();
    let mut reports = Vec::new();
    let mut extras = Vec::new();
    for file in files {
        let loaded = match load(file) {
            Ok(loaded) => loaded,
            Err(e) => {
                eprintln!("{e}");
                summary.load_errors.push(e);
                continue;
            }
        };
        summary.files += 1;
        if filter.fork.is_none() {
            summary.skipped += loaded
                .skipped
                .iter()
                .filter(|s| filter.matches_name(&s.test))
                .map(|s| s.cases)
                .sum::<usize>();
        }
        let selected = loaded
            .cases
            .iter()
            .filter(|c| filter.matches(c) && args.index.is_none_or(|i| c.index == i));
        for case in selected {
            let (report, extra) = run_case(case, args);
            if report.pass {
                summary.passed += 1;
            } else {
                summary.failed += 1;
            }
            if human {
                print_human(&report, &extra);
            }
            reports.push(report);
            extras.push(extra);
        }
    }
    if !human {
        let results: Vec<JsonResult<'_>> = reports
            .iter()
            .zip(extras)
            .map(|(report, extra)| JsonResult {
                state: extra.state,
                bench_stats: extra.bench.map(BenchStats::from),
                ..JsonResult::of(report)
            })
            .collect();
        print_results(&results);
    }
    summary
}

/// What a case adds to its result besides the verdict.
#[derive(Default)]
struct Extra {
    state: Option<Value>,
    bench: Option<ExecStats>,
}

fn print_human(report: &CaseReport, extra: &Extra) {
    let mut out = io::stdout().lock();
    if !report.pass {
        let reason = report.error.as_deref().unwrap_or("failed");
        let _ = writeln!(out, "FAIL {}: {reason}", report.case);
    }
    if let Some(stats) = &extra.bench {
        let _ = writeln!(
            out,
            "BENCH {}: {} gas, {}, {} allocations, {} bytes",
            report.case,
            stats.gas_used,
            super::stats::go_duration(stats.time),
            stats.allocs,
            stats.bytes
        );
    }
    if let Some(state) = &extra.state {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(state).unwrap_or_default()
        );
    }
}

/// Runs one case: traced and profiled when asked (a replica of the library's executor with
/// an inspector), then by the library's executor for the verdict.
fn run_case(case: &Case, args: &Args) -> (CaseReport, Extra) {
    let mut extra = Extra::default();
    let wants_replica =
        args.trace.format().is_some() || args.dump || args.bench || args.profile.is_some();
    let mut gas_used = 0;
    if wants_replica {
        let tracer = Maybe(args.trace.tracer());
        let profiler = Maybe(args.profile.as_ref().map(|_| GasProfiler::new()));
        let ran = catch_unwind(AssertUnwindSafe(|| {
            execute_with(case, Both(tracer, profiler))
        }));
        match ran {
            Ok(replica) => {
                let Both(tracer, profiler) = replica.inspector;
                if let Some(mut tracer) = tracer.0 {
                    let _ = tracer.flush();
                }
                if let (Some(dir), Some(profiler)) = (&args.profile, profiler.0) {
                    if let Err(e) = write_case_page(dir, case, &profiler.into_profile()) {
                        eprintln!("ember statetest: cannot write the profile: {e}");
                    }
                }
                if args.dump {
                    extra.state = Some(dump_json(&replica.db));
                }
                gas_used = replica.gas_used;
            }
            Err(_) => eprintln!("ember statetest: the traced run of {} panicked", case.id()),
        }
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| ember_conformance::execute(case)));
    let report = match outcome {
        Ok(outcome) => {
            print_state_root(outcome.state_root);
            check(case, &outcome)
        }
        Err(_) => CaseReport {
            case: case.id(),
            pass: false,
            state_root: B256::ZERO,
            error: Some("executor panicked".to_string()),
        },
    };
    if args.bench {
        let (_, mut stats) = measure(true, || ember_conformance::execute(case));
        stats.gas_used = gas_used;
        extra.bench = Some(stats);
    }
    (report, extra)
}

fn precompile_cache() -> PrecompileCache {
    ember_conformance::shared_precompile_cache()
}

/// A replica run of a case.
struct Replica<I> {
    db: InMemoryDb,
    gas_used: u64,
    inspector: I,
}

/// Executes `case` as `ember_conformance::execute` does, observed by `inspector`.
fn execute_with<I: Inspector>(case: &Case, inspector: I) -> Replica<I> {
    let mut evm = Evm::builder(FixtureDb::of(case))
        .fork(case.fork)
        .block(case.block.clone())
        .chain_id(case.chain_id)
        .precompile_cache(precompile_cache())
        .inspector(inspector)
        .build();
    let (gas_used, invalid) = match &case.tx {
        Err(_) => (0, true),
        Ok(tx) => match evm.transact_commit(tx) {
            Ok(result) => (result.gas_used(), false),
            Err(_) => (0, true),
        },
    };
    let spec = evm.spec();
    let Evm { ctx, inspector, .. } = evm;
    let mut db = ctx.journal.db.0;
    if invalid {
        case.filler
            .settle_rejected(&mut db, case.block.coinbase, spec);
    }
    Replica {
        db,
        gas_used,
        inspector,
    }
}
