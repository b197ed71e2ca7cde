//! `ember run [--code HEX | --codefile FILE | CODE] [--input HEX] [--create] ...`
//!
//! Runs EVM code as geth's `evm run` does: the code is installed at `--receiver` and called
//! by `--sender` with all of `--gas` (no intrinsic gas is charged to it), or with `--create`
//! run as initcode. Prints the return data as `0x…` on stdout, then ` error: <reason>` on
//! failure, in geth's words; exits 0 whatever happened unless `--exit-code` is given (then 1
//! for a revert or halt). With `--trace` (or `--json`) the trace goes to stderr instead and,
//! like geth, the result line is left out. Bad arguments exit 2 with a message.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ember_evm::interpreter::{CallInputs, CallOutcome, CreateInputs, CreateOutcome, Exit};
use ember_evm::{
    AccountInfo, Address, BlockEnv, Bytecode, Bytes, DatabaseCommit, Evm, ExecutionResult, Fork,
    InMemoryDb, Inspector, Interpreter, TxEnv, TxKind, B256, U256,
};
use ember_trace::errors::{self, FailedOp};
use ember_trace::{Both, GasProfiler, Maybe, TraceFormat};
use serde_json::{Map, Value};

use super::state_dump::dump_json;
use super::stats::{measure, print_statdump};
use super::trace_flags::TraceArgs;

// ---------------------------------------------------------------------------------------------
// Parsing.

// The parsers live in `ember_primitives::hex_parse` (public, so the `hex_parse` fuzz target
// exercises exactly these).
use ember_primitives::hex_parse::{
    parse_cli_address as parse_address, parse_cli_bytes as parse_hex,
    parse_cli_quantity as parse_quantity,
};

fn parse_u256_arg(s: &str) -> Result<U256, String> {
    parse_quantity(s)
}

fn parse_fork(name: &str) -> Result<Fork, String> {
    name.parse::<Fork>().map_err(|e| e.to_string())
}

/// geth's `common.BytesToAddress([]byte(name))`.
fn name_address(name: &str) -> Address {
    let mut out = [0u8; 20];
    out[20 - name.len()..].copy_from_slice(name.as_bytes());
    Address::from(out)
}

// ---------------------------------------------------------------------------------------------
// The command.

/// Arguments of `ember run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// EVM code in hex (as --code HEX or as the argument).
    #[arg(value_name = "CODE")]
    code_arg: Option<String>,

    /// EVM code in hex.
    #[arg(long, value_name = "HEX", conflicts_with_all = ["code_arg", "codefile"])]
    code: Option<String>,

    /// File holding the code in hex; `-` reads standard input.
    #[arg(long, value_name = "FILE", conflicts_with = "code_arg")]
    codefile: Option<PathBuf>,

    /// Calldata in hex (appended to the code with --create).
    #[arg(long, value_name = "HEX", conflicts_with = "inputfile")]
    input: Option<String>,

    /// File holding the calldata in hex.
    #[arg(long, value_name = "FILE")]
    inputfile: Option<PathBuf>,

    /// Gas given to the code (a prestate's non-zero gasLimit takes precedence, as in geth).
    #[arg(long, default_value_t = 10_000_000_000)]
    gas: u64,

    /// Gas price (GASPRICE), decimal or 0x hex.
    #[arg(long, default_value = "0", value_parser = parse_u256_arg)]
    price: U256,

    /// Value sent with the call, decimal or 0x hex.
    #[arg(long, default_value = "0", value_parser = parse_u256_arg)]
    value: U256,

    /// The transaction origin and caller [default: "sender" as an address, as geth].
    #[arg(long, value_parser = parse_address)]
    sender: Option<Address>,

    /// The address the code runs at [default: "receiver" as an address, as geth].
    #[arg(long, value_parser = parse_address)]
    receiver: Option<Address>,

    /// Fork rules [default: the prestate's config, else Osaka].
    #[arg(long, value_name = "NAME", value_parser = parse_fork)]
    fork: Option<Fork>,

    /// Run the code as initcode (a contract creation) rather than calling it.
    #[arg(long)]
    create: bool,

    /// A geth genesis file: config, alloc, coinbase, timestamp, number, gasLimit,
    /// difficulty, baseFeePerGas, mixHash, excessBlobGas.
    #[arg(long, value_name = "FILE", visible_alias = "genesis")]
    prestate: Option<PathBuf>,

    /// Print gas used, execution time and allocations to stderr.
    #[arg(long)]
    statdump: bool,

    /// Run repeatedly and report the mean (as --statdump).
    #[arg(long)]
    bench: bool,

    /// Print the state after the run (geth's dump JSON) on stdout.
    #[arg(long)]
    dump: bool,

    /// Exit 1 when the execution reverted or halted (geth always exits 0).
    #[arg(long)]
    exit_code: bool,

    /// Write a gas profile of the run to this HTML file.
    #[arg(long, value_name = "FILE.html")]
    profile: Option<PathBuf>,

    /// Human-readable output: with --trace, the struct format.
    #[arg(long)]
    human: bool,

    #[command(flatten)]
    trace: TraceArgs,
}

