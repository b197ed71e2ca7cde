//! `ember-bench`: Ember and revm side by side on the evm-benchmarks suite (state-test
//! fixtures).
//!
//! For every case (file, test, fork, post entry) the pre-state is built once per EVM, each
//! into its own in-memory database with the code analysed once. Each EVM then runs the
//! transaction once and the two outcomes are compared (status, gas used, output, created
//! address, logs); any difference is printed as a `MISMATCH` line and the program exits with
//! status 1 before timing anything.
//!
//! Then each case is timed, the runs interleaved (Ember, revm, Ember, revm, ...) after one
//! untimed warm-up run each. A run clones the pre-state database, builds a fresh EVM over the
//! clone and, only then, starts the clock around the single `transact` call (validation,
//! execution, and building the result and the state changes, which are not committed). The
//! clone, the EVM construction and the drop of the result are not timed, on both sides alike.

mod ember_side;
mod outcome;
mod revm_side;
mod stats;

use clap::Parser;
use ember_statetest::{collect_files, load_file, Case};
use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ember_side::EmberCase;
use revm_side::RevmCase;
use stats::{geomean, micros, ratio, Summary};

/// The revm release this benchmark runs against (pinned in Cargo.toml).
const REVM_VERSION: &str = "43.0.3";

/// Where the suite's two folders live, relative to the workspace root.
const SUITE: &str = "target/fixtures/evm-benchmarks/benchmarks";

