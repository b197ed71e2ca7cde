//! `ember-bench --blocks`: whole-block import in Ember and in revm, per blockchain test (the
//! execution-spec-tests gas benchmarks by default), timed the same way on both sides.
//!
//! Ember's side is `ember blocktest --bench`'s ([`time_import`]): each run builds a fresh
//! [`Chain`](ember_blockchain::Chain) from the genesis and pre-state outside the clock, then
//! times decoding and importing every block (header checks, execution, receipts, roots).
//!
//! revm's side ([`RevmBlocks`]) imports the same blocks: each run clones the pre-state
//! database outside the clock, then per block decodes the RLP with Ember's decoder, recovers
//! the senders with Ember's code, runs the fork's pre-block system calls (EIP-4788 beacon
//! root, EIP-2935 parent hash), executes and commits every transaction with revm under the
//! block's environment, builds the receipts, credits the withdrawals, collects the requests
//! (EIP-6110 deposits from the logs, EIP-7002 and EIP-7251 system calls), and computes the
//! transactions, receipts and withdrawals roots, the bloom, the requests hash and the state
//! root with Ember's trie code over revm's resulting state, so both sides pay the same
//! hashing. Every root and the gas used are compared with the block's header on every run
//! (a difference fails the test before any timing is reported).
//!
//! Both sides run each test in the same process, their runs alternating (Ember, revm,
//! Ember, ...), a median of at least five runs each; no precompile memo on either side.

use std::fmt::Display;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ember_blockchain::execute::{
    parse_deposit_log, request_type, requests_hash, BEACON_ROOTS_ADDRESS,
    CONSOLIDATION_REQUEST_ADDRESS, DEPOSIT_EVENT_SIGNATURE_HASH, HISTORY_STORAGE_ADDRESS,
    WITHDRAWAL_REQUEST_ADDRESS,
};
use ember_blockchain::receipt::{logs_bloom, ordered_trie_root};
use ember_blockchain::{Block, BlockTransaction, ChainConfig, Receipt, ReceiptOutcome};
use ember_conformance::blocktest::{load_file, run_test, time_import, BlockTest};
use ember_evm::state::{state_root_with_storage_roots, storage_root, AccountInfo};
use ember_evm::{Address, Bytes, Log, Spec, B256, U256};
use regex::Regex;
use revm::context::result::{ExecResultAndState, ExecutionResult};
use revm::context::{BlockEnv as RevmBlockEnv, CfgEnv, ContextTr};
use revm::database::{AccountState, CacheDB, EmptyDB};
use revm::handler::SYSTEM_ADDRESS;
use revm::state::{AccountInfo as RevmAccountInfo, Bytecode as RevmBytecode, EvmState};
use revm::{Context, ExecuteCommitEvm, MainBuilder, MainContext, SystemCallEvm};

use crate::revm_side::{spec_id, tx_env};

/// revm's in-memory database over an empty backend; block hashes are inserted as blocks are
/// imported (the genesis first).
type RevmDb = CacheDB<EmptyDB>;

/// A blockchain test prepared for revm: the pre-state database with the genesis hash, and
/// the blocks' RLP.
pub struct RevmBlocks {
    pre: RevmDb,
    config: ChainConfig,
    blocks: Vec<Bytes>,
}

impl RevmBlocks {
    /// Prepares `test`; `Err` when revm cannot import it here (an unsupported network, a
    /// block the fixture expects to be rejected: this side imports valid chains only).
    pub fn new(test: &BlockTest) -> Result<RevmBlocks, String> {
        let config = test.config.clone()?;
        let genesis = Block::decode(&test.genesis_rlp).map_err(|e| format!("genesis RLP: {e}"))?;
        let mut blocks = Vec::with_capacity(test.blocks.len());
        for (i, block) in test.blocks.iter().enumerate() {
            if let Some(want) = &block.expect_exception {
                return Err(format!("block {i} is expected to fail ({want})"));
            }
            blocks.push(block.rlp.clone().map_err(|e| format!("block {i}: {e}"))?);
        }
        let mut pre = CacheDB::new(EmptyDB::new());
        for (address, account) in &test.pre {
            let info = RevmAccountInfo::default()
                .with_balance(account.balance)
                .with_nonce(account.nonce)
                .with_code(RevmBytecode::new_raw(account.code.clone()));
            pre.insert_account_info(*address, info);
            for (key, value) in &account.storage {
                if !value.is_zero() {
                    let Ok(()) = pre.insert_account_storage(*address, *key, *value);
                }
            }
        }
        pre.cache
            .block_hashes
            .insert(U256::from(genesis.header.number), genesis.hash());
        Ok(RevmBlocks {
            pre,
            config,
            blocks,
        })
    }

