//! [`Evm`]: a fork, a block and a database; transactions in, results and state changes out.

use crate::custom::{Additions, StatefulPrecompileFn};
use crate::frame::{create_address, FrameOutcome};
use crate::{
    AuthorizationSkip, Context, EvmError, ExecutionResult, PrecompileCache, ResultAndState,
    SkippedAuthorization,
};
use ember_bytecode::Bytecode;
use ember_interpreter::{
    Action, CallInputs, CallKind, CreateInputs, CreateScheme, CustomInstruction, Inspector, Memory,
    NoopInspector, Stack, TxContext,
};
use ember_precompile::{PrecompileFn, Precompiles};
use ember_primitives::{Address, BlockEnv, Fork, Spec, TxEnv, TxKind, U256};
use ember_state::{Database, DatabaseCommit, JournaledState};
use ember_transaction::validity::{
    blob_base_fee, blob_gas, check_block, check_env, check_sender, effective_gas_price,
    SenderAccount,
};
use std::borrow::Cow;
use std::sync::Arc;

/// The EVM: executes transactions against a [`Database`] under one fork and block.
///
/// Build one with [`Evm::builder`]; run transactions with [`Evm::transact`] (no commit) or
/// [`Evm::transact_commit`].
#[derive(Debug)]
pub struct Evm<DB: Database, I: Inspector = NoopInspector> {
    /// The state, block and transaction context.
    pub ctx: Context<DB>,
    /// The observer of execution.
    pub inspector: I,
    pub(crate) precompiles: Cow<'static, Precompiles>,
    pub(crate) additions: Additions,
    pub(crate) memory_limit: u64,
    pub(crate) precompile_cache: Option<PrecompileCache>,
    chain_id: u64,
    pub(crate) base_fee_check: bool,
    pub(crate) sender_code_check: bool,
    /// The blob base fee to use instead of the block's (a call simulation's override).
    blob_base_fee: Option<U256>,
    /// Stacks and memories of finished frames, reused by the next frames and transactions.
    pub(crate) frame_buffers: Vec<(Stack, Memory)>,
    /// The top call frame of the next transaction is static ([`Evm::transact_static`]).
    static_top_frame: bool,
}

/// Configures an [`Evm`].
#[derive(Debug)]
pub struct EvmBuilder<DB: Database, I: Inspector = NoopInspector> {
    db: DB,
    spec: &'static Spec,
    block: BlockEnv,
    chain_id: u64,
    inspector: I,
    /// Precompiles added (`Some`) or removed (`None`), in order.
    custom_precompiles: Vec<(Address, Option<PrecompileFn>)>,
    /// Added precompiles that do not start warm (moved ones in a call simulation).
    cold_precompiles: Vec<Address>,
    additions: Additions,
    memory_limit: u64,
    precompile_cache: Option<PrecompileCache>,
    base_fee_check: bool,
    sender_code_check: bool,
    blob_base_fee: Option<U256>,
}

impl<DB: Database> Evm<DB> {
    /// Starts configuring an EVM over `db` (defaults: latest fork, chain id 1, default block).
    pub fn builder(db: DB) -> EvmBuilder<DB> {
        EvmBuilder {
            db,
            spec: Spec::of(Fork::LATEST),
            block: BlockEnv::default(),
            chain_id: 1,
            inspector: NoopInspector,
            custom_precompiles: Vec::new(),
            cold_precompiles: Vec::new(),
            additions: Additions::default(),
            memory_limit: ember_interpreter::interpreter::DEFAULT_MEMORY_LIMIT,
            precompile_cache: None,
            base_fee_check: true,
            sender_code_check: true,
            blob_base_fee: None,
        }
    }
}

impl<DB: Database, I: Inspector> EvmBuilder<DB, I> {
    /// The fork whose rules apply.
    pub fn fork(mut self, fork: Fork) -> Self {
        self.spec = Spec::of(fork);
        self
    }

    /// The rules that apply, for a chain variant: a [`Spec`] derived from a fork's with
    /// some values changed (`Box::leak(Box::new(spec))` or a `static` gives the lifetime).
    /// Its gas table is built from its own values, not its fork's.
    pub fn spec(mut self, spec: &'static Spec) -> Self {
        self.spec = spec;
        self
    }

    /// The block environment.
    pub fn block(mut self, block: BlockEnv) -> Self {
        self.block = block;
        self
    }

    /// The chain id (CHAINID, and the id signed transactions must carry).
    pub fn chain_id(mut self, chain_id: u64) -> Self {
        self.chain_id = chain_id;
        self
    }

