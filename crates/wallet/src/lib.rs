//! Ember's wallet for the dev chain: accounts derived from a BIP-39 mnemonic (anvil's
//! defaults), transaction signing, `eth_sign` (EIP-191) and `eth_signTypedData_v4`
//! (EIP-712).
//!
//! The cryptography is the `secp256k1` crate's (keys, RFC 6979 signatures, always low-`s`),
//! `bip39` (mnemonic to seed), `bip32` (hierarchical derivation) and `alloy-dyn-abi`
//! (EIP-712 hashing). Signatures are deterministic, so they match anvil's and cast's byte for
//! byte.
//!
//! ```
//! use ember_wallet::{derive_accounts, eth_sign, DEFAULT_DERIVATION_PATH, DEFAULT_MNEMONIC};
//!
//! let accounts = derive_accounts(DEFAULT_MNEMONIC, 10, DEFAULT_DERIVATION_PATH).unwrap();
//! assert_eq!(
//!     accounts[0].address,
//!     ember_primitives::address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
//! );
//! let signature = eth_sign(&accounts[0].secret_key, b"hello").unwrap();
//! assert_eq!(signature.len(), 65);
//! ```
#![deny(missing_docs)]

use std::str::FromStr;

use alloy_dyn_abi::{Eip712Domain, Resolver, TypedData};
use bip32::{ChildNumber, DerivationPath, XPrv};
use ember_primitives::alloy_primitives::eip191_hash_message;
use ember_primitives::{keccak256, Address, Authorization, Bytes, B256, U256};
use ember_transaction::signature::authorization_signing_hash;
use ember_transaction::{Transaction, TxLegacy};
use secp256k1::ecdsa::RecoveryId;
use secp256k1::{Message, PublicKey, SecretKey, SECP256K1};

/// The mnemonic anvil (and Hardhat) derive their dev accounts from.
pub const DEFAULT_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// The derivation path prefix anvil uses: account `i` is at `m/44'/60'/0'/0/i`.
pub const DEFAULT_DERIVATION_PATH: &str = "m/44'/60'/0'/0/";

/// Why a wallet operation failed. Bad input is always an error, never a panic.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WalletError {
    /// The mnemonic is not a valid English BIP-39 phrase.
    #[error("invalid mnemonic: {0}")]
    InvalidMnemonic(String),
    /// The derivation path does not parse, or an account index does not fit it.
    #[error("invalid derivation path `{path}`: {reason}")]
    InvalidDerivationPath {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The secret key is zero or not below the secp256k1 group order.
    #[error("invalid secret key: must be a 32-byte scalar in [1, n) of secp256k1")]
    InvalidSecretKey,
    /// A legacy transaction's `v` encodes an EIP-155 chain id that does not fit 64 bits.
    #[error("legacy transaction v encodes chain id {0}, which does not fit 64 bits")]
    InvalidChainId(U256),
    /// The EIP-712 typed data does not parse or does not hash.
    #[error("invalid typed data: {0}")]
    InvalidTypedData(String),
}

/// A dev account: its secret key and the address it controls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DevAccount {
    /// The account address: the last 20 bytes of `keccak(public key)`.
    pub address: Address,
    /// The raw secp256k1 secret key.
    pub secret_key: B256,
}

impl DevAccount {
    /// The account of `secret_key`; fails when the key is not a valid secp256k1 scalar.
    pub fn from_secret_key(secret_key: B256) -> Result<Self, WalletError> {
        Ok(DevAccount {
            address: address_of(&secret_key)?,
            secret_key,
        })
    }
}

/// Derives `count` accounts from an English BIP-39 `mnemonic` (no passphrase), anvil style:
/// account `i` is at `derivation_path` followed by `i`, e.g. `m/44'/60'/0'/0/3` for the
/// default prefix. A prefix without the trailing `/` gets one. Hardened steps may be written
/// `44'` or `44h`.
pub fn derive_accounts(
    mnemonic: &str,
    count: usize,
    derivation_path: &str,
) -> Result<Vec<DevAccount>, WalletError> {
    let parsed = bip39::Mnemonic::parse_in_normalized(bip39::Language::English, mnemonic)
        .map_err(|e| WalletError::InvalidMnemonic(mnemonic_error(mnemonic, e)))?;
    let seed = parsed.to_seed_normalized("");

    let path_error = |reason: String| WalletError::InvalidDerivationPath {
        path: derivation_path.to_string(),
        reason,
    };
    let parent_path = derivation_path.strip_suffix('/').unwrap_or(derivation_path);
    let parent_path = DerivationPath::from_str(parent_path).map_err(|_| {
        path_error(
            "expected `m` followed by `/index` steps, `index'` or `indexh` when hardened".into(),
        )
    })?;
    let max_index = ChildNumber::HARDENED_FLAG as usize;
    if count > max_index {
        return Err(path_error(format!(
            "{count} accounts need indices past the last non-hardened one ({})",
            max_index - 1
        )));
    }
    let parent = XPrv::derive_from_path(seed, &parent_path)
        .map_err(|e| path_error(format!("derivation failed: {e}")))?;

    (0..count as u32)
        .map(|i| {
            let child = ChildNumber::new(i, false)
                .and_then(|n| parent.derive_child(n))
                .map_err(|e| path_error(format!("derivation of account {i} failed: {e}")))?;
            DevAccount::from_secret_key(B256::from(child.to_bytes()))
        })
        .collect()
}

