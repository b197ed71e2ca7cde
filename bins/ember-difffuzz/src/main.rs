//! `ember-difffuzz`: differential fuzzing of Ember against revm.
//!
//! `ember-difffuzz --seed S --cases N [--fork F] [--out DIR] [--minimize] [--judge]`
//!
//! Case `i` of seed `S` is generated from `(S, i)` alone, so any case can be replayed with
//! `--seed S --first i --cases 1` (plus the same `--fork`/`--eip7610`). Each case (a fork, a
//! block, a few contracts with generated code and one transaction, see [`gen`]) runs in
//! Ember and in revm 43.0.3; the two must agree on validity, status, gas used, refund,
//! output, created address, logs and the post-state of every account, and Ember's
//! state-test runner must reach the same root as the direct run. A divergence is written to
//! `DIR` (default `target/difffuzz`) as a GeneralStateTests file whose
//! `post.<Fork>[0].hash` is revm's state root (`_info` holds both sides and the
//! differences), then reloaded through Ember's fixture loader and re-run to make sure the
//! file reproduces it.
//!
//! - `--minimize` also writes a shrunk `-min.json` (fragments, accounts, storage, access
//!   list, authorizations, blob hashes and calldata dropped while the divergence keeps its
//!   kind).
//! - `--judge` runs the execution specs (`ethereum-spec-evm statetest`) on the written file,
//!   says which side the specification agrees with and writes a `-spec.json` expecting that
//!   side's root: a regression fixture for `tests/regressions/`.
//! - `--spec-every K` also checks every K-th agreeing case against the execution specs.
//! - `--multi` also runs each case's transaction followed by a second one in the same EVM
//!   instance (what one transaction leaves behind must not leak into the next).
//! - `--eip7610` also puts storage-only accounts where creations land (revm 43 lacks
//!   EIP-7610, so those diverge by design; the specs side with Ember).
//! - `--coverage` counts executed opcodes for the closing summary (call depth, frames by
//!   kind, precompile calls and creations are always counted).
//! - `--dump` writes every case, `--verbose` prints every case's outcome on both sides.
//!
//! The last line is `N passed, N failed` (failed = divergences); the exit status is 1 when
//! any case diverged.

#![deny(missing_docs)]

use clap::Parser;
use ember_difffuzz::exec::{self, check, describe, primary, Coverage, Diff, Run, Side};
use ember_difffuzz::scenario::Scenario;
use ember_difffuzz::{gen, minimize};
use ember_evm::{Fork, B256};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// Differential fuzzing of Ember against revm.
#[derive(Debug, Parser)]
#[command(name = "ember-difffuzz", version, about, long_about = None)]
struct Args {
    /// The run's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many cases to run.
    #[arg(long, default_value_t = 1000)]
    cases: u64,
    /// The index of the first case (to replay one: `--first I --cases 1`).
    #[arg(long, default_value_t = 0)]
    first: u64,
    /// Only this fork (fixture names or aliases: Frontier ... Prague, Osaka); default: every
    /// fork from Frontier to Prague except Constantinople, which revm lacks.
    #[arg(long, value_parser = parse_fork)]
    fork: Option<Fork>,
    /// Where divergences are written.
    #[arg(long, default_value = "target/difffuzz")]
    out: PathBuf,
    /// Also write a minimised version of each divergence (`-min.json`).
    #[arg(long)]
    minimize: bool,
    /// Seconds the minimiser may spend on one divergence.
    #[arg(long, default_value_t = 60)]
    minimize_secs: u64,
    /// Run the execution specs (`ethereum-spec-evm statetest`) on each written divergence.
    #[arg(long)]
    judge: bool,
    /// Also check every K-th agreeing case against the execution specs (slow: about a
    /// second each); disagreements are written to `DIR/spec/` and counted as failures.
    #[arg(long, value_name = "K")]
    spec_every: Option<u64>,
    /// Also generate storage-only accounts where creations land (EIP-7610; revm 43 lacks
    /// it, so these diverge by design).
    #[arg(long)]
    eip7610: bool,
    /// Also run each case's transaction followed by a second one in the same EVM instance
    /// (both committed) and compare both outcomes and the final state. Such a divergence
    /// cannot be written as a state test; it is printed with its replay command.
    #[arg(long)]
    multi: bool,
    /// Stop after this many seconds, whatever `--cases` says.
    #[arg(long)]
    time_limit: Option<u64>,
    /// Count the opcodes executed too (slower) for the coverage summary.
    #[arg(long)]
    coverage: bool,
    /// Write every case to `DIR/all/` (post hash: revm's root), diverging or not.
    #[arg(long)]
    dump: bool,
    /// Print every case's outcome on both sides.
    #[arg(long)]
    verbose: bool,
}

