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
    let code = i.bytecode.padded();
    debug_assert!(start + 32 <= code.len());
    // SAFETY: the code is padded with 33 zero bytes and `start` is at most the code's length
    // (it follows the PUSH opcode), so the 32 bytes from `start` are in bounds; a PUSH at
    // the end reads zeros, as the Yellow Paper defines. `[u8; 32]` has alignment 1.
    let window: [u8; 32] = unsafe { code.as_ptr().add(start).cast::<[u8; 32]>().read() };
    i.pc += N;
    let value = if N <= 8 {
        // Small immediates (almost all of them) fit one limb: load 8 bytes big-endian and
        // drop the ones past the immediate.
        let mut head = [0u8; 8];
        head.copy_from_slice(&window[..8]);
        U256::from(u64::from_be_bytes(head) >> (64 - 8 * N))
    } else if N == 32 {
        U256::from_be_bytes(window)
    } else {
        let mut word = [0u8; 32];
        word[32 - N..].copy_from_slice(&window[..N]);
        U256::from_be_bytes(word)
    };
    i.stack.push(value)
}

pub(super) fn dup<const N: usize, H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    i.stack.dup::<N>()
}

pub(super) fn swap<const N: usize, H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    i.stack.swap::<N>()
}
