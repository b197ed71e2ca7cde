//! `0x06`–`0x08`: arithmetic and pairing checks on the BN254 (alt_bn128) curve (Byzantium,
//! EIP-196 and EIP-197; repriced in Istanbul by EIP-1108).
//!
//! A G1 point is `x ‖ y` (two 32-byte big-endian field elements); a G2 point is
//! `x_im ‖ x_re ‖ y_im ‖ y_re`. The point at infinity is all zeros. Coordinates at or above
//! the field modulus, points off the curve, and G2 points outside the prime-order subgroup
//! are failures.

use crate::{
    charge, read_padded, PrecompileError, PrecompileFn, PrecompileOutput, PrecompileResult,
};
use ark_ec::pairing::Pairing;
use ark_ec::AffineRepr;
use ark_ff::{BigInt, One, PrimeField, Zero};
use substrate_bn::{AffineG1, Fq, Fr, Group, G1};

/// `0x06` point addition at 500 gas (Byzantium).
pub const ADD_BYZANTIUM: PrecompileFn = |input, gas_limit| add(input, gas_limit, 500);
/// `0x06` point addition at 150 gas (Istanbul on, EIP-1108).
pub const ADD_ISTANBUL: PrecompileFn = |input, gas_limit| add(input, gas_limit, 150);
/// `0x07` scalar multiplication at 40000 gas (Byzantium).
pub const MUL_BYZANTIUM: PrecompileFn = |input, gas_limit| mul(input, gas_limit, 40_000);
/// `0x07` scalar multiplication at 6000 gas (Istanbul on, EIP-1108).
pub const MUL_ISTANBUL: PrecompileFn = |input, gas_limit| mul(input, gas_limit, 6_000);
/// `0x08` pairing check at 100000 + 80000 per pair (Byzantium).
pub const PAIRING_BYZANTIUM: PrecompileFn =
    |input, gas_limit| pairing(input, gas_limit, 100_000, 80_000);
/// `0x08` pairing check at 45000 + 34000 per pair (Istanbul on, EIP-1108).
pub const PAIRING_ISTANBUL: PrecompileFn =
    |input, gas_limit| pairing(input, gas_limit, 45_000, 34_000);

/// Bytes of one pairing input: a G1 point and a G2 point.
const PAIR_LEN: usize = 192;

/// A field element from 32 big-endian bytes, rejecting values at or above the modulus.
fn read_fq(bytes: &[u8]) -> Result<Fq, PrecompileError> {
    Fq::from_slice(bytes).map_err(|_| PrecompileError::Failure("bn254: invalid field element"))
}

/// A G1 point from 64 bytes.
fn read_g1(bytes: &[u8]) -> Result<G1, PrecompileError> {
    let x = read_fq(&bytes[..32])?;
    let y = read_fq(&bytes[32..64])?;
    if x.is_zero() && y.is_zero() {
        return Ok(G1::zero());
    }
    AffineG1::new(x, y)
        .map(G1::from)
        .map_err(|_| PrecompileError::Failure("bn254: G1 point not on the curve"))
}

/// The 64-byte encoding of a G1 point (all zeros for infinity).
fn encode_g1(point: G1) -> Result<Vec<u8>, PrecompileError> {
    let mut out = vec![0u8; 64];
    if let Some(affine) = AffineG1::from_jacobian(point) {
        let encode_err = |_| PrecompileError::Failure("bn254: encoding");
        affine
            .x()
            .to_big_endian(&mut out[..32])
            .map_err(encode_err)?;
        affine
            .y()
            .to_big_endian(&mut out[32..])
            .map_err(encode_err)?;
    }
    Ok(out)
}

fn add(input: &[u8], gas_limit: u64, cost: u64) -> PrecompileResult {
    charge(cost, gas_limit)?;
    let input: [u8; 128] = read_padded(input, 0);
    let sum = read_g1(&input[..64])? + read_g1(&input[64..])?;
    Ok(PrecompileOutput::new(cost, encode_g1(sum)?))
}

