"""Ember for Python: a fast, exact EVM in Rust with pyrevm's API (a superset of it).

Addresses are ``0x``-prefixed hex strings; integers are Python ints (up to 2**256-1);
code, calldata and hashes are ``bytes``. Execution releases the GIL, so several ``EVM``
instances run in parallel threads (one ``EVM`` is used by one thread at a time).
"""

from typing import Any, Callable, Optional, Type

class InvalidHex(TypeError):
    """A hex string (an address, a hash) is malformed: pyrevm raises TypeError there."""

class UnknownFork(ValueError):
    """The ``spec_id`` names no fork Ember knows (see :func:`fork_names`)."""

class InvalidTransaction(RuntimeError):
    """The transaction failed validation and did not execute; the message is Ember's."""

class Revert(RuntimeError):
    """The top call frame reverted (``message_call``/``deploy``)."""

    output: bytes
    """The revert data."""
    gas_used: int
    """The gas charged."""
    reason: str
    """Always ``"Revert"``."""

class Halt(RuntimeError):
    """The top call frame halted exceptionally (``message_call``/``deploy``)."""

    output: bytes
    """Always empty."""
    gas_used: int
    """The gas charged (all of it)."""
    reason: str
    """Why, by revm's name (``"OutOfGas"``, ``"StateChangeDuringStaticCall"``, ...)."""

class InternalError(Exception):
    """A bug in Ember (a Rust panic). The EVM's uncommitted changes are dropped."""

def fork_names() -> list[str]:
    """The fork names ``spec_id`` accepts, oldest first (revm's ids such as ``"SHANGHAI"``,
    ``"MERGE"``, ``"LATEST"`` are accepted as well, in any case)."""

def _trigger_panic() -> None:
    """Panics inside Rust: raises :class:`InternalError` (for testing the panic path)."""

class CfgEnv:
    """The chain configuration."""

    def __new__(
        cls: Type["CfgEnv"],
        chain_id: Optional[int] = None,
        limit_contract_code_size: Optional[int] = None,
        perf_analyse_created_bytecodes: Optional[str] = None,
    ) -> "CfgEnv":
        """:param chain_id: the chain id (default 1).
        :param limit_contract_code_size: the largest deployable code (default: the fork's).
        :param perf_analyse_created_bytecodes: accepted for pyrevm compatibility, unused."""
    chain_id: int
    """The chain id."""
    limit_contract_code_size: Optional[int]
    """The code size limit, None for the fork's."""
    perf_analyse_created_bytecodes: str
    """Unused (pyrevm compatibility)."""

class BlockEnv:
    """The block transactions execute in; None fields take the EVM's defaults (number 0,
    coinbase zero, timestamp 1, difficulty 0, prevrandao zero from the merge, base fee 0,
    gas limit the EVM's ``gas_limit``, excess blob gas 0 from Cancun)."""

    def __new__(
        cls: Type["BlockEnv"],
        number: Optional[int] = None,
        coinbase: Optional[str] = None,
        timestamp: Optional[int] = None,
        difficulty: Optional[int] = None,
        prevrandao: Optional[bytes] = None,
        basefee: Optional[int] = None,
        gas_limit: Optional[int] = None,
        excess_blob_gas: Optional[int] = None,
    ) -> "BlockEnv":
        """Raises InvalidHex for a malformed coinbase or a prevrandao not 32 bytes long."""
    number: Optional[int]
    """Block number."""
    coinbase: Optional[str]
    """Beneficiary."""
    timestamp: Optional[int]
    """Timestamp in seconds."""
    difficulty: Optional[int]
    """Difficulty (before the merge)."""
    prevrandao: Optional[bytes]
    """PREVRANDAO, 32 bytes."""
    basefee: Optional[int]
    """Base fee per gas."""
    gas_limit: Optional[int]
    """Block gas limit."""
    excess_blob_gas: Optional[int]
    """Excess blob gas."""

