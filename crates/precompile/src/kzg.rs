//! `0x0a` KZG point evaluation (Cancun, EIP-4844): verifies that the blob committed to by
//! a KZG commitment evaluates to `y` at `z`.
//!
//! Input, exactly 192 bytes: `versioned_hash` (32) ‖ `z` (32) ‖ `y` (32) ‖ `commitment`
//! (48) ‖ `proof` (48). The versioned hash must be `0x01 ‖ sha256(commitment)[1..]`. The
//! proof is checked with `c-kzg` against the Ethereum mainnet trusted setup, which is loaded
//! on first use.

use crate::{charge, PrecompileError, PrecompileFn, PrecompileOutput, PrecompileResult};
use c_kzg::{Bytes32, Bytes48};
use sha2::{Digest, Sha256};

/// `0x0a` point evaluation: 50000 gas; returns `FIELD_ELEMENTS_PER_BLOB ‖ BLS_MODULUS`.
pub const POINT_EVALUATION: PrecompileFn = point_evaluation;

/// Gas of one point evaluation.
pub const POINT_EVALUATION_GAS: u64 = 50_000;

/// The first byte of a KZG versioned hash (defined in `ember-primitives`).
pub use ember_primitives::VERSIONED_HASH_VERSION_KZG;

/// The order of the BLS12-381 scalar field, big-endian.
pub const BLS_MODULUS: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

/// The success output: `FIELD_ELEMENTS_PER_BLOB` (4096) and `BLS_MODULUS`, 32-byte words.
const RETURN_VALUE: [u8; 64] = {
    let mut out = [0u8; 64];
    let n = (c_kzg::FIELD_ELEMENTS_PER_BLOB as u64).to_be_bytes();
    let mut i = 0;
    while i < 8 {
        out[24 + i] = n[i];
        i += 1;
    }
    let mut i = 0;
    while i < 32 {
        out[32 + i] = BLS_MODULUS[i];
        i += 1;
    }
    out
};

/// The versioned hash of a KZG commitment: `0x01 ‖ sha256(commitment)[1..]`.
pub fn kzg_to_versioned_hash(commitment: &[u8]) -> [u8; 32] {
    let mut hash: [u8; 32] = Sha256::digest(commitment).into();
    hash[0] = VERSIONED_HASH_VERSION_KZG;
    hash
}

/// A 32-byte big-endian word as a canonical field element (below [`BLS_MODULUS`]).
fn field_element(bytes: &[u8]) -> Result<Bytes32, PrecompileError> {
    if bytes >= &BLS_MODULUS[..] {
        return Err(PrecompileError::Failure("kzg: field element not canonical"));
    }
    Bytes32::from_bytes(bytes).map_err(|_| PrecompileError::Failure("kzg: bad field element"))
}

fn point_evaluation(input: &[u8], gas_limit: u64) -> PrecompileResult {
    charge(POINT_EVALUATION_GAS, gas_limit)?;
    if input.len() != 192 {
        return Err(PrecompileError::Failure("kzg: input must be 192 bytes"));
    }
    let (versioned_hash, z, y) = (&input[..32], &input[32..64], &input[64..96]);
    let (commitment, proof) = (&input[96..144], &input[144..192]);
    if kzg_to_versioned_hash(commitment) != versioned_hash {
        return Err(PrecompileError::Failure("kzg: versioned hash mismatch"));
    }
    let z = field_element(z)?;
    let y = field_element(y)?;
    let bad_point = |_| PrecompileError::Failure("kzg: bad commitment or proof");
    let commitment = Bytes48::from_bytes(commitment).map_err(bad_point)?;
    let proof = Bytes48::from_bytes(proof).map_err(bad_point)?;
    // Errors cover malformed points (not on the curve, not in the subgroup, bad encoding).
    let valid = c_kzg::ethereum_kzg_settings(0)
        .verify_kzg_proof(&commitment, &z, &y, &proof)
        .map_err(|_| PrecompileError::Failure("kzg: invalid commitment or proof"))?;
    if !valid {
        return Err(PrecompileError::Failure("kzg: proof does not verify"));
    }
    Ok(PrecompileOutput::new(
        POINT_EVALUATION_GAS,
        RETURN_VALUE.to_vec(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_primitives::hex;

    /// A valid input from the execution spec tests (`pointEvaluation` fixtures).
    const VALID: [u8; 192] = hex!(
        "01e798154708fe7789429634053cbf9f99b619f9f084048927333fce637f549b"
        "564c0a11a0f704f4fc3e8acfe0f8245f0ad1347b378fbf96e206da11a5d36306"
        "24d25032e67a7e6a4910df5834b8fe70e6bcfeeac0352434196bdf4b2485d5a1"
        "8f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca2"
        "5f26936857bc3a7c2539ea8ec3a952b7873033e038326e87ed3e1276fd140253"
        "fa08e9fc25fb2d9a98527fc22a2c9612fbeafdad446cbc7bcdbdcd780af2c16a"
    );
    const EXPECTED: [u8; 64] = hex!(
        "0000000000000000000000000000000000000000000000000000000000001000"
        "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"
    );

    fn failure(input: &[u8]) {
        let result = POINT_EVALUATION(input, 50_000);
        assert!(
            matches!(result, Err(PrecompileError::Failure(_))),
            "{result:?}"
        );
    }

    #[test]
    fn known_valid_input() {
        let out = POINT_EVALUATION(&VALID, 60_000).unwrap();
        assert_eq!(out.gas_used, 50_000);
        assert_eq!(out.output[..], EXPECTED);
        assert_eq!(
            POINT_EVALUATION(&VALID, 49_999),
            Err(PrecompileError::OutOfGas)
        );
    }

    #[test]
    fn zero_blob_proof_from_c_kzg() {
        // The zero polynomial: commitment and proof are the point at infinity, y = 0 at any z.
        let settings = c_kzg::ethereum_kzg_settings(0);
        let blob = c_kzg::Blob::new([0u8; c_kzg::BYTES_PER_BLOB]);
        let commitment = settings.blob_to_kzg_commitment(&blob).unwrap().to_bytes();
        let mut infinity = [0u8; 48];
        infinity[0] = 0xc0;
        assert_eq!(commitment.as_slice(), infinity);
        let z = Bytes32::new([7u8; 32]);
        let (proof, y) = settings.compute_kzg_proof(&blob, &z).unwrap();
        assert_eq!(*y, [0u8; 32]);
        let input = [
            &kzg_to_versioned_hash(&infinity)[..],
            &[7u8; 32],
            &y[..],
            &infinity,
            &proof.to_bytes()[..],
        ]
        .concat();
        assert_eq!(
            POINT_EVALUATION(&input, 50_000).unwrap().output[..],
            EXPECTED
        );
        // A wrong claimed value fails.
        let mut wrong_y = input.clone();
        wrong_y[95] = 1;
        failure(&wrong_y);
    }

    #[test]
    fn malformed_inputs() {
        // Wrong lengths.
        failure(&[]);
        failure(&VALID[..191]);
        failure(&[&VALID[..], &[0]].concat());
        // Versioned hash: wrong version byte, wrong digest.
        for i in [0, 31] {
            let mut input = VALID;
            input[i] ^= 1;
            failure(&input);
        }
        // z and y not canonical (>= BLS modulus).
        for start in [32, 64] {
            let mut input = VALID;
            input[start..start + 32].copy_from_slice(&BLS_MODULUS);
            failure(&input);
        }
        // Wrong y, wrong proof.
        for i in [95, 191] {
            let mut input = VALID;
            input[i] ^= 1;
            failure(&input);
        }
    }
}