/// The prestate, block and chain a `run` executes in.
#[derive(Debug)]
struct Prestate {
    db: InMemoryDb,
    block: BlockEnv,
    chain_id: u64,
    fork: Option<Fork>,
    gas_limit: Option<u64>,
}

fn field<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).filter(|v| !v.is_null())
}

fn quantity_field(obj: &Map<String, Value>, name: &str) -> Result<Option<U256>, String> {
    match field(obj, name) {
        None => Ok(None),
        Some(Value::String(s)) => parse_quantity(s)
            .map(Some)
            .map_err(|e| format!("{name}: {e}")),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|v| Some(U256::from(v)))
            .ok_or_else(|| format!("{name}: invalid number {n}")),
        Some(other) => Err(format!("{name}: expected a number, got {other}")),
    }
}

fn u64_field(obj: &Map<String, Value>, name: &str) -> Result<Option<u64>, String> {
    quantity_field(obj, name)?
        .map(|v| u64::try_from(v).map_err(|_| format!("{name}: does not fit in 64 bits")))
        .transpose()
}

/// The newest fork a geth chain config has activated at `number` / `timestamp`.
fn fork_of_config(config: &Map<String, Value>, number: u64, timestamp: u64) -> Option<Fork> {
    let by_block = [
        ("homesteadBlock", Fork::Homestead),
        ("eip150Block", Fork::Tangerine),
        ("eip158Block", Fork::SpuriousDragon),
        ("byzantiumBlock", Fork::Byzantium),
        ("constantinopleBlock", Fork::Constantinople),
        ("petersburgBlock", Fork::Petersburg),
        ("istanbulBlock", Fork::Istanbul),
        ("berlinBlock", Fork::Berlin),
        ("londonBlock", Fork::London),
        ("mergeNetsplitBlock", Fork::Paris),
    ];
    let at = |key: &str| u64_field(config, key).ok().flatten();
    let mut fork = None;
    for (key, f) in by_block {
        if at(key).is_some_and(|b| b <= number) {
            fork = Some(f);
        }
    }
    // A config with a terminal total difficulty is taken as merged once London's fee market
    // (which the merge requires) is active.
    let fee_market = fork.is_some_and(|f| ember_evm::Spec::of(f).tx_fee_market);
    if fee_market && field(config, "terminalTotalDifficulty").is_some() {
        fork = Some(Fork::Paris);
    }
    for &(key, f) in ember_node::import::FORK_TIMES {
        if at(key).is_some_and(|t| t <= timestamp) {
            fork = Some(f);
        }
    }
    if fork.is_none() && !config.is_empty() {
        fork = Some(Fork::Frontier);
    }
    fork
}

