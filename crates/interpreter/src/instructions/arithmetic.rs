//! ADD..SIGNEXTEND as functions of their operands (`a` is the top of the stack, `b` the
//! item below it, `n` the third); the run loop pops and pushes. EXP, whose gas depends on
//! its operand, is a frame instruction.

use crate::gas;
use crate::interpreter::{Exit, Interpreter};
use crate::Host;
use ember_primitives::U256;

#[inline(always)]
pub(super) fn add(a: U256, b: U256) -> U256 {
    a.wrapping_add(b)
}

#[inline(always)]
pub(super) fn mul(a: U256, b: U256) -> U256 {
    a.wrapping_mul(b)
}

#[inline(always)]
pub(super) fn sub(a: U256, b: U256) -> U256 {
    a.wrapping_sub(b)
}

#[inline]
pub(super) fn div(a: U256, b: U256) -> U256 {
    if b.is_zero() {
        U256::ZERO
    } else {
        a / b
    }
}

#[inline]
pub(super) fn rem(a: U256, b: U256) -> U256 {
    if b.is_zero() {
        U256::ZERO
    } else {
        a % b
    }
}

/// True when the two's complement value is negative.
#[inline]
pub(super) fn is_negative(x: &U256) -> bool {
    x.bit(255)
}

/// Absolute value of a two's complement word (MIN stays MIN).
#[inline]
fn abs(x: U256) -> U256 {
    if is_negative(&x) {
        x.wrapping_neg()
    } else {
        x
    }
}

#[inline]
pub(super) fn sdiv(a: U256, b: U256) -> U256 {
    if b.is_zero() {
        return U256::ZERO;
    }
    let q = abs(a) / abs(b);
    if is_negative(&a) != is_negative(&b) {
        q.wrapping_neg()
    } else {
        q
    }
}

#[inline]
pub(super) fn smod(a: U256, b: U256) -> U256 {
    if b.is_zero() {
        return U256::ZERO;
    }
    let r = abs(a) % abs(b);
    if is_negative(&a) {
        r.wrapping_neg()
    } else {
        r
    }
}

#[inline]
pub(super) fn addmod(a: U256, b: U256, n: U256) -> U256 {
    if n.is_zero() {
        U256::ZERO
    } else {
        a.add_mod(b, n)
    }
}

#[inline]
pub(super) fn mulmod(a: U256, b: U256, n: U256) -> U256 {
    if n.is_zero() {
        U256::ZERO
    } else {
        a.mul_mod(b, n)
    }
}

/// SIGNEXTEND: `b` is the byte index, `x` the value.
#[inline]
pub(super) fn signextend(b: U256, x: U256) -> U256 {
    if b < U256::from(31) {
        let bit = b.to::<usize>() * 8 + 7;
        let mask = (U256::from(1) << bit).wrapping_sub(U256::from(1));
        if x.bit(bit) {
            x | !mask
        } else {
            x & mask
        }
    } else {
        x
    }
}

#[inline(never)]
pub(super) fn exp<H: Host>(i: &mut Interpreter, _: &mut H) -> Result<(), Exit> {
    let ([base], exponent) = i.stack.popn_top::<1>()?;
    let exponent_value = *exponent;
    let cost = gas::exp_cost(i.spec, exponent_value);
    *exponent = base.wrapping_pow(exponent_value);
    i.charge(cost)
}
