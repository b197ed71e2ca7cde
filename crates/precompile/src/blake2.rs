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

/// The compression function F (RFC 7693 section 3.2) with `rounds` rounds.
pub fn compress(rounds: u32, h: &mut [u64; 8], m: &[u64; 16], t: [u64; 2], last_block: bool) {
    let mut v = [0u64; 16];
    v[..8].copy_from_slice(h);
    v[8..].copy_from_slice(&IV);
    v[12] ^= t[0];
    v[13] ^= t[1];
    if last_block {
        v[14] = !v[14];
    }
    for round in 0..rounds as usize {
        let s = &SIGMA[round % 10];
        // Columns, then diagonals.
        g(&mut v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        g(&mut v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        g(&mut v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        g(&mut v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        g(&mut v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        g(&mut v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        g(&mut v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        g(&mut v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for i in 0..8 {
        h[i] ^= v[i] ^ v[i + 8];
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
}
