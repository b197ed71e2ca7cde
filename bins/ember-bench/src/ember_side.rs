//! Running a case in Ember.

use crate::outcome::{Outcome, Status};
use ember_blockchain::{Receipt, ReceiptOutcome};
use ember_conformance::Case;
use ember_evm::state::AccountInfo;
use ember_evm::{BlockEnv, Bytecode, Evm, ExecutionResult, Fork, InMemoryDb, TxEnv};
use std::hint::black_box;
use std::time::{Duration, Instant};

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
    /// A block-sized batch to run instead of `tx` (see [`crate::batch`]).
    batch: Option<Vec<TxEnv>>,
}

impl EmberCase {
    /// Builds the pre-state of `case` for running `tx`, or `batch` when there is one.
    pub fn new(case: &Case, tx: &TxEnv, batch: Option<Vec<TxEnv>>) -> EmberCase {
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
            batch,
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

    /// Runs the transaction (or the batch) once: an outcome per transaction; `Err` when Ember
    /// rejects one as invalid.
    pub fn run(&self) -> Result<Vec<Outcome>, String> {
        let mut evm = self.evm();
        let Some(batch) = &self.batch else {
            let result = evm.transact(&self.tx).map_err(|e| e.to_string())?.result;
            return Ok(vec![outcome(&result)]);
        };
        batch
            .iter()
            .enumerate()
            .map(|(i, tx)| {
                evm.transact_commit(tx)
                    .map(|result| outcome(&result))
                    .map_err(|e| format!("transaction {i}: {e}"))
            })
            .collect()
    }

    /// The receipts of the batch as `(success, cumulative gas, bloom)`, for the check against
    /// revm's; `None` for a single transaction.
    pub fn batch_receipts(&self) -> Option<Vec<(bool, u64, Vec<u8>)>> {
        let batch = self.batch.as_ref()?;
        let receipts = run_block(&mut self.evm(), batch);
        Some(
            receipts
                .into_iter()
                .map(|r| {
                    (
                        r.succeeded(),
                        r.cumulative_gas_used,
                        r.bloom.as_slice().to_vec(),
                    )
                })
                .collect(),
        )
    }

    /// Times one run: only the `transact` call (validation, execution, and building the
    /// result and the state changes, not committed). Cloning the pre-state and building the
    /// EVM happen before the clock starts; dropping the result and the EVM after it stops.
    ///
    /// A batch is timed as one region: every transaction executed and committed in turn, and
    /// its receipt built (status, cumulative gas, logs and their bloom).
    pub fn time(&self) -> Duration {
        let mut evm = self.evm();
        if let Some(batch) = &self.batch {
            let start = Instant::now();
            let receipts = run_block(&mut evm, black_box(batch));
            let elapsed = start.elapsed();
            drop(black_box(receipts));
            return elapsed;
        }
        let start = Instant::now();
        let result = evm.transact(black_box(&self.tx));
        let elapsed = start.elapsed();
        drop(black_box(result));
        drop(evm);
        elapsed
    }
}

/// Executes and commits `batch` in order on `evm`, building a receipt for each; stops at the
/// first invalid transaction (the batch was checked before timing, so there is none).
fn run_block(evm: &mut Evm<BenchDb>, batch: &[TxEnv]) -> Vec<Receipt> {
    let mut receipts = Vec::with_capacity(batch.len());
    let mut cumulative = 0u64;
    for tx in batch {
        let Ok(result) = evm.transact_commit(tx) else {
            break;
        };
        cumulative += result.gas_used();
        let success = result.is_success();
        let logs = match result {
            ExecutionResult::Success { logs, .. } => logs,
            _ => Vec::new(),
        };
        receipts.push(Receipt::new(
            tx.tx_type,
            ReceiptOutcome::Status(success),
            cumulative,
            logs,
        ));
    }
    receipts
}

/// The comparable outcome of one transaction.
fn outcome(result: &ExecutionResult) -> Outcome {
    let created = match result {
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
    let (status, detail) = match result {
        ExecutionResult::Success { .. } => (Status::Success, "success".to_string()),
        ExecutionResult::Revert { .. } => (Status::Revert, "revert".to_string()),
        ExecutionResult::Halt { reason, .. } => (Status::Halt, format!("{reason:?}")),
    };
    Outcome {
        status,
        gas_used: result.gas_used(),
        output: result.output().clone(),
        created,
        logs,
        detail,
    }
}
