//! A small assembler for legacy bytecode. [`assemble`] reads the listings that
//! [`crate::disasm::disassemble_text`] prints (and gives back exactly the disassembled
//! bytes), and hand-written assembly:
//!
//! ```text
//! ; a comment; `// a comment` works too
//!         push1 0x80          // mnemonics are case-insensitive
//!         PUSH 64             // PUSH without width: the smallest PUSH1..PUSH32 that fits
//!         MSTORE
//!         PUSH @end           // the position of label `end`, smallest width
//!         PUSH2 @end          // ... or with the width given
//!         JUMP
//!         .byte 0xfe, 0x0c 7  // raw bytes, hex or decimal
//!         0x0c                // a lone hex byte is a raw byte too (as disasm prints it)
//! end:    JUMPDEST            // `name:` marks a position; it emits nothing itself
//!         PUSH32 0x0102 .truncated  // exactly these bytes, only as the last instruction
//! ```
//!
//! A line is `[PC] [label:]... [statement] [comment]`. The optional PC column (four or more
//! hex digits without `0x`, as in listings) is ignored, so edited listings still assemble.
//! Immediates are decimal or `0x` hex and must fit the PUSH width; hex is read as a
//! number, so `PUSH2 0x4` and `PUSH2 0x0004` are the same. `PUSH 0` gives `PUSH1 0x00`
//! (write `PUSH0` for the Shanghai opcode). Aliases: `SHA3` for KECCAK256, `DIFFICULTY`
//! for PREVRANDAO. Every error names its line; no input makes [`assemble`] panic.

use std::collections::HashMap;
use std::fmt;

use crate::opcode::{self, OPCODES};

/// An assembly error: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError {
    /// The line, counting from 1.
    pub line: usize,
    /// The problem.
    pub kind: AsmErrorKind,
}

/// What is wrong with a line of assembly. Token texts are shortened to 40 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AsmErrorKind {
    /// Neither an opcode mnemonic nor an alias.
    UnknownMnemonic(String),
    /// A `.name` directive other than `.byte`.
    UnknownDirective(String),
    /// Not a decimal or `0x` hex number.
    InvalidNumber(String),
    /// An immediate (number or label position) that needs more bytes than the PUSH has.
    ImmediateTooLarge {
        /// The PUSH mnemonic (`PUSH` when no width was given: 32 bytes at most).
        mnemonic: String,
        /// The immediate as written (for a label, with its position).
        immediate: String,
        /// The bytes available.
        max: usize,
    },
    /// A raw byte (`.byte` or `0xNN`) above 255.
    ByteTooLarge(String),
    /// A PUSH without its immediate, or a `.byte` without values.
    MissingImmediate {
        /// The mnemonic or directive.
        mnemonic: String,
    },
    /// An operand where none (or no more) is expected.
    UnexpectedOperand {
        /// The mnemonic or directive.
        mnemonic: String,
        /// The first unexpected operand.
        operand: String,
    },
    /// A label name that is not `[A-Za-z_][A-Za-z0-9_.]*`.
    InvalidLabel(String),
    /// A label defined twice.
    DuplicateLabel {
        /// The label.
        name: String,
        /// The line of the first definition.
        first_line: usize,
    },
    /// `@name` of a label that is never defined.
    UndefinedLabel(String),
    /// A misused `.truncated` PUSH (the reason is in the text).
    InvalidTruncated(String),
    /// Code after a `.truncated` PUSH, which must be the last instruction.
    TruncatedNotLast {
        /// The line that emits code after it.
        next_line: usize,
    },
}

impl fmt::Display for AsmErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AsmErrorKind::UnknownMnemonic(m) => write!(f, "unknown mnemonic `{m}`"),
            AsmErrorKind::UnknownDirective(d) => {
                write!(f, "unknown directive `{d}` (only `.byte` is known)")
            }
            AsmErrorKind::InvalidNumber(n) => {
                write!(f, "invalid number `{n}` (expected decimal or 0x hex)")
            }
            AsmErrorKind::ImmediateTooLarge {
                mnemonic,
                immediate,
                max,
            } => write!(
                f,
                "immediate `{immediate}` is too large for {mnemonic} ({max} byte{})",
                if *max == 1 { "" } else { "s" }
            ),
            AsmErrorKind::ByteTooLarge(b) => write!(f, "raw byte `{b}` is larger than 0xff"),
            AsmErrorKind::MissingImmediate { mnemonic } => {
                write!(f, "{mnemonic} needs an immediate value")
            }
            AsmErrorKind::UnexpectedOperand { mnemonic, operand } => {
                write!(f, "unexpected operand `{operand}` after {mnemonic}")
            }
            AsmErrorKind::InvalidLabel(l) => write!(
                f,
                "invalid label name `{l}` (expected a letter or `_`, then letters, digits, `_`, `.`)"
            ),
            AsmErrorKind::DuplicateLabel { name, first_line } => {
                write!(f, "label `{name}` is already defined on line {first_line}")
            }
            AsmErrorKind::UndefinedLabel(l) => write!(f, "undefined label `{l}`"),
            AsmErrorKind::InvalidTruncated(why) => write!(f, "invalid .truncated PUSH: {why}"),
            AsmErrorKind::TruncatedNotLast { next_line } => write!(
                f,
                "a .truncated PUSH must be the last instruction, but line {next_line} emits code after it"
            ),
        }
    }
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

