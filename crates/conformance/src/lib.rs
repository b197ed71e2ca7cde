//! Ember's conformance runners: every fixture suite Ember is checked against, above the
//! crates that do the work (`ember-evm`, `ember-blockchain`, `ember-transaction`), so that
//! nothing that runs a chain (`ember-node`) links them.
//!
//! - State tests, at the crate root: loads the JSON files of ethereum/tests
//!   `GeneralStateTests` and execution-spec-tests `state_tests` into executable [`Case`]s
//!   (one per test, fork and post entry), checks an executor's [`Outcome`] against the
//!   expected post state, and runs whole folders in parallel; [`sign`] signs their
//!   transactions.
//! - [`blocktest`]: the blockchain-test runner.
//! - [`t8n`]: geth's transition tool.
//! - [`statetest_mode`]: the state tests through the block executor.
//! - [`transaction_tests`]: the ethereum/tests `TransactionTests`.
//!
//! The executor is not part of this crate: [`run_files`] takes it as a function
//! `Fn(&Case) -> Outcome`, so the runner can be tested and used with any implementation.
//!
//! ```no_run
//! use ember_conformance::{collect_files, run_files, Filter, Keep, Outcome};
//! # fn exec(_: &ember_conformance::Case) -> Outcome { unimplemented!() }
//! let files = collect_files("target/fixtures/ethereum-tests/GeneralStateTests".as_ref())?;
//! let summary = run_files(&files, &Filter::default(), Keep::Failures, &exec, &|_| {});
//! eprintln!("{}", summary.line());
//! # Ok::<(), ember_conformance::LoadError>(())
//! ```
#![deny(missing_docs)]

pub mod blocktest;
mod execute;
mod load;
mod run;
pub mod sign;
pub mod statetest_mode;
pub mod t8n;
pub mod transaction_tests;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use ember_primitives::{Address, BlockEnv, Bytes, Fork, TxEnv, B256, U256};

pub use execute::{
    execute, execute_with_result, shared_precompile_cache, FixtureDb, PRECOMPILE_MEMO_MIN_GAS,
};
pub use load::{collect_files, load, load_file, load_slice, LoadError, LoadedFile, Skipped};
pub use run::{
    capture_executor_panics, run_cases, run_file, run_file_sets, run_files, Event, Filter, Keep,
    RunSummary,
};

/// An account of a test's `pre` state.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PreAccount {
    /// Balance in wei.
    pub balance: U256,
    /// Account nonce.
    pub nonce: u64,
    /// Contract code (empty for an externally owned account).
    pub code: Bytes,
    /// Storage slots as listed in the fixture, sorted by the fixture's key text. Entries may
    /// have a zero value (execution-spec-tests lists some): a zero slot is an absent slot.
    pub storage: Vec<(U256, U256)>,
}

/// One executable case: a test of a file, a fork, and one entry of `post[fork]`, which
/// selects the transaction through its data/gas/value indexes.
#[derive(Clone, Debug)]
pub struct Case {
    /// The fixture file.
    pub file: Arc<PathBuf>,
    /// The test's name (its key in the file).
    pub name: String,
    /// The fork the post state was filled for.
    pub fork: Fork,
    /// Position of this entry in `post[fork]`.
    pub index: usize,
    /// The `indexes` of the entry: `(data, gas, value)`.
    pub indexes: (usize, usize, usize),
    /// The accounts before the transaction, shared by every case of the test.
    pub pre: Arc<Vec<(Address, PreAccount)>>,
    /// The block environment; `blob_params` comes from `config.blobSchedule[fork]` when the
    /// fixture has one. `base_fee`, `prevrandao` and `excess_blob_gas` are the fixture's values
    /// as given (zero / `None` when absent), whatever the fork.
    pub block: BlockEnv,
    /// The chain id: `config.chainid`, or 1.
    pub chain_id: u64,
    /// The transaction, or `Err(reason)` when the fixture's values cannot form one (a value
    /// wider than 256 bits, a gas limit or nonce wider than 64 bits): such a transaction is
    /// invalid, and the executor must reject it like any other invalid transaction.
    ///
    /// The type follows the fields present: `authorizationList` → set-code,
    /// `blobVersionedHashes` → blob, `maxFeePerGas` → fee market, a non-null
    /// `accessLists[data]` → access list, else legacy. `chain_id` is `Some` for typed
    /// transactions and `None` for legacy ones (the fixtures do not say whether a legacy
    /// transaction is EIP-155 signed except inside `txbytes`).
    pub tx: Result<TxEnv, String>,
    /// The signed transaction (`txbytes`), when the fixture has it.
    pub tx_bytes: Option<Bytes>,
    /// The expected state root after the transaction (`hash`).
    pub expected_root: B256,
    /// The expected keccak-256 of the RLP list of logs (`logs`).
    pub expected_logs: B256,
    /// The expected exception (`expectException`, possibly several joined by `|`): the
    /// transaction must be rejected as invalid.
    pub expect_exception: Option<String>,
    /// The tool that filled the expected post states (it decides what a rejected
    /// transaction leaves behind).
    pub filler: Filler,
}

/// Which tool filled a fixture's expected post states, read from its `_info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filler {
    /// ethereum/tests, filled by retesteth driving geth's `t8n`: a rejected transaction still
    /// yields a block, whose zero-value reward touches the coinbase (creating it before
    /// EIP-161, removing it if empty after).
    Retesteth,
    /// execution-spec-tests, filled by the execution specs: a rejected transaction leaves
    /// the pre-state as it was.
    ExecutionSpecs,
}

