//! EVM bytecode as the interpreter wants it: analysed once (jump destinations) and padded so
//! that reading an immediate or running off the end never needs a bounds check.
#![deny(missing_docs)]

pub mod asm;
pub mod disasm;
pub mod opcode;

use ember_primitives::{keccak256, Bytes, B256, KECCAK_EMPTY};
use std::sync::{Arc, OnceLock};

/// Zero bytes appended after the code: 32 for a PUSH32 at the very end, one more for the
/// implicit STOP the interpreter then reads.
pub const PADDING: usize = 33;

/// Analysed legacy bytecode. Cheap to clone (`Arc` inside); build it once per code hash.
#[derive(Clone, Debug)]
pub struct Bytecode {
    inner: Arc<Analysed>,
}

#[derive(Debug)]
struct Analysed {
    /// The original code, as deployed.
    original: Bytes,
    /// `original` followed by [`PADDING`] zero bytes.
    padded: Box<[u8]>,
    /// One bit per code byte: set where a JUMPDEST opcode (not PUSH data) stands.
    jumpdests: Box<[u64]>,
    /// Keccak-256 of `original`, computed when first asked for: initcode runs without ever
    /// being hashed.
    hash: OnceLock<B256>,
}

impl Default for Bytecode {
    fn default() -> Self {
        Bytecode::new(Bytes::new())
    }
}

impl PartialEq for Bytecode {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.hash() == other.hash()
    }
}

impl Eq for Bytecode {}

impl Bytecode {
    /// Analyses `code`: pads it and marks its jump destinations in one pass. Its hash is
    /// computed on the first call to [`Bytecode::hash`].
    pub fn new(code: Bytes) -> Bytecode {
        Bytecode::analyse(code, OnceLock::new())
    }

    /// As [`Bytecode::new`], trusting a hash the caller already knows.
    pub fn new_with_hash(code: Bytes, hash: B256) -> Bytecode {
        Bytecode::analyse(code, OnceLock::from(hash))
    }

    fn analyse(code: Bytes, hash: OnceLock<B256>) -> Bytecode {
        if code.is_empty() {
            // Every empty `Bytecode` shares one analysis, so the journal's default account
            // (made for every account it loads) costs no allocation.
            static EMPTY: OnceLock<Bytecode> = OnceLock::new();
            return EMPTY
                .get_or_init(|| Bytecode::analyse_code(Bytes::new(), OnceLock::from(KECCAK_EMPTY)))
                .clone();
        }
        Bytecode::analyse_code(code, hash)
    }

    fn analyse_code(code: Bytes, hash: OnceLock<B256>) -> Bytecode {
        let len = code.len();
        let mut padded = Vec::with_capacity(len + PADDING);
        padded.extend_from_slice(&code);
        padded.resize(len + PADDING, 0);
        let mut jumpdests = vec![0u64; len.div_ceil(64)].into_boxed_slice();
        let mut i = 0;
        while i < len {
            let op = code[i];
            if op == opcode::JUMPDEST {
                jumpdests[i / 64] |= 1 << (i % 64);
            } else if (opcode::PUSH1..=opcode::PUSH32).contains(&op) {
                i += (op - opcode::PUSH1 + 1) as usize;
            }
            i += 1;
        }
        Bytecode {
            inner: Arc::new(Analysed {
                original: code,
                padded: padded.into_boxed_slice(),
                jumpdests,
                hash,
            }),
        }
    }

    /// The code as deployed.
    #[inline]
    pub fn original(&self) -> &Bytes {
        &self.inner.original
    }

    /// The code followed by [`PADDING`] zero bytes.
    #[inline]
    pub fn padded(&self) -> &[u8] {
        &self.inner.padded
    }

    /// Length of the original code.
    #[inline]
    pub fn len(&self) -> usize {
        self.inner.original.len()
    }

    /// True for an account without code.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.inner.original.is_empty()
    }

    /// Keccak-256 of the original code.
    #[inline]
    pub fn hash(&self) -> B256 {
        *self.inner.hash.get_or_init(|| {
            if self.inner.original.is_empty() {
                KECCAK_EMPTY
            } else {
                keccak256(&self.inner.original)
            }
        })
    }

    /// The jump-destination bitmap: bit `pc % 64` of word `pc / 64` is set where a JUMPDEST
    /// opcode (not PUSH data) stands; words past the end are absent.
    #[inline]
    pub fn jumpdest_bitmap(&self) -> &[u64] {
        &self.inner.jumpdests
    }

    /// True when `pc` holds a JUMPDEST opcode (not PUSH data).
    #[inline]
    pub fn is_jumpdest(&self, pc: usize) -> bool {
        match self.inner.jumpdests.get(pc / 64) {
            Some(word) => word & (1 << (pc % 64)) != 0,
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jumpdest_inside_push_data_is_not_one() {
        // PUSH1 0x5b, JUMPDEST
        let code = Bytecode::new(Bytes::from_static(&[0x60, 0x5b, 0x5b]));
        assert!(!code.is_jumpdest(1));
        assert!(code.is_jumpdest(2));
        assert!(!code.is_jumpdest(3));
        assert!(!code.is_jumpdest(1 << 40));
    }

    #[test]
    fn truncated_push_is_padded() {
        let code = Bytecode::new(Bytes::from_static(&[0x7f, 0x01]));
        assert_eq!(code.len(), 2);
        assert_eq!(code.padded().len(), 2 + PADDING);
        assert!(code.padded()[2..].iter().all(|b| *b == 0));
    }

    #[test]
    fn empty_code_hash() {
        assert_eq!(Bytecode::default().hash(), KECCAK_EMPTY);
    }

    #[test]
    fn empty_code_shares_one_analysis() {
        let (a, b) = (Bytecode::default(), Bytecode::new(Bytes::new()));
        assert!(Arc::ptr_eq(&a.inner, &b.inner));
        assert_eq!(b.hash(), KECCAK_EMPTY);
        assert_eq!(b.padded(), &[0u8; PADDING][..]);
        assert!(b.jumpdest_bitmap().is_empty() && !b.is_jumpdest(0));
    }
}
