//! Blockchain-test fixtures (execution-spec-tests `blockchain_tests`, ethereum/tests
//! `BlockchainTests`): load, import every block, compare the final state and head.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::{collect_files, LoadError};
use ember_evm::InMemoryDb;
pub use ember_evm::PrecompileCache;
use ember_primitives::{BlobParams, Bytes, Fork, B256};
use rayon::prelude::*;
use regex::Regex;
use serde_json::{Map, Value};

use ember_blockchain::json::{self, Alloc};
use ember_blockchain::{Block, Chain, ChainConfig, Header};
use ember_primitives::alloy_primitives::{Bloom, B64};

/// One block of a test: its RLP and whether it must be rejected.
#[derive(Clone, Debug)]
pub struct TestBlock {
    /// The block's RLP, or why the fixture's `rlp` is not hex (the block is then invalid).
    pub rlp: Result<Bytes, String>,
    /// `expectException`: the block must be rejected.
    pub expect_exception: Option<String>,
}

/// What the state must be after the last block.
#[derive(Clone, Debug)]
pub enum PostState {
    /// `postState`: every account.
    Accounts(Alloc),
    /// `postStateHash`: the state root.
    Root(B256),
}

/// One blockchain test.
#[derive(Clone, Debug)]
pub struct BlockTest {
    /// The fixture file.
    pub file: Arc<PathBuf>,
    /// The test's name.
    pub name: String,
    /// The `network` (a fork or a transition such as `ShanghaiToCancunAtTime15k`).
    pub network: String,
    /// The chain configuration, or why the network is not supported (the test is skipped).
    pub config: Result<ChainConfig, String>,
    /// The genesis block's RLP.
    pub genesis_rlp: Bytes,
    /// The genesis state.
    pub pre: Alloc,
    /// The blocks in order.
    pub blocks: Vec<TestBlock>,
    /// The expected final state.
    pub post: PostState,
    /// The expected head hash.
    pub last_block_hash: B256,
}

/// The verdict on one test.
#[derive(Clone, Debug)]
pub struct TestReport {
    /// The fixture file.
    pub file: Arc<PathBuf>,
    /// The test's name.
    pub name: String,
    /// The network.
    pub network: String,
    /// True when every block was imported or rejected as expected and the final state and
    /// head match.
    pub pass: bool,
    /// The state root at the end.
    pub state_root: B256,
    /// Why the test failed.
    pub error: Option<String>,
}

fn field_error(path: &Path, test: Option<&str>, field: &str, message: String) -> LoadError {
    LoadError::Field {
        path: path.to_path_buf(),
        test: test.map(str::to_string),
        field: field.to_string(),
        message,
    }
}

fn parse_blob_schedule(config: &Map<String, Value>) -> Result<Vec<(Fork, BlobParams)>, String> {
    let Some(schedule) = config.get("blobSchedule") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, entry) in json::object(schedule, "config.blobSchedule")? {
        let Ok(fork) = name.parse::<Fork>() else {
            continue; // a fork Ember does not know yet cannot be active in a known network
        };
        let what = format!("config.blobSchedule.{name}");
        let entry = json::object(entry, &what)?;
        let get = |key: &str| {
            entry
                .get(key)
                .ok_or_else(|| format!("{what}: missing `{key}`"))
                .and_then(|v| json::quantity_u64(v, &format!("{what}.{key}")))
        };
        out.push((
            fork,
            BlobParams {
                target: get("target")?,
                max: get("max")?,
                update_fraction: get("baseFeeUpdateFraction")?,
            },
        ));
    }
    Ok(out)
}

