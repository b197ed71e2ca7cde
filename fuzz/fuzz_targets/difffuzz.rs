//! The differential check as a coverage-guided target: the input is the tape the
//! `ember-difffuzz` generator draws its choices from (fork, block, accounts, generated code,
//! transaction), the scenario runs in Ember and in revm 43.0.3, and any difference (status,
//! gas, refund, output, logs, created address, post-state, or a panic in Ember) is a crash.
//! Replay a crash input with `cargo fuzz run difffuzz <file>`; the panic message lists the
//! differences.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(diffs) = ember_difffuzz::check_tape(data, None) {
        panic!("Ember and revm diverge:\n  {}", diffs.join("\n  "));
    }
});
