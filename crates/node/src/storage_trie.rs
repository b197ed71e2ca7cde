//! [`StorageTrie`]: one account's storage as a Merkle Patricia trie that keeps its nodes and
//! their encodings, so a block that changes k slots rehashes k paths instead of the whole
//! storage. The dev chain keeps one per account across blocks: the EIP-4788 and EIP-2935
//! ring buffers grow by a slot or two every block, and rehashing them whole made every block
//! slower than the one before.

use std::collections::HashMap;

use alloy_trie::nodes::{BranchNodeRef, ExtensionNodeRef, LeafNodeRef, RlpNode};
use alloy_trie::{Nibbles, TrieMask, EMPTY_ROOT_HASH};
use ember_primitives::{keccak256, B256, U256};

/// A node; paths are nibbles, one a byte. Keys are 64 nibbles, so branches carry no value.
#[derive(Clone, Debug, Default)]
enum Node {
    #[default]
    Empty,
    Leaf {
        path: Vec<u8>,
        value: Vec<u8>,
        rlp: Option<RlpNode>,
    },
    Extension {
        path: Vec<u8>,
        child: Box<Node>,
        rlp: Option<RlpNode>,
    },
    Branch {
        children: Box<[Node; 16]>,
        rlp: Option<RlpNode>,
    },
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn leaf(path: &[u8], value: Vec<u8>) -> Node {
    Node::Leaf {
        path: path.to_vec(),
        value,
        rlp: None,
    }
}

/// `node` under `prefix` more nibbles: merged into a leaf's or extension's path, or an
/// extension over a branch.
fn prefixed(prefix: &[u8], node: Node) -> Node {
    if prefix.is_empty() {
        return node;
    }
    match node {
        Node::Empty => Node::Empty,
        Node::Leaf { path, value, .. } => Node::Leaf {
            path: [prefix, &path].concat(),
            value,
            rlp: None,
        },
        Node::Extension { path, child, .. } => Node::Extension {
            path: [prefix, &path].concat(),
            child,
            rlp: None,
        },
        branch @ Node::Branch { .. } => Node::Extension {
            path: prefix.to_vec(),
            child: Box::new(branch),
            rlp: None,
        },
    }
}

/// A branch holding `a` at nibble `i` and `b` at nibble `j` (i != j), under `prefix`.
fn fork(prefix: &[u8], i: u8, a: Node, j: u8, b: Node) -> Node {
    let mut children: Box<[Node; 16]> = Box::default();
    children[i as usize] = a;
    children[j as usize] = b;
    prefixed(
        prefix,
        Node::Branch {
            children,
            rlp: None,
        },
    )
}

fn insert(node: Node, path: &[u8], value: Vec<u8>) -> Node {
    match node {
        Node::Empty => leaf(path, value),
        Node::Leaf {
            path: old_path,
            value: old_value,
            rlp,
        } => {
            if old_path == path {
                if old_value == value {
                    return Node::Leaf {
                        path: old_path,
                        value: old_value,
                        rlp,
                    };
                }
                return leaf(path, value);
            }
            let c = common_prefix(&old_path, path);
            fork(
                &path[..c],
                old_path[c],
                leaf(&old_path[c + 1..], old_value),
                path[c],
                leaf(&path[c + 1..], value),
            )
        }
        Node::Extension {
            path: ext,
            child,
            rlp,
        } => {
            let c = common_prefix(&ext, path);
            if c == ext.len() {
                return Node::Extension {
                    child: Box::new(insert(*child, &path[c..], value)),
                    path: ext,
                    rlp: None,
                };
            }
            let _ = rlp;
            fork(
                &path[..c],
                ext[c],
                prefixed(&ext[c + 1..], *child),
                path[c],
                leaf(&path[c + 1..], value),
            )
        }
        Node::Branch { mut children, .. } => {
            let i = path[0] as usize;
            children[i] = insert(std::mem::take(&mut children[i]), &path[1..], value);
            Node::Branch {
                children,
                rlp: None,
            }
        }
    }
}

fn remove(node: Node, path: &[u8]) -> Node {
    match node {
        Node::Empty => Node::Empty,
        Node::Leaf { path: p, .. } if p == path => Node::Empty,
        leaf @ Node::Leaf { .. } => leaf,
        Node::Extension {
            path: ext,
            child,
            rlp,
        } => {
            if !path.starts_with(&ext) {
                return Node::Extension {
                    path: ext,
                    child,
                    rlp,
                };
            }
            let child = remove(*child, &path[ext.len()..]);
            prefixed(&ext, child)
        }
        Node::Branch { mut children, .. } => {
            let i = path[0] as usize;
            children[i] = remove(std::mem::take(&mut children[i]), &path[1..]);
            let mut live = children
                .iter()
                .enumerate()
                .filter(|(_, c)| !matches!(c, Node::Empty));
            match (live.next(), live.next()) {
                (None, _) => Node::Empty,
                // One child left: the branch folds into it.
                (Some((only, _)), None) => {
                    let child = std::mem::take(&mut children[only]);
                    prefixed(&[only as u8], child)
                }
                _ => Node::Branch {
                    children,
                    rlp: None,
                },
            }
        }
    }
}

/// The node's reference in its parent (its RLP, or the hash of it), computed once.
fn reference(node: &mut Node, buf: &mut Vec<u8>) -> RlpNode {
    match node {
        Node::Empty => RlpNode::from_rlp(&[alloy_rlp::EMPTY_STRING_CODE]),
        Node::Leaf { path, value, rlp } => {
            if let Some(r) = rlp {
                return r.clone();
            }
            buf.clear();
            let r = LeafNodeRef::new(&Nibbles::from_nibbles(&path[..]), value).rlp(buf);
            *rlp = Some(r.clone());
            r
        }
        Node::Extension { path, child, rlp } => {
            if let Some(r) = rlp {
                return r.clone();
            }
            let child_ref = reference(child, buf);
            buf.clear();
            let r = ExtensionNodeRef::new(&Nibbles::from_nibbles(&path[..]), &child_ref).rlp(buf);
            *rlp = Some(r.clone());
            r
        }
        Node::Branch { children, rlp } => {
            if let Some(r) = rlp {
                return r.clone();
            }
            let mut stack = Vec::with_capacity(16);
            let mut mask = TrieMask::default();
            for (i, child) in children.iter_mut().enumerate() {
                if !matches!(child, Node::Empty) {
                    stack.push(reference(child, buf));
                    mask.set_bit(i as u8);
                }
            }
            buf.clear();
            let r = BranchNodeRef::new(&stack, mask).rlp(buf);
            *rlp = Some(r.clone());
            r
        }
    }
}

/// One account's storage trie (keys keccak(slot), values RLP(value); zeros absent).
#[derive(Clone, Debug, Default)]
pub struct StorageTrie {
    root: Node,
}

fn key_path(slot: U256) -> Vec<u8> {
    Nibbles::unpack(keccak256(slot.to_be_bytes::<32>())).to_vec()
}

impl StorageTrie {
    /// The trie of a whole storage map.
    pub fn from_storage<H>(storage: &HashMap<U256, U256, H>) -> StorageTrie {
        let mut trie = StorageTrie::default();
        for (slot, value) in storage {
            trie.set(*slot, *value);
        }
        trie
    }