/// Why the block must be rejected, or `None` when it must be imported: execution-spec-tests
/// write `expectException`; the classic tests `expectExceptionALL` or
/// `expectException<network>`, and leave `blockHeader` out of every block they expect to be
/// invalid (some invalid blocks carry no exception name at all).
fn expected_exception(block: &Map<String, Value>, network: &str) -> Option<String> {
    let named = ["expectException", "expectExceptionALL"]
        .into_iter()
        .map(str::to_string)
        .chain(std::iter::once(format!("expectException{network}")))
        .find_map(|key| block.get(&key).and_then(Value::as_str).map(str::to_string));
    match named {
        Some(e) => Some(e),
        None if !block.contains_key("blockHeader") => {
            Some("no blockHeader (the fixture's mark of an invalid block)".to_string())
        }
        None => None,
    }
}

/// The RLP of a genesis block (no transactions, no ommers; withdrawals when the header has a
/// withdrawals root) built from a fixture's `genesisBlockHeader`; fails when the built
/// header's hash is not the fixture's `hash`.
fn genesis_from_header(value: &Value) -> Result<Bytes, String> {
    let h = json::object(value, "genesisBlockHeader")?;
    let field = |key: &str| {
        h.get(key)
            .ok_or_else(|| format!("genesisBlockHeader: missing `{key}`"))
    };
    let what = |key: &str| format!("genesisBlockHeader.{key}");
    let b256 = |key: &str| json::b256(field(key)?, &what(key));
    let u64_of = |key: &str| json::quantity_u64(field(key)?, &what(key));
    let opt = |key: &str| h.get(key).is_some();
    let bloom = json::bytes(field("bloom")?, &what("bloom"))?;
    if bloom.len() != 256 {
        return Err(format!(
            "{}: {} bytes, want 256",
            what("bloom"),
            bloom.len()
        ));
    }
    let nonce = json::bytes(field("nonce")?, &what("nonce"))?;
    if nonce.len() != 8 {
        return Err(format!("{}: {} bytes, want 8", what("nonce"), nonce.len()));
    }
    let header = Header {
        parent_hash: b256("parentHash")?,
        ommers_hash: b256("uncleHash")?,
        beneficiary: json::address(field("coinbase")?, &what("coinbase"))?,
        state_root: b256("stateRoot")?,
        transactions_root: b256("transactionsTrie")?,
        receipts_root: b256("receiptTrie")?,
        logs_bloom: Bloom::from_slice(&bloom),
        difficulty: json::quantity(field("difficulty")?, &what("difficulty"))?,
        number: u64_of("number")?,
        gas_limit: u64_of("gasLimit")?,
        gas_used: u64_of("gasUsed")?,
        timestamp: u64_of("timestamp")?,
        extra_data: json::bytes(field("extraData")?, &what("extraData"))?,
        mix_hash: b256("mixHash")?,
        nonce: B64::from_slice(&nonce),
        base_fee_per_gas: if opt("baseFeePerGas") {
            Some(json::quantity(
                field("baseFeePerGas")?,
                &what("baseFeePerGas"),
            )?)
        } else {
            None
        },
        withdrawals_root: if opt("withdrawalsRoot") {
            Some(b256("withdrawalsRoot")?)
        } else {
            None
        },
        blob_gas_used: if opt("blobGasUsed") {
            Some(u64_of("blobGasUsed")?)
        } else {
            None
        },
        excess_blob_gas: if opt("excessBlobGas") {
            Some(u64_of("excessBlobGas")?)
        } else {
            None
        },
        parent_beacon_block_root: if opt("parentBeaconBlockRoot") {
            Some(b256("parentBeaconBlockRoot")?)
        } else {
            None
        },
        requests_hash: if opt("requestsHash") {
            Some(b256("requestsHash")?)
        } else {
            None
        },
    };
    let want = b256("hash")?;
    let got = header.hash();
    if got != want {
        return Err(format!("the header hashes to {got}, its `hash` is {want}"));
    }
    let block = Block {
        withdrawals: header.withdrawals_root.map(|_| Vec::new()),
        header,
        transactions: Vec::new(),
        ommers: Vec::new(),
    };
    Ok(Bytes::from(block.encoded()))
}

