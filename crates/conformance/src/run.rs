//! Running cases against an executor, in parallel.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

use ember_primitives::{Fork, B256};
use rayon::prelude::*;
use regex::Regex;

use crate::{check, load, Case, CaseReport, LoadError, Outcome};

/// Which cases run: all of them by default.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this fork's cases.
    pub fork: Option<Fork>,
    /// Only tests whose name matches (anywhere in the name, like geth's `--run`).
    pub name: Option<Regex>,
}

impl Filter {
    /// A filter on fork and test-name pattern.
    pub fn new(fork: Option<Fork>, name: Option<Regex>) -> Self {
        Filter { fork, name }
    }

    /// True when a test of this name is selected (whatever its forks).
    pub fn matches_name(&self, name: &str) -> bool {
        self.name.as_ref().is_none_or(|re| re.is_match(name))
    }

    /// True when the case is selected.
    pub fn matches(&self, case: &Case) -> bool {
        self.fork.is_none_or(|f| f == case.fork) && self.matches_name(&case.name)
    }
}

/// Which case reports a [`RunSummary`] keeps (the counts are always complete).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Keep {
    /// Every report, in file and case order (for JSON output).
    All,
    /// Only the failures.
    #[default]
    Failures,
    /// None.
    Nothing,
}

/// Progress of a run, reported from the worker threads as it happens.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// A file was loaded; `cases` of its cases pass the filter and will run.
    Loaded {
        /// The file.
        file: &'a Path,
        /// How many of its cases will run.
        cases: usize,
    },
    /// A file could not be loaded; none of its cases run.
    LoadFailed(&'a LoadError),
    /// A case finished.
    Case(&'a CaseReport),
    /// Every selected case of a file finished (also sent after [`Event::LoadFailed`]).
    FileDone {
        /// The file.
        file: &'a Path,
    },
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct RunSummary {
    /// Files loaded successfully.
    pub files: usize,
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Post entries not run because their fork name is unknown.
    pub skipped: usize,
    /// Files that could not be loaded, in file order.
    pub load_errors: Vec<LoadError>,
    /// The reports kept according to [`Keep`], in file and case order.
    pub reports: Vec<CaseReport>,
}

impl RunSummary {
    /// `N passed, N failed, N skipped`.
    pub fn line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }

    /// Adds another run's counts, errors and reports after this one's.
    pub fn merge(&mut self, other: RunSummary) {
        self.files += other.files;
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.load_errors.extend(other.load_errors);
        self.reports.extend(other.reports);
    }

    /// 2 when a file could not be loaded, else 1 when a case failed, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.load_errors.is_empty() {
            2
        } else if self.failed > 0 {
            1
        } else {
            0
        }
    }
}

thread_local! {
    static IN_CASE: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook that keeps a panic inside the executor off stderr and puts its
/// message and location into the failing case's report instead. Panics elsewhere go to the
/// previous hook. Without it, an executor panic still fails only its case, but the default
/// hook prints it.
pub fn capture_executor_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_CASE.get() {
                let mut msg = payload_text(info.payload());
                if let Some(loc) = info.location() {
                    msg = format!("{msg} at {loc}");
                }
                LAST_PANIC.set(Some(msg));
            } else {
                previous(info);
            }
        }));
    });
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic".to_string()
    }
}

/// Runs the executor on one case and checks the outcome; a panic fails the case.
fn run_one(case: &Case, exec: &(dyn Fn(&Case) -> Outcome + Sync)) -> CaseReport {
    let was = IN_CASE.replace(true);
    let result = catch_unwind(AssertUnwindSafe(|| exec(case)));
    IN_CASE.set(was);
    match result {
        Ok(outcome) => check(case, &outcome),
        Err(payload) => {
            let msg = LAST_PANIC
                .take()
                .unwrap_or_else(|| payload_text(payload.as_ref()));
            CaseReport {
                case: case.id(),
                pass: false,
                state_root: B256::ZERO,
                error: Some(format!("executor panicked: {msg}")),
            }
        }
    }
}

