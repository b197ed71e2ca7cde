//! pyrevm's value classes: `CfgEnv`, `BlockEnv`, `TxEnv`, `Env`, `AccountInfo`, `Log`,
//! `ExecutionResult`, with Ember's additions (transaction type, authorizations, output).

use crate::convert::{address, address_str, b256, PyU256};
use crate::InvalidHex;
use ember_evm::{hex, keccak256, Address, B256};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// The chain configuration (pyrevm's `CfgEnv`).
#[pyclass(module = "ember", get_all, set_all)]
#[derive(Clone, Debug)]
pub struct CfgEnv {
    /// The chain id (default 1).
    pub chain_id: u64,
    /// The largest deployable code in bytes (default: the fork's, 24576 from Spurious Dragon).
    pub limit_contract_code_size: Option<usize>,
    /// Accepted for pyrevm compatibility; Ember always analyses created code.
    pub perf_analyse_created_bytecodes: String,
}

#[pymethods]
impl CfgEnv {
    #[new]
    #[pyo3(signature = (chain_id=None, limit_contract_code_size=None, perf_analyse_created_bytecodes=None))]
    fn new(
        chain_id: Option<u64>,
        limit_contract_code_size: Option<usize>,
        perf_analyse_created_bytecodes: Option<String>,
    ) -> CfgEnv {
        CfgEnv {
            chain_id: chain_id.unwrap_or(1),
            limit_contract_code_size,
            perf_analyse_created_bytecodes: perf_analyse_created_bytecodes
                .unwrap_or_else(|| "Analyse".to_string()),
        }
    }

    fn __repr__(&self) -> String {
        format!("{self:?}")
    }
}

/// The block transactions execute in (pyrevm's `BlockEnv`).
#[pyclass(module = "ember", get_all, set_all)]
#[derive(Clone, Debug)]
pub struct BlockEnv {
    /// Block number.
    pub number: Option<u64>,
    /// Beneficiary address.
    pub coinbase: Option<String>,
    /// Timestamp in seconds.
    pub timestamp: Option<u64>,
    /// Difficulty (before the merge).
    pub difficulty: Option<PyU256>,
    /// PREVRANDAO (32 bytes).
    pub prevrandao: Option<Vec<u8>>,
    /// Base fee per gas.
    pub basefee: Option<PyU256>,
    /// Block gas limit.
    pub gas_limit: Option<u64>,
    /// Excess blob gas (Cancun on).
    pub excess_blob_gas: Option<u64>,
}

#[pymethods]
impl BlockEnv {
    #[new]
    #[pyo3(signature = (number=None, coinbase=None, timestamp=None, difficulty=None, prevrandao=None, basefee=None, gas_limit=None, excess_blob_gas=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        number: Option<u64>,
        coinbase: Option<String>,
        timestamp: Option<u64>,
        difficulty: Option<PyU256>,
        prevrandao: Option<Vec<u8>>,
        basefee: Option<PyU256>,
        gas_limit: Option<u64>,
        excess_blob_gas: Option<u64>,
    ) -> PyResult<BlockEnv> {
        if let Some(c) = &coinbase {
            address(c)?;
        }
        if let Some(r) = &prevrandao {
            if r.len() != 32 {
                return Err(InvalidHex::new_err(format!(
                    "prevrandao is 32 bytes, got {}",
                    r.len()
                )));
            }
        }
        Ok(BlockEnv {
            number,
            coinbase,
            timestamp,
            difficulty,
            prevrandao,
            basefee,
            gas_limit,
            excess_blob_gas,
        })
    }

    fn __repr__(&self) -> String {
        format!("{self:?}")
    }
}

/// One EIP-7702 authorization as Python gives it: (chain_id, address, nonce, y_parity, r, s).
pub type PyAuthorization = (PyU256, String, u64, PyU256, PyU256, PyU256);

