//! The subcommands of `ember`, one module each.

pub mod statetest;
