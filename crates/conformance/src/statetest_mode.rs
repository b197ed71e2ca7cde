//! State-test fixtures through the block executor.
//!
//! Two checks per case, over the cases the state-test loader (the crate root) reads:
//!
//! - [`execute_state_test_mode`]: the case's transaction runs as the only transaction of a
//!   block in [`ExecutionMode::StateTest`] (no system calls, rewards, withdrawals or
//!   requests, no header checks), with the fixture's filler convention for a rejected
//!   transaction ([`Filler::settle_rejected`]); the root, logs hash and rejection must be
//!   what the fixture expects, as for the state-test runner.
//! - [`compare_real_block`]: a case of Paris or later whose transaction is valid also runs
//!   signed (its `txbytes`) in a real one-transaction block: a header built on a parent that
//!   passes [`validate_header`], the pre-block system calls, an empty withdrawals list and
//!   the Prague requests. Its status, gas used and logs must equal the state-test runner's
//!   ([`execute_with_result`]). The state root is not compared: the system
//!   calls write state a state test does not have.

use crate::{execute_with_result, shared_precompile_cache, Case, FixtureDb, Outcome};
use ember_evm::state::logs_hash;
use ember_evm::{AccountInfo, Bytecode, ExecutionResult};
use ember_primitives::{Address, Fork, Spec, B256, U256};
use ember_transaction::Transaction;

use ember_blockchain::block_tx::StateTestTx;
use ember_blockchain::consensus::{calc_excess_blob_gas, check_header_fields, validate_header};
use ember_blockchain::execute::{
    execute_block, BlockContext, BlockDatabase, ExecuteOptions, ExecutionMode, InvalidTxPolicy,
    TxOutcome, CONSOLIDATION_REQUEST_ADDRESS, WITHDRAWAL_REQUEST_ADDRESS,
};
use ember_blockchain::header::{Header, EMPTY_OMMERS_HASH};
use ember_blockchain::receipt::ordered_trie_root;
use ember_blockchain::ChainConfig;

impl BlockDatabase for FixtureDb {
    fn state_root(&mut self) -> B256 {
        self.0.state_root()
    }
}

/// The chain a case runs on: its fork from genesis, its chain id, and its blob parameters
/// when the fixture gives them.
pub fn case_config(case: &Case) -> ChainConfig {
    let mut config = ChainConfig::single(case.fork, case.chain_id);
    if let Some(params) = case.block.blob_params {
        config.blob_schedule.push((case.fork, params));
    }
    config
}

/// The block context of a case's environment, without a parent (so no system calls).
pub fn case_context(case: &Case) -> BlockContext {
    let env = &case.block;
    BlockContext {
        fork: case.fork,
        number: env.number,
        timestamp: env.timestamp,
        gas_limit: env.gas_limit,
        coinbase: env.coinbase,
        base_fee: env.base_fee,
        difficulty: env.difficulty,
        prevrandao: env.prevrandao.unwrap_or_default(),
        excess_blob_gas: env.excess_blob_gas,
        parent_hash: None,
        parent_beacon_block_root: None,
    }
}

/// Runs `case` through the block executor in state-test mode and reports what the
/// state-test runner reports: the root (after the filler's convention for a rejected
/// transaction), the logs hash and the rejection.
pub fn execute_state_test_mode(case: &Case) -> Outcome {
    let options = ExecuteOptions::state_test(Some(shared_precompile_cache()));
    let txs = [StateTestTx(&case.tx)];
    let run = execute_block(
        FixtureDb::of(case),
        &case_config(case),
        &case_context(case),
        &txs,
        None,
        &options,
    );
    match run {
        Ok((execution, mut db)) => {
            let invalid = execution.rejected.first().map(|(_, reason)| reason.clone());
            let state_root = if invalid.is_some() {
                case.filler
                    .settle_rejected(&mut db.0, case.block.coinbase, Spec::of(case.fork));
                db.0.state_root()
            } else {
                execution.state_root
            };
            Outcome {
                state_root,
                logs_hash: logs_hash(&execution.logs),
                invalid,
            }
        }
        // With invalid transactions skipped, only a database failure ends up here.
        Err(e) => Outcome {
            state_root: B256::ZERO,
            logs_hash: B256::ZERO,
            invalid: Some(format!("block executor failed: {e}")),
        },
    }
}

