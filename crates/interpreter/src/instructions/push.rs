//! PUSH1..PUSH32 immediates. POP, PUSH0, DUPn and SWAPn are a few pointer moves each and
//! live in the run loop itself.

use ember_primitives::U256;

/// The `N`-byte big-endian immediate starting at `at` (the byte after a PUSHn opcode).
///
/// # Safety
/// The 32 bytes from `at` must be readable. The run loop guarantees it: code is padded
/// with 33 zero bytes and `at` is at most the code's length, so a PUSH at the end reads
/// zeros, as the Yellow Paper defines.
#[inline(always)]
pub(super) unsafe fn immediate<const N: usize>(at: *const u8) -> U256 {
    // SAFETY: the caller guarantees 32 readable bytes; `[u8; 32]` has alignment 1.
    let window: [u8; 32] = unsafe { at.cast::<[u8; 32]>().read() };
    if N <= 8 {
        // Small immediates (almost all of them) fit one limb: load 8 bytes big-endian and
        // drop the ones past the immediate.
        let mut head = [0u8; 8];
        head.copy_from_slice(&window[..8]);
        super::word(u64::from_be_bytes(head) >> (64 - 8 * N))
    } else if N == 32 {
        U256::from_be_bytes(window)
    } else {
        let mut word = [0u8; 32];
        word[32 - N..].copy_from_slice(&window[..N]);
        U256::from_be_bytes(word)
    }
}
