//! Integration tests of the identity crate against a real OpenID provider and a real registry
//! service on 127.0.0.1 (one test binary, one module per concern).

mod flow;
mod registry;
mod security;
mod support;
