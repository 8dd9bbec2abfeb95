//! inbox's integration tests, as one test binary (as Cargo's and mdBook's test suites are): one
//! module per subject, sharing the helpers in `common`.

mod acceptance;
mod bookings;
mod by_reference;
mod clerk;
mod common;
mod contract;
mod efile;
mod garage;
mod inbox;
mod mandates;
mod night;
mod old_layout;
mod operations;
mod report;
mod signed_in;
