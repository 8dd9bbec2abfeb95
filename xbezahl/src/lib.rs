//! XBezahldienste v1.0.0, the standard interface between a German online service and the
//! payment platforms municipalities use (pmPayment, ePayBL, epay21, GiroCheckout ...), published
//! by FITKO (docs.fitko.de/xbezahldienste):
//!
//! - [`model`]: the messages (payment request, items, requestor, payment information, status,
//!   problem answers with their functional code),
//! - [`validate`]: the constraints the standard sets on them, in one place for the adapter and
//!   the local platform,
//! - [`limits`]: the standard's maximum lengths, counts and amounts, and its currency,
//! - [`text`]: the standard's character classes and ways to bring free text into them,
//! - [`config`] and [`secret`]: how a platform is reached and where its secrets come from,
//! - [`client`]: create a transaction, pull its status; OAuth2 client credentials, mutual TLS
//!   or HTTP Basic.
//!
//! docs/payment.md describes the standard's shape and what this crate assumes where the
//! published text could not be read.

pub mod client;
pub mod config;
pub mod limits;
pub mod model;
pub mod secret;
pub mod text;
pub mod validate;

pub use client::{Client, ClientError};
pub use config::{AuthConfig, PlatformConfig};
pub use model::{
    Amount, FunctionalCode, PaymentInformation, PaymentItem, PaymentMethod, PaymentRequest,
    PaymentStatus, PaymentTransaction, Problem, Requestor, TaxRate,
};
pub use secret::{LocalSecrets, MemorySecrets, Secret, SecretRef, SecretSource};
pub use validate::{Violation, Violations};