    /// Caps each call frame's memory in bytes; growing past it is out of gas.
    pub fn memory_limit(mut self, bytes: u64) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// Adds (or replaces) a precompile at `address`.
    pub fn precompile(mut self, address: Address, f: PrecompileFn) -> Self {
        self.custom_precompiles.push((address, Some(f)));
        self
    }

    /// Adds (or replaces) a precompile at `address` that, unlike [`EvmBuilder::precompile`],
    /// does not start warm unless the fork has a precompile there: a call simulation moving a
    /// precompile (`movePrecompileToAddress`) keeps the fork's warm set, as geth's does.
    pub fn moved_precompile(mut self, address: Address, f: PrecompileFn) -> Self {
        self.custom_precompiles.push((address, Some(f)));
        self.cold_precompiles.push(address);
        self
    }

    /// Removes the precompile at `address`: the account's code runs there instead (a call
    /// simulation overriding a precompile's code or moving it elsewhere). The address stays
    /// warm under EIP-2929, as the fork's precompiles are (geth's simulation keeps it so).
    pub fn without_precompile(mut self, address: Address) -> Self {
        self.custom_precompiles.push((address, None));
        self
    }

    /// Adds (or replaces) a precompile that reads and changes state at `address`; it takes
    /// precedence over a stateless one there.
    pub fn stateful_precompile(mut self, address: Address, f: StatefulPrecompileFn) -> Self {
        self.additions
            .stateful_precompiles
            .retain(|(a, _)| *a != address);
        self.additions.stateful_precompiles.push((address, f));
        self
    }

    /// Defines `instruction` at `op` for a chain variant. Where the fork defines `op`
    /// already, the fork's instruction runs; the custom one runs at bytes it leaves
    /// undefined, charged its row's static gas under the EVM's [`Spec`].
    pub fn instruction(mut self, op: u8, instruction: CustomInstruction) -> Self {
        self.additions.add_instruction(op, instruction);
        self
    }

    /// Without the check that the fee covers the block's base fee: a call simulation
    /// (`eth_call` with no fee, as geth's and anvil's) runs at gas price zero while BASEFEE
    /// still reads the block's base fee.
    pub fn disable_base_fee_check(mut self) -> Self {
        self.base_fee_check = false;
        self
    }

    /// BLOBBASEFEE reads `fee` and blob gas is charged at it, instead of the value the block's
    /// excess blob gas gives (`eth_simulateV1`'s `blobBaseFee` block override).
    pub fn blob_base_fee(mut self, fee: U256) -> Self {
        self.blob_base_fee = Some(fee);
        self
    }

    /// Without EIP-3607's rejection of senders that have code: a dev chain (as anvil)
    /// lets an impersonated contract send transactions.
    pub fn allow_sender_with_code(mut self) -> Self {
        self.sender_code_check = false;
        self
    }

    /// Shares a memo of expensive precompile results (see [`PrecompileCache`]).
    pub fn precompile_cache(mut self, cache: PrecompileCache) -> Self {
        self.precompile_cache = Some(cache);
        self
    }

    /// Observes execution with `inspector`.
    pub fn inspector<J: Inspector>(self, inspector: J) -> EvmBuilder<DB, J> {
        EvmBuilder {
            db: self.db,
            spec: self.spec,
            block: self.block,
            chain_id: self.chain_id,
            inspector,
            custom_precompiles: self.custom_precompiles,
            cold_precompiles: self.cold_precompiles,
            additions: self.additions,
            memory_limit: self.memory_limit,
            precompile_cache: self.precompile_cache,
            base_fee_check: self.base_fee_check,
            sender_code_check: self.sender_code_check,
            blob_base_fee: self.blob_base_fee,
        }
    }

    /// Builds the EVM.
    pub fn build(self) -> Evm<DB, I> {
        let mut precompiles = Cow::Borrowed(Precompiles::for_spec(self.spec));
        let mut removed = Vec::new();
        for (address, f) in self.custom_precompiles {
            precompiles = Cow::Owned(match f {
                Some(f) => precompiles.with(address, f),
                None => {
                    removed.push(address);
                    precompiles.without(&address)
                }
            });
        }
        let mut journal = JournaledState::new(self.db, self.spec);
        if self.spec.access_lists {
            // EIP-2929: every precompile, stateful ones included, is warm in every
            // transaction.
            let mut warm = Arc::clone(precompiles.address_set());
            for (address, _) in &self.additions.stateful_precompiles {
                Arc::make_mut(&mut warm).insert(*address);
            }
            // A removed precompile's address stays warm, as the fork's precompiles are; a moved
            // one's new address does not start warm.
            for address in &removed {
                Arc::make_mut(&mut warm).insert(*address);
            }
            let fork_set = Precompiles::for_spec(self.spec);
            for address in &self.cold_precompiles {
                if !fork_set.contains(address) {
                    Arc::make_mut(&mut warm).remove(address);
                }
            }
            journal.set_warm_every_transaction(warm);
        }
        Evm {
            ctx: Context {
                journal,
                block: self.block,
                tx: TxContext::default(),
                instructions: self.additions.instructions.clone(),
            },
            inspector: self.inspector,
            precompiles,
            additions: self.additions,
            memory_limit: self.memory_limit,
            precompile_cache: self.precompile_cache,
            chain_id: self.chain_id,
            base_fee_check: self.base_fee_check,
            sender_code_check: self.sender_code_check,
            blob_base_fee: self.blob_base_fee,
            frame_buffers: Vec::new(),
            static_top_frame: false,
        }
    }
}

