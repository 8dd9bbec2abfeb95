//! A local XBezahldienste v1.0.0 payment platform: the API a municipal payment platform
//! offers (create a transaction, pull it, ask for the service status), with OAuth2 client
//! credentials, HTTP Basic and (on a second listener) mutual TLS, and a pay page with Pay,
//! Cancel and Fail buttons that sends the browser back to the online service.
//!
//! It refuses what a platform refuses, with the standard's functional codes: a total that does
//! not match the items (CALCULATION_ERROR), a reused request id with other content
//! (PAYMENT_EXISTS), unknown tenants (NO_VALID_ORIGINATOR_OR_ENDPOINT), requests breaking the
//! standard's constraints (VALIDATION_ERROR), missing booking data (BOOKING_DATA_MISSING),
//! wrong credentials (FORBIDDEN). The same request twice returns the same transaction.
//!
//! [`start`] runs it in-process (tests, `formfabrik serve`); the `payment-platform` binary runs
//! it from a YAML file.

mod answer;
pub mod api;
pub mod config;
pub mod ledger;
pub mod page;
mod pay;
pub mod pki;
pub mod server;
mod state;
pub mod words;

pub use config::{ClientAccount, Config, Credential, MtlsListener, Pem, Tenant, TenantKey};
pub use server::{Platform, StartError, start};
