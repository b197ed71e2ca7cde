//! Running one case in Ember and in revm, and comparing what they did: validity, status, gas
//! used, refund, output, created address, logs, and the post-state account by account.

use ember_conformance::Case;
use ember_evm::state::{logs_hash, AccountInfo};
use ember_evm::{
    keccak256, Address, Bytecode, Bytes, DatabaseCommit, Evm, ExecutionResult, InMemoryDb, Log,
    Spec, TxEnv, TxKind, B256, U256,
};
use revm::context::result::{ExecutionResult as RevmResult, Output};
use revm::context::transaction::{
    AccessList, AccessListItem, Authorization as RevmAuthorization, RecoveredAuthority,
    RecoveredAuthorization,
};
use revm::context::{BlockEnv as RevmBlockEnv, CfgEnv, TxEnv as RevmTxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::primitives::TxKind as RevmTxKind;
use revm::state::{AccountInfo as RevmAccountInfo, Bytecode as RevmBytecode};
use revm::{Context, ExecuteEvm, MainBuilder, MainContext};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// How the top frame ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Stopped or returned.
    Success,
    /// Reverted.
    Revert,
    /// Halted exceptionally.
    Halt,
}

/// One log: address, topics, data.
pub type LogEntry = (Address, Vec<B256>, Bytes);

/// What an executed transaction produced.
#[derive(Clone, Debug)]
pub struct Exec {
    /// How it ended.
    pub status: Status,
    /// The EVM's own word for the ending (its halt reason).
    pub detail: String,
    /// Gas charged to the sender.
    pub gas_used: u64,
    /// The refund applied, when the EVM reports one (successful transactions).
    pub refund: Option<u64>,
    /// Return or revert data (empty for creations and halts).
    pub output: Bytes,
    /// The contract created by a creation transaction.
    pub created: Option<Address>,
    /// Logs (successful transactions only).
    pub logs: Vec<LogEntry>,
}

/// What happened to the transaction on one EVM.
#[derive(Clone, Debug)]
pub enum Run {
    /// The EVM panicked.
    Panic(String),
    /// The transaction was rejected as invalid.
    Rejected(String),
    /// The transaction was executed.
    Executed(Exec),
}

/// An account after the transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acct {
    /// Balance.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Code hash.
    pub code_hash: B256,
    /// Non-zero storage.
    pub storage: BTreeMap<U256, U256>,
}

/// The whole state after the transaction.
pub type PostState = BTreeMap<Address, Acct>;

/// One side's outcome.
#[derive(Clone, Debug)]
pub struct Side {
    /// The transaction's fate.
    pub run: Run,
    /// The state afterwards (the pre-state when rejected or panicked).
    pub post: PostState,
    /// Its root.
    pub root: B256,
    /// keccak of the RLP of the logs.
    pub logs_hash: B256,
}

/// The state root of `post`, with Ember's trie code.
pub fn root(post: &PostState) -> B256 {
    let infos: Vec<(Address, AccountInfo, HashMap<U256, U256>)> = post
        .iter()
        .map(|(a, acct)| {
            (
                *a,
                AccountInfo {
                    balance: acct.balance,
                    nonce: acct.nonce,
                    code_hash: acct.code_hash,
                    code: None,
                },
                acct.storage.iter().map(|(k, v)| (*k, *v)).collect(),
            )
        })
        .collect();
    ember_evm::state::state_root(infos.iter().map(|(a, i, s)| (*a, i, s)))
}

fn pre_state(case: &Case) -> PostState {
    case.pre
        .iter()
        .map(|(address, account)| {
            (
                *address,
                Acct {
                    balance: account.balance,
                    nonce: account.nonce,
                    code_hash: keccak256(&account.code),
                    storage: account
                        .storage
                        .iter()
                        .filter(|(_, v)| !v.is_zero())
                        .copied()
                        .collect(),
                },
            )
        })
        .collect()
}