impl<DB: Database, I: Inspector> Evm<DB, I> {
    /// The fork rules in force.
    pub fn spec(&self) -> &'static Spec {
        self.ctx.journal.spec
    }

    /// The database.
    pub fn db(&self) -> &DB {
        &self.ctx.journal.db
    }

    /// The database, mutably.
    pub fn db_mut(&mut self) -> &mut DB {
        &mut self.ctx.journal.db
    }

    /// Gives back the database.
    pub fn into_db(self) -> DB {
        self.ctx.journal.db
    }

    /// The block environment, to change between transactions.
    pub fn block_mut(&mut self) -> &mut BlockEnv {
        &mut self.ctx.block
    }

    /// Executes `tx` and returns its result and state changes without committing them.
    pub fn transact(&mut self, tx: &TxEnv) -> Result<ResultAndState, EvmError<DB::Error>> {
        let outcome = self.transact_inner(tx);
        if outcome.is_err() {
            self.ctx.journal.discard();
        }
        if let Some(e) = self.ctx.journal.take_error() {
            self.ctx.journal.discard();
            return Err(EvmError::Database(e));
        }
        outcome
    }

    /// Executes `tx` as [`Evm::transact`] does, with the top call frame static (STATICCALL's
    /// rules: a state change halts it), as pyrevm's `message_call(is_static=True)`.
    pub fn transact_static(&mut self, tx: &TxEnv) -> Result<ResultAndState, EvmError<DB::Error>> {
        self.static_top_frame = true;
        let outcome = self.transact(tx);
        self.static_top_frame = false;
        outcome
    }

    /// The blob base fee in force: the override, else the block's.
    fn blob_price(&self) -> U256 {
        self.blob_base_fee
            .unwrap_or_else(|| blob_base_fee(self.spec(), &self.ctx.block))
    }

    fn transact_inner(&mut self, tx: &TxEnv) -> Result<ResultAndState, EvmError<DB::Error>> {
        let spec = self.spec();
        let blob_price = self.blob_price();
        let block = &self.ctx.block;
        // The transaction validator: the transaction alone, against the block, against the
        // sender's account.
        let charges = check_env(spec, self.chain_id, tx)?;
        check_block(spec, block, tx, self.base_fee_check)?;
        let journal = &mut self.ctx.journal;
        let sender = journal.info(tx.caller).clone();
        let account = SenderAccount {
            nonce: sender.nonce,
            balance: sender.balance,
            has_code: sender.has_code(),
            is_delegated: sender
                .code
                .as_ref()
                .is_some_and(|c| is_delegation(c.original())),
        };
        check_sender(spec, tx, &account, !self.sender_code_check)?;

        // Buy gas and bump the nonce; from here the transaction is valid and will be included.
        let gas_price = effective_gas_price(spec, tx, block.base_fee);
        let blob_fee = U256::from(blob_gas(tx)) * blob_price;
        let upfront = U256::from(tx.gas_limit) * gas_price + blob_fee;
        journal.set_balance(tx.caller, sender.balance - upfront);
        journal.set_nonce(tx.caller, sender.nonce + 1);

        // EIP-2929 / EIP-2930 / EIP-3651: what starts warm.
        journal.warm_account(tx.caller);
        if let TxKind::Call(to) = tx.kind {
            journal.warm_account(to);
        }
        if spec.access_lists {
            // The precompiles are warm too: the journal was given them once, at build.
            for item in &tx.access_list {
                self.ctx.journal.warm_account(item.address);
                for key in &item.storage_keys {
                    self.ctx.journal.warm_slot(item.address, (*key).into());
                }
            }
        }
        if spec.warm_coinbase {
            let coinbase = self.ctx.block.coinbase;
            self.ctx.journal.warm_account(coinbase);
        }
        self.ctx.tx = TxContext {
            origin: tx.caller,
            gas_price,
            chain_id: self.chain_id,
            blob_hashes: tx.blob_hashes.clone(),
            blob_base_fee: blob_price,
        };

        let gas_limit = tx.gas_limit - charges.intrinsic;
        let (authorization_refund, skipped_authorizations) = self.apply_authorizations(tx);
        let (first, created) = match tx.kind {
            TxKind::Call(to) => {
                // EIP-7702: a delegated target runs its delegate's code (warmed, not charged).
                let delegate = if spec.tx_set_code {
                    delegate_of(self.ctx.journal.code(to).original())
                } else {
                    None
                };
                if let Some(delegate) = delegate {
                    self.ctx.journal.warm_account(delegate);
                }
                (
                    Action::Call(Box::new(CallInputs {
                        kind: CallKind::Call,
                        target: to,
                        code_address: delegate.unwrap_or(to),
                        caller: tx.caller,
                        value: tx.value,
                        transfers_value: true,
                        input: tx.data.clone(),
                        input_range: None,
                        gas_limit,
                        is_static: self.static_top_frame,
                        delegated: delegate.is_some(),
                    })),
                    None,
                )
            }
            TxKind::Create => (
                Action::Create(Box::new(CreateInputs {
                    caller: tx.caller,
                    value: tx.value,
                    init_code: tx.data.clone(),
                    scheme: CreateScheme::Create,
                    gas_limit,
                })),
                Some(create_address(tx.caller, sender.nonce)),
            ),
        };
        let (outcome, created_address) = match self.run_frames(first, created) {
            FrameOutcome::Call(o) => (o, None),
            FrameOutcome::Create(o) => (o.result, o.address),
        };

        // Refund (capped, EIP-3529), the EIP-7623 floor, then pay back and pay the coinbase.
        let exit = outcome.exit;
        let gas_left = if exit.is_halt() {
            0
        } else {
            outcome.gas.remaining
        };
        let gas_spent = tx.gas_limit - gas_left;
        let execution_refund = if exit.is_success() {
            outcome.gas.refund.max(0) as u64
        } else {
            0
        };
        let refund =
            (execution_refund + authorization_refund).min(gas_spent / spec.max_refund_quotient);
        // EIP-7623: at least the floor (zero before Prague).
        let gas_used = (gas_spent - refund).max(charges.floor);
        let journal = &mut self.ctx.journal;
        let caller_balance = journal.info(tx.caller).balance;
        journal.set_balance(
            tx.caller,
            caller_balance + U256::from(tx.gas_limit - gas_used) * gas_price,
        );
        let coinbase = self.ctx.block.coinbase;
        // (Below the base fee only with the base-fee check disabled: no tip then.)
        let tip = if spec.tx_fee_market {
            gas_price.saturating_sub(self.ctx.block.base_fee)
        } else {
            gas_price
        };
        let coinbase_balance = journal.info(coinbase).balance;
        journal.set_balance(coinbase, coinbase_balance + U256::from(gas_used) * tip);
        journal.touch(coinbase);

        let (state, logs) = journal.finalize();
        let result = if exit.is_success() {
            ExecutionResult::Success {
                gas_used,
                gas_refunded: refund,
                logs,
                output: if created_address.is_some() {
                    Default::default()
                } else {
                    outcome.output
                },
                created_address,
            }
        } else if exit.is_revert() {
            ExecutionResult::Revert {
                gas_used,
                output: outcome.output,
            }
        } else {
            ExecutionResult::Halt {
                reason: exit,
                gas_used,
            }
        };
        Ok(ResultAndState {
            result,
            state,
            skipped_authorizations,
        })
    }

    /// Runs a system call (EIP-4788, EIP-2935, EIP-7002, EIP-7251): a call from `caller`
    /// to `to` with `data` and `gas_limit`, outside any transaction: no validation, no fee,
    /// no nonce change, no intrinsic gas, and no gas counted against the block. Returns the
    /// result and the state changes, uncommitted. A target without code yields an empty
    /// success.
    pub fn system_call(
        &mut self,
        caller: Address,
        to: Address,
        data: ember_primitives::Bytes,
        gas_limit: u64,
    ) -> Result<ResultAndState, EvmError<DB::Error>> {
        let blob_price = self.blob_price();
        self.ctx.tx = TxContext {
            origin: caller,
            gas_price: U256::ZERO,
            chain_id: self.chain_id,
            blob_hashes: Vec::new(),
            blob_base_fee: blob_price,
        };
        let first = Action::Call(Box::new(CallInputs {
            kind: CallKind::Call,
            target: to,
            code_address: to,
            caller,
            value: U256::ZERO,
            transfers_value: true,
            input: data,
            input_range: None,
            gas_limit,
            is_static: false,
            delegated: false,
        }));
        let outcome = match self.run_frames(first, None) {
            FrameOutcome::Call(o) => o,
            FrameOutcome::Create(o) => o.result,
        };
        if let Some(e) = self.ctx.journal.take_error() {
            self.ctx.journal.discard();
            return Err(EvmError::Database(e));
        }
        let (state, logs) = self.ctx.journal.finalize();
        let gas_used = gas_limit
            - if outcome.exit.is_halt() {
                0
            } else {
                outcome.gas.remaining
            };
        let result = if outcome.exit.is_success() {
            ExecutionResult::Success {
                gas_used,
                gas_refunded: 0,
                logs,
                output: outcome.output,
                created_address: None,
            }
        } else if outcome.exit.is_revert() {
            ExecutionResult::Revert {
                gas_used,
                output: outcome.output,
            }
        } else {
            ExecutionResult::Halt {
                reason: outcome.exit,
                gas_used,
            }
        };
        Ok(ResultAndState {
            result,
            state,
            skipped_authorizations: Vec::new(),
        })
    }

    /// Executes `tx` and commits its changes to the database.
    pub fn transact_commit(&mut self, tx: &TxEnv) -> Result<ExecutionResult, EvmError<DB::Error>>
    where
        DB: DatabaseCommit,
    {
        let ResultAndState { result, state, .. } = self.transact(tx)?;
        self.ctx.journal.db.commit(&state);
        Ok(result)
    }
}

