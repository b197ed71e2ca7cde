//! `0x09` BLAKE2F: the BLAKE2b compression function F with a caller-chosen round count
//! (Istanbul, EIP-152).
//!
//! Input, exactly 213 bytes: `rounds` (4 bytes, big-endian) ‖ `h` (8 × 8 bytes) ‖ `m`
//! (16 × 8 bytes) ‖ `t` (2 × 8 bytes) ‖ `f` (1 byte, 0 or 1); the words of `h`, `m` and `t`
//! are little-endian. Output: the new state `h`, 64 bytes little-endian. One gas per round.
//!
//! No crate exposes F with an arbitrary round count, so it is written out here following
//! RFC 7693 section 3.2.

use crate::{charge, PrecompileError, PrecompileFn, PrecompileOutput, PrecompileResult};

/// `0x09` BLAKE2F: 1 gas per round.
pub const BLAKE2F: PrecompileFn = blake2f;

/// The exact input length.
const INPUT_LEN: usize = 213;

/// BLAKE2b initialisation vector (RFC 7693 section 2.6).
const IV: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// Message word schedule (RFC 7693 section 2.7); round `i` uses row `i % 10`.
const SIGMA: [[usize; 16]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/// The mixing function G (RFC 7693 section 3.1) on `v[a], v[b], v[c], v[d]`.
#[inline(always)]
fn g(v: &mut [u64; 16], a: usize, b: usize, c: usize, d: usize, x: u64, y: u64) {
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
    v[d] = (v[d] ^ v[a]).rotate_right(32);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(24);
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
    v[d] = (v[d] ^ v[a]).rotate_right(16);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(63);
}

/// One round with message schedule `s`: G on the four columns, then on the four diagonals.
#[inline(always)]
fn round(v: &mut [u64; 16], m: &[u64; 16], s: &[usize; 16]) {
    g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
    g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
    g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
    g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
    g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
    g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
    g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
    g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
}

/// The compression function F (RFC 7693 section 3.2) with `rounds` rounds.
///
/// Round `i` uses message schedule `SIGMA[i % 10]`, so any `rounds` (EIP-152 allows up to
/// 2^32 - 1) is valid. Runs the implementation that [`Kernel::fastest`] found quicker on this
/// CPU; all give identical results.
pub fn compress(rounds: u32, h: &mut [u64; 8], m: &[u64; 16], t: [u64; 2], last_block: bool) {
    Kernel::fastest().compress(rounds, h, m, t, last_block);
}

/// An implementation of F.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kernel {
    /// Scalar 64-bit code, any CPU.
    Portable,
    /// Four lanes of 64 bits in AVX2 registers; only chosen once AVX2 was detected.
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Kernel {
    /// Rounds per timing run of [`Kernel::fastest`]'s calibration: 15-30 µs a run.
    const CALIBRATION_ROUNDS: u32 = 2_000;

    /// The quickest implementation on this CPU, measured once per process.
    ///
    /// F is one long dependency chain, so what decides is the latency of its additions,
    /// XORs and rotations, and that differs between CPUs. Where 256-bit integer vector
    /// operations take one cycle AVX2 is fastest (8.6 ns a round on an AMD Zen 4). Where they
    /// take two (an AMD EPYC with AVX-512, Zen 5-like) the scalar code, whose operations take
    /// one, runs F twice as fast (7.0 against 13.0 ns). So the first call times both on a few
    /// thousand rounds (best of three each, about 0.1 ms in all) and keeps the faster; the
    /// choice never changes a result, only the time.
    fn fastest() -> Kernel {
        static CHOSEN: std::sync::OnceLock<Kernel> = std::sync::OnceLock::new();
        *CHOSEN.get_or_init(|| {
            let candidates = Kernel::available();
            let best = |kernel: Kernel| {
                (0..3)
                    .map(|_| kernel.time(Self::CALIBRATION_ROUNDS))
                    .min()
                    .unwrap_or(std::time::Duration::MAX)
            };
            candidates
                .iter()
                .copied()
                .min_by_key(|&kernel| best(kernel))
                .unwrap_or(Kernel::Portable)
        })
    }

    /// The implementations this CPU can run.
    fn available() -> Vec<Kernel> {
        #[allow(unused_mut)]
        let mut kernels = vec![Kernel::Portable];
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            kernels.push(Kernel::Avx2);
        }
        kernels
    }

    /// How long `rounds` rounds of F take on an arbitrary state.
    fn time(self, rounds: u32) -> std::time::Duration {
        let mut h = IV;
        let m: [u64; 16] = core::array::from_fn(|i| IV[i % 8].rotate_left(i as u32));
        let start = std::time::Instant::now();
        self.compress(rounds, &mut h, &m, [rounds.into(), 0], true);
        let elapsed = start.elapsed();
        std::hint::black_box(h);
        elapsed
    }

    /// F with this implementation.
    fn compress(self, rounds: u32, h: &mut [u64; 8], m: &[u64; 16], t: [u64; 2], last_block: bool) {
        match self {
            Kernel::Portable => compress_portable(rounds, h, m, t, last_block),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Kernel` is private to this module, and `Kernel::Avx2` is only made by
            // `Kernel::available` and by the AVX2 test, both right after
            // `is_x86_feature_detected!("avx2")` returned true, so the CPU has AVX2.
            Kernel::Avx2 => unsafe { avx2::compress(rounds, h, m, t, last_block) },
        }
    }
}

/// The initial working vector `v` of F (RFC 7693 section 3.2).
#[inline(always)]
fn init_v(h: &[u64; 8], t: [u64; 2], last_block: bool) -> [u64; 16] {
    let mut v = [0u64; 16];
    v[..8].copy_from_slice(h);
    v[8..].copy_from_slice(&IV);
    v[12] ^= t[0];
    v[13] ^= t[1];
    if last_block {
        v[14] = !v[14];
    }
    v
}

/// Portable F: the ten schedules of a full cycle are unrolled with constant indices, so
/// the message words come straight from registers or memory without bounds checks.
fn compress_portable(rounds: u32, h: &mut [u64; 8], m: &[u64; 16], t: [u64; 2], last_block: bool) {
    let mut v = init_v(h, t, last_block);
    for _ in 0..rounds / 10 {
        round(&mut v, m, &SIGMA[0]);
        round(&mut v, m, &SIGMA[1]);
        round(&mut v, m, &SIGMA[2]);
        round(&mut v, m, &SIGMA[3]);
        round(&mut v, m, &SIGMA[4]);
        round(&mut v, m, &SIGMA[5]);
        round(&mut v, m, &SIGMA[6]);
        round(&mut v, m, &SIGMA[7]);
        round(&mut v, m, &SIGMA[8]);
        round(&mut v, m, &SIGMA[9]);
    }
    // `rounds % 10 < 10`, so the slice is in bounds.
    for s in &SIGMA[..(rounds % 10) as usize] {
        round(&mut v, m, s);
    }
    for i in 0..8 {
        h[i] ^= v[i] ^ v[i + 8];
    }
}

/// AVX2 F: the standard BLAKE2b SIMD layout, the 4×4 word matrix `v` held as four rows
/// `a = v[0..4]`, `b = v[4..8]`, `c = v[8..12]`, `d = v[12..16]`, so that one vector G
/// mixes all four columns (then all four diagonals) at once.
///
/// F is one long dependency chain, so what counts is its latency: the message words are
/// gathered into vectors once per call, every rotation is a single 1-cycle shuffle except
/// the one by 63, and the diagonal step moves rows `a`, `c`, `d` rather than `b`, so the
/// 3-cycle lane permutes overlap the end of G instead of delaying the next one.
///
/// Every helper is `#[target_feature(enable = "avx2")]` and `#[inline]`; all inline into
/// [`compress`], whose caller checked that the CPU has AVX2.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{init_v, SIGMA};
    use core::arch::x86_64::*;

    /// Four message words, aligned for `_mm256_load_si256`.
    #[derive(Clone, Copy)]
    #[repr(C, align(32))]
    struct Lanes([u64; 4]);

    /// The message words of one round: `[x, y]` of the column step, then `[x, y]` of the
    /// diagonal step, lane `j` in the order that step mixes.
    type Schedule = [Lanes; 4];

    /// The four vectors of round schedule `s`.
    ///
    /// The diagonal step keeps row `b` in place and rotates rows `a`, `c`, `d` (see
    /// [`diagonalize`]), so lane `j` mixes diagonal `(j + 3) % 4`: `b[j]` with
    /// `a[j - 1]`, `c[j + 1]`, `d[j + 2]` (indices mod 4).
    fn schedule(m: &[u64; 16], s: &[usize; 16]) -> Schedule {
        let column = |k: usize| Lanes([m[s[k]], m[s[k + 2]], m[s[k + 4]], m[s[k + 6]]]);
        let diagonal = |k: usize| Lanes([m[s[k + 6]], m[s[k]], m[s[k + 2]], m[s[k + 4]]]);
        [column(0), column(1), diagonal(8), diagonal(9)]
    }

    /// `x`, unchanged, but opaque to the optimiser; no instruction is emitted.
    ///
    /// Without it LLVM reassociates `(a + x) + b` into `(a + b) + x`, putting the message
    /// addition on the critical path, and rewrites the byte-shuffle rotations into slower
    /// two-shuffle sequences once it sees their masks.
    ///
    /// # Safety
    ///
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn opaque(mut x: __m256i) -> __m256i {
        // SAFETY: the template is empty, so this executes nothing; it only makes `x` live
        // in a `ymm` register, which the caller's AVX2 guarantee provides.
        unsafe {
            core::arch::asm!(
                "/* {0} */",
                inout(ymm_reg) x,
                options(pure, nomem, nostack, preserves_flags)
            );
        }
        x
    }

    /// `_mm256_shuffle_epi8` masks that rotate each 64-bit lane right by 24 and 16 bits
    /// (byte `i` of a lane takes byte `(i + n / 8) % 8`), hidden from the optimiser.
    #[derive(Clone, Copy)]
    struct RotMasks {
        r24: __m256i,
        r16: __m256i,
    }

    impl RotMasks {
        /// # Safety
        ///
        /// The CPU must support AVX2.
        #[target_feature(enable = "avx2")]
        #[inline]
        unsafe fn new() -> Self {
            // SAFETY: the caller guarantees AVX2; nothing here touches memory.
            unsafe {
                Self {
                    r24: opaque(_mm256_setr_epi8(
                        3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, //
                        3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10,
                    )),
                    r16: opaque(_mm256_setr_epi8(
                        2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, //
                        2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9,
                    )),
                }
            }
        }
    }

    /// G on all four lanes of the rows `[a, b, c, d]`, with message words `x`, `y`.
    ///
    /// # Safety
    ///
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn g([a, b, c, d]: &mut [__m256i; 4], x: &Lanes, y: &Lanes, k: RotMasks) {
        // SAFETY: the caller guarantees AVX2; the only memory read is the aligned load of
        // a `Lanes`, which is 32 bytes and 32-byte aligned.
        unsafe {
            let x = _mm256_load_si256(x.0.as_ptr().cast());
            let y = _mm256_load_si256(y.0.as_ptr().cast());
            // `a + x` before `+ b`: `b` is the last row the previous G finishes.
            *a = _mm256_add_epi64(opaque(_mm256_add_epi64(*a, x)), *b);
            // Rotate right by 32: swap the 32-bit halves of each lane.
            *d = _mm256_shuffle_epi32::<0b10_11_00_01>(opaque(_mm256_xor_si256(*d, *a)));
            *c = _mm256_add_epi64(*c, *d);
            *b = _mm256_shuffle_epi8(_mm256_xor_si256(*b, *c), k.r24);
            *a = _mm256_add_epi64(opaque(_mm256_add_epi64(*a, y)), *b);
            *d = _mm256_shuffle_epi8(_mm256_xor_si256(*d, *a), k.r16);
            *c = _mm256_add_epi64(*c, *d);
            // Rotate right by 63, i.e. left by 1: `(t + t) | (t >> 63)`.
            let t = _mm256_xor_si256(*b, *c);
            *b = _mm256_or_si256(_mm256_add_epi64(t, t), _mm256_srli_epi64::<63>(t));
        }
    }

    /// Move the diagonals into lanes: lane `j` gets `a[j - 1]`, `b[j]`, `c[j + 1]`,
    /// `d[j + 2]`. Row `b`, the last one G finishes, stays put.
    ///
    /// # Safety
    ///
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn diagonalize([a, _, c, d]: &mut [__m256i; 4]) {
        *a = _mm256_permute4x64_epi64::<0b10_01_00_11>(*a);
        *c = _mm256_permute4x64_epi64::<0b00_11_10_01>(*c);
        *d = _mm256_permute4x64_epi64::<0b01_00_11_10>(*d);
    }

    /// Undo [`diagonalize`].
    ///
    /// # Safety
    ///
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn undiagonalize([a, _, c, d]: &mut [__m256i; 4]) {
        *a = _mm256_permute4x64_epi64::<0b00_11_10_01>(*a);
        *c = _mm256_permute4x64_epi64::<0b10_01_00_11>(*c);
        *d = _mm256_permute4x64_epi64::<0b01_00_11_10>(*d);
    }

    /// One round with the message vectors `s`.
    ///
    /// # Safety
    ///
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn round(v: &mut [__m256i; 4], s: &Schedule, k: RotMasks) {
        // SAFETY: the caller guarantees AVX2, all these need.
        unsafe {
            g(v, &s[0], &s[1], k);
            diagonalize(v);
            g(v, &s[2], &s[3], k);
            undiagonalize(v);
        }
    }

    /// [`super::compress`] with AVX2.
    ///
    /// # Safety
    ///
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn compress(
        rounds: u32,
        h: &mut [u64; 8],
        m: &[u64; 16],
        t: [u64; 2],
        last_block: bool,
    ) {
        let schedules: [Schedule; 10] = core::array::from_fn(|i| schedule(m, &SIGMA[i]));
        let v0 = init_v(h, t, last_block);
        // SAFETY: the caller guarantees AVX2. The unaligned loads read `v0[4 * r..][..4]`
        // for `r < 4`, within the 16 words of `v0`; the unaligned loads and stores of `h`
        // touch `h[0..4]` and `h[4..8]`, within its 8 words, and `h` is borrowed mutably.
        unsafe {
            let k = RotMasks::new();
            let mut v: [__m256i; 4] =
                core::array::from_fn(|r| _mm256_loadu_si256(v0.as_ptr().add(4 * r).cast()));
            for _ in 0..rounds / 10 {
                for s in &schedules {
                    round(&mut v, s, k);
                }
            }
            // `rounds % 10 < 10`, so the slice is in bounds.
            for s in &schedules[..(rounds % 10) as usize] {
                round(&mut v, s, k);
            }
            let [a, b, c, d] = v;
            let lo = h.as_mut_ptr().cast::<__m256i>();
            let hi = h.as_mut_ptr().add(4).cast::<__m256i>();
            _mm256_storeu_si256(
                lo,
                _mm256_xor_si256(_mm256_loadu_si256(lo), _mm256_xor_si256(a, c)),
            );
            _mm256_storeu_si256(
                hi,
                _mm256_xor_si256(_mm256_loadu_si256(hi), _mm256_xor_si256(b, d)),
            );
        }
    }
}

/// `N` little-endian 64-bit words from `bytes` (which holds exactly `8 * N` bytes).
fn le_words<const N: usize>(bytes: &[u8]) -> [u64; N] {
    let mut words = [0u64; N];
    for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(chunk);
        *word = u64::from_le_bytes(buf);
    }
    words
}

fn blake2f(input: &[u8], gas_limit: u64) -> PrecompileResult {
    if input.len() != INPUT_LEN {
        return Err(PrecompileError::Failure("blake2f: input must be 213 bytes"));
    }
    let rounds = u32::from_be_bytes([input[0], input[1], input[2], input[3]]);
    let cost = u64::from(rounds);
    charge(cost, gas_limit)?;
    let last_block = match input[212] {
        0 => false,
        1 => true,
        _ => {
            return Err(PrecompileError::Failure(
                "blake2f: final block flag must be 0 or 1",
            ))
        }
    };
    let mut h: [u64; 8] = le_words(&input[4..68]);
    let m: [u64; 16] = le_words(&input[68..196]);
    let t: [u64; 2] = le_words(&input[196..212]);
    compress(rounds, &mut h, &m, t, last_block);
    let output: Vec<u8> = h.iter().flat_map(|word| word.to_le_bytes()).collect();
    Ok(PrecompileOutput::new(cost, output))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_primitives::hex;

    /// EIP-152 test vector input without the leading round count and the trailing flag: the
    /// state of BLAKE2b-512 hashing "abc".
    const BODY: [u8; 208] = hex!(
        "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
        "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
        "6162630000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "03000000000000000000000000000000"
    );

    fn input(rounds: u32, flag: u8) -> Vec<u8> {
        [&rounds.to_be_bytes()[..], &BODY, &[flag]].concat()
    }

    fn check(rounds: u32, flag: u8, expected: [u8; 64]) {
        let out = BLAKE2F(&input(rounds, flag), u64::from(rounds)).unwrap();
        assert_eq!(out.gas_used, u64::from(rounds));
        assert_eq!(out.output[..], expected);
    }

    #[test]
    fn eip152_invalid_vectors_0_to_3() {
        let failure = |r: PrecompileResult| assert!(matches!(r, Err(PrecompileError::Failure(_))));
        // 0: empty; 1: 212 bytes; 2: 214 bytes; 3: flag 2.
        failure(BLAKE2F(&[], 1_000));
        failure(BLAKE2F(&input(12, 1)[1..], 1_000));
        failure(BLAKE2F(&[&input(12, 1)[..], &[0]].concat(), 1_000));
        failure(BLAKE2F(&input(12, 2), 1_000));
    }

    #[test]
    fn eip152_vector_4_zero_rounds() {
        check(
            0,
            1,
            hex!(
                "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
                "d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b"
            ),
        );
    }

    #[test]
    fn eip152_vector_5_twelve_rounds() {
        check(
            12,
            1,
            hex!(
                "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
            ),
        );
    }

    #[test]
    fn eip152_vector_6_not_final() {
        check(
            12,
            0,
            hex!(
                "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d28752"
                "98743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735"
            ),
        );
    }

    #[test]
    fn eip152_vector_7_one_round() {
        check(
            1,
            1,
            hex!(
                "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fb"
                "a551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421"
            ),
        );
    }

    /// 2^32 - 1 rounds: minutes of CPU, so run it only on request (`--ignored`).
    #[test]
    #[ignore]
    fn eip152_vector_8_max_rounds() {
        check(
            u32::MAX,
            1,
            hex!(
                "fc59093aafa9ab43daae0e914c57635c5402d8e3d2130eb9b3cc181de7f0ecf9"
                "b22bf99a7815ce16419e200e01846e6b5df8cc7703041bbceb571de6631d2615"
            ),
        );
    }

    #[test]
    fn gas_is_checked_before_work() {
        // 2^32 - 1 rounds with too little gas fails at once instead of running.
        assert_eq!(
            BLAKE2F(&input(u32::MAX, 1), 1_000),
            Err(PrecompileError::OutOfGas)
        );
        assert_eq!(BLAKE2F(&input(12, 1), 11), Err(PrecompileError::OutOfGas));
    }

    /// Deterministic pseudo-random words (xorshift64).
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// 64 random-ish inputs, each at every interesting round count.
    fn random_cases() -> impl Iterator<Item = (u32, [u64; 8], [u64; 16], [u64; 2], bool)> {
        const ROUNDS: [u32; 10] = [0, 1, 2, 9, 10, 11, 12, 13, 100, 1000];
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        (0..64).flat_map(move |seed| {
            let h: [u64; 8] = core::array::from_fn(|_| rng.next());
            let m: [u64; 16] = core::array::from_fn(|_| rng.next());
            let t = [rng.next(), rng.next()];
            ROUNDS.map(|rounds| (rounds, h, m, t, seed % 2 == 0))
        })
    }

    #[test]
    fn dispatch_matches_portable_on_random_inputs() {
        for (rounds, h, m, t, last_block) in random_cases() {
            let mut expected = h;
            compress_portable(rounds, &mut expected, &m, t, last_block);
            let mut got = h;
            compress(rounds, &mut got, &m, t, last_block);
            assert_eq!(got, expected, "rounds {rounds}");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_matches_portable_on_random_inputs() {
        if !std::is_x86_feature_detected!("avx2") {
            eprintln!("no AVX2 on this CPU: skipped");
            return;
        }
        let mut checked = 0;
        for (rounds, h, m, t, last_block) in random_cases() {
            let mut expected = h;
            compress_portable(rounds, &mut expected, &m, t, last_block);
            let mut got = h;
            Kernel::Avx2.compress(rounds, &mut got, &m, t, last_block);
            assert_eq!(got, expected, "rounds {rounds}");
            checked += 1;
        }
        assert_eq!(checked, 640);
    }

    /// Rough speed of each path in ns per round (`cargo test --release -- --ignored
    /// --nocapture blake2_timing`); prints, asserts nothing. The best of several short runs
    /// is reported, as other load on the machine only ever makes a run slower.
    #[test]
    #[ignore]
    fn blake2_timing() {
        const ROUNDS: u32 = 10_000_000;
        const RUNS: usize = 15;
        let time = |name: &str, f: &dyn Fn(&mut [u64; 8])| {
            let mut h = IV;
            let mut ns: Vec<f64> = (0..RUNS)
                .map(|_| {
                    let start = std::time::Instant::now();
                    f(&mut h);
                    start.elapsed().as_nanos() as f64 / f64::from(ROUNDS)
                })
                .collect();
            ns.sort_by(f64::total_cmp);
            println!(
                "{name}: best {:.3} ns/round, median {:.3} (h[0] = {:016x})",
                ns[0],
                ns[RUNS / 2],
                h[0]
            );
        };
        let m: [u64; 16] = core::array::from_fn(|i| i as u64 * 0x0101_0101_0101_0101);
        for kernel in Kernel::available() {
            time(&format!("{kernel:?}"), &|h| {
                kernel.compress(ROUNDS, h, &m, [128, 0], true)
            });
        }
        println!("calibration chose {:?}", Kernel::fastest());
        time("compress (chosen)", &|h| {
            compress(ROUNDS, h, &m, [128, 0], true)
        });
    }
}
