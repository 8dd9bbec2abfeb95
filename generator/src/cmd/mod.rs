//! The subcommands of `formfabrik`, one file each: its arguments and a thin `run` that calls
//! the library and says what happened. `inbox` and `keygen` are run by `crate::inbox_cli`.

pub mod build;
pub mod check;
pub mod import_fim;
pub mod keygen;
pub mod serve;
