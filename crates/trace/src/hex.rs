//! Hex spellings as geth writes them.

use ember_primitives::U256;

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// `0x` and the minimal lowercase hex of `v` (`0x0` for zero), like geth's `hexutil.U256`.
pub(crate) fn push_u256(out: &mut Vec<u8>, v: &U256) {
    out.extend_from_slice(b"0x");
    let limbs = v.as_limbs();
    let mut started = false;
    for limb in limbs.iter().rev() {
        if !started {
            if *limb == 0 {
                continue;
            }
            started = true;
            push_hex_u64_digits(out, *limb);
        } else {
            for shift in (0..16).rev() {
                out.push(DIGITS[((limb >> (shift * 4)) & 0xf) as usize]);
            }
        }
    }
    if !started {
        out.push(b'0');
    }
}

/// `0x` and the minimal lowercase hex of `v`, like geth's `math.HexOrDecimal64`.
pub(crate) fn push_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(b"0x");
    push_hex_u64_digits(out, v);
}

fn push_hex_u64_digits(out: &mut Vec<u8>, v: u64) {
    if v == 0 {
        out.push(b'0');
        return;
    }
    let digits = (64 - v.leading_zeros()).div_ceil(4);
    for shift in (0..digits).rev() {
        out.push(DIGITS[((v >> (shift * 4)) & 0xf) as usize]);
    }
}

/// Two lowercase hex digits per byte, no prefix.
pub(crate) fn push_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize]);
        out.push(DIGITS[(b & 0xf) as usize]);
    }
}

/// A decimal number.
pub(crate) fn push_dec(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Go's `hex.Dump`: 16 bytes a line, offset, hex columns and a printable-ASCII column.
pub(crate) fn push_dump(out: &mut Vec<u8>, data: &[u8]) {
    for (line, chunk) in data.chunks(16).enumerate() {
        let offset = (line * 16) as u32;
        for shift in (0..8).rev() {
            out.push(DIGITS[((offset >> (shift * 4)) & 0xf) as usize]);
        }
        out.extend_from_slice(b"  ");
        for i in 0..16 {
            match chunk.get(i) {
                Some(b) => {
                    out.push(DIGITS[(b >> 4) as usize]);
                    out.push(DIGITS[(b & 0xf) as usize]);
                    out.push(b' ');
                }
                None => out.extend_from_slice(b"   "),
            }
            if i == 7 {
                out.push(b' ');
            }
        }
        out.extend_from_slice(b" |");
        for b in chunk {
            out.push(if (32..=126).contains(b) { *b } else { b'.' });
        }
        out.extend_from_slice(b"|\n");
    }
}

/// Writes `s` as the inside of a JSON string.
pub(crate) fn push_json_str(out: &mut Vec<u8>, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn minimal_hex() {
        assert_eq!(s(|o| push_u256(o, &U256::ZERO)), "0x0");
        assert_eq!(s(|o| push_u256(o, &U256::from(0x1234u64))), "0x1234");
        assert_eq!(
            s(|o| push_u256(o, &(U256::from(1u64) << 64))),
            "0x10000000000000000"
        );
        assert_eq!(
            s(|o| push_u256(o, &U256::MAX)),
            format!("0x{}", "f".repeat(64))
        );
        assert_eq!(s(|o| push_u64(o, 0)), "0x0");
        assert_eq!(s(|o| push_u64(o, 10_000_000_000)), "0x2540be400");
        assert_eq!(s(|o| push_dec(o, 0)), "0");
        assert_eq!(s(|o| push_dec(o, u64::MAX)), "18446744073709551615");
    }

    #[test]
    fn go_hex_dump() {
        // Outputs of Go's hex.Dump.
        assert_eq!(
            s(|o| push_dump(o, b"Hi")),
            format!("00000000  48 69{}|Hi|\n", " ".repeat(45))
        );
        let data: Vec<u8> = (0u8..20).map(|b| b + 0x40).collect();
        assert_eq!(
            s(|o| push_dump(o, &data)),
            format!(
                "00000000  40 41 42 43 44 45 46 47  48 49 4a 4b 4c 4d 4e 4f  |@ABCDEFGHIJKLMNO|\n\
                 00000010  50 51 52 53{}|PQRS|\n",
                " ".repeat(39)
            )
        );
    }
}
