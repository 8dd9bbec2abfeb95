//! The local payment platform over real HTTP on 127.0.0.1 (ports picked at run time), and the
//! adapter (`xbezahl::Client`) against it: one test binary, one module per concern.

mod common;
mod contract;
mod errors;
mod examples;
mod flow;
mod state;
