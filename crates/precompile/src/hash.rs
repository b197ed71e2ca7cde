//! The Frontier hash and copy precompiles: `0x02` SHA256, `0x03` RIPEMD160, `0x04` IDENTITY.
//!
//! Each costs a base price plus a price per 32-byte word of input (rounded up).

use crate::{charge, linear_cost, PrecompileFn, PrecompileOutput, PrecompileResult};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};

/// `0x02` SHA256: 60 gas + 12 per word; returns the 32-byte digest.
pub const SHA256: PrecompileFn = sha256;
/// `0x03` RIPEMD160: 600 gas + 120 per word; returns the 20-byte digest left-padded to 32.
pub const RIPEMD160: PrecompileFn = ripemd160;
/// `0x04` IDENTITY: 15 gas + 3 per word; returns the input.
pub const IDENTITY: PrecompileFn = identity;

fn sha256(input: &[u8], gas_limit: u64) -> PrecompileResult {
    let cost = linear_cost(input.len(), 60, 12);
    charge(cost, gas_limit)?;
    let digest = Sha256::digest(input);
    Ok(PrecompileOutput::new(cost, digest.to_vec()))
}

fn ripemd160(input: &[u8], gas_limit: u64) -> PrecompileResult {
    let cost = linear_cost(input.len(), 600, 120);
    charge(cost, gas_limit)?;
    let mut output = vec![0u8; 32];
    output[12..].copy_from_slice(&Ripemd160::digest(input));
    Ok(PrecompileOutput::new(cost, output))
}

fn identity(input: &[u8], gas_limit: u64) -> PrecompileResult {
    let cost = linear_cost(input.len(), 15, 3);
    charge(cost, gas_limit)?;
    Ok(PrecompileOutput::new(cost, input.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PrecompileError;
    use ember_primitives::hex;

    #[test]
    fn sha256_vectors() {
        let out = SHA256(b"", 60).unwrap();
        assert_eq!(out.gas_used, 60);
        assert_eq!(
            out.output[..],
            hex!("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        let out = SHA256(b"abc", 100).unwrap();
        assert_eq!(out.gas_used, 72);
        assert_eq!(
            out.output[..],
            hex!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(SHA256(&[0u8; 33], 95).unwrap().gas_used, 84);
        assert_eq!(SHA256(&[0u8; 33], 83), Err(PrecompileError::OutOfGas));
    }

    #[test]
    fn ripemd160_vectors() {
        let out = RIPEMD160(b"", 600).unwrap();
        assert_eq!(out.gas_used, 600);
        assert_eq!(
            out.output[..],
            hex!("0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31")
        );
        let out = RIPEMD160(b"abc", 1000).unwrap();
        assert_eq!(out.gas_used, 720);
        assert_eq!(
            out.output[..],
            hex!("0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc")
        );
        assert_eq!(RIPEMD160(b"abc", 719), Err(PrecompileError::OutOfGas));
    }

    #[test]
    fn identity_copies() {
        let out = IDENTITY(b"", 15).unwrap();
        assert_eq!((out.gas_used, out.output.len()), (15, 0));
        let data = [7u8; 65];
        let out = IDENTITY(&data, 24).unwrap();
        assert_eq!(out.gas_used, 24);
        assert_eq!(out.output[..], data[..]);
        assert_eq!(IDENTITY(&data, 23), Err(PrecompileError::OutOfGas));
    }
}
