//! The `formfabrik` tool's logic: checking the `forms/` folder (and, later, building the sites).
//! The binary only parses arguments and calls in here, so tests drive the same code.

pub mod check;