class TxEnv:
    """A transaction for :meth:`EVM.transact`: pyrevm's fields plus ``tx_type`` and
    ``authorization_list``. The type is inferred when not given (4 with authorizations, 3
    with blob hashes, 2 with a priority fee, 1 with an access list, else 0)."""

    def __new__(
        cls: Type["TxEnv"],
        caller: Optional[str] = None,
        gas_limit: Optional[int] = None,
        gas_price: Optional[int] = None,
        gas_priority_fee: Optional[int] = None,
        to: Optional[str] = None,
        value: Optional[int] = None,
        data: Optional[bytes] = None,
        chain_id: Optional[int] = None,
        nonce: Optional[int] = None,
        salt: Optional[int] = None,
        access_list: Optional[list[tuple[str, list[int]]]] = None,
        blob_hashes: Optional[list[bytes]] = None,
        max_fee_per_blob_gas: Optional[int] = None,
        tx_type: Optional[int] = None,
        authorization_list: Optional[list[tuple[int, str, int, int, int, int]]] = None,
    ) -> "TxEnv":
        """Raises InvalidHex for a malformed address or hash, InvalidTransaction for a type
        outside 0..4. ``authorization_list`` holds ``(chain_id, address, nonce, y_parity,
        r, s)`` tuples; their authorities are recovered by Ember."""
    caller: Optional[str]
    """Sender."""
    gas_limit: Optional[int]
    """Gas limit (None: the EVM's, capped by the fork's per-transaction cap)."""
    gas_price: Optional[int]
    """Gas price, or the max fee per gas for types 2 to 4."""
    gas_priority_fee: Optional[int]
    """Max priority fee per gas."""
    to: Optional[str]
    """Callee; None creates a contract."""
    value: Optional[int]
    """Value in wei."""
    data: Optional[bytes]
    """Calldata or initcode."""
    chain_id: Optional[int]
    """Chain id (None: none for type 0, the EVM's for the others)."""
    nonce: Optional[int]
    """Nonce (None: the sender's current one)."""
    salt: Optional[int]
    """Unused (pyrevm compatibility)."""
    access_list: list[tuple[str, list[int]]]
    """EIP-2930 access list."""
    blob_hashes: list[bytes]
    """EIP-4844 versioned hashes."""
    max_fee_per_blob_gas: Optional[int]
    """EIP-4844 max fee per blob gas."""
    tx_type: Optional[int]
    """Envelope type 0..4."""
    authorization_list: list[tuple[int, str, int, int, int, int]]
    """EIP-7702 authorizations."""

class Env:
    """Chain configuration, block and transaction."""

    def __new__(
        cls: Type["Env"],
        cfg: Optional[CfgEnv] = None,
        block: Optional[BlockEnv] = None,
        tx: Optional[TxEnv] = None,
    ) -> "Env":
        """Any part left None takes its defaults."""
    cfg: Optional[CfgEnv]
    """Chain configuration."""
    block: Optional[BlockEnv]
    """Block."""
    tx: Optional[TxEnv]
    """Transaction."""

class JournalCheckpoint:
    """A snapshot of the EVM's state, from :meth:`EVM.snapshot`."""

    @property
    def log_i(self) -> int:
        """Logs emitted since the last commit, at the snapshot."""
    @property
    def journal_i(self) -> int:
        """:attr:`EVM.journal_len` at the snapshot."""

class AccountInfo:
    """An account's balance, nonce and code."""

    def __new__(
        cls: Type["AccountInfo"],
        balance: Optional[int] = None,
        nonce: int = 0,
        code_hash: Optional[bytes] = None,
        code: Optional[bytes] = None,
    ) -> "AccountInfo":
        """The code hash is computed from ``code`` when given."""
    balance: int
    """Balance in wei."""
    nonce: int
    """Nonce."""
    code_hash: bytes
    """Keccak-256 of the code."""
    code: Optional[bytes]
    """The code."""

class Log:
    """A log entry."""

    @property
    def address(self) -> str:
        """The emitting contract."""
    @property
    def topics(self) -> list[str]:
        """The topics, as 0x-prefixed hex."""
    @property
    def data(self) -> tuple[list[bytes], bytes]:
        """pyrevm's shape: (the topics as bytes, the data)."""

class ExecutionResult:
    """The outcome of a transaction that executed."""

    def __new__(
        cls: Type["ExecutionResult"],
        is_success: bool,
        is_halt: bool,
        reason: str,
        gas_used: int,
        gas_refunded: int,
    ) -> "ExecutionResult":
        """A result (for tests and mocks)."""
    @property
    def is_success(self) -> bool:
        """The top frame succeeded."""
    @property
    def is_halt(self) -> bool:
        """The top frame halted exceptionally."""
    @property
    def reason(self) -> str:
        """"Return" or "Stop" on success (Return when data was returned or code deployed),
        "Revert", or the halt reason by revm's name."""
    @property
    def gas_used(self) -> int:
        """Gas charged after refunds."""
    @property
    def gas_refunded(self) -> int:
        """Gas refunded."""
    @property
    def logs(self) -> list[Log]:
        """Logs (empty unless successful)."""
    @property
    def output(self) -> bytes:
        """Return or revert data."""
    @property
    def created_address(self) -> Optional[str]:
        """The created contract, for a successful creation."""