fn parse_fork(name: &str) -> Result<Fork, String> {
    let fork = name.parse::<Fork>().map_err(|e| e.to_string())?;
    if exec::spec_id(fork).is_none() {
        return Err(format!("revm 43 has no {fork} (EIP-1283) spec"));
    }
    Ok(fork)
}

/// Runs a scenario on both EVMs.
fn run(s: &Scenario) -> (Side, Side, Vec<Diff>) {
    check(&s.to_case(), &mut Coverage::new(false))
}

fn run_info(side: &Side) -> serde_json::Value {
    json!({
        "result": describe(&side.run),
        "stateRoot": side.root.to_string(),
        "logsHash": side.logs_hash.to_string(),
    })
}

/// Whose result a written file expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// revm's (the default: the spec's is not known yet).
    Revm,
    /// Ember's, which the execution specs confirmed.
    EmberPerSpec,
    /// revm's, which the execution specs confirmed.
    RevmPerSpec,
}

/// Writes `s` as a state test at `path`, expecting the root, logs and validity of the side
/// `expect` names.
fn write_case(
    path: &Path,
    s: &Scenario,
    (e, r): (&Side, &Side),
    diffs: &[Diff],
    note: &str,
    replay: &str,
    expect: Expect,
) {
    let expected = if expect == Expect::EmberPerSpec { e } else { r };
    let exception = match &expected.run {
        Run::Rejected(reason) => Some(reason.as_str()),
        _ => None,
    };
    let whose = match expect {
        Expect::Revm => "revm 43.0.3's state root (the spec's is not known)",
        Expect::EmberPerSpec => "Ember's state root, which the execution specs confirmed",
        Expect::RevmPerSpec => "revm 43.0.3's state root, which the execution specs confirmed",
    };
    let info = json!({
        "comment": format!(
            "ember-difffuzz divergence ({note}): post hash is {whose}; both sides are under \
             _info. Replay: ember-difffuzz --seed {} --first {} --cases 1{replay}",
            s.seed,
            s.index,
        ),
        "filling-transition-tool": "ember-difffuzz vs revm 43.0.3",
        "seed": s.seed,
        "case": s.index,
        "differences": diffs.iter().map(|d| d.text.clone()).collect::<Vec<_>>(),
        "ember": run_info(e),
        "revm": run_info(r),
    });
    let value = s.to_json(expected.root, expected.logs_hash, exception, info);
    let text = serde_json::to_string_pretty(&value).expect("JSON");
    if let Err(err) = std::fs::write(path, text + "\n") {
        eprintln!("cannot write {}: {err}", path.display());
    }
}

/// Reloads a written file with Ember's fixture loader and re-runs it: the divergence must
/// come back with the same kind.
fn verify_file(path: &Path, want: Option<exec::Kind>) -> Result<(), String> {
    let cases = ember_conformance::load_file(path).map_err(|e| e.to_string())?;
    let case = cases.first().ok_or("no case in the file")?;
    let got = primary(&check(case, &mut Coverage::new(false)).2);
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "reloaded file diverges as {got:?}, expected {want:?}"
        ))
    }
}

/// Runs the execution specs on `path`; returns its state root.
fn spec_root(path: &Path) -> Result<B256, String> {
    let out = Command::new("ethereum-spec-evm")
        .arg("statetest")
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run ethereum-spec-evm: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let start = stdout.find('[').ok_or("no JSON from ethereum-spec-evm")?;
    let end = stdout.rfind(']').ok_or("no JSON from ethereum-spec-evm")?;
    let v: serde_json::Value =
        serde_json::from_str(&stdout[start..=end]).map_err(|e| e.to_string())?;
    let root = v[0]["stateRoot"]
        .as_str()
        .ok_or("no stateRoot in the spec's output")?;
    root.parse::<B256>().map_err(|e| e.to_string())
}

