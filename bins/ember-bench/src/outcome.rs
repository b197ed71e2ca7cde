//! What both EVMs must agree on before a case is timed.

use ember_evm::{Address, Bytes, B256};
use std::fmt;

/// How the transaction's top frame ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Stopped normally.
    Success,
    /// Reverted (`REVERT`): unused gas is returned.
    Revert,
    /// Halted exceptionally: all gas is consumed.
    Halt,
}

/// One log, in a form both EVMs can be compared in.
pub type LogEntry = (Address, Vec<B256>, Bytes);

/// The comparable outcome of one transaction on one EVM.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Success, revert or halt.
    pub status: Status,
    /// Gas charged to the sender, after refunds.
    pub gas_used: u64,
    /// Return or revert data (empty for a successful creation and for a halt).
    pub output: Bytes,
    /// The created contract, for a successful creation.
    pub created: Option<Address>,
    /// The logs emitted (empty unless successful).
    pub logs: Vec<LogEntry>,
    /// The EVM's own description of the ending (its halt reason, for instance), for messages.
    pub detail: String,
}

impl Outcome {
    /// The differences between `self` (Ember) and `other` (revm), empty when they agree on
    /// status, gas used, output, created address and logs.
    pub fn differences(&self, other: &Outcome) -> Vec<String> {
        let mut diffs = Vec::new();
        if self.status != other.status {
            diffs.push(format!(
                "status: ember {:?} ({}), revm {:?} ({})",
                self.status, self.detail, other.status, other.detail
            ));
        }
        if self.gas_used != other.gas_used {
            diffs.push(format!(
                "gas used: ember {}, revm {}",
                self.gas_used, other.gas_used
            ));
        }
        if self.output != other.output {
            diffs.push(format!(
                "output: ember {} ({} bytes), revm {} ({} bytes)",
                Short(&self.output),
                self.output.len(),
                Short(&other.output),
                other.output.len()
            ));
        }
        if self.created != other.created {
            diffs.push(format!(
                "created address: ember {:?}, revm {:?}",
                self.created, other.created
            ));
        }
        if self.logs != other.logs {
            diffs.push(format!(
                "logs: ember {} logs, revm {} logs (contents differ)",
                self.logs.len(),
                other.logs.len()
            ));
        }
        diffs
    }
}

/// Hex of at most the first 32 bytes, for messages.
struct Short<'a>(&'a Bytes);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = &self.0[..self.0.len().min(32)];
        write!(f, "0x")?;
        for b in bytes {
            write!(f, "{b:02x}")?;
        }
        if self.0.len() > 32 {
            write!(f, "…")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(status: Status, gas_used: u64, output: &[u8]) -> Outcome {
        Outcome {
            status,
            gas_used,
            output: Bytes::copy_from_slice(output),
            created: None,
            logs: Vec::new(),
            detail: String::new(),
        }
    }

    #[test]
    fn equal_outcomes_have_no_differences() {
        let a = outcome(Status::Success, 21_000, &[1, 2]);
        assert!(a.differences(&a.clone()).is_empty());
    }

    #[test]
    fn each_field_is_compared() {
        let a = outcome(Status::Success, 21_000, &[1, 2]);
        let b = outcome(Status::Revert, 21_001, &[1, 3]);
        let diffs = a.differences(&b);
        assert_eq!(diffs.len(), 3, "{diffs:?}");
        assert!(diffs[0].starts_with("status: ember Success"));
        assert_eq!(diffs[1], "gas used: ember 21000, revm 21001");
        assert_eq!(
            diffs[2],
            "output: ember 0x0102 (2 bytes), revm 0x0103 (2 bytes)"
        );
    }
}