/// A transaction (pyrevm's `TxEnv`, plus `tx_type` and `authorization_list`).
#[pyclass(module = "ember", get_all, set_all)]
#[derive(Clone, Debug, Default)]
pub struct TxEnv {
    /// Sender.
    pub caller: Option<String>,
    /// Gas limit.
    pub gas_limit: Option<u64>,
    /// Gas price, or max fee per gas from EIP-1559 on.
    pub gas_price: Option<PyU256>,
    /// EIP-1559 max priority fee per gas.
    pub gas_priority_fee: Option<PyU256>,
    /// Callee; None creates a contract.
    pub to: Option<String>,
    /// Value in wei.
    pub value: Option<PyU256>,
    /// Calldata or initcode.
    pub data: Option<Vec<u8>>,
    /// Chain id the transaction is signed for.
    pub chain_id: Option<u64>,
    /// Sender nonce (None: the account's current nonce).
    pub nonce: Option<u64>,
    /// CREATE2 salt (accepted for pyrevm compatibility; a transaction creates with CREATE).
    pub salt: Option<PyU256>,
    /// EIP-2930 access list: (address, [slot, ...]).
    pub access_list: Vec<(String, Vec<PyU256>)>,
    /// EIP-4844 versioned blob hashes.
    pub blob_hashes: Vec<Vec<u8>>,
    /// EIP-4844 max fee per blob gas.
    pub max_fee_per_blob_gas: Option<PyU256>,
    /// Envelope type 0..4 (None: inferred from the fields set).
    pub tx_type: Option<u8>,
    /// EIP-7702 authorizations: (chain_id, address, nonce, y_parity, r, s).
    pub authorization_list: Vec<PyAuthorization>,
}

#[pymethods]
impl TxEnv {
    #[new]
    #[pyo3(signature = (caller=None, gas_limit=None, gas_price=None, gas_priority_fee=None, to=None, value=None, data=None, chain_id=None, nonce=None, salt=None, access_list=None, blob_hashes=None, max_fee_per_blob_gas=None, tx_type=None, authorization_list=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        caller: Option<String>,
        gas_limit: Option<u64>,
        gas_price: Option<PyU256>,
        gas_priority_fee: Option<PyU256>,
        to: Option<String>,
        value: Option<PyU256>,
        data: Option<Vec<u8>>,
        chain_id: Option<u64>,
        nonce: Option<u64>,
        salt: Option<PyU256>,
        access_list: Option<Vec<(String, Vec<PyU256>)>>,
        blob_hashes: Option<Vec<Vec<u8>>>,
        max_fee_per_blob_gas: Option<PyU256>,
        tx_type: Option<u8>,
        authorization_list: Option<Vec<PyAuthorization>>,
    ) -> PyResult<TxEnv> {
        let tx = TxEnv {
            caller,
            gas_limit,
            gas_price,
            gas_priority_fee,
            to,
            value,
            data,
            chain_id,
            nonce,
            salt,
            access_list: access_list.unwrap_or_default(),
            blob_hashes: blob_hashes.unwrap_or_default(),
            max_fee_per_blob_gas,
            tx_type,
            authorization_list: authorization_list.unwrap_or_default(),
        };
        tx.validate()?;
        Ok(tx)
    }

    fn __repr__(&self) -> String {
        format!("{self:?}")
    }
}

impl TxEnv {
    /// Checks the addresses and hashes parse.
    pub fn validate(&self) -> PyResult<()> {
        for a in [&self.caller, &self.to].into_iter().flatten() {
            address(a)?;
        }
        for (a, _) in &self.access_list {
            address(a)?;
        }
        for (_, a, ..) in &self.authorization_list {
            address(a)?;
        }
        for h in &self.blob_hashes {
            if h.len() != 32 {
                return Err(InvalidHex::new_err(format!(
                    "a blob hash is 32 bytes, got {}",
                    h.len()
                )));
            }
        }
        if let Some(t) = self.tx_type {
            if t > 4 {
                return Err(crate::InvalidTransaction::new_err(format!(
                    "unknown transaction type {t} (0 to 4)"
                )));
            }
        }
        Ok(())
    }
}

