//! `0x05` MODEXP: `base ^ exp % modulus` on big integers (Byzantium, EIP-198; repriced in
//! Berlin by EIP-2565; in Osaka, lengths capped by EIP-7823 and repriced by EIP-7883).
//!
//! Input: `len_B ‖ len_E ‖ len_M` (32-byte big-endian words) then `B ‖ E ‖ M`, all read as if
//! the input were followed by infinitely many zero bytes. The output is `len_M` bytes. The
//! lengths may be absurdly large: the gas is computed with saturating arithmetic, so such a
//! call runs out of gas before anything is allocated. From Osaka on, any of the three lengths
//! above [`OSAKA_MAX_LENGTH`] bytes is a failure (all the gas is consumed) whatever the gas
//! limit, checked before the price.

use crate::{
    charge, read_padded, PrecompileError, PrecompileFn, PrecompileOutput, PrecompileResult,
};

/// `0x05` MODEXP with EIP-198 pricing (Byzantium to Istanbul).
pub const BYZANTIUM: PrecompileFn = |input, gas_limit| run(input, gas_limit, byzantium_gas, None);
/// `0x05` MODEXP with EIP-2565 pricing (Berlin to Prague).
pub const BERLIN: PrecompileFn = |input, gas_limit| run(input, gas_limit, berlin_gas, None);
/// `0x05` MODEXP with the EIP-7823 length caps and EIP-7883 pricing (Osaka on).
pub const OSAKA: PrecompileFn =
    |input, gas_limit| run(input, gas_limit, osaka_gas, Some(OSAKA_MAX_LENGTH));

/// EIP-7823: the largest `len_B`, `len_E` or `len_M` accepted from Osaka on, in bytes.
pub const OSAKA_MAX_LENGTH: u64 = 1024;

/// The three length words and the exponent head that the price depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Lengths {
    /// Length of the base, saturated to `u64::MAX`.
    base: u64,
    /// Length of the exponent, saturated to `u64::MAX`.
    exp: u64,
    /// Length of the modulus, saturated to `u64::MAX`.
    modulus: u64,
    /// Bit length of the first `min(32, len_E)` bytes of the exponent read as an integer.
    exp_head_bits: u64,
}

/// A 32-byte big-endian length word as `u64`, saturating (any such length is unpayable).
fn read_length(input: &[u8], offset: usize) -> u64 {
    let word: [u8; 32] = read_padded(input, offset);
    if word[..24].iter().any(|&b| b != 0) {
        return u64::MAX;
    }
    let mut low = [0u8; 8];
    low.copy_from_slice(&word[24..]);
    u64::from_be_bytes(low)
}

/// `len` zero bytes. An allocation the system refuses (reachable only with an absurd gas
/// limit) is reported as out of gas rather than aborting the process.
fn zeros(len: usize) -> Result<Vec<u8>, PrecompileError> {
    let mut out = Vec::new();
    out.try_reserve_exact(len)
        .map_err(|_| PrecompileError::OutOfGas)?;
    out.resize(len, 0);
    Ok(out)
}

impl Lengths {
    fn parse(input: &[u8]) -> Lengths {
        let base = read_length(input, 0);
        let exp = read_length(input, 32);
        let modulus = read_length(input, 64);
        // The exponent starts at 96 + len_B; past the input (or past usize) it reads as zeros.
        let head_len = exp.min(32) as usize;
        let head = usize::try_from(base)
            .ok()
            .and_then(|b| b.checked_add(96))
            .and_then(|start| input.get(start..))
            .map(|rest| &rest[..rest.len().min(head_len)])
            .unwrap_or(&[]);
        // Bytes missing from `head` are trailing zeros of the head integer, so they count.
        let exp_head_bits = match head.iter().position(|&b| b != 0) {
            Some(i) => (head_len - i) as u64 * 8 - u64::from(head[i].leading_zeros()),
            None => 0,
        };
        Lengths {
            base,
            exp,
            modulus,
            exp_head_bits,
        }
    }

    /// EIP-198's adjusted exponent length, floored at 1 (the iteration count).
    fn iterations(&self) -> u128 {
        self.iterations_with(8)
    }

    /// The iteration count with `per_byte` iterations for each exponent byte past the first
    /// 32: 8 under EIP-198 and EIP-2565, 16 under EIP-7883.
    fn iterations_with(&self, per_byte: u128) -> u128 {
        let head = u128::from(self.exp_head_bits.saturating_sub(1));
        let adjusted = if self.exp <= 32 {
            head
        } else {
            // exp - 32 < 2^64 and per_byte <= 16: no overflow.
            per_byte * u128::from(self.exp - 32) + head
        };
        adjusted.max(1)
    }

