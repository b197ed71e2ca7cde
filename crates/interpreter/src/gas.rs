//! Gas: the per-frame meter, the static cost table of each [`Spec`] (built from the opcode
//! table, [`ember_bytecode::opcode::OPCODES`]), and the dynamic cost formulas (memory,
//! copies, EXP, SSTORE, CALL forwarding). Fork differences come from [`Spec`].

use crate::SStoreValues;
use ember_bytecode::opcode::OPCODES;
use ember_primitives::spec::SstoreRule;
use ember_primitives::{Fork, Spec, U256};
use std::sync::{Mutex, OnceLock};

/// Static cost marking an opcode that is not defined in a fork. No frame holds this much gas
/// (see [`MAX_FRAME_GAS`]), so charging it always fails and the run loop needs no separate
/// check for undefined opcodes on its hot path.
pub const UNDEFINED: u64 = u64::MAX;

/// The most gas one call frame can hold: one less than [`UNDEFINED`]. A transaction's frame
/// gets its gas limit minus at least 21,000 intrinsic gas, so only an embedder running a
/// frame directly with `u64::MAX` gas is clamped.
pub const MAX_FRAME_GAS: u64 = UNDEFINED - 1;

/// Per-word memory cost.
pub const MEMORY_WORD: u64 = 3;
/// Per-word copy cost (CALLDATACOPY, CODECOPY, RETURNDATACOPY, EXTCODECOPY, MCOPY).
pub const COPY_WORD: u64 = 3;
/// Per-word KECCAK256 cost (also CREATE2's hashing cost).
pub const KECCAK_WORD: u64 = 6;
/// Per-byte LOG data cost.
pub const LOG_DATA: u64 = 8;
pub use ember_bytecode::opcode::{CREATE_BASE, LOG_TOPIC};
/// Cost of sending value with a call.
pub const CALL_VALUE: u64 = 9_000;
/// Free gas given to the callee of a value-bearing call.
pub const CALL_STIPEND: u64 = 2_300;
/// Cost of a call or selfdestruct that brings an account into existence.
pub const NEW_ACCOUNT: u64 = 25_000;
/// Per-byte cost of deployed code.
pub const CODE_DEPOSIT: u64 = 200;
/// Per-word cost of initcode (EIP-3860): the one constant the transaction side uses too.
pub use ember_primitives::INITCODE_WORD_COST as INITCODE_WORD;
/// Maximum call depth.
pub const CALL_DEPTH_LIMIT: usize = 1024;

/// The gas meter of one call frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gas {
    /// Gas the frame started with.
    pub limit: u64,
    /// Gas left.
    pub remaining: u64,
    /// Refund counter (may dip below zero inside a frame under EIP-2200).
    pub refund: i64,
    /// Memory size in 32-byte words that has been paid for.
    pub memory_words: u64,
}

impl Gas {
    /// A meter holding `limit` gas.
    pub fn new(limit: u64) -> Gas {
        Gas {
            limit,
            remaining: limit,
            refund: 0,
            memory_words: 0,
        }
    }

    /// Gas spent so far.
    #[inline]
    pub fn used(&self) -> u64 {
        self.limit - self.remaining
    }

    /// Charges `cost`, returning false (and charging nothing) when there is not enough.
    #[inline]
    #[must_use]
    pub fn charge(&mut self, cost: u64) -> bool {
        match self.remaining.checked_sub(cost) {
            Some(left) => {
                self.remaining = left;
                true
            }
            None => false,
        }
    }
}

/// Total cost of `words` of memory: `3·w + w²/512`.
#[inline]
pub fn memory_cost(words: u64) -> u64 {
    let w = words as u128;
    let cost = MEMORY_WORD as u128 * w + w * w / 512;
    u64::try_from(cost).unwrap_or(u64::MAX)
}

/// Number of 32-byte words covering `len` bytes.
#[inline]
pub const fn words(len: u64) -> u64 {
    len.div_ceil(32)
}

/// Copy cost of `len` bytes, saturating.
#[inline]
pub fn copy_cost(len: u64) -> u64 {
    COPY_WORD.saturating_mul(words(len))
}

/// Copy cost of `len` bytes; `None` when it does not fit in 64 bits.
#[inline]
pub fn checked_copy_cost(len: U256) -> Option<u64> {
    words(u64::try_from(len).ok()?).checked_mul(COPY_WORD)
}

/// EXP dynamic cost: per significant byte of the exponent.
#[inline]
pub fn exp_cost(spec: &Spec, exponent: U256) -> u64 {
    let bytes = exponent.bit_len().div_ceil(8) as u64;
    spec.exp_byte * bytes
}

/// The static cost of every opcode in one fork ([`UNDEFINED`] where it does not exist).
pub type GasTable = [u64; 256];

/// The static cost table of `spec`, built once per distinct rule set: the stock forks'
/// tables are found by address, and a custom [`Spec`] (one built or changed outside
/// [`Spec::of`]) gets a table of its own, built from its own values the first time it is seen.
pub fn table(spec: &Spec) -> &'static GasTable {
    static TABLES: [OnceLock<GasTable>; Fork::ALL.len()] =
        [const { OnceLock::new() }; Fork::ALL.len()];
    if std::ptr::eq(spec, Spec::of(spec.fork)) {
        return TABLES[spec.fork as usize].get_or_init(|| build_table(spec));
    }
    table_with(spec, &[])
}