/// Runs the selected cases in parallel (rayon), reporting each through `progress`.
pub fn run_cases(
    cases: &[Case],
    filter: &Filter,
    keep: Keep,
    exec: &(dyn Fn(&Case) -> Outcome + Sync),
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> RunSummary {
    let reports: Vec<CaseReport> = cases
        .par_iter()
        .filter(|c| filter.matches(c))
        .map(|case| {
            let report = run_one(case, exec);
            progress(Event::Case(&report));
            report
        })
        .collect();
    let passed = reports.iter().filter(|r| r.pass).count();
    let failed = reports.len() - passed;
    let reports = match keep {
        Keep::All => reports,
        Keep::Failures => reports.into_iter().filter(|r| !r.pass).collect(),
        Keep::Nothing => Vec::new(),
    };
    RunSummary {
        passed,
        failed,
        reports,
        ..RunSummary::default()
    }
}

/// Loads one file, runs its selected cases and drops them.
pub fn run_file(
    path: &Path,
    filter: &Filter,
    keep: Keep,
    exec: &(dyn Fn(&Case) -> Outcome + Sync),
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> RunSummary {
    let loaded = match load(path) {
        Ok(loaded) => loaded,
        Err(e) => {
            progress(Event::LoadFailed(&e));
            progress(Event::FileDone { file: path });
            return RunSummary {
                load_errors: vec![e],
                ..RunSummary::default()
            };
        }
    };
    let selected = loaded.cases.iter().filter(|c| filter.matches(c)).count();
    progress(Event::Loaded {
        file: path,
        cases: selected,
    });
    let mut summary = run_cases(&loaded.cases, filter, keep, exec, progress);
    drop(loaded.cases);
    summary.files = 1;
    if filter.fork.is_none() {
        summary.skipped = loaded
            .skipped
            .iter()
            .filter(|s| filter.matches_name(&s.test))
            .map(|s| s.cases)
            .sum();
    }
    progress(Event::FileDone { file: path });
    summary
}

/// Runs every file (see [`crate::collect_files`]) in parallel, one file's cases loaded at a
/// time per worker; reports and errors come back in file order. A file that fails to load is
/// recorded in [`RunSummary::load_errors`] and the others still run.
pub fn run_files(
    files: &[PathBuf],
    filter: &Filter,
    keep: Keep,
    exec: &(dyn Fn(&Case) -> Outcome + Sync),
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> RunSummary {
    run_file_sets(&[files], filter, keep, exec, progress)
        .pop()
        .unwrap_or_default()
}

/// Runs several sets of files (one per command-line PATH, say) as one parallel run, so that a
/// set of a few small files does not leave cores idle, and returns one summary per set, in
/// order (each set's reports and errors in file order, as [`run_files`]).
pub fn run_file_sets<S: AsRef<[PathBuf]> + Sync>(
    sets: &[S],
    filter: &Filter,
    keep: Keep,
    exec: &(dyn Fn(&Case) -> Outcome + Sync),
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Vec<RunSummary> {
    let files: Vec<&PathBuf> = sets.iter().flat_map(|set| set.as_ref()).collect();
    let mut parts = files
        .par_iter()
        .map(|f| run_file(f, filter, keep, exec, progress))
        .collect::<Vec<RunSummary>>()
        .into_iter();
    sets.iter()
        .map(|set| {
            let mut summary = RunSummary::default();
            for part in parts.by_ref().take(set.as_ref().len()) {
                summary.merge(part);
            }
            summary
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::tests::{sample, write_fixture};
    use std::sync::Mutex;

    /// Passes every case by echoing the expectation.
    fn echo(case: &Case) -> Outcome {
        Outcome {
            state_root: case.expected_root,
            logs_hash: case.expected_logs,
            invalid: case
                .expect_exception
                .as_ref()
                .map(|_| "rejected".to_string()),
        }
    }

    fn files() -> Vec<PathBuf> {
        let good = write_fixture("good.json", &sample().to_string());
        let mut v = sample();
        v["foo"]["post"]["Atlantis"] = v["foo"]["post"]["Berlin"].clone();
        let skips = write_fixture("skips.json", &v.to_string());
        let bad = write_fixture("bad.json", "{}");
        vec![good, bad, skips]
    }

    #[test]
    fn fork_and_name_filter() {
        let cases = crate::load_file(&files()[0]).unwrap();
        let f = Filter::new(Some(Fork::Cancun), None);
        assert_eq!(cases.iter().filter(|c| f.matches(c)).count(), 2);
        let f = Filter::new(Some(Fork::Berlin), Some(Regex::new("^fo").unwrap()));
        assert_eq!(cases.iter().filter(|c| f.matches(c)).count(), 1);
        let f = Filter::new(None, Some(Regex::new("bar").unwrap()));
        assert_eq!(cases.iter().filter(|c| f.matches(c)).count(), 0);
        assert_eq!(
            cases
                .iter()
                .filter(|c| Filter::default().matches(c))
                .count(),
            3
        );
    }

    #[test]
    fn runs_files_in_order() {
        let files = files();
        let events = Mutex::new(Vec::new());
        let progress = |e: Event<'_>| {
            let tag = match e {
                Event::Loaded { cases, .. } => format!("loaded {cases}"),
                Event::LoadFailed(_) => "failed".to_string(),
                Event::Case(_) => "case".to_string(),
                Event::FileDone { .. } => "done".to_string(),
            };
            events.lock().unwrap().push(tag);
        };
        let s = run_files(&files, &Filter::default(), Keep::All, &echo, &progress);
        assert_eq!((s.files, s.passed, s.failed, s.skipped), (2, 6, 0, 1));
        assert_eq!(s.line(), "6 passed, 0 failed, 1 skipped");
        assert_eq!(s.load_errors.len(), 1);
        assert_eq!(s.exit_code(), 2);
        assert_eq!(s.reports.len(), 6);
        assert!(s.reports[..3]
            .iter()
            .all(|r| r.case.file.ends_with("good.json")));
        let events = events.into_inner().unwrap();
        assert_eq!(events.iter().filter(|e| *e == "case").count(), 6);
        assert_eq!(events.iter().filter(|e| *e == "done").count(), 3);

        // the fork filter hides unknown forks rather than skipping them
        let s = run_files(
            &files[2..],
            &Filter::new(Some(Fork::Cancun), None),
            Keep::Failures,
            &echo,
            &|_| {},
        );
        assert_eq!((s.passed, s.failed, s.skipped, s.exit_code()), (2, 0, 0, 0));
        assert!(s.reports.is_empty());
    }

    #[test]
    fn file_sets_report_per_set_in_order() {
        let [good, bad, skips] = <[PathBuf; 3]>::try_from(files()).unwrap();
        let sets = vec![
            vec![skips.clone()],
            vec![],
            vec![bad, good.clone()],
            vec![good],
        ];
        let parts = run_file_sets(&sets, &Filter::default(), Keep::All, &echo, &|_| {});
        let counts: Vec<_> = parts
            .iter()
            .map(|s| {
                (
                    s.files,
                    s.passed,
                    s.skipped,
                    s.load_errors.len(),
                    s.reports.len(),
                )
            })
            .collect();
        assert_eq!(
            counts,
            [
                (1, 3, 1, 0, 3),
                (0, 0, 0, 0, 0),
                (1, 3, 0, 1, 3),
                (1, 3, 0, 0, 3)
            ]
        );
        assert!(parts[0]
            .reports
            .iter()
            .all(|r| r.case.file.ends_with("skips.json")));
        assert!(parts[2]
            .reports
            .iter()
            .all(|r| r.case.file.ends_with("good.json")));
    }

    #[test]
    fn failures_and_panics() {
        capture_executor_panics();
        let files = &files()[..1];
        let exec = |case: &Case| -> Outcome {
            if case.fork == Fork::Berlin {
                panic!("boom");
            }
            Outcome {
                state_root: B256::ZERO,
                logs_hash: B256::ZERO,
                invalid: None,
            }
        };
        let s = run_files(files, &Filter::default(), Keep::Failures, &exec, &|_| {});
        assert_eq!((s.passed, s.failed, s.exit_code()), (0, 3, 1));
        let errors: Vec<_> = s.reports.iter().map(|r| r.error.clone().unwrap()).collect();
        assert!(
            errors[0].starts_with("executor panicked: boom at "),
            "{}",
            errors[0]
        );
        assert!(errors[1].starts_with("state root 0x0000"), "{}", errors[1]);
        assert_eq!(
            errors[2],
            "expected exception TransactionException.INTRINSIC_GAS_TOO_LOW, tx was valid"
        );
    }
}
