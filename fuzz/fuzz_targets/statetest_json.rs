//! The state-test fixture loader (`ember_conformance::load_slice`) on arbitrary bytes, then the
//! state-test executor on the first few cases it yields (those with a gas limit up to 2M, so
//! a run stays short), and the blockchain crate's JSON parsers (allocations, quantities) on
//! whatever parses as JSON.
//!
//! Checks: no panic anywhere (a malformed file is a `LoadError`, a bad value an invalid
//! transaction, odd block parameters a rejected transaction or a result).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(loaded) = ember_conformance::load_slice(Path::new("fuzz.json"), data) {
        for case in loaded.cases.iter().take(4) {
            let _ = case.id().to_string();
            if case.tx.as_ref().is_ok_and(|tx| tx.gas_limit <= 2_000_000) {
                let outcome = ember_conformance::execute(case);
                let _ = ember_conformance::check(case, &outcome);
            }
        }
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = ember_blockchain::json::parse_alloc(&value, "alloc");
        let _ = ember_blockchain::json::quantity(&value, "q");
        let _ = ember_blockchain::json::word(&value, "w");
    }
});