    /// Sets `slot` to `value` (zero removes it).
    pub fn set(&mut self, slot: U256, value: U256) {
        let path = key_path(slot);
        let root = std::mem::take(&mut self.root);
        self.root = if value.is_zero() {
            remove(root, &path)
        } else {
            insert(root, &path, alloy_rlp::encode(value))
        };
    }

    /// The storage root, rehashing only what changed since the last call.
    pub fn root(&mut self) -> B256 {
        if matches!(self.root, Node::Empty) {
            return EMPTY_ROOT_HASH;
        }
        let mut buf = Vec::with_capacity(600);
        let reference = reference(&mut self.root, &mut buf);
        reference
            .as_hash()
            .unwrap_or_else(|| keccak256(&reference[..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn matches_a_full_rebuild_through_inserts_updates_and_deletes() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut storage: HashMap<U256, U256> = HashMap::new();
        let mut trie = StorageTrie::default();
        assert_eq!(trie.root(), ember_evm::state::storage_root(&storage));
        for round in 0..400 {
            // A few changes a round over a small key space, so updates and deletes happen.
            for _ in 0..(1 + rng.next() % 6) {
                let slot = U256::from(rng.next() % 300);
                let value = if rng.next().is_multiple_of(3) {
                    U256::ZERO
                } else {
                    U256::from(rng.next() % 1000)
                };
                trie.set(slot, value);
                if value.is_zero() {
                    storage.remove(&slot);
                } else {
                    storage.insert(slot, value);
                }
            }
            assert_eq!(
                trie.root(),
                ember_evm::state::storage_root(&storage),
                "round {round}, {} slots",
                storage.len()
            );
        }
        // Down to nothing again.
        for slot in storage.keys().copied().collect::<Vec<_>>() {
            trie.set(slot, U256::ZERO);
        }
        assert_eq!(trie.root(), EMPTY_ROOT_HASH);
    }

    #[test]
    fn matches_over_a_wide_key_space() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut storage: HashMap<U256, U256> = HashMap::new();
        let mut trie = StorageTrie::default();
        for round in 0..3000 {
            let slot = U256::from(rng.next() % 5000);
            let value = U256::from(rng.next() % 4);
            trie.set(slot, value);
            if value.is_zero() {
                storage.remove(&slot);
            } else {
                storage.insert(slot, value);
            }
            if round % 250 == 0 {
                assert_eq!(trie.root(), ember_evm::state::storage_root(&storage));
            }
        }
        assert_eq!(trie.root(), ember_evm::state::storage_root(&storage));
    }

    #[test]
    fn one_slot_and_a_rebuilt_map_agree() {
        let storage: HashMap<U256, U256> = (0..50u64)
            .map(|i| (U256::from(i * 7919), U256::from(i + 1)))
            .collect();
        let mut trie = StorageTrie::from_storage(&storage);
        assert_eq!(trie.root(), ember_evm::state::storage_root(&storage));
        let one: HashMap<U256, U256> = [(U256::from(1), U256::from(2))].into();
        assert_eq!(
            StorageTrie::from_storage(&one).root(),
            ember_evm::state::storage_root(&one)
        );
    }
}
