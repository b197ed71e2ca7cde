//! Generated programs: a list of fragments, each a short piece of code, assembled into EVM
//! bytecode with jump labels resolved at assembly time. Fragments are the unit the minimiser
//! drops, so jumps stay valid (or fail the same way) whatever is removed around them.

use ember_evm::U256;

/// One element of a fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A bare opcode.
    Op(u8),
    /// `PUSHn value` with the fewest bytes that hold it (at least one).
    Push(U256),
    /// A `JUMPDEST` carrying a label.
    Label(u32),
    /// `PUSH2` of a label's offset (`0xffff`, an invalid target, if the label is gone).
    PushLabel(u32),
    /// `PUSH` of the length of the enclosing [`Frag::WithCode`]'s code.
    CodeLen,
    /// Raw bytes copied as they are (junk, truncated pushes, ...).
    Raw(Vec<u8>),
}

/// Code placed by a [`Frag::WithCode`]: a nested program or plain bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Code {
    /// A program assembled on its own (its labels are its own).
    Program(Program),
    /// Bytes as they are.
    Raw(Vec<u8>),
}

impl Code {
    /// The bytes of this code.
    pub fn assemble(&self) -> Vec<u8> {
        match self {
            Code::Program(p) => p.assemble(),
            Code::Raw(b) => b.clone(),
        }
    }
}

/// A fragment: the unit of generation and of minimisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frag {
    /// Straight-line items.
    Ops(Vec<Item>),
    /// Writes `code` into memory at `offset` (32-byte `MSTORE`s, the last one zero-padded),
    /// then runs `tail` ([`Item::CodeLen`] pushes the code's length). Calls use it for their
    /// input, creations for their initcode, initcode for the runtime code it returns.
    WithCode {
        /// Memory offset the code is written at.
        offset: u64,
        /// What is written.
        code: Box<Code>,
        /// What runs after.
        tail: Vec<Item>,
    },
}

/// A program: fragments in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    /// The fragments.
    pub frags: Vec<Frag>,
}

/// The minimal big-endian bytes of `v` (one zero byte for zero).
fn be_min(v: U256) -> Vec<u8> {
    let bytes = v.to_be_bytes::<32>();
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(31);
    bytes[skip..].to_vec()
}

/// Appends `PUSHn v`.
fn push(out: &mut Vec<u8>, v: U256) {
    let b = be_min(v);
    out.push(0x5f + b.len() as u8);
    out.extend_from_slice(&b);
}

impl Program {
    /// A program of these fragments.
    pub fn new(frags: Vec<Frag>) -> Program {
        Program { frags }
    }

    /// Assembles the program: two passes, the first placing labels (a label push is always
    /// `PUSH2`), the second emitting bytes.
    pub fn assemble(&self) -> Vec<u8> {
        let mut labels = std::collections::HashMap::new();
        let mut scratch = Vec::new();
        self.emit(
            &mut scratch,
            &mut |l, pos| {
                labels.entry(l).or_insert(pos);
            },
            &|_| 0,
        );
        let mut out = Vec::with_capacity(scratch.len());
        self.emit(&mut out, &mut |_, _| {}, &|l| {
            labels.get(&l).copied().unwrap_or(0xffff)
        });
        out
    }

    fn emit(
        &self,
        out: &mut Vec<u8>,
        place: &mut dyn FnMut(u32, usize),
        resolve: &dyn Fn(u32) -> usize,
    ) {
        for frag in &self.frags {
            match frag {
                Frag::Ops(items) => emit_items(out, items, 0, place, resolve),
                Frag::WithCode { offset, code, tail } => {
                    let bytes = code.assemble();
                    for (i, chunk) in bytes.chunks(32).enumerate() {
                        let mut word = [0u8; 32];
                        word[..chunk.len()].copy_from_slice(chunk);
                        out.push(0x7f);
                        out.extend_from_slice(&word);
                        push(out, U256::from(offset.saturating_add(32 * i as u64)));
                        out.push(0x52);
                    }
                    emit_items(out, tail, bytes.len(), place, resolve);
                }
            }
        }
    }

