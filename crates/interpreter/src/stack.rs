//! The operand stack: 1024 words, allocated once and reused.

use crate::interpreter::Exit;
use ember_primitives::U256;

/// Maximum stack depth.
pub const STACK_LIMIT: usize = 1024;

/// A fixed-capacity stack of 256-bit words.
#[derive(Clone, Debug)]
pub struct Stack {
    data: Vec<U256>,
}

impl Default for Stack {
    fn default() -> Self {
        Stack::new()
    }
}

impl Stack {
    /// An empty stack with room for [`STACK_LIMIT`] items (the only allocation it makes).
    pub fn new() -> Stack {
        Stack {
            data: Vec::with_capacity(STACK_LIMIT),
        }
    }

    /// Number of items.
    #[inline]
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The items, bottom first.
    #[inline]
    pub fn data(&self) -> &[U256] {
        &self.data
    }

    /// Removes every item, keeping the allocation.
    #[inline]
    pub fn clear(&mut self) {
        self.data.clear();
    }

    /// Pushes a word, failing with [`Exit::StackOverflow`] at the limit.
    #[inline]
    pub fn push(&mut self, value: U256) -> Result<(), Exit> {
        if self.data.len() == STACK_LIMIT {
            return Err(Exit::StackOverflow);
        }
        self.data.push(value);
        Ok(())
    }

    /// Pops `N` words, the top first.
    #[inline]
    pub fn popn<const N: usize>(&mut self) -> Result<[U256; N], Exit> {
        let len = self.data.len();
        if len < N {
            return Err(Exit::StackUnderflow);
        }
        let mut out = [U256::ZERO; N];
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = self.data[len - 1 - i];
        }
        // SAFETY: `len >= N` was checked above, and U256 has no destructor.
        unsafe { self.data.set_len(len - N) };
        Ok(out)
    }

    /// Pops `N` words and returns them with a mutable reference to the new top (for
    /// binary operations that replace the top in place).
    #[inline]
    pub fn popn_top<const N: usize>(&mut self) -> Result<([U256; N], &mut U256), Exit> {
        let len = self.data.len();
        if len < N + 1 {
            return Err(Exit::StackUnderflow);
        }
        let mut out = [U256::ZERO; N];
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = self.data[len - 1 - i];
        }
        // SAFETY: `len >= N + 1` was checked above, and U256 has no destructor.
        unsafe { self.data.set_len(len - N) };
        let top = self.data.last_mut().ok_or(Exit::StackUnderflow)?;
        Ok((out, top))
    }

    /// A mutable reference to the top item.
    #[inline]
    pub fn top(&mut self) -> Result<&mut U256, Exit> {
        self.data.last_mut().ok_or(Exit::StackUnderflow)
    }

    /// DUPn: copies the `n`th item (1 = top) onto the top.
    #[inline]
    pub fn dup(&mut self, n: usize) -> Result<(), Exit> {
        let len = self.data.len();
        if len < n {
            return Err(Exit::StackUnderflow);
        }
        let value = self.data[len - n];
        self.push(value)
    }

    /// SWAPn: exchanges the top with the item `n` below it.
    #[inline]
    pub fn swap(&mut self, n: usize) -> Result<(), Exit> {
        let len = self.data.len();
        if len <= n {
            return Err(Exit::StackUnderflow);
        }
        self.data.swap(len - 1, len - 1 - n);
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
        assert_eq!(s.swap(1), Err(Exit::StackUnderflow));
    }
}