    /// `max(len_B, len_M)`.
    fn max_len(&self) -> u128 {
        u128::from(self.base.max(self.modulus))
    }
}

/// EIP-198: `mult_complexity(max(len_B, len_M)) * max(adjusted_exp_len, 1) / 20`.
fn byzantium_gas(lengths: &Lengths) -> u128 {
    let x = lengths.max_len();
    // x < 2^64, so x * x < 2^128 and none of these overflow.
    let complexity = if x <= 64 {
        x * x
    } else if x <= 1024 {
        x * x / 4 + 96 * x - 3072
    } else {
        x * x / 16 + 480 * x - 199_680
    };
    complexity.saturating_mul(lengths.iterations()) / 20
}

/// EIP-2565: `max(200, ceil(max(len_B, len_M) / 8)^2 * max(adjusted_exp_len, 1) / 3)`.
fn berlin_gas(lengths: &Lengths) -> u128 {
    let words = lengths.max_len().div_ceil(8);
    let complexity = words * words;
    (complexity.saturating_mul(lengths.iterations()) / 3).max(200)
}

/// EIP-7883: `max(500, complexity * iterations)` where the multiplication complexity is 16 up
/// to 32 bytes and `2 * ceil(max(len_B, len_M) / 8)^2` above, and each exponent byte past the
/// first 32 counts 16 iterations. No division by 3 any more.
fn osaka_gas(lengths: &Lengths) -> u128 {
    let x = lengths.max_len();
    let complexity = if x <= 32 {
        16
    } else {
        let words = x.div_ceil(8);
        // x < 2^64, so 2 * words^2 < 2^127.
        2 * words * words
    };
    complexity
        .saturating_mul(lengths.iterations_with(16))
        .max(500)
}