/// The verdict of [`compare_real_block`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockComparison {
    /// The case is not one the comparison covers (before Paris, an invalid transaction, no
    /// `txbytes`, or a transaction the state-test runner itself rejects).
    NotApplicable(&'static str),
    /// Status, gas used and logs are equal.
    Agree,
    /// They differ, or the block could not be built or was rejected: why.
    Differ(String),
}

/// A header of the case's environment under its (Paris or later) fork: every optional field the fork
/// defines (as [`check_header_fields`] decides), execution results left empty.
fn case_header(case: &Case) -> Header {
    let env = &case.block;
    let mut header = Header {
        parent_hash: B256::ZERO,
        ommers_hash: EMPTY_OMMERS_HASH,
        beneficiary: env.coinbase,
        // Zero from the merge on (state tests may still give one; DIFFICULTY reads PREVRANDAO).
        difficulty: U256::ZERO,
        number: env.number,
        gas_limit: env.gas_limit,
        timestamp: env.timestamp,
        mix_hash: env.prevrandao.unwrap_or_default(),
        base_fee_per_gas: Some(env.base_fee),
        withdrawals_root: Some(ordered_trie_root(&[])),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(env.excess_blob_gas.unwrap_or(0)),
        parent_beacon_block_root: Some(B256::ZERO),
        requests_hash: Some(B256::ZERO),
        ..Header::default()
    };
    // Drop the newest fields until the header has exactly its fork's.
    let mut drops: [fn(&mut Header); 6] = [
        |h| h.requests_hash = None,
        |h| h.parent_beacon_block_root = None,
        |h| h.excess_blob_gas = None,
        |h| h.blob_gas_used = None,
        |h| h.withdrawals_root = None,
        |h| h.base_fee_per_gas = None,
    ];
    for drop in drops.iter_mut() {
        if check_header_fields(case.fork, &header).is_ok() {
            break;
        }
        drop(&mut header);
    }
    header
}

/// The parent of `header` that makes it valid: one less in number and time, the same gas
/// limit, half of it used (so the base fee stays), and blob gas that leaves the header's
/// excess (`excess + target` carried, none used).
fn parent_of(header: &Header, config: &ChainConfig, fork: Fork) -> Header {
    let target = config
        .blob_params(fork)
        .map_or(0, |params| params.target_blob_gas());
    Header {
        ommers_hash: EMPTY_OMMERS_HASH,
        number: header.number.wrapping_sub(1),
        timestamp: header.timestamp.wrapping_sub(1),
        gas_limit: header.gas_limit,
        gas_used: header.gas_limit / 2,
        base_fee_per_gas: header.base_fee_per_gas,
        withdrawals_root: header.withdrawals_root,
        blob_gas_used: header.blob_gas_used.map(|_| 0),
        excess_blob_gas: header.excess_blob_gas.map(|e| e.saturating_add(target)),
        parent_beacon_block_root: header.parent_beacon_block_root,
        requests_hash: header.requests_hash,
        ..Header::default()
    }
}