fn parse_test(path: &Arc<PathBuf>, name: &str, test: &Value) -> Result<BlockTest, LoadError> {
    let err = |field: &str, message: String| field_error(path, Some(name), field, message);
    let t = json::object(test, name).map_err(|m| err("", m))?;
    let get = |key: &str| t.get(key).ok_or_else(|| err(key, "missing".into()));
    let network = json::as_str(get("network")?, "network")
        .map_err(|m| err("network", m))?
        .to_string();
    let config_obj = match t.get("config") {
        Some(c) => Some(json::object(c, "config").map_err(|m| err("config", m))?),
        None => None,
    };
    let chain_id = match config_obj.and_then(|c| c.get("chainid")) {
        Some(v) => json::quantity_u64(v, "config.chainid").map_err(|m| err("config.chainid", m))?,
        None => 1,
    };
    let blob_schedule = match config_obj {
        Some(c) => parse_blob_schedule(c).map_err(|m| err("config.blobSchedule", m))?,
        None => Vec::new(),
    };
    let config = ChainConfig::for_network(&network, chain_id)
        .map(|mut c| {
            c.blob_schedule = blob_schedule;
            c
        })
        .map_err(|e| e.to_string());
    let genesis_rlp = match t.get("genesisRLP") {
        Some(v) => json::bytes(v, "genesisRLP").map_err(|m| err("genesisRLP", m))?,
        // Some classic tests (bcInvalidRLPTest) give the genesis header only.
        None => genesis_from_header(get("genesisBlockHeader")?)
            .map_err(|m| err("genesisBlockHeader", m))?,
    };
    let pre = json::parse_alloc(get("pre")?, "pre").map_err(|m| err("pre", m))?;
    let mut blocks = Vec::new();
    let list = get("blocks")?
        .as_array()
        .ok_or_else(|| err("blocks", "expected an array".into()))?;
    for (i, b) in list.iter().enumerate() {
        let b = json::object(b, "block").map_err(|m| err(&format!("blocks[{i}]"), m))?;
        let rlp = match b.get("rlp") {
            Some(v) => json::bytes(v, "rlp"),
            None => Err("no rlp".to_string()),
        };
        let expect_exception = expected_exception(b, &network);
        blocks.push(TestBlock {
            rlp,
            expect_exception,
        });
    }
    let post = if let Some(p) = t.get("postState") {
        PostState::Accounts(json::parse_alloc(p, "postState").map_err(|m| err("postState", m))?)
    } else if let Some(h) = t.get("postStateHash") {
        PostState::Root(json::b256(h, "postStateHash").map_err(|m| err("postStateHash", m))?)
    } else {
        return Err(err("postState", "missing (and no postStateHash)".into()));
    };
    let last_block_hash =
        json::b256(get("lastblockhash")?, "lastblockhash").map_err(|m| err("lastblockhash", m))?;
    Ok(BlockTest {
        file: path.clone(),
        name: name.to_string(),
        network,
        config,
        genesis_rlp,
        pre,
        blocks,
        post,
        last_block_hash,
    })
}

/// Loads every test of a fixture file.
pub fn load_file(path: &Path) -> Result<Vec<BlockTest>, LoadError> {
    let text = fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|source| LoadError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    let top = value
        .as_object()
        .ok_or_else(|| field_error(path, None, "", "the file is not a JSON object".to_string()))?;
    if top.is_empty() {
        return Err(LoadError::NoTests {
            path: path.to_path_buf(),
        });
    }
    let file = Arc::new(path.to_path_buf());
    top.iter()
        .map(|(name, test)| parse_test(&file, name, test))
        .collect()
}

fn state_of(alloc: &Alloc) -> InMemoryDb {
    let mut db = InMemoryDb::new();
    for (address, account) in alloc {
        let (info, storage) = account.to_state();
        db.insert_account(*address, info, storage);
    }
    db
}

