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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Statetest(args) => commands::statetest::run(args),
    }
}
