//! The view crate's integration tests, one binary (a module per concern).

mod components;
mod filled;
mod seo;
