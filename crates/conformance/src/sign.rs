//! secp256k1 helpers: the sender address of a fixture's `secretKey`, and the authority of an
//! EIP-7702 authorization tuple.

use alloy_rlp::{Encodable, Header};
use ember_primitives::{keccak256, Address, B256, U256};
use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use secp256k1::{Message, PublicKey, SecretKey, SECP256K1};

/// The secp256k1 group order `n`.
const SECP256K1N: U256 = U256::from_be_bytes([
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
]);

/// The address of a public key: the last 20 bytes of keccak-256 of its 64-byte encoding.
fn address_of(key: &PublicKey) -> Address {
    let raw = key.serialize_uncompressed();
    Address::from_slice(&keccak256(&raw[1..])[12..])
}

/// The address that signs with `secret` (a transaction's `secretKey`).
///
/// Fails when the key is not a valid secp256k1 secret (zero, or not below the group order).
pub fn address_from_secret_key(secret: &B256) -> Result<Address, String> {
    let key = SecretKey::from_byte_array(secret.0)
        .map_err(|_| "not a valid secp256k1 secret key".to_string())?;
    Ok(address_of(&PublicKey::from_secret_key(SECP256K1, &key)))
}

/// The hash an EIP-7702 authority signs: `keccak256(0x05 || rlp([chain_id, address, nonce]))`.
pub fn authorization_signing_hash(chain_id: U256, address: Address, nonce: u64) -> B256 {
    let payload_length = chain_id.length() + address.length() + nonce.length();
    let mut buf = Vec::with_capacity(1 + payload_length + 4);
    buf.push(0x05);
    Header {
        list: true,
        payload_length,
    }
    .encode(&mut buf);
    chain_id.encode(&mut buf);
    address.encode(&mut buf);
    nonce.encode(&mut buf);
    keccak256(&buf)
}

/// Recovers the authority of an EIP-7702 authorization tuple, or `None` when the signature is
/// not valid as EIP-7702 requires: `y_parity` not 0 or 1, `r` or `s` zero or not below the
/// group order, `s` above half the order (EIP-2), or no key recovers.
pub fn recover_authority(
    chain_id: U256,
    address: Address,
    nonce: u64,
    y_parity: U256,
    r: U256,
    s: U256,
) -> Option<Address> {
    if y_parity > U256::from(1) || r.is_zero() || s.is_zero() || r >= SECP256K1N {
        return None;
    }
    if s > SECP256K1N >> 1 {
        return None;
    }
    let mut compact = [0u8; 64];
    compact[..32].copy_from_slice(&r.to_be_bytes::<32>());
    compact[32..].copy_from_slice(&s.to_be_bytes::<32>());
    let id = RecoveryId::try_from(y_parity.to::<u8>() as i32).ok()?;
    let sig = RecoverableSignature::from_compact(&compact, id).ok()?;
    let hash = authorization_signing_hash(chain_id, address, nonce);
    let key = SECP256K1
        .recover_ecdsa(Message::from_digest(hash.0), &sig)
        .ok()?;
    Some(address_of(&key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_primitives::{address, b256};

    #[test]
    fn fixture_secret_key_gives_sender() {
        // stTransactionTest: secretKey 0x45a9… signs as 0xa94f…
        let key = b256!("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8");
        assert_eq!(
            address_from_secret_key(&key),
            Ok(address!("a94f5374fce5edbc8e2a8697c15331677e6ebf0b"))
        );
        assert!(address_from_secret_key(&B256::ZERO).is_err());
        assert!(address_from_secret_key(&B256::from(SECP256K1N)).is_err());
    }

    #[test]
    fn authorization_recovery() {
        // Sign a tuple with a known key and recover it.
        let key = b256!("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8");
        let who = address!("a94f5374fce5edbc8e2a8697c15331677e6ebf0b");
        let target = address!("00000000000000000000000000000000000000aa");
        let hash = authorization_signing_hash(U256::from(1), target, 7);
        let sk = SecretKey::from_byte_array(key.0).unwrap();
        let sig = SECP256K1.sign_ecdsa_recoverable(Message::from_digest(hash.0), &sk);
        let (id, compact) = sig.serialize_compact();
        let y = U256::from(i32::from(id) as u64);
        let r = U256::from_be_slice(&compact[..32]);
        let s = U256::from_be_slice(&compact[32..]);
        assert_eq!(
            recover_authority(U256::from(1), target, 7, y, r, s),
            Some(who)
        );
        // another nonce recovers someone else
        assert_ne!(
            recover_authority(U256::from(1), target, 8, y, r, s),
            Some(who)
        );
        // malformed signatures
        assert_eq!(
            recover_authority(U256::from(1), target, 7, U256::from(2), r, s),
            None
        );
        assert_eq!(
            recover_authority(U256::from(1), target, 7, y, U256::ZERO, s),
            None
        );
        assert_eq!(
            recover_authority(U256::from(1), target, 7, y, r, SECP256K1N - s),
            None
        );
    }
}
