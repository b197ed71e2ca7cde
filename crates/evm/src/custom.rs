//! What a chain variant adds to the EVM through the public API, besides its own [`Spec`]
//! ([`EvmBuilder::spec`](crate::EvmBuilder::spec)) and block fields
//! ([`BlockExtension`](ember_primitives::BlockExtension)): instructions at bytes the fork
//! leaves undefined ([`CustomInstruction`]) and precompiles that read and change state
//! ([`StatefulPrecompileFn`]).

use ember_interpreter::{gas, CustomInstruction, Host};
use ember_precompile::PrecompileResult;
use ember_primitives::{Address, Spec, U256};
use std::sync::Arc;

/// A call to a stateful precompile, as the precompile sees it.
#[derive(Clone, Copy, Debug)]
pub struct PrecompileCall<'a> {
    /// The calldata.
    pub input: &'a [u8],
    /// The gas the call was given.
    pub gas_limit: u64,
    /// The calling account (CALLER).
    pub caller: Address,
    /// The precompile's address, whose storage it may keep (ADDRESS).
    pub address: Address,
    /// The value sent (already moved to `address` when the call transfers value).
    pub value: U256,
    /// The call is static: the precompile must not change state (it checks this itself).
    pub is_static: bool,
}

/// A precompile that reads and changes state through the [`Host`] (storage, balances, logs),
/// as a chain variant's system contracts do. Its changes are journaled with the call: undone
/// when it fails, or when a caller up the stack reverts. It charges its gas before expensive
/// work, as every precompile does; a failure consumes all the call's gas.
pub type StatefulPrecompileFn =
    fn(host: &mut dyn Host, call: &PrecompileCall<'_>) -> PrecompileResult;

/// The additions of one [`Evm`](crate::Evm).
#[derive(Clone, Debug, Default)]
pub(crate) struct Additions {
    /// Custom instructions by opcode; `None` when there are none.
    pub instructions: Option<Arc<[Option<CustomInstruction>; 256]>>,
    /// Stateful precompiles.
    pub stateful_precompiles: Vec<(Address, StatefulPrecompileFn)>,
}

impl Additions {
    /// Adds (or replaces) the instruction at `op`.
    pub fn add_instruction(&mut self, op: u8, instruction: CustomInstruction) {
        let table = Arc::make_mut(
            self.instructions
                .get_or_insert_with(|| Arc::new([None; 256])),
        );
        table[op as usize] = Some(instruction);
    }

    /// The gas table for frames under `spec`: the spec's own, with the custom instructions
    /// priced (None when there are none).
    pub fn gas_table(&self, spec: &Spec) -> Option<&'static gas::GasTable> {
        let instructions = self.instructions.as_ref()?;
        let extra: Vec<(u8, u64)> = instructions
            .iter()
            .enumerate()
            .filter_map(|(op, i)| i.map(|i| (op as u8, i.info.static_gas.of(spec))))
            .collect();
        Some(gas::table_with(spec, &extra))
    }

    /// The stateful precompile at `address`.
    pub fn stateful_precompile(&self, address: &Address) -> Option<StatefulPrecompileFn> {
        self.stateful_precompiles
            .iter()
            .find(|(a, _)| a == address)
            .map(|(_, f)| *f)
    }
}