fn hash_logs(logs: &[LogEntry]) -> B256 {
    let logs: Vec<Log> = logs
        .iter()
        .map(|(address, topics, data)| Log {
            address: *address,
            topics: topics.clone(),
            data: data.clone(),
        })
        .collect();
    logs_hash(&logs)
}

fn side(run: Run, post: PostState) -> Side {
    let logs = match &run {
        Run::Executed(e) => hash_logs(&e.logs),
        _ => hash_logs(&[]),
    };
    Side {
        run,
        root: root(&post),
        post,
        logs_hash: logs,
    }
}

/// The text of a caught panic.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

// ------------------------------------------------------------------------------- Ember

/// The state tests' database: BLOCKHASH is keccak256 of the decimal number (as revm's
/// The state tests' database (BLOCKHASH = keccak256 of the decimal number, as revm's
/// `EmptyDB` answers it): the one `ember statetest` uses.
use ember_conformance::FixtureDb;

/// What a run reached, observed in Ember: call depth, calls by kind, precompiles,
/// creations, self-destructs, logs and (with `steps`) the opcodes executed.
#[derive(Clone, Debug)]
pub struct Coverage {
    /// Count opcodes too (slower: the interpreter then calls the hook at every step).
    pub steps: bool,
    /// Cases by the deepest frame they reached (index 8 counts 8 and deeper).
    pub depth: [u64; 9],
    /// Frames by kind (CALL, CALLCODE, DELEGATECALL, STATICCALL), and how many succeeded.
    pub calls: [(u64, u64); 4],
    /// Calls to precompile addresses 0x01..=0x11 (index 0: 0x100), and how many succeeded.
    pub precompiles: [(u64, u64); 18],
    /// Creations, and how many succeeded.
    pub creates: (u64, u64),
    /// Self-destructs.
    pub selfdestructs: u64,
    /// Logs.
    pub logs: u64,
    /// Executions of each opcode.
    pub opcodes: Box<[u64; 256]>,
    case_depth: usize,
}

impl Coverage {
    /// Empty counters.
    pub fn new(steps: bool) -> Coverage {
        Coverage {
            steps,
            depth: [0; 9],
            calls: [(0, 0); 4],
            precompiles: [(0, 0); 18],
            creates: (0, 0),
            selfdestructs: 0,
            logs: 0,
            opcodes: Box::new([0; 256]),
            case_depth: 0,
        }
    }

    fn precompile_index(address: Address) -> Option<usize> {
        let b = address.as_slice();
        if b[..18].iter().any(|&x| x != 0) {
            return None;
        }
        match u16::from_be_bytes([b[18], b[19]]) {
            n @ 1..=0x11 => Some(n as usize),
            0x100 => Some(0),
            _ => None,
        }
    }
}

impl ember_evm::Inspector for &mut Coverage {
    fn wants_steps(&self) -> bool {
        self.steps
    }

    fn step(&mut self, interp: &ember_evm::Interpreter) {
        self.opcodes[interp.current_opcode() as usize] += 1;
    }

    fn call(&mut self, _inputs: &ember_evm::CallInputs, depth: usize) {
        self.case_depth = self.case_depth.max(depth);
    }

    fn call_end(
        &mut self,
        inputs: &ember_evm::CallInputs,
        outcome: &ember_evm::CallOutcome,
        _depth: usize,
    ) {
        use ember_evm::interpreter::CallKind;
        let k = match inputs.kind {
            CallKind::Call => 0,
            CallKind::CallCode => 1,
            CallKind::DelegateCall => 2,
            CallKind::StaticCall => 3,
        };
        let ok = u64::from(outcome.exit.is_success());
        self.calls[k].0 += 1;
        self.calls[k].1 += ok;
        if let Some(i) = Coverage::precompile_index(inputs.code_address) {
            self.precompiles[i].0 += 1;
            self.precompiles[i].1 += ok;
        }
    }