/// Benchmarks Ember against revm on state-test fixtures (default: the evm-benchmarks suite).
///
/// Timed: one `transact` call per run, on a fresh EVM over a fresh clone of the pre-state;
/// the clone and the EVM construction are done before the clock starts.
#[derive(Debug, Parser)]
#[command(name = "ember-bench", version, about, long_about = None)]
struct Args {
    /// Timed runs per EVM and case, interleaved (Ember, revm, Ember, revm, ...).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    iterations: u32,
    /// Only the cases whose name (`folder/file[/test]/fork/index`) matches this regex.
    #[arg(long, value_name = "REGEX")]
    filter: Option<String>,
    /// Print one JSON object per case, `{"name","gas","ember_ns","revm_ns"}` (medians),
    /// instead of the table.
    #[arg(long)]
    json: bool,
    /// Fixture files or folders [default: the evm-benchmarks `main` and `micro` folders].
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

/// A case both EVMs agree on, ready to time.
struct Prepared {
    /// The case's display name.
    name: String,
    /// Gas used by the transaction (the same on both EVMs).
    gas: u64,
    /// The case prepared for Ember.
    ember: EmberCase,
    /// The case prepared for revm.
    revm: RevmCase,
}

/// A timed case.
struct Measured {
    /// The case's display name.
    name: String,
    /// Gas used by the transaction.
    gas: u64,
    /// Ember's runs.
    ember: Summary,
    /// revm's runs.
    revm: Summary,
}

/// Parses the arguments, checks every selected case on both EVMs, then times them. Exits
/// with 1 on a mismatch, 2 on a usage or fixture error.
fn main() -> ExitCode {
    let args = Args::parse();
    let filter = match args.filter.as_deref().map(Regex::new).transpose() {
        Ok(filter) => filter,
        Err(e) => {
            eprintln!("error: --filter: {e}");
            return ExitCode::from(2);
        }
    };
    let default = args.paths.is_empty();
    let paths = if default { default_paths() } else { args.paths };

    let mut files = Vec::new();
    for path in &paths {
        match collect_files(path) {
            Ok(found) => files.extend(found),
            Err(e) => {
                eprintln!("error: {e}");
                if default && !path.exists() {
                    eprintln!(
                        "hint: unpack the fixtures first: `cd <workspace> && ../shared/fixtures/unpack`"
                    );
                }
                return ExitCode::from(2);
            }
        }
    }

    // Check that both EVMs agree on every selected case before timing any.
    let mut prepared = Vec::new();
    let mut mismatches = 0usize;
    for file in &files {
        let cases = match load_file(file) {
            Ok(cases) => cases,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        for case in cases {
            let name = case_name(&case);
            if filter.as_ref().is_some_and(|re| !re.is_match(&name)) {
                continue;
            }
            match prepare(&case, &name) {
                Check::Agree(p) => prepared.push(*p),
                Check::BothReject(reason) => {
                    eprintln!("skip {name}: the transaction is invalid on both EVMs ({reason})")
                }
                Check::Mismatch(details) => {
                    eprintln!("MISMATCH {name}: {details}");
                    mismatches += 1;
                }
            }
        }
    }
    if mismatches > 0 {
        eprintln!("{mismatches} case(s) differ between Ember and revm; nothing timed");
        return ExitCode::FAILURE;
    }
    if prepared.is_empty() {
        eprintln!("error: no case to run");
        return ExitCode::from(2);
    }

    let iterations = args.iterations as usize;
    let width = prepared
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("benchmark".len());
    if !args.json {
        println!(
            "Ember vs revm {REVM_VERSION}: {} case(s), {iterations} timed run(s) each, interleaved",
            prepared.len()
        );
        println!();
        print_header(width);
    }
    let mut measured = Vec::with_capacity(prepared.len());
    for p in &prepared {
        let m = measure(p, iterations);
        if args.json {
            println!("{}", json_line(&m));
        } else {
            print_row(width, &m);
        }
        measured.push(m);
    }
    if !args.json {
        let medians: Vec<f64> = measured
            .iter()
            .map(|m| ratio(m.ember.median, m.revm.median))
            .collect();
        let mins: Vec<f64> = measured
            .iter()
            .map(|m| ratio(m.ember.min, m.revm.min))
            .collect();
        println!();
        if let (Some(median), Some(min)) = (geomean(&medians), geomean(&mins)) {
            println!(
                "geometric mean of Ember/revm over {} case(s): {median:.3} (medians), {min:.3} (minimums)",
                measured.len()
            );
        }
    }
    ExitCode::SUCCESS
}

/// The outcome of running a case once on each EVM.
enum Check {
    /// Same status, gas used, output and logs: ready to time.
    Agree(Box<Prepared>),
    /// Both EVMs reject the transaction as invalid: nothing to time.
    BothReject(String),
    /// The EVMs disagree; the details say how.
    Mismatch(String),
}

/// Builds `case` for both EVMs, runs it once on each and compares.
fn prepare(case: &Case, name: &str) -> Check {
    let tx = match &case.tx {
        Ok(tx) => tx,
        Err(reason) => return Check::BothReject(format!("fixture: {reason}")),
    };
    let ember = EmberCase::new(case, tx);
    let revm = RevmCase::new(case, tx);
    let ember_outcome = ember.run();
    let revm_outcome = revm.as_ref().map_err(Clone::clone).and_then(RevmCase::run);
    match (ember_outcome, revm_outcome) {
        (Ok(e), Ok(r)) => {
            let differences = e.differences(&r);
            if differences.is_empty() {
                Check::Agree(Box::new(Prepared {
                    name: name.to_string(),
                    gas: e.gas_used,
                    ember,
                    revm: revm.expect("revm ran, so it was built"),
                }))
            } else {
                Check::Mismatch(differences.join("; "))
            }
        }
        (Err(e), Err(r)) => Check::BothReject(format!("ember: {e}; revm: {r}")),
        (Ok(e), Err(r)) => Check::Mismatch(format!(
            "ember executes the transaction ({:?}, gas {}), revm rejects it: {r}",
            e.status, e.gas_used
        )),
        (Err(e), Ok(r)) => Check::Mismatch(format!(
            "revm executes the transaction ({:?}, gas {}), ember rejects it: {e}",
            r.status, r.gas_used
        )),
    }
}

/// Times `p`: one untimed warm-up run each, then `iterations` runs each, interleaved.
fn measure(p: &Prepared, iterations: usize) -> Measured {
    p.ember.time();
    p.revm.time();
    let mut ember = Vec::with_capacity(iterations);
    let mut revm = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        ember.push(p.ember.time());
        revm.push(p.revm.time());
    }
    Measured {
        name: p.name.clone(),
        gas: p.gas,
        ember: Summary::of(&mut ember),
        revm: Summary::of(&mut revm),
    }
}

/// `folder/file[/test]/fork/index`: the fixture's folder and file name, the test's name when
/// it is not the file's, the fork and the position in `post[fork]`.
fn case_name(case: &Case) -> String {
    let stem = case
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = case
        .file
        .parent()
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy().into_owned());
    let mut name = match folder {
        Some(folder) => format!("{folder}/{stem}"),
        None => stem.clone(),
    };
    if case.name != stem {
        name.push('/');
        name.push_str(&case.name);
    }
    format!("{name}/{}/{}", case.fork, case.index)
}

