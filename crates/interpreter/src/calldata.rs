//! A frame's calldata: owned bytes, or a view of the suspended caller's memory, so a CALL
//! hands its input to the callee without copying it.

use ember_primitives::Bytes;
use std::ops::Deref;

/// Calldata of one frame. Derefs to the bytes.
pub struct CallData {
    /// Keeps owned bytes alive (empty for a borrowed view).
    owner: Bytes,
    ptr: *const u8,
    len: usize,
}

// SAFETY: `CallData` is either owned `Bytes` (Send + Sync) or a read-only view whose
// constructor's contract keeps the viewed memory alive and unchanged for the view's whole
// life, wherever the view is moved or shared; nothing is ever written through `ptr`.
unsafe impl Send for CallData {}
// SAFETY: as above: shared access only ever reads.
unsafe impl Sync for CallData {}

impl CallData {
    /// Calldata that owns its bytes.
    pub fn owned(bytes: Bytes) -> CallData {
        CallData {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
            owner: bytes,
        }
    }

    /// A view of `bytes` without a copy (a caller's memory range).
    ///
    /// # Safety
    /// The memory `bytes` points to must stay allocated and unchanged for as long as the
    /// returned value (or the interpreter holding it) lives. The executor guarantees this
    /// for a callee's input: the caller is suspended below the callee on the frame stack,
    /// and its memory is neither grown nor written until the callee's frame is dropped.
    pub unsafe fn borrowed(bytes: &[u8]) -> CallData {
        CallData {
            owner: Bytes::new(),
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        }
    }

    /// The bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr`/`len` describe either `owner`'s bytes (heap or static data that
        // moving `Bytes` does not move) or memory the `borrowed` contract keeps valid.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// The bytes as owned [`Bytes`] (a copy only for a borrowed view).
    pub fn to_bytes(&self) -> Bytes {
        if self.owner.len() == self.len {
            self.owner.clone()
        } else {
            Bytes::copy_from_slice(self.as_slice())
        }
    }
}

impl Deref for CallData {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Default for CallData {
    fn default() -> Self {
        CallData::owned(Bytes::new())
    }
}

impl From<Bytes> for CallData {
    fn from(bytes: Bytes) -> Self {
        CallData::owned(bytes)
    }
}

impl Clone for CallData {
    /// A clone always owns its bytes, so it may outlive a borrowed original.
    fn clone(&self) -> Self {
        CallData::owned(self.to_bytes())
    }
}

impl std::fmt::Debug for CallData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CallData(0x{})",
            ember_primitives::hex::encode(self.as_slice())
        )
    }
}

impl PartialEq for CallData {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for CallData {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_and_borrowed_views_agree() {
        let bytes = Bytes::from_static(&[1, 2, 3]);
        let owned = CallData::owned(bytes.clone());
        let memory = vec![9u8, 1, 2, 3, 9];
        // SAFETY: `memory` outlives `view` and is not changed while it lives.
        let view = unsafe { CallData::borrowed(&memory[1..4]) };
        assert_eq!(&*owned, &[1, 2, 3]);
        assert_eq!(owned, view);
        let copy = view.clone();
        assert_eq!(copy.to_bytes(), bytes);
        drop(view);
        drop(memory);
        assert_eq!(&*copy, &[1, 2, 3]);
        assert!(CallData::default().is_empty());
    }
}