/// Runs MODEXP priced by `gas`; with `max_length`, a longer `len_B`, `len_E` or `len_M` is a
/// failure (EIP-7823), decided before the price.
fn run(
    input: &[u8],
    gas_limit: u64,
    gas: fn(&Lengths) -> u128,
    max_length: Option<u64>,
) -> PrecompileResult {
    let lengths = Lengths::parse(input);
    if let Some(max) = max_length {
        if lengths.base > max || lengths.exp > max || lengths.modulus > max {
            return Err(PrecompileError::Failure(
                "modexp input length above 1024 bytes",
            ));
        }
    }
    // Priced in u128 (saturating), so a price beyond u64 is out of gas for any limit.
    let cost = u64::try_from(gas(&lengths)).map_err(|_| PrecompileError::OutOfGas)?;
    charge(cost, gas_limit)?;

    // The output is len_M bytes: nothing to compute without a modulus (this also covers
    // len_B == len_M == 0, where len_E may be anything since the price is zero).
    if lengths.modulus == 0 {
        return Ok(PrecompileOutput::new(cost, Vec::new()));
    }
    // Once paid for, len_M is small; failing to fit a usize means the gas cannot cover it.
    let mod_len = usize::try_from(lengths.modulus).map_err(|_| PrecompileError::OutOfGas)?;
    let mut output = zeros(mod_len)?;

    // The modulus starts at 96 + len_B + len_E. Whatever part of it lies past the input is
    // zero; if all of it does, or it is zero anyway, the result is zero.
    let mod_start = 96u64
        .saturating_add(lengths.base)
        .saturating_add(lengths.exp);
    let present = usize::try_from(mod_start)
        .ok()
        .and_then(|start| input.get(start..));
    let Some(present) = present.filter(|m| m[..m.len().min(mod_len)].iter().any(|&b| b != 0))
    else {
        return Ok(PrecompileOutput::new(cost, output));
    };
    // A non-zero modulus byte lies inside the input, so the base and the exponent, which
    // precede it, are entirely inside the input too: no padding needed for them.
    let mod_start = input.len() - present.len();
    let exp_start = mod_start - lengths.exp as usize;
    let (base, exp) = (&input[96..exp_start], &input[exp_start..mod_start]);
    let mut modulus = zeros(mod_len)?;
    let n = present.len().min(mod_len);
    modulus[..n].copy_from_slice(&present[..n]);

    // The result is below the modulus, so it fits in len_M bytes; left-pad it.
    let result = aurora_engine_modexp::modexp(base, exp, &modulus);
    let n = result.len().min(mod_len);
    output[mod_len - n..].copy_from_slice(&result[result.len() - n..]);
    Ok(PrecompileOutput::new(cost, output))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_primitives::hex;

    /// `len_B ‖ len_E ‖ len_M` as three 32-byte words.
    fn header(base: u64, exp: u64, modulus: u64) -> Vec<u8> {
        let mut out = Vec::new();
        for n in [base, exp, modulus] {
            out.extend_from_slice(&[0u8; 24]);
            out.extend_from_slice(&n.to_be_bytes());
        }
        out
    }

    const P_MINUS_1: [u8; 32] =
        hex!("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e");
    const P: [u8; 32] = hex!("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");

    #[test]
    fn eip198_fermat_example() {
        // EIP-198's example: 3 ^ (p - 1) % p == 1 for the secp256k1 field prime p (Fermat).
        let mut input = header(1, 32, 32);
        input.push(3);
        input.extend_from_slice(&P_MINUS_1);
        input.extend_from_slice(&P);
        let mut one = [0u8; 32];
        one[31] = 1;

        // EIP-198: complexity(32) = 1024, adjusted exponent length 255: 1024 * 255 / 20.
        let out = BYZANTIUM(&input, 13_056).unwrap();
        assert_eq!(out.gas_used, 13_056);
        assert_eq!(out.output[..], one);
        assert_eq!(BYZANTIUM(&input, 13_055), Err(PrecompileError::OutOfGas));

        // EIP-2565: 4 words squared = 16, * 255 / 3.
        let out = BERLIN(&input, 1_360).unwrap();
        assert_eq!(out.gas_used, 1_360);
        assert_eq!(out.output[..], one);
        assert_eq!(BERLIN(&input, 1_359), Err(PrecompileError::OutOfGas));
    }

    #[test]
    fn eip198_zero_base_example() {
        // len_B = 0: 0 ^ e % p == 0.
        let mut input = header(0, 32, 32);
        input.extend_from_slice(&P_MINUS_1);
        input.extend_from_slice(&P);
        let out = BYZANTIUM(&input, 20_000).unwrap();
        assert_eq!(out.gas_used, 13_056);
        assert_eq!(out.output[..], [0u8; 32]);
    }

    #[test]
    fn input_is_right_padded() {
        // B = 2, E = 3, M = 0x01?? with the second modulus byte missing: M = 0x0100.
        let mut input = header(1, 1, 2);
        input.extend_from_slice(&[2, 3, 1]);
        let out = BERLIN(&input, 200).unwrap();
        assert_eq!(out.gas_used, 200);
        assert_eq!(out.output[..], [0, 8]);
        // The whole modulus missing: M = 0, output is len_M zero bytes.
        let out = BERLIN(&input[..input.len() - 1], 200).unwrap();
        assert_eq!(out.output[..], [0, 0]);
        // Truncated header: the missing bytes are zeros, so every length is zero here...
        let out = BYZANTIUM(&[0u8; 40], 0).unwrap();
        assert_eq!((out.gas_used, out.output.len()), (0, 0));
        // ... and here len_B = 2^(8 * 29) (the 1 is followed by 29 padding zeros).
        assert_eq!(
            BYZANTIUM(&[0, 0, 1], u64::MAX),
            Err(PrecompileError::OutOfGas)
        );
    }

    #[test]
    fn empty_and_zero_length_modulus() {
        let out = BYZANTIUM(&[], 0).unwrap();
        assert_eq!((out.gas_used, out.output.len()), (0, 0));
        let out = BERLIN(&[], 200).unwrap();
        assert_eq!((out.gas_used, out.output.len()), (200, 0));
        assert_eq!(BERLIN(&[], 199), Err(PrecompileError::OutOfGas));
        // len_M = 0 with a base: empty output, priced by len_B.
        let mut input = header(64, 1, 0);
        input.extend_from_slice(&[0xff; 65]);
        let out = BERLIN(&input, 200).unwrap();
        assert_eq!((out.gas_used, out.output.len()), (200, 0));
    }

    #[test]
    fn long_exponent_pricing() {
        // len_E = 64, first 32 bytes of E = 1 (bit length 1): adjusted = 8 * 32 + 0 = 256.
        let mut input = header(1, 64, 1);
        input.push(5);
        input.extend_from_slice(&[0u8; 31]);
        input.push(1);
        input.extend_from_slice(&[0u8; 32]);
        input.push(7);
        assert_eq!(BYZANTIUM(&input, 100).unwrap().gas_used, 256 / 20);
        assert_eq!(BERLIN(&input, 1_000).unwrap().gas_used, 200);
        // 5 ^ (2^256) % 7: 5 has order 6 mod 7 and 2^256 % 6 == 4, so 5^4 % 7 == 2.
        assert_eq!(BERLIN(&input, 1_000).unwrap().output[..], [2]);
        // A 33-byte exponent whose head is zero: adjusted = 8 * 1 = 8.
        let lengths = Lengths::parse(&header(1, 33, 1));
        assert_eq!(lengths.iterations(), 8);
        // Exponent with len_E = 2 (< 32 bytes): E = 0x0100, bit length 9, adjusted 8.
        let mut input = header(0, 2, 0);
        input.extend_from_slice(&[1, 0]);
        assert_eq!(Lengths::parse(&input).iterations(), 8);
    }

    #[test]
    fn byzantium_complexity_pieces() {
        let gas = |len: u128| {
            let base = len as u64;
            byzantium_gas(&Lengths {
                base,
                exp: 1,
                modulus: 0,
                exp_head_bits: 2,
            })
        };
        // One iteration: complexity / 20.
        assert_eq!(gas(64), 64 * 64 / 20);
        assert_eq!(gas(65), (65 * 65 / 4 + 96 * 65 - 3072) / 20);
        assert_eq!(gas(1024), (1024 * 1024 / 4 + 96 * 1024 - 3072) / 20);
        assert_eq!(gas(1025), (1025 * 1025 / 16 + 480 * 1025 - 199_680) / 20);
    }

    #[test]
    fn huge_lengths_do_not_panic() {
        let max = [0xffu8; 32];
        // Huge len_B, len_M or len_E (with a modulus): out of gas for any gas limit...
        for word in 0..3 {
            let mut input = header(1, 1, 1);
            input[word * 32..word * 32 + 32].copy_from_slice(&max);
            input.extend_from_slice(&[3, 3, 3]);
            assert_eq!(
                BERLIN(&input, u64::MAX),
                Err(PrecompileError::OutOfGas),
                "{word}"
            );
            if word != 1 {
                assert_eq!(
                    BYZANTIUM(&input, u64::MAX),
                    Err(PrecompileError::OutOfGas),
                    "{word}"
                );
            }
        }
        // ... except len_E = 2^64 - 1 (saturated) under EIP-198 with len_B = len_M = 1, which
        // costs (8 * (2^64 - 1 - 32) + 249) / 20 < 2^64: the modulus then lies past the input,
        // so it is zero and so is the result.
        let mut input = header(1, 1, 1);
        input[32..64].copy_from_slice(&max);
        input.extend_from_slice(&[3, 3, 3]);
        let cost = ((8 * (u128::from(u64::MAX) - 32) + 249) / 20) as u64;
        let out = BYZANTIUM(&input, u64::MAX).unwrap();
        assert_eq!((out.gas_used, &out.output[..]), (cost, &[0u8][..]));
        assert_eq!(BYZANTIUM(&input, cost - 1), Err(PrecompileError::OutOfGas));
        // Lengths just past u64 also saturate.
        let mut input = header(0, 0, 0);
        input[64 + 23] = 1;
        assert_eq!(BERLIN(&input, u64::MAX), Err(PrecompileError::OutOfGas));
        // Huge len_E with len_B = len_M = 0 is free (EIP-198) or 200 (EIP-2565), empty.
        let mut input = header(0, 0, 0);
        input[32..64].copy_from_slice(&max);
        let out = BYZANTIUM(&input, 0).unwrap();
        assert_eq!((out.gas_used, out.output.len()), (0, 0));
        let out = BERLIN(&input, 200).unwrap();
        assert_eq!((out.gas_used, out.output.len()), (200, 0));
        // A large but u64-sized modulus with a gas limit that cannot cover it.
        let input = header(0, 0, 1 << 40);
        assert_eq!(BERLIN(&input, 30_000_000), Err(PrecompileError::OutOfGas));
    }

    /// The EIP-7883 price of `len_B`, `len_E`, `len_M` and the exponent head `head_bits` long.
    fn osaka_price(base: u64, exp: u64, modulus: u64, exp_head_bits: u64) -> u128 {
        osaka_gas(&Lengths {
            base,
            exp,
            modulus,
            exp_head_bits,
        })
    }

    #[test]
    fn eip7883_pricing() {
        // Each value below was also computed with the Osaka spec's `modexp.gas_cost`.
        // Empty input: the 500 floor (200 under EIP-2565).
        let out = OSAKA(&[], 500).unwrap();
        assert_eq!((out.gas_used, out.output.len()), (500, 0));
        assert_eq!(OSAKA(&[], 499), Err(PrecompileError::OutOfGas));
        // EIP-198's Fermat example: complexity 16 (32 bytes), 255 iterations, no division.
        let mut input = header(1, 32, 32);
        input.push(3);
        input.extend_from_slice(&P_MINUS_1);
        input.extend_from_slice(&P);
        let out = OSAKA(&input, 4_080).unwrap();
        assert_eq!(out.gas_used, 4_080);
        assert_eq!(out.output[..31], [0u8; 31]);
        assert_eq!(out.output[31], 1);
        assert_eq!(OSAKA(&input, 4_079), Err(PrecompileError::OutOfGas));
        assert_eq!(BERLIN(&input, 10_000).unwrap().gas_used, 1_360);
        // Complexity 16 up to 32 bytes, then 2 * words^2: 33 bytes are 5 words, 50.
        assert_eq!(osaka_price(32, 1, 32, 9), 500); // 16 * 8 = 128, floored
        assert_eq!(osaka_price(32, 3, 32, 21), 500); // 16 * 20 = 320, floored
        assert_eq!(osaka_price(32, 5, 32, 33), 16 * 32);
        assert_eq!(osaka_price(33, 3, 1, 21), 50 * 20);
        assert_eq!(osaka_price(1, 3, 33, 21), 50 * 20);
        assert_eq!(osaka_price(64, 3, 64, 17), 2 * 8 * 8 * 16);
        assert_eq!(osaka_price(1024, 3, 1024, 17), 2 * 128 * 128 * 16);
        // 16 iterations per exponent byte past 32 (8 under EIP-2565).
        assert_eq!(osaka_price(1, 64, 1, 1), 16 * (16 * 32));
        assert_eq!(osaka_price(1, 33, 1, 0), 500);
        assert_eq!(osaka_price(1, 40, 1, 256), 16 * (16 * 8 + 255));
        // The most expensive input EIP-7823 allows.
        assert_eq!(
            osaka_price(1024, 1024, 1024, 256),
            2 * 128 * 128 * (16 * 992 + 255)
        );
        assert_eq!(osaka_price(1024, 1024, 1024, 256), 528_449_536);
    }

    #[test]
    fn eip7883_nagydani_vectors() {
        // Inputs and outputs from the nagydani set (execution-spec-tests' EIP-7883 vectors);
        // the prices are the final EIP-7883 ones, as given by the Osaka spec.
        const BASE: &str = "e09ad9675465c53a109fac66a445c91b292d2bb2c5268addb30cd82f80fcb0033ff97c80a5fc6f39193ae969c6ede6710a6b7ac27078a06d90ef1c72e5c85fb5";
        const MODULUS: &str = "fc9e1f6beb81516545975218075ec2af118cd8798df6e08a147c60fd6095ac2bb02c2908cf4dd7c81f11c289e4bce98f3553768f392a80ce22bf5c4f4a248c6b";
        let cases = [
            // nagydani-1-square: 64-byte base and modulus, E = 2: 2 * 8^2 * 1 = 128 < 500.
            (&[2u8][..], 500, "60008f1614cc01dcfb6bfb09c625cf90b47d4468db81b5f8b7a39d42f332eab9b2da8f2d95311648a8f243f4bb13cfb3d8f7f2a3c014122ebb3ed41b02783adc"),
            // nagydani-1-pow0x10001: 2 * 8^2 * 16 = 2048 (8^2 * 16 / 3 = 341 under EIP-2565).
            (&[1, 0, 1][..], 2_048, "c36d804180c35d4426b57b50c5bfcca5c01856d104564cd513b461d3c8b8409128a5573e416d0ebe38f5f736766d9dc27143e4da981dfa4d67f7dc474cbee6d2"),
        ];
        for (exp, gas, expected) in cases {
            let mut input = header(64, exp.len() as u64, 64);
            input.extend_from_slice(&hex::decode(BASE).unwrap());
            input.extend_from_slice(exp);
            input.extend_from_slice(&hex::decode(MODULUS).unwrap());
            let out = OSAKA(&input, gas).unwrap();
            assert_eq!(out.gas_used, gas);
            assert_eq!(out.output[..], hex::decode(expected).unwrap()[..]);
            assert_eq!(OSAKA(&input, gas - 1), Err(PrecompileError::OutOfGas));
            assert_eq!(BERLIN(&input, u64::MAX).unwrap().output, out.output);
        }
        let mut input = header(64, 3, 64);
        input.extend_from_slice(&hex::decode(BASE).unwrap());
        input.extend_from_slice(&[1, 0, 1]);
        assert_eq!(BERLIN(&input, u64::MAX).unwrap().gas_used, 341);
        // geth-fail-length: E = 0 in 34 bytes, M = 2 in 33 bytes, 0^0 % 2 = 1; the price is
        // 2 * 5^2 * (16 * 2) = 1600 (200 under EIP-2565).
        let mut input = header(0, 34, 33);
        input.extend_from_slice(&[0u8; 34 + 32]);
        input.push(2);
        assert_eq!(input.len(), 163);
        assert_eq!(BERLIN(&input, u64::MAX).unwrap().gas_used, 200);
        let out = OSAKA(&input, 1_600).unwrap();
        assert_eq!(out.gas_used, 1_600);
        assert_eq!(out.output.len(), 33);
        assert_eq!(out.output[32], 1);
    }

    /// `(gas, input, output)` from the Osaka spec's `modexp` on random inputs (a differential
    /// run over 400 such inputs and 3000 prices agreed; these are a sample).
    const OSAKA_SPEC_VECTORS: &[(u64, &str, &str)] = &[
    // random #107: len_B = 0, len_E = 0, len_M = 0, 14 input bytes.
    (
        500,
        "0000000000000000000000000000",
        "",
    ),
    // random #198: len_B = 40, len_E = 2, len_M = 7, 145 input bytes.
    (
        750,
        "0000000000000000000000000000000000000000000000000000000000000028000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000076bd9f45df79f97775bcb859b3d53ba544d186e37c31bfa5f7895a0245c1788de004fa3997f99e0efced41dc2b4d7605d87",
        "0b5e5b96f530ee",
    ),
    // random #257: len_B = 58, len_E = 1, len_M = 63, 218 input bytes.
    (
        896,
        "000000000000000000000000000000000000000000000000000000000000003a0000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000003f13e3cb86e09ed5ac1ede347c1e7a9b04eba2089b83e4a690dfe620cdfa23e159a0c2a042585f9d9ceddfc5c96135fac6111efaba89a4469c6383f7000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    ),
    // random #302: len_B = 100, len_E = 1, len_M = 8, 204 input bytes.
    (
        1352,
        "0000000000000000000000000000000000000000000000000000000000000064000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000080000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008418be63ed333f1afb",
        "12bbe466e8582200",
    ),
    // random #261: len_B = 63, len_E = 33, len_M = 2, 154 input bytes.
    (
        2048,
        "000000000000000000000000000000000000000000000000000000000000003f000000000000000000000000000000000000000000000000000000000000002100000000000000000000000000000000000000000000000000000000000000022aeb44859813d2a5194a55e71833f62846aa510e4e5fa9ff6f8978f5bd1fdf91b7b09e0b59a38142fefd5a41760b715d39bef14b2fa616cb723d",
        "0000",
    ),
    // random #308: len_B = 65, len_E = 33, len_M = 64, 258 input bytes.
    (
        2592,
        "00000000000000000000000000000000000000000000000000000000000000410000000000000000000000000000000000000000000000000000000000000021000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000d17273666fd31efe83452cc4325b39fcacb1d38bc97cd42b1de5e8205b607b03de5ba84b8c532c9a082c612e1e7ae2a0d48c009cbd0355bd716a3e450d940b15aa",
        "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    ),
    // random #55: len_B = 7, len_E = 7, len_M = 143, 253 input bytes.
    (
        3240,
        "00000000000000000000000000000000000000000000000000000000000000070000000000000000000000000000000000000000000000000000000000000007000000000000000000000000000000000000000000000000000000000000008f157149cd4cc78d0000000000002b317486c1402fc5a1e1138b2a802a1390209b10460e5713a511171a80736ab3fee04598f0b287aba39d97cbc28875a925d5eb7ea9f70d65cb86f2679b2b45e2431858b9f9f8057328c05e5116613417d123dc9022e9723e08cd6571d15f29bbd4e97acdc4fb3508298939031c95199026b26bc8da2082212a1c9237fd21eb55a03d9dc4566554522253e28ba4bc5d74",
        "0fb88d9f17463f4838a810e9b75d5ee80bafc80e30f4530b205c2afa9cce56aafd780a220b5de1aa784f1bba779d4ec4ef37fdbff429fff9cc2e5d1b0dfd9af9624e6fcdd6d439dbca4ac2d6099f97e2313b7509e9d34bc9e2dceefee1bcc56d56b06ff635b9f1499b2da8861eca2c497fc70811ced07240a3f9ff0967fe3cc3d0add253bffd8605937fd394a18c9d",
    ),
    // random #239: len_B = 9, len_E = 32, len_M = 7, 144 input bytes.
    (
        4080,
        "00000000000000000000000000000000000000000000000000000000000000090000000000000000000000000000000000000000000000000000000000000020000000000000000000000000000000000000000000000000000000000000000700000000000000000085a10f88a59bc15f9d2d7c35e100e6e84c00b9145f6d4fca809f8313eccebc5600000000000000",
        "00000000000000",
    ),
    // random #340: len_B = 2, len_E = 33, len_M = 8, 139 input bytes.
    (
        4320,
        "0000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000002100000000000000000000000000000000000000000000000000000000000000087286593ecf3971889b3afd6e1bf64f3eb716823d52dc7a0cd3bd98786d3887274c924d2ccdb69bedb2e117",
        "2bccf3dcd5ce4eb4",
    ),
    // random #390: len_B = 7, len_E = 34, len_M = 9, 106 input bytes.
    (
        4592,
        "00000000000000000000000000000000000000000000000000000000000000070000000000000000000000000000000000000000000000000000000000000022000000000000000000000000000000000000000000000000000000000000000900000000000000a1d942",
        "000000000000000000",
    ),
    // random #6: len_B = 112, len_E = 33, len_M = 0, 241 input bytes.
    (
        6272,
        "000000000000000000000000000000000000000000000000000000000000007000000000000000000000000000000000000000000000000000000000000000210000000000000000000000000000000000000000000000000000000000000000dac37165c7624a6f1e24de25fdc9ff8245ebb5a3c5a4aba7e58086a898329a33d12c43c9d682ad49b112471e2c15399ff3d886660fc18df6e0f368de826dd9165195165aec8db15ca42b9ab4b96baf88219187a52c1acf951da655be1d9ff32f0804cad170d757d2e561b0fc88dc72850000000000000000000000000000000000000000000000000000000000000000b6",
        "",
    ),
    // random #316: len_B = 64, len_E = 7, len_M = 37, 199 input bytes.
    (
        7040,
        "000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000000000000000000000000000000000000000070000000000000000000000000000000000000000000000000000000000000025d20fee5b75ed6d4f68b7bf374921bcc98b5f81bbf32349866f1d6d72c30cd7d19f7e3397cffa3fd451ae7f5236e48fe1e1760eddc561362f97b10d55df301704cb0590e6cf20d9cc5857570d68f3d772642b6d4e74dce4041d05542d9b2974aab45d81d0106ab9",
        "1809ba261927d052ae98a2793ccf0b58ca30d9cd48f9df564048b5736818544c0000000000",
    ),
    // random #128: len_B = 0, len_E = 64, len_M = 9, 168 input bytes.
    (
        8192,
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000000000000000000000000000000000000000090000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006d121ec0e4a17632a5",
        "000000000000000000",
    ),
    // random #251: len_B = 2, len_E = 64, len_M = 9, 142 input bytes.
    (
        12272,
        "000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000400000000000000000000000000000000000000000000000000000000000000009004fc00bc1e411758490b286f7319126d505b65d05581bcaa6e1ef63665470fdadce195248427c661960d7d97b86",
        "000000000000000000",
    ),
    // random #273: len_B = 1, len_E = 65, len_M = 9, 171 input bytes.
    (
        12528,
        "00000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000041000000000000000000000000000000000000000000000000000000000000000946f23701179e55ae6c1c13f167ba7e7bfa32f346506f4077671ba50cf2076f80ca1fbf54e75800570ccfe45c7a33cfb5920138e349e5418fcd80157671839d7f9228f9c8f9f2dbf1adc84d",
        "6ffa08da21f7015584",
    ),
    // random #227: len_B = 93, len_E = 7, len_M = 32, 228 input bytes.
    (
        15840,
        "000000000000000000000000000000000000000000000000000000000000005d00000000000000000000000000000000000000000000000000000000000000070000000000000000000000000000000000000000000000000000000000000020159c3f0067b716323ad20d7912a2ab644ba90ae5428b93614fa8cc1dac5fe9184caeec6ffdcafd7d8fd2316473654e8a7e76b63667363889b9924d6e571b50e51bdeba38f620935f2f26f34b069d9989fdda89de597b849d63db080880ddd5c52c8661b600000000000000000000000000000000000000000000000000000000000000cd",
        "0000000000000000000000000000000000000000000000000000000000000072",
    ),
    // random #249: len_B = 128, len_E = 9, len_M = 33, 265 input bytes.
    (
        35840,
        "000000000000000000000000000000000000000000000000000000000000008000000000000000000000000000000000000000000000000000000000000000090000000000000000000000000000000000000000000000000000000000000021000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000054fb92d6099f063bb90000000000000000000000000000000000000000000000000000000000000000",
        "000000000000000000000000000000000000000000000000000000000000000000",
    ),
    // random #5: len_B = 8, len_E = 63, len_M = 40, 202 input bytes.
    (
        37550,
        "0000000000000000000000000000000000000000000000000000000000000008000000000000000000000000000000000000000000000000000000000000003f0000000000000000000000000000000000000000000000000000000000000028a24a75b19cb12631d3033bdaa2bba93f3e078992929f2c5a77bbc5f5992abbec94a55930d310e3b20dbebcf2258c6b081673764c1d8e32c2a64b5c5c0dc7e206fa3526a595dda03c93d1569c0839ea4848ec77bcec88096dacfd98461673fbdd68e735d93653c5d60265",
        "054cfb681f676018b989d8496ee0c6849bf4a2040c858828f6968a8ff19cd834f6dd18834469fe01",
    ),
    // random #269: len_B = 1, len_E = 33, len_M = 101, 231 input bytes.
    (
        90584,
        "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000210000000000000000000000000000000000000000000000000000000000000065001d321f76c8a0cf6d034eaf1499b8a3817d77ed26c1d80232d0df7b178f9a31227df0e9fcc68cdb6bfba7436a75480c9e49930aedb191c5b047be414800dad1d788daf39149b0f7c8437fca6dc7387ac6fa795f7e26d66280fa94266ca9ed41fab45449fa60b725fa1a6b16dd063dbec3b31f06f7d1c33ddeecdcb986b13f9d2a1e2190a1b65a",
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    ),
    // random #295: len_B = 31, len_E = 7, len_M = 275, 209 input bytes.
    (
        132300,
        "000000000000000000000000000000000000000000000000000000000000001f00000000000000000000000000000000000000000000000000000000000000070000000000000000000000000000000000000000000000000000000000000113e442e3e444bf70fd1b7a73219a7aa44a64cc06e64387b9d95fdb4a5f044bbf6d35b546f67700000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    ),
    // random #336: len_B = 128, len_E = 64, len_M = 0, 287 input bytes.
    (
        262144,
        "00000000000000000000000000000000000000000000000000000000000000800000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000000060f4354c9845f5829db7dfe7390279b6f9f17538e3bddb9699a83e0c828a3e91de285b04d039223dda6f7e4e10eb1d0686595cf9562b21417ff451dbd015d1c4f27e9bd4f8b2e7b24ee8c484aa5370baaff8d5a5d54b47e9f268bb151ec0a90970160aefd48f93b9db75135ca521c35cf5d43184ba512c088fd70a84af8502a4000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "",
    ),
    // random #375: len_B = 203, len_E = 128, len_M = 7, 234 input bytes.
    (
        2076672,
        "00000000000000000000000000000000000000000000000000000000000000cb0000000000000000000000000000000000000000000000000000000000000080000000000000000000000000000000000000000000000000000000000000000714f4837fb7916a6daa3ef69a715d8d6d5872e8cfff06524841aa9567fe48b2d036e3ecb91e2a97fe695858e62217bac7d97fd8dceafd7b58c24b20fbc5fe0d5214e3352d50c012236488c261ed872c566fc3624c182390e175068a2fb584e3be5e1282f47305daf92efb1f14a2c4883d4c5f7c94a6acc93e2b90591fcf495dfb781f376a1e2e68eb9c84",
        "00000000000000",
    ),
    ];

    #[test]
    fn osaka_matches_spec_sample() {
        for &(gas, input, output) in OSAKA_SPEC_VECTORS {
            let input = hex::decode(input).unwrap();
            let out = OSAKA(&input, gas).unwrap();
            assert_eq!(out.gas_used, gas, "{input:x?}");
            assert_eq!(
                out.output[..],
                hex::decode(output).unwrap()[..],
                "{input:x?}"
            );
            assert_eq!(OSAKA(&input, gas - 1), Err(PrecompileError::OutOfGas));
        }
    }

    #[test]
    fn eip7823_length_caps() {
        let fail = Err(PrecompileError::Failure(
            "modexp input length above 1024 bytes",
        ));
        // 1024 is allowed for each length, 1025 is not, whatever the gas limit, and even
        // where the price would be small (len_E alone, with len_B = len_M = 0).
        for (b, e, m) in [(1025, 1, 1), (1, 1025, 1), (1, 1, 1025), (0, 1025, 0)] {
            let mut input = header(b, e, m);
            input.extend_from_slice(&[3, 3, 3]);
            assert_eq!(OSAKA(&input, u64::MAX), fail, "{b} {e} {m}");
            assert_eq!(OSAKA(&input, 0), fail, "{b} {e} {m}");
            // Before Osaka the same input is priced as usual.
            assert!(BERLIN(&input, u64::MAX).is_ok(), "{b} {e} {m}");
        }
        // Lengths beyond u64 (saturated) are over the cap too.
        let mut input = header(0, 0, 0);
        input[0] = 1;
        assert_eq!(OSAKA(&input, u64::MAX), fail);
        let mut input = header(0, 0, 0);
        input[32..64].fill(0xff);
        assert_eq!(OSAKA(&input, u64::MAX), fail);
        // All three at 1024 with the data missing: priced as such, zero output.
        let input = header(1024, 1024, 1024);
        let out = OSAKA(&input, u64::MAX).unwrap();
        // The exponent head is missing (zero): 2 * 128^2 * 16 * 992.
        assert_eq!(out.gas_used, 2 * 128 * 128 * 16 * 992);
        assert_eq!(out.output[..], [0u8; 1024]);
        // A full-size computation at the cap works.
        let mut input = header(1024, 1024, 1024);
        input.extend(std::iter::repeat_n(0xa5, 1024));
        input.extend(std::iter::repeat_n(0xff, 1024));
        input.extend(std::iter::repeat_n(0x5a, 1024));
        let out = OSAKA(&input, u64::MAX).unwrap();
        assert_eq!(out.gas_used, 528_449_536);
        assert_eq!(out.output.len(), 1024);
    }
}