impl std::error::Error for AsmError {}

/// Assembles `text` (see the module documentation) into bytecode.
///
/// For every byte string `code`, `assemble(&disassemble_text(code)) == Ok(code.to_vec())`.
pub fn assemble(text: &str) -> Result<Vec<u8>, AsmError> {
    let mut asm = Assembler::default();
    for (i, line) in text.lines().enumerate() {
        asm.line(i + 1, line)?;
    }
    asm.finish()
}

/// A piece of output, laid out once all labels are known.
enum Item {
    /// Bytes known while parsing.
    Bytes(Vec<u8>),
    /// `PUSH @label` (`width: None`, smallest that fits) or `PUSHn @label`.
    LabelPush {
        width: Option<usize>,
        label: String,
        line: usize,
    },
}

#[derive(Default)]
struct Assembler {
    items: Vec<Item>,
    /// Label name → (index of the item it precedes, line of definition).
    labels: HashMap<String, (usize, usize)>,
    /// Line of the `.truncated` PUSH, once seen.
    truncated_line: Option<usize>,
}

/// The longest token text quoted in an error.
const SHOWN: usize = 40;

/// `token`, shortened for an error message.
fn shown(token: &str) -> String {
    if token.chars().count() <= SHOWN {
        token.to_owned()
    } else {
        let mut s: String = token.chars().take(SHOWN).collect();
        s.push('…');
        s
    }
}

/// `line` without its comment (`;` or `//` to the end).
fn strip_comment(line: &str) -> &str {
    let cut = [line.find(';'), line.find("//")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(line.len());
    &line[..cut]
}

/// The opcode of a mnemonic or alias, any case.
fn lookup(mnemonic: &str) -> Option<u8> {
    let upper = mnemonic.to_ascii_uppercase();
    match upper.as_str() {
        "SHA3" => return Some(opcode::KECCAK256),
        "DIFFICULTY" => return Some(opcode::PREVRANDAO),
        _ => {}
    }
    (0..=255u8).find(|&op| OPCODES[op as usize].is_some_and(|info| info.name == upper))
}

/// The listing's PC column: four or more hex digits, no `0x`, not a mnemonic.
fn is_pc_column(token: &str) -> bool {
    token.len() >= 4 && token.bytes().all(|b| b.is_ascii_hexdigit()) && lookup(token).is_none()
}

fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

fn is_truncated_marker(token: &str) -> bool {
    token.eq_ignore_ascii_case(".truncated")
}

/// Why a number does not parse.
enum NumError {
    Invalid,
    /// More than 32 bytes.
    TooLarge,
}

/// The hex digits after a `0x`/`0X` prefix, if `token` has one.
fn hex_digits(token: &str) -> Option<&str> {
    token
        .strip_prefix("0x")
        .or_else(|| token.strip_prefix("0X"))
}

/// A decimal or `0x` hex number as minimal big-endian bytes (zero: no bytes).
fn parse_number(token: &str) -> Result<Vec<u8>, NumError> {
    if let Some(digits) = hex_digits(token) {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(NumError::Invalid);
        }
        let digits = digits.trim_start_matches('0');
        if digits.len() > 64 {
            return Err(NumError::TooLarge);
        }
        let nibbles: Vec<u8> = digits.bytes().map(hex_value).collect();
        let mut out = Vec::with_capacity(nibbles.len().div_ceil(2));
        let (head, tail) = nibbles.split_at(nibbles.len() % 2);
        if let [n] = head {
            out.push(*n);
        }
        out.extend(tail.chunks_exact(2).map(|p| (p[0] << 4) | p[1]));
        Ok(out)
    } else {
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumError::Invalid);
        }
        let digits = token.trim_start_matches('0');
        // 2^256 has 78 decimal digits.
        if digits.len() > 78 {
            return Err(NumError::TooLarge);
        }
        // Little-endian base-256 digits, multiplied by ten and added to per decimal digit.
        let mut le: Vec<u8> = Vec::new();
        for d in digits.bytes() {
            let mut carry = u32::from(d - b'0');
            for byte in le.iter_mut() {
                let x = u32::from(*byte) * 10 + carry;
                *byte = x as u8;
                carry = x >> 8;
            }
            while carry != 0 {
                le.push(carry as u8);
                carry >>= 8;
            }
        }
        if le.len() > 32 {
            return Err(NumError::TooLarge);
        }
        le.reverse();
        Ok(le)
    }
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit.wrapping_sub(b'A').wrapping_add(10),
    }
}