    /// The number of fragments, nested ones included (pre-order).
    pub fn count(&self) -> usize {
        self.frags
            .iter()
            .map(|f| {
                1 + match f {
                    Frag::WithCode { code, .. } => match code.as_ref() {
                        Code::Program(p) => p.count(),
                        Code::Raw(_) => 0,
                    },
                    Frag::Ops(_) => 0,
                }
            })
            .sum()
    }

    /// Removes the `n`-th fragment in pre-order (see [`Program::count`]); returns the
    /// remaining `n` when this program has fewer than `n + 1` fragments.
    pub fn remove_nth(&mut self, mut n: usize) -> Result<(), usize> {
        let mut i = 0;
        while i < self.frags.len() {
            if n == 0 {
                self.frags.remove(i);
                return Ok(());
            }
            n -= 1;
            if let Frag::WithCode { code, .. } = &mut self.frags[i] {
                if let Code::Program(p) = code.as_mut() {
                    match p.remove_nth(n) {
                        Ok(()) => return Ok(()),
                        Err(rest) => n = rest,
                    }
                }
            }
            i += 1;
        }
        Err(n)
    }
}

fn emit_items(
    out: &mut Vec<u8>,
    items: &[Item],
    code_len: usize,
    place: &mut dyn FnMut(u32, usize),
    resolve: &dyn Fn(u32) -> usize,
) {
    for item in items {
        match item {
            Item::Op(op) => out.push(*op),
            Item::Push(v) => push(out, *v),
            Item::Label(l) => {
                place(*l, out.len());
                out.push(0x5b);
            }
            Item::PushLabel(l) => {
                let at = resolve(*l).min(0xffff) as u16;
                out.push(0x61);
                out.extend_from_slice(&at.to_be_bytes());
            }
            Item::CodeLen => push(out, U256::from(code_len)),
            Item::Raw(b) => out.extend_from_slice(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_resolve_forward_and_back() {
        let p = Program::new(vec![
            Frag::Ops(vec![Item::PushLabel(7), Item::Op(0x56)]),
            Frag::Ops(vec![
                Item::Op(0x00),
                Item::Label(7),
                Item::Push(U256::from(0x1234)),
            ]),
        ]);
        assert_eq!(
            p.assemble(),
            vec![0x61, 0x00, 0x05, 0x56, 0x00, 0x5b, 0x61, 0x12, 0x34]
        );
    }

    #[test]
    fn missing_label_is_invalid_target() {
        let p = Program::new(vec![Frag::Ops(vec![Item::PushLabel(1)])]);
        assert_eq!(p.assemble(), vec![0x61, 0xff, 0xff]);
    }

    #[test]
    fn with_code_and_removal() {
        let inner = Program::new(vec![Frag::Ops(vec![Item::Op(0x00)]); 2]);
        let mut p = Program::new(vec![
            Frag::Ops(vec![Item::Op(0x01)]),
            Frag::WithCode {
                offset: 0,
                code: Box::new(Code::Program(inner)),
                tail: vec![Item::CodeLen],
            },
            Frag::Ops(vec![Item::Op(0x02)]),
        ]);
        assert_eq!(p.count(), 5);
        let code = p.assemble();
        // PUSH32 0000.. PUSH1 0 MSTORE, then PUSH1 2 (the code's length)
        assert_eq!(code[0], 0x01);
        assert_eq!(code[1], 0x7f);
        assert_eq!(&code[34..], &[0x60, 0x00, 0x52, 0x60, 0x02, 0x02]);
        p.remove_nth(3).unwrap(); // the second inner STOP
        assert_eq!(p.count(), 4);
        assert_eq!(p.remove_nth(9), Err(5));
    }
}
