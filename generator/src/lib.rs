//! The `formfabrik` tool's logic: checking the `forms/` folder and building the municipalities'
//! static sites. The binary only parses arguments and calls in here, so tests drive the same
//! code.

pub mod check;
pub mod collate;
pub mod components;
pub mod inbox_cli;
pub mod keygen;
pub mod markdown;
pub mod script;
pub mod serve;
pub mod site;
pub mod state;
pub mod view;
