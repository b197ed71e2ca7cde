//! `ember._ember`: Ember's EVM as a Python extension module, a superset of pyrevm's API.
//!
//! The Python package `ember` (python/ember) re-exports everything defined here; its stub
//! `ember/__init__.pyi` documents each item for Python users.
//!
//! State model: the EVM keeps two in-memory databases, the committed one (`db_accounts`) and
//! the current one, which holds the changes of transactions run since the last `commit()`
//! (`journal_state`). `snapshot()` saves the current one and `revert()` restores it.
//! Execution releases the GIL; a Rust panic is raised as `ember.InternalError`.

mod convert;
mod env;
mod evm;
mod node;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

create_exception!(
    ember,
    InvalidHex,
    PyTypeError,
    "A hex string (an address, a hash) is malformed: pyrevm raises TypeError there."
);
create_exception!(
    ember,
    UnknownFork,
    PyValueError,
    "The spec_id names no fork Ember knows."
);
create_exception!(
    ember,
    InvalidTransaction,
    PyRuntimeError,
    "The transaction failed validation and did not execute (pyrevm raises RuntimeError)."
);
create_exception!(
    ember,
    Revert,
    PyRuntimeError,
    "The top call frame reverted; `output` holds the revert data, `gas_used` the gas."
);
create_exception!(
    ember,
    Halt,
    PyRuntimeError,
    "The top call frame halted exceptionally; `reason` names why, `gas_used` the gas."
);
create_exception!(
    ember,
    InternalError,
    PyException,
    "A bug in Ember (a Rust panic); the EVM's uncommitted changes are dropped."
);

/// Panics, for the tests of the panic path: `ember._trigger_panic()` raises InternalError.
#[pyfunction]
fn _trigger_panic() -> PyResult<()> {
    convert::guard(|| panic!("panic requested by ember._trigger_panic"))
}

/// The extension module.
#[pymodule]
fn _ember(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("InvalidHex", py.get_type::<InvalidHex>())?;
    m.add("UnknownFork", py.get_type::<UnknownFork>())?;
    m.add("InvalidTransaction", py.get_type::<InvalidTransaction>())?;
    m.add("Revert", py.get_type::<Revert>())?;
    m.add("Halt", py.get_type::<Halt>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add_class::<env::CfgEnv>()?;
    m.add_class::<env::BlockEnv>()?;
    m.add_class::<env::TxEnv>()?;
    m.add_class::<env::Env>()?;
    m.add_class::<env::AccountInfo>()?;
    m.add_class::<env::Log>()?;
    m.add_class::<env::ExecutionResult>()?;
    m.add_class::<evm::JournalCheckpoint>()?;
    m.add_class::<evm::Evm>()?;
    m.add_class::<node::Node>()?;
    m.add("RpcError", py.get_type::<node::RpcError>())?;
    m.add_function(wrap_pyfunction!(_trigger_panic, m)?)?;
    m.add_function(wrap_pyfunction!(evm::fork_names, m)?)?;
    Ok(())
}