/// Describes a BIP-39 parse error, naming the offending word when there is one.
fn mnemonic_error(mnemonic: &str, error: bip39::Error) -> String {
    match error {
        bip39::Error::UnknownWord(i) => match mnemonic.split_whitespace().nth(i) {
            Some(word) => format!(
                "word {} (`{word}`) is not in the English BIP-39 word list",
                i + 1
            ),
            None => error.to_string(),
        },
        other => other.to_string(),
    }
}

/// Parses a raw secret key.
fn secret_key(secret_key: &B256) -> Result<SecretKey, WalletError> {
    SecretKey::from_byte_array(secret_key.0).map_err(|_| WalletError::InvalidSecretKey)
}

/// The address controlled by `secret_key`.
pub fn address_of(secret_key: &B256) -> Result<Address, WalletError> {
    let key = self::secret_key(secret_key)?;
    let public = PublicKey::from_secret_key(SECP256K1, &key).serialize_uncompressed();
    Ok(Address::from_slice(&keccak256(&public[1..])[12..]))
}

/// A recoverable secp256k1 signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    /// `r`.
    pub r: U256,
    /// `s` (always in the lower half of the group order, EIP-2).
    pub s: U256,
    /// Whether the `y` of the nonce point is odd (the recovery id).
    pub y_parity: bool,
}

impl Signature {
    /// `27 + y_parity`: the pre-EIP-155 `v`, also the one `eth_sign` returns.
    pub fn v(&self) -> u8 {
        27 + u8::from(self.y_parity)
    }

    /// `r ‖ s ‖ v` with `v = 27 + y_parity`: what `eth_sign`, `personal_sign` and
    /// `eth_signTypedData_v4` return.
    pub fn to_bytes65(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[..32].copy_from_slice(&self.r.to_be_bytes::<32>());
        out[32..64].copy_from_slice(&self.s.to_be_bytes::<32>());
        out[64] = self.v();
        out
    }
}

/// Signs a 32-byte `hash` as is (RFC 6979 deterministic nonce, low `s`).
pub fn sign_hash(secret_key: &B256, hash: B256) -> Result<Signature, WalletError> {
    let key = self::secret_key(secret_key)?;
    let (recovery_id, compact) = SECP256K1
        .sign_ecdsa_recoverable(Message::from_digest(hash.0), &key)
        .serialize_compact();
    Ok(Signature {
        r: U256::from_be_slice(&compact[..32]),
        s: U256::from_be_slice(&compact[32..]),
        y_parity: recovery_id == RecoveryId::One,
    })
}

/// Signs `tx` in place: fills its signature fields from a signature over
/// [`Transaction::signature_hash`].
///
/// Typed transactions are signed for their `chain_id` field and get `y_parity`, `r`, `s`.
/// A legacy transaction says whether it is EIP-155 protected through its current `v`, which
/// the signature hash already reads: `v >= 35` signs for chain id `(v - 35) / 2` and yields
/// `v = 35 + 2 * chain_id + parity`; any other `v` (e.g. 0) signs without a chain id and
/// yields `v = 27 + parity`. [`sign_legacy`] sets that `v` from an explicit chain id. A legacy
/// chain id past 64 bits is refused, as sender recovery would refuse it.
pub fn sign_transaction(tx: &mut Transaction, secret_key: &B256) -> Result<(), WalletError> {
    if let Transaction::Legacy(legacy) = tx {
        if let Some(chain_id) = legacy.chain_id() {
            if chain_id > U256::from(u64::MAX) {
                return Err(WalletError::InvalidChainId(chain_id));
            }
        }
    }
    let signature = sign_hash(secret_key, tx.signature_hash())?;
    let parity = U256::from(u8::from(signature.y_parity));
    let (y_parity, r, s) = match tx {
        Transaction::Legacy(tx) => {
            tx.v = match tx.chain_id() {
                Some(chain_id) => U256::from(35u8) + chain_id * U256::from(2u8) + parity,
                None => U256::from(27u8) + parity,
            };
            tx.r = signature.r;
            tx.s = signature.s;
            return Ok(());
        }
        Transaction::AccessList(tx) => (&mut tx.y_parity, &mut tx.r, &mut tx.s),
        Transaction::FeeMarket(tx) => (&mut tx.y_parity, &mut tx.r, &mut tx.s),
        Transaction::Blob(tx) => (&mut tx.y_parity, &mut tx.r, &mut tx.s),
        Transaction::SetCode(tx) => (&mut tx.y_parity, &mut tx.r, &mut tx.s),
    };
    *y_parity = parity;
    *r = signature.r;
    *s = signature.s;
    Ok(())
}

