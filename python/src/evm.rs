//! `ember.EVM`: pyrevm's `EVM` over Ember's executor.

use crate::convert::{address, fork, guard, PyU256};
use crate::env::{AccountInfo, BlockEnv, CfgEnv, Env, ExecutionResult, TxEnv};
use crate::{Halt, InvalidTransaction, Revert};
use ember_evm::precompile::{PrecompileError, PrecompileOutput, PrecompileResult};
use ember_evm::primitives::alloy_primitives::map::U256Map;
use ember_evm::{
    Address, Authorization, Bytes, DatabaseCommit, Evm as EmberEvm, EvmError, Fork, Host,
    InMemoryDb, Inspector, PrecompileCall, Spec, TxKind, TxType, B256, U256,
};
use ember_trace::{JsonTracer, TraceConfig};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use std::cell::RefCell;
use std::collections::HashSet;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Python callables serving as precompiles, by address.
type PyPrecompiles = Arc<Vec<(Address, Py<PyAny>)>>;

thread_local! {
    /// The Python precompiles of the EVM executing on this thread.
    static PY_PRECOMPILES: RefCell<Option<PyPrecompiles>> = const { RefCell::new(None) };
    /// The first exception a Python precompile raised during this thread's transaction.
    static PY_PRECOMPILE_ERROR: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// The stateful precompile behind every Python callable: calls `f(input, gas_limit)`, which
/// returns `(output, gas_used)`.
fn python_precompile(_host: &mut dyn Host, call: &PrecompileCall<'_>) -> PrecompileResult {
    let callable = PY_PRECOMPILES.with(|p| {
        p.borrow().as_ref().and_then(|list| {
            list.iter()
                .position(|(a, _)| *a == call.address)
                .map(|i| (Arc::clone(list), i))
        })
    });
    let Some((list, index)) = callable else {
        return Err(PrecompileError::Failure(
            "no Python precompile at this address",
        ));
    };
    Python::attach(|py| {
        let f = list[index].1.bind(py);
        let outcome = f
            .call1((PyBytes::new(py, call.input), call.gas_limit))
            .and_then(|r| r.extract::<(Vec<u8>, u64)>());
        match outcome {
            Ok((output, gas_used)) if gas_used <= call.gas_limit => {
                Ok(PrecompileOutput::new(gas_used, output))
            }
            Ok(_) => Err(PrecompileError::OutOfGas),
            Err(e) => {
                PY_PRECOMPILE_ERROR.with(|slot| {
                    slot.borrow_mut().get_or_insert(e);
                });
                Err(PrecompileError::Failure("the Python precompile raised"))
            }
        }
    })
}

/// A writer shared with the tracer, read back after the transaction.
#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("trace buffer poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A checkpoint of the journal (pyrevm's `JournalCheckpoint`).
#[pyclass(module = "ember", frozen, eq, hash)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JournalCheckpoint {
    /// Number of logs at the checkpoint.
    #[pyo3(get)]
    log_i: usize,
    /// Journal length at the checkpoint.
    #[pyo3(get)]
    journal_i: usize,
    /// The snapshot's depth (index into the snapshot stack).
    depth: usize,
}

#[pymethods]
impl JournalCheckpoint {
    fn __repr__(&self) -> String {
        format!(
            "JournalCheckpoint(log_i={}, journal_i={})",
            self.log_i, self.journal_i
        )
    }
}

/// A saved state: the current database, the journal length and log count then.
struct Snapshot {
    state: InMemoryDb,
    checkpoint: JournalCheckpoint,
}

/// How a transaction runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A normal transaction.
    Normal,
    /// Top frame static (pyrevm's `is_static`).
    Static,
}

/// The EVM (pyrevm's `EVM`).
#[pyclass(module = "ember", name = "EVM")]
pub struct Evm {
    /// The committed database.
    db: InMemoryDb,
    /// The current state: `db` plus the uncommitted transactions.
    state: InMemoryDb,
    snapshots: Vec<Snapshot>,
    /// State changes applied since the last commit (accounts changed, per transaction).
    journal_len: usize,
    /// Logs emitted since the last commit.
    log_count: usize,
    fork: Fork,
    spec: &'static Spec,
    cfg: CfgEnv,
    block: BlockEnv,
    tx: TxEnv,
    gas_limit: u64,
    tracing: bool,
    result: Option<ExecutionResult>,
    trace: Vec<String>,
    precompiles: PyPrecompiles,
}