    fn create(&mut self, _inputs: &ember_evm::CreateInputs, depth: usize) {
        self.case_depth = self.case_depth.max(depth);
    }

    fn create_end(
        &mut self,
        _inputs: &ember_evm::CreateInputs,
        outcome: &ember_evm::CreateOutcome,
        _depth: usize,
    ) {
        self.creates.0 += 1;
        self.creates.1 += u64::from(outcome.address.is_some());
    }

    fn log(&mut self, _log: &Log) {
        self.logs += 1;
    }

    fn selfdestruct(&mut self, _address: Address, _target: Address, _value: U256) {
        self.selfdestructs += 1;
    }
}

/// Runs `case` in Ember, counting what it reaches into `cov`.
pub fn run_ember_with(case: &Case, cov: &mut Coverage) -> Side {
    let tx = match &case.tx {
        Ok(tx) => tx,
        Err(e) => return side(Run::Rejected(e.clone()), pre_state(case)),
    };
    run_ember_txs(case, std::slice::from_ref(tx), cov)
        .pop()
        .expect("one side per transaction")
}

/// Ember's outcome of one transaction.
fn ember_exec(r: &ExecutionResult) -> Exec {
    let created = match r {
        ExecutionResult::Success {
            created_address, ..
        } => *created_address,
        _ => None,
    };
    let refund = match r {
        ExecutionResult::Success { gas_refunded, .. } => Some(*gas_refunded),
        _ => None,
    };
    let (status, detail) = match r {
        ExecutionResult::Success { .. } => (Status::Success, "success".into()),
        ExecutionResult::Revert { .. } => (Status::Revert, "revert".into()),
        ExecutionResult::Halt { reason, .. } => (Status::Halt, format!("{reason:?}")),
    };
    Exec {
        status,
        detail,
        gas_used: r.gas_used(),
        refund,
        output: r.output().clone(),
        created,
        logs: r
            .logs()
            .iter()
            .map(|l| (l.address, l.topics.clone(), l.data.clone()))
            .collect(),
    }
}

fn db_post(db: &InMemoryDb) -> PostState {
    db.accounts
        .iter()
        .map(|(a, acc)| {
            (
                *a,
                Acct {
                    balance: acc.info.balance,
                    nonce: acc.info.nonce,
                    code_hash: acc.info.code_hash,
                    storage: acc
                        .storage
                        .iter()
                        .filter(|(_, v)| !v.is_zero())
                        .map(|(k, v)| (*k, *v))
                        .collect(),
                },
            )
        })
        .collect()
}

/// Runs `txs` one after the other in one Ember instance over `case`'s pre-state (each
/// committed before the next), returning the outcome and state after each. A panic ends
/// the sequence.
pub fn run_ember_txs(case: &Case, txs: &[TxEnv], cov: &mut Coverage) -> Vec<Side> {
    let mut sides = Vec::new();
    let mut db = InMemoryDb::new();
    for (address, account) in case.pre.iter() {
        let info = AccountInfo::with_code(
            account.balance,
            account.nonce,
            Bytecode::new(account.code.clone()),
        );
        db.insert_account(*address, info, account.storage.iter().copied());
    }
    let last = db_post(&db);
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut evm = Evm::builder(FixtureDb(db))
            .fork(case.fork)
            .block(case.block.clone())
            .chain_id(case.chain_id)
            .inspector(&mut *cov)
            .build();
        let mut out = Vec::new();
        for tx in txs {
            evm.inspector.case_depth = 0;
            let result = evm.transact(tx);
            let depth = evm.inspector.case_depth.min(8);
            evm.inspector.depth[depth] += 1;
            let run = match result {
                Err(e) => Run::Rejected(e.to_string()),
                Ok(done) => {
                    evm.db_mut().0.commit(&done.state);
                    Run::Executed(ember_exec(&done.result))
                }
            };
            out.push(side(run, db_post(&evm.db().0)));
        }
        out
    }));
    match result {
        Ok(out) => sides.extend(out),
        Err(p) => sides.push(side(Run::Panic(panic_text(p)), last)),
    }
    sides
}

