//! `ember statetest [--fork NAME] [--run REGEX] [--human] [--json] PATH...`
//!
//! Runs state-test fixtures and reports like geth's `evm statetest`: for each PATH a JSON
//! array of `{"name","pass","stateRoot","fork","error"}` on stdout (`error` only on failure),
//! or with `--human` one line per failure and a progress bar. The last line on stderr is
//! always `N passed, N failed, N skipped`. Exit status: 2 when a path is missing or a file
//! cannot be loaded (the others still run), else 1 when a case failed, else 0.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use ember_primitives::Fork;
use ember_statetest::{
    capture_executor_panics, collect_files, run_files, Case, CaseReport, Event, Filter, Keep,
    Outcome, RunSummary,
};
use indicatif::{ProgressBar, ProgressStyle};
use regex::Regex;
use serde::Serialize;

/// Arguments of `ember statetest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run only the cases of this fork (fixture names such as Berlin, ConstantinopleFix,
    /// Cancun, or aliases such as Petersburg).
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

    /// Fixture files, or directories searched recursively for `*.json` files.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

fn parse_fork(name: &str) -> Result<Fork, String> {
    name.parse::<Fork>().map_err(|e| e.to_string())
}

/// Executes one case in Ember.
fn execute(case: &Case) -> Outcome {
    ember_statetest::execute(case)
}

/// Runs the command and returns its exit status.
pub fn run(args: Args) -> ExitCode {
    let human = args.human || (!args.json && io::stdout().is_terminal());
    let filter = Filter::new(args.fork, args.run);
    capture_executor_panics();

    let mut total = RunSummary::default();
    for path in &args.paths {
        let summary = match collect_files(path) {
            Ok(files) if human => run_human(path, &files, &filter),
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
    }
    eprintln!("{}", total.line());
    ExitCode::from(total.exit_code())
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
        }
    }
}

fn print_json(reports: &[CaseReport]) {
    let results: Vec<JsonResult<'_>> = reports.iter().map(JsonResult::of).collect();
    let mut out = io::stdout().lock();
    let written = serde_json::to_writer_pretty(&mut out, &results)
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("ember statetest: cannot write results: {e}");
    }
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

/// Human mode: a progress bar over the files, one line per failure on stdout.
fn run_human(path: &Path, files: &[PathBuf], filter: &Filter) -> RunSummary {
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
    let summary = run_files(files, filter, Keep::Nothing, &execute, &progress);
    bar.finish_and_clear();
    summary
}
