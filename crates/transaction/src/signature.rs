//! secp256k1 signature checks and public-key recovery (through the `secp256k1` crate).

use alloy_primitives::uint;
use ember_primitives::{keccak256, Address, Authorization, B256, U256};
use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use secp256k1::{Message, SECP256K1};

use crate::error::InvalidTransaction;

/// The order `n` of the secp256k1 group.
pub const SECP256K1N: U256 =
    uint!(0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141_U256);

/// `n / 2`: the largest `s` EIP-2 accepts.
pub const SECP256K1N_HALF: U256 = SECP256K1N.wrapping_shr(1);

/// EIP-7702 authorization signing prefix.
pub const SET_CODE_AUTH_MAGIC: u8 = 0x05;

/// Checks `r` and `s` are in `[1, n)`, and `s <= n/2` when `low_s` (EIP-2).
pub fn check_signature_values(r: U256, s: U256, low_s: bool) -> Result<(), InvalidTransaction> {
    if r.is_zero() {
        return Err(InvalidTransaction::InvalidSignature("r is zero"));
    }
    if r >= SECP256K1N {
        return Err(InvalidTransaction::InvalidSignature(
            "r is not below secp256k1n",
        ));
    }
    if s.is_zero() {
        return Err(InvalidTransaction::InvalidSignature("s is zero"));
    }
    if s >= SECP256K1N {
        return Err(InvalidTransaction::InvalidSignature(
            "s is not below secp256k1n",
        ));
    }
    if low_s && s > SECP256K1N_HALF {
        return Err(InvalidTransaction::HighS);
    }
    Ok(())
}

/// Recovers the address that signed `hash` with `(r, s)` and the parity bit `odd_y`.
/// `r` and `s` must already be in range ([`check_signature_values`]).
pub fn recover_address(
    hash: B256,
    r: U256,
    s: U256,
    odd_y: bool,
) -> Result<Address, InvalidTransaction> {
    let mut compact = [0u8; 64];
    compact[..32].copy_from_slice(&r.to_be_bytes::<32>());
    compact[32..].copy_from_slice(&s.to_be_bytes::<32>());
    let recid = if odd_y {
        RecoveryId::One
    } else {
        RecoveryId::Zero
    };
    let sig = RecoverableSignature::from_compact(&compact, recid)
        .map_err(|_| InvalidTransaction::RecoveryFailed)?;
    let key = SECP256K1
        .recover_ecdsa(Message::from_digest(hash.0), &sig)
        .map_err(|_| InvalidTransaction::RecoveryFailed)?;
    let uncompressed = key.serialize_uncompressed();
    Ok(Address::from_slice(&keccak256(&uncompressed[1..])[12..]))
}

/// The EIP-7702 authorization signing hash: `keccak(0x05 ‖ rlp([chain_id, address, nonce]))`.
pub fn authorization_signing_hash(auth: &Authorization) -> B256 {
    use alloy_rlp::Encodable;
    let mut out = vec![SET_CODE_AUTH_MAGIC];
    crate::rlp::encode_list(&mut out, |p| {
        auth.chain_id.encode(p);
        auth.address.encode(p);
        auth.nonce.encode(p);
    });
    keccak256(&out)
}

/// Recovers the authority of an EIP-7702 authorization, or `None` when its signature is
/// invalid: `y_parity` not 0/1, `r`/`s` outside `[1, n)`, `s > n/2`, or no public key recovers.
/// (The chain id and nonce checks are the executor's: they depend on the chain and the state.)
pub fn recover_authority(auth: &Authorization) -> Option<Address> {
    let odd_y = parity_bit(auth.y_parity)?;
    check_signature_values(auth.r, auth.s, true).ok()?;
    recover_address(authorization_signing_hash(auth), auth.r, auth.s, odd_y).ok()
}

/// `Some(false)` for 0, `Some(true)` for 1, `None` for anything else.
pub(crate) fn parity_bit(y_parity: U256) -> Option<bool> {
    if y_parity == U256::ZERO {
        Some(false)
    } else if y_parity == U256::from(1u8) {
        Some(true)
    } else {
        None
    }
}