fn load_prestate(path: &Path) -> Result<Prestate, String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("cannot read prestate {}: {e}", path.display()))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| format!("invalid prestate {}: {e}", path.display()))?;
    let Value::Object(genesis) = value else {
        return Err(format!(
            "invalid prestate {}: not a JSON object",
            path.display()
        ));
    };
    let context = |e: String| format!("prestate {}: {e}", path.display());
    let mut db = InMemoryDb::new();
    if let Some(alloc) = field(&genesis, "alloc") {
        let alloc = alloc
            .as_object()
            .ok_or_else(|| context("alloc: not an object".into()))?;
        for (addr, account) in alloc {
            let address = parse_address(addr).map_err(&context)?;
            let account = account
                .as_object()
                .ok_or_else(|| context(format!("alloc {addr}: not an object")))?;
            let balance = quantity_field(account, "balance")
                .map_err(&context)?
                .unwrap_or_default();
            let nonce = u64_field(account, "nonce")
                .map_err(&context)?
                .unwrap_or_default();
            let code = match field(account, "code") {
                Some(Value::String(s)) => {
                    parse_hex(&format!("alloc {addr} code"), s).map_err(&context)?
                }
                _ => Vec::new(),
            };
            let mut storage = Vec::new();
            if let Some(Value::Object(slots)) = field(account, "storage") {
                for (k, v) in slots {
                    let key = parse_quantity(k).map_err(&context)?;
                    let value = v
                        .as_str()
                        .map(parse_quantity)
                        .transpose()
                        .map_err(&context)?
                        .unwrap_or_default();
                    storage.push((key, value));
                }
            }
            let info = AccountInfo::with_code(balance, nonce, Bytecode::new(code.into()));
            db.insert_account(address, info, storage);
        }
    }
    let number = u64_field(&genesis, "number")
        .map_err(&context)?
        .unwrap_or(0);
    let timestamp = u64_field(&genesis, "timestamp")
        .map_err(&context)?
        .unwrap_or(0);
    let gas_limit = u64_field(&genesis, "gasLimit")
        .map_err(&context)?
        .filter(|g| *g != 0);
    let mut block = BlockEnv {
        number,
        timestamp,
        ..BlockEnv::default()
    };
    if let Some(Value::String(c)) = field(&genesis, "coinbase") {
        block.coinbase = parse_address(c).map_err(&context)?;
    }
    if let Some(d) = quantity_field(&genesis, "difficulty").map_err(&context)? {
        block.difficulty = d;
    }
    if let Some(b) = quantity_field(&genesis, "baseFeePerGas").map_err(&context)? {
        block.base_fee = b;
    }
    if let Some(Value::String(m)) = field(&genesis, "mixHash") {
        let bytes = parse_hex("mixHash", m).map_err(&context)?;
        if bytes.len() == 32 {
            block.prevrandao = Some(B256::from_slice(&bytes));
        }
    }
    block.excess_blob_gas = u64_field(&genesis, "excessBlobGas").map_err(&context)?;
    let config = match field(&genesis, "config") {
        Some(Value::Object(c)) => c.clone(),
        _ => Map::new(),
    };
    let chain_id = u64_field(&config, "chainId")
        .map_err(&context)?
        .unwrap_or(1);
    let fork = fork_of_config(&config, number, timestamp);
    Ok(Prestate {
        db,
        block,
        chain_id,
        fork,
        gas_limit,
    })
}

fn read_code(args: &Args) -> Result<Vec<u8>, String> {
    if let Some(path) = &args.codefile {
        let text = if path.as_os_str() == "-" {
            let mut s = String::new();
            io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("cannot read code from stdin: {e}"))?;
            s
        } else {
            fs::read_to_string(path)
                .map_err(|e| format!("cannot read code file {}: {e}", path.display()))?
        };
        return parse_hex("--codefile", &text);
    }
    match (&args.code, &args.code_arg) {
        (Some(hex), _) => parse_hex("--code", hex),
        (None, Some(hex)) => parse_hex("code", hex),
        (None, None) => Ok(Vec::new()),
    }
}

fn read_input(args: &Args) -> Result<Vec<u8>, String> {
    if let Some(path) = &args.inputfile {
        let text = fs::read_to_string(path)
            .map_err(|e| format!("cannot read input file {}: {e}", path.display()))?;
        return parse_hex("--inputfile", &text);
    }
    match &args.input {
        Some(hex) => parse_hex("--input", hex),
        None => Ok(Vec::new()),
    }
}

/// How the transaction's own frame ended, and the last instruction there (for messages).
#[derive(Debug, Default)]
struct TopFrame {
    exit: Option<Exit>,
    gas_used: u64,
    last: Option<FailedOp>,
    steps: bool,
}

impl Inspector for TopFrame {
    fn wants_steps(&self) -> bool {
        self.steps
    }
    fn wants_call_input(&self) -> bool {
        false
    }
    fn step(&mut self, interp: &Interpreter) {
        if interp.depth == 0 {
            self.last = Some(FailedOp {
                op: interp.current_opcode(),
                stack_len: interp.stack.len(),
            });
        }
    }
    fn call_end(&mut self, inputs: &CallInputs, outcome: &CallOutcome, depth: usize) {
        if depth == 0 {
            self.exit = Some(outcome.exit);
            let left = if outcome.exit.is_halt() {
                0
            } else {
                outcome.gas.remaining
            };
            self.gas_used = inputs.gas_limit - left;
        }
    }
    fn create_end(&mut self, inputs: &CreateInputs, outcome: &CreateOutcome, depth: usize) {
        if depth == 0 {
            let exit = outcome.result.exit;
            self.exit = Some(exit);
            let left = if exit.is_halt() {
                0
            } else {
                outcome.result.gas.remaining
            };
            self.gas_used = inputs.gas_limit - left;
        }
    }
}

/// Everything one execution needs.
struct Setup {
    db: InMemoryDb,
    block: BlockEnv,
    chain_id: u64,
    fork: Fork,
    tx: TxEnv,
}