class EVM:
    """An EVM over an in-memory state: the committed database (:attr:`db_accounts`) and the
    current state (:attr:`journal_state`) that transactions change until :meth:`commit`."""

    def __new__(
        cls: Type["EVM"],
        env: Optional[Env] = None,
        fork_url: Optional[str] = None,
        fork_block: Optional[str] = None,
        gas_limit: int = 2**64 - 1,
        tracing: bool = False,
        spec_id: str = "SHANGHAI",
    ) -> "EVM":
        """
        :param env: the environment (defaults as documented on each class).
        :param fork_url: not supported yet: raises NotImplementedError.
        :param fork_block: likewise.
        :param gas_limit: the block gas limit and the default gas of a call.
        :param tracing: record an EIP-3155 trace of each transaction (see :attr:`trace`).
        :param spec_id: the fork, by revm's id (``"SHANGHAI"``, ``"CANCUN"``, ``"PRAGUE"``,
            ``"LATEST"``) or Ember's name (``"Cancun"``, ``"Osaka"``); UnknownFork otherwise.
        """
    @property
    def spec_id(self) -> str:
        """The fork in force, by Ember's name."""
    def snapshot(self) -> JournalCheckpoint:
        """Saves the current state."""
    def revert(self, checkpoint: JournalCheckpoint) -> None:
        """Restores the state saved by ``checkpoint``, dropping later snapshots; ValueError
        for a checkpoint that is not open."""
    def commit(self) -> None:
        """Writes the current state to the database; closes every snapshot."""
    def basic(self, address: str) -> AccountInfo:
        """The account at ``address`` (empty when absent)."""
    def get_code(self, address: str) -> Optional[bytes]:
        """The account's code; None when the account does not exist."""
    def insert_account_info(self, address: str, info: AccountInfo) -> None:
        """Sets the account's balance, nonce and code (its storage is kept)."""
    def insert_account_storage(self, address: str, index: int, value: int) -> int:
        """Sets a storage slot; returns the value it had."""
    def get_balance(self, address: str) -> int:
        """The account's balance."""
    def set_balance(self, address: str, balance: int) -> None:
        """Sets the account's balance."""
    def storage(self, address: str, index: int) -> int:
        """A storage slot's value."""
    def block_hash(self, number: int) -> bytes:
        """What BLOCKHASH gives for ``number`` (zero unless set with :meth:`set_block_hash`)."""
    def set_block_hash(self, number: int, hash: bytes) -> None:
        """Sets the hash BLOCKHASH gives for ``number``."""
    def deploy(
        self,
        deployer: str,
        code: bytes,
        value: Optional[int] = None,
        gas: Optional[int] = None,
        gas_price: Optional[int] = None,
        is_static: bool = False,
        _abi: Optional[list[dict]] = None,
    ) -> str:
        """Runs ``code`` as initcode from ``deployer``; returns the new address. Revert or
        Halt when the creation fails, InvalidTransaction when it cannot run."""
    def message_call(
        self,
        caller: str,
        to: str,
        calldata: Optional[bytes] = None,
        value: Optional[int] = None,
        gas: Optional[int] = None,
        gas_price: Optional[int] = None,
        is_static: bool = False,
    ) -> bytes:
        """Runs a call and returns its output. The changes stay in the current state (see
        :meth:`commit`); the caller's nonce is left unchanged, as pyrevm leaves it. ``is_static`` runs the top
        frame static. Revert or Halt when the call fails."""
    def transact(self, tx: Optional[TxEnv] = None) -> ExecutionResult:
        """Runs a transaction of any type (0 to 4, blobs and EIP-7702 authorizations too)
        under Ember's validity rules (``tx`` or else the tx env); returns its result,
        raising only InvalidTransaction (a revert is a result)."""
    def add_precompile(self, address: str, f: Callable[[bytes, int], tuple[bytes, int]]) -> None:
        """Adds a precompile: ``f(input, gas_limit)`` returns ``(output, gas_used)``; more
        gas than the limit is out of gas; an exception raised by ``f`` propagates out of the
        transaction, whose changes are dropped."""
    @property
    def env(self) -> Env:
        """A copy of the environment."""
    @property
    def tracing(self) -> bool:
        """Whether transactions record an EIP-3155 trace."""
    @tracing.setter
    def tracing(self, value: bool) -> None: ...
    @property
    def trace(self) -> list[dict[str, Any]]:
        """The EIP-3155 trace of the last transaction run with tracing on, one dict per line
        (``pc``, ``op``, ``gas``, ``gasCost``, ``stack``, ``depth``, ... and the summary)."""
    @property
    def result(self) -> Optional[ExecutionResult]:
        """The result of the last transaction."""
    @property
    def checkpoint_ids(self) -> set[JournalCheckpoint]:
        """The open snapshots."""
    @property
    def journal_depth(self) -> int:
        """The number of open snapshots."""
    @property
    def journal_len(self) -> int:
        """Account changes since the last commit (one per changed account per transaction,
        one per insert)."""
    @property
    def journal_str(self) -> str:
        """A one-line description of the uncommitted state."""
    @property
    def db_accounts(self) -> dict[str, AccountInfo]:
        """The committed accounts."""
    @property
    def journal_state(self) -> dict[str, AccountInfo]:
        """The current accounts, uncommitted changes included."""
    def set_block_env(self, block: BlockEnv) -> None:
        """Sets the block environment."""
    def set_tx_env(self, tx: TxEnv) -> None:
        """Sets the transaction :meth:`transact` runs without argument."""
    def reset_transient_storage(self) -> None:
        """A no-op: transient storage lasts one transaction in Ember, as on chain."""