// -------------------------------------------------------------------------------- revm

/// revm's spec for a fork; `None` for Constantinople (revm has only Petersburg).
pub fn spec_id(fork: ember_evm::Fork) -> Option<SpecId> {
    use ember_evm::Fork as F;
    Some(match fork {
        F::Frontier => SpecId::FRONTIER,
        F::Homestead => SpecId::HOMESTEAD,
        F::Tangerine => SpecId::TANGERINE,
        F::SpuriousDragon => SpecId::SPURIOUS_DRAGON,
        F::Byzantium => SpecId::BYZANTIUM,
        F::Constantinople => return None,
        F::Petersburg => SpecId::PETERSBURG,
        F::Istanbul => SpecId::ISTANBUL,
        F::Berlin => SpecId::BERLIN,
        F::London => SpecId::LONDON,
        F::Paris => SpecId::MERGE,
        F::Shanghai => SpecId::SHANGHAI,
        F::Cancun => SpecId::CANCUN,
        F::Prague => SpecId::PRAGUE,
        // revm has no blob-parameter-only forks; their EVM rules are Osaka's.
        F::Osaka | F::Bpo1 | F::Bpo2 | F::Bpo3 | F::Bpo4 | F::Bpo5 => SpecId::OSAKA,
    })
}

fn fee(what: &str, value: U256) -> Result<u128, String> {
    u128::try_from(value).map_err(|_| format!("{what} {value} does not fit revm's u128"))
}

