//! The `formfabrik` tool's logic: checking the `forms/` folder and building the municipalities'
//! static sites (the pages themselves are rendered by the `view` crate). The binary only parses
//! arguments and calls in here (`cmd`, one file per subcommand), so tests drive the same code.

pub mod check;
pub mod cli;
pub mod cmd;
pub mod serve;
pub mod serve_payment;
pub mod serve_sign_in;
pub mod site;
pub mod spill;
pub mod state;
