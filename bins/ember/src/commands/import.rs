//! `ember import`: imports RLP-encoded blocks (geth's export format) onto a geth genesis with
//! the block executor's validation, and reports the head or the first block rejected.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use ember_node::genesis::GenesisFile;
use ember_node::import::Schedule;
use ember_node::startup::load_chain;

/// `ember import` flags.
#[derive(Debug, Parser)]
pub struct Args {
    /// The chain's geth genesis.json (its `config` gives the fork schedule).
    #[arg(long, value_name = "PATH")]
    init: PathBuf,
    /// The RLP-encoded blocks.
    #[arg(value_name = "CHAIN.RLP")]
    blocks: PathBuf,
}

/// Imports the blocks; exits 1 when one is malformed or invalid (the message names it and
/// the rule it breaks; the blocks before it were imported), 2 on a bad genesis file.
pub fn run(args: Args) -> ExitCode {
    let loaded = GenesisFile::load(&args.init).and_then(|genesis| {
        let schedule = Schedule::from_genesis(&genesis)?.ok_or_else(|| {
            format!(
                "{}: its config names no fork (a dev genesis: use `ember node --init`)",
                args.init.display()
            )
        })?;
        load_chain(&genesis, &schedule, Some(&args.blocks))
    });
    let imported = match loaded {
        Ok(imported) => imported,
        Err(e) => {
            eprintln!("ember import: {e}");
            return ExitCode::from(2);
        }
    };
    let head = imported.chain.head();
    let header = &head.block.header;
    println!(
        "imported {} blocks: head {} {} (state root {}, fork {})",
        imported.imported,
        header.number,
        head.hash,
        header.state_root,
        imported.chain.fork_at(header.number, header.timestamp)
    );
    match imported.error {
        Some(error) => {
            eprintln!(
                "ember import: {error}; the chain is kept up to block {}",
                header.number
            );
            ExitCode::FAILURE
        }
        None => ExitCode::SUCCESS,
    }
}
