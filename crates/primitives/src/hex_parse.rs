//! Parsing of the hex strings test fixtures, t8n inputs, state files and command lines use
//! for numbers, byte strings, addresses and hashes.
//!
//! Quantities are `0x`-prefixed and may be `0x` (zero) or carry leading zeros (`0x00`); a few
//! retesteth fixtures mark values wider than 256 bits as `0x:bigint 0x…`. A value that is
//! well formed but too wide for its type is [`HexError::Overflow`], which the loader turns into
//! an invalid transaction rather than a malformed file.

use crate::{Address, Bytes, B256, U256};

/// Why a fixture string is not the value it should be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// Not a `0x`-prefixed hex string (or a bad digit, or an odd number of digits for bytes).
    #[error("invalid hex `{0}`")]
    Invalid(String),
    /// Well-formed, but the number needs more bits than the field holds.
    #[error("`{0}` does not fit in {1} bits")]
    Overflow(String, u32),
    /// Well-formed bytes of the wrong length for a fixed-size value.
    #[error("`{0}` is not {1} bytes long")]
    Length(String, usize),
}

impl HexError {
    /// True when the string is valid hex but too large for its type.
    pub fn is_overflow(&self) -> bool {
        matches!(self, HexError::Overflow(..))
    }
}

/// The string as shown in an error: long byte strings are cut.
fn shown(s: &str) -> String {
    const MAX: usize = 80;
    if s.len() <= MAX {
        s.to_string()
    } else {
        let mut end = MAX;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    }
}

/// The hex digits of a quantity without prefix and leading zeros.
fn quantity_digits(s: &str) -> Result<&str, HexError> {
    let t = s.strip_prefix("0x:bigint ").unwrap_or(s);
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .ok_or_else(|| HexError::Invalid(shown(s)))?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(HexError::Invalid(shown(s)));
    }
    Ok(digits.trim_start_matches('0'))
}

/// Parses a quantity of at most 256 bits (`0x` is zero, leading zeros are fine).
pub fn parse_u256(s: &str) -> Result<U256, HexError> {
    let digits = quantity_digits(s)?;
    if digits.len() > 64 {
        return Err(HexError::Overflow(shown(s), 256));
    }
    if digits.is_empty() {
        return Ok(U256::ZERO);
    }
    U256::from_str_radix(digits, 16).map_err(|_| HexError::Invalid(shown(s)))
}

/// Parses a quantity of at most 64 bits.
pub fn parse_u64(s: &str) -> Result<u64, HexError> {
    let digits = quantity_digits(s)?;
    if digits.len() > 16 {
        return Err(HexError::Overflow(shown(s), 64));
    }
    if digits.is_empty() {
        return Ok(0);
    }
    u64::from_str_radix(digits, 16).map_err(|_| HexError::Invalid(shown(s)))
}

/// The hex digits of a byte string, `0x` optional for fixed-size values.
fn byte_digits(s: &str, prefix_required: bool) -> Result<&str, HexError> {
    let digits = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(d) => d,
        None if prefix_required => return Err(HexError::Invalid(shown(s))),
        None => s,
    };
    if digits.len() % 2 != 0 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(HexError::Invalid(shown(s)));
    }
    Ok(digits)
}

/// Parses a `0x`-prefixed byte string of even length (`0x` is empty).
pub fn parse_bytes(s: &str) -> Result<Bytes, HexError> {
    let digits = byte_digits(s, true)?;
    crate::hex::decode(digits)
        .map(Bytes::from)
        .map_err(|_| HexError::Invalid(shown(s)))
}

/// Parses exactly `N` bytes of hex, with or without `0x`.
fn parse_fixed<const N: usize>(s: &str) -> Result<[u8; N], HexError> {
    let digits = byte_digits(s, false)?;
    if digits.len() != 2 * N {
        return Err(HexError::Length(shown(s), N));
    }
    let mut out = [0u8; N];
    crate::hex::decode_to_slice(digits, &mut out).map_err(|_| HexError::Invalid(shown(s)))?;
    Ok(out)
}

/// Parses a 20-byte address (40 hex digits, `0x` optional).
pub fn parse_address(s: &str) -> Result<Address, HexError> {
    parse_fixed::<20>(s).map(Address::from)
}

/// Parses a 32-byte hash (64 hex digits, `0x` optional).
pub fn parse_b256(s: &str) -> Result<B256, HexError> {
    parse_fixed::<32>(s).map(B256::from)
}

