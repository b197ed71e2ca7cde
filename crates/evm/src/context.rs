//! [`Context`]: the journaled state plus the block and transaction environment, as the
//! interpreter's [`Host`].

use ember_bytecode::Bytecode;
use ember_interpreter::{
    AccountLoad, CustomInstruction, Host, Log, SStoreValues, SelfDestructOutcome, StateLoad,
    TxContext,
};
use ember_primitives::{Address, BlockEnv, Spec, B256, U256};
use ember_state::{Database, JournaledState};
use std::sync::Arc;

/// Everything a running transaction can see.
#[derive(Debug)]
pub struct Context<DB: Database> {
    /// State with its journal.
    pub journal: JournaledState<DB>,
    /// The block.
    pub block: BlockEnv,
    /// The transaction's context for the interpreter.
    pub tx: TxContext,
    /// A chain variant's instructions, by opcode.
    pub(crate) instructions: Option<Arc<[Option<CustomInstruction>; 256]>>,
}

impl<DB: Database> Host for Context<DB> {
    #[inline]
    fn spec(&self) -> &'static Spec {
        self.journal.spec
    }

    #[inline]
    fn block(&self) -> &BlockEnv {
        &self.block
    }

    #[inline]
    fn tx(&self) -> &TxContext {
        &self.tx
    }

    fn custom_instruction(&self, op: u8) -> Option<CustomInstruction> {
        self.instructions.as_ref()?[op as usize]
    }

    fn load_account(&mut self, address: Address) -> AccountLoad {
        let (account, is_cold) = self.journal.load_account(address);
        let exists = account.exists;
        let is_empty = !exists || account.info.is_empty();
        let has_code = account.info.has_code();
        let delegation = if self.journal.spec.tx_set_code && has_code {
            crate::evm::delegate_of(self.journal.code(address).original()).map(|delegate| {
                let (_, delegate_cold) = self.journal.load_account(delegate);
                (delegate, delegate_cold)
            })
        } else {
            None
        };
        AccountLoad {
            is_cold,
            exists,
            is_empty,
            delegation,
        }
    }

    fn balance(&mut self, address: Address) -> StateLoad<U256> {
        let (account, is_cold) = self.journal.load_account(address);
        StateLoad {
            data: account.info.balance,
            is_cold,
        }
    }

    fn code(&mut self, address: Address) -> StateLoad<Bytecode> {
        let (_, is_cold) = self.journal.load_account(address);
        StateLoad {
            data: self.journal.code(address),
            is_cold,
        }
    }

    fn code_hash(&mut self, address: Address) -> StateLoad<B256> {
        let (account, is_cold) = self.journal.load_account(address);
        let data = if !account.exists || account.info.is_empty() {
            B256::ZERO
        } else {
            account.info.code_hash
        };
        StateLoad { data, is_cold }
    }

    fn block_hash(&mut self, number: u64) -> B256 {
        self.journal.block_hash(number)
    }

    fn sload(&mut self, address: Address, key: U256) -> StateLoad<U256> {
        self.journal.sload(address, key)
    }

    fn sstore(&mut self, address: Address, key: U256, value: U256) -> StateLoad<SStoreValues> {
        self.journal.sstore(address, key, value)
    }

    fn tload(&mut self, address: Address, key: U256) -> U256 {
        self.journal.tload(address, key)
    }

    fn tstore(&mut self, address: Address, key: U256, value: U256) {
        self.journal.tstore(address, key, value)
    }

    fn log(&mut self, log: Log) {
        self.journal.log(log)
    }

    fn selfdestruct(
        &mut self,
        address: Address,
        target: Address,
    ) -> StateLoad<SelfDestructOutcome> {
        self.journal.selfdestruct(address, target)
    }
}
