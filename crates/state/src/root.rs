//! Merkle-Patricia roots of state and storage, and the logs hash the state tests check.

use crate::AccountInfo;
use alloy_rlp::{Encodable, Header};
use alloy_trie::{HashBuilder, Nibbles};
use ember_primitives::Log;
use ember_primitives::{keccak256, Address, B256, U256};
use std::collections::HashMap;

/// Root of a trie whose keys are already hashed, from `(hashed key, RLP value)` pairs.
fn trie_root(mut leaves: Vec<(B256, Vec<u8>)>) -> B256 {
    leaves.sort_unstable_by_key(|leaf| leaf.0);
    let mut builder = HashBuilder::default();
    for (key, value) in &leaves {
        builder.add_leaf(Nibbles::unpack(key), value);
    }
    builder.root()
}

/// The storage root of an account: keys are keccak(slot), values RLP(value); zeros absent.
pub fn storage_root<'a>(storage: impl IntoIterator<Item = (&'a U256, &'a U256)>) -> B256 {
    let leaves = storage
        .into_iter()
        .filter(|(_, v)| !v.is_zero())
        .map(|(k, v)| (keccak256(k.to_be_bytes::<32>()), alloy_rlp::encode(v)))
        .collect();
    trie_root(leaves)
}

/// The state root: keys keccak(address), values RLP([nonce, balance, storage root, code hash]).
pub fn state_root<'a, H: 'a>(
    accounts: impl IntoIterator<Item = (Address, &'a AccountInfo, &'a HashMap<U256, U256, H>)>,
) -> B256 {
    state_root_with_storage_roots(
        accounts
            .into_iter()
            .map(|(address, info, storage)| (address, info, storage_root(storage))),
    )
}

/// The state root from each account's fields and its storage root, for callers that keep
/// storage roots of unchanged accounts instead of rehashing their storage.
pub fn state_root_with_storage_roots<'a>(
    accounts: impl IntoIterator<Item = (Address, &'a AccountInfo, B256)>,
) -> B256 {
    let leaves = accounts
        .into_iter()
        .map(|(address, info, root)| {
            let fields_len = info.nonce.length()
                + info.balance.length()
                + root.length()
                + info.code_hash.length();
            let mut out = Vec::with_capacity(fields_len + 3);
            Header {
                list: true,
                payload_length: fields_len,
            }
            .encode(&mut out);
            info.nonce.encode(&mut out);
            info.balance.encode(&mut out);
            root.encode(&mut out);
            info.code_hash.encode(&mut out);
            (keccak256(address), out)
        })
        .collect();
    trie_root(leaves)
}

/// RLP of a list of logs: `[[address, [topics...], data], ...]`.
pub fn logs_rlp(logs: &[Log]) -> Vec<u8> {
    let mut items = Vec::new();
    for log in logs {
        let topics_len: usize = log.topics.iter().map(|t| t.length()).sum();
        let mut topics = Vec::with_capacity(topics_len + 3);
        Header {
            list: true,
            payload_length: topics_len,
        }
        .encode(&mut topics);
        for t in &log.topics {
            t.encode(&mut topics);
        }
        let payload = log.address.length() + topics.len() + log.data.length();
        Header {
            list: true,
            payload_length: payload,
        }
        .encode(&mut items);
        log.address.encode(&mut items);
        items.extend_from_slice(&topics);
        log.data.encode(&mut items);
    }
    let mut out = Vec::with_capacity(items.len() + 5);
    Header {
        list: true,
        payload_length: items.len(),
    }
    .encode(&mut out);
    out.extend_from_slice(&items);
    out
}

/// Keccak of [`logs_rlp`], as the state tests' `logs` field.
pub fn logs_hash(logs: &[Log]) -> B256 {
    keccak256(logs_rlp(logs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_primitives::EMPTY_ROOT;

    #[test]
    fn empty_roots() {
        assert_eq!(
            state_root(std::iter::empty::<(
                Address,
                &AccountInfo,
                &HashMap<U256, U256>
            )>()),
            EMPTY_ROOT
        );
        assert_eq!(storage_root(std::iter::empty()), EMPTY_ROOT);
        // keccak(rlp([])) = keccak(0xc0)
        assert_eq!(
            logs_hash(&[]),
            ember_primitives::b256!(
                "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
            )
        );
    }
}
