//! The `formfabrik` tool's logic: checking the `forms/` folder and building the municipalities'
//! static sites (the pages themselves are rendered by the `view` crate). The binary only parses
//! arguments and calls in here, so tests drive the same code.

pub mod check;
pub mod inbox_cli;
pub mod keygen;
pub mod serve;
pub mod site;
pub mod state;