/// Runs a Paris-or-later case with a valid transaction as a real one-transaction block and
/// compares the transaction's status, gas used and logs with the state-test runner's.
///
/// The block: the case's environment as a header whose parent is built to pass
/// [`validate_header`] (number and timestamp one less, same gas limit, half of it used, blob
/// gas leaving the same excess); its parent hash and a zero beacon root feed the EIP-2935 and
/// EIP-4788 system calls; withdrawals are an empty list; Prague's two request contracts,
/// which a block requires, get a `STOP` as code when the pre-state lacks them.
pub fn compare_real_block(case: &Case) -> BlockComparison {
    let spec = Spec::of(case.fork);
    if !spec.prevrandao {
        return BlockComparison::NotApplicable("before Paris");
    }
    if case.expect_exception.is_some() {
        return BlockComparison::NotApplicable("invalid transaction");
    }
    let Some(bytes) = &case.tx_bytes else {
        return BlockComparison::NotApplicable("no txbytes");
    };
    let tx = match Transaction::decode(bytes) {
        Ok(tx) => tx,
        Err(e) => return BlockComparison::Differ(format!("txbytes do not decode: {e}")),
    };
    let (_, result) = execute_with_result(case);
    let Some(expected) = result else {
        return BlockComparison::NotApplicable("rejected by the state-test runner");
    };
    if case.block.number == 0 || case.block.timestamp == 0 {
        return BlockComparison::NotApplicable("genesis environment");
    }

    let config = case_config(case);
    let mut header = case_header(case);
    let parent = parent_of(&header, &config, case.fork);
    header.parent_hash = parent.hash();
    if let (Some(excess), Some(params)) = (header.excess_blob_gas, config.blob_params(case.fork)) {
        // EIP-7918 may keep the parent's excess: follow the rule rather than assume.
        if calc_excess_blob_gas(case.fork, params, &parent) != excess {
            return BlockComparison::NotApplicable("no parent gives this excess blob gas");
        }
    }
    if let Err(e) = validate_header(&config, &header, &parent) {
        return BlockComparison::Differ(format!("constructed header rejected: {e}"));
    }

    let mut db = FixtureDb::of(case);
    if header.requests_hash.is_some() {
        for address in [WITHDRAWAL_REQUEST_ADDRESS, CONSOLIDATION_REQUEST_ADDRESS] {
            if !db
                .0
                .accounts
                .get(&address)
                .is_some_and(|a| a.info.has_code())
            {
                let stop =
                    AccountInfo::with_code(Default::default(), 0, Bytecode::new([0u8].into()));
                db.0.insert_account(address, stop, []);
            }
        }
    }
    let options = ExecuteOptions {
        mode: ExecutionMode::Block,
        on_invalid_tx: InvalidTxPolicy::RejectBlock,
        reward: None,
        ommers: Vec::new(),
        precompile_cache: Some(shared_precompile_cache()),
        allow_sender_with_code: false,
    };
    let withdrawals = header.withdrawals_root.map(|_| Vec::new());
    let ctx = BlockContext::from_header(case.fork, &header);
    let execution = match execute_block(
        db,
        &config,
        &ctx,
        std::slice::from_ref(&tx),
        withdrawals.as_deref(),
        &options,
    ) {
        Ok((execution, _)) => execution,
        Err(e) => return BlockComparison::Differ(format!("block rejected: {e}")),
    };
    match execution.transactions.first() {
        Some(outcome) => compare_outcome(case, outcome, &expected),
        None => BlockComparison::Differ("the block included no transaction".into()),
    }
}

fn compare_outcome(case: &Case, got: &TxOutcome, want: &ExecutionResult) -> BlockComparison {
    let sender = case
        .tx
        .as_ref()
        .map(|env| env.caller)
        .unwrap_or(Address::ZERO);
    let differences: Vec<String> = [
        (got.sender != sender).then(|| format!("sender {} vs {sender}", got.sender)),
        (got.receipt.succeeded() != want.is_success()).then(|| {
            format!(
                "status {} vs {}",
                got.receipt.succeeded(),
                want.is_success()
            )
        }),
        (got.gas_used != want.gas_used())
            .then(|| format!("gas used {} vs {}", got.gas_used, want.gas_used())),
        (got.receipt.logs != want.logs()).then(|| {
            format!(
                "logs hash {} vs {}",
                logs_hash(&got.receipt.logs),
                logs_hash(want.logs())
            )
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    if differences.is_empty() {
        BlockComparison::Agree
    } else {
        BlockComparison::Differ(format!(
            "real block vs state test: {}",
            differences.join(", ")
        ))
    }
}

/// Both checks of one case, as an [`Outcome`] for the state-test checker: the state-test
/// mode's outcome, with a real-block disagreement (when `real_block` is set) turned into a
/// rejection the checker reports (`unexpected invalid tx: real block vs state test: ...`).
pub fn execute_case(case: &Case, real_block: bool) -> (Outcome, BlockComparison) {
    let mut outcome = execute_state_test_mode(case);
    let comparison = if real_block {
        compare_real_block(case)
    } else {
        BlockComparison::NotApplicable("not asked")
    };
    if let BlockComparison::Differ(why) = &comparison {
        outcome.invalid = Some(match outcome.invalid {
            Some(reason) => format!("{reason}; {why}"),
            None => why.clone(),
        });
    }
    (outcome, comparison)
}
