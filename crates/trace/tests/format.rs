//! The tracers' exact output on small programs.

use ember_evm::{
    address, bytes, AccountInfo, Address, Bytecode, Bytes, Evm, Fork, InMemoryDb, TxEnv, TxKind,
    U256,
};
use ember_trace::{
    Flavour, GasProfiler, JsonTracer, StepConfig, StructLog, StructLogRecorder, StructTracer,
    TraceConfig,
};

const TARGET: Address = address!("2000000000000000000000000000000000000002");
const OTHER: Address = address!("3000000000000000000000000000000000000003");

fn db(code: Bytes, other: Bytes) -> InMemoryDb {
    let mut db = InMemoryDb::new();
    let sender = address!("1000000000000000000000000000000000000001");
    db.insert_account(
        sender,
        AccountInfo {
            balance: U256::from(10u64.pow(18)),
            ..Default::default()
        },
        [],
    );
    db.insert_account(
        TARGET,
        AccountInfo::with_code(U256::ZERO, 0, Bytecode::new(code)),
        [],
    );
    db.insert_account(
        OTHER,
        AccountInfo::with_code(U256::ZERO, 0, Bytecode::new(other)),
        [],
    );
    db
}

fn tx() -> TxEnv {
    TxEnv {
        caller: address!("1000000000000000000000000000000000000001"),
        kind: TxKind::Call(TARGET),
        gas_limit: 100_000,
        ..Default::default()
    }
}

fn json(code: Bytes, other: Bytes, config: TraceConfig) -> String {
    let tracer = JsonTracer::new(Vec::new(), config);
    let mut evm = Evm::builder(db(code, other))
        .fork(Fork::Cancun)
        .inspector(tracer)
        .build();
    evm.transact(&tx()).unwrap();
    String::from_utf8(evm.inspector.into_inner()).unwrap()
}

#[test]
fn json_lines_of_a_small_program() {
    // PUSH1 1, PUSH1 2, ADD, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN
    let trace = json(
        bytes!("600160020160005260206000f3"),
        Bytes::new(),
        TraceConfig::default(),
    );
    let expected = r#"{"pc":0,"op":96,"gas":"0x13498","gasCost":"0x3","memSize":0,"stack":[],"depth":1,"refund":0,"opName":"PUSH1"}
{"pc":2,"op":96,"gas":"0x13495","gasCost":"0x3","memSize":0,"stack":["0x1"],"depth":1,"refund":0,"opName":"PUSH1"}
{"pc":4,"op":1,"gas":"0x13492","gasCost":"0x3","memSize":0,"stack":["0x1","0x2"],"depth":1,"refund":0,"opName":"ADD"}
{"pc":5,"op":96,"gas":"0x1348f","gasCost":"0x3","memSize":0,"stack":["0x3"],"depth":1,"refund":0,"opName":"PUSH1"}
{"pc":7,"op":82,"gas":"0x1348c","gasCost":"0x6","memSize":0,"stack":["0x3","0x0"],"depth":1,"refund":0,"opName":"MSTORE"}
{"pc":8,"op":96,"gas":"0x13486","gasCost":"0x3","memSize":32,"stack":[],"depth":1,"refund":0,"opName":"PUSH1"}
{"pc":10,"op":96,"gas":"0x13483","gasCost":"0x3","memSize":32,"stack":["0x20"],"depth":1,"refund":0,"opName":"PUSH1"}
{"pc":12,"op":243,"gas":"0x13480","gasCost":"0x0","memSize":32,"stack":["0x20","0x0"],"depth":1,"refund":0,"opName":"RETURN"}
{"output":"0000000000000000000000000000000000000000000000000000000000000003","gasUsed":"0x18"}
"#;
    assert_eq!(trace, expected);
}

#[test]
fn json_options_memory_return_data_no_stack() {
    let config = TraceConfig {
        memory: true,
        stack: false,
        return_data: true,
        storage: true,
    };
    let trace = json(bytes!("60016000526000"), Bytes::new(), config);
    let lines: Vec<&str> = trace.lines().collect();
    assert_eq!(
        lines[2],
        r#"{"pc":4,"op":82,"gas":"0x13492","gasCost":"0x6","memSize":0,"stack":null,"depth":1,"refund":0,"opName":"MSTORE"}"#
    );
    assert_eq!(
        lines[3],
        r#"{"pc":5,"op":96,"gas":"0x1348c","gasCost":"0x3","memory":"0x0000000000000000000000000000000000000000000000000000000000000001","memSize":32,"stack":null,"depth":1,"refund":0,"opName":"PUSH1"}"#
    );
}

