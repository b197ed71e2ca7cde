//! `ember disasm [HEX... | --file FILE | -] [--raw]`
//!
//! Prints the listing of legacy bytecode, one instruction per line (`0000 PUSH1 0x80`), in
//! the form `ember asm` reads back into the same bytes. The code is hex text (`0x`
//! optional, whitespace allowed) from the arguments, a file or standard input; with
//! `--raw` the file or standard input holds the bytes themselves. Exit status 2 on bad
//! input, with the reason on stderr.

use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use ember_bytecode::disasm::disassemble_text;

/// Arguments of `ember disasm`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The code as hex (`0x` optional, whitespace allowed; several arguments are joined),
    /// or `-` to read standard input.
    #[arg(value_name = "HEX", conflicts_with = "file")]
    hex: Vec<String>,

    /// Read the code from FILE (hex text; binary with --raw).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,

    /// The file or standard input holds binary code, not hex text.
    #[arg(long)]
    raw: bool,
}

/// Runs the command and returns its exit status.
pub fn run(args: Args) -> ExitCode {
    match load(&args) {
        Ok(code) => print_stdout(&disassemble_text(&code)),
        Err(message) => {
            eprintln!("ember disasm: {message}");
            ExitCode::from(2)
        }
    }
}

/// Writes `text` to standard output; a closed pipe (`| head`) is not an error.
fn print_stdout(text: &str) -> ExitCode {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ember disasm: cannot write standard output: {e}");
            ExitCode::from(2)
        }
    }
}

/// The code to disassemble, or what is wrong with the input.
fn load(args: &Args) -> Result<Vec<u8>, String> {
    let from_stdin = match args.hex.as_slice() {
        [] => args.file.is_none(),
        [dash] if dash == "-" => true,
        hex if hex.iter().any(|h| h == "-") => {
            return Err("`-` (standard input) cannot be combined with HEX arguments".into())
        }
        hex => {
            if args.raw {
                return Err("--raw applies to --file or standard input, not HEX arguments".into());
            }
            return decode_hex(&hex.join(" ")).map_err(|e| format!("HEX argument: {e}"));
        }
    };
    let (name, input) = match &args.file {
        Some(path) if !from_stdin => {
            let input =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            (path.display().to_string(), input)
        }
        _ => {
            if args.hex.is_empty() && io::stdin().is_terminal() {
                return Err(
                    "no input: pass HEX, --file FILE, or `-` to read standard input".to_owned(),
                );
            }
            let mut input = Vec::new();
            io::stdin()
                .read_to_end(&mut input)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            ("standard input".to_owned(), input)
        }
    };
    if args.raw {
        return Ok(input);
    }
    let text = std::str::from_utf8(&input)
        .map_err(|_| format!("{name}: not hex text (binary code? use --raw)"))?;
    decode_hex(text).map_err(|e| format!("{name}: {e} (binary code? use --raw)"))
}

use ember_primitives::hex_parse::parse_hex_text as decode_hex;

#[cfg(test)]
mod tests {
    use super::decode_hex;

    #[test]
    fn hex_forms() {
        assert_eq!(decode_hex("0x6080").unwrap(), vec![0x60, 0x80]);
        assert_eq!(decode_hex("6080").unwrap(), vec![0x60, 0x80]);
        assert_eq!(
            decode_hex(" 0X60 80\n\t60 40 52\n").unwrap(),
            vec![0x60, 0x80, 0x60, 0x40, 0x52]
        );
        assert_eq!(decode_hex("0xAbCd").unwrap(), vec![0xab, 0xcd]);
        assert_eq!(decode_hex("").unwrap(), Vec::<u8>::new());
        assert_eq!(decode_hex("0x").unwrap(), Vec::<u8>::new());
        assert_eq!(decode_hex("6 0").unwrap(), vec![0x60]);
    }

    #[test]
    fn hex_errors() {
        assert!(decode_hex("0x608").unwrap_err().contains("odd number"));
        assert!(decode_hex("60zz").unwrap_err().contains("'z'"));
        assert!(decode_hex("60é0").is_err());
        assert!(decode_hex("0x0x60").is_err());
    }
}
