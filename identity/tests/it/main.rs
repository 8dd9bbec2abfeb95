//! Integration tests of the identity crate against a real OpenID provider on 127.0.0.1 (one
//! test binary, one module per concern).

mod flow;
mod security;
mod support;