/// Parses a 256-bit word written as a quantity (`0x01` or 64 digits) into big-endian bytes:
/// storage keys of access lists and `currentRandom` are written either way.
pub fn parse_word(s: &str) -> Result<B256, HexError> {
    parse_u256(s).map(B256::from)
}

// ------------------------------------------------------------------------------------------
// Command-line forms: what `ember run` / `ember disasm` accept (geth `evm` conventions). Kept
// here, public, so the `hex_parse` fuzz target exercises the very functions the binary uses.

/// Hex bytes as `ember run` takes them (`--code`, `--input`, their files, alloc code): `0x`
/// optional, surrounding whitespace ignored, an even number of digits. `what` names the
/// input in the error.
pub fn parse_cli_bytes(what: &str, s: &str) -> Result<Vec<u8>, String> {
    let t = s.trim();
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if let Some((i, c)) = digits.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(format!(
            "{what}: invalid hex: unexpected {c:?} at position {i}"
        ));
    }
    if !digits.len().is_multiple_of(2) {
        return Err(format!(
            "{what}: invalid hex: odd number of digits ({})",
            digits.len()
        ));
    }
    crate::hex::decode(digits).map_err(|e| format!("{what}: invalid hex: {e}"))
}

/// A number as `ember run` takes it (`--value`, `--gas`, ...): decimal, or `0x` hex (`0x`
/// alone is zero); surrounding whitespace ignored; at most 256 bits.
pub fn parse_cli_quantity(s: &str) -> Result<U256, String> {
    let t = s.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some("") => Ok(U256::ZERO),
        Some(hex) => U256::from_str_radix(hex, 16),
        None => U256::from_str_radix(t, 10),
    };
    parsed.map_err(|_| format!("invalid number {s:?}"))
}

/// An address as `ember run` takes it (`--sender`, `--receiver`), like geth's
/// `HexToAddress`: `0x` optional, an odd number of digits read with a leading zero, fewer
/// than 20 bytes left-padded with zeros; more than 20 bytes is an error.
pub fn parse_cli_address(s: &str) -> Result<Address, String> {
    let t = s.trim();
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let padded;
    let input = if digits.len() % 2 == 1 {
        padded = format!("0{digits}");
        padded.as_str()
    } else {
        t
    };
    let bytes = parse_cli_bytes("address", input)?;
    if bytes.len() > 20 {
        return Err(format!("invalid address {s:?}: longer than 20 bytes"));
    }
    let mut out = [0u8; 20];
    out[20 - bytes.len()..].copy_from_slice(&bytes);
    Ok(Address::from(out))
}

