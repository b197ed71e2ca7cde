//! geth's wording for why execution stopped, so traces and `ember run` read like geth's.

use ember_bytecode::opcode;
use ember_interpreter::{Exit, STACK_LIMIT};

/// geth's name of an opcode: its mnemonic, or `opcode 0x.. not defined` for a byte no fork
/// defines (geth names opcodes the same in every fork).
pub fn op_name(op: u8) -> String {
    match opcode::name(op) {
        Some(name) => name.to_string(),
        None => format!("opcode {op:#x} not defined"),
    }
}

/// The instruction an error happened at, for the messages that name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailedOp {
    /// The opcode.
    pub op: u8,
    /// Stack height before it.
    pub stack_len: usize,
}

/// geth's error text for a frame that ended with `exit`, or `None` for a success.
///
/// `op` is the instruction that ended the frame, when there was one; without it the stack
/// messages fall back to zeros and an invalid opcode is named `INVALID`.
pub fn message(exit: Exit, op: Option<FailedOp>) -> Option<String> {
    let op_info = op.and_then(|f| opcode::OPCODES[f.op as usize].map(|i| (f, i)));
    let text = match exit {
        Exit::Stop | Exit::Return | Exit::SelfDestruct | Exit::Suspend => return None,
        Exit::Revert => "execution reverted".to_string(),
        Exit::CallTooDeep => "max call depth exceeded".to_string(),
        Exit::OutOfFunds => "insufficient balance for transfer".to_string(),
        Exit::NonceOverflow => "nonce uint64 overflow".to_string(),
        Exit::OutOfGas => "out of gas".to_string(),
        Exit::InvalidOpcode | Exit::UndefinedOpcode => {
            format!("invalid opcode: {}", op_name(op.map_or(0xfe, |f| f.op)))
        }
        Exit::StackUnderflow => {
            let (len, required) = op_info.map_or((0, 0), |(f, i)| (f.stack_len, i.inputs));
            format!("stack underflow ({len} <=> {required})")
        }
        Exit::StackOverflow => {
            let (len, limit) = op_info.map_or((STACK_LIMIT, STACK_LIMIT), |(f, i)| {
                (
                    f.stack_len,
                    STACK_LIMIT + i.inputs as usize - i.outputs as usize,
                )
            });
            format!("stack limit reached {len} ({limit})")
        }
        Exit::InvalidJump => "invalid jump destination".to_string(),
        Exit::StaticViolation => "write protection".to_string(),
        Exit::ReturnDataOutOfBounds => "return data out of bounds".to_string(),
        Exit::CreateCollision => "contract address collision".to_string(),
        Exit::CodeSizeLimit => "max code size exceeded".to_string(),
        Exit::InvalidCodePrefix => "invalid code: must not begin with 0xef".to_string(),
        Exit::PrecompileFailure => "precompiled contract failed".to_string(),
        Exit::FatalExternalError => "database error".to_string(),
    };
    Some(text)
}

/// geth's error when the deposit of a created contract's code runs out of gas.
pub const CODE_STORE_OUT_OF_GAS: &str = "contract creation code storage out of gas";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geth_wording() {
        let at = |op, stack_len| Some(FailedOp { op, stack_len });
        assert_eq!(message(Exit::Return, None), None);
        assert_eq!(
            message(Exit::InvalidOpcode, at(0xfe, 0)).unwrap(),
            "invalid opcode: INVALID"
        );
        assert_eq!(
            message(Exit::UndefinedOpcode, at(0x0c, 0)).unwrap(),
            "invalid opcode: opcode 0xc not defined"
        );
        assert_eq!(
            message(Exit::StackUnderflow, at(0x01, 1)).unwrap(),
            "stack underflow (1 <=> 2)"
        );
        assert_eq!(
            message(Exit::StackOverflow, at(0x60, 1024)).unwrap(),
            "stack limit reached 1024 (1023)"
        );
        assert_eq!(message(Exit::OutOfGas, None).unwrap(), "out of gas");
    }
}