/// What one execution gives back.
struct Outcome {
    result: Result<ember_evm::ResultAndState, EvmError<std::convert::Infallible>>,
    db: InMemoryDb,
    trace: Option<Vec<u8>>,
    precompile_error: Option<PyErr>,
}

fn run<I: Inspector>(
    mut evm: EmberEvm<InMemoryDb, I>,
    tx: &ember_evm::TxEnv,
    mode: Mode,
) -> (
    Result<ember_evm::ResultAndState, EvmError<std::convert::Infallible>>,
    InMemoryDb,
) {
    let result = match mode {
        Mode::Normal => evm.transact(tx),
        Mode::Static => evm.transact_static(tx),
    };
    (result, evm.into_db())
}

impl Evm {
    /// Builds the Ember block environment from the Python one.
    fn ember_block(&self) -> PyResult<ember_evm::BlockEnv> {
        let b = &self.block;
        let post_merge = self.spec.prevrandao;
        Ok(ember_evm::BlockEnv {
            number: b.number.unwrap_or(0),
            coinbase: match &b.coinbase {
                Some(c) => address(c)?,
                None => Address::ZERO,
            },
            timestamp: b.timestamp.unwrap_or(1),
            gas_limit: b.gas_limit.unwrap_or(self.gas_limit),
            base_fee: b.basefee.unwrap_or_default().0,
            difficulty: b.difficulty.unwrap_or_default().0,
            prevrandao: match &b.prevrandao {
                Some(r) => Some(B256::from_slice(r)),
                None if post_merge => Some(B256::ZERO),
                None => None,
            },
            excess_blob_gas: match b.excess_blob_gas {
                Some(e) => Some(e),
                None if self.spec.op_blobhash => Some(0),
                None => None,
            },
            ..Default::default()
        })
    }

    /// The current nonce of `a`.
    fn nonce_of(&self, a: &Address) -> u64 {
        self.state.accounts.get(a).map_or(0, |acc| acc.info.nonce)
    }

    /// The default gas of a call: the EVM's gas limit, capped by the fork's per-transaction
    /// cap (EIP-7825) and the block's gas limit.
    fn default_gas(&self) -> u64 {
        let block_limit = self.block.gas_limit.unwrap_or(self.gas_limit);
        self.gas_limit
            .min(block_limit)
            .min(self.spec.tx_gas_limit_cap.unwrap_or(u64::MAX))
    }

