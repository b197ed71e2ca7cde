//! A small deterministic PRNG (SplitMix64): the same seed gives the same cases on every
//! machine and build, with no dependency.
//!
//! For coverage-guided fuzzing the generator can also draw from a byte tape
//! ([`Rng::from_tape`]): each draw takes the next byte of the fuzzer's input as its top 8
//! bits (which decide every small choice: `below(n)` keeps the high bits), so the fuzzer's
//! mutations steer the generator's choices; the low bits, and every draw once the tape has
//! run out, come from SplitMix64 seeded by the tape's length (deterministic for one input).

use ember_evm::U256;

/// SplitMix64: 64 bits of state, good statistical quality for fuzzing, trivially seedable;
/// optionally fed from a byte tape first.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
    tape: Vec<u8>,
    pos: usize,
}

/// One SplitMix64 output step on `x` (also used to derive per-case seeds).
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng {
            state: seed,
            tape: Vec::new(),
            pos: 0,
        }
    }

    /// A generator whose draws take their top byte from `tape`, one byte a draw; after the
    /// tape, plain SplitMix64 seeded with the tape's length.
    pub fn from_tape(tape: &[u8]) -> Rng {
        Rng {
            state: mix(tape.len() as u64),
            tape: tape.to_vec(),
            pos: 0,
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let bits = mix(self.state);
        match self.tape.get(self.pos) {
            Some(&top) => {
                self.pos += 1;
                (u64::from(top) << 56) | (bits >> 8)
            }
            None => bits,
        }
    }

    /// A uniform value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// A uniform value in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of `xs` (non-empty), uniformly.
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }

    /// An index drawn with the given weights (not all zero).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < w as u64 {
                return i;
            }
            x -= w as u64;
        }
        weights.len() - 1
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }

    /// A uniformly random 256-bit word.
    pub fn u256(&mut self) -> U256 {
        U256::from_limbs([
            self.next_u64(),
            self.next_u64(),
            self.next_u64(),
            self.next_u64(),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_draws_are_splitmix() {
        let mut a = Rng::new(5);
        assert_eq!(a.next_u64(), mix(5u64.wrapping_add(0x9e37_79b9_7f4a_7c15)));
    }

    #[test]
    fn tape_bytes_decide_the_top_bits_then_splitmix_takes_over() {
        let mut r = Rng::from_tape(&[0xff, 0x00, 0x80]);
        assert_eq!(r.next_u64() >> 56, 0xff);
        assert_eq!(r.next_u64() >> 56, 0x00);
        assert_eq!(r.below(2), 1);
        let mut fresh = Rng::from_tape(&[1, 2, 3]);
        let tail: Vec<u64> = (0..3).map(|_| fresh.next_u64()).collect();
        assert_eq!(r.next_u64(), fresh.next_u64(), "same length, same tail");
        assert_ne!(tail[0] >> 56, 0xff);
        // The same tape always gives the same draws.
        let mut x = Rng::from_tape(b"tape");
        let mut y = Rng::from_tape(b"tape");
        for _ in 0..10 {
            assert_eq!(x.next_u64(), y.next_u64());
        }
    }
}