/// revm's transaction for Ember's.
fn revm_tx(tx: &TxEnv) -> Result<RevmTxEnv, String> {
    let access_list = AccessList(
        tx.access_list
            .iter()
            .map(|item| AccessListItem {
                address: item.address,
                storage_keys: item.storage_keys.clone(),
            })
            .collect(),
    );
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
        .authorization_list_recovered(
            tx.authorization_list
                .iter()
                .map(|auth| {
                    RecoveredAuthorization::new_unchecked(
                        RevmAuthorization {
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
                .collect(),
        )
        .build()
        .map_err(|e| format!("revm cannot form the transaction: {e:?}"))
}

/// Runs `case` in revm.
pub fn run_revm(case: &Case) -> Side {
    let tx = match &case.tx {
        Ok(tx) => tx,
        Err(e) => return side(Run::Rejected(e.clone()), pre_state(case)),
    };
    run_revm_txs(case, std::slice::from_ref(tx))
        .pop()
        .expect("one side per transaction")
}

/// Applies revm's state changes to `post` as a database would commit them: untouched
/// accounts unchanged, self-destructed ones gone, created ones replaced, touched empty ones
/// removed (EIP-161; revm's journal has already kept pre-Spurious-Dragon empties alive).
fn apply_revm_state(post: &mut PostState, state: &revm::state::EvmState) {
    for (address, account) in state {
        let address = *address;
        if !account.is_touched() {
            continue;
        }
        if account.is_selfdestructed() {
            post.remove(&address);
            continue;
        }
        let info = &account.info;
        let code_hash = if info.code_hash.is_zero() {
            ember_evm::primitives::KECCAK_EMPTY
        } else {
            info.code_hash
        };
        let changed = account
            .storage
            .iter()
            .map(|(k, slot)| (*k, slot.present_value()));
        if account.is_created() {
            post.insert(
                address,
                Acct {
                    balance: info.balance,
                    nonce: info.nonce,
                    code_hash,
                    storage: changed.filter(|(_, v)| !v.is_zero()).collect(),
                },
            );
        } else if account.is_empty() {
            post.remove(&address);
        } else {
            let acct = post.entry(address).or_insert_with(|| Acct {
                balance: U256::ZERO,
                nonce: 0,
                code_hash,
                storage: BTreeMap::new(),
            });
            acct.balance = info.balance;
            acct.nonce = info.nonce;
            acct.code_hash = code_hash;
            for (k, v) in changed {
                if v.is_zero() {
                    acct.storage.remove(&k);
                } else {
                    acct.storage.insert(k, v);
                }
            }
        }
    }
}

/// revm's outcome of one transaction.
fn revm_exec(r: RevmResult) -> Exec {
    let gas = *r.gas();
    match r {
        RevmResult::Success { output, logs, .. } => {
            let (output, created) = match output {
                Output::Create(_, address) => (Bytes::new(), address),
                Output::Call(data) => (data, None),
            };
            Exec {
                status: Status::Success,
                detail: "success".into(),
                gas_used: gas.tx_gas_used(),
                refund: Some(gas.inner_refunded()),
                output,
                created,
                logs: logs
                    .iter()
                    .map(|l| (l.address, l.data.topics().to_vec(), l.data.data.clone()))
                    .collect(),
            }
        }
        RevmResult::Revert { output, .. } => Exec {
            status: Status::Revert,
            detail: "revert".into(),
            gas_used: gas.tx_gas_used(),
            refund: None,
            output,
            created: None,
            logs: Vec::new(),
        },
        RevmResult::Halt { reason, .. } => Exec {
            status: Status::Halt,
            detail: format!("{reason:?}"),
            gas_used: gas.tx_gas_used(),
            refund: None,
            output: Bytes::new(),
            created: None,
            logs: Vec::new(),
        },
    }
}

/// Runs `txs` one after the other in one revm instance over `case`'s pre-state (each
/// committed before the next), returning the outcome and state after each.
pub fn run_revm_txs(case: &Case, txs: &[TxEnv]) -> Vec<Side> {
    let mut post = pre_state(case);
    let Some(spec) = spec_id(case.fork) else {
        return vec![side(Run::Rejected("revm lacks this fork".into()), post)];
    };
    let mut cfg = CfgEnv::new_with_spec(spec);
    cfg.chain_id = case.chain_id;
    let b = &case.block;
    let mut block = RevmBlockEnv {
        number: U256::from(b.number),
        beneficiary: b.coinbase,
        timestamp: U256::from(b.timestamp),
        gas_limit: b.gas_limit,
        basefee: b.base_fee.saturating_to(),
        difficulty: b.difficulty,
        prevrandao: b.prevrandao,
        ..Default::default()
    };
    if let Some(params) = b.blob_params.or(Spec::of(case.fork).blobs) {
        block.set_blob_excess_gas_and_price(b.excess_blob_gas.unwrap_or(0), params.update_fraction);
        cfg.blob_base_fee_update_fraction = Some(params.update_fraction);
        cfg.max_blobs_per_tx = Some(params.max);
    }
    let mut db = CacheDB::new(EmptyDB::new());
    for (address, account) in case.pre.iter() {
        let info = RevmAccountInfo::default()
            .with_balance(account.balance)
            .with_nonce(account.nonce)
            .with_code(RevmBytecode::new_raw(account.code.clone()));
        db.insert_account_info(*address, info);
        for &(key, value) in &account.storage {
            if !value.is_zero() {
                let Ok(()) = db.insert_account_storage(*address, key, value);
            }
        }
    }
    let mut evm = Context::mainnet()
        .with_cfg(cfg)
        .with_block(block)
        .with_db(db)
        .build_mainnet();
    let mut sides = Vec::new();
    for tx in txs {
        let tx = match revm_tx(tx) {
            Ok(tx) => tx,
            Err(e) => {
                sides.push(side(Run::Rejected(e), post.clone()));
                continue;
            }
        };
        let result = catch_unwind(AssertUnwindSafe(|| {
            evm.transact(tx).map_err(|e| e.to_string())
        }));
        match result {
            Err(p) => {
                sides.push(side(Run::Panic(panic_text(p)), post));
                return sides;
            }
            Ok(Err(e)) => sides.push(side(Run::Rejected(e), post.clone())),
            Ok(Ok(out)) => {
                apply_revm_state(&mut post, &out.state);
                let gone: Vec<Address> = out
                    .state
                    .keys()
                    .filter(|a| !post.contains_key(*a))
                    .copied()
                    .collect();
                revm::ExecuteCommitEvm::commit(&mut evm, out.state);
                // `CacheDB` keeps touched empty accounts (a node's `State` would delete them
                // under EIP-161): delete them as the post-state says, for the next transaction.
                let db = revm::context::ContextTr::db_mut(&mut evm.ctx);
                for address in gone {
                    if let Some(account) = db.cache.accounts.get_mut(&address) {
                        *account = revm::database::DbAccount::new_not_existing();
                    }
                }
                sides.push(side(Run::Executed(revm_exec(out.result)), post.clone()));
            }
        }
    }
    sides
}

// ----------------------------------------------------------------------------- compare

/// What kind of difference; ordered by how fundamental it is (the minimiser keeps the
/// first kind of a divergence while shrinking it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// An EVM panicked.
    Panic,
    /// One accepted the transaction, the other rejected it.
    Validity,
    /// Success, revert and halt differ.
    Status,
    /// Gas used differs.
    Gas,
    /// The refund differs.
    Refund,
    /// Return or revert data differ.
    Output,
    /// The created address differs.
    Created,
    /// The logs differ.
    Logs,
    /// The post-state differs.
    State,
}

/// One difference between Ember and revm.
#[derive(Clone, Debug)]
pub struct Diff {
    /// Its kind.
    pub kind: Kind,
    /// A description, Ember's value first.
    pub text: String,
}

fn short(b: &[u8]) -> String {
    let hex = ember_evm::hex::encode(b);
    if hex.len() > 80 {
        format!("0x{}..({} bytes)", &hex[..80], b.len())
    } else {
        format!("0x{hex}")
    }
}

/// A one-line description of a side's run.
pub fn describe(run: &Run) -> String {
    match run {
        Run::Panic(p) => format!("panicked: {p}"),
        Run::Rejected(r) => format!("rejected: {r}"),
        Run::Executed(e) => format!(
            "{:?} ({}), gas used {}, refund {:?}, output {}, {} logs",
            e.status,
            e.detail,
            e.gas_used,
            e.refund,
            short(&e.output),
            e.logs.len()
        ),
    }
}

fn account_diff(address: Address, e: Option<&Acct>, r: Option<&Acct>) -> String {
    match (e, r) {
        (Some(_), None) => format!("{address}: exists in Ember only"),
        (None, Some(_)) => format!("{address}: exists in revm only"),
        (Some(e), Some(r)) => {
            let mut s = format!("{address}:");
            if e.balance != r.balance {
                let _ = write!(s, " balance ember {} revm {};", e.balance, r.balance);
            }
            if e.nonce != r.nonce {
                let _ = write!(s, " nonce ember {} revm {};", e.nonce, r.nonce);
            }
            if e.code_hash != r.code_hash {
                let _ = write!(s, " code hash ember {} revm {};", e.code_hash, r.code_hash);
            }
            let keys: std::collections::BTreeSet<_> =
                e.storage.keys().chain(r.storage.keys()).collect();
            for k in keys {
                let (a, b) = (e.storage.get(k), r.storage.get(k));
                if a != b {
                    let _ = write!(
                        s,
                        " slot {k:#x} ember {:#x} revm {:#x};",
                        a.copied().unwrap_or_default(),
                        b.copied().unwrap_or_default()
                    );
                }
            }
            s
        }
        (None, None) => String::new(),
    }
}

/// The differences between Ember's side and revm's (empty when they agree).
pub fn compare(e: &Side, r: &Side) -> Vec<Diff> {
    let mut diffs = Vec::new();
    let mut push = |kind, text: String| diffs.push(Diff { kind, text });
    match (&e.run, &r.run) {
        (Run::Panic(_), _) | (_, Run::Panic(_)) => {
            push(
                Kind::Panic,
                format!("ember {}; revm {}", describe(&e.run), describe(&r.run)),
            );
            return diffs;
        }
        (Run::Rejected(_), Run::Rejected(_)) => {}
        (Run::Rejected(_), _) | (_, Run::Rejected(_)) => push(
            Kind::Validity,
            format!("ember {}; revm {}", describe(&e.run), describe(&r.run)),
        ),
        (Run::Executed(a), Run::Executed(b)) => {
            if a.status != b.status {
                push(
                    Kind::Status,
                    format!(
                        "status ember {:?} ({}), revm {:?} ({})",
                        a.status, a.detail, b.status, b.detail
                    ),
                );
            }
            if a.gas_used != b.gas_used {
                push(
                    Kind::Gas,
                    format!("gas used ember {}, revm {}", a.gas_used, b.gas_used),
                );
            }
            if let (Some(x), Some(y)) = (a.refund, b.refund) {
                if x != y {
                    push(Kind::Refund, format!("refund ember {x}, revm {y}"));
                }
            }
            if a.output != b.output {
                push(
                    Kind::Output,
                    format!(
                        "output ember {}, revm {}",
                        short(&a.output),
                        short(&b.output)
                    ),
                );
            }
            if a.created != b.created {
                push(
                    Kind::Created,
                    format!("created ember {:?}, revm {:?}", a.created, b.created),
                );
            }
            if a.logs != b.logs {
                push(
                    Kind::Logs,
                    format!(
                        "logs ember {} ({}), revm {} ({})",
                        a.logs.len(),
                        e.logs_hash,
                        b.logs.len(),
                        r.logs_hash
                    ),
                );
            }
        }
    }
    if e.post != r.post {
        let addresses: std::collections::BTreeSet<_> = e.post.keys().chain(r.post.keys()).collect();
        let mut lines = Vec::new();
        for a in addresses {
            let (x, y) = (e.post.get(a), r.post.get(a));
            if x != y {
                lines.push(account_diff(*a, x, y));
            }
        }
        let more = lines.len().saturating_sub(8);
        lines.truncate(8);
        if more > 0 {
            lines.push(format!("... {more} more accounts"));
        }
        push(
            Kind::State,
            format!(
                "state root ember {}, revm {}: {}",
                e.root,
                r.root,
                lines.join(" | ")
            ),
        );
    }
    diffs
}

/// Runs `case` in Ember (counting into `cov`) and in revm and compares them; also checks
/// that Ember's state-test runner (`ember_conformance::execute`: `transact_commit` with a
/// shared precompile memo, the path `ember statetest` takes) ends at the same root.
pub fn check(case: &Case, cov: &mut Coverage) -> (Side, Side, Vec<Diff>) {
    let e = run_ember_with(case, cov);
    let r = run_revm(case);
    let mut diffs = compare(&e, &r);
    match catch_unwind(|| ember_conformance::execute(case)) {
        Ok(o) if o.state_root == e.root => {}
        Ok(o) => diffs.push(Diff {
            kind: Kind::State,
            text: format!(
                "ember_conformance::execute ends at {} but Evm::transact at {}",
                o.state_root, e.root
            ),
        }),
        Err(p) => diffs.push(Diff {
            kind: Kind::Panic,
            text: format!("ember_conformance::execute panicked: {}", panic_text(p)),
        }),
    }
    (e, r, diffs)
}

/// The kind a divergence is known by: its most fundamental difference.
pub fn primary(diffs: &[Diff]) -> Option<Kind> {
    diffs.iter().map(|d| d.kind).min()
}
