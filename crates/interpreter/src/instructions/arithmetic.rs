//! ADD..SIGNEXTEND.

use crate::gas;
use crate::interpreter::{Exit, Interpreter};
use crate::Host;
use ember_primitives::U256;

type R = Result<(), Exit>;

pub(super) fn add<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = a.wrapping_add(*b);
    Ok(())
}

pub(super) fn mul<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = a.wrapping_mul(*b);
    Ok(())
}

pub(super) fn sub<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = a.wrapping_sub(*b);
    Ok(())
}

pub(super) fn div<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = if b.is_zero() { U256::ZERO } else { a / *b };
    Ok(())
}

pub(super) fn rem<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = if b.is_zero() { U256::ZERO } else { a % *b };
    Ok(())
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

pub(super) fn sdiv<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = if b.is_zero() {
        U256::ZERO
    } else {
        let q = abs(a) / abs(*b);
        if is_negative(&a) != is_negative(b) {
            q.wrapping_neg()
        } else {
            q
        }
    };
    Ok(())
}

pub(super) fn smod<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = if b.is_zero() {
        U256::ZERO
    } else {
        let r = abs(a) % abs(*b);
        if is_negative(&a) {
            r.wrapping_neg()
        } else {
            r
        }
    };
    Ok(())
}

pub(super) fn addmod<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a, b], n) = i.stack.popn_top::<2>()?;
    *n = if n.is_zero() {
        U256::ZERO
    } else {
        a.add_mod(b, *n)
    };
    Ok(())
}

pub(super) fn mulmod<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a, b], n) = i.stack.popn_top::<2>()?;
    *n = if n.is_zero() {
        U256::ZERO
    } else {
        a.mul_mod(b, *n)
    };
    Ok(())
}

pub(super) fn exp<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([base], exponent) = i.stack.popn_top::<1>()?;
    let exponent_value = *exponent;
    let cost = gas::exp_cost(i.spec, exponent_value);
    *exponent = base.wrapping_pow(exponent_value);
    i.charge(cost)
}

pub(super) fn signextend<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([b], x) = i.stack.popn_top::<1>()?;
    if b < U256::from(31) {
        let bit = b.to::<usize>() * 8 + 7;
        let mask = (U256::from(1) << bit).wrapping_sub(U256::from(1));
        *x = if x.bit(bit) { *x | !mask } else { *x & mask };
    }
    Ok(())
}