/// The suite's `main` and `micro` folders: under the current directory when it is the
/// workspace root, else under the workspace this binary was built from.
fn default_paths() -> Vec<PathBuf> {
    let here = Path::new(SUITE);
    let root = if here.is_dir() {
        here.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(SUITE)
    };
    vec![root.join("main"), root.join("micro")]
}

/// The `--json` line of a case: its name, gas used, and the median times in nanoseconds, in
/// that key order.
fn json_line(m: &Measured) -> String {
    format!(
        r#"{{"name":{},"gas":{},"ember_ns":{},"revm_ns":{}}}"#,
        serde_json::Value::from(m.name.as_str()),
        m.gas,
        m.ember.median.as_nanos(),
        m.revm.median.as_nanos(),
    )
}

/// The table's header (a Markdown table).
fn print_header(width: usize) {
    println!(
        "| {:<width$} | {:>10} | {:>17} | {:>16} | {:>16} | {:>14} | {:>13} |",
        "benchmark",
        "gas",
        "Ember (median µs)",
        "revm (median µs)",
        "ratio Ember/revm",
        "Ember (min µs)",
        "revm (min µs)",
    );
    println!(
        "|{}|{}:|{}:|{}:|{}:|{}:|{}:|",
        "-".repeat(width + 2),
        "-".repeat(11),
        "-".repeat(18),
        "-".repeat(17),
        "-".repeat(17),
        "-".repeat(15),
        "-".repeat(14),
    );
}

/// One row of the table.
fn print_row(width: usize, m: &Measured) {
    println!(
        "| {:<width$} | {:>10} | {:>17.1} | {:>16.1} | {:>16.3} | {:>14.1} | {:>13.1} |",
        m.name,
        m.gas,
        micros(m.ember.median),
        micros(m.revm.median),
        ratio(m.ember.median, m.revm.median),
        micros(m.ember.min),
        micros(m.revm.min),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::time::Duration;

    #[test]
    fn json_line_has_the_four_keys_in_order() {
        let m = Measured {
            name: "main/x\"y/London/0".into(),
            gas: 21_000,
            ember: Summary {
                median: Duration::from_nanos(1_500),
                min: Duration::from_nanos(1_000),
            },
            revm: Summary {
                median: Duration::from_nanos(1_200),
                min: Duration::from_nanos(900),
            },
        };
        let line = json_line(&m);
        assert_eq!(
            line,
            r#"{"name":"main/x\"y/London/0","gas":21000,"ember_ns":1500,"revm_ns":1200}"#
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["name"], "main/x\"y/London/0");
    }

    #[test]
    fn cli_is_well_formed() {
        Args::command().debug_assert();
        let args = Args::parse_from(["ember-bench", "--iterations", "30", "--json", "a.json"]);
        assert_eq!(args.iterations, 30);
        assert!(args.json);
        assert_eq!(args.paths, [PathBuf::from("a.json")]);
        assert!(Args::try_parse_from(["ember-bench", "--iterations", "0"]).is_err());
    }
}
