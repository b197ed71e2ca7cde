//! Comparison and bitwise operations (LT..SAR, CLZ).

use super::arithmetic::is_negative;
use crate::interpreter::{Exit, Interpreter};
use crate::Host;
use ember_primitives::U256;

type R = Result<(), Exit>;

#[inline]
fn bool_word(b: bool) -> U256 {
    U256::from(b as u8)
}

pub(super) fn lt<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = bool_word(a < *b);
    Ok(())
}

pub(super) fn gt<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = bool_word(a > *b);
    Ok(())
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

pub(super) fn slt<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = bool_word(signed_lt(&a, b));
    Ok(())
}

pub(super) fn sgt<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = bool_word(signed_lt(b, &a));
    Ok(())
}

pub(super) fn eq<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b = bool_word(a == *b);
    Ok(())
}

pub(super) fn iszero<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let a = i.stack.top()?;
    *a = bool_word(a.is_zero());
    Ok(())
}

pub(super) fn and<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b &= a;
    Ok(())
}

pub(super) fn or<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b |= a;
    Ok(())
}

pub(super) fn xor<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([a], b) = i.stack.popn_top::<1>()?;
    *b ^= a;
    Ok(())
}

pub(super) fn not<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let a = i.stack.top()?;
    *a = !*a;
    Ok(())
}

pub(super) fn byte<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([index], x) = i.stack.popn_top::<1>()?;
    *x = if index < U256::from(32) {
        U256::from(x.byte(31 - index.to::<usize>()))
    } else {
        U256::ZERO
    };
    Ok(())
}

pub(super) fn shl<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([shift], x) = i.stack.popn_top::<1>()?;
    *x = if shift < U256::from(256) {
        *x << shift.to::<usize>()
    } else {
        U256::ZERO
    };
    Ok(())
}

pub(super) fn shr<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([shift], x) = i.stack.popn_top::<1>()?;
    *x = if shift < U256::from(256) {
        *x >> shift.to::<usize>()
    } else {
        U256::ZERO
    };
    Ok(())
}

pub(super) fn sar<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let ([shift], x) = i.stack.popn_top::<1>()?;
    *x = if shift < U256::from(256) {
        x.arithmetic_shr(shift.to::<usize>())
    } else if is_negative(x) {
        U256::MAX
    } else {
        U256::ZERO
    };
    Ok(())
}

/// EIP-7939: count leading zero bits (256 for zero).
pub(super) fn clz<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let x = i.stack.top()?;
    *x = U256::from(x.leading_zeros());
    Ok(())
}