    /// One run: every block imported on a fresh clone of the pre-state (cloned before the
    /// clock starts). Returns the gas used and the time; `Err` when a block's execution does
    /// not give its header's gas used and roots.
    pub fn run(&self) -> Result<(u64, Duration), String> {
        let mut db = self.pre.clone();
        let start = Instant::now();
        let mut gas = 0;
        for (i, rlp) in self.blocks.iter().enumerate() {
            gas +=
                import_block(&mut db, &self.config, rlp).map_err(|e| format!("block {i}: {e}"))?;
        }
        let elapsed = start.elapsed();
        drop(std::hint::black_box(db));
        Ok((gas, elapsed))
    }
}

/// Compares one header field with what execution produced.
fn check<T: PartialEq + std::fmt::Debug>(field: &str, header: T, got: T) -> Result<(), String> {
    if header == got {
        Ok(())
    } else {
        Err(format!("{field}: header {header:?}, revm {got:?}"))
    }
}

/// Runs a system call and commits it without the system account (as Ember and the specs
/// do); `Ok(output)` on success.
fn system_call<E>(evm: &mut E, to: Address, data: Bytes) -> Result<Bytes, String>
where
    E: SystemCallEvm<ExecutionResult = ExecutionResult, State = EvmState> + ExecuteCommitEvm,
    E::Error: Display,
{
    let ExecResultAndState { result, mut state } = evm
        .system_call(to, data)
        .map_err(|e| format!("system call to {to}: {e}"))?;
    state.remove(&SYSTEM_ADDRESS);
    evm.commit(state);
    match result {
        ExecutionResult::Success { output, .. } => Ok(output.into_data()),
        other => Err(format!("system call to {to} failed: {other:?}")),
    }
}

