//! [`Observed`]: the host as the instructions see it, reporting to the inspector on the way.

use crate::{Host, Inspector};
use ember_bytecode::Bytecode;
use ember_primitives::{Address, Spec, B256, U256};

/// The host as instructions see it: every call goes to the real host, and the events an
/// inspector wants (logs, self-destructs) are reported on the way. With
/// [`NoopInspector`](crate::NoopInspector) the extra calls are empty and inline away.
pub(super) struct Observed<'a, H, I> {
    pub(super) host: &'a mut H,
    pub(super) inspector: &'a mut I,
}

impl<H: Host, I: Inspector> Host for Observed<'_, H, I> {
    #[inline(always)]
    fn spec(&self) -> &'static Spec {
        self.host.spec()
    }
    #[inline(always)]
    fn block(&self) -> &ember_primitives::BlockEnv {
        self.host.block()
    }
    #[inline(always)]
    fn tx(&self) -> &crate::TxContext {
        self.host.tx()
    }
    #[inline(always)]
    fn load_account(&mut self, address: Address) -> crate::AccountLoad {
        self.host.load_account(address)
    }
    #[inline(always)]
    fn balance(&mut self, address: Address) -> crate::StateLoad<U256> {
        self.host.balance(address)
    }
    #[inline(always)]
    fn code(&mut self, address: Address) -> crate::StateLoad<Bytecode> {
        self.host.code(address)
    }
    #[inline(always)]
    fn code_hash(&mut self, address: Address) -> crate::StateLoad<B256> {
        self.host.code_hash(address)
    }
    #[inline(always)]
    fn block_hash(&mut self, number: u64) -> B256 {
        self.host.block_hash(number)
    }
    #[inline(always)]
    fn sload(&mut self, address: Address, key: U256) -> crate::StateLoad<U256> {
        self.host.sload(address, key)
    }
    #[inline(always)]
    fn sstore(
        &mut self,
        address: Address,
        key: U256,
        value: U256,
    ) -> crate::StateLoad<crate::SStoreValues> {
        self.host.sstore(address, key, value)
    }
    #[inline(always)]
    fn tload(&mut self, address: Address, key: U256) -> U256 {
        self.host.tload(address, key)
    }
    #[inline(always)]
    fn tstore(&mut self, address: Address, key: U256, value: U256) {
        self.host.tstore(address, key, value)
    }
    #[inline(always)]
    fn custom_instruction(&self, op: u8) -> Option<crate::CustomInstruction> {
        self.host.custom_instruction(op)
    }
    #[inline(always)]
    fn log(&mut self, log: crate::Log) {
        #[cfg(not(feature = "no-inspector-hook"))]
        self.inspector.log(&log);
        self.host.log(log)
    }
    #[inline(always)]
    fn selfdestruct(
        &mut self,
        address: Address,
        target: Address,
    ) -> crate::StateLoad<crate::SelfDestructOutcome> {
        #[cfg(not(feature = "no-inspector-hook"))]
        {
            let value = self.host.balance(address).data;
            self.inspector.selfdestruct(address, target, value);
        }
        self.host.selfdestruct(address, target)
    }
}
