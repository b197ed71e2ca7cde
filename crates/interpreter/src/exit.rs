//! [`Exit`]: why a call frame stopped, and how each reason treats the frame's gas and changes.

/// Why a frame stopped (or paused). `#[repr(u8)]` and numbered from 1 so that
/// `Result<(), Exit>` stays one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Exit {
    // ---- success ----
    /// STOP, or the end of the code.
    Stop = 1,
    /// RETURN.
    Return,
    /// SELFDESTRUCT.
    SelfDestruct,
    // ---- revert: the frame's changes are undone, its remaining gas is returned ----
    /// REVERT.
    Revert,
    /// A call or create beyond depth 1024 (the caller continues, nothing runs).
    CallTooDeep,
    /// A call or create sending more value than the caller has.
    OutOfFunds,
    /// CREATE by an account whose nonce is at its maximum (EIP-2681).
    NonceOverflow,
    // ---- internal: the frame is suspended on a nested call or create ----
    /// The frame is waiting for a nested call or creation (or, inside the run loop only,
    /// stopped at a chain variant's instruction, which `Interpreter::run` then runs).
    Suspend,
    // ---- exceptional halt: all gas of the frame is consumed ----
    /// Out of gas.
    OutOfGas,
    /// The designated INVALID opcode (0xFE).
    InvalidOpcode,
    /// An opcode not defined in this fork.
    UndefinedOpcode,
    /// Too few stack items.
    StackUnderflow,
    /// More than 1024 stack items.
    StackOverflow,
    /// JUMP or JUMPI to a byte that is not a JUMPDEST.
    InvalidJump,
    /// A state change inside STATICCALL.
    StaticViolation,
    /// RETURNDATACOPY past the end of the return data.
    ReturnDataOutOfBounds,
    /// CREATE onto an address that has code, a nonce or storage (EIP-7610).
    CreateCollision,
    /// Deployed code larger than the EIP-170 limit.
    CodeSizeLimit,
    /// Deployed code starting with 0xEF (EIP-3541).
    InvalidCodePrefix,
    /// A precompile rejected its input.
    PrecompileFailure,
    /// The database failed; the transaction is abandoned.
    FatalExternalError,
}

impl Exit {
    /// STOP, RETURN or SELFDESTRUCT.
    #[inline]
    pub const fn is_success(self) -> bool {
        matches!(self, Exit::Stop | Exit::Return | Exit::SelfDestruct)
    }

    /// The frame's changes are undone but its remaining gas goes back to the caller.
    #[inline]
    pub const fn is_revert(self) -> bool {
        matches!(
            self,
            Exit::Revert | Exit::CallTooDeep | Exit::OutOfFunds | Exit::NonceOverflow
        )
    }

    /// An exceptional halt: changes undone and all gas consumed.
    #[inline]
    pub const fn is_halt(self) -> bool {
        !self.is_success() && !self.is_revert() && !matches!(self, Exit::Suspend)
    }
}