/// Bytes needed for `value` (0 for zero).
fn bytes_needed(value: usize) -> usize {
    (usize::BITS - value.leading_zeros()).div_ceil(8) as usize
}

/// `value` as `width` big-endian bytes; `width` must be at least [`bytes_needed`].
fn be_bytes(value: usize, width: usize) -> impl Iterator<Item = u8> {
    (0..width).rev().map(move |i| {
        if i >= std::mem::size_of::<usize>() {
            0
        } else {
            (value >> (8 * i)) as u8
        }
    })
}

/// The PUSHn opcode for `width` in 1..=32.
fn push_op(width: usize) -> u8 {
    opcode::PUSH0 + width as u8
}

impl Assembler {
    fn line(&mut self, no: usize, raw: &str) -> Result<(), AsmError> {
        let err = |kind| AsmError { line: no, kind };
        let tokens: Vec<&str> = strip_comment(raw)
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|t| !t.is_empty())
            .collect();
        let mut rest = &tokens[..];
        if rest.len() >= 2 && is_pc_column(rest[0]) {
            rest = &rest[1..];
        }
        while let Some((first, tail)) = rest.split_first() {
            let Some(name) = first.strip_suffix(':') else {
                break;
            };
            if !is_label_name(name) {
                return Err(err(AsmErrorKind::InvalidLabel(shown(name))));
            }
            if let Some(&(_, first_line)) = self.labels.get(name) {
                return Err(err(AsmErrorKind::DuplicateLabel {
                    name: name.to_owned(),
                    first_line,
                }));
            }
            self.labels.insert(name.to_owned(), (self.items.len(), no));
            rest = tail;
        }
        let Some((&head, operands)) = rest.split_first() else {
            return Ok(());
        };

        if head.starts_with('.') {
            if !head.eq_ignore_ascii_case(".byte") {
                return Err(err(AsmErrorKind::UnknownDirective(shown(head))));
            }
            if operands.is_empty() {
                return Err(err(AsmErrorKind::MissingImmediate {
                    mnemonic: ".byte".to_owned(),
                }));
            }
            let bytes = raw_bytes(operands).map_err(err)?;
            return self.emit(no, Item::Bytes(bytes));
        }
        if hex_digits(head).is_some() {
            let bytes = raw_bytes(rest).map_err(err)?;
            return self.emit(no, Item::Bytes(bytes));
        }

        if head.eq_ignore_ascii_case("PUSH") {
            let mnemonic = "PUSH".to_owned();
            if operands.iter().any(|t| is_truncated_marker(t)) {
                return Err(err(AsmErrorKind::InvalidTruncated(
                    "PUSH needs a width (PUSH1..PUSH32)".to_owned(),
                )));
            }
            let (imm, extra) = match operands {
                [] => return Err(err(AsmErrorKind::MissingImmediate { mnemonic })),
                [imm, extra @ ..] => (*imm, extra),
            };
            if let Some(&operand) = extra.first() {
                return Err(err(AsmErrorKind::UnexpectedOperand {
                    mnemonic,
                    operand: shown(operand),
                }));
            }
            if let Some(label) = imm.strip_prefix('@') {
                return self.label_push(no, None, label);
            }
            let value = number(imm, &mnemonic, 32).map_err(err)?;
            let width = value.len().max(1);
            let mut bytes = vec![push_op(width)];
            bytes.resize(1 + width - value.len(), 0);
            bytes.extend_from_slice(&value);
            return self.emit(no, Item::Bytes(bytes));
        }