/// Imports one block into `db` with revm; returns its gas used.
fn import_block(db: &mut RevmDb, config: &ChainConfig, rlp: &[u8]) -> Result<u64, String> {
    let block = Block::decode(rlp).map_err(|e| format!("RLP: {e}"))?;
    let header = &block.header;
    let fork = config.fork_at(header.number, header.timestamp);
    let spec = Spec::of(fork);
    let mut cfg = CfgEnv::new_with_spec(spec_id(fork)?);
    cfg.chain_id = config.chain_id;
    let basefee = header.base_fee_per_gas.unwrap_or_default();
    let mut env = RevmBlockEnv {
        number: U256::from(header.number),
        beneficiary: header.beneficiary,
        timestamp: U256::from(header.timestamp),
        gas_limit: header.gas_limit,
        basefee: u64::try_from(basefee)
            .map_err(|_| format!("base fee {basefee} does not fit revm's u64"))?,
        difficulty: header.difficulty,
        prevrandao: Some(header.mix_hash),
        ..Default::default()
    };
    if let Some(params) = config.blob_params(fork) {
        env.set_blob_excess_gas_and_price(
            header.excess_blob_gas.unwrap_or(0),
            params.update_fraction,
        );
        cfg.blob_base_fee_update_fraction = Some(params.update_fraction);
    }
    let mut evm = Context::mainnet()
        .with_cfg(cfg)
        .with_block(env)
        .with_db(&mut *db)
        .build_mainnet();

    if spec.beacon_roots_call {
        if let Some(root) = header.parent_beacon_block_root {
            system_call(&mut evm, BEACON_ROOTS_ADDRESS, root.0.to_vec().into())?;
        }
    }
    if spec.history_call {
        system_call(
            &mut evm,
            HISTORY_STORAGE_ADDRESS,
            header.parent_hash.0.to_vec().into(),
        )?;
    }

    let mut cumulative = 0u64;
    let mut receipts = Vec::with_capacity(block.transactions.len());
    let mut tx_items = Vec::with_capacity(block.transactions.len());
    for (i, tx) in block.transactions.iter().enumerate() {
        let env = tx
            .checked_env(spec, config.chain_id)
            .map_err(|e| format!("transaction {i}: {e}"))?;
        let result = evm
            .transact_commit(tx_env(&env)?)
            .map_err(|e| format!("transaction {i}: {e}"))?;
        cumulative += result.tx_gas_used();
        let success = result.is_success();
        let logs = match result {
            ExecutionResult::Success { logs, .. } => logs
                .into_iter()
                .map(|log| Log {
                    address: log.address,
                    topics: log.data.topics().to_vec(),
                    data: log.data.data,
                })
                .collect(),
            _ => Vec::new(),
        };
        receipts.push(Receipt::new(
            tx.tx_type(),
            ReceiptOutcome::Status(success),
            cumulative,
            logs,
        ));
        tx_items.push(tx.trie_item());
    }

    let withdrawals_root = match &block.withdrawals {
        Some(withdrawals) => {
            for w in withdrawals {
                let amount = U256::from(w.amount) * U256::from(1_000_000_000u64);
                if amount.is_zero() {
                    continue;
                }
                let account = evm
                    .ctx
                    .db_mut()
                    .load_account(w.address)
                    .map_err(|e| format!("withdrawal: {e:?}"))?;
                account.info.balance = account.info.balance.saturating_add(amount);
                if matches!(account.account_state, AccountState::NotExisting) {
                    account.account_state = AccountState::Touched;
                }
            }
            let encoded: Vec<Vec<u8>> = withdrawals.iter().map(|w| w.encoded()).collect();
            Some(ordered_trie_root(&encoded))
        }
        None => None,
    };

    let requests = if spec.execution_requests {
        let mut requests: Vec<Bytes> = Vec::new();
        let mut deposits = Vec::new();
        for log in receipts.iter().flat_map(|r| r.logs.iter()) {
            if log.address == config.deposit_contract
                && log.topics.first() == Some(&DEPOSIT_EVENT_SIGNATURE_HASH)
            {
                deposits.extend(parse_deposit_log(&log.data).map_err(|e| e.to_string())?);
            }
        }
        if !deposits.is_empty() {
            let mut request = vec![request_type::DEPOSIT];
            request.extend(deposits);
            requests.push(request.into());
        }
        for (address, ty) in [
            (WITHDRAWAL_REQUEST_ADDRESS, request_type::WITHDRAWAL),
            (CONSOLIDATION_REQUEST_ADDRESS, request_type::CONSOLIDATION),
        ] {
            let output = system_call(&mut evm, address, Bytes::new())?;
            if !output.is_empty() {
                let mut request = Vec::with_capacity(output.len() + 1);
                request.push(ty);
                request.extend_from_slice(&output);
                requests.push(request.into());
            }
        }
        Some(requests_hash(&requests))
    } else {
        None
    };
    drop(evm);

    let encoded: Vec<Vec<u8>> = receipts.iter().map(Receipt::encoded).collect();
    check("gas_used", header.gas_used, cumulative)?;
    check(
        "transactions_root",
        header.transactions_root,
        ordered_trie_root(&tx_items),
    )?;
    check(
        "receipts_root",
        header.receipts_root,
        ordered_trie_root(&encoded),
    )?;
    check(
        "logs_bloom",
        header.logs_bloom,
        logs_bloom(receipts.iter().flat_map(|r| r.logs.iter())),
    )?;
    check(
        "withdrawals_root",
        header.withdrawals_root,
        withdrawals_root,
    )?;
    check("requests_hash", header.requests_hash, requests)?;
    check("state_root", header.state_root, state_root(db))?;
    db.cache
        .block_hashes
        .insert(U256::from(header.number), block.hash());
    Ok(cumulative)
}

/// The state root of revm's database with Ember's trie code: every account that exists
/// (an account emptied by execution is gone, EIP-161), storage zeros absent.
fn state_root(db: &RevmDb) -> B256 {
    let accounts: Vec<(Address, AccountInfo, B256)> = db
        .cache
        .accounts
        .iter()
        .filter(|(_, account)| match account.account_state {
            AccountState::NotExisting => false,
            AccountState::Touched | AccountState::StorageCleared => !account.info.is_empty(),
            AccountState::None => true,
        })
        .map(|(address, account)| {
            let info = AccountInfo {
                balance: account.info.balance,
                nonce: account.info.nonce,
                code_hash: account.info.code_hash,
                code: None,
            };
            (*address, info, storage_root(account.storage.iter()))
        })
        .collect();
    state_root_with_storage_roots(accounts.iter().map(|(a, info, root)| (*a, info, *root)))
}

/// One test timed on both sides.
pub struct Row {
    /// `file::test`.
    pub name: String,
    /// Gas used by the test's blocks.
    pub gas: u64,
    /// Ember's median import time, in nanoseconds.
    pub ember_ns: u64,
    /// revm's median import time, in nanoseconds.
    pub revm_ns: u64,
}