/// The spec's verdict on a written divergence, and which side it confirms.
fn judge(path: &Path, e: &Side, r: &Side) -> (String, Option<Expect>) {
    match spec_root(path) {
        Err(err) => (format!("spec: {err}"), None),
        Ok(root) if root == e.root && root == r.root => (
            format!("spec root {root} matches both (the difference is not in the state)"),
            None,
        ),
        Ok(root) if root == e.root => (
            format!("spec agrees with EMBER (root {root})"),
            Some(Expect::EmberPerSpec),
        ),
        Ok(root) if root == r.root => (
            format!("spec agrees with REVM (root {root}): an Ember bug"),
            Some(Expect::RevmPerSpec),
        ),
        Ok(root) => (format!("spec root {root} matches neither"), None),
    }
}

/// Runs the case's transaction and then a second one in the same EVM, on both sides.
fn check_pair(
    s: &Scenario,
    case: &ember_conformance::Case,
    options: gen::Options,
    verbose: bool,
) -> Vec<Diff> {
    let Ok(first) = &case.tx else {
        return Vec::new();
    };
    let mut second = s.clone();
    second.tx = gen::second_tx(s, options);
    let txs = [first.clone(), second.tx_env()];
    let e = exec::run_ember_txs(case, &txs, &mut Coverage::new(false));
    let r = exec::run_revm_txs(case, &txs);
    if verbose {
        println!("second transaction: {:?}", txs[1]);
        for (i, (a, b)) in e.iter().zip(&r).enumerate() {
            println!(
                "transaction {}: ember {} | revm {}",
                i + 1,
                describe(&a.run),
                describe(&b.run)
            );
        }
    }
    let mut diffs = Vec::new();
    for (i, (a, b)) in e.iter().zip(&r).enumerate() {
        for mut d in exec::compare(a, b) {
            d.text = format!("transaction {}: {}", i + 1, d.text);
            diffs.push(d);
        }
    }
    if e.len() != r.len() {
        diffs.push(Diff {
            kind: exec::Kind::Panic,
            text: format!("ember ran {} transactions, revm {}", e.len(), r.len()),
        });
    }
    diffs
}

/// Judges a written divergence with the execution specs; when the spec sides with one EVM,
/// writes `-spec.json` next to it, expecting that side's result (a regression fixture).
fn judge_and_rewrite(
    path: &Path,
    s: &Scenario,
    sides: (&Side, &Side),
    diffs: &[Diff],
    replay: &str,
) {
    let (verdict, expect) = judge(path, sides.0, sides.1);
    println!("    {verdict}");
    if let Some(expect) = expect {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("case");
        let out = path.with_file_name(format!("{stem}-spec.json"));
        write_case(&out, s, sides, diffs, "judged", replay, expect);
        println!("    spec-confirmed fixture -> {}", out.display());
    }
}