fn mul(input: &[u8], gas_limit: u64, cost: u64) -> PrecompileResult {
    charge(cost, gas_limit)?;
    let input: [u8; 96] = read_padded(input, 0);
    let point = read_g1(&input[..64])?;
    // Any 256-bit scalar is allowed; the group has order r, so reducing it mod r is exact.
    let scalar = Fr::from_slice(&input[64..])
        .map_err(|_| PrecompileError::Failure("bn254: invalid scalar"))?;
    Ok(PrecompileOutput::new(cost, encode_g1(point * scalar)?))
}

/// A base-field element for the pairing (arkworks) from 32 big-endian bytes, rejecting values
/// at or above the modulus.
fn ark_fq(bytes: &[u8]) -> Result<ark_bn254::Fq, PrecompileError> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let end = 32 - 8 * i;
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[end - 8..end]);
        *limb = u64::from_be_bytes(word);
    }
    ark_bn254::Fq::from_bigint(BigInt::new(limbs))
        .ok_or(PrecompileError::Failure("bn254: invalid field element"))
}

/// A G1 point for the pairing from 64 bytes: on the curve (G1 has cofactor 1), or the point
/// at infinity (all zeros).
fn ark_g1(bytes: &[u8]) -> Result<ark_bn254::G1Affine, PrecompileError> {
    let x = ark_fq(&bytes[..32])?;
    let y = ark_fq(&bytes[32..64])?;
    if x.is_zero() && y.is_zero() {
        return Ok(ark_bn254::G1Affine::zero());
    }
    let point = ark_bn254::G1Affine::new_unchecked(x, y);
    if !point.is_on_curve() {
        return Err(PrecompileError::Failure("bn254: G1 point not on the curve"));
    }
    Ok(point)
}

/// A G2 point for the pairing from 128 bytes (imaginary parts first): on the curve and in
/// the prime-order subgroup, or the point at infinity (all zeros).
fn ark_g2(bytes: &[u8]) -> Result<ark_bn254::G2Affine, PrecompileError> {
    let x = ark_bn254::Fq2::new(ark_fq(&bytes[32..64])?, ark_fq(&bytes[..32])?);
    let y = ark_bn254::Fq2::new(ark_fq(&bytes[96..128])?, ark_fq(&bytes[64..96])?);
    if x.is_zero() && y.is_zero() {
        return Ok(ark_bn254::G2Affine::zero());
    }
    let point = ark_bn254::G2Affine::new_unchecked(x, y);
    if !point.is_on_curve() || !point.is_in_correct_subgroup_assuming_on_curve() {
        return Err(PrecompileError::Failure(
            "bn254: G2 point not on the curve or subgroup",
        ));
    }
    Ok(point)
}

