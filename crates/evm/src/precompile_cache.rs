//! An opt-in memo of expensive precompile results, shared between EVM instances.
//!
//! A precompile is a pure function of its input, so a result computed once can be reused by
//! any later call of the same function with the same input: the key is the function itself
//! (its pointer; different pricing per fork means a different function) and the input. Only
//! results whose cost reaches a threshold are kept, so the memo stays small. Test runners
//! that replay one scenario under many forks use it; a node would not need it.

use ember_precompile::{PrecompileError, PrecompileFn, PrecompileOutput, PrecompileResult};
use ember_primitives::alloy_primitives::map::HashMap;
use ember_primitives::Bytes;
use std::sync::{Arc, Mutex, OnceLock};

/// One remembered call: filled once by whichever caller computes it first; `None` when the
/// result was not worth keeping (cheap, or an error).
type Cell = Arc<OnceLock<Option<PrecompileOutput>>>;

/// A thread-safe memo of precompile results keyed by (function, input).
#[derive(Clone, Debug)]
pub struct PrecompileCache {
    min_gas: u64,
    entries: Arc<Mutex<HashMap<(usize, Bytes), Cell>>>,
}

impl PrecompileCache {
    /// A memo keeping results that cost at least `min_gas`.
    pub fn new(min_gas: u64) -> PrecompileCache {
        PrecompileCache {
            min_gas,
            entries: Arc::default(),
        }
    }

    /// Runs `f` on `input` with `gas_limit`, reusing a remembered result when there is one.
    /// Concurrent callers with the same key wait for one computation instead of repeating it.
    pub fn run(&self, f: PrecompileFn, input: &[u8], gas_limit: u64) -> PrecompileResult {
        if gas_limit < self.min_gas {
            // Nothing this call can afford is expensive enough to remember.
            return f(input, gas_limit);
        }
        let key = (f as usize, Bytes::copy_from_slice(input));
        let Ok(mut entries) = self.entries.lock() else {
            return f(input, gas_limit);
        };
        let cell = entries.entry(key.clone()).or_default().clone();
        drop(entries);
        let mut computed = None;
        let kept = cell.get_or_init(|| {
            let result = f(input, gas_limit);
            let keep = result
                .as_ref()
                .ok()
                .filter(|out| out.gas_used >= self.min_gas)
                .cloned();
            computed = Some(result);
            keep
        });
        if let Some(result) = computed {
            if kept.is_none() {
                if let Ok(mut entries) = self.entries.lock() {
                    entries.remove(&key);
                }
            }
            return result;
        }
        match kept {
            Some(out) if out.gas_used > gas_limit => Err(PrecompileError::OutOfGas),
            Some(out) => Ok(out.clone()),
            None => f(input, gas_limit),
        }
    }
}
