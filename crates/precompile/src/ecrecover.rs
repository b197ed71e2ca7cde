//! `0x01` ECRECOVER: the address that signed a message hash (Frontier).
//!
//! Input (right-padded with zeros to 128 bytes): `hash ‖ v ‖ r ‖ s`, each a 32-byte
//! big-endian word. `v` must be 27 or 28 and `r`, `s` in `[1, secp256k1n)`; unlike
//! transaction signatures, a high `s` is accepted. An invalid signature is not an error:
//! the call succeeds with empty output. The cost is always 3000 gas.

use crate::{charge, read_padded, PrecompileFn, PrecompileOutput, PrecompileResult};
use ember_primitives::{keccak256, Bytes};
use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use secp256k1::Message;

/// `0x01` ECRECOVER: 3000 gas; returns the signer's address left-padded to 32 bytes, or
/// empty output when the signature is invalid.
pub const ECRECOVER: PrecompileFn = ecrecover;

/// Gas of one ECRECOVER call.
pub const ECRECOVER_GAS: u64 = 3_000;

/// The order of the secp256k1 group, big-endian.
const SECP256K1N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

fn ecrecover(input: &[u8], gas_limit: u64) -> PrecompileResult {
    charge(ECRECOVER_GAS, gas_limit)?;
    let input: [u8; 128] = read_padded(input, 0);
    let output = recover(&input).map(Bytes::from).unwrap_or_default();
    Ok(PrecompileOutput::new(ECRECOVER_GAS, output))
}

/// True for a scalar in `[1, secp256k1n)`.
fn valid_scalar(word: &[u8]) -> bool {
    word.iter().any(|&b| b != 0) && word < &SECP256K1N[..]
}

/// The padded address, or `None` for any invalid signature.
fn recover(input: &[u8; 128]) -> Option<Vec<u8>> {
    let (hash, v, rs) = (&input[..32], &input[32..64], &input[64..]);
    if v[..31].iter().any(|&b| b != 0) || !(v[31] == 27 || v[31] == 28) {
        return None;
    }
    if !valid_scalar(&rs[..32]) || !valid_scalar(&rs[32..]) {
        return None;
    }
    let recid = RecoveryId::try_from(i32::from(v[31] - 27)).ok()?;
    let signature = RecoverableSignature::from_compact(rs, recid).ok()?;
    let message = Message::from_digest(hash.try_into().ok()?);
    let key = signature.recover(message).ok()?;
    // The address is the last 20 bytes of keccak256 of the 64-byte uncompressed key.
    let digest = keccak256(&key.serialize_uncompressed()[1..]);
    let mut output = vec![0u8; 32];
    output[12..].copy_from_slice(&digest[12..]);
    Some(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PrecompileError;
    use ember_primitives::hex;

    /// A valid signature by 0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b with v = 28 and a
    /// high s (s > secp256k1n / 2), which ECRECOVER accepts.
    const INPUT: [u8; 128] = hex!(
        "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c"
        "000000000000000000000000000000000000000000000000000000000000001c"
        "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
        "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"
    );
    const SIGNER: [u8; 32] =
        hex!("000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b");

    fn empty_output(input: &[u8]) {
        let out = ECRECOVER(input, 3_000).unwrap();
        assert_eq!(out.gas_used, 3_000);
        assert!(out.output.is_empty(), "expected empty output");
    }

    #[test]
    fn recovers_known_signer() {
        let out = ECRECOVER(&INPUT, 5_000).unwrap();
        assert_eq!(out.gas_used, 3_000);
        assert_eq!(out.output[..], SIGNER);
        // Extra input past 128 bytes is ignored.
        let mut long = INPUT.to_vec();
        long.extend_from_slice(&[0xff; 10]);
        assert_eq!(ECRECOVER(&long, 3_000).unwrap().output[..], SIGNER);
    }

    #[test]
    fn out_of_gas() {
        assert_eq!(ECRECOVER(&INPUT, 2_999), Err(PrecompileError::OutOfGas));
        assert_eq!(ECRECOVER(&[], 0), Err(PrecompileError::OutOfGas));
    }

    #[test]
    fn invalid_signatures_give_empty_output() {
        // Empty and short input (padded: v = 0, then r = s = 0, then s = 0).
        empty_output(&[]);
        empty_output(&INPUT[..32]);
        empty_output(&INPUT[..64]);
        empty_output(&INPUT[..96]);
        // v = 29, v = 0, and v = 28 with a non-zero high byte.
        for (i, b) in [(63, 29u8), (63, 0), (32, 1)] {
            let mut input = INPUT;
            input[i] = b;
            empty_output(&input);
        }
        // r = 0, s = 0, r = n, s = n.
        for range in [64..96, 96..128] {
            let mut input = INPUT;
            input[range.clone()].fill(0);
            empty_output(&input);
            input[range].copy_from_slice(&SECP256K1N);
            empty_output(&input);
        }
        // The other recovery id yields a different key, hence a different address.
        let mut input = INPUT;
        input[32 + 31] = 27;
        let out = ECRECOVER(&input, 3_000).unwrap();
        assert_ne!(out.output[..], SIGNER);
    }
}
