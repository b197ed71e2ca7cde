//! `ember asm [FILE | -]`
//!
//! Assembles a listing (as `ember disasm` prints it) or hand-written assembly and prints the
//! bytecode as `0x`-hex on one line. Without FILE, or with `-`, reads standard input. Exit
//! status 2 on bad input, with the line and the problem on stderr.

use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use ember_bytecode::asm::assemble;

/// Arguments of `ember asm`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The assembly source, or `-` for standard input (the default when it is not a
    /// terminal).
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

/// Runs the command and returns its exit status.
pub fn run(args: Args) -> ExitCode {
    match load(&args).and_then(|(name, text)| assemble(&text).map_err(|e| format!("{name}: {e}"))) {
        Ok(code) => {
            let mut hex = String::with_capacity(3 + 2 * code.len());
            hex.push_str("0x");
            for b in &code {
                hex.push(char::from(HEX[usize::from(b >> 4)]));
                hex.push(char::from(HEX[usize::from(b & 0xf)]));
            }
            hex.push('\n');
            print_stdout(&hex)
        }
        Err(message) => {
            eprintln!("ember asm: {message}");
            ExitCode::from(2)
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The source's name for messages, and its text.
fn load(args: &Args) -> Result<(String, String), String> {
    let (name, input) = match &args.file {
        Some(path) if path.as_os_str() != "-" => {
            let input =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            (path.display().to_string(), input)
        }
        explicit => {
            if explicit.is_none() && io::stdin().is_terminal() {
                return Err("no input: pass FILE, or `-` to read standard input".to_owned());
            }
            let mut input = Vec::new();
            io::stdin()
                .read_to_end(&mut input)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            ("standard input".to_owned(), input)
        }
    };
    let text = String::from_utf8(input).map_err(|e| {
        format!(
            "{name}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((name, text))
}

/// Writes `text` to standard output; a closed pipe is not an error.
fn print_stdout(text: &str) -> ExitCode {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ember asm: cannot write standard output: {e}");
            ExitCode::from(2)
        }
    }
}