        let Some(op) = lookup(head) else {
            return Err(err(AsmErrorKind::UnknownMnemonic(shown(head))));
        };
        let mnemonic = opcode::name(op).unwrap_or("?").to_owned();
        let size = OPCODES[op as usize].map_or(0, |info| info.immediate as usize);
        if size == 0 {
            if let Some(&operand) = operands.first() {
                return Err(err(AsmErrorKind::UnexpectedOperand {
                    mnemonic,
                    operand: shown(operand),
                }));
            }
            return self.emit(no, Item::Bytes(vec![op]));
        }

        // PUSH1..PUSH32.
        match operands {
            [] => Err(err(AsmErrorKind::MissingImmediate { mnemonic })),
            [marker] if is_truncated_marker(marker) => self.truncated_push(no, op, &[]),
            [imm, marker] if is_truncated_marker(marker) => {
                let Some(digits) = hex_digits(imm) else {
                    return Err(err(AsmErrorKind::InvalidTruncated(format!(
                        "the bytes present must be written in hex, not `{}`",
                        shown(imm)
                    ))));
                };
                if digits.len() % 2 != 0 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(err(AsmErrorKind::InvalidTruncated(format!(
                        "`{}` is not whole hex bytes",
                        shown(imm)
                    ))));
                }
                if digits.len() / 2 >= size {
                    return Err(err(AsmErrorKind::InvalidTruncated(format!(
                        "{mnemonic} takes {size} bytes but `{}` has {}; a truncated PUSH has fewer",
                        shown(imm),
                        digits.len() / 2
                    ))));
                }
                let nibbles: Vec<u8> = digits.bytes().map(hex_value).collect();
                let bytes: Vec<u8> = nibbles
                    .chunks_exact(2)
                    .map(|p| (p[0] << 4) | p[1])
                    .collect();
                self.truncated_push(no, op, &bytes)
            }
            [imm] => {
                if let Some(label) = imm.strip_prefix('@') {
                    return self.label_push(no, Some(size), label);
                }
                let value = number(imm, &mnemonic, size).map_err(err)?;
                let mut bytes = vec![op];
                bytes.resize(1 + size - value.len(), 0);
                bytes.extend_from_slice(&value);
                self.emit(no, Item::Bytes(bytes))
            }
            [_, extra, ..] => Err(err(AsmErrorKind::UnexpectedOperand {
                mnemonic,
                operand: shown(extra),
            })),
        }
    }

    fn label_push(&mut self, no: usize, width: Option<usize>, label: &str) -> Result<(), AsmError> {
        if !is_label_name(label) {
            return Err(AsmError {
                line: no,
                kind: AsmErrorKind::InvalidLabel(shown(label)),
            });
        }
        self.emit(
            no,
            Item::LabelPush {
                width,
                label: label.to_owned(),
                line: no,
            },
        )
    }

    fn truncated_push(&mut self, no: usize, op: u8, present: &[u8]) -> Result<(), AsmError> {
        let mut bytes = vec![op];
        bytes.extend_from_slice(present);
        self.emit(no, Item::Bytes(bytes))?;
        self.truncated_line = Some(no);
        Ok(())
    }

    /// Appends `item`, refusing code after a `.truncated` PUSH.
    fn emit(&mut self, no: usize, item: Item) -> Result<(), AsmError> {
        if let Some(line) = self.truncated_line {
            return Err(AsmError {
                line,
                kind: AsmErrorKind::TruncatedNotLast { next_line: no },
            });
        }
        self.items.push(item);
        Ok(())
    }

    /// Lays out the items, sizing `PUSH @label` as small as possible, and emits the code.
    fn finish(self) -> Result<Vec<u8>, AsmError> {
        let mut targets = Vec::with_capacity(self.items.len());
        let mut widths = Vec::with_capacity(self.items.len());
        for item in &self.items {
            match item {
                Item::Bytes(_) => {
                    targets.push(0);
                    widths.push(0);
                }
                Item::LabelPush { width, label, line } => {
                    let Some(&(index, _)) = self.labels.get(label) else {
                        return Err(AsmError {
                            line: *line,
                            kind: AsmErrorKind::UndefinedLabel(label.clone()),
                        });
                    };
                    targets.push(index);
                    widths.push(width.unwrap_or(1));
                }
            }
        }

        // Widths only grow, and never past size_of::<usize>(), so this ends.
        let offsets = loop {
            let mut offsets = Vec::with_capacity(self.items.len() + 1);
            let mut pc = 0usize;
            for (item, width) in self.items.iter().zip(&widths) {
                offsets.push(pc);
                pc += match item {
                    Item::Bytes(bytes) => bytes.len(),
                    Item::LabelPush { .. } => 1 + width,
                };
            }
            offsets.push(pc);
            let mut changed = false;
            for (i, item) in self.items.iter().enumerate() {
                if let Item::LabelPush { width: None, .. } = item {
                    let need = bytes_needed(offsets[targets[i]]).max(1);
                    if need > widths[i] {
                        widths[i] = need;
                        changed = true;
                    }
                }
            }
            if !changed {
                break offsets;
            }
        };

        let mut code = Vec::with_capacity(offsets.last().copied().unwrap_or(0));
        for (i, item) in self.items.iter().enumerate() {
            match item {
                Item::Bytes(bytes) => code.extend_from_slice(bytes),
                Item::LabelPush { label, line, .. } => {
                    let value = offsets[targets[i]];
                    let width = widths[i];
                    if bytes_needed(value) > width {
                        return Err(AsmError {
                            line: *line,
                            kind: AsmErrorKind::ImmediateTooLarge {
                                mnemonic: format!("PUSH{width}"),
                                immediate: format!("@{label} = {value:#x}"),
                                max: width,
                            },
                        });
                    }
                    code.push(push_op(width));
                    code.extend(be_bytes(value, width));
                }
            }
        }
        Ok(code)
    }
}