/// The environment: chain configuration, block and transaction (pyrevm's `Env`).
#[pyclass(module = "ember", get_all, set_all)]
#[derive(Clone, Debug)]
pub struct Env {
    /// Chain configuration.
    pub cfg: Option<CfgEnv>,
    /// Block.
    pub block: Option<BlockEnv>,
    /// Transaction.
    pub tx: Option<TxEnv>,
}

#[pymethods]
impl Env {
    #[new]
    #[pyo3(signature = (cfg=None, block=None, tx=None))]
    fn new(cfg: Option<CfgEnv>, block: Option<BlockEnv>, tx: Option<TxEnv>) -> Env {
        Env { cfg, block, tx }
    }

    fn __repr__(&self) -> String {
        format!("{self:?}")
    }
}

/// An account's balance, nonce and code (pyrevm's `AccountInfo`).
#[pyclass(module = "ember", get_all, set_all)]
#[derive(Clone, Debug)]
pub struct AccountInfo {
    /// Balance in wei.
    pub balance: PyU256,
    /// Nonce.
    pub nonce: u64,
    /// Keccak-256 of the code (32 bytes).
    pub code_hash: Vec<u8>,
    /// The code (None: none given).
    pub code: Option<Vec<u8>>,
}

#[pymethods]
impl AccountInfo {
    #[new]
    #[pyo3(signature = (balance=None, nonce=0, code_hash=None, code=None))]
    fn new(
        balance: Option<PyU256>,
        nonce: u64,
        code_hash: Option<Bound<'_, PyAny>>,
        code: Option<Vec<u8>>,
    ) -> PyResult<AccountInfo> {
        let code_hash = match (&code, code_hash) {
            (Some(code), _) => keccak256(code),
            (None, Some(h)) => b256(&h)?,
            (None, None) => ember_evm::primitives::KECCAK_EMPTY,
        };
        Ok(AccountInfo {
            balance: balance.unwrap_or_default(),
            nonce,
            code_hash: code_hash.to_vec(),
            code,
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "AccountInfo(balance={}, nonce={}, code_hash=0x{}, code={})",
            self.balance.0,
            self.nonce,
            hex::encode(&self.code_hash),
            self.code
                .as_ref()
                .map_or("None".to_string(), |c| format!("0x{}", hex::encode(c)))
        )
    }
}

impl AccountInfo {
    /// From Ember's account.
    pub fn from_ember(info: &ember_evm::AccountInfo) -> AccountInfo {
        AccountInfo {
            balance: PyU256(info.balance),
            nonce: info.nonce,
            code_hash: info.code_hash.to_vec(),
            code: info.code.as_ref().map(|c| c.original().to_vec()),
        }
    }

    /// To Ember's account (code analysed here).
    pub fn to_ember(&self) -> ember_evm::AccountInfo {
        let code = self.code.clone().unwrap_or_default();
        ember_evm::AccountInfo::with_code(
            self.balance.0,
            self.nonce,
            ember_evm::Bytecode::new(code.into()),
        )
    }
}

/// A log entry (pyrevm's `Log`).
#[pyclass(module = "ember", frozen)]
#[derive(Clone, Debug)]
pub struct Log {
    pub(crate) address: Address,
    pub(crate) topics: Vec<B256>,
    pub(crate) data: Vec<u8>,
}

#[pymethods]
impl Log {
    /// The emitting contract, checksummed (EIP-55) as pyrevm gives it.
    #[getter]
    fn address(&self) -> String {
        self.address.to_checksum(None)
    }

    /// The topics as 0x-prefixed hex strings.
    #[getter]
    fn topics(&self) -> Vec<String> {
        self.topics
            .iter()
            .map(|t| format!("0x{}", hex::encode(t)))
            .collect()
    }

    /// pyrevm's shape: (the topics as bytes, the data).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> (Vec<Bound<'py, PyBytes>>, Bound<'py, PyBytes>) {
        (
            self.topics
                .iter()
                .map(|t| PyBytes::new(py, t.as_slice()))
                .collect(),
            PyBytes::new(py, &self.data),
        )
    }

