//! The hex and command-line parsers: the fixture parsers of `ember_primitives::hex_parse`, the
//! command-line forms `ember run` / `ember disasm` use (`parse_cli_*`, `parse_hex_text`),
//! the blockchain crate's quantity parser, and the assembler (`ember asm`) on the input as
//! text; the disassembler on the input as bytes.
//!
//! Checks: no panic, and the properties the parsers document: bytes parsed from hex encode
//! back to the same digits; the strict fixture parser accepts nothing the lenient
//! command-line parsers reject (and they agree on the value); the two command-line byte
//! parsers agree on input without whitespace; a parsed 64-bit quantity equals the 256-bit
//! parse; `assemble(disassemble_text(code)) == code`.
#![no_main]

use ember_bytecode::{asm::assemble, disasm::disassemble_text};
use ember_primitives::{hex, U256};
use ember_primitives::hex_parse as fx;
use libfuzzer_sys::fuzz_target;

fn check_text(s: &str) {
    let strict = fx::parse_bytes(s);
    let cli = fx::parse_cli_bytes("input", s);
    let text = fx::parse_hex_text(s);
    if let Ok(b) = &strict {
        let digits = &s[2..];
        assert_eq!(hex::encode(b), digits.to_ascii_lowercase());
        assert_eq!(
            cli.as_deref(),
            Ok(&b[..]),
            "fixture bytes parse, CLI does not"
        );
    }
    if let Ok(b) = &cli {
        let again = fx::parse_cli_bytes("again", &hex::encode(b));
        assert_eq!(again.as_ref(), Ok(b), "CLI bytes do not round-trip");
    }
    if !s.contains(char::is_whitespace) {
        assert_eq!(cli.is_ok(), text.is_ok(), "{s:?}: {cli:?} vs {text:?}");
        if let (Ok(a), Ok(b)) = (&cli, &text) {
            assert_eq!(a, b);
        }
    }

    let u256 = fx::parse_u256(s);
    if let Ok(n) = fx::parse_u64(s) {
        assert_eq!(u256, Ok(U256::from(n)));
    }
    if let Ok(n) = &u256 {
        assert_eq!(fx::parse_word(s), Ok((*n).into()));
        if !s.starts_with("0x:bigint") {
            if let Ok(m) = fx::parse_cli_quantity(s) {
                assert_eq!(m, *n, "{s:?}");
            }
        }
    }
    if let Ok(a) = fx::parse_address(s) {
        assert_eq!(fx::parse_cli_address(s), Ok(a), "{s:?}");
    }
    let _ = fx::parse_b256(s);
    let _ = fx::parse_cli_quantity(s);
    let _ = fx::parse_cli_address(s);
    let _ = ember_blockchain::json::quantity(&serde_json::Value::String(s.to_string()), "q");
    let _ = assemble(s);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        check_text(s);
    }
    let listing = disassemble_text(data);
    assert_eq!(assemble(&listing).as_deref(), Ok(data), "{listing}");
});