/// The table of `spec` with `extra` opcodes priced too (a chain variant's custom
/// instructions: `(opcode, static gas)`). One table per distinct value, kept for the
/// process's lifetime: a program makes a handful of rule sets, not one per transaction.
pub fn table_with(spec: &Spec, extra: &[(u8, u64)]) -> &'static GasTable {
    type Entry = (Spec, Vec<(u8, u64)>, &'static GasTable);
    static CUSTOM: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
    let mut tables = CUSTOM
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, _, table)) = tables.iter().find(|(s, e, _)| s == spec && e == extra) {
        return table;
    }
    let mut table = build_table(spec);
    for &(op, cost) in extra {
        table[op as usize] = cost.min(MAX_FRAME_GAS);
    }
    let table: &'static GasTable = Box::leak(Box::new(table));
    tables.push((*spec, extra.to_vec(), table));
    table
}

/// Each opcode's static gas under `spec`, from the opcode table.
fn build_table(spec: &Spec) -> GasTable {
    let mut t = [UNDEFINED; 256];
    for (op, info) in OPCODES.iter().enumerate() {
        match info {
            Some(info) if info.is_enabled(spec) => t[op] = info.static_gas.of(spec),
            _ => {}
        }
    }
    t
}

/// Extra cost of a cold account access under EIP-2929 (zero when warm or before Berlin).
#[inline]
pub fn cold_account_surcharge(spec: &Spec, is_cold: bool) -> u64 {
    if spec.access_lists && is_cold {
        spec.cold_account - spec.warm_access
    } else {
        0
    }
}

/// SSTORE cost for a write, given the slot's original, current and new values.
pub fn sstore_cost(spec: &Spec, v: &SStoreValues, is_cold: bool) -> u64 {
    let cold = if spec.access_lists && is_cold {
        spec.cold_sload
    } else {
        0
    };
    let cost = match spec.sstore {
        SstoreRule::Frontier => {
            if v.present.is_zero() && !v.new.is_zero() {
                spec.sstore_set
            } else {
                spec.sstore_reset
            }
        }
        SstoreRule::Eip1283 | SstoreRule::Eip2200 => {
            if v.present == v.new || v.original != v.present {
                spec.sload
            } else if v.original.is_zero() {
                spec.sstore_set
            } else {
                spec.sstore_reset
            }
        }
    };
    cost + cold
}

/// SSTORE refund change for a write (may be negative under net metering).
pub fn sstore_refund(spec: &Spec, v: &SStoreValues) -> i64 {
    let clear = spec.sstore_clear_refund as i64;
    match spec.sstore {
        SstoreRule::Frontier => {
            if !v.present.is_zero() && v.new.is_zero() {
                clear
            } else {
                0
            }
        }
        SstoreRule::Eip1283 | SstoreRule::Eip2200 => {
            if v.present == v.new {
                return 0;
            }
            let mut refund = 0;
            if !v.original.is_zero() {
                if !v.present.is_zero() && v.new.is_zero() {
                    refund += clear;
                }
                if v.present.is_zero() {
                    refund -= clear;
                }
            }
            if v.original == v.new {
                let sload = spec.sload as i64;
                refund += if v.original.is_zero() {
                    spec.sstore_set as i64 - sload
                } else {
                    spec.sstore_reset as i64 - sload
                };
            }
            refund
        }
    }
}

/// Gas a CALL forwards when `requested` is asked for and `available` is left after the
/// call's own costs: everything before EIP-150, all but one 64th after.
#[inline]
pub fn call_gas(spec: &Spec, requested: U256, available: u64) -> Option<u64> {
    if spec.call_gas_63_64 {
        let cap = available - available / 64;
        Some(if requested < U256::from(cap) {
            requested.to::<u64>()
        } else {
            cap
        })
    } else if requested <= U256::from(available) {
        Some(requested.to::<u64>())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opcode::*;

    fn v(original: u64, present: u64, new: u64) -> SStoreValues {
        SStoreValues {
            original: U256::from(original),
            present: U256::from(present),
            new: U256::from(new),
        }
    }

    #[test]
    fn eip1283_table() {
        // Rows of the EIP-1283 test table: (original, values written) -> (used, refund).
        let spec = Spec::of(Fork::Constantinople);
        assert_eq!(sstore_cost(spec, &v(0, 0, 0), false), 200);
        assert_eq!(sstore_cost(spec, &v(0, 0, 1), false), 20_000);
        assert_eq!(sstore_cost(spec, &v(1, 1, 0), false), 5_000);
        assert_eq!(sstore_refund(spec, &v(1, 1, 0)), 15_000);
        assert_eq!(sstore_cost(spec, &v(0, 1, 0), false), 200);
        assert_eq!(sstore_refund(spec, &v(0, 1, 0)), 19_800);
        assert_eq!(sstore_refund(spec, &v(1, 0, 1)), -15_000 + 4_800);
        assert_eq!(sstore_refund(spec, &v(1, 2, 1)), 4_800);
    }

    #[test]
    fn berlin_costs() {
        let spec = Spec::of(Fork::Berlin);
        assert_eq!(sstore_cost(spec, &v(1, 1, 2), true), 2_900 + 2_100);
        assert_eq!(sstore_refund(spec, &v(1, 2, 1)), 2_800);
        assert_eq!(table(spec)[SLOAD as usize], 100);
        assert_eq!(table(Spec::of(Fork::Istanbul))[SLOAD as usize], 800);
        assert_eq!(
            table(Spec::of(Fork::Frontier))[DELEGATECALL as usize],
            UNDEFINED
        );
    }

    #[test]
    fn memory_cost_saturates() {
        assert_eq!(memory_cost(1), 3);
        assert_eq!(memory_cost(u64::MAX), u64::MAX);
    }
}