    fn __repr__(&self) -> String {
        format!(
            "Log(address={}, topics={:?}, data=0x{})",
            self.address(),
            self.topics(),
            hex::encode(&self.data)
        )
    }
}

/// The outcome of the last transaction (pyrevm's `ExecutionResult`, plus `output` and
/// `created_address`).
#[pyclass(module = "ember", get_all)]
#[derive(Clone, Debug)]
pub struct ExecutionResult {
    /// The top frame succeeded.
    pub is_success: bool,
    /// The top frame halted exceptionally.
    pub is_halt: bool,
    /// "Stop"/"Return" on success, "Revert", or the halt reason (e.g. "OutOfGas").
    pub reason: String,
    /// Gas charged, after refunds.
    pub gas_used: u64,
    /// Gas refunded.
    pub gas_refunded: u64,
    /// Logs emitted (empty unless successful).
    pub logs: Vec<Log>,
    /// Return or revert data.
    pub output: Vec<u8>,
    /// The created contract, for a successful creation.
    pub created_address: Option<String>,
}

#[pymethods]
impl ExecutionResult {
    #[new]
    fn new(
        is_success: bool,
        is_halt: bool,
        reason: String,
        gas_used: u64,
        gas_refunded: u64,
    ) -> ExecutionResult {
        ExecutionResult {
            is_success,
            is_halt,
            reason,
            gas_used,
            gas_refunded,
            logs: Vec::new(),
            output: Vec::new(),
            created_address: None,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "ExecutionResult(is_success={}, is_halt={}, reason={:?}, gas_used={}, gas_refunded={})",
            self.is_success, self.is_halt, self.reason, self.gas_used, self.gas_refunded
        )
    }
}

impl ExecutionResult {
    /// From Ember's result.
    pub fn from_ember(r: &ember_evm::ExecutionResult) -> ExecutionResult {
        use ember_evm::ExecutionResult as R;
        let logs = r
            .logs()
            .iter()
            .map(|l| Log {
                address: l.address,
                topics: l.topics.clone(),
                data: l.data.to_vec(),
            })
            .collect();
        let (is_success, is_halt, reason, gas_refunded, created) = match r {
            R::Success {
                gas_refunded,
                output,
                created_address,
                ..
            } => {
                // Ember's result does not keep STOP apart from RETURN: a frame that returned
                // data (or deployed code) returned.
                let returned = created_address.is_some() || !output.is_empty();
                let reason = if returned { "Return" } else { "Stop" };
                (
                    true,
                    false,
                    reason.to_string(),
                    *gas_refunded,
                    created_address.as_ref().map(address_str),
                )
            }
            R::Revert { .. } => (false, false, "Revert".to_string(), 0, None),
            R::Halt { reason, .. } => (false, true, halt_name(*reason), 0, None),
        };
        ExecutionResult {
            is_success,
            is_halt,
            reason,
            gas_used: r.gas_used(),
            gas_refunded,
            logs,
            output: r.output().to_vec(),
            created_address: created,
        }
    }
}

/// A halt reason by revm's name, as pyrevm reports it (Ember's name where revm has none).
fn halt_name(exit: ember_evm::Exit) -> String {
    use ember_evm::Exit;
    let name = match exit {
        Exit::OutOfGas => "OutOfGas(Basic)",
        Exit::StaticViolation => "StateChangeDuringStaticCall",
        Exit::InvalidOpcode => "InvalidFEOpcode",
        Exit::UndefinedOpcode => "OpcodeNotFound",
        Exit::ReturnDataOutOfBounds => "OutOfOffset",
        Exit::CodeSizeLimit => "CreateContractSizeLimit",
        Exit::InvalidCodePrefix => "CreateContractStartingWithEF",
        Exit::PrecompileFailure => "PrecompileError",
        other => return format!("{other:?}"),
    };
    name.to_string()
}
