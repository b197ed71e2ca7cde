//! Disassembly of legacy bytecode: [`disassemble`] splits code into [`Instruction`]s and
//! [`disassemble_text`] prints them as a listing that [`crate::asm::assemble`] turns back
//! into exactly the same bytes, whatever they were.
//!
//! The listing has one instruction per line, `PC MNEMONIC [0xIMMEDIATE]`, the PC in hex:
//!
//! ```text
//! 0000 PUSH1 0x04
//! 0002 JUMP
//! 0003 0x0c ; undefined opcode
//! label_0004:
//! 0004 JUMPDEST
//! 0005 INVALID
//! 0006 PUSH32 0x0102 .truncated ; 2 of 32 immediate bytes, code ends
//! ```
//!
//! * a JUMPDEST is preceded by a `label_PPPP:` line (a label the assembler accepts);
//! * a byte that no fork defines is printed as `0xNN` (raw byte), 0xfe as `INVALID`;
//! * a PUSH cut short by the end of the code carries `.truncated` after the bytes present.

use std::fmt;

use crate::opcode::{self, OPCODES};

/// One instruction of legacy bytecode, as found at [`Instruction::pc`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Offset of the opcode byte in the code.
    pub pc: usize,
    /// The opcode byte.
    pub opcode: u8,
    /// The mnemonic in the newest fork (`INVALID` for 0xfe), or `None` for a byte that no
    /// fork defines.
    pub mnemonic: Option<&'static str>,
    /// The immediate bytes that follow the opcode in the code (PUSHn: `n` of them, fewer
    /// when the code ends first; empty for every other opcode).
    pub immediate: Vec<u8>,
    /// True for a JUMPDEST opcode, that is, a valid jump destination (a 0x5b inside PUSH
    /// data is never an instruction).
    pub is_jumpdest: bool,
    /// True when the code ends before the PUSH's immediate does: `immediate` then holds
    /// fewer than [`Instruction::immediate_size`] bytes. Only the last instruction can be.
    pub truncated: bool,
}

impl Instruction {
    /// The number of immediate bytes the opcode declares (PUSHn: `n`, else 0), whether or
    /// not the code holds them all.
    pub fn immediate_size(&self) -> usize {
        immediate_size(self.opcode)
    }

    /// The number of code bytes the instruction occupies: the opcode and the immediate
    /// bytes present.
    pub fn size(&self) -> usize {
        1 + self.immediate.len()
    }

    /// The mnemonic, or `0xNN` for a byte that no fork defines.
    pub fn name(&self) -> String {
        match self.mnemonic {
            Some(name) => name.to_owned(),
            None => format!("0x{:02x}", self.opcode),
        }
    }

    /// The label name the listing gives this position: `label_PPPP` (PC in hex).
    pub fn label(&self) -> String {
        label_name(self.pc)
    }
}

/// One listing line, without the label line a JUMPDEST gets: `0000 PUSH1 0x60`.
impl fmt::Display for Instruction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04x} ", self.pc)?;
        match self.mnemonic {
            Some(name) => f.write_str(name)?,
            None => write!(f, "0x{:02x}", self.opcode)?,
        }
        if !self.immediate.is_empty() {
            f.write_str(" 0x")?;
            for b in &self.immediate {
                write!(f, "{b:02x}")?;
            }
        }
        if self.truncated {
            write!(
                f,
                " .truncated ; {} of {} immediate bytes, code ends",
                self.immediate.len(),
                self.immediate_size()
            )?;
        } else if self.mnemonic.is_none() {
            f.write_str(" ; undefined opcode")?;
        }
        Ok(())
    }
}

/// Immediate bytes declared by `op` (PUSHn: `n`).
fn immediate_size(op: u8) -> usize {
    OPCODES[op as usize].map_or(0, |info| info.immediate as usize)
}

/// The label the listing puts before the JUMPDEST at `pc`.
pub fn label_name(pc: usize) -> String {
    format!("label_{pc:04x}")
}