/// The first differences between the state and the expected accounts, for an error message.
fn state_diff(state: &InMemoryDb, expected: &Alloc) -> String {
    let mut diffs = Vec::new();
    for (address, want) in expected {
        match state.accounts.get(address) {
            None => diffs.push(format!("{address} missing")),
            Some(have) => {
                if have.info.balance != want.balance {
                    diffs.push(format!(
                        "{address} balance {} want {}",
                        have.info.balance, want.balance
                    ));
                }
                if have.info.nonce != want.nonce {
                    diffs.push(format!(
                        "{address} nonce {} want {}",
                        have.info.nonce, want.nonce
                    ));
                }
                let (want_info, want_storage) = want.to_state();
                if have.info.code_hash != want_info.code_hash {
                    diffs.push(format!("{address} code differs"));
                }
                let same_storage = have.storage.len() == want_storage.len()
                    && want_storage
                        .iter()
                        .all(|(k, v)| have.storage.get(k) == Some(v));
                if !same_storage {
                    diffs.push(format!("{address} storage differs"));
                }
            }
        }
    }
    for address in state.accounts.keys() {
        if !expected.contains_key(address) {
            diffs.push(format!("{address} unexpected"));
        }
    }
    let total = diffs.len();
    diffs.truncate(4);
    if total > 4 {
        diffs.push(format!("and {} more", total - 4));
    }
    diffs.join("; ")
}

/// Runs one test: builds the genesis, imports each block (rejected blocks must carry
/// `expectException` and vice versa), then checks the head hash and the final state.
pub fn run_test(test: &BlockTest, cache: Option<&PrecompileCache>) -> TestReport {
    let mut state_root = B256::ZERO;
    let result = run_inner(test, cache, &mut state_root);
    TestReport {
        file: test.file.clone(),
        name: test.name.clone(),
        network: test.network.clone(),
        pass: result.is_ok(),
        state_root,
        error: result.err(),
    }
}

fn run_inner(
    test: &BlockTest,
    cache: Option<&PrecompileCache>,
    state_root: &mut B256,
) -> Result<(), String> {
    let config = test.config.clone()?;
    let genesis = Block::decode(&test.genesis_rlp).map_err(|e| format!("genesis RLP: {e}"))?;
    let mut chain =
        Chain::new(config, genesis, state_of(&test.pre)).map_err(|e| format!("genesis: {e}"))?;
    if let Some(cache) = cache {
        chain = chain.with_precompile_cache(cache.clone());
    }
    for (i, block) in test.blocks.iter().enumerate() {
        let imported = block
            .rlp
            .clone()
            .and_then(|rlp| Block::decode(&rlp).map_err(|e| format!("malformed block: {e}")))
            .and_then(|b| chain.import(b).map(|_| ()).map_err(|e| e.to_string()));
        match (imported, &block.expect_exception) {
            (Ok(()), None) | (Err(_), Some(_)) => {}
            (Ok(()), Some(want)) => {
                *state_root = chain.head().header.state_root;
                return Err(format!(
                    "block {}: expected exception {want}, block was imported",
                    i + 1
                ));
            }
            (Err(e), None) => {
                *state_root = chain.head().header.state_root;
                return Err(format!("block {} rejected: {e}", i + 1));
            }
        }
    }
    *state_root = chain.head().header.state_root;
    let head = chain.head_hash();
    let state = chain.state();
    let root = state.state_root();
    match &test.post {
        PostState::Accounts(expected) => {
            let want = state_of(expected).state_root();
            if root != want {
                return Err(format!(
                    "state root {root} want {want}: {}",
                    state_diff(state, expected)
                ));
            }
        }
        PostState::Root(want) => {
            if root != *want {
                return Err(format!("state root {root} want {want}"));
            }
        }
    }
    if head != test.last_block_hash {
        return Err(format!(
            "last block hash {head} want {}",
            test.last_block_hash
        ));
    }
    Ok(())
}

