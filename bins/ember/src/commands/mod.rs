//! The subcommands of `ember`, one module each.

pub mod asm;
pub mod blocktest;
pub mod disasm;
pub mod import;
pub mod node;
pub mod profile;
pub mod run;
pub mod state_dump;
pub mod statetest;
pub mod stats;
pub mod t8n;
pub mod trace_flags;