/// A PUSH immediate as minimal big-endian bytes, at most `max` of them.
fn number(token: &str, mnemonic: &str, max: usize) -> Result<Vec<u8>, AsmErrorKind> {
    let too_large = || AsmErrorKind::ImmediateTooLarge {
        mnemonic: mnemonic.to_owned(),
        immediate: shown(token),
        max,
    };
    match parse_number(token) {
        Ok(value) if value.len() <= max => Ok(value),
        Ok(_) | Err(NumError::TooLarge) => Err(too_large()),
        Err(NumError::Invalid) => Err(AsmErrorKind::InvalidNumber(shown(token))),
    }
}

/// Raw byte values, decimal or hex, each at most 0xff.
fn raw_bytes(tokens: &[&str]) -> Result<Vec<u8>, AsmErrorKind> {
    tokens
        .iter()
        .map(|token| match parse_number(token) {
            Ok(value) => match value.as_slice() {
                [] => Ok(0),
                [b] => Ok(*b),
                _ => Err(AsmErrorKind::ByteTooLarge(shown(token))),
            },
            Err(NumError::TooLarge) => Err(AsmErrorKind::ByteTooLarge(shown(token))),
            Err(NumError::Invalid) => Err(AsmErrorKind::InvalidNumber(shown(token))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disasm::disassemble_text;

    /// xorshift64: deterministic, no dependencies.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn asm(text: &str) -> Vec<u8> {
        match assemble(text) {
            Ok(code) => code,
            Err(e) => panic!("{e}\n--- in ---\n{text}"),
        }
    }

    fn asm_err(text: &str) -> AsmError {
        match assemble(text) {
            Ok(code) => panic!("expected an error, got {code:02x?}"),
            Err(e) => e,
        }
    }

    fn roundtrip(code: &[u8]) {
        let text = disassemble_text(code);
        match assemble(&text) {
            Ok(back) => assert_eq!(back, code, "listing:\n{text}"),
            Err(e) => panic!("{e}\ncode {code:02x?}\nlisting:\n{text}"),
        }
    }

    #[test]
    fn roundtrip_random_bytes() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..5_000 {
            let len = rng.below(300);
            let code: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            roundtrip(&code);
        }
    }

    #[test]
    fn roundtrip_edge_cases() {
        roundtrip(&[]);
        roundtrip(&[0xfe]);
        roundtrip(&[0x5b]);
        roundtrip(&[0x5f]);
        for op in 0..=255u8 {
            roundtrip(&[op]);
            roundtrip(&[op, 0x5b, 0xfe]);
            // Every PUSH with every possible shortfall at the end.
            for present in 0..34 {
                let mut code = vec![0x5b, op];
                code.extend((0..present).map(|i| i as u8 ^ 0xa5));
                roundtrip(&code);
            }
        }
        // A long code: five-digit PCs (some beginning with a letter) and labels.
        let mut rng = Rng(7);
        let code: Vec<u8> = (0..0x1_2000).map(|_| rng.next() as u8).collect();
        roundtrip(&code);
    }

    #[test]
    fn random_text_never_panics() {
        const WORDS: &[&str] = &[
            "PUSH",
            "push1",
            "PUSH2",
            "PUSH32",
            "PUSH0",
            "PUSH33",
            "ADD",
            "add",
            "JUMPDEST",
            "INVALID",
            ".byte",
            ".truncated",
            ".foo",
            "0x",
            "0x0",
            "0xff",
            "0x100",
            "0xzz",
            "12",
            "256",
            "99999999999999999999999999999999999999999999999999999999999999999999999999999999",
            "0x10000000000000000000000000000000000000000000000000000000000000000",
            "@a",
            "@b",
            "@",
            "@1",
            "a:",
            "b:",
            ":",
            "1x:",
            "label_0004:",
            "0004",
            "dead",
            ";",
            "//",
            "/",
            ",",
            "é",
            "\u{0}",
            "\t",
            "-1",
            "0X5B",
            "sha3",
            "Difficulty",
        ];
        let mut rng = Rng(0xdead_beef_cafe_f00d);
        let mut successes = 0;
        for _ in 0..5_000 {
            let mut text = String::new();
            for _ in 0..rng.below(12) {
                for _ in 0..rng.below(5) {
                    if rng.below(6) == 0 {
                        let c = char::from_u32(rng.below(0x3000) as u32).unwrap_or('?');
                        text.push(c);
                    } else {
                        text.push_str(WORDS[rng.below(WORDS.len())]);
                    }
                    text.push(if rng.below(4) == 0 { '\n' } else { ' ' });
                }
                text.push('\n');
            }
            // Whatever assembles must survive a disassembly round trip.
            if let Ok(code) = assemble(&text) {
                successes += 1;
                roundtrip(&code);
            }
        }
        assert!(successes > 100, "only {successes} random texts assembled");
    }

    #[test]
    fn listing_form() {
        let text = "0000 PUSH1 0x04\n0002 JUMP\n0003 0x0c ; undefined opcode\nlabel_0004:\n\
                    0004 JUMPDEST\n0005 INVALID\n0006 PUSH32 0x0102 .truncated ; 2 of 32\n";
        assert_eq!(
            asm(text),
            vec![0x60, 0x04, 0x56, 0x0c, 0x5b, 0xfe, 0x7f, 0x01, 0x02]
        );
    }

    #[test]
    fn mnemonics_are_case_insensitive() {
        assert_eq!(asm("add\nAdd\nADD\njumpDest"), vec![1, 1, 1, 0x5b]);
        assert_eq!(asm("sha3\ndifficulty\nKECCAK256"), vec![0x20, 0x44, 0x20]);
    }

    #[test]
    fn several_statements_per_line_are_not_allowed() {
        let e = asm_err("sha3 difficulty");
        assert_eq!(e.line, 1);
        assert!(matches!(e.kind, AsmErrorKind::UnexpectedOperand { .. }));
    }

    #[test]
    fn comments() {
        assert_eq!(
            asm("; full line\n// another\nADD ; trailing\nMUL // trailing\n  \n\nSUB;x//y"),
            vec![0x01, 0x02, 0x03]
        );
    }

    #[test]
    fn immediates_decimal_and_hex() {
        assert_eq!(asm("PUSH1 255"), vec![0x60, 0xff]);
        assert_eq!(asm("PUSH2 0x4"), vec![0x61, 0x00, 0x04]);
        assert_eq!(asm("PUSH2 0X0004"), vec![0x61, 0x00, 0x04]);
        assert_eq!(
            asm("PUSH1 0x000000000000000000000000000000000000000000000000000000000000000000007"),
            vec![0x60, 7]
        );
        assert_eq!(asm("PUSH2 1000"), vec![0x61, 0x03, 0xe8]);
        assert_eq!(asm("PUSH0"), vec![0x5f]);
        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
        let mut expect = vec![0x7f];
        expect.extend([0xff; 32]);
        assert_eq!(asm(&format!("PUSH32 {max}")), expect);
        assert_eq!(asm(&format!("PUSH {max}")), expect);
        assert_eq!(asm("PUSH32 0xABcd"), {
            let mut v = vec![0x7f];
            v.extend([0; 30]);
            v.extend([0xab, 0xcd]);
            v
        });
    }

    #[test]
    fn push_without_width_is_minimal() {
        assert_eq!(asm("PUSH 0"), vec![0x60, 0x00]);
        assert_eq!(asm("PUSH 255"), vec![0x60, 0xff]);
        assert_eq!(asm("PUSH 256"), vec![0x61, 0x01, 0x00]);
        assert_eq!(asm("PUSH 0x000102"), vec![0x61, 0x01, 0x02]);
    }

    #[test]
    fn immediate_too_large_names_the_line() {
        let e = asm_err("ADD\nPUSH1 256\n");
        assert_eq!(e.line, 2);
        assert_eq!(
            e.kind,
            AsmErrorKind::ImmediateTooLarge {
                mnemonic: "PUSH1".into(),
                immediate: "256".into(),
                max: 1
            }
        );
        assert_eq!(
            e.to_string(),
            "line 2: immediate `256` is too large for PUSH1 (1 byte)"
        );
        let e = asm_err("\n\nPUSH2 0x10000");
        assert_eq!(e.line, 3);
        let two_pow_256 =
            "115792089237316195423570985008687907853269984665640564039457584007913129639936";
        assert!(matches!(
            asm_err(&format!("PUSH {two_pow_256}")).kind,
            AsmErrorKind::ImmediateTooLarge { max: 32, .. }
        ));
        assert!(matches!(
            asm_err(&format!("PUSH32 0x1{}", "0".repeat(64))).kind,
            AsmErrorKind::ImmediateTooLarge { max: 32, .. }
        ));
    }

    #[test]
    fn label_positions() {
        // JUMPDEST PUSH1 @end JUMP end: JUMPDEST PUSH2 @start JUMP
        assert_eq!(
            asm("start: JUMPDEST\nPUSH @end\nJUMP\nend: JUMPDEST\nPUSH2 @start\nJUMP"),
            vec![0x5b, 0x60, 0x04, 0x56, 0x5b, 0x61, 0x00, 0x00, 0x56]
        );
        // A label at the very end, and two labels on one position.
        assert_eq!(asm("PUSH @e\na: b: e:"), vec![0x60, 0x02]);
    }

    #[test]
    fn label_push_grows_past_one_byte() {
        let filler = ".byte 0\n".repeat(300);
        let code = asm(&format!("PUSH @end\n{filler}end: JUMPDEST"));
        assert_eq!(&code[..3], &[0x61, 0x01, 0x2f]); // 3 + 300 = 0x12f
        assert_eq!(code[0x12f], 0x5b);
        // Many forward pushes whose growth pushes each other over the 255 boundary.
        let pushes = "PUSH @end\n".repeat(127);
        let code = asm(&format!("{pushes}.byte 0\nend:"));
        // 127 * 2 + 1 = 255 fits PUSH1.
        assert_eq!(code.len(), 255);
        assert_eq!(&code[..2], &[0x60, 0xff]);
        let pushes = "PUSH @end\n".repeat(128);
        let code = asm(&format!("{pushes}end:"));
        // 128 * 2 = 256 does not: all grow to PUSH2, 128 * 3 = 384.
        assert_eq!(code.len(), 384);
        assert_eq!(&code[..3], &[0x61, 0x01, 0x80]);
    }

    #[test]
    fn fixed_width_label_push_too_small() {
        let e = asm_err(&format!("PUSH1 @far\n{}far:", ".byte 1\n".repeat(300)));
        assert_eq!(e.line, 1);
        assert_eq!(
            e.to_string(),
            "line 1: immediate `@far = 0x12e` is too large for PUSH1 (1 byte)"
        );
    }

    #[test]
    fn label_errors() {
        let e = asm_err("PUSH @nowhere\nJUMP");
        assert_eq!(
            (e.line, e.kind),
            (1, AsmErrorKind::UndefinedLabel("nowhere".into()))
        );
        let e = asm_err("x:\nADD\nx: JUMPDEST");
        assert_eq!(
            (e.line, e.kind),
            (
                3,
                AsmErrorKind::DuplicateLabel {
                    name: "x".into(),
                    first_line: 1
                }
            )
        );
        assert!(matches!(asm_err("1x:").kind, AsmErrorKind::InvalidLabel(_)));
        assert!(matches!(asm_err(":").kind, AsmErrorKind::InvalidLabel(_)));
        assert!(matches!(
            asm_err("PUSH @").kind,
            AsmErrorKind::InvalidLabel(_)
        ));
        // Labels are case-sensitive.
        assert!(matches!(
            asm_err("Top:\nPUSH @top").kind,
            AsmErrorKind::UndefinedLabel(_)
        ));
    }

    #[test]
    fn raw_bytes() {
        assert_eq!(
            asm(".byte 0xfe, 0x0c 7\n0x0c\n.BYTE 255"),
            vec![0xfe, 0x0c, 7, 0x0c, 0xff]
        );
        assert_eq!(asm("0x0c 0x0d"), vec![0x0c, 0x0d]);
        let e = asm_err("ADD\n.byte 0x100");
        assert_eq!(
            (e.line, e.kind),
            (2, AsmErrorKind::ByteTooLarge("0x100".into()))
        );
        assert!(matches!(
            asm_err("0x0102").kind,
            AsmErrorKind::ByteTooLarge(_)
        ));
        assert!(matches!(
            asm_err(".byte").kind,
            AsmErrorKind::MissingImmediate { .. }
        ));
        assert!(matches!(
            asm_err(".byte x").kind,
            AsmErrorKind::InvalidNumber(_)
        ));
        assert!(matches!(
            asm_err(".word 1").kind,
            AsmErrorKind::UnknownDirective(_)
        ));
    }

    #[test]
    fn truncated_push() {
        assert_eq!(asm("ADD\nPUSH32 0x0102 .truncated"), vec![0x01, 0x7f, 1, 2]);
        assert_eq!(asm("PUSH2 .TRUNCATED ; nothing present"), vec![0x61]);
        assert_eq!(asm("PUSH2 0x01 .truncated\nend:\n; done"), vec![0x61, 0x01]);
        let e = asm_err("PUSH2 0x01 .truncated\n\nADD");
        assert_eq!(
            (e.line, e.kind),
            (1, AsmErrorKind::TruncatedNotLast { next_line: 3 })
        );
        for bad in [
            "PUSH2 0x0102 .truncated",
            "PUSH2 0x1 .truncated",
            "PUSH2 1 .truncated",
            "PUSH 0x01 .truncated",
            "PUSH .truncated",
        ] {
            assert!(
                matches!(asm_err(bad).kind, AsmErrorKind::InvalidTruncated(_)),
                "{bad}"
            );
        }
    }

    #[test]
    fn pc_column_is_ignored() {
        assert_eq!(
            asm("0000 ADD\n1234 MUL\nabcd SUB\n12345 STOP"),
            vec![1, 2, 3, 0]
        );
        // A lone PC, or a short number, is not a statement.
        assert!(matches!(
            asm_err("0004").kind,
            AsmErrorKind::UnknownMnemonic(_)
        ));
        assert!(matches!(
            asm_err("12 ADD").kind,
            AsmErrorKind::UnknownMnemonic(_)
        ));
    }

    #[test]
    fn operand_errors() {
        let e = asm_err("ADD\nMUL\nPUSH3");
        assert_eq!(
            (e.line, e.kind.clone()),
            (
                3,
                AsmErrorKind::MissingImmediate {
                    mnemonic: "PUSH3".into()
                }
            )
        );
        assert_eq!(e.to_string(), "line 3: PUSH3 needs an immediate value");
        let e = asm_err("add 5");
        assert_eq!(e.to_string(), "line 1: unexpected operand `5` after ADD");
        assert!(matches!(
            asm_err("PUSH0 0").kind,
            AsmErrorKind::UnexpectedOperand { .. }
        ));
        assert!(matches!(
            asm_err("PUSH1 1 2").kind,
            AsmErrorKind::UnexpectedOperand { .. }
        ));
        assert!(matches!(
            asm_err("PUSH").kind,
            AsmErrorKind::MissingImmediate { .. }
        ));
        assert!(matches!(
            asm_err("PUSH1 0xg").kind,
            AsmErrorKind::InvalidNumber(_)
        ));
        assert!(matches!(
            asm_err("PUSH1 0x").kind,
            AsmErrorKind::InvalidNumber(_)
        ));
        assert!(matches!(
            asm_err("PUSH1 -1").kind,
            AsmErrorKind::InvalidNumber(_)
        ));
        let e = asm_err("\nFOO");
        assert_eq!(e.to_string(), "line 2: unknown mnemonic `FOO`");
        assert!(matches!(
            asm_err("PUSH33 1").kind,
            AsmErrorKind::UnknownMnemonic(_)
        ));
    }

    #[test]
    fn long_tokens_are_shortened_in_errors() {
        let e = asm_err(&"x".repeat(10_000));
        assert!(e.to_string().len() < 100, "{e}");
        let e = asm_err(&format!("PUSH1 {}", "9".repeat(100_000)));
        assert!(e.to_string().len() < 100, "{e}");
    }

    #[test]
    fn empty_input() {
        assert_eq!(asm(""), Vec::<u8>::new());
        assert_eq!(asm("\n  ; only a comment\n"), Vec::<u8>::new());
    }
}
