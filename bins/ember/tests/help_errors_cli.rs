//! Every help screen shows a working example; bad input (hex, fork, file) gets one line
//! naming the problem and exit status 2, never a panic or a usage screen.

use std::process::{Command, Output, Stdio};

const SUBCOMMANDS: &[&str] = &["run", "statetest", "blocktest", "t8n", "disasm", "asm"];

fn ember(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8(out.stderr.clone())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The `ember ...` command lines of a help screen's examples (a trailing comment dropped).
fn examples(help: &str) -> Vec<Vec<String>> {
    let start = help.find("Example").expect("help has examples");
    help[start..]
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("ember "))
        .map(|l| {
            let l = l.split(" #").next().unwrap().trim();
            l.split_whitespace().skip(1).map(str::to_string).collect()
        })
        .collect()
}

#[test]
fn every_help_has_examples() {
    let top = stdout(&ember(&["--help"]));
    assert!(examples(&top).len() >= 3, "{top}");
    for sub in SUBCOMMANDS {
        let out = ember(&[sub, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        let help = stdout(&out);
        let ex = examples(&help);
        assert!(!ex.is_empty(), "ember {sub} --help has no example:\n{help}");
        assert!(
            ex.iter()
                .any(|args| args.first().map(String::as_str) == Some(sub)),
            "ember {sub} --help shows another command: {ex:?}"
        );
    }
}

/// The examples that need no file (code given as hex) run and succeed.
#[test]
fn self_contained_examples_work() {
    let mut helps = vec![stdout(&ember(&["--help"]))];
    for sub in SUBCOMMANDS {
        helps.push(stdout(&ember(&[sub, "--help"])));
    }
    let mut ran = 0;
    for help in &helps {
        for args in examples(help) {
            let names_a_file = args.iter().any(|a| {
                a.contains('/')
                    || a.contains(".json")
                    || a.contains(".hex")
                    || a.contains(".txt")
                    || a.contains(".html")
                    || a == "|"
                    || a == "\\"
            });
            if names_a_file {
                continue;
            }
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = ember(&argv);
            assert_eq!(
                out.status.code(),
                Some(0),
                "ember {}: {out:?}",
                args.join(" ")
            );
            assert!(!out.stdout.is_empty() || !out.stderr.is_empty());
            ran += 1;
        }
    }
    assert!(ran >= 5, "only {ran} self-contained examples");
    // and they print what their comments say
    let out = ember(&["run", "--code", "600160020160005260206000f3"]);
    assert_eq!(
        stdout(&out).trim(),
        "0x0000000000000000000000000000000000000000000000000000000000000003"
    );
    let listing = stdout(&ember(&["disasm", "0x6004565b00"]));
    assert!(listing.contains("PUSH1 0x04"), "{listing}");
    assert!(listing.contains("JUMPDEST"), "{listing}");
}

/// Exit 2 and exactly one line on stderr that contains `needle`.
fn one_line_error(args: &[&str], needle: &str) {
    let out = ember(args);
    let lines = stderr_lines(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "ember {}: {lines:?}",
        args.join(" ")
    );
    assert_eq!(lines.len(), 1, "ember {}: {lines:?}", args.join(" "));
    assert!(
        lines[0].contains(needle),
        "ember {}: {:?} does not name {needle:?}",
        args.join(" "),
        lines[0]
    );
    assert!(!lines[0].contains("panicked"));
    assert!(out.stdout.is_empty(), "ember {}", args.join(" "));
}

#[test]
fn bad_hex_is_one_line_and_exit_2() {
    one_line_error(&["run", "--code", "60zz"], "hex");
    one_line_error(&["run", "--code", "600"], "hex");
    one_line_error(&["run", "--code", "00", "--input", "0xabq"], "hex");
    one_line_error(&["disasm", "0x6g"], "hex");
}

#[test]
fn unknown_fork_is_one_line_and_exit_2() {
    one_line_error(&["run", "--code", "00", "--fork", "Atlantis"], "Atlantis");
    one_line_error(
        &["statetest", "--statetest.fork", "Atlantis", "x.json"],
        "Atlantis",
    );
    // before the subcommand too
    one_line_error(
        &["--json", "statetest", "--fork", "Atlantis", "x.json"],
        "Atlantis",
    );
}

#[test]
fn missing_file_is_one_line_and_exit_2() {
    let missing = "/no/such/dir/file.hex";
    one_line_error(&["run", "--codefile", missing], missing);
    one_line_error(&["run", "--code", "00", "--prestate", missing], missing);
    one_line_error(&["disasm", "--file", missing], missing);
    one_line_error(&["asm", missing], missing);
    // statetest names the path, then (as always) its closing count line; stdout keeps
    // geth's empty results array for the path
    let out = ember(&["statetest", "/no/such/fixture.json"]);
    assert_eq!(out.status.code(), Some(2));
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("/no/such/fixture.json"), "{lines:?}");
    assert_eq!(lines[1], "0 passed, 0 failed, 0 skipped");
    assert_eq!(stdout(&out).trim(), "[]");
}

#[test]
fn unknown_flags_and_commands_are_one_line() {
    one_line_error(&["frobnicate"], "frobnicate");
    one_line_error(&["run", "--frobnicate"], "--frobnicate");
}
