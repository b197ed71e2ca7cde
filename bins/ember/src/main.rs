//! `ember`: the command-line front end of the Ember EVM.

mod alloc_count;
mod commands;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

/// Examples under `ember --help`.
const EXAMPLES: &str = "\
Examples:
  ember run --code 600160020160005260206000f3
  ember run --json --code 6001600101
  ember --json statetest target/fixtures/ethereum-tests/GeneralStateTests/stExample/add11.json
  ember disasm 0x6004565b00

Trace flags (--json, --trace, --trace.format, --nomemory, --noreturndata, --nostack,
--nostorage and their --trace.* spellings) may also come before the subcommand, as geth's
`evm --json statetest FILE` takes them.";

const STATETEST_EXAMPLES: &str = "\
Examples:
  ember statetest target/fixtures/ethereum-tests/GeneralStateTests/stExample
  ember statetest --json --statetest.fork Cancun --statetest.index 0 \\
      target/fixtures/ethereum-tests/GeneralStateTests/stExample/add11.json
  ls tests/*.json | ember --json statetest       # file names on stdin, one per line";

const RUN_EXAMPLES: &str = "\
Examples:
  ember run --code 600160020160005260206000f3        # prints 0x…03
  ember run --json --code 6001600101                  # EIP-3155 trace on stderr
  ember run --codefile code.hex --input 0xa9059cbb --gas 1000000 --fork Cancun --statdump
  ember run --code 6001600101 --profile gas.html";

const BLOCKTEST_EXAMPLES: &str = "\
Example:
  ember blocktest target/fixtures/execution-spec-tests/blockchain_tests";

const T8N_EXAMPLES: &str = "\
Example:
  ember t8n --input.alloc=alloc.json --input.txs=txs.json --input.env=env.json \\
      --state.fork=Cancun --output.result=result.json --output.alloc=alloc-out.json";

const DISASM_EXAMPLES: &str = "\
Examples:
  ember disasm 0x6004565b00
  ember disasm --file code.hex > listing.txt";

const ASM_EXAMPLES: &str = "\
Examples:
  ember asm listing.txt
  ember disasm 0x6004565b00 | ember asm -";

const NODE_EXAMPLES: &str = "\
Examples:
  ember node                                   # 127.0.0.1:8545, anvil's defaults
  ember node --port 9545 --hardfork cancun --block-time 2
  ember node --data-dir ~/.ember/dev           # keeps the chain across restarts";

/// The Ember Ethereum Virtual Machine.
#[derive(Debug, Parser)]
#[command(name = "ember", version, about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// One variant per subcommand; each lives in its own module under `commands/`.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run state-test fixtures (ethereum/tests GeneralStateTests, execution-spec-tests
    /// state_tests) and report each case like geth's `evm statetest`.
    #[command(after_help = STATETEST_EXAMPLES)]
    Statetest(commands::statetest::Args),
    /// Run EVM code, like geth's `evm run`: the return data as 0x-hex on stdout, then
    /// " error: <reason>" when it failed; --trace / --json trace it to stderr.
    #[command(after_help = RUN_EXAMPLES)]
    Run(commands::run::Args),
    /// Run blockchain-test fixtures (execution-spec-tests blockchain_tests): import every
    /// block, expect the invalid ones rejected, compare the final state and head.
    #[command(after_help = BLOCKTEST_EXAMPLES)]
    Blocktest(commands::blocktest::Args),
    /// Apply transactions to a pre-state like geth's `evm t8n` (state transition tool).
    #[command(after_help = T8N_EXAMPLES)]
    T8n(commands::t8n::Args),
    /// Disassemble bytecode (hex, a file, or standard input) into a listing `asm` reads back.
    #[command(after_help = DISASM_EXAMPLES)]
    Disasm(commands::disasm::Args),
    /// Assemble a listing or hand-written assembly into bytecode, printed as 0x-hex.
    #[command(after_help = ASM_EXAMPLES)]
    Asm(commands::asm::Args),
    /// A local development chain speaking anvil's JSON-RPC (HTTP and WebSocket on one
    /// port), with anvil's defaults: 10 funded accounts, chain id 31337, automine.
    #[command(after_help = NODE_EXAMPLES)]
    Node(commands::node::Args),
    /// Import RLP-encoded blocks onto a geth genesis.json with the block executor's
    /// validation (proof-of-work seals are not checked); names the first block rejected.
    Import(commands::import::Args),
}

/// The trace flags geth's `evm` accepts before the subcommand, and whether each takes a
/// separate value (`--trace.format json`).
const GLOBAL_FLAGS: &[(&str, bool)] = &[
    ("--json", false),
    ("--trace", false),
    ("--trace.format", true),
    ("--trace.nomemory", false),
    ("--nomemory", false),
    ("--trace.noreturndata", false),
    ("--noreturndata", false),
    ("--trace.nostack", false),
    ("--nostack", false),
    ("--trace.nostorage", false),
    ("--nostorage", false),
];

/// The subcommands that take the trace flags.
const TRACING_COMMANDS: &[&str] = &["run", "statetest"];

/// Moves trace flags written before a tracing subcommand (`ember --json statetest FILE`, as
/// goevmlab runs geth's `evm`) to just after it, where the subcommand parses them. Anything
/// else is left as it is.
fn hoist_global_flags(args: Vec<OsString>) -> Vec<OsString> {
    let mut hoisted = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let Some(arg) = args[i].to_str() else { break };
        let name = arg.split('=').next().unwrap_or(arg);
        let Some(&(_, takes_value)) = GLOBAL_FLAGS.iter().find(|(flag, _)| *flag == name) else {
            break;
        };
        hoisted.push(args[i].clone());
        if takes_value && !arg.contains('=') && i + 1 < args.len() {
            i += 1;
            hoisted.push(args[i].clone());
        }
        i += 1;
    }
    let is_tracing_command = args
        .get(i)
        .and_then(|a| a.to_str())
        .is_some_and(|a| TRACING_COMMANDS.contains(&a));
    if hoisted.is_empty() || !is_tracing_command {
        return args;
    }
    let mut out = Vec::with_capacity(args.len());
    out.push(args[0].clone());
    out.push(args[i].clone());
    out.extend(hoisted);
    out.extend(args[i + 1..].iter().cloned());
    out
}

fn main() -> ExitCode {
    let args = hoist_global_flags(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
            _ => {
                // One line naming the problem (clap's first line), not a usage screen.
                let text = e.to_string();
                let first = text.lines().next().unwrap_or("bad arguments");
                let first = first.strip_prefix("error: ").unwrap_or(first);
                eprintln!("ember: {first} (see ember --help)");
                return ExitCode::from(2);
            }
        },
    };
    match cli.command {
        Command::Statetest(args) => commands::statetest::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Blocktest(args) => commands::blocktest::run(args),
        Command::T8n(args) => commands::t8n::run(args),
        Command::Disasm(args) => commands::disasm::run(args),
        Command::Asm(args) => commands::asm::run(args),
        Command::Node(args) => commands::node::run(args),
        Command::Import(args) => commands::import::run(args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hoist(args: &[&str]) -> Vec<String> {
        hoist_global_flags(args.iter().map(OsString::from).collect())
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn trace_flags_before_the_subcommand_move_after_it() {
        assert_eq!(
            hoist(&[
                "ember",
                "--json",
                "--noreturndata",
                "--nomemory",
                "statetest",
                "f.json"
            ]),
            [
                "ember",
                "statetest",
                "--json",
                "--noreturndata",
                "--nomemory",
                "f.json"
            ]
        );
        assert_eq!(
            hoist(&[
                "ember",
                "--trace.format",
                "struct",
                "--trace",
                "run",
                "--code",
                "00"
            ]),
            [
                "ember",
                "run",
                "--trace.format",
                "struct",
                "--trace",
                "--code",
                "00"
            ]
        );
        assert_eq!(
            hoist(&["ember", "--nomemory=false", "run"]),
            ["ember", "run", "--nomemory=false"]
        );
    }

    #[test]
    fn other_arguments_are_left_alone() {
        let same = |args: &[&str]| assert_eq!(hoist(args), args);
        same(&["ember", "statetest", "--json", "f.json"]);
        same(&["ember", "--json", "disasm", "00"]);
        same(&["ember", "--version"]);
        same(&["ember", "--bogus", "--json", "run"]);
        same(&["ember"]);
    }
}
