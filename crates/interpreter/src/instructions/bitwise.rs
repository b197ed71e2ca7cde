//! Comparison and bitwise operations (LT..SAR, CLZ) as functions of their operands (`a` is
//! the top of the stack, `b` the item below it); the run loop pops and pushes.

use super::arithmetic::is_negative;
use super::word;
use ember_primitives::U256;

#[inline(always)]
fn bool_word(b: bool) -> U256 {
    word(b as u64)
}

#[inline(always)]
pub(super) fn lt(a: U256, b: U256) -> U256 {
    bool_word(a < b)
}

#[inline(always)]
pub(super) fn gt(a: U256, b: U256) -> U256 {
    bool_word(a > b)
}

/// Signed comparison of two's complement words.
#[inline]
fn signed_lt(a: &U256, b: &U256) -> bool {
    match (is_negative(a), is_negative(b)) {
        (true, false) => true,
        (false, true) => false,
        _ => a < b,
    }
}

#[inline]
pub(super) fn slt(a: U256, b: U256) -> U256 {
    bool_word(signed_lt(&a, &b))
}

#[inline]
pub(super) fn sgt(a: U256, b: U256) -> U256 {
    bool_word(signed_lt(&b, &a))
}

#[inline(always)]
pub(super) fn eq(a: U256, b: U256) -> U256 {
    bool_word(a == b)
}

#[inline(always)]
pub(super) fn iszero(a: U256) -> U256 {
    bool_word(a.is_zero())
}

#[inline(always)]
pub(super) fn and(a: U256, b: U256) -> U256 {
    a & b
}

#[inline(always)]
pub(super) fn or(a: U256, b: U256) -> U256 {
    a | b
}

#[inline(always)]
pub(super) fn xor(a: U256, b: U256) -> U256 {
    a ^ b
}

#[inline(always)]
pub(super) fn not(a: U256) -> U256 {
    !a
}

/// BYTE: `index` counts from the most significant byte.
#[inline]
pub(super) fn byte(index: U256, x: U256) -> U256 {
    if index < U256::from(32) {
        word(x.byte(31 - index.to::<usize>()) as u64)
    } else {
        U256::ZERO
    }
}

#[inline]
pub(super) fn shl(shift: U256, x: U256) -> U256 {
    if shift < U256::from(256) {
        x << shift.to::<usize>()
    } else {
        U256::ZERO
    }
}

#[inline]
pub(super) fn shr(shift: U256, x: U256) -> U256 {
    if shift < U256::from(256) {
        x >> shift.to::<usize>()
    } else {
        U256::ZERO
    }
}

#[inline]
pub(super) fn sar(shift: U256, x: U256) -> U256 {
    if shift < U256::from(256) {
        x.arithmetic_shr(shift.to::<usize>())
    } else if is_negative(&x) {
        U256::MAX
    } else {
        U256::ZERO
    }
}

/// EIP-7939: count leading zero bits (256 for zero).
#[inline]
pub(super) fn clz(x: U256) -> U256 {
    word(x.leading_zeros() as u64)
}
