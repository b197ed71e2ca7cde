//! `0x100` P256VERIFY: ECDSA signature verification over secp256r1 (P-256) (Osaka, EIP-7951).
//!
//! Input: exactly 160 bytes, `hash ‖ r ‖ s ‖ qx ‖ qy`, each a 32-byte big-endian word; the
//! hash is used as is (the message is prehashed). The output is the word `1` when the
//! signature is valid and empty otherwise; an invalid input is never an error. Following the
//! Osaka execution spec (`p256verify.py`), the 6900 gas are charged first, for every input,
//! including one of the wrong length; the call then returns empty output when:
//!
//! - the input is not exactly 160 bytes long;
//! - `r` or `s` is outside `[1, n)` (`n` the group order);
//! - `qx` or `qy` is outside `[0, p)` (`p` the field prime);
//! - `(qx, qy)` is `(0, 0)` (the encoding of the point at infinity) or not on the curve;
//! - the signature does not verify: `R' = (h * s⁻¹) G + (r * s⁻¹) Q` is the point at infinity
//!   or `R'.x mod n != r`.
//!
//! Unlike transaction signatures, a high `s` (above `n / 2`) is accepted: there is no
//! malleability check, as in the spec, which verifies with plain ECDSA.

use crate::{charge, PrecompileFn, PrecompileOutput, PrecompileResult};
use ember_primitives::Bytes;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::EncodedPoint;

/// `0x100` P256VERIFY (EIP-7951): 6900 gas; returns the word `1` for a valid signature, else
/// empty output.
pub const P256VERIFY: PrecompileFn = p256verify;

/// Gas of one P256VERIFY call (EIP-7951), whatever the input.
pub const P256VERIFY_GAS: u64 = 6_900;

/// The length of a P256VERIFY input: hash, r, s, qx and qy, 32 bytes each.
pub const P256VERIFY_INPUT_LEN: usize = 160;

/// The order `n` of the secp256r1 group, big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// The secp256r1 field prime `p`, big-endian.
const P: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

fn p256verify(input: &[u8], gas_limit: u64) -> PrecompileResult {
    charge(P256VERIFY_GAS, gas_limit)?;
    let output = if verify(input) {
        let mut one = [0u8; 32];
        one[31] = 1;
        Bytes::copy_from_slice(&one)
    } else {
        Bytes::new()
    };
    Ok(PrecompileOutput::new(P256VERIFY_GAS, output))
}

/// True for a big-endian word that is zero.
fn is_zero(word: &[u8]) -> bool {
    word.iter().all(|&b| b == 0)
}

/// True when `input` is a valid 160-byte P256VERIFY input (see the module docs).
pub fn verify(input: &[u8]) -> bool {
    let Ok(input) = <&[u8; P256VERIFY_INPUT_LEN]>::try_from(input) else {
        return false;
    };
    let (hash, rest) = input.split_at(32);
    let (rs, q) = rest.split_at(64);
    let (r, s) = rs.split_at(32);
    let (qx, qy) = q.split_at(32);

    // Scalars in [1, n) and coordinates in [0, p): big-endian words compare as integers.
    if is_zero(r) || r >= &N[..] || is_zero(s) || s >= &N[..] {
        return false;
    }
    if qx >= &P[..] || qy >= &P[..] || (is_zero(qx) && is_zero(qy)) {
        return false;
    }
    // Checks the curve equation (and the coordinate ranges again).
    let point = EncodedPoint::from_affine_coordinates(qx.into(), qy.into(), false);
    let Ok(key) = VerifyingKey::from_encoded_point(&point) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(rs) else {
        return false;
    };
    // Plain ECDSA on the prehash: `h` is reduced mod n, `R'.x` is compared mod n, and a
    // high `s` is accepted (p256, unlike k256, does not normalize or reject it).
    key.verify_prehash(hash, &signature).is_ok()
}

#[cfg(test)]
mod tests;