/// Prints what the run reached (as Ember saw it).
fn print_coverage(cov: &Coverage) {
    let depth: Vec<String> = cov
        .depth
        .iter()
        .enumerate()
        .map(|(d, n)| format!("{d}{}:{n}", if d == 8 { "+" } else { "" }))
        .collect();
    println!("deepest frame per case: {}", depth.join(" "));
    let names = ["CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"];
    let calls: Vec<String> = names
        .iter()
        .zip(cov.calls)
        .map(|(n, (all, ok))| format!("{n} {ok}/{all}"))
        .collect();
    println!(
        "frames (succeeded/all): {}; CREATE* {}/{}; SELFDESTRUCT {}; logs {}",
        calls.join(", "),
        cov.creates.1,
        cov.creates.0,
        cov.selfdestructs,
        cov.logs
    );
    let pre: Vec<String> = cov
        .precompiles
        .iter()
        .enumerate()
        .filter(|(_, (all, _))| *all > 0)
        .map(|(i, (all, ok))| {
            let a = if i == 0 { 0x100 } else { i };
            format!("{a:#x} {ok}/{all}")
        })
        .collect();
    println!("precompile calls (succeeded/all): {}", pre.join(", "));
    if cov.steps {
        let total: u64 = cov.opcodes.iter().sum();
        let distinct = cov.opcodes.iter().filter(|&&n| n > 0).count();
        println!("instructions executed: {total}, distinct opcodes: {distinct}");
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("cannot create {}: {e}", args.out.display());
        return ExitCode::from(2);
    }
    // Panics are caught and reported as divergences; keep their default output quiet.
    std::panic::set_hook(Box::new(|_| {}));

    let start = Instant::now();
    let limit = args.time_limit.map(Duration::from_secs);
    let mut last_progress = Instant::now();
    let (mut passed, mut failed) = (0u64, 0u64);
    let mut per_fork: std::collections::BTreeMap<Fork, (u64, u64)> = Default::default();
    let mut rejected_both = 0u64;
    let mut statuses = [0u64; 3];
    let mut spec_checked = 0u64;
    let mut cov = Coverage::new(args.coverage);
    let mut replay = args
        .fork
        .map(|f| format!(" --fork {f}"))
        .unwrap_or_default();
    if args.eip7610 {
        replay.push_str(" --eip7610");
    }

    for index in args.first..args.first.saturating_add(args.cases) {
        if limit.is_some_and(|l| start.elapsed() > l) {
            eprintln!("time limit reached");
            break;
        }
        let options = gen::Options {
            fork: args.fork,
            eip7610: args.eip7610,
        };
        let s = gen::generate(args.seed, index, options);
        let case = s.to_case();
        let (e, r, mut diffs) = check(&case, &mut cov);
        if args.multi && diffs.is_empty() {
            diffs.extend(check_pair(&s, &case, options, args.verbose));
            if !diffs.is_empty() {
                failed += 1;
                per_fork.entry(s.fork).or_default().1 += 1;
                println!(
                    "MULTI-TX DIVERGENCE case {index} ({}): replay with ember-difffuzz --seed {} --first {index} --cases 1 --multi --verbose{replay}",
                    s.fork, args.seed
                );
                for d in &diffs {
                    println!("    {:?}: {}", d.kind, d.text);
                }
                continue;
            }
        }
        let stats = per_fork.entry(s.fork).or_default();
        if args.verbose {
            println!(
                "case {index} {}: ember {} | revm {}",
                s.fork,
                describe(&e.run),
                describe(&r.run)
            );
        }
        match (&e.run, &r.run) {
            (Run::Rejected(_), Run::Rejected(_)) => rejected_both += 1,
            (Run::Executed(x), _) => statuses[x.status as usize] += 1,
            _ => {}
        }
        if args.dump {
            let dir = args.out.join("all");
            let _ = std::fs::create_dir_all(&dir);
            let path = dir.join(format!("{}.json", s.name()));
            write_case(&path, &s, (&e, &r), &diffs, "dump", &replay, Expect::Revm);
        }
        let spec_due = args
            .spec_every
            .is_some_and(|k| k > 0 && (index - args.first) % k == 0);
        if diffs.is_empty() && spec_due {
            let dir = args.out.join("spec");
            let _ = std::fs::create_dir_all(&dir);
            let path = dir.join(format!("{}.json", s.name()));
            write_case(
                &path,
                &s,
                (&e, &r),
                &[],
                "spec check",
                &replay,
                Expect::Revm,
            );
            match spec_root(&path) {
                Ok(root) if root == r.root => {
                    let _ = std::fs::remove_file(&path);
                    spec_checked += 1;
                    passed += 1;
                    stats.0 += 1;
                }
                Ok(root) => {
                    spec_checked += 1;
                    failed += 1;
                    stats.1 += 1;
                    println!(
                        "SPEC DISAGREES case {index} ({}): spec root {root}, Ember and revm {} -> {}",
                        s.fork,
                        r.root,
                        path.display()
                    );
                }
                Err(err) => {
                    passed += 1;
                    stats.0 += 1;
                    println!("spec check of case {index} failed to run: {err}");
                }
            }
        } else if diffs.is_empty() {
            passed += 1;
            stats.0 += 1;
        } else {
            failed += 1;
            stats.1 += 1;
            let path = args.out.join(format!("{}.json", s.name()));
            write_case(
                &path,
                &s,
                (&e, &r),
                &diffs,
                "as generated",
                &replay,
                Expect::Revm,
            );
            let kind = primary(&diffs);
            println!("DIVERGENCE case {index} ({}) -> {}", s.fork, path.display());
            for d in &diffs {
                println!("    {:?}: {}", d.kind, d.text);
            }
            if let Err(err) = verify_file(&path, kind) {
                println!("    WARNING: {err}");
            }
            let mut judged = path.clone();
            if args.minimize {
                let t = Instant::now();
                let min = minimize::minimize(
                    &s,
                    kind.expect("a divergence has a kind"),
                    Duration::from_secs(args.minimize_secs),
                );
                let (me, mr, mdiffs) = run(&min);
                let mpath = args.out.join(format!("{}-min.json", s.name()));
                write_case(
                    &mpath,
                    &min,
                    (&me, &mr),
                    &mdiffs,
                    "minimised",
                    &replay,
                    Expect::Revm,
                );
                println!(
                    "    minimised in {:.1}s: {} -> {} fragments, {} bytes of code -> {}",
                    t.elapsed().as_secs_f64(),
                    s.clone().fragment_count(),
                    min.clone().fragment_count(),
                    min.pre().iter().map(|(_, a)| a.code.len()).sum::<usize>()
                        + min.tx_env().data.len(),
                    mpath.display()
                );
                for d in &mdiffs {
                    println!("    {:?}: {}", d.kind, d.text);
                }
                if let Err(err) = verify_file(&mpath, primary(&mdiffs)) {
                    println!("    WARNING: {err}");
                }
                judged = mpath;
                if args.judge {
                    judge_and_rewrite(&judged, &min, (&me, &mr), &mdiffs, &replay);
                }
            } else if args.judge {
                judge_and_rewrite(&judged, &s, (&e, &r), &diffs, &replay);
            }
        }
        if last_progress.elapsed() > Duration::from_secs(5) {
            last_progress = Instant::now();
            let done = passed + failed;
            eprintln!(
                "[{done}/{}] {passed} passed, {failed} failed, {:.0} cases/s",
                args.cases,
                done as f64 / start.elapsed().as_secs_f64()
            );
        }
    }
    let done = passed + failed;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "ran {done} cases in {secs:.1}s ({:.0} cases/s); top frame success {}, revert {}, halt {}, both rejected {rejected_both}",
        done as f64 / secs.max(1e-9),
        statuses[0],
        statuses[1],
        statuses[2]
    );
    let forks: Vec<String> = per_fork
        .iter()
        .map(|(f, (p, x))| format!("{f} {p}/{}", p + x))
        .collect();
    println!("per fork (passed/run): {}", forks.join(", "));
    if args.spec_every.is_some() {
        println!("checked against the execution specs: {spec_checked}");
    }
    print_coverage(&cov);
    println!("{passed} passed, {failed} failed");
    let _ = std::io::stdout().flush();
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenarios(n: u64) -> impl Iterator<Item = Scenario> {
        (0..n).map(|i| gen::generate(7, i, gen::Options::default()))
    }

    #[test]
    fn generation_is_deterministic() {
        for i in 0..20 {
            let a = gen::generate(11, i, gen::Options::default());
            let b = gen::generate(11, i, gen::Options::default());
            assert_eq!(a, b);
            assert_eq!(a.to_case().tx, b.to_case().tx);
        }
    }

    /// What Ember's fixture loader reads back from the written file is what was run.
    #[test]
    fn files_round_trip_through_the_loader() {
        let dir = std::env::temp_dir().join(format!("difffuzz-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sort = |mut pre: Vec<(ember_evm::Address, ember_conformance::PreAccount)>| {
            pre.sort_by_key(|(a, _)| *a);
            for (_, acct) in &mut pre {
                acct.storage.sort();
            }
            pre
        };
        for s in scenarios(60) {
            let (e, r, diffs) = run(&s);
            let path = dir.join(format!("{}.json", s.name()));
            write_case(&path, &s, (&e, &r), &diffs, "test", "", Expect::Revm);
            let loaded = ember_conformance::load_file(&path).unwrap();
            assert_eq!(loaded.len(), 1);
            let (got, want) = (&loaded[0], s.to_case());
            assert_eq!(got.fork, want.fork);
            assert_eq!(got.block, want.block, "{}", s.name());
            assert_eq!(got.tx, want.tx, "{}", s.name());
            assert_eq!(sort(got.pre.to_vec()), sort(want.pre.to_vec()));
            assert_eq!(got.expected_root, r.root);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The comparison sees a difference planted on one side.
    #[test]
    fn planted_differences_are_found() {
        let mut found = 0;
        for s in scenarios(40) {
            let case = s.to_case();
            let (e, _, diffs) = check(&case, &mut Coverage::new(false));
            if !diffs.is_empty() {
                continue;
            }
            let mut other = case.clone();
            let mut pre = other.pre.to_vec();
            pre[0].1.balance += ember_evm::U256::from(1);
            other.pre = std::sync::Arc::new(pre);
            let r = exec::run_revm(&other);
            let planted = exec::compare(&e, &r);
            assert!(
                planted.iter().any(|d| d.kind == exec::Kind::State),
                "{}",
                s.name()
            );
            found += 1;
        }
        assert!(found > 20);
    }
}
