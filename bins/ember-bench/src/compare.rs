//! `--compare`: two saved runs (`--json` output) side by side, case by case, so a change is
//! judged on the whole table rather than on the case it was meant for.
//!
//! Each run carries its own revm column, measured in the same session as Ember's, so the
//! figure to judge is how Ember/revm moved; Ember's own after/before ratio also moves with
//! the machine (the revm after/before column shows by how much).

use crate::stats::geomean;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// One case of a saved run: the medians in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Saved {
    /// Gas used.
    pub gas: u64,
    /// Ember's median.
    pub ember_ns: f64,
    /// revm's median.
    pub revm_ns: f64,
}

/// A saved run: case name to medians.
pub type Run = BTreeMap<String, Saved>;

/// Reads a file of `--json` lines (blank lines ignored).
pub fn read(path: &Path) -> Result<Run, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses `--json` lines: `{"name","gas","ember_ns","revm_ns"}` per line.
pub fn parse(text: &str) -> Result<Run, String> {
    let mut run = Run::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let name = v["name"]
            .as_str()
            .ok_or_else(|| format!("line {}: no \"name\"", n + 1))?;
        let number = |key: &str| {
            v[key]
                .as_f64()
                .filter(|x| *x > 0.0)
                .ok_or_else(|| format!("line {}: no positive \"{key}\"", n + 1))
        };
        let saved = Saved {
            gas: v["gas"].as_u64().unwrap_or(0),
            ember_ns: number("ember_ns")?,
            revm_ns: number("revm_ns")?,
        };
        if run.insert(name.to_string(), saved).is_some() {
            return Err(format!("line {}: case {name} appears twice", n + 1));
        }
    }
    if run.is_empty() {
        return Err("no case in the file".into());
    }
    Ok(run)
}

/// The comparison table (Markdown) of `before` and `after`, with the geometric means over
/// the cases both have and the names of the cases only one has. `Err` when they share none.
pub fn report(before: &Run, after: &Run) -> Result<String, String> {
    let common: Vec<&String> = before.keys().filter(|k| after.contains_key(*k)).collect();
    if common.is_empty() {
        return Err("the two runs have no case in common".into());
    }
    let width = common
        .iter()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max("benchmark".len());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| {:<width$} | {:>18} | {:>17} | {:>17} | {:>16} | {:>20} | {:>10} |",
        "benchmark",
        "Ember after/before",
        "revm after/before",
        "Ember/revm before",
        "Ember/revm after",
        "change of Ember/revm",
        "",
    );
    let _ = writeln!(
        out,
        "|{}|{}:|{}:|{}:|{}:|{}:|{}|",
        "-".repeat(width + 2),
        "-".repeat(19),
        "-".repeat(18),
        "-".repeat(18),
        "-".repeat(17),
        "-".repeat(21),
        "-".repeat(12),
    );
    let (mut ember, mut revm, mut relative) = (Vec::new(), Vec::new(), Vec::new());
    for name in &common {
        let (b, a) = (before[*name], after[*name]);
        let e = a.ember_ns / b.ember_ns;
        let r = a.revm_ns / b.revm_ns;
        let (rb, ra) = (b.ember_ns / b.revm_ns, a.ember_ns / a.revm_ns);
        let change = ra / rb;
        let flag = if change > 1.05 {
            "slower"
        } else if change < 1.0 / 1.05 {
            "faster"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| {name:<width$} | {e:>18.3} | {r:>17.3} | {rb:>17.3} | {ra:>16.3} | {change:>20.3} | {flag:>10} |",
        );
        ember.push(e);
        revm.push(r);
        relative.push(change);
    }
    let g = |v: &[f64]| geomean(v).unwrap_or(f64::NAN);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "geometric means over {} case(s): Ember after/before {:.3}, revm after/before {:.3}, \
         Ember/revm before {:.3} -> after {:.3} (change {:.3})",
        common.len(),
        g(&ember),
        g(&revm),
        g(&common
            .iter()
            .map(|k| before[*k].ember_ns / before[*k].revm_ns)
            .collect::<Vec<_>>()),
        g(&common
            .iter()
            .map(|k| after[*k].ember_ns / after[*k].revm_ns)
            .collect::<Vec<_>>()),
        g(&relative),
    );
    for (label, only) in [("before", before), ("after", after)] {
        let missing: Vec<&String> = only
            .keys()
            .filter(|k| !before.contains_key(*k) || !after.contains_key(*k))
            .collect();
        if !missing.is_empty() {
            let _ = writeln!(
                out,
                "only in {label}: {}",
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEFORE: &str = r#"{"name":"a","gas":10,"ember_ns":100,"revm_ns":200}
{"name":"b","gas":20,"ember_ns":400,"revm_ns":400}
{"name":"gone","gas":1,"ember_ns":1,"revm_ns":1}
"#;
    const AFTER: &str = r#"{"name":"a","gas":10,"ember_ns":50,"revm_ns":200}

{"name":"b","gas":20,"ember_ns":800,"revm_ns":400}
{"name":"new","gas":1,"ember_ns":1,"revm_ns":1}
"#;

    #[test]
    fn ratios_per_case_and_geometric_means() {
        let (before, after) = (parse(BEFORE).unwrap(), parse(AFTER).unwrap());
        let table = report(&before, &after).unwrap();
        let row = |name: &str| {
            table
                .lines()
                .find(|l| l.starts_with(&format!("| {name} ")))
                .unwrap_or_else(|| panic!("no row {name} in\n{table}"))
                .to_string()
        };
        // a: Ember halved, revm unchanged: faster; b: Ember doubled: slower.
        assert!(
            row("a").contains("0.500") && row("a").contains("faster"),
            "{}",
            row("a")
        );
        assert!(
            row("b").contains("2.000") && row("b").contains("slower"),
            "{}",
            row("b")
        );
        // The halving and the doubling cancel out in the geometric mean.
        assert!(table.contains("Ember after/before 1.000"), "{table}");
        assert!(table.contains("only in before: gone"), "{table}");
        assert!(table.contains("only in after: new"), "{table}");
    }

    #[test]
    fn malformed_runs_are_errors() {
        assert!(parse("").unwrap_err().contains("no case"));
        assert!(parse("{not json").unwrap_err().contains("line 1"));
        assert!(parse(r#"{"name":"a","ember_ns":0,"revm_ns":1}"#)
            .unwrap_err()
            .contains("ember_ns"));
        let twice = r#"{"name":"a","ember_ns":1,"revm_ns":1}
{"name":"a","ember_ns":1,"revm_ns":1}"#;
        assert!(parse(twice).unwrap_err().contains("twice"));
        let (x, y) = (
            parse(BEFORE).unwrap(),
            parse(r#"{"name":"z","ember_ns":1,"revm_ns":1}"#).unwrap(),
        );
        assert!(report(&x, &y).is_err());
    }
}