/// EIP-7702 delegation designator prefix (`0xef0100 ‖ address`).
const DELEGATION_PREFIX: [u8; 3] = [0xef, 0x01, 0x00];

/// True for an EIP-7702 delegation designator.
pub(crate) fn is_delegation(code: &[u8]) -> bool {
    code.len() == 23 && code.starts_with(&DELEGATION_PREFIX)
}

/// The address an EIP-7702 designator delegates to.
pub(crate) fn delegate_of(code: &[u8]) -> Option<Address> {
    is_delegation(code).then(|| Address::from_slice(&code[3..]))
}

/// Refund for an authorization whose authority already exists (EIP-7702:
/// PER_EMPTY_ACCOUNT_COST - PER_AUTH_BASE_COST).
const EXISTING_AUTHORITY_REFUND: u64 = 25_000 - 12_500;

impl<DB: Database, I: Inspector> Evm<DB, I> {
    /// EIP-7702: applies each valid authorization in order and returns the refund for
    /// authorities that already existed, with the tuples that failed a check (skipped; the
    /// transaction still executes). Not undone if execution fails.
    fn apply_authorizations(&mut self, tx: &TxEnv) -> (u64, Vec<SkippedAuthorization>) {
        let mut refund = 0;
        let mut skipped = Vec::new();
        for (index, auth) in tx.authorization_list.iter().enumerate() {
            let mut skip = |reason| skipped.push(SkippedAuthorization { index, reason });
            if !(auth.chain_id.is_zero() || auth.chain_id == U256::from(self.chain_id)) {
                skip(AuthorizationSkip::WrongChainId);
                continue;
            }
            if auth.nonce == u64::MAX {
                skip(AuthorizationSkip::NonceOverflow);
                continue;
            }
            let Some(authority) = auth.authority else {
                skip(AuthorizationSkip::InvalidSignature);
                continue;
            };
            let journal = &mut self.ctx.journal;
            journal.warm_account(authority);
            let code = journal.code(authority);
            if !code.is_empty() && !is_delegation(code.original()) {
                skip(AuthorizationSkip::AuthorityHasCode);
                continue;
            }
            let account = journal.info(authority).clone();
            if account.nonce != auth.nonce {
                skip(AuthorizationSkip::NonceMismatch {
                    expected: account.nonce,
                    got: auth.nonce,
                });
                continue;
            }
            if journal.accounts.get(&authority).is_some_and(|a| a.exists) {
                refund += EXISTING_AUTHORITY_REFUND;
            }
            let designator = if auth.address == Address::ZERO {
                Bytecode::default()
            } else {
                let mut code = DELEGATION_PREFIX.to_vec();
                code.extend_from_slice(auth.address.as_slice());
                Bytecode::new(code.into())
            };
            journal.set_code(authority, designator);
            journal.set_nonce(authority, account.nonce + 1);
        }
        (refund, skipped)
    }
}
