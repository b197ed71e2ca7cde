//! `eth_getProof` (EIP-1186): account and storage proofs from the state trie.
//!
//! The tries are rebuilt from the state at the block with alloy-trie's `HashBuilder`, which
//! keeps the nodes on the paths to the requested keys. A proof is the list of RLP nodes from
//! the root down to the key (or to where the key's path leaves the trie, for a key that is
//! absent); an empty trie's proof is its single empty node `0x80`, as anvil returns it.

use alloy_rlp::Encodable;
use alloy_trie::proof::ProofRetainer;
use alloy_trie::{HashBuilder, Nibbles};
use ember_evm::InMemoryDb;
use ember_primitives::{keccak256, Address, Bytes, B256, KECCAK_EMPTY, U256};
use ember_rpc::RpcError;
use serde_json::{json, Value};

use crate::node::NodeState;
use crate::params::{BlockId, Params};

/// One slot's proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageProof {
    /// The slot.
    pub key: U256,
    /// Its value (zero when unset).
    pub value: U256,
    /// RLP nodes from the storage root down.
    pub proof: Vec<Bytes>,
}

/// An account's proof with the proofs of some of its slots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountProof {
    /// The account.
    pub address: Address,
    /// Balance (zero when absent).
    pub balance: U256,
    /// Nonce (zero when absent).
    pub nonce: u64,
    /// Code hash (the empty code's hash when absent).
    pub code_hash: B256,
    /// Storage root (the empty root when absent).
    pub storage_hash: B256,
    /// RLP nodes from the state root down.
    pub account_proof: Vec<Bytes>,
    /// The slots' proofs, in the order asked.
    pub storage_proof: Vec<StorageProof>,
}

/// The root of a trie of `(hashed key, RLP value)` leaves and the proof of each target (in
/// the order given).
fn prove(mut leaves: Vec<(B256, Vec<u8>)>, targets: &[B256]) -> (B256, Vec<Vec<Bytes>>) {
    leaves.sort_unstable_by_key(|leaf| leaf.0);
    let paths: Vec<Nibbles> = targets.iter().map(|t| Nibbles::unpack(t)).collect();
    let mut builder = HashBuilder::default().with_proof_retainer(ProofRetainer::new(paths.clone()));
    for (key, value) in &leaves {
        builder.add_leaf(Nibbles::unpack(key), value);
    }
    let root = builder.root();
    let nodes = builder.take_proof_nodes();
    let proofs = paths
        .iter()
        .map(|path| {
            nodes
                .matching_nodes_sorted(path)
                .into_iter()
                .map(|(_, node)| node)
                .collect()
        })
        .collect();
    (root, proofs)
}

/// The storage trie's leaves of an account.
fn storage_leaves<'a>(
    storage: impl IntoIterator<Item = (&'a U256, &'a U256)>,
) -> Vec<(B256, Vec<u8>)> {
    storage
        .into_iter()
        .filter(|(_, v)| !v.is_zero())
        .map(|(k, v)| (keccak256(k.to_be_bytes::<32>()), alloy_rlp::encode(v)))
        .collect()
}

/// RLP of an account in the state trie: `[nonce, balance, storage root, code hash]`.
fn account_rlp(info: &ember_evm::AccountInfo, storage_root: B256) -> Vec<u8> {
    let payload_length = info.nonce.length()
        + info.balance.length()
        + storage_root.length()
        + info.code_hash.length();
    let mut out = Vec::with_capacity(payload_length + 3);
    alloy_rlp::Header {
        list: true,
        payload_length,
    }
    .encode(&mut out);
    info.nonce.encode(&mut out);
    info.balance.encode(&mut out);
    storage_root.encode(&mut out);
    info.code_hash.encode(&mut out);
    out
}

/// The proof of `address` and its `slots` in `db`.
pub fn account_proof(db: &InMemoryDb, address: Address, slots: &[U256]) -> AccountProof {
    let account = db.accounts.get(&address);
    let (storage_hash, storage_proofs) = match account {
        Some(acc) => {
            let targets: Vec<B256> = slots
                .iter()
                .map(|s| keccak256(s.to_be_bytes::<32>()))
                .collect();
            prove(storage_leaves(&acc.storage), &targets)
        }
        None => (
            ember_primitives::EMPTY_ROOT,
            // An empty trie's proof: its root node, the empty string.
            vec![vec![Bytes::from_static(&[alloy_rlp::EMPTY_STRING_CODE])]; slots.len()],
        ),
    };
    let leaves = db
        .accounts
        .iter()
        .map(|(addr, acc)| {
            let storage_root = if *addr == address {
                storage_hash
            } else {
                ember_evm::state::storage_root(&acc.storage)
            };
            (keccak256(addr), account_rlp(&acc.info, storage_root))
        })
        .collect();
    let (_, mut account_proofs) = prove(leaves, &[keccak256(address)]);
    let storage_proof = slots
        .iter()
        .zip(storage_proofs)
        .map(|(key, proof)| StorageProof {
            key: *key,
            value: account
                .and_then(|a| a.storage.get(key).copied())
                .unwrap_or_default(),
            proof,
        })
        .collect();
    AccountProof {
        address,
        balance: account.map_or(U256::ZERO, |a| a.info.balance),
        nonce: account.map_or(0, |a| a.info.nonce),
        code_hash: account.map_or(KECCAK_EMPTY, |a| a.info.code_hash),
        storage_hash,
        account_proof: account_proofs.pop().unwrap_or_default(),
        storage_proof,
    }
}

impl AccountProof {
    /// The proof as `eth_getProof` returns it.
    pub fn to_json(&self) -> Value {
        json!({
            "address": self.address,
            "balance": format!("{:#x}", self.balance),
            "codeHash": self.code_hash,
            "nonce": format!("{:#x}", self.nonce),
            "storageHash": self.storage_hash,
            "accountProof": self.account_proof,
            "storageProof": self.storage_proof.iter().map(|p| json!({
                "key": B256::from(p.key),
                "value": format!("{:#x}", p.value),
                "proof": p.proof,
            })).collect::<Vec<_>>(),
        })
    }
}

/// `eth_getProof [address, slots, block]`.
pub fn get_proof(s: &NodeState, p: &Params) -> Result<Value, RpcError> {
    let address: Address = p.required(0, "address")?;
    let slots: Vec<U256> = p.required(1, "storageKeys")?;
    let block: Option<BlockId> = p.optional(2, "block")?;
    let state = s.state_at(block)?;
    let mut out = account_proof(&state, address, &slots).to_json();
    // The specification writes each key as a quantity.
    if s.config.follows_spec() {
        if let Some(Value::Array(proofs)) = out.get_mut("storageProof") {
            for (proof, key) in proofs.iter_mut().zip(&slots) {
                proof["key"] = json!(format!("{key:#x}"));
            }
        }
    }
    Ok(out)
}
