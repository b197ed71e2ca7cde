//! POP, PUSH0..PUSH32, DUP1..DUP16, SWAP1..SWAP16.

use crate::interpreter::{Exit, Interpreter};
use crate::Host;
use ember_primitives::U256;

type R = Result<(), Exit>;

pub(super) fn pop<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    i.stack.popn::<1>().map(|_| ())
}

/// EIP-3855.
pub(super) fn push0<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    i.stack.push(U256::ZERO)
}

pub(super) fn push<const N: usize, H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let start = i.pc;
    // The code is padded with 33 zero bytes, so a PUSH at the end reads zeros, as the
    // Yellow Paper defines, and `start + N` never passes the padding.
    let mut word = [0u8; 32];
    word[32 - N..].copy_from_slice(&i.bytecode.padded()[start..start + N]);
    i.pc += N;
    i.stack.push(U256::from_be_bytes(word))
}

pub(super) fn dup<const N: usize, H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    i.stack.dup(N)
}

pub(super) fn swap<const N: usize, H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    i.stack.swap(N)
}
