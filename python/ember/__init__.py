"""Ember for Python: a fast, exact EVM in Rust with pyrevm's API.

Change ``from pyrevm import EVM`` into ``from ember import EVM``. See ``__init__.pyi`` for
every class and method, and ``ember.eth_tester`` for the eth-tester backend.
"""

from ember._ember import (
    EVM,
    AccountInfo,
    BlockEnv,
    CfgEnv,
    Env,
    ExecutionResult,
    Halt,
    InternalError,
    InvalidHex,
    InvalidTransaction,
    JournalCheckpoint,
    Log,
    Revert,
    TxEnv,
    UnknownFork,
    RpcError,
    _trigger_panic,
    fork_names,
)

__all__ = [
    "EVM",
    "AccountInfo",
    "BlockEnv",
    "CfgEnv",
    "Env",
    "ExecutionResult",
    "Halt",
    "InternalError",
    "InvalidHex",
    "InvalidTransaction",
    "JournalCheckpoint",
    "Log",
    "Revert",
    "TxEnv",
    "UnknownFork",
    "RpcError",
    "fork_names",
]