/// Which tests run.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only networks that run this fork (a transition matches both of its forks).
    pub fork: Option<Fork>,
    /// Only test names matching this.
    pub name: Option<Regex>,
}

impl Filter {
    /// True when the test is selected (a test with an unknown network matches only without
    /// a fork filter).
    pub fn matches(&self, test: &BlockTest) -> bool {
        let name_ok = self.name.as_ref().is_none_or(|re| re.is_match(&test.name));
        let fork_ok = match (self.fork, &test.config) {
            (None, _) => true,
            (Some(f), Ok(config)) => config.forks.iter().any(|(fork, _)| *fork == f),
            (Some(_), Err(_)) => false,
        };
        name_ok && fork_ok
    }
}

/// Progress of a run.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// A test finished.
    Test(&'a TestReport),
    /// A test was not run: its network names a fork Ember lacks (the reason says which).
    Skipped {
        /// The test.
        test: &'a BlockTest,
        /// Why.
        reason: &'a str,
    },
    /// A file could not be loaded.
    LoadFailed(&'a LoadError),
    /// A file is done.
    FileDone(&'a Path),
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct RunSummary {
    /// Tests passed.
    pub passed: usize,
    /// Tests failed.
    pub failed: usize,
    /// Tests skipped (unsupported network).
    pub skipped: usize,
    /// Files that could not be loaded.
    pub load_errors: Vec<LoadError>,
    /// Every report, in file and test order.
    pub reports: Vec<TestReport>,
}

impl RunSummary {
    /// `N passed, N failed, N skipped`.
    pub fn line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }

    /// Adds another run's results after this one's.
    pub fn merge(&mut self, other: RunSummary) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.load_errors.extend(other.load_errors);
        self.reports.extend(other.reports);
    }

    /// 2 when a file could not be loaded, else 1 when a test failed, else 0.
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

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Runs one file's selected tests in parallel; a panic fails its test.
pub fn run_file(
    path: &Path,
    filter: &Filter,
    cache: Option<&PrecompileCache>,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> RunSummary {
    let tests = match load_file(path) {
        Ok(t) => t,
        Err(e) => {
            progress(Event::LoadFailed(&e));
            progress(Event::FileDone(path));
            return RunSummary {
                load_errors: vec![e],
                ..RunSummary::default()
            };
        }
    };
    let selected: Vec<&BlockTest> = tests.iter().filter(|t| filter.matches(t)).collect();
    let mut skipped = 0;
    for test in &selected {
        if let Err(reason) = &test.config {
            skipped += 1;
            progress(Event::Skipped { test, reason });
        }
    }
    let reports: Vec<TestReport> = selected
        .par_iter()
        .filter(|t| t.config.is_ok())
        .map(|test| {
            let report = catch_unwind(AssertUnwindSafe(|| run_test(test, cache))).unwrap_or_else(
                |payload| TestReport {
                    file: test.file.clone(),
                    name: test.name.clone(),
                    network: test.network.clone(),
                    pass: false,
                    state_root: B256::ZERO,
                    error: Some(format!("panicked: {}", panic_text(payload.as_ref()))),
                },
            );
            progress(Event::Test(&report));
            report
        })
        .collect();
    progress(Event::FileDone(path));
    let passed = reports.iter().filter(|r| r.pass).count();
    RunSummary {
        passed,
        failed: reports.len() - passed,
        skipped,
        load_errors: Vec::new(),
        reports,
    }
}

/// Runs every file in parallel; reports come back in file order.
pub fn run_files(
    files: &[PathBuf],
    filter: &Filter,
    cache: Option<&PrecompileCache>,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> RunSummary {
    let parts: Vec<RunSummary> = files
        .par_iter()
        .map(|f| run_file(f, filter, cache, progress))
        .collect();
    let mut summary = RunSummary::default();
    for part in parts {
        summary.merge(part);
    }
    summary
}

/// The timing of one test by [`bench_test`].
#[derive(Clone, Debug)]
pub struct BenchReport {
    /// The fixture file.
    pub file: Arc<PathBuf>,
    /// The test's name.
    pub name: String,
    /// The network.
    pub network: String,
    /// Gas used by the imported blocks.
    pub gas_used: u64,
    /// Blocks imported or rejected per run.
    pub blocks: usize,
    /// The time of each run's block imports, in nanoseconds.
    pub runs_ns: Vec<u64>,
    /// Why the test failed (the timing is then not meaningful).
    pub error: Option<String>,
}

impl BenchReport {
    /// The median of the runs, in nanoseconds (the mean of the two middle runs for an even
    /// count).
    pub fn median_ns(&self) -> u64 {
        let mut runs = self.runs_ns.clone();
        runs.sort_unstable();
        match runs.len() {
            0 => 0,
            n if n % 2 == 1 => runs[n / 2],
            n => (runs[n / 2 - 1] + runs[n / 2]) / 2,
        }
    }

    /// Million gas per second at the median time.
    pub fn mgas_per_sec(&self) -> f64 {
        let ns = self.median_ns();
        if ns == 0 {
            0.0
        } else {
            self.gas_used as f64 * 1e3 / ns as f64
        }
    }
}

/// Times a test's block imports `runs` times, each from a fresh genesis and pre-state built
/// outside the timing: per run, the time to decode every block's RLP and import it (header
/// checks, execution, receipts and state root). No precompile memo is shared, between tests
/// or runs. Every run must import and reject the blocks as the fixture expects; the final
/// state and head are checked after the first run.
pub fn bench_test(test: &BlockTest, runs: usize) -> BenchReport {
    let mut report = BenchReport {
        file: test.file.clone(),
        name: test.name.clone(),
        network: test.network.clone(),
        gas_used: 0,
        blocks: test.blocks.len(),
        runs_ns: Vec::with_capacity(runs),
        error: None,
    };
    let check = run_test(test, None);
    if !check.pass {
        report.error = check.error;
        return report;
    }
    let result = (|| -> Result<(), String> {
        for _ in 0..runs {
            let (gas, ns) = time_import(test)?;
            report.gas_used = gas;
            report.runs_ns.push(ns);
        }
        Ok(())
    })();
    report.error = result.err();
    report
}

/// One timed import of a test's blocks, as [`bench_test`] times it: a fresh genesis and
/// pre-state built outside the clock, then every block decoded and imported (or rejected
/// as the fixture expects). Returns the gas used by the imported blocks and the time in
/// nanoseconds. Check the test with [`run_test`] first: this compares neither the final
/// state nor the head.
pub fn time_import(test: &BlockTest) -> Result<(u64, u64), String> {
    let config = test.config.clone()?;
    let genesis = Block::decode(&test.genesis_rlp).map_err(|e| format!("genesis RLP: {e}"))?;
    let mut chain =
        Chain::new(config, genesis, state_of(&test.pre)).map_err(|e| format!("genesis: {e}"))?;
    let rlps: Vec<Option<Bytes>> = test.blocks.iter().map(|b| b.rlp.clone().ok()).collect();
    let mut gas = 0;
    let start = std::time::Instant::now();
    for (block, rlp) in test.blocks.iter().zip(&rlps) {
        let imported = rlp
            .as_ref()
            .ok_or_else(|| "no rlp".to_string())
            .and_then(|rlp| Block::decode(rlp).map_err(|e| e.to_string()))
            .and_then(|b| chain.import(b).map_err(|e| e.to_string()));
        match (imported, &block.expect_exception) {
            (Ok(execution), None) => gas += execution.gas_used,
            (Err(_), Some(_)) => {}
            (Ok(_), Some(want)) => return Err(format!("expected exception {want}")),
            (Err(e), None) => return Err(format!("block rejected: {e}")),
        }
    }
    let elapsed = start.elapsed();
    std::hint::black_box(&chain);
    Ok((gas, u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)))
}
