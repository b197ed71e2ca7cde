//! `ember`: the command-line front end of the Ember EVM.

mod commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The Ember Ethereum Virtual Machine.
#[derive(Debug, Parser)]
#[command(name = "ember", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// One variant per subcommand; each lives in its own module under `commands/`.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run state-test fixtures (ethereum/tests GeneralStateTests, execution-spec-tests
    /// state_tests) and report each case like geth's `evm statetest`.
    Statetest(commands::statetest::Args),
    /// Run EVM code, like geth's `evm run`: the return data as 0x-hex on stdout, then
    /// " error: <reason>" when it failed; --trace / --json trace it to stderr.
    Run(commands::run::Args),
    /// Run blockchain-test fixtures (execution-spec-tests blockchain_tests): import every
    /// block, expect the invalid ones rejected, compare the final state and head.
    Blocktest(commands::blocktest::Args),
    /// Apply transactions to a pre-state like geth's `evm t8n` (state transition tool).
    T8n(commands::t8n::Args),
    /// Disassemble bytecode (hex, a file, or standard input) into a listing `asm` reads back.
    Disasm(commands::disasm::Args),
    /// Assemble a listing or hand-written assembly into bytecode, printed as 0x-hex.
    Asm(commands::asm::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Statetest(args) => commands::statetest::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Blocktest(args) => commands::blocktest::run(args),
        Command::T8n(args) => commands::t8n::run(args),
        Command::Disasm(args) => commands::disasm::run(args),
        Command::Asm(args) => commands::asm::run(args),
    }
}
