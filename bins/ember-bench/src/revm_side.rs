//! Running a case in revm: the fixture's fork, block and transaction mapped onto revm's types.

use crate::outcome::{Outcome, Status};
use ember_conformance::Case;
use ember_evm::primitives::alloy_primitives::Bloom;
use ember_evm::{BlockEnv, Fork, Spec, TxEnv, TxKind, U256};
use revm::context::result::{ExecutionResult, Output};
use revm::context::transaction::{
    AccessList, AccessListItem, Authorization, RecoveredAuthority, RecoveredAuthorization,
};
use revm::context::{BlockEnv as RevmBlockEnv, CfgEnv, TxEnv as RevmTxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Log as RevmLog, TxKind as RevmTxKind};
use revm::state::{AccountInfo as RevmAccountInfo, Bytecode as RevmBytecode};
use revm::{Context, ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// revm's in-memory database over an empty backend. `EmptyDB` answers BLOCKHASH with
/// `keccak256` of the decimal block number, as the state tests define it.
type RevmDb = CacheDB<EmptyDB>;

/// A case prepared for revm: the pre-state database built once (code analysed once), and the
/// configuration, block and transaction to build a fresh EVM over a clone of it for every run.
#[derive(Debug)]
pub struct RevmCase {
    db: RevmDb,
    cfg: CfgEnv,
    block: RevmBlockEnv,
    tx: RevmTxEnv,
    /// A block-sized batch to run instead of `tx` (see [`crate::batch`]).
    batch: Option<Vec<RevmTxEnv>>,
}

/// A receipt built from revm's result: the same consensus fields as Ember's
/// (`ember_blockchain::Receipt`), the bloom computed the same way.
#[derive(Debug)]
pub struct RevmReceipt {
    /// The transaction succeeded.
    pub success: bool,
    /// Gas used by this and every earlier transaction of the batch.
    pub cumulative_gas_used: u64,
    /// The logs.
    pub logs: Vec<RevmLog>,
    /// The bloom filter of the logs.
    pub bloom: Bloom,
}

impl RevmCase {
    /// Maps `case` and `tx` onto revm. `Err` when they cannot be expressed in revm (a fork it
    /// does not have, a fee wider than 128 bits, a malformed typed transaction); the caller
    /// counts that as revm rejecting the transaction.
    pub fn new(case: &Case, tx: &TxEnv, batch: Option<&[TxEnv]>) -> Result<RevmCase, String> {
        let spec = spec_id(case.fork)?;
        let mut cfg = CfgEnv::new_with_spec(spec);
        cfg.chain_id = case.chain_id;
        let mut block = block_env(&case.block)?;
        // Ember takes the blob parameters from the block (a fixture's blobSchedule) or the
        // fork; revm from its configuration. Ember's per-transaction blob cap is the block's.
        if let Some(params) = case.block.blob_params.or(Spec::of(case.fork).blobs) {
            block.set_blob_excess_gas_and_price(
                case.block.excess_blob_gas.unwrap_or(0),
                params.update_fraction,
            );
            cfg.blob_base_fee_update_fraction = Some(params.update_fraction);
            cfg.max_blobs_per_tx = Some(params.max);
        }

        let mut db = CacheDB::new(EmptyDB::new());
        for (address, account) in case.pre.iter() {
            let code = RevmBytecode::new_raw(account.code.clone());
            let info = RevmAccountInfo::default()
                .with_balance(account.balance)
                .with_nonce(account.nonce)
                .with_code(code);
            db.insert_account_info(*address, info);
            for &(key, value) in &account.storage {
                if !value.is_zero() {
                    let Ok(()) = db.insert_account_storage(*address, key, value);
                }
            }
        }

        let batch = batch
            .map(|txs| txs.iter().map(tx_env).collect::<Result<Vec<_>, _>>())
            .transpose()?;
        Ok(RevmCase {
            db,
            cfg,
            block,
            tx: tx_env(tx)?,
            batch,
        })
    }

    /// A fresh EVM over a clone of the pre-state (cheap: the code is shared, not copied).
    fn evm(
        &self,
    ) -> impl ExecuteCommitEvm<Tx = RevmTxEnv, ExecutionResult = ExecutionResult, Error: std::fmt::Display>
    {
        Context::mainnet()
            .with_cfg(self.cfg.clone())
            .with_block(self.block.clone())
            .with_db(self.db.clone())
            .build_mainnet()
    }

    /// Runs the transaction (or the batch) once: an outcome per transaction; `Err` when revm
    /// rejects one as invalid.
    pub fn run(&self) -> Result<Vec<Outcome>, String> {
        let mut evm = self.evm();
        let Some(batch) = &self.batch else {
            let result = evm
                .transact(self.tx.clone())
                .map_err(|e| e.to_string())?
                .result;
            return Ok(vec![outcome(result)]);
        };
        batch
            .iter()
            .enumerate()
            .map(|(i, tx)| {
                evm.transact_commit(tx.clone())
                    .map(outcome)
                    .map_err(|e| format!("transaction {i}: {e}"))
            })
            .collect()
    }

    /// The receipts of the batch as `(success, cumulative gas, bloom)`, for the check against
    /// Ember's; `None` for a single transaction.
    pub fn batch_receipts(&self) -> Option<Vec<(bool, u64, Vec<u8>)>> {
        let batch = self.batch.clone()?;
        let receipts = run_block(&mut self.evm(), batch);
        Some(
            receipts
                .into_iter()
                .map(|r| {
                    let _ = &r.logs;
                    (
                        r.success,
                        r.cumulative_gas_used,
                        r.bloom.as_slice().to_vec(),
                    )
                })
                .collect(),
        )
    }

    /// Times one run: only the `transact` call (validation, execution, and building the
    /// result and the state changes, not committed). Cloning the pre-state and the
    /// transaction (revm takes it by value) and building the EVM happen before the clock
    /// starts; dropping the result and the EVM after it stops.
    ///
    /// A batch is timed as one region: every transaction executed and committed in turn, and
    /// its receipt built (status, cumulative gas, logs and their bloom). revm takes each
    /// transaction by value, so the batch is cloned before the clock starts.
    pub fn time(&self) -> Duration {
        let mut evm = self.evm();
        if let Some(batch) = &self.batch {
            let batch = batch.clone();
            let start = Instant::now();
            let receipts = run_block(&mut evm, black_box(batch));
            let elapsed = start.elapsed();
            drop(black_box(receipts));
            return elapsed;
        }
        let tx = self.tx.clone();
        let start = Instant::now();
        let result = evm.transact(black_box(tx));
        let elapsed = start.elapsed();
        drop(black_box(result));
        drop(evm);
        elapsed
    }
}

/// Executes and commits `batch` in order on `evm`, building a receipt for each; stops at the
/// first invalid transaction (the batch was checked before timing, so there is none).
fn run_block(
    evm: &mut impl ExecuteCommitEvm<Tx = RevmTxEnv, ExecutionResult = ExecutionResult>,
    batch: Vec<RevmTxEnv>,
) -> Vec<RevmReceipt> {
    let mut receipts = Vec::with_capacity(batch.len());
    let mut cumulative = 0u64;
    for tx in batch {
        let Ok(result) = evm.transact_commit(tx) else {
            break;
        };
        cumulative += result.tx_gas_used();
        let success = result.is_success();
        let logs = match result {
            ExecutionResult::Success { logs, .. } => logs,
            _ => Vec::new(),
        };
        let mut bloom = Bloom::ZERO;
        for log in &logs {
            bloom.accrue_raw_log(log.address, log.data.topics());
        }
        receipts.push(RevmReceipt {
            success,
            cumulative_gas_used: cumulative,
            logs,
            bloom,
        });
    }
    receipts
}

/// The comparable outcome of one transaction.
fn outcome(result: ExecutionResult) -> Outcome {
    let logs = result
        .logs()
        .iter()
        .map(|log| {
            (
                log.address,
                log.data.topics().to_vec(),
                log.data.data.clone(),
            )
        })
        .collect();
    let gas_used = result.tx_gas_used();
    let (status, detail, output, created) = match result {
        // Ember reports no output for a creation, only the created address.
        ExecutionResult::Success {
            output: Output::Create(_, address),
            ..
        } => (
            Status::Success,
            "success".to_string(),
            Default::default(),
            address,
        ),
        ExecutionResult::Success {
            output: Output::Call(data),
            ..
        } => (Status::Success, "success".to_string(), data, None),
        ExecutionResult::Revert { output, .. } => {
            (Status::Revert, "revert".to_string(), output, None)
        }
        ExecutionResult::Halt { reason, .. } => (
            Status::Halt,
            format!("{reason:?}"),
            Default::default(),
            None,
        ),
    };
    Outcome {
        status,
        gas_used,
        output,
        created,
        logs,
        detail,
    }
}

/// revm's spec for an Ember fork.
pub fn spec_id(fork: Fork) -> Result<SpecId, String> {
    Ok(match fork {
        Fork::Frontier => SpecId::FRONTIER,
        Fork::Homestead => SpecId::HOMESTEAD,
        Fork::Tangerine => SpecId::TANGERINE,
        Fork::SpuriousDragon => SpecId::SPURIOUS_DRAGON,
        Fork::Byzantium => SpecId::BYZANTIUM,
        Fork::Constantinople => {
            return Err("revm has no Constantinople spec (EIP-1283), only Petersburg".into())
        }
        Fork::Petersburg => SpecId::PETERSBURG,
        Fork::Istanbul => SpecId::ISTANBUL,
        Fork::Berlin => SpecId::BERLIN,
        Fork::London => SpecId::LONDON,
        Fork::Paris => SpecId::MERGE,
        Fork::Shanghai => SpecId::SHANGHAI,
        Fork::Cancun => SpecId::CANCUN,
        Fork::Prague => SpecId::PRAGUE,
        // revm has no blob-parameter-only forks; their EVM rules are Osaka's.
        Fork::Osaka | Fork::Bpo1 | Fork::Bpo2 | Fork::Bpo3 | Fork::Bpo4 | Fork::Bpo5 => {
            SpecId::OSAKA
        }
    })
}

/// revm's block environment for Ember's (without the blob fields, set from the fork).
fn block_env(block: &BlockEnv) -> Result<RevmBlockEnv, String> {
    Ok(RevmBlockEnv {
        number: U256::from(block.number),
        beneficiary: block.coinbase,
        timestamp: U256::from(block.timestamp),
        gas_limit: block.gas_limit,
        basefee: u64::try_from(block.base_fee)
            .map_err(|_| format!("base fee {} does not fit revm's u64", block.base_fee))?,
        difficulty: block.difficulty,
        prevrandao: block.prevrandao,
        ..Default::default()
    })
}

/// A fee as revm holds it (`u128`).
fn fee(what: &str, value: U256) -> Result<u128, String> {
    u128::try_from(value).map_err(|_| format!("{what} {value} does not fit revm's u128"))
}

/// revm's transaction for Ember's, field by field.
pub fn tx_env(tx: &TxEnv) -> Result<RevmTxEnv, String> {
    let access_list = AccessList(
        tx.access_list
            .iter()
            .map(|item| AccessListItem {
                address: item.address,
                storage_keys: item.storage_keys.clone(),
            })
            .collect(),
    );
    let authorizations = tx
        .authorization_list
        .iter()
        .map(|auth| {
            RecoveredAuthorization::new_unchecked(
                Authorization {
                    chain_id: auth.chain_id,
                    address: auth.address,
                    nonce: auth.nonce,
                },
                match auth.authority {
                    Some(address) => RecoveredAuthority::Valid(address),
                    None => RecoveredAuthority::Invalid,
                },
            )
        })
        .collect();
    RevmTxEnv::builder()
        .tx_type(Some(tx.tx_type as u8))
        .caller(tx.caller)
        .gas_limit(tx.gas_limit)
        .gas_price(fee("gas price", tx.gas_price)?)
        .gas_priority_fee(
            tx.gas_priority_fee
                .map(|f| fee("priority fee", f))
                .transpose()?,
        )
        .kind(match tx.kind {
            TxKind::Call(to) => RevmTxKind::Call(to),
            TxKind::Create => RevmTxKind::Create,
        })
        .value(tx.value)
        .data(tx.data.clone())
        .nonce(tx.nonce)
        .chain_id(tx.chain_id)
        .access_list(access_list)
        .blob_hashes(tx.blob_hashes.clone())
        .max_fee_per_blob_gas(fee("blob fee cap", tx.max_fee_per_blob_gas)?)
        .authorization_list_recovered(authorizations)
        .build()
        .map_err(|e| format!("revm cannot form the transaction: {e}"))
}