/// A caller that CALLs `OTHER` (which reverts with one byte) and then the identity
/// precompile, then stops.
fn caller_code() -> Bytes {
    // PUSH1 0 (retLen) PUSH1 0 (retOff) PUSH1 0 (argLen) PUSH1 0 (argOff) PUSH1 0 (value)
    // PUSH20 OTHER PUSH2 0xffff (gas) CALL POP
    // PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 4 GAS CALL STOP
    let mut code = hex_code("6000600060006000600073");
    code.extend_from_slice(OTHER.as_slice());
    code.extend_from_slice(&hex_code("61fffff150"));
    code.extend_from_slice(&hex_code("6000600060006000600060045af100"));
    code.into()
}

fn hex_code(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn json_nested_calls_revert_and_precompile() {
    // OTHER: PUSH1 1, PUSH1 0, REVERT
    let trace = json(
        caller_code(),
        bytes!("60016000fd"),
        TraceConfig {
            stack: false,
            ..TraceConfig::default()
        },
    );
    let lines: Vec<&str> = trace.lines().collect();
    let expected = [
        // the CALL to OTHER costs 2600 (cold) + 0xffff forwarded
        r#"{"pc":34,"op":241,"gas":"0x13483","gasCost":"0x10a27","memSize":0,"stack":null,"depth":1,"refund":0,"opName":"CALL"}"#,
        r#"{"pc":0,"op":96,"gas":"0xffff","gasCost":"0x3","memSize":0,"stack":null,"depth":2,"refund":0,"opName":"PUSH1"}"#,
        r#"{"pc":2,"op":96,"gas":"0xfffc","gasCost":"0x3","memSize":0,"stack":null,"depth":2,"refund":0,"opName":"PUSH1"}"#,
        r#"{"pc":4,"op":253,"gas":"0xfff9","gasCost":"0x3","memSize":0,"stack":null,"depth":2,"refund":0,"opName":"REVERT"}"#,
        r#"{"pc":4,"op":253,"gas":"0xfff9","gasCost":"0x3","memSize":32,"stack":null,"depth":2,"refund":0,"opName":"REVERT","error":"execution reverted"}"#,
        r#"{"output":"00","gasUsed":"0x9","error":"execution reverted"}"#,
        r#"{"pc":35,"op":80,"gas":"0x12a52","gasCost":"0x2","memSize":0,"stack":null,"depth":1,"refund":0,"opName":"POP"}"#,
    ];
    assert_eq!(&lines[7..14], &expected, "{trace}");
    // the identity precompile's frame, the caller's STOP, the transaction's frame
    let n = lines.len();
    assert!(lines[n - 4].contains(r#""opName":"CALL""#), "{trace}");
    assert_eq!(lines[n - 3], r#"{"output":"","gasUsed":"0xf"}"#);
    assert!(lines[n - 2].contains(r#""opName":"STOP""#));
    assert!(lines[n - 1].starts_with(r#"{"output":"","gasUsed":"#));
}

#[test]
fn struct_format() {
    let tracer = StructTracer::new(Vec::new(), TraceConfig::default());
    // PUSH1 5, PUSH1 7, SSTORE, PUSH1 7, SLOAD, STOP
    let mut evm = Evm::builder(db(bytes!("600560075560075400"), Bytes::new()))
        .fork(Fork::Cancun)
        .inspector(tracer)
        .build();
    evm.transact(&tx()).unwrap();
    let text = String::from_utf8(evm.inspector.into_inner()).unwrap();
    let slot = format!("{:064x}: {:064x}\n", 7, 5);
    let expected = format!(
        "PUSH1           pc=00000000 gas=79000 cost=3\n\n\
         PUSH1           pc=00000002 gas=78997 cost=3\nStack:\n00000000  0x5\n\n\
         SSTORE          pc=00000004 gas=78994 cost=22100\nStack:\n00000000  0x7\n00000001  0x5\nStorage:\n{slot}\n\
         PUSH1           pc=00000005 gas=56894 cost=3\n\n\
         SLOAD           pc=00000007 gas=56891 cost=100\nStack:\n00000000  0x7\nStorage:\n{slot}\n\
         STOP            pc=00000008 gas=56791 cost=0\nStack:\n00000000  0x5\n\n"
    );
    assert_eq!(text, expected);
}

#[test]
fn errors_as_geth_words_them() {
    // ADD on an empty stack
    let trace = json(bytes!("01"), Bytes::new(), TraceConfig::default());
    assert_eq!(
        trace,
        "{\"pc\":0,\"op\":1,\"gas\":\"0x13498\",\"gasCost\":\"0x3\",\"memSize\":0,\"stack\":[],\"depth\":1,\"refund\":0,\"opName\":\"ADD\",\"error\":\"stack underflow (0 <=> 2)\"}\n\
         {\"output\":\"\",\"gasUsed\":\"0x13498\",\"error\":\"stack underflow (0 <=> 2)\"}\n"
    );
    // an undefined opcode fails while running: geth writes its line twice
    let trace = json(bytes!("0c"), Bytes::new(), TraceConfig::default());
    let lines: Vec<&str> = trace.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].ends_with(r#""opName":"opcode 0xc not defined"}"#));
    assert!(lines[1].ends_with(r#""error":"invalid opcode: opcode 0xc not defined"}"#));
}

#[test]
fn profiler_counts_gas_per_pc_and_opcode() {
    let mut evm = Evm::builder(db(caller_code(), bytes!("60016000fd")))
        .fork(Fork::Cancun)
        .inspector(GasProfiler::new())
        .build();
    let result = evm.transact(&tx()).unwrap();
    let profile = evm.inspector.into_profile();
    assert_eq!(profile.contracts.len(), 2);
    let caller = &profile.contracts[0];
    assert_eq!(caller.addresses, vec![TARGET]);
    // the CALL to OTHER costs its own 2600 (cold), not the forwarded gas
    assert_eq!(
        caller.pcs[34],
        ember_trace::profile::PcStat {
            count: 1,
            gas: 2600
        }
    );
    let callee = &profile.contracts[1];
    assert_eq!(callee.gas(), 9);
    assert_eq!(
        profile.precompiles,
        vec![(address!("0000000000000000000000000000000000000004"), 15)]
    );
    assert_eq!(profile.gas(), profile.frame_gas);
    assert_eq!(profile.frame_gas + 21_000, result.result.gas_used());
    let html = profile.to_html("test <profile>");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("test &lt;profile&gt;"));
    assert!(html.contains("REVERT"));
    // nothing loaded from elsewhere (the SVG namespace URI in the script loads nothing)
    for load in ["src=", "href=\"http", "@import", "url("] {
        assert!(!html.contains(load), "no external assets: {load}");
    }
    // the flame graph: its data (all, each contract and precompile, their opcodes), the
    // SVG it is drawn into, the script, and the error trap installed before it
    assert!(html.contains("<svg id=\"flame\""));
    let data_at = html.find("<script id=\"flame-data\"").unwrap();
    let data = &html[data_at..html[data_at..].find("</script>").unwrap() + data_at];
    assert!(data.contains(&format!("{{\"name\":\"all\",\"gas\":{}", profile.gas())));
    assert!(data.contains("{\"name\":\"REVERT\",\"gas\":3}"), "{data}");
    assert!(data.contains(
        "{\"name\":\"precompile 0x0000000000000000000000000000000000000004\",\"gas\":15}"
    ));
    assert!(html.find("window.onerror").unwrap() < data_at);
    assert!(html.contains("data-flame"));
    let ops = profile.opcodes();
    assert_eq!(ops[0].op, 0xf1);
}

#[test]
fn out_of_gas_below_the_static_cost_reports_the_static_cost() {
    // PUSH1 0 x4, PUSH20 OTHER, PUSH1 0xff, STATICCALL with 50 gas left: geth fails on the
    // static charge (100 in Cancun) before it computes memory, access or forwarded gas.
    let code = bytes!("6000600060006000733000000000000000000000000000000000000003 60ff fa");
    let last_step = last_step_line(code, 18 + 50);
    assert!(
        last_step.starts_with(r#"{"pc":31,"op":250,"gas":"0x32","gasCost":"0x64","#),
        "{last_step}"
    );
    assert!(
        last_step.ends_with(r#""opName":"STATICCALL","error":"out of gas"}"#),
        "{last_step}"
    );
}

#[test]
fn stack_underflow_wins_over_out_of_gas_as_in_geth() {
    // CREATE on an empty stack with less gas than its static cost: geth checks the stack
    // first, so the line and the frame's error say stack underflow, with the static cost.
    let trace = json_trace(bytes!("f0"), Fork::Cancun, 31_000);
    assert_eq!(
        trace,
        "{\"pc\":0,\"op\":240,\"gas\":\"0x2710\",\"gasCost\":\"0x7d00\",\"memSize\":0,\"stack\":[],\"depth\":1,\"refund\":0,\"opName\":\"CREATE\",\"error\":\"stack underflow (0 <=> 3)\"}\n\
         {\"output\":\"\",\"gasUsed\":\"0x2710\",\"error\":\"stack underflow (0 <=> 3)\"}\n"
    );
}

/// The JSON trace of one transaction running `code` at `fork` with `gas_limit`.
fn json_trace(code: Bytes, fork: Fork, gas_limit: u64) -> String {
    let tracer = JsonTracer::new(Vec::new(), TraceConfig::default());
    let mut evm = Evm::builder(db(code, Bytes::new()))
        .fork(fork)
        .inspector(tracer)
        .build();
    let tx = TxEnv { gas_limit, ..tx() };
    evm.transact(&tx).unwrap();
    String::from_utf8(evm.inspector.into_inner()).unwrap()
}

/// The last step line of a Cancun transaction of `code` with `gas` left after intrinsic gas.
fn last_step_line(code: Bytes, gas: u64) -> String {
    let trace = json_trace(code, Fork::Cancun, 21_000 + gas);
    trace
        .lines()
        .rfind(|l| l.starts_with("{\"pc\""))
        .unwrap()
        .to_string()
}

#[test]
fn failing_sstore_reports_its_state_dependent_cost() {
    // PUSH1 1, PUSH1 0, SSTORE with 2,400 gas left at the SSTORE: a cold slot going from
    // zero to non-zero costs 2,100 + 20,000, which the spec and geth both report.
    let line = last_step_line(bytes!("6001600055"), 6 + 2_400);
    assert!(
        line.starts_with(r#"{"pc":4,"op":85,"gas":"0x960","gasCost":"0x5654","#),
        "{line}"
    );
    assert!(line.ends_with(r#""error":"out of gas"}"#), "{line}");
}

#[test]
fn failing_call_reports_access_value_new_account_and_requested_gas() {
    // CALL of 1 wei to a cold, empty address with 3,000 gas left: static 100, cold 2,500,
    // value 9,000, new account 25,000; the rest is not covered, so the spec adds the
    // requested 0xffff gas as it is: 102,135 in all.
    let line = last_step_line(
        bytes!("60006000600060006001734000000000000000000000000000000000000004 61ffff f1"),
        5 * 3 + 3 + 3 + 3_000,
    );
    assert!(
        line.starts_with(r#"{"pc":34,"op":241,"gas":"0xbb8","gasCost":"0x18ef7","#),
        "{line}"
    );
}

#[test]
fn opcode_undefined_in_the_fork_costs_nothing() {
    // MCOPY (0x5e) with a full stack in London, where it does not exist: geth's
    // `opUndefined` has no gas, so the line says gasCost 0 (not MCOPY's copy cost).
    let trace = json_trace(bytes!("6001 6002 6003 5e"), Fork::London, tx().gas_limit);
    let lines: Vec<&str> = trace.lines().filter(|l| l.contains(r#""op":94"#)).collect();
    assert_eq!(lines.len(), 2, "{trace}");
    for line in lines {
        assert!(line.contains(r#""gasCost":"0x0""#), "{line}");
    }
}

#[test]
fn failing_keccak_reports_its_whole_cost_from_the_interpreter() {
    // PUSH2 0x0400, PUSH1 0, KECCAK256 with 100 gas left at it: 32 words of hashing (192)
    // and 32 words of memory (96 + 2) beside the static 30, charged at once: 320 in all.
    let line = last_step_line(bytes!("610400 6000 20"), 6 + 100);
    assert!(
        line.starts_with(r#"{"pc":5,"op":32,"gas":"0x64","gasCost":"0x140","#),
        "{line}"
    );
    assert!(line.ends_with(r#""error":"out of gas"}"#), "{line}");
}

#[test]
fn a_write_in_a_static_call_reports_its_whole_cost_and_expanded_memory() {
    // OTHER runs LOG0 of 64 bytes at offset 0 inside a STATICCALL: the execution specs charge
    // the log (375 + 8 x 64) and the memory (2 words: 6) before they find the write
    // forbidden, so geth's two lines carry 893 and the second shows the memory grown to 64.
    let caller = bytes!("6000600060006000733000000000000000000000000000000000000003 61ffff fa 00");
    let trace = json(caller, bytes!("6040 6000 a0"), TraceConfig::default());
    let lines: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains(r#""op":160"#))
        .collect();
    assert_eq!(lines.len(), 2, "{trace}");
    assert!(
        lines[0].contains(r#""gasCost":"0x37d","memSize":0,"#),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains(r#""gasCost":"0x37d","memSize":64,"#),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].ends_with(r#""error":"write protection"}"#),
        "{}",
        lines[1]
    );
}

#[test]
fn a_call_line_comes_before_its_callee_with_the_gas_it_forwarded() {
    // The STATICCALL's line is written when it suspends the frame: its cost is the cold
    // access (2,600) plus the 0xffff gas it forwards, and the callee's lines follow it.
    let caller = bytes!("6000600060006000733000000000000000000000000000000000000003 61ffff fa 00");
    let trace = json(caller, bytes!("6001 00"), TraceConfig::default());
    let lines: Vec<&str> = trace.lines().collect();
    let call = lines
        .iter()
        .position(|l| l.contains(r#""op":250"#))
        .unwrap();
    assert!(
        lines[call].contains(r#""gasCost":"0x10a27""#),
        "{}",
        lines[call]
    );
    assert!(
        lines[call + 1].contains(r#""depth":2"#),
        "{}",
        lines[call + 1]
    );
}

/// The struct logs of `code` run with `gas` left after intrinsic gas, in `flavour`.
fn struct_logs(code: Bytes, gas: u64, flavour: Flavour) -> Vec<StructLog> {
    let config = StepConfig {
        enabled: true,
        stack: true,
        ..Default::default()
    };
    let mut evm = Evm::builder(db(code, Bytes::new()))
        .fork(Fork::Cancun)
        .inspector(StructLogRecorder::new(flavour, config))
        .build();
    let tx = TxEnv {
        gas_limit: 21_000 + gas,
        ..tx()
    };
    evm.transact(&tx).unwrap();
    evm.inspector.logs().to_vec()
}

#[test]
fn revm_names_the_charge_that_failed() {
    // MSTORE at 0x10000 with 100 gas: the static 3 is paid, the memory (2,049 words) is
    // not: revm calls it MemoryOOG and reports the 3 it charged.
    let logs = struct_logs(bytes!("6001 62010000 52"), 6 + 100, Flavour::Revm);
    let last = logs.last().unwrap();
    assert_eq!((last.op, last.gas_cost), (0x52, 3));
    assert_eq!(last.error.as_deref(), Some("MemoryOOG"));
    // KECCAK256 of 1,024 bytes with 100 gas: the hashing (192) fails before the memory,
    // which revm answers with OutOfGas and all the gas left.
    let logs = struct_logs(bytes!("610400 6000 20"), 6 + 100, Flavour::Revm);
    let last = logs.last().unwrap();
    assert_eq!((last.op, last.gas_cost), (0x20, 100));
    assert_eq!(last.error.as_deref(), Some("OutOfGas"));
    // geth's flavour reports the whole cost of the same step.
    let logs = struct_logs(bytes!("610400 6000 20"), 6 + 100, Flavour::Geth);
    assert_eq!(logs.last().unwrap().gas_cost, 320);
}

#[test]
fn revm_counts_a_creations_initcode_gas_in_its_cost_and_geth_does_not() {
    // CREATE of empty initcode with value 0: its line in revm's flavour carries the gas
    // handed to the initcode frame, in geth's only the 32,000.
    let code = bytes!("6000 6000 6000 f0 00");
    let create = |flavour| {
        let logs = struct_logs(code.clone(), 100_000, flavour);
        logs.iter().find(|l| l.op == 0xf0).unwrap().gas_cost
    };
    assert_eq!(create(Flavour::Geth), 32_000);
    let available = 100_000 - 9 - 32_000;
    assert_eq!(create(Flavour::Revm), 32_000 + available - available / 64);
}
