//! Call-frame memory: a byte vector that only grows, in 32-byte words, after its expansion
//! gas has been charged.

use ember_primitives::U256;

/// The granularity of memory allocations, in bytes.
pub const PAGE: usize = 4096;

/// The memory of one call frame.
#[derive(Clone, Debug, Default)]
pub struct Memory {
    data: Vec<u8>,
}

impl Memory {
    /// Empty memory.
    pub fn new() -> Memory {
        Memory { data: Vec::new() }
    }

    /// Size in bytes (always a multiple of 32).
    #[inline]
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when nothing has been touched.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Bytes allocated, used or not (a buffer reused by the next frame keeps them).
    #[inline]
    pub fn capacity(&self) -> usize {
        self.data.capacity()
    }

    /// The whole memory.
    #[inline]
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Empties the memory, keeping the allocation.
    pub fn clear(&mut self) {
        self.data.clear();
    }

    /// Grows to `new_len` bytes (zero-filled). The caller has charged the gas.
    ///
    /// The allocation grows to `new_len` rounded up to a [`PAGE`], never by doubling, so a
    /// frame never holds more than one page beyond what its gas paid for (a buffer reused
    /// from an earlier frame keeps what that frame paid for). Large reallocations are
    /// remapped by the allocator rather than copied.
    #[inline]
    pub fn resize(&mut self, new_len: usize) {
        if new_len > self.data.len() {
            if new_len > self.data.capacity() {
                let target = new_len.div_ceil(PAGE) * PAGE;
                self.data.reserve_exact(target - self.data.len());
            }
            self.data.resize(new_len, 0);
        }
    }

    /// `len` bytes from `offset`; the range must be inside memory.
    #[inline]
    pub fn slice(&self, offset: usize, len: usize) -> &[u8] {
        &self.data[offset..offset + len]
    }

    /// The big-endian word at `offset`; the 32 bytes must be inside memory. Read as four
    /// 8-byte loads (like [`Memory::set_word`]'s stores, so that a word just stored is
    /// forwarded to the next load rather than stalling it).
    #[inline]
    pub fn word(&self, offset: usize) -> U256 {
        let bytes: &[u8; 32] = self.data[offset..offset + 32]
            .try_into()
            .unwrap_or_else(|_| unreachable!());
        let limb = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[24 - 8 * i..32 - 8 * i]);
            u64::from_be_bytes(b)
        };
        U256::from_limbs([limb(0), limb(1), limb(2), limb(3)])
    }

    /// Stores `value` big-endian at `offset`; the 32 bytes must be inside memory.
    #[inline]
    pub fn set_word(&mut self, offset: usize, value: U256) {
        let bytes: &mut [u8; 32] = (&mut self.data[offset..offset + 32])
            .try_into()
            .unwrap_or_else(|_| unreachable!());
        for (i, limb) in value.as_limbs().iter().enumerate() {
            bytes[24 - 8 * i..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
        }
    }

    /// Mutable `len` bytes from `offset`; the range must be inside memory.
    #[inline]
    pub fn slice_mut(&mut self, offset: usize, len: usize) -> &mut [u8] {
        &mut self.data[offset..offset + len]
    }

    /// Copies `len` bytes of `src` starting at `src_offset` to `offset`, zero-filling what
    /// lies past the end of `src` (the CALLDATACOPY/CODECOPY rule).
    pub fn set_padded(&mut self, offset: usize, src: &[u8], src_offset: usize, len: usize) {
        if len == 0 {
            return;
        }
        let dst = &mut self.data[offset..offset + len];
        let available = src.len().saturating_sub(src_offset).min(len);
        if available > 0 {
            dst[..available].copy_from_slice(&src[src_offset..src_offset + available]);
        }
        dst[available..].fill(0);
    }

    /// MCOPY: copies within memory; both ranges must be inside memory.
    pub fn copy_within(&mut self, src: usize, dst: usize, len: usize) {
        self.data.copy_within(src..src + len, dst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_stays_within_a_page_of_the_paid_size() {
        let mut memory = Memory::new();
        // Word by word up to 1 MiB (as MSTORE loops grow it), then a few big jumps.
        let sizes = (1..=32_768)
            .map(|w| w * 32)
            .chain([3_000_032, 4_000_000 + 32]);
        for len in sizes {
            memory.resize(len);
            assert_eq!(memory.len(), len);
            let slack = memory.data.capacity() - len;
            assert!(
                slack < PAGE,
                "{len} bytes paid, {} allocated",
                memory.data.capacity()
            );
        }
    }

    #[test]
    fn growth_zero_fills_and_keeps_contents() {
        let mut memory = Memory::new();
        memory.resize(64);
        memory.slice_mut(0, 4).copy_from_slice(&[1, 2, 3, 4]);
        memory.resize(10_000);
        assert_eq!(memory.slice(0, 4), &[1, 2, 3, 4]);
        assert!(memory.slice(4, 9_996).iter().all(|&b| b == 0));
    }
}