/// Splits `code` into instructions, in order. Every byte of `code` belongs to exactly one
/// instruction (its opcode or immediate); a PUSH at the end may be [`Instruction::truncated`].
pub fn disassemble(code: &[u8]) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut pc = 0;
    while pc < code.len() {
        let op = code[pc];
        let size = immediate_size(op);
        let end = pc.saturating_add(1).saturating_add(size).min(code.len());
        let immediate = code[pc + 1..end].to_vec();
        out.push(Instruction {
            pc,
            opcode: op,
            mnemonic: opcode::name(op),
            truncated: immediate.len() < size,
            immediate,
            is_jumpdest: op == opcode::JUMPDEST,
        });
        pc = end;
    }
    out
}

/// Writes the listing of `instructions` (see the module documentation), one line each
/// ending in `\n`, a JUMPDEST preceded by its `label_PPPP:` line.
pub fn format_listing(instructions: &[Instruction]) -> String {
    use fmt::Write;
    let mut out = String::new();
    for ins in instructions {
        if ins.is_jumpdest {
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{}:", ins.label());
        }
        let _ = writeln!(out, "{ins}");
    }
    out
}

/// The listing of `code`: [`format_listing`] of [`disassemble`]. For every byte string,
/// `assemble(&disassemble_text(code)) == Ok(code.to_vec())`.
pub fn disassemble_text(code: &[u8]) -> String {
    format_listing(&disassemble(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_push_data_from_opcodes() {
        // PUSH1 0x5b, JUMPDEST, PUSH2 0x0102, ADD
        let ins = disassemble(&[0x60, 0x5b, 0x5b, 0x61, 0x01, 0x02, 0x01]);
        assert_eq!(ins.len(), 4);
        assert_eq!(
            ins[0],
            Instruction {
                pc: 0,
                opcode: 0x60,
                mnemonic: Some("PUSH1"),
                immediate: vec![0x5b],
                is_jumpdest: false,
                truncated: false,
            }
        );
        assert!(ins[1].is_jumpdest);
        assert_eq!(ins[1].pc, 2);
        assert_eq!(ins[2].immediate, vec![1, 2]);
        assert_eq!(ins[2].size(), 3);
        assert_eq!(ins[3].pc, 6);
        assert_eq!(ins[3].mnemonic, Some("ADD"));
    }

    #[test]
    fn empty_code() {
        assert!(disassemble(&[]).is_empty());
        assert_eq!(disassemble_text(&[]), "");
    }

    #[test]
    fn truncated_push_at_the_end() {
        let ins = disassemble(&[0x00, 0x7f, 0x01, 0x02]);
        assert_eq!(ins.len(), 2);
        assert!(ins[1].truncated);
        assert_eq!(ins[1].immediate, vec![1, 2]);
        assert_eq!(ins[1].immediate_size(), 32);
        assert_eq!(
            ins[1].to_string(),
            "0001 PUSH32 0x0102 .truncated ; 2 of 32 immediate bytes, code ends"
        );
        let bare = disassemble(&[0x61]);
        assert!(bare[0].truncated);
        assert_eq!(
            bare[0].to_string(),
            "0000 PUSH2 .truncated ; 0 of 2 immediate bytes, code ends"
        );
    }

    #[test]
    fn undefined_and_invalid() {
        let ins = disassemble(&[0x0c, 0xfe, 0xef]);
        assert_eq!(ins[0].mnemonic, None);
        assert_eq!(ins[0].name(), "0x0c");
        assert_eq!(ins[0].to_string(), "0000 0x0c ; undefined opcode");
        assert_eq!(ins[1].to_string(), "0001 INVALID");
        assert_eq!(ins[2].to_string(), "0002 0xef ; undefined opcode");
    }

    #[test]
    fn listing_marks_jumpdests() {
        let text = disassemble_text(&[0x60, 0x04, 0x56, 0xfe, 0x5b, 0x00]);
        assert_eq!(
            text,
            "0000 PUSH1 0x04\n0002 JUMP\n0003 INVALID\nlabel_0004:\n0004 JUMPDEST\n0005 STOP\n"
        );
    }

    #[test]
    fn push0_has_no_immediate() {
        let ins = disassemble(&[0x5f, 0x5f]);
        assert_eq!(ins.len(), 2);
        assert_eq!(ins[0].to_string(), "0000 PUSH0");
    }
}