impl Row {
    fn ember_mgas(&self) -> f64 {
        mgas(self.gas, self.ember_ns)
    }
    fn revm_mgas(&self) -> f64 {
        mgas(self.gas, self.revm_ns)
    }
    /// Ember's Mgas/s over revm's (above 1: Ember is faster).
    fn ratio(&self) -> f64 {
        if self.ember_ns == 0 {
            0.0
        } else {
            self.revm_ns as f64 / self.ember_ns as f64
        }
    }
}

fn mgas(gas: u64, ns: u64) -> f64 {
    if ns == 0 {
        0.0
    } else {
        gas as f64 * 1e3 / ns as f64
    }
}

fn median(mut runs: Vec<u64>) -> u64 {
    runs.sort_unstable();
    match runs.len() {
        0 => 0,
        n if n % 2 == 1 => runs[n / 2],
        n => (runs[n / 2 - 1] + runs[n / 2]) / 2,
    }
}

/// A short display name: the fixture file's path below `blockchain_tests/benchmark/compute`
/// (or below `blockchain_tests`, or the whole path), its last component dropped when it
/// repeats the folder's (`precompile/identity/identity` is `precompile/identity`), then the
/// test's parameters without the fork and fixture format (`[benchmark-gas-value_5M]`).
fn display_name(test: &BlockTest) -> String {
    let file = test.file.to_string_lossy();
    let file = file.trim_end_matches(".json");
    let file = ["blockchain_tests/benchmark/compute/", "blockchain_tests/"]
        .iter()
        .find_map(|prefix| file.split_once(prefix).map(|(_, rest)| rest))
        .unwrap_or(file);
    let file = match file.rsplit_once('/') {
        Some((dir, last)) if dir.rsplit('/').next() == Some(last) => dir,
        _ => file,
    };
    let params = test
        .name
        .rsplit_once("::")
        .map_or(test.name.as_str(), |(_, last)| last);
    let mut short = String::with_capacity(params.len());
    for (i, part) in params.split('-').enumerate() {
        let part = part.strip_prefix("test_").unwrap_or(part);
        let (head, fork) = match part.split_once('[') {
            Some((head, rest)) => (Some(head), rest),
            None => (None, part),
        };
        if let Some(head) = head {
            short.push_str(head);
            short.push('[');
        }
        if fork.starts_with("fork_") || fork == "blockchain_test" {
            continue;
        }
        if i > 0 && !short.ends_with('[') {
            short.push('-');
        }
        short.push_str(fork);
    }
    format!("{file}::{short}")
}

/// Times one test on both sides: both checked first (Ember's run against the fixture's final
/// state and head, revm's every root against the headers), then `runs` imports each,
/// alternating Ember and revm so that a burst of load on the shared machine hits both.
fn measure(test: &BlockTest, runs: usize) -> Result<Row, String> {
    let revm = RevmBlocks::new(test)?;
    let check = run_test(test, None);
    if !check.pass {
        return Err(format!(
            "Ember: {}",
            check.error.unwrap_or_else(|| "failed".into())
        ));
    }
    let (revm_gas, _) = revm.run().map_err(|e| format!("revm: {e}"))?;
    let mut ember_runs = Vec::with_capacity(runs);
    let mut revm_runs = Vec::with_capacity(runs);
    for _ in 0..runs {
        let (ember_gas, ember_ns) = time_import(test).map_err(|e| format!("Ember: {e}"))?;
        if ember_gas != revm_gas {
            return Err(format!("gas used: Ember {ember_gas}, revm {revm_gas}"));
        }
        ember_runs.push(ember_ns);
        let (_, elapsed) = revm.run().map_err(|e| format!("revm: {e}"))?;
        revm_runs.push(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX));
    }
    Ok(Row {
        name: display_name(test),
        gas: revm_gas,
        ember_ns: median(ember_runs),
        revm_ns: median(revm_runs),
    })
}

/// The JSON line of a row.
fn json_line(row: &Row) -> String {
    serde_json::json!({
        "name": row.name,
        "gas": row.gas,
        "ember_ns": row.ember_ns,
        "revm_ns": row.revm_ns,
        "ember_mgas_s": (row.ember_mgas() * 100.0).round() / 100.0,
        "revm_mgas_s": (row.revm_mgas() * 100.0).round() / 100.0,
        "ratio": (row.ratio() * 1000.0).round() / 1000.0,
    })
    .to_string()
}