/// Hex text as `ember disasm` reads it: whitespace anywhere, each whitespace-separated chunk
/// may start with `0x`, the digits of all chunks together must be whole bytes.
pub fn parse_hex_text(text: &str) -> Result<Vec<u8>, String> {
    let mut nibbles = Vec::with_capacity(text.len());
    for chunk in text.split_whitespace() {
        let digits = chunk
            .strip_prefix("0x")
            .or_else(|| chunk.strip_prefix("0X"))
            .unwrap_or(chunk);
        for c in digits.chars() {
            match c.to_digit(16) {
                Some(d) => nibbles.push(d as u8),
                None => {
                    return Err(format!(
                        "invalid hex digit {c:?} after {} digits",
                        nibbles.len()
                    ))
                }
            }
        }
    }
    if nibbles.len() % 2 != 0 {
        return Err(format!(
            "odd number of hex digits ({}): not whole bytes",
            nibbles.len()
        ));
    }
    Ok(nibbles
        .chunks_exact(2)
        .map(|p| (p[0] << 4) | p[1])
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_forms() {
        assert_eq!(parse_cli_bytes("x", " 0x6001\n"), Ok(vec![0x60, 0x01]));
        assert!(parse_cli_bytes("x", "0x600")
            .unwrap_err()
            .contains("odd number"));
        assert!(parse_cli_bytes("x", "zz")
            .unwrap_err()
            .contains("unexpected 'z'"));
        assert!(parse_cli_bytes("x", "0xé1")
            .unwrap_err()
            .contains("unexpected"));
        assert_eq!(parse_cli_quantity(" 0x "), Ok(U256::ZERO));
        assert_eq!(parse_cli_quantity("0x10"), Ok(U256::from(16)));
        assert_eq!(parse_cli_quantity("10"), Ok(U256::from(10)));
        assert!(parse_cli_quantity(&format!("0x1{}", "0".repeat(64))).is_err());
        assert!(parse_cli_quantity("-1").is_err());
        assert_eq!(
            parse_cli_address("0x1"),
            Ok(Address::with_last_byte(1)),
            "odd digits, left-padded"
        );
        assert_eq!(parse_cli_address(""), Ok(Address::ZERO));
        assert!(parse_cli_address(&"ab".repeat(21)).is_err());
        assert!(parse_cli_address("0x1 2").is_err());
        assert!(parse_cli_address("0x0x12").is_err(), "one prefix only");
        assert_eq!(
            parse_hex_text(" 0X60 80\n\t60 40 52\n"),
            Ok(vec![0x60, 0x80, 0x60, 0x40, 0x52])
        );
        assert_eq!(parse_hex_text("6 0"), Ok(vec![0x60]));
        assert!(parse_hex_text("0x608").unwrap_err().contains("odd number"));
        assert!(parse_hex_text("60é0").is_err());
        assert!(parse_hex_text("0x0x60").is_err());
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_u256("0x"), Ok(U256::ZERO));
        assert_eq!(parse_u256("0x00"), Ok(U256::ZERO));
        assert_eq!(parse_u256("0x0000000a"), Ok(U256::from(10)));
        assert_eq!(parse_u256("0X0A"), Ok(U256::from(10)));
        assert_eq!(parse_u64("0x"), Ok(0));
        assert_eq!(
            parse_u64("0x00000000000000000000ffffffffffffffff"),
            Ok(u64::MAX)
        );
        assert_eq!(parse_u64("0x7fffffffffffffff"), Ok(i64::MAX as u64));
        assert_eq!(parse_u256(&format!("0x{}", "f".repeat(64))), Ok(U256::MAX));
        // leading zeros beyond 64 digits are not an overflow
        assert_eq!(
            parse_u256(&format!("0x00{}", "f".repeat(64))),
            Ok(U256::MAX)
        );
    }

    #[test]
    fn bigint_prefix_and_overflow() {
        let v = "0x:bigint 0x10000000000000000000000000000000000000000000000000000000000000001";
        let e = parse_u256(v).unwrap_err();
        assert!(e.is_overflow(), "{e}");
        assert!(e.to_string().contains("256 bits"));
        let v = format!("0x1{}", "0".repeat(64));
        assert!(parse_u256(&v).unwrap_err().is_overflow());
        assert_eq!(parse_u256("0x:bigint 0x05"), Ok(U256::from(5)));
        assert!(parse_u64("0x010000000000000000").unwrap_err().is_overflow());
    }

    #[test]
    fn invalid_quantities() {
        for s in ["", "12", "0xzz", "0x 1", "0x-1", "x12", "0x1g"] {
            let e = parse_u256(s).unwrap_err();
            assert!(matches!(e, HexError::Invalid(_)), "{s}: {e:?}");
            assert!(matches!(parse_u64(s), Err(HexError::Invalid(_))), "{s}");
        }
        assert_eq!(
            parse_u256("0xzz").unwrap_err().to_string(),
            "invalid hex `0xzz`"
        );
    }

    #[test]
    fn bytes_and_fixed() {
        assert_eq!(parse_bytes("0x"), Ok(Bytes::new()));
        assert_eq!(parse_bytes("0x00ff"), Ok(Bytes::from(vec![0, 0xff])));
        assert!(matches!(parse_bytes("0x0"), Err(HexError::Invalid(_))));
        assert!(matches!(parse_bytes("00"), Err(HexError::Invalid(_))));
        let a = parse_address("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b").unwrap();
        assert_eq!(
            a,
            parse_address("a94f5374fce5edbc8e2a8697c15331677e6ebf0b").unwrap()
        );
        assert!(matches!(
            parse_address("0xa94f"),
            Err(HexError::Length(_, 20))
        ));
        assert!(matches!(parse_b256("0x01"), Err(HexError::Length(_, 32))));
        assert_eq!(parse_word("0x01"), Ok(B256::with_last_byte(1)));
        let long = format!("0x{}", "ab".repeat(1000));
        let e = parse_address(&long).unwrap_err().to_string();
        assert!(e.len() < 200, "{e}");
    }
}