/// Signs a legacy transaction in place, EIP-155 protected for `chain_id` when it is `Some`
/// (`v = 35 + 2 * chain_id + parity`), unprotected otherwise (`v = 27 + parity`).
pub fn sign_legacy(
    tx: &mut TxLegacy,
    chain_id: Option<u64>,
    secret_key: &B256,
) -> Result<(), WalletError> {
    // The signature hash reads the chain id from `v`: any `v` below 35 means none.
    tx.v = match chain_id {
        Some(chain_id) => U256::from(35u8) + U256::from(chain_id) * U256::from(2u8),
        None => U256::ZERO,
    };
    let mut wrapped = Transaction::Legacy(tx.clone());
    sign_transaction(&mut wrapped, secret_key)?;
    if let Transaction::Legacy(signed) = wrapped {
        *tx = signed;
    }
    Ok(())
}

/// Signs an EIP-7702 authorization in place over
/// `keccak(0x05 ‖ rlp([chain_id, address, nonce]))`: sets `y_parity`, `r`, `s`, and
/// `authority` to the signer's address.
pub fn sign_authorization(auth: &mut Authorization, secret_key: &B256) -> Result<(), WalletError> {
    let authority = address_of(secret_key)?;
    let signature = sign_hash(secret_key, authorization_signing_hash(auth))?;
    auth.y_parity = U256::from(u8::from(signature.y_parity));
    auth.r = signature.r;
    auth.s = signature.s;
    auth.authority = Some(authority);
    Ok(())
}

/// Signs `message` as an EIP-191 personal message,
/// `keccak("\x19Ethereum Signed Message:\n" ‖ len(message) ‖ message)`, returning the 65
/// bytes `r ‖ s ‖ v` with `v` 27 or 28, as anvil's `eth_sign` and `personal_sign` do.
pub fn eth_sign(secret_key: &B256, message: &[u8]) -> Result<Bytes, WalletError> {
    let signature = sign_hash(secret_key, eip191_hash_message(message))?;
    Ok(Bytes::copy_from_slice(&signature.to_bytes65()))
}

/// The EIP-712 signing hash `keccak(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message))` of
/// typed data given as JSON (`types`, `primaryType`, `domain`, `message`), either as an object
/// or as a string holding one (some clients send `eth_signTypedData_v4` data that way).
pub fn typed_data_hash(typed_data: &serde_json::Value) -> Result<B256, WalletError> {
    parse_typed_data(typed_data)?
        .eip712_signing_hash()
        .map_err(|e| WalletError::InvalidTypedData(e.to_string()))
}

/// Reads typed data field by field, so an error names the field at fault. As anvil does,
/// `types` and `primaryType` are required; `domain` and `message` default to empty.
fn parse_typed_data(typed_data: &serde_json::Value) -> Result<TypedData, WalletError> {
    use serde_json::Value;
    let bad = |reason: String| WalletError::InvalidTypedData(reason);
    let parsed;
    let value = match typed_data {
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text)
                .map_err(|e| bad(format!("the string given is not JSON: {e}")))?;
            &parsed
        }
        value => value,
    };
    let object = value
        .as_object()
        .ok_or_else(|| bad(format!("expected a JSON object, got `{value}`")))?;
    fn field<T: serde::de::DeserializeOwned>(
        object: &serde_json::Map<String, Value>,
        name: &str,
    ) -> Result<Option<T>, WalletError> {
        object
            .get(name)
            .map(|v| T::deserialize(v))
            .transpose()
            .map_err(|e| WalletError::InvalidTypedData(format!("`{name}`: {e}")))
    }
    let missing = |name: &str| bad(format!("missing field `{name}`"));
    Ok(TypedData {
        resolver: field::<Resolver>(object, "types")?.ok_or_else(|| missing("types"))?,
        primary_type: field::<String>(object, "primaryType")?
            .ok_or_else(|| missing("primaryType"))?,
        domain: field::<Eip712Domain>(object, "domain")?.unwrap_or_default(),
        message: object.get("message").cloned().unwrap_or_default(),
    })
}

/// Signs EIP-712 typed data (see [`typed_data_hash`]) for `eth_signTypedData_v4`, returning
/// the 65 bytes `r ‖ s ‖ v` with `v` 27 or 28.
pub fn sign_typed_data(
    secret_key: &B256,
    typed_data: &serde_json::Value,
) -> Result<Bytes, WalletError> {
    // Check the key first, so a bad key is reported as such whatever the data.
    self::secret_key(secret_key)?;
    let signature = sign_hash(secret_key, typed_data_hash(typed_data)?)?;
    Ok(Bytes::copy_from_slice(&signature.to_bytes65()))
}

#[cfg(test)]
mod tests;