    /// Ember's transaction from the Python one.
    fn ember_tx(&self, tx: &TxEnv) -> PyResult<ember_evm::TxEnv> {
        tx.validate()?;
        let caller = match &tx.caller {
            Some(c) => address(c)?,
            None => Address::ZERO,
        };
        let access_list = tx
            .access_list
            .iter()
            .map(|(a, keys)| {
                Ok(ember_evm::AccessListItem {
                    address: address(a)?,
                    storage_keys: keys.iter().map(|k| B256::from(k.0)).collect(),
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let authorization_list = tx
            .authorization_list
            .iter()
            .map(|(chain_id, a, nonce, y_parity, r, s)| {
                let mut auth = Authorization {
                    chain_id: chain_id.0,
                    address: address(a)?,
                    nonce: *nonce,
                    y_parity: y_parity.0,
                    r: r.0,
                    s: s.0,
                    authority: None,
                };
                auth.authority = ember_transaction::recover_authority(&auth);
                Ok(auth)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let tx_type = match tx.tx_type {
            Some(0) => TxType::Legacy,
            Some(1) => TxType::AccessList,
            Some(2) => TxType::FeeMarket,
            Some(3) => TxType::Blob,
            Some(4) => TxType::SetCode,
            Some(t) => {
                return Err(InvalidTransaction::new_err(format!(
                    "unknown transaction type {t} (0 to 4)"
                )))
            }
            None if !authorization_list.is_empty() => TxType::SetCode,
            None if !tx.blob_hashes.is_empty() => TxType::Blob,
            None if tx.gas_priority_fee.is_some() => TxType::FeeMarket,
            None if !access_list.is_empty() => TxType::AccessList,
            None => TxType::Legacy,
        };
        let chain_id = match (tx.chain_id, tx_type) {
            (Some(id), _) => Some(id),
            (None, TxType::Legacy) => None,
            (None, _) => Some(self.cfg.chain_id),
        };
        Ok(ember_evm::TxEnv {
            tx_type,
            caller,
            gas_limit: tx.gas_limit.unwrap_or_else(|| self.default_gas()),
            gas_price: tx.gas_price.unwrap_or_default().0,
            gas_priority_fee: match (tx.gas_priority_fee, tx_type) {
                (Some(fee), _) => Some(fee.0),
                (None, TxType::Legacy | TxType::AccessList) => None,
                (None, _) => Some(U256::ZERO),
            },
            kind: match &tx.to {
                Some(to) => TxKind::Call(address(to)?),
                None => TxKind::Create,
            },
            value: tx.value.unwrap_or_default().0,
            data: Bytes::from(tx.data.clone().unwrap_or_default()),
            nonce: tx.nonce.unwrap_or_else(|| self.nonce_of(&caller)),
            chain_id,
            access_list,
            blob_hashes: tx.blob_hashes.iter().map(|h| B256::from_slice(h)).collect(),
            max_fee_per_blob_gas: tx.max_fee_per_blob_gas.unwrap_or_default().0,
            authorization_list,
        })
    }

    /// Runs `tx` with the GIL released, applies its changes to the current state and keeps
    /// its result; an invalid transaction raises `InvalidTransaction`.
    fn execute(
        &mut self,
        py: Python<'_>,
        tx: &ember_evm::TxEnv,
        mode: Mode,
    ) -> PyResult<ExecutionResult> {
        let block = self.ember_block()?;
        let db = std::mem::take(&mut self.state);
        let spec = self.spec;
        let chain_id = self.cfg.chain_id;
        let tracing = self.tracing;
        let precompiles = Arc::clone(&self.precompiles);
        let outcome = py.detach(move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                let mut builder = EmberEvm::builder(db)
                    .spec(spec)
                    .block(block)
                    .chain_id(chain_id);
                for (a, _) in precompiles.iter() {
                    builder = builder.stateful_precompile(*a, python_precompile);
                }
                let has_precompiles = !precompiles.is_empty();
                if has_precompiles {
                    PY_PRECOMPILES.with(|p| *p.borrow_mut() = Some(precompiles));
                }
                let (result, db, trace) = if tracing {
                    let buf = SharedBuf::default();
                    let tracer = JsonTracer::new(buf.clone(), TraceConfig::default());
                    let (result, db) = run(builder.inspector(tracer).build(), tx, mode);
                    let lines = buf.0.lock().map(|b| b.clone()).unwrap_or_default();
                    (result, db, Some(lines))
                } else {
                    let (result, db) = run(builder.build(), tx, mode);
                    (result, db, None)
                };
                let precompile_error = if has_precompiles {
                    PY_PRECOMPILES.with(|p| *p.borrow_mut() = None);
                    PY_PRECOMPILE_ERROR.with(|e| e.borrow_mut().take())
                } else {
                    None
                };
                Outcome {
                    result,
                    db,
                    trace,
                    precompile_error,
                }
            }))
        });
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(payload) => {
                // The state moved into the executor is lost: fall back to the committed one.
                self.state = self.db.clone();
                self.snapshots.clear();
                std::panic::resume_unwind(payload);
            }
        };
        self.state = outcome.db;
        if let Some(lines) = outcome.trace {
            self.trace = String::from_utf8_lossy(&lines)
                .lines()
                .map(str::to_string)
                .collect();
        }
        if let Some(e) = outcome.precompile_error {
            return Err(e);
        }
        match outcome.result {
            Ok(r) => {
                self.state.commit(&r.state);
                self.journal_len += r.state.len();
                self.log_count += r.result.logs().len();
                let result = ExecutionResult::from_ember(&r.result);
                self.result = Some(result.clone());
                Ok(result)
            }
            Err(EvmError::Transaction(e)) => Err(InvalidTransaction::new_err(e.to_string())),
            Err(EvmError::Database(never)) => match never {},
        }
    }

    /// Raises `Revert` or `Halt` for a failed top frame.
    fn fail_unless_success(py: Python<'_>, result: &ExecutionResult) -> PyResult<()> {
        if result.is_success {
            return Ok(());
        }
        let err = if result.is_halt {
            Halt::new_err(format!(
                "Halt {{ reason: {}, gas_used: {} }}",
                result.reason, result.gas_used
            ))
        } else {
            Revert::new_err(format!(
                "Revert {{ gas_used: {}, output: 0x{} }}",
                result.gas_used,
                ember_evm::hex::encode(&result.output)
            ))
        };
        let value = err.value(py);
        value.setattr("output", PyBytes::new(py, &result.output))?;
        value.setattr("gas_used", result.gas_used)?;
        value.setattr("reason", result.reason.clone())?;
        Err(err)
    }

    /// The account at `a` in the current state, created empty when missing, in both the
    /// current state and the committed database (pyrevm's inserts reach both).
    fn edit_account(
        &mut self,
        a: Address,
        f: impl Fn(&mut ember_evm::AccountInfo, &mut U256Map<U256>),
    ) {
        let acc = self.state.accounts.entry(a).or_default();
        f(&mut acc.info, &mut acc.storage);
        let acc = self.db.accounts.entry(a).or_default();
        f(&mut acc.info, &mut acc.storage);
        self.journal_len += 1;
    }
}

#[pymethods]
impl Evm {
    #[new]
    #[pyo3(signature = (env=None, fork_url=None, fork_block=None, gas_limit=u64::MAX, tracing=false, spec_id="SHANGHAI"))]
    fn new(
        env: Option<Env>,
        fork_url: Option<String>,
        fork_block: Option<String>,
        gas_limit: u64,
        tracing: bool,
        spec_id: &str,
    ) -> PyResult<Evm> {
        guard(|| {
            if fork_url.is_some() || fork_block.is_some() {
                return Err(pyo3::exceptions::PyNotImplementedError::new_err(
                    "fork_url is not supported yet by ember.EVM (run `ember node --fork-url` \
                     and use web3.py against it)",
                ));
            }
            let fork = fork(spec_id)?;
            let env = env.unwrap_or(Env {
                cfg: None,
                block: None,
                tx: None,
            });
            let cfg = env.cfg.unwrap_or(CfgEnv {
                chain_id: 1,
                limit_contract_code_size: None,
                perf_analyse_created_bytecodes: "Analyse".to_string(),
            });
            let mut spec = Spec::of(fork);
            if let Some(limit) = cfg.limit_contract_code_size {
                let mut custom = *spec;
                custom.max_code_size = Some(limit);
                spec = Box::leak(Box::new(custom));
            }
            let block = env.block.unwrap_or(BlockEnv {
                number: None,
                coinbase: None,
                timestamp: None,
                difficulty: None,
                prevrandao: None,
                basefee: None,
                gas_limit: None,
                excess_blob_gas: None,
            });
            Ok(Evm {
                db: InMemoryDb::new(),
                state: InMemoryDb::new(),
                snapshots: Vec::new(),
                journal_len: 0,
                log_count: 0,
                fork,
                spec,
                cfg,
                block,
                tx: env.tx.unwrap_or_default(),
                gas_limit,
                tracing,
                result: None,
                trace: Vec::new(),
                precompiles: Arc::new(Vec::new()),
            })
        })
    }

