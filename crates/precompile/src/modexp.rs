//! `0x05` MODEXP: `base ^ exp % modulus` on big integers (Byzantium, EIP-198; repriced in
//! Berlin by EIP-2565).
//!
//! Input: `len_B ‖ len_E ‖ len_M` (32-byte big-endian words) then `B ‖ E ‖ M`, all read as if
//! the input were followed by infinitely many zero bytes. The output is `len_M` bytes. The
//! lengths may be absurdly large: the gas is computed with saturating arithmetic, so such a
//! call runs out of gas before anything is allocated.

use crate::{
    charge, read_padded, PrecompileError, PrecompileFn, PrecompileOutput, PrecompileResult,
};

/// `0x05` MODEXP with EIP-198 pricing (Byzantium to Istanbul).
pub const BYZANTIUM: PrecompileFn = |input, gas_limit| run(input, gas_limit, byzantium_gas);
/// `0x05` MODEXP with EIP-2565 pricing (Berlin on).
pub const BERLIN: PrecompileFn = |input, gas_limit| run(input, gas_limit, berlin_gas);

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
        let head = u128::from(self.exp_head_bits.saturating_sub(1));
        let adjusted = if self.exp <= 32 {
            head
        } else {
            8 * u128::from(self.exp - 32) + head
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

fn run(input: &[u8], gas_limit: u64, gas: fn(&Lengths) -> u128) -> PrecompileResult {
    let lengths = Lengths::parse(input);
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
}
