//! Conversions between Python values and Ember's types, and the panic guard.

use crate::{InternalError, InvalidHex, UnknownFork};
use ember_evm::{hex, Address, Fork, B256, U256};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, turning a Rust panic into `ember.InternalError` (pyo3 would raise its
/// `PanicException`, a `BaseException` that `except Exception` misses).
pub fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(InternalError::new_err(format!(
                "Ember panicked (a bug, please report it): {message}"
            )))
        }
    }
}

/// A 256-bit unsigned integer crossing into and out of Python as an `int`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PyU256(pub U256);

impl<'py> FromPyObject<'py> for PyU256 {
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(small) = ob.extract::<u64>() {
            return Ok(PyU256(U256::from(small)));
        }
        // int.to_bytes raises OverflowError for negative or too large values, as pyrevm does.
        let bytes = ob
            .downcast::<PyInt>()?
            .call_method1("to_bytes", (32, "big"))?;
        let bytes = bytes.downcast::<PyBytes>()?;
        Ok(PyU256(U256::from_be_slice(bytes.as_bytes())))
    }
}

impl<'py> IntoPyObject<'py> for PyU256 {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if let Ok(small) = u128::try_from(self.0) {
            return Ok(small.into_pyobject(py)?.into_any());
        }
        let bytes = PyBytes::new(py, &self.0.to_be_bytes::<32>());
        py.get_type::<PyInt>()
            .call_method1("from_bytes", (bytes, "big"))
    }
}

/// Parses a `0x`-prefixed (or bare) 40-digit hex address.
pub fn address(s: &str) -> PyResult<Address> {
    let digits = s.strip_prefix("0x").unwrap_or(s);
    let mut out = [0u8; 20];
    hex::decode_to_slice(digits, &mut out)
        .map_err(|e| InvalidHex::new_err(format!("invalid address {s:?}: {e}")))?;
    Ok(Address::from(out))
}

/// An address as pyrevm prints it: `0x` and 40 lowercase hex digits.
pub fn address_str(a: &Address) -> String {
    format!("0x{}", hex::encode(a))
}

/// A 32-byte hash from bytes (or a hex string).
pub fn b256(ob: &Bound<'_, PyAny>) -> PyResult<B256> {
    let raw: Vec<u8> = if let Ok(s) = ob.extract::<String>() {
        hex::decode(s.strip_prefix("0x").unwrap_or(&s))
            .map_err(|e| InvalidHex::new_err(format!("invalid hash {s:?}: {e}")))?
    } else {
        ob.extract::<Vec<u8>>()?
    };
    if raw.len() != 32 {
        return Err(InvalidHex::new_err(format!(
            "a hash is 32 bytes, got {}",
            raw.len()
        )));
    }
    Ok(B256::from_slice(&raw))
}

/// The fork a pyrevm/revm spec id (`"SHANGHAI"`, `"MERGE"`, `"LATEST"`) or an Ember fork
/// name (`"Cancun"`, `"Prague"`, `"EIP158"`) names.
pub fn fork(name: &str) -> PyResult<Fork> {
    let squashed: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-' && *c != ' ')
        .collect::<String>()
        .to_ascii_uppercase();
    let fork = match squashed.as_str() {
        "LATEST" => Some(Fork::LATEST),
        "FRONTIERTHAWING" => Some(Fork::Frontier),
        "DAOFORK" => Some(Fork::Homestead),
        "MUIRGLACIER" => Some(Fork::Istanbul),
        "ARROWGLACIER" | "GRAYGLACIER" => Some(Fork::London),
        other => other.parse().ok(),
    };
    fork.ok_or_else(|| {
        UnknownFork::new_err(format!(
            "unknown fork {name:?} (known: revm's spec ids such as SHANGHAI, CANCUN, PRAGUE, \
             LATEST, and Ember's fork names; see ember.fork_names())"
        ))
    })
}