    /// The fork in force, by Ember's name.
    #[getter]
    fn spec_id(&self) -> String {
        self.fork.to_string()
    }

    /// Saves the current state; `revert(checkpoint)` restores it.
    fn snapshot(&mut self) -> JournalCheckpoint {
        let checkpoint = JournalCheckpoint {
            log_i: self.log_count,
            journal_i: self.journal_len,
            depth: self.snapshots.len(),
        };
        self.snapshots.push(Snapshot {
            state: self.state.clone(),
            checkpoint,
        });
        checkpoint
    }

    /// Restores the state saved by `checkpoint` and drops the later snapshots.
    fn revert(&mut self, checkpoint: &JournalCheckpoint) -> PyResult<()> {
        match self.snapshots.get(checkpoint.depth) {
            Some(s) if s.checkpoint == *checkpoint => {}
            _ => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "{checkpoint:?} is not an open checkpoint of this EVM"
                )))
            }
        }
        self.snapshots.truncate(checkpoint.depth + 1);
        let snapshot = self.snapshots.pop().expect("checked above");
        self.state = snapshot.state;
        self.journal_len = checkpoint.journal_i;
        self.log_count = checkpoint.log_i;
        Ok(())
    }

    /// Commits the current state to the database and clears the journal and snapshots.
    fn commit(&mut self) {
        self.db = self.state.clone();
        self.snapshots.clear();
        self.journal_len = 0;
        self.log_count = 0;
    }

    /// The account at `address` (empty when it does not exist).
    fn basic(&self, address: &str) -> PyResult<AccountInfo> {
        let a = crate::convert::address(address)?;
        Ok(match self.state.accounts.get(&a) {
            Some(acc) => AccountInfo::from_ember(&acc.info),
            None => AccountInfo::from_ember(&ember_evm::AccountInfo {
                code: None,
                ..Default::default()
            }),
        })
    }

    /// The code at `address`, or None when the account does not exist.
    fn get_code<'py>(
        &self,
        py: Python<'py>,
        address: &str,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let a = crate::convert::address(address)?;
        Ok(self.state.accounts.get(&a).map(|acc| {
            let code = acc.info.code.as_ref().map(|c| c.original().to_vec());
            PyBytes::new(py, &code.unwrap_or_default())
        }))
    }

    /// Inserts or replaces the account's balance, nonce and code (storage kept).
    fn insert_account_info(&mut self, address: &str, info: &AccountInfo) -> PyResult<()> {
        let a = crate::convert::address(address)?;
        let info = info.to_ember();
        self.edit_account(a, |acc, _| *acc = info.clone());
        Ok(())
    }

    /// Sets a storage slot; returns the value it replaces.
    fn insert_account_storage(
        &mut self,
        address: &str,
        index: PyU256,
        value: PyU256,
    ) -> PyResult<PyU256> {
        let a = crate::convert::address(address)?;
        let old = self
            .state
            .accounts
            .get(&a)
            .and_then(|acc| acc.storage.get(&index.0).copied())
            .unwrap_or_default();
        self.edit_account(a, |_, storage| {
            if value.0.is_zero() {
                storage.remove(&index.0);
            } else {
                storage.insert(index.0, value.0);
            }
        });
        Ok(PyU256(old))
    }

    /// The balance of `address`.
    fn get_balance(&self, address: &str) -> PyResult<PyU256> {
        let a = crate::convert::address(address)?;
        Ok(PyU256(
            self.state
                .accounts
                .get(&a)
                .map_or(U256::ZERO, |acc| acc.info.balance),
        ))
    }

    /// Sets the balance of `address`.
    fn set_balance(&mut self, address: &str, balance: PyU256) -> PyResult<()> {
        let a = crate::convert::address(address)?;
        self.edit_account(a, |acc, _| acc.balance = balance.0);
        Ok(())
    }

    /// The storage slot `index` of `address`.
    fn storage(&self, address: &str, index: PyU256) -> PyResult<PyU256> {
        let a = crate::convert::address(address)?;
        Ok(PyU256(
            self.state
                .accounts
                .get(&a)
                .and_then(|acc| acc.storage.get(&index.0).copied())
                .unwrap_or_default(),
        ))
    }

    /// The hash BLOCKHASH gives for block `number` (zero unless set with `set_block_hash`).
    fn block_hash<'py>(&self, py: Python<'py>, number: u64) -> Bound<'py, PyBytes> {
        let hash = self
            .state
            .block_hashes
            .get(&number)
            .copied()
            .unwrap_or_default();
        PyBytes::new(py, hash.as_slice())
    }

    /// Sets the hash BLOCKHASH gives for block `number`.
    fn set_block_hash(&mut self, number: u64, hash: Bound<'_, PyAny>) -> PyResult<()> {
        let hash = crate::convert::b256(&hash)?;
        self.state.block_hashes.insert(number, hash);
        self.db.block_hashes.insert(number, hash);
        Ok(())
    }

    /// Deploys `code` (initcode) from `deployer`; returns the new contract's address.
    #[pyo3(signature = (deployer, code, value=None, gas=None, gas_price=None, is_static=false, _abi=None))]
    #[allow(clippy::too_many_arguments)]
    fn deploy(
        &mut self,
        py: Python<'_>,
        deployer: &str,
        code: Vec<u8>,
        value: Option<PyU256>,
        gas: Option<u64>,
        gas_price: Option<PyU256>,
        is_static: bool,
        _abi: Option<Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        guard(|| {
            let tx = TxEnv {
                caller: Some(deployer.to_string()),
                gas_limit: gas,
                gas_price,
                value,
                data: Some(code),
                ..Default::default()
            };
            let tx = self.ember_tx(&tx)?;
            let mode = if is_static {
                Mode::Static
            } else {
                Mode::Normal
            };
            let result = self.execute(py, &tx, mode)?;
            Self::fail_unless_success(py, &result)?;
            result.created_address.ok_or_else(|| {
                crate::InternalError::new_err("a successful creation returned no address")
            })
        })
    }

    /// Runs a call from `caller` to `to` and returns its output; the changes stay in the
    /// journal (see `commit`), the caller's nonce is left as it was (pyrevm's behaviour).
    /// A revert raises `Revert`, a halt `Halt`.
    #[pyo3(signature = (caller, to, calldata=None, value=None, gas=None, gas_price=None, is_static=false))]
    #[allow(clippy::too_many_arguments)]
    fn message_call<'py>(
        &mut self,
        py: Python<'py>,
        caller: &str,
        to: &str,
        calldata: Option<Vec<u8>>,
        value: Option<PyU256>,
        gas: Option<u64>,
        gas_price: Option<PyU256>,
        is_static: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| {
            let caller = crate::convert::address(caller)?;
            let to = crate::convert::address(to)?;
            let tx = ember_evm::TxEnv {
                caller,
                gas_limit: gas.unwrap_or_else(|| self.default_gas()),
                gas_price: gas_price.unwrap_or_default().0,
                kind: TxKind::Call(to),
                value: value.unwrap_or_default().0,
                data: Bytes::from(calldata.unwrap_or_default()),
                nonce: self.nonce_of(&caller),
                ..Default::default()
            };
            let mode = if is_static {
                Mode::Static
            } else {
                Mode::Normal
            };
            let result = self.execute(py, &tx, mode);
            // pyrevm's message_call leaves the caller's nonce as it was (revm skips the
            // nonce when the transaction has none); scripts rely on the CREATE addresses
            // that follow.
            if let Some(acc) = self.state.accounts.get_mut(&caller) {
                acc.info.nonce = tx.nonce;
            }
            let result = result?;
            Self::fail_unless_success(py, &result)?;
            Ok(PyBytes::new(py, &result.output))
        })
    }

    /// Runs a transaction of any type (0 to 4) under Ember's validity rules (the tx env's
    /// when `tx` is None); returns its result, whatever it is (no exception on revert).
    #[pyo3(signature = (tx=None))]
    fn transact(&mut self, py: Python<'_>, tx: Option<TxEnv>) -> PyResult<ExecutionResult> {
        guard(|| {
            let tx = tx.unwrap_or_else(|| self.tx.clone());
            let ember_tx = self.ember_tx(&tx)?;
            self.tx = tx;
            self.execute(py, &ember_tx, Mode::Normal)
        })
    }

    /// Adds a precompile at `address`: `f(input: bytes, gas_limit: int) -> (bytes, int)`
    /// returns the output and the gas used (more than the limit is out of gas; an exception
    /// propagates out of the transaction, whose changes are then dropped).
    fn add_precompile(&mut self, address: &str, f: Py<PyAny>) -> PyResult<()> {
        let a = crate::convert::address(address)?;
        let mut list: Vec<(Address, Py<PyAny>)> = Python::attach(|py| {
            self.precompiles
                .iter()
                .filter(|(x, _)| *x != a)
                .map(|(x, g)| (*x, g.clone_ref(py)))
                .collect()
        });
        list.push((a, f));
        self.precompiles = Arc::new(list);
        Ok(())
    }

    /// The environment (a copy).
    #[getter]
    fn env(&self) -> Env {
        Env {
            cfg: Some(self.cfg.clone()),
            block: Some(self.block.clone()),
            tx: Some(self.tx.clone()),
        }
    }

    /// Whether transactions record an EIP-3155 trace (read it from `trace`).
    #[getter]
    fn get_tracing(&self) -> bool {
        self.tracing
    }

    /// Turns tracing on or off.
    #[setter]
    fn set_tracing(&mut self, value: bool) {
        self.tracing = value;
    }

    /// The EIP-3155 trace of the last transaction run with tracing on, one dict per line.
    #[getter]
    fn trace<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let json = py.import("json")?;
        let list = PyList::empty(py);
        for line in &self.trace {
            list.append(json.call_method1("loads", (line,))?)?;
        }
        Ok(list)
    }

    /// The result of the last transaction.
    #[getter]
    fn result(&self) -> Option<ExecutionResult> {
        self.result.clone()
    }

    /// The open checkpoints.
    #[getter]
    fn checkpoint_ids(&self) -> HashSet<JournalCheckpoint> {
        self.snapshots.iter().map(|s| s.checkpoint).collect()
    }

    /// The number of open snapshots.
    #[getter]
    fn journal_depth(&self) -> usize {
        self.snapshots.len()
    }

    /// The number of account changes since the last commit.
    #[getter]
    fn journal_len(&self) -> usize {
        self.journal_len
    }

    /// A description of the uncommitted state.
    #[getter]
    fn journal_str(&self) -> String {
        format!(
            "Journal {{ depth: {}, len: {}, logs: {}, accounts: {} }}",
            self.snapshots.len(),
            self.journal_len,
            self.log_count,
            self.state.accounts.len()
        )
    }

    /// The committed accounts by address.
    #[getter]
    fn db_accounts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        accounts_dict(py, &self.db)
    }

    /// The current (uncommitted) accounts by address.
    #[getter]
    fn journal_state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        accounts_dict(py, &self.state)
    }

    /// Sets the block environment.
    fn set_block_env(&mut self, block: BlockEnv) {
        self.block = block;
    }

    /// Sets the transaction environment (used by `transact()` without argument).
    fn set_tx_env(&mut self, tx: TxEnv) -> PyResult<()> {
        tx.validate()?;
        self.tx = tx;
        Ok(())
    }

    /// Transient storage (EIP-1153) lasts one transaction in Ember, as on chain: nothing to
    /// reset between calls. Kept for pyrevm compatibility.
    fn reset_transient_storage(&mut self) {}
}

/// The accounts of `db` as a dict of address (checksummed, as pyrevm's keys) to AccountInfo.
fn accounts_dict<'py>(py: Python<'py>, db: &InMemoryDb) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (a, acc) in &db.accounts {
        dict.set_item(a.to_checksum(None), AccountInfo::from_ember(&acc.info))?;
    }
    Ok(dict)
}

/// The fork names `spec_id` accepts (Ember's; revm's upper-case ids map onto them).
#[pyfunction]
pub fn fork_names() -> Vec<String> {
    Fork::ALL.iter().map(|f| f.to_string()).collect()
}
