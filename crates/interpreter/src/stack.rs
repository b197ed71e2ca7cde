//! The operand stack: 1024 words, allocated once and reused.

use crate::exit::Exit;
use ember_primitives::U256;
use std::mem::MaybeUninit;

/// Maximum stack depth.
pub const STACK_LIMIT: usize = 1024;

/// A fixed-capacity stack of 256-bit words. Invariant: `len <= STACK_LIMIT`, and the first
/// `len` slots are initialised and hold the items, bottom first; the rest are never read.
#[derive(Clone)]
pub struct Stack {
    data: Box<[MaybeUninit<U256>; STACK_LIMIT]>,
    len: usize,
}

impl std::fmt::Debug for Stack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.data()).finish()
    }
}

impl Default for Stack {
    fn default() -> Self {
        Stack::new()
    }
}

impl Stack {
    /// An empty stack with room for [`STACK_LIMIT`] items (the only allocation it makes).
    pub fn new() -> Stack {
        // Uninitialised: a slot is written by `push` before it is ever read.
        let data = Box::new_uninit_slice(STACK_LIMIT);
        Stack {
            // The slice has exactly `STACK_LIMIT` slots, so the conversion cannot fail.
            data: data.try_into().unwrap_or_else(|_| unreachable!()),
            len: 0,
        }
    }

    /// Number of items.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The items, bottom first.
    #[inline]
    pub fn data(&self) -> &[U256] {
        // SAFETY: the first `len` slots are initialised (the type's invariant), and
        // `MaybeUninit<U256>` has the layout of `U256`.
        unsafe { std::slice::from_raw_parts(self.data.as_ptr().cast::<U256>(), self.len) }
    }

    /// The bottom slot, for the run loop, which keeps the top of the stack in a register
    /// and writes the count back with [`Stack::set_len`] before anything else looks.
    #[inline]
    pub(crate) fn base_ptr(&mut self) -> *mut U256 {
        self.data.as_mut_ptr().cast::<U256>()
    }

    /// Sets the item count.
    ///
    /// # Safety
    /// `len <= STACK_LIMIT`, and the first `len` slots must have been written.
    #[inline]
    pub(crate) unsafe fn set_len(&mut self, len: usize) {
        debug_assert!(len <= STACK_LIMIT);
        self.len = len;
    }

    /// Removes every item, keeping the allocation.
    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Pushes a word, failing with [`Exit::StackOverflow`] at the limit.
    #[inline]
    pub fn push(&mut self, value: U256) -> Result<(), Exit> {
        if self.len == STACK_LIMIT {
            return Err(Exit::StackOverflow);
        }
        // SAFETY: `len < STACK_LIMIT` was checked above.
        unsafe { self.data.get_unchecked_mut(self.len).write(value) };
        self.len += 1;
        Ok(())
    }

    /// Pops `N` words, the top first.
    #[inline]
    pub fn popn<const N: usize>(&mut self) -> Result<[U256; N], Exit> {
        if self.len < N {
            return Err(Exit::StackUnderflow);
        }
        let mut out = [U256::ZERO; N];
        for (i, slot) in out.iter_mut().enumerate() {
            // SAFETY: `N <= len <= STACK_LIMIT`, so `len - 1 - i` is an initialised slot.
            *slot = unsafe { self.data.get_unchecked(self.len - 1 - i).assume_init() };
        }
        self.len -= N;
        Ok(out)
    }

    /// Pops `N` words and returns them with a mutable reference to the new top (for
    /// binary operations that replace the top in place).
    #[inline]
    pub fn popn_top<const N: usize>(&mut self) -> Result<([U256; N], &mut U256), Exit> {
        if self.len <= N {
            return Err(Exit::StackUnderflow);
        }
        let out = self.popn::<N>()?;
        // SAFETY: `len > N` was checked above, so an initialised item is left below.
        let top = unsafe { self.data.get_unchecked_mut(self.len - 1).assume_init_mut() };
        Ok((out, top))
    }

    /// A mutable reference to the top item.
    #[inline]
    pub fn top(&mut self) -> Result<&mut U256, Exit> {
        if self.len == 0 {
            return Err(Exit::StackUnderflow);
        }
        // SAFETY: `0 < len <= STACK_LIMIT`: the top slot is initialised.
        Ok(unsafe { self.data.get_unchecked_mut(self.len - 1).assume_init_mut() })
    }

    /// DUPn: copies the `N`th item (1 = top) onto the top.
    #[inline]
    pub fn dup<const N: usize>(&mut self) -> Result<(), Exit> {
        const { assert!(N >= 1 && N <= 16) };
        if self.len < N {
            return Err(Exit::StackUnderflow);
        }
        if self.len == STACK_LIMIT {
            return Err(Exit::StackOverflow);
        }
        // SAFETY: `1 <= N <= len < STACK_LIMIT`: slot `len - N` is initialised and slot
        // `len` is in bounds.
        unsafe {
            let value = self.data.get_unchecked(self.len - N).assume_init();
            self.data.get_unchecked_mut(self.len).write(value);
        }
        self.len += 1;
        Ok(())
    }

    /// SWAPn: exchanges the top with the item `N` below it.
    #[inline]
    pub fn swap<const N: usize>(&mut self) -> Result<(), Exit> {
        const { assert!(N >= 1 && N <= 16) };
        if self.len <= N {
            return Err(Exit::StackUnderflow);
        }
        // SAFETY: `N < len <= STACK_LIMIT`, so `top` and `top - N` are two distinct
        // initialised slots of the array.
        unsafe {
            let top = self.data.as_mut_ptr().add(self.len - 1);
            std::ptr::swap_nonoverlapping(top, top.sub(N), 1);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        let mut s = Stack::new();
        for i in 0..STACK_LIMIT {
            s.push(U256::from(i)).unwrap();
        }
        assert_eq!(s.push(U256::ZERO), Err(Exit::StackOverflow));
        let [a, b] = s.popn::<2>().unwrap();
        assert_eq!((a, b), (U256::from(1023), U256::from(1022)));
        s.clear();
        assert_eq!(s.popn::<1>(), Err(Exit::StackUnderflow));
        assert_eq!(s.swap::<1>(), Err(Exit::StackUnderflow));
        assert_eq!(s.dup::<1>(), Err(Exit::StackUnderflow));
    }
}
