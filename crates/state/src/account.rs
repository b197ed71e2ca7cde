//! Accounts as the database stores them and as a transaction sees them.

use ember_bytecode::Bytecode;
use ember_primitives::alloy_primitives::map::U256Map;
use ember_primitives::{B256, KECCAK_EMPTY, U256};

/// An account's fields apart from storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    /// Balance in wei.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Keccak of the code ([`KECCAK_EMPTY`] without code).
    pub code_hash: B256,
    /// The analysed code, when loaded.
    pub code: Option<Bytecode>,
}

impl Default for AccountInfo {
    fn default() -> Self {
        AccountInfo {
            balance: U256::ZERO,
            nonce: 0,
            code_hash: KECCAK_EMPTY,
            code: Some(Bytecode::default()),
        }
    }
}

impl AccountInfo {
    /// An account holding `code` (analysed here, once).
    pub fn with_code(balance: U256, nonce: u64, code: Bytecode) -> AccountInfo {
        AccountInfo {
            balance,
            nonce,
            code_hash: code.hash(),
            code: Some(code),
        }
    }

    /// EIP-161 empty: no code, zero nonce, zero balance.
    pub fn is_empty(&self) -> bool {
        self.balance.is_zero() && self.nonce == 0 && self.code_hash == KECCAK_EMPTY
    }

    /// True when the account has code.
    pub fn has_code(&self) -> bool {
        self.code_hash != KECCAK_EMPTY
    }
}

/// A storage slot during a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// Value at the start of the transaction.
    pub original: U256,
    /// Current value.
    pub present: U256,
    /// Not yet accessed in this transaction (EIP-2929).
    pub is_cold: bool,
}

/// An account loaded into the journaled state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// Current fields.
    pub info: AccountInfo,
    /// Slots read or written in this transaction.
    pub storage: U256Map<Slot>,
    /// The account exists in the state (an absent account reads as empty).
    pub exists: bool,
    /// Not yet accessed in this transaction (EIP-2929).
    pub is_cold: bool,
    /// Touched in this transaction (EIP-161: removed at the end if empty).
    pub touched: bool,
    /// Created in this transaction: its storage started empty.
    pub created: bool,
    /// Marked for destruction at the end of the transaction.
    pub selfdestructed: bool,
}
