//! Running a case in Ember.

use crate::outcome::{Outcome, Status};
use ember_conformance::Case;
use ember_evm::state::AccountInfo;
use ember_evm::{BlockEnv, Bytecode, Evm, ExecutionResult, Fork, InMemoryDb, TxEnv};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The state tests' database for Ember: the pre-state in memory, with BLOCKHASH answered as
/// The state tests' database (BLOCKHASH = keccak256 of the decimal number, as revm's
/// `EmptyDB` answers it): the one `ember statetest` uses.
pub use ember_conformance::FixtureDb as BenchDb;

/// A case prepared for Ember: the pre-state database built once (code analysed once), and
/// the environment to build a fresh EVM over a clone of it for every run.
#[derive(Debug)]
pub struct EmberCase {
    db: BenchDb,
    fork: Fork,
    block: BlockEnv,
    chain_id: u64,
    tx: TxEnv,
}

impl EmberCase {
    /// Builds the pre-state of `case` for running `tx`.
    pub fn new(case: &Case, tx: &TxEnv) -> EmberCase {
        let mut db = InMemoryDb::new();
        for (address, account) in case.pre.iter() {
            let info = AccountInfo::with_code(
                account.balance,
                account.nonce,
                Bytecode::new(account.code.clone()),
            );
            db.insert_account(*address, info, account.storage.iter().copied());
        }
        EmberCase {
            db: BenchDb(db),
            fork: case.fork,
            block: case.block.clone(),
            chain_id: case.chain_id,
            tx: tx.clone(),
        }
    }

    /// A fresh EVM over a clone of the pre-state (cheap: the code is shared, not copied).
    fn evm(&self) -> Evm<BenchDb> {
        Evm::builder(self.db.clone())
            .fork(self.fork)
            .block(self.block.clone())
            .chain_id(self.chain_id)
            .build()
    }

    /// Runs the transaction once; `Err` when Ember rejects it as invalid.
    pub fn run(&self) -> Result<Outcome, String> {
        let result = self
            .evm()
            .transact(&self.tx)
            .map_err(|e| e.to_string())?
            .result;
        let created = match &result {
            ExecutionResult::Success {
                created_address, ..
            } => *created_address,
            _ => None,
        };
        let logs = result
            .logs()
            .iter()
            .map(|log| (log.address, log.topics.clone(), log.data.clone()))
            .collect();
        let (status, detail) = match &result {
            ExecutionResult::Success { .. } => (Status::Success, "success".to_string()),
            ExecutionResult::Revert { .. } => (Status::Revert, "revert".to_string()),
            ExecutionResult::Halt { reason, .. } => (Status::Halt, format!("{reason:?}")),
        };
        Ok(Outcome {
            status,
            gas_used: result.gas_used(),
            output: result.output().clone(),
            created,
            logs,
            detail,
        })
    }

    /// Times one run: only the `transact` call (validation, execution, and building the
    /// result and the state changes, not committed). Cloning the pre-state and building the
    /// EVM happen before the clock starts; dropping the result and the EVM after it stops.
    pub fn time(&self) -> Duration {
        let mut evm = self.evm();
        let start = Instant::now();
        let result = evm.transact(black_box(&self.tx));
        let elapsed = start.elapsed();
        drop(black_box(result));
        drop(evm);
        elapsed
    }
}