impl Filler {
    /// Reads `_info`: EEST fixtures name a `fixture-format` or a `filling-transition-tool`.
    pub fn of(test: &serde_json::Map<String, serde_json::Value>) -> Filler {
        let info = test.get("_info").and_then(|i| i.as_object());
        let eest = info.is_some_and(|i| {
            i.contains_key("fixture-format") || i.contains_key("filling-transition-tool")
        });
        if eest {
            Filler::ExecutionSpecs
        } else {
            Filler::Retesteth
        }
    }
}

impl Case {
    /// The identity of this case, without its data.
    pub fn id(&self) -> CaseId {
        CaseId {
            file: self.file.clone(),
            name: self.name.clone(),
            fork: self.fork,
            index: self.index,
            indexes: self.indexes,
        }
    }
}

/// What identifies a case: file, test name, fork, entry and indexes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CaseId {
    /// The fixture file.
    pub file: Arc<PathBuf>,
    /// The test's name.
    pub name: String,
    /// The fork.
    pub fork: Fork,
    /// Position in `post[fork]`.
    pub index: usize,
    /// `(data, gas, value)` indexes.
    pub indexes: (usize, usize, usize),
}

impl fmt::Display for CaseId {
    /// `name fork[index] (d=…, g=…, v=…) file`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (d, g, v) = self.indexes;
        write!(
            f,
            "{} {}[{}] (d={d}, g={g}, v={v}) {}",
            self.name,
            self.fork,
            self.index,
            self.file.display()
        )
    }
}

/// What the executor reports for one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The state root after the transaction (the unchanged state's root when it was rejected,
    /// with the fork's usual end-of-block handling such as touching the coinbase).
    pub state_root: B256,
    /// keccak-256 of the RLP list of the transaction's logs.
    pub logs_hash: B256,
    /// `Some(reason)` when the transaction was rejected as invalid.
    pub invalid: Option<String>,
}

/// The verdict on one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseReport {
    /// Which case.
    pub case: CaseId,
    /// True when the outcome is what the fixture expects.
    pub pass: bool,
    /// The state root the executor computed.
    pub state_root: B256,
    /// Why the case failed; for a passing case, the executor's rejection reason when the
    /// transaction was (expectedly) invalid.
    pub error: Option<String>,
}

/// Compares an executor's outcome with what the case expects.
///
/// With an expected exception the transaction must be rejected and the state root must still
/// be the expected one (the state unchanged); without one the transaction must be accepted and
/// both the state root and the logs hash must match.
pub fn check(case: &Case, outcome: &Outcome) -> CaseReport {
    let error = match (&case.expect_exception, &outcome.invalid) {
        (Some(want), None) => Some(format!("expected exception {want}, tx was valid")),
        (Some(_), Some(reason)) => {
            if outcome.state_root != case.expected_root {
                Some(format!(
                    "state root {} want {} (tx rejected: {reason})",
                    outcome.state_root, case.expected_root
                ))
            } else {
                None
            }
        }
        (None, Some(reason)) => Some(format!("unexpected invalid tx: {reason}")),
        (None, None) => {
            if outcome.state_root != case.expected_root {
                Some(format!(
                    "state root {} want {}",
                    outcome.state_root, case.expected_root
                ))
            } else if outcome.logs_hash != case.expected_logs {
                Some(format!(
                    "logs hash {} want {}",
                    outcome.logs_hash, case.expected_logs
                ))
            } else {
                None
            }
        }
    };
    let pass = error.is_none();
    CaseReport {
        case: case.id(),
        pass,
        state_root: outcome.state_root,
        error: error.or_else(|| outcome.invalid.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(expect: Option<&str>) -> Case {
        Case {
            file: Arc::new("x.json".into()),
            name: "t".into(),
            fork: Fork::Cancun,
            index: 0,
            indexes: (0, 0, 0),
            pre: Arc::new(Vec::new()),
            block: BlockEnv::default(),
            chain_id: 1,
            tx: Ok(TxEnv::default()),
            tx_bytes: None,
            expected_root: B256::with_last_byte(1),
            expected_logs: B256::with_last_byte(2),
            expect_exception: expect.map(str::to_string),
            filler: Filler::ExecutionSpecs,
        }
    }

    fn outcome(root: u8, logs: u8, invalid: Option<&str>) -> Outcome {
        Outcome {
            state_root: B256::with_last_byte(root),
            logs_hash: B256::with_last_byte(logs),
            invalid: invalid.map(str::to_string),
        }
    }

    #[test]
    fn valid_tx_rules() {
        let c = case(None);
        let r = check(&c, &outcome(1, 2, None));
        assert!(r.pass && r.error.is_none());
        let r = check(&c, &outcome(3, 2, None));
        assert!(!r.pass);
        assert!(r.error.unwrap().starts_with("state root 0x"));
        let r = check(&c, &outcome(1, 3, None));
        assert!(r.error.unwrap().starts_with("logs hash 0x"));
        let r = check(&c, &outcome(1, 2, Some("nonce too low")));
        assert_eq!(
            r.error.as_deref(),
            Some("unexpected invalid tx: nonce too low")
        );
    }

    #[test]
    fn expected_exception_rules() {
        let c = case(Some("TransactionException.INTRINSIC_GAS_TOO_LOW"));
        let r = check(&c, &outcome(1, 9, Some("intrinsic gas")));
        assert!(r.pass);
        assert_eq!(r.error.as_deref(), Some("intrinsic gas"));
        let r = check(&c, &outcome(1, 2, None));
        assert!(!r.pass);
        assert_eq!(
            r.error.as_deref(),
            Some("expected exception TransactionException.INTRINSIC_GAS_TOO_LOW, tx was valid")
        );
        let r = check(&c, &outcome(4, 2, Some("intrinsic gas")));
        assert!(!r.pass);
        assert!(r.error.unwrap().contains("tx rejected: intrinsic gas"));
    }
}
