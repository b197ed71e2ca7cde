//! The library half of `ember-difffuzz`: the case generator, the two executors and their
//! comparison, and the minimiser. The `ember-difffuzz` binary drives them from a seed; the
//! coverage-guided fuzz target `fuzz/fuzz_targets/difffuzz.rs` drives the same generator
//! from the fuzzer's bytes ([`gen::generate_from_tape`]) and checks with [`exec::check`].

pub mod exec;
pub mod gen;
pub mod minimize;
pub mod precompiles;
pub mod program;
pub mod rng;
pub mod scenario;

use ember_evm::Fork;

/// Runs the scenario drawn from `tape` in Ember and in revm; `Err` lists the differences
/// (a panic in Ember is one of them). `fork` fixes the fork (one revm knows); `None` draws
/// it from the tape.
pub fn check_tape(tape: &[u8], fork: Option<Fork>) -> Result<(), Vec<String>> {
    let options = gen::Options {
        fork,
        eip7610: false,
    };
    let scenario = gen::generate_from_tape(tape, options);
    let (_, _, diffs) = exec::check(&scenario.to_case(), &mut exec::Coverage::new(false));
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs
            .into_iter()
            .map(|d| format!("{:?}: {}", d.kind, d.text))
            .collect())
    }
}