/// What one execution gave.
struct Ran<I> {
    result: Result<(ExecutionResult, InMemoryDb), String>,
    inspector: I,
}

fn execute<I: Inspector>(setup: &Setup, inspector: I) -> Ran<I> {
    let mut evm = Evm::builder(setup.db.clone())
        .fork(setup.fork)
        .block(setup.block.clone())
        .chain_id(setup.chain_id)
        .inspector(inspector)
        .build();
    // geth's `evm run` applies no transaction-level limits: lift the EIP-7825 gas cap.
    let mut spec = *evm.spec();
    if spec.tx_gas_limit_cap.is_some() {
        spec.tx_gas_limit_cap = None;
        evm.ctx.journal.spec = Box::leak(Box::new(spec));
    }
    let outcome = evm.transact(&setup.tx);
    let result = match outcome {
        Ok(rs) => {
            let mut db = std::mem::take(evm.db_mut());
            db.commit(&rs.state);
            Ok((rs.result, db))
        }
        Err(e) => Err(e.to_string()),
    };
    Ran {
        result,
        inspector: evm.inspector,
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("ember run: {msg}");
    ExitCode::from(2)
}

/// Runs the command and returns its exit status.
pub fn run(args: Args) -> ExitCode {
    let code = match read_code(&args) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let input = match read_input(&args) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    let prestate = match &args.prestate {
        Some(path) => match load_prestate(path) {
            Ok(p) => Some(p),
            Err(e) => return fail(&e),
        },
        None => None,
    };
    let (mut db, mut block, chain_id, config_fork, genesis_gas) = match prestate {
        Some(p) => (p.db, p.block, p.chain_id, p.fork, p.gas_limit),
        None => (InMemoryDb::new(), BlockEnv::default(), 1, None, None),
    };
    let fork = args.fork.or(config_fork).unwrap_or(Fork::LATEST);
    let gas = genesis_gas.unwrap_or(args.gas);
    let sender = args.sender.unwrap_or_else(|| name_address("sender"));
    let receiver = args.receiver.unwrap_or_else(|| name_address("receiver"));

    let (kind, data) = if args.create {
        let mut initcode = code;
        initcode.extend_from_slice(&input);
        (TxKind::Create, initcode)
    } else {
        if !code.is_empty() {
            let mut info = db
                .accounts
                .get(&receiver)
                .map(|a| a.info.clone())
                .unwrap_or_default();
            let bytecode = Bytecode::new(code.into());
            info.code_hash = bytecode.hash();
            info.code = Some(bytecode);
            let storage: Vec<(U256, U256)> = db
                .accounts
                .get(&receiver)
                .map(|a| a.storage.iter().map(|(k, v)| (*k, *v)).collect())
                .unwrap_or_default();
            db.insert_account(receiver, info, storage);
        }
        (TxKind::Call(receiver), input)
    };
    let spec = ember_evm::Spec::of(fork);
    let mut tx = TxEnv {
        caller: sender,
        kind,
        value: args.value,
        data: Bytes::from(data),
        gas_price: args.price,
        ..TxEnv::default()
    };
    // The code gets all of --gas: the transaction pays the intrinsic gas on top.
    let intrinsic = ember_transaction::intrinsic_gas(spec, &tx);
    tx.gas_limit = gas.saturating_add(intrinsic);
    block.gas_limit = block.gas_limit.max(tx.gas_limit);
    if spec.prevrandao && block.prevrandao.is_none() {
        block.prevrandao = Some(B256::ZERO);
    }
    if spec.blobs.is_some() && block.excess_blob_gas.is_none() {
        block.excess_blob_gas = Some(0);
    }
    // geth charges nothing for gas here; credit the sender what the transaction buys.
    let sender_account = db.accounts.get(&sender).map(|a| a.info.clone());
    let mut sender_info = sender_account.clone().unwrap_or_default();
    if sender_info.balance < args.value {
        if args.trace.format().is_none() {
            println!("0x");
            println!(" error: insufficient balance for transfer");
        }
        return ExitCode::from(if args.exit_code { 1 } else { 0 });
    }
    tx.nonce = sender_info.nonce;
    let fee = U256::from(tx.gas_limit).saturating_mul(args.price);
    sender_info.balance = sender_info.balance.saturating_add(fee);
    let sender_storage: Vec<(U256, U256)> = db
        .accounts
        .get(&sender)
        .map(|a| a.storage.iter().map(|(k, v)| (*k, *v)).collect())
        .unwrap_or_default();
    if sender_account.is_some() || !fee.is_zero() {
        db.insert_account(sender, sender_info, sender_storage);
    }
    let setup = Setup {
        db,
        block,
        chain_id,
        fork,
        tx,
    };

    let mut trace = args.trace.clone();
    if args.human && trace.format().is_some() && !trace.json {
        trace.format = TraceFormat::Struct;
    }
    let tracer = Maybe(trace.tracer());
    let profiler = Maybe(args.profile.as_ref().map(|_| GasProfiler::new()));
    let tracing = tracer.0.is_some();

    let (ran, mut stats) = if args.bench {
        // Time untraced runs; trace and profile one more.
        let (_, stats) = measure(true, || execute(&setup, TopFrame::default()));
        (
            execute(&setup, Both(Both(tracer, profiler), TopFrame::default())),
            stats,
        )
    } else {
        let mut inspector = Some(Both(Both(tracer, profiler), TopFrame::default()));
        measure(false, || {
            let inspector = inspector.take().expect("measured once");
            execute(&setup, inspector)
        })
    };
    let Both(Both(tracer, profiler), top) = ran.inspector;
    if let Some(mut tracer) = tracer.0 {
        if let Err(e) = tracer.flush() {
            if e.kind() != io::ErrorKind::BrokenPipe {
                eprintln!("ember run: cannot write the trace: {e}");
            }
        }
    }
    let (result, post) = match ran.result {
        Ok(r) => r,
        Err(e) => return fail(&format!("transaction rejected: {e}")),
    };
    stats.gas_used = top.gas_used;

    if let (Some(path), Some(profiler)) = (&args.profile, profiler.0) {
        let title = format!("ember run: gas profile ({} gas)", top.gas_used);
        if let Err(e) = fs::write(path, profiler.into_profile().to_html(&title)) {
            return fail(&format!("cannot write {}: {e}", path.display()));
        }
        eprintln!("gas profile written to {}", path.display());
    }
    if args.dump {
        println!(
            "{}",
            serde_json::to_string_pretty(&dump_json(&post)).unwrap_or_default()
        );
    }
    if args.bench || args.statdump {
        print_statdump(&stats);
    }

    let output: Vec<u8> = match &result {
        ExecutionResult::Success {
            created_address: Some(address),
            ..
        } => post
            .accounts
            .get(address)
            .and_then(|a| a.info.code.as_ref())
            .map(|c| c.original().to_vec())
            .unwrap_or_default(),
        other => other.output().to_vec(),
    };
    let exit = top.exit.unwrap_or(match &result {
        ExecutionResult::Success { .. } => Exit::Stop,
        ExecutionResult::Revert { .. } => Exit::Revert,
        ExecutionResult::Halt { reason, .. } => *reason,
    });
    let failed = !exit.is_success();
    if !tracing {
        let mut last = None;
        if matches!(
            exit,
            Exit::StackUnderflow
                | Exit::StackOverflow
                | Exit::InvalidOpcode
                | Exit::UndefinedOpcode
        ) {
            // The message names the instruction: run again, noting the last one.
            let again = execute(
                &setup,
                TopFrame {
                    steps: true,
                    ..TopFrame::default()
                },
            );
            last = again.inspector.last;
        }
        let mut out = io::stdout().lock();
        let mut text = format!("0x{}\n", ember_evm::hex::encode(&output));
        if let Some(msg) = errors::message(exit, last) {
            text.push_str(&format!(" error: {msg}\n"));
        }
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
    if failed && args.exit_code {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_addresses() {
        assert_eq!(parse_hex("x", " 0x6001\n").unwrap(), vec![0x60, 0x01]);
        assert!(parse_hex("x", "0x600").unwrap_err().contains("odd number"));
        assert!(parse_hex("x", "zz").unwrap_err().contains("unexpected 'z'"));
        assert_eq!(
            name_address("sender").to_string().to_lowercase(),
            "0x000000000000000000000000000073656e646572"
        );
        assert_eq!(parse_quantity("0x10").unwrap(), U256::from(16));
        assert_eq!(parse_quantity("10").unwrap(), U256::from(10));
    }

    #[test]
    fn forks_from_a_geth_config() {
        let config: Map<String, Value> = serde_json::from_str(
            r#"{"chainId":1,"homesteadBlock":0,"berlinBlock":0,"londonBlock":0,
                "terminalTotalDifficulty":0,"shanghaiTime":0,"cancunTime":100}"#,
        )
        .unwrap();
        assert_eq!(fork_of_config(&config, 0, 0), Some(Fork::Shanghai));
        assert_eq!(fork_of_config(&config, 0, 100), Some(Fork::Cancun));
        assert_eq!(fork_of_config(&Map::new(), 0, 0), None);
    }
}