fn pairing(input: &[u8], gas_limit: u64, base: u64, per_pair: u64) -> PrecompileResult {
    let pairs = (input.len() / PAIR_LEN) as u64;
    let cost = base.saturating_add(per_pair.saturating_mul(pairs));
    charge(cost, gas_limit)?;
    if !input.len().is_multiple_of(PAIR_LEN) {
        return Err(PrecompileError::Failure(
            "bn254: pairing input not a multiple of 192 bytes",
        ));
    }
    let mut g1s = Vec::with_capacity(pairs as usize);
    let mut g2s = Vec::with_capacity(pairs as usize);
    for pair in input.chunks_exact(PAIR_LEN) {
        let g1 = ark_g1(&pair[..64])?;
        let g2 = ark_g2(&pair[64..])?;
        // A pair with a point at infinity contributes 1; an empty product is 1.
        if !g1.is_zero() && !g2.is_zero() {
            g1s.push(g1);
            g2s.push(g2);
        }
    }
    let holds = ark_bn254::Bn254::multi_pairing(g1s, g2s).0.is_one();
    let mut output = vec![0u8; 32];
    output[31] = u8::from(holds);
    Ok(PrecompileOutput::new(cost, output))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_primitives::hex;
    use substrate_bn::{AffineG2, Fq2, G2};

    const G1_GEN: [u8; 64] = hex!(
        "0000000000000000000000000000000000000000000000000000000000000001"
        "0000000000000000000000000000000000000000000000000000000000000002"
    );
    const G1_NEG: [u8; 64] = hex!(
        "0000000000000000000000000000000000000000000000000000000000000001"
        "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45"
    );
    const G1_DOUBLE: [u8; 64] = hex!(
        "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
        "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"
    );
    const G1_TIMES_9: [u8; 64] = hex!(
        "039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869"
        "073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98"
    );
    const G2_GEN: [u8; 128] = hex!(
        "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
        "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
        "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
        "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
    );
    const FIELD_MODULUS: [u8; 32] =
        hex!("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47");
    const GROUP_ORDER: [u8; 32] =
        hex!("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    fn failure(result: PrecompileResult) {
        assert!(
            matches!(result, Err(PrecompileError::Failure(_))),
            "{result:?}"
        );
    }

    #[test]
    fn add_generator_twice() {
        let input = cat(&[&G1_GEN, &G1_GEN]);
        let out = ADD_ISTANBUL(&input, 150).unwrap();
        assert_eq!(out.gas_used, 150);
        assert_eq!(out.output[..], G1_DOUBLE);
        assert_eq!(ADD_BYZANTIUM(&input, 500).unwrap().gas_used, 500);
        assert_eq!(ADD_BYZANTIUM(&input, 499), Err(PrecompileError::OutOfGas));
        assert_eq!(ADD_ISTANBUL(&input, 149), Err(PrecompileError::OutOfGas));
    }

    #[test]
    fn add_padding_and_infinity() {
        // Empty input: infinity + infinity = infinity.
        assert_eq!(ADD_ISTANBUL(&[], 150).unwrap().output[..], [0u8; 64]);
        // G + (padded) infinity = G; G + -G = infinity.
        assert_eq!(ADD_ISTANBUL(&G1_GEN, 150).unwrap().output[..], G1_GEN);
        let out = ADD_ISTANBUL(&cat(&[&G1_GEN, &G1_NEG]), 150).unwrap();
        assert_eq!(out.output[..], [0u8; 64]);
    }

    #[test]
    fn add_rejects_invalid_points() {
        // (1, 3) is not on y^2 = x^3 + 3.
        let mut bad = G1_GEN;
        bad[63] = 3;
        failure(ADD_ISTANBUL(&cat(&[&G1_GEN, &bad]), 150));
        // x = p (not reduced) is rejected even though p ≡ 0.
        let mut big = [0u8; 64];
        big[..32].copy_from_slice(&FIELD_MODULUS);
        failure(ADD_ISTANBUL(&big, 150));
        failure(ADD_ISTANBUL(&[0xff; 128], 150));
    }

    #[test]
    fn mul_vectors() {
        let mut nine = [0u8; 32];
        nine[31] = 9;
        let out = MUL_ISTANBUL(&cat(&[&G1_GEN, &nine]), 6_000).unwrap();
        assert_eq!(out.gas_used, 6_000);
        assert_eq!(out.output[..], G1_TIMES_9);
        assert_eq!(
            MUL_BYZANTIUM(&cat(&[&G1_GEN, &nine]), 40_000)
                .unwrap()
                .gas_used,
            40_000
        );
        assert_eq!(
            MUL_BYZANTIUM(&G1_GEN, 39_999),
            Err(PrecompileError::OutOfGas)
        );
        // G * r = infinity; G * (r + 9) = G * 9 (scalars are not required to be reduced).
        let out = MUL_ISTANBUL(&cat(&[&G1_GEN, &GROUP_ORDER]), 6_000).unwrap();
        assert_eq!(out.output[..], [0u8; 64]);
        let mut r_plus_9 = GROUP_ORDER;
        r_plus_9[31] += 9;
        let out = MUL_ISTANBUL(&cat(&[&G1_GEN, &r_plus_9]), 6_000).unwrap();
        assert_eq!(out.output[..], G1_TIMES_9);
        // The largest scalar does not panic; a missing scalar is zero.
        assert!(MUL_ISTANBUL(&cat(&[&G1_GEN, &[0xff; 32]]), 6_000).is_ok());
        assert_eq!(MUL_ISTANBUL(&G1_GEN, 6_000).unwrap().output[..], [0u8; 64]);
        let mut bad = G1_GEN;
        bad[63] = 3;
        failure(MUL_ISTANBUL(&bad, 6_000));
    }

    #[test]
    fn pairing_checks() {
        // e(G1, G2) * e(-G1, G2) == 1.
        let input = cat(&[&G1_GEN, &G2_GEN, &G1_NEG, &G2_GEN]);
        let out = PAIRING_ISTANBUL(&input, 113_000).unwrap();
        assert_eq!(out.gas_used, 45_000 + 2 * 34_000);
        assert_eq!(out.output[..], one());
        let out = PAIRING_BYZANTIUM(&input, 260_000).unwrap();
        assert_eq!(out.gas_used, 100_000 + 2 * 80_000);
        assert_eq!(out.output[..], one());
        assert_eq!(
            PAIRING_ISTANBUL(&input, 112_999),
            Err(PrecompileError::OutOfGas)
        );
        // e(G1, G2) * e(G1, G2) != 1.
        let input = cat(&[&G1_GEN, &G2_GEN, &G1_GEN, &G2_GEN]);
        assert_eq!(
            PAIRING_ISTANBUL(&input, 113_000).unwrap().output[..],
            [0u8; 32]
        );
        // Empty input: the empty product is 1.
        let out = PAIRING_ISTANBUL(&[], 45_000).unwrap();
        assert_eq!((out.gas_used, &out.output[..]), (45_000, &one()[..]));
        // Pairs with infinity on either side are neutral.
        let input = cat(&[&[0u8; 64], &G2_GEN, &G1_GEN, &[0u8; 128]]);
        assert_eq!(PAIRING_ISTANBUL(&input, 113_000).unwrap().output[..], one());
    }

    #[test]
    fn pairing_rejects_invalid_input() {
        // Length not a multiple of 192.
        failure(PAIRING_ISTANBUL(&[0u8; 191], 100_000));
        failure(PAIRING_ISTANBUL(&cat(&[&G1_GEN, &G2_GEN, &[0]]), 100_000));
        // G2 coordinate not reduced.
        let mut g2 = G2_GEN;
        g2[..32].copy_from_slice(&FIELD_MODULUS);
        failure(PAIRING_ISTANBUL(&cat(&[&G1_GEN, &g2]), 100_000));
        // G2 point off the twist curve.
        let mut g2 = G2_GEN;
        g2[127] ^= 1;
        failure(PAIRING_ISTANBUL(&cat(&[&G1_GEN, &g2]), 100_000));
        // G2 point on the twist curve but outside the order-r subgroup.
        failure(PAIRING_ISTANBUL(
            &cat(&[&G1_GEN, &g2_outside_subgroup()]),
            100_000,
        ));
        // G1 point off the curve.
        let mut g1 = G1_GEN;
        g1[63] = 3;
        failure(PAIRING_ISTANBUL(&cat(&[&g1, &G2_GEN]), 100_000));
    }

    fn one() -> [u8; 32] {
        let mut out = [0u8; 32];
        out[31] = 1;
        out
    }

    /// The first point (x, y) on the twist with x = n + 0i, n = 1, 2, ..., encoded; such a
    /// point lies outside the order-r subgroup (the cofactor is huge).
    fn g2_outside_subgroup() -> [u8; 128] {
        for n in 1u64.. {
            let x = Fq2::new(Fq::from_str(&n.to_string()).unwrap(), Fq::zero());
            let Some(y) = (x * x * x + G2::b()).sqrt() else {
                continue;
            };
            let err = AffineG2::new(x, y).err();
            assert!(
                matches!(err, Some(substrate_bn::GroupError::NotInSubgroup)),
                "{err:?}"
            );
            let mut out = [0u8; 128];
            x.imaginary().to_big_endian(&mut out[..32]).unwrap();
            x.real().to_big_endian(&mut out[32..64]).unwrap();
            y.imaginary().to_big_endian(&mut out[64..96]).unwrap();
            y.real().to_big_endian(&mut out[96..]).unwrap();
            return out;
        }
        unreachable!()
    }
}