/// The side-by-side table, slowest (lowest Ember Mgas/s) first, and the summary.
pub fn table(rows: &[Row]) -> String {
    use std::fmt::Write;
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by(|a, b| a.ember_mgas().total_cmp(&b.ember_mgas()));
    let width = sorted
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$} {:>13} {:>11} {:>11} {:>7}",
        "test", "gas", "Ember Mgas/s", "revm Mgas/s", "ratio"
    );
    for r in &sorted {
        let _ = writeln!(
            out,
            "{:<width$} {:>13} {:>11.1} {:>11.1} {:>7.3}",
            r.name,
            r.gas,
            r.ember_mgas(),
            r.revm_mgas(),
            r.ratio()
        );
    }
    let _ = writeln!(out);
    let _ = write!(out, "{}", summary(rows));
    out
}

/// The whole-set figures: total gas and time on each side, their ratio, and the tests below
/// 0.95 of revm's Mgas/s.
pub fn summary(rows: &[Row]) -> String {
    let gas: u64 = rows.iter().map(|r| r.gas).sum();
    let ember: u64 = rows.iter().map(|r| r.ember_ns).sum();
    let revm: u64 = rows.iter().map(|r| r.revm_ns).sum();
    let below = rows.iter().filter(|r| r.ratio() < 0.95).count();
    let slowest = rows
        .iter()
        .min_by(|a, b| a.ember_mgas().total_cmp(&b.ember_mgas()));
    let mut out = format!(
        "{} tests, {:.1} Mgas: Ember {:.2} s ({:.1} Mgas/s), revm {:.2} s ({:.1} Mgas/s); \
         Ember's time / revm's = {:.3}; {} test(s) below 0.95 of revm's Mgas/s\n",
        rows.len(),
        gas as f64 / 1e6,
        ember as f64 / 1e9,
        mgas(gas, ember),
        revm as f64 / 1e9,
        mgas(gas, revm),
        if revm == 0 {
            0.0
        } else {
            ember as f64 / revm as f64
        },
        below,
    );
    if let Some(s) = slowest {
        out.push_str(&format!(
            "slowest for Ember: {} at {:.1} Mgas/s (revm {:.1})\n",
            s.name,
            s.ember_mgas(),
            s.revm_mgas()
        ));
    }
    out
}

/// Times every test of `files` whose name matches `filter`, printing its JSON line on stdout
/// as it is measured and each failure on stderr. Returns the rows and the number of
/// failures; `Err` on a fixture error.
pub fn run(
    files: &[PathBuf],
    filter: Option<&Regex>,
    runs: usize,
) -> Result<(Vec<Row>, usize), String> {
    let mut rows = Vec::new();
    let mut failures = 0;
    for file in files {
        let tests = load_file(file).map_err(|e| e.to_string())?;
        for test in tests {
            if filter.is_some_and(|re| !re.is_match(&test.name)) {
                continue;
            }
            match measure(&test, runs) {
                Ok(row) => {
                    println!("{}", json_line(&row));
                    rows.push(row);
                }
                Err(e) => {
                    eprintln!("FAIL {}: {e}", display_name(&test));
                    failures += 1;
                }
            }
        }
    }
    Ok((rows, failures))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, gas: u64, ember_ns: u64, revm_ns: u64) -> Row {
        Row {
            name: name.into(),
            gas,
            ember_ns,
            revm_ns,
        }
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![5, 1, 3]), 3);
        assert_eq!(median(vec![4, 1, 3, 2]), 2);
        assert_eq!(median(Vec::new()), 0);
    }

    #[test]
    fn table_is_slowest_first_with_the_whole_set_ratio() {
        // a: 100 Mgas/s for Ember, 200 for revm; b: 1,000 and 500.
        let rows = [
            row("b", 1_000_000, 1_000_000, 2_000_000),
            row("a", 10_000_000, 100_000_000, 50_000_000),
        ];
        assert!((rows[1].ember_mgas() - 100.0).abs() < 1e-9);
        assert!((rows[1].ratio() - 0.5).abs() < 1e-9);
        let s = summary(&rows);
        assert!(s.starts_with("2 tests, 11.0 Mgas"), "{s}");
        // Ember 0.101 s against revm 0.052 s.
        assert!(s.contains("Ember's time / revm's = 1.942"), "{s}");
        assert!(s.contains("1 test(s) below 0.95"), "{s}");
        assert!(
            s.contains("slowest for Ember: a at 100.0 Mgas/s (revm 200.0)"),
            "{s}"
        );
        let t = table(&rows);
        let names: Vec<&str> = t
            .lines()
            .skip(1)
            .take(2)
            .map(|l| l.split_whitespace().next().unwrap_or(""))
            .collect();
        assert_eq!(names, ["a", "b"]);
        let line = json_line(&rows[1]);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["ratio"], 0.5);
        assert_eq!(v["ember_mgas_s"], 100.0);
    }
}
