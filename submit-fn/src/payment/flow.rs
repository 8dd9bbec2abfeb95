//! The payment flow without HTTP: open the first transaction for a submission that awaits
//! payment, find out where a submission stands (pulling the transaction's status, since
//! XBezahldienste v1 has no push) and release it once paid, open another transaction after a
//! cancelled or failed one, withdraw it. The function's routes and `formfabrik payments
//! reconcile` both come here, so the citizen's return and the reconciliation decide alike;
//! of the two racing, the store's create-only release marker lets exactly one release.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use form_model::registry::RegistryIndex;
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;
use xbezahl::{Client, ClientError, PaymentInformation, PaymentStatus, SecretSource};

use store::crypto::Encryptor;
use store::payment::{Awaiting, cancelled_key, expired_key, is_released, release};
use store::{Store, StoreError};

use super::attempt::{self, Attempt, MAX_ATTEMPTS};
use super::config::platform_config;

/// The format of the payment object the back office receives (`payment.json`/`.jwe`).
pub const PAYMENT_FORMAT: &str = "formfabrik.payment/1";

/// The payment platforms of the municipalities that have one, and where the function is
/// reached (the platform sends the browser back there).
///
/// A platform's client is made when it is first needed ([`Payments::client`]), not at start:
/// making one reads its secrets (from SSM or Secrets Manager on Lambda) and loads the TLS
/// roots, which a cold start that never takes a payment should not wait for.
pub struct Payments {
    /// Per municipality with a platform: its configuration, or why it cannot be used (checked
    /// at start; then its forms that require payment are refused with 503 rather than stored
    /// without a way to pay), and its client once made.
    platforms: HashMap<String, Platform>,
    secrets: Arc<dyn SecretSource>,
    /// Per municipality: the function's address as the site posts to it (`…/v1`).
    endpoints: HashMap<String, String>,
}

/// One municipality's platform.
struct Platform {
    config: Result<xbezahl::PlatformConfig, String>,
    /// Made on first use; a client that could not be made (a secret not readable yet) is tried
    /// again on the next use.
    client: tokio::sync::OnceCell<Client>,
}

impl Payments {
    /// The platforms of every municipality of `registry`, whose secrets are read from
    /// `secrets` when a platform's client is first needed. A configuration that cannot be
    /// used is logged now and kept as unusable; it does not stop the function.
    pub fn new(registry: &impl RegistryIndex, secrets: Arc<dyn SecretSource>) -> Payments {
        let mut platforms = HashMap::new();
        for m in registry.municipalities() {
            let Some(payment) = &m.payment else { continue };
            let config = platform_config(&m.id, &payment.platform).map_err(|e| e.to_string());
            if let Err(e) = &config {
                tracing::error!(error = %e, "payment platform unusable; its forms take no submissions that require payment");
            }
            platforms.insert(
                m.id.clone(),
                Platform {
                    config,
                    client: tokio::sync::OnceCell::new(),
                },
            );
        }
        Payments {
            platforms,
            secrets,
            endpoints: HashMap::new(),
        }
    }

    /// [`Payments::new`] when a municipality of `registry` has a payment platform.
    pub fn if_any(
        registry: &impl RegistryIndex,
        secrets: Arc<dyn SecretSource>,
    ) -> Option<Payments> {
        if registry
            .municipalities()
            .iter()
            .all(|m| m.payment.is_none())
        {
            return None;
        }
        Some(Payments::new(registry, secrets))
    }

    /// Where the function is reached for `municipality`'s forms (the `submission-endpoint` of
    /// its `municipality.yaml`, `…/v1`, or `formfabrik serve`'s local address).
    pub fn with_endpoint(mut self, municipality: &str, endpoint: &str) -> Payments {
        self.endpoints.insert(
            municipality.to_string(),
            endpoint.trim_end_matches('/').to_string(),
        );
        self
    }

    /// The platform client of `municipality`, made on the first call (its secrets read, its
    /// TLS set up); `Err` with the reason when it has none or it cannot be made.
    pub async fn client(&self, municipality: &str) -> Result<&Client, String> {
        let Some(platform) = self.platforms.get(municipality) else {
            return Err(format!("{municipality} has no payment platform"));
        };
        let config = platform.config.as_ref().map_err(Clone::clone)?;
        platform
            .client
            .get_or_try_init(|| async {
                Client::new(config, Arc::clone(&self.secrets))
                    .await
                    .map_err(|e| {
                        let e = format!("payment platform of {municipality}: {e}");
                        tracing::error!(error = %e, "payment platform unusable; its forms take no submissions that require payment");
                        e
                    })
            })
            .await
    }

    pub fn endpoint(&self, municipality: &str) -> Option<&str> {
        self.endpoints.get(municipality).map(String::as_str)
    }
}

/// The address the platform sends the browser back to.
pub fn return_url(endpoint: &str, municipality: &str, id: Uuid, lang: &str) -> String {
    format!(
        "{}/{municipality}/{}/{}/return?lang={lang}",
        endpoint.trim_end_matches('/'),
        super::SEGMENT,
        id.hyphenated()
    )
}

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Platform(#[from] ClientError),
    #[error("{0}")]
    Unusable(String),
}

/// Where a submission that awaits (or awaited) payment stands.
#[derive(Debug, Clone)]
pub enum Standing {
    /// No payment was ever opened for this id.
    Unknown,
    /// Paid and handed on to the back office; `first`: by this call.
    Paid {
        attempt: Attempt,
        info: PaymentInformation,
        first: bool,
    },
    /// The latest transaction is open (INITIAL, or a status this version does not know).
    Open { attempt: Attempt },
    /// The latest transaction ended without payment (CANCELED or FAILED).
    Ended {
        attempt: Attempt,
        status: PaymentStatus,
    },
    /// The citizen withdrew it.
    Withdrawn { attempt: Attempt },
    /// Reconciliation gave up on it.
    Expired { attempt: Attempt },
    /// Handed on without payment after a payment that ended unpaid (a form whose payment is
    /// optional): the back office sends a fee notice. `first`: by this call.
    Declined { attempt: Attempt, first: bool },
}

/// The payment object handed to the back office with the record: the platform's payment
/// information in the shape of FIT-Connect's `paymentInformation` (plus the request id and
/// the amount), so that the import can put it into the metadata as it is; and the items paid
/// (fee id, description, quantity, amount, `bookingData`).
pub fn payment_object(attempt: &Attempt, info: &PaymentInformation) -> Value {
    let mut information = json!({
        "transactionId": info.transaction_id,
        "status": info.status.as_str(),
        "grossAmount": attempt.request.gros_amount.cents() as f64 / 100.0,
    });
    let optional = [
        ("transactionUrl", info.transaction_url.as_deref()),
        (
            "transactionReference",
            info.transaction_reference.as_deref(),
        ),
        (
            "transactionTimestamp",
            info.transaction_timestamp.as_deref(),
        ),
        (
            "paymentMethod",
            info.payment_method.as_ref().map(|m| m.as_str()),
        ),
        ("paymentMethodDetail", info.payment_method_detail.as_deref()),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            information[key] = json!(v);
        }
    }
    // What was paid, fee by fee, with the booking keys the platform was sent: the back
    // office's booking export (`inbox export --bookings`) lists them.
    let items: Vec<Value> = attempt
        .request
        .items
        .iter()
        .map(|item| {
            json!({
                "id": item.id,
                "description": item.description,
                "quantity": item.quantity,
                "totalAmount": (item.total_net_amount.cents() + item.total_tax_amount.cents()) as f64 / 100.0,
                "bookingData": item.booking_data,
            })
        })
        .collect();
    let mut object = json!({
        "format": PAYMENT_FORMAT,
        "requestId": attempt.request.request_id,
        "purpose": attempt.request.purpose,
        "currency": attempt.request.currency,
        "paymentInformation": information,
        "items": items,
    });
    // Booking keys the platform knows by other names: which name in `bookingData` is which.
    if !attempt.booking_keys.is_empty() {
        object["bookingKeys"] = json!(attempt.booking_keys);
    }
    object
}

/// `status` of the payment object of a submission handed on without payment.
pub const DECLINED: &str = "DECLINED";

/// The payment object of a submission handed on without payment after `attempt` ended unpaid
/// (a form whose payment is optional): no `paymentInformation` (nothing was paid, so the
/// booking export lists nothing), the request it declined, `status` [`DECLINED`].
pub fn declined_object(attempt: &Attempt, now: OffsetDateTime) -> Value {
    json!({
        "format": PAYMENT_FORMAT,
        "status": DECLINED,
        "requestId": attempt.request.request_id,
        "purpose": attempt.request.purpose,
        "currency": attempt.request.currency,
        "grossAmount": attempt.request.gros_amount.cents() as f64 / 100.0,
        "declinedAt": now
            .format(&time::format_description::well_known::Rfc3339)
            .expect("UTC times format"),
    })
}

/// Pulls the latest transaction of submission `id` and acts on it: releases a paid
/// submission (exactly once, whoever calls), and otherwise says where it stands.
pub async fn settle(
    store: &dyn Store,
    payments: &Payments,
    municipality: &str,
    id: Uuid,
    encryption: Option<&Encryptor>,
) -> Result<Standing, FlowError> {
    let Some(attempt) = attempt::latest(store, municipality, id).await? else {
        return Ok(Standing::Unknown);
    };
    let client = payments
        .client(municipality)
        .await
        .map_err(FlowError::Unusable)?;
    let info = client
        .transaction(&attempt.transaction_id)
        .await?
        .payment_information;
    if info.status == PaymentStatus::Payed {
        // Paid is paid: a payment that arrives after a withdrawal or an expiry is still
        // handed on, since the money was taken.
        let first = hand_on(
            store,
            &attempt,
            encryption,
            &payment_object(&attempt, &info),
        )
        .await?;
        if first {
            tracing::info!(municipality, id = %id, reference = %attempt.reference, "paid submission released");
        }
        return Ok(Standing::Paid {
            attempt,
            info,
            first,
        });
    }
    // Released, yet not paid: sent without payment (a finished transaction stays unpaid).
    if is_released(store, municipality, id).await? {
        return Ok(Standing::Declined {
            attempt,
            first: false,
        });
    }
    if store.get(&cancelled_key(municipality, id)).await?.is_some() {
        return Ok(Standing::Withdrawn { attempt });
    }
    if store.get(&expired_key(municipality, id)).await?.is_some() {
        return Ok(Standing::Expired { attempt });
    }
    Ok(match info.status {
        PaymentStatus::Canceled | PaymentStatus::Failed => Standing::Ended {
            attempt,
            status: info.status,
        },
        _ => Standing::Open { attempt },
    })
}

/// Releases the submission of `attempt` with the payment object `payment` (sealed with the
/// municipality's key when the submission is); whether this call released it.
async fn hand_on(
    store: &dyn Store,
    attempt: &Attempt,
    encryption: Option<&Encryptor>,
    payment: &Value,
) -> Result<bool, FlowError> {
    if attempt.encrypted && encryption.is_none() {
        return Err(FlowError::Unusable(format!(
            "{}: the submission is sealed, but no key is configured to seal its payment",
            attempt.municipality
        )));
    }
    let awaiting = Awaiting {
        municipality: &attempt.municipality,
        id: attempt.id,
        dir: &attempt.dir,
        encryption: if attempt.encrypted { encryption } else { None },
    };
    Ok(release(store, awaiting, payment).await?)
}

/// Opens the `n`th transaction from `attempt`'s request (the same payment, a new request id)
/// and records it; of two racing, both get the one recorded first.
async fn open(
    store: &dyn Store,
    client: &Client,
    template: &Attempt,
    n: u32,
    now: OffsetDateTime,
) -> Result<Attempt, FlowError> {
    let mut request = template.request.clone();
    request.request_id = attempt::request_id(template.id, n);
    let created = client.create(&request).await?.payment_information;
    let attempt = Attempt {
        n,
        created_at: now,
        request,
        transaction_id: created.transaction_id,
        pay_url: created.transaction_redirect_url,
        ..template.clone()
    };
    Ok(attempt::put(store, &attempt).await?)
}

/// The first transaction for a submission just stored as awaiting payment (`first` holds its
/// request, `n` 1). A repeated submission finds the transaction opened before.
pub async fn start(
    store: &dyn Store,
    payments: &Payments,
    first: Attempt,
    now: OffsetDateTime,
) -> Result<Attempt, FlowError> {
    if let Some(existing) = attempt::get(store, &first.municipality, first.id, 1).await? {
        return Ok(existing);
    }
    let client = payments
        .client(&first.municipality)
        .await
        .map_err(FlowError::Unusable)?;
    open(store, client, &first, 1, now).await
}

/// What a request to try again or to withdraw led to.
#[derive(Debug, Clone)]
pub enum Next {
    /// Another transaction is open: send the browser to its pay page.
    Pay(Box<Attempt>),
    /// Nothing changed: the submission stands as it stood (paid, open, withdrawn ...).
    Stands(Box<Standing>),
}

/// Opens another transaction, if the latest ended without payment and the submission was
/// neither withdrawn nor expired.
pub async fn retry(
    store: &dyn Store,
    payments: &Payments,
    municipality: &str,
    id: Uuid,
    encryption: Option<&Encryptor>,
    now: OffsetDateTime,
) -> Result<Next, FlowError> {
    match settle(store, payments, municipality, id, encryption).await? {
        Standing::Ended { attempt, .. } if attempt.n < MAX_ATTEMPTS => {
            let client = payments
                .client(municipality)
                .await
                .map_err(FlowError::Unusable)?;
            Ok(Next::Pay(Box::new(
                open(store, client, &attempt, attempt.n + 1, now).await?,
            )))
        }
        Standing::Open { attempt } => Ok(Next::Pay(Box::new(attempt))),
        other => Ok(Next::Stands(Box::new(other))),
    }
}

/// Withdraws the submission, if its latest transaction ended without payment: no further
/// transaction is offered, nothing reaches the back office.
pub async fn withdraw(
    store: &dyn Store,
    payments: &Payments,
    municipality: &str,
    id: Uuid,
    encryption: Option<&Encryptor>,
    now: OffsetDateTime,
) -> Result<Standing, FlowError> {
    let standing = settle(store, payments, municipality, id, encryption).await?;
    let Standing::Ended { attempt, .. } = standing else {
        return Ok(standing);
    };
    mark(store, &cancelled_key(municipality, id), now).await?;
    tracing::info!(municipality, id = %id, "submission withdrawn before payment");
    Ok(Standing::Withdrawn { attempt })
}

/// Hands the submission on without payment, if its form's payment is `optional` (`offered`)
/// and its latest transaction ended unpaid and it was neither withdrawn nor expired: the
/// payment object says `DECLINED`, and the same create-only release marker as for a paid one
/// lets exactly one request release it.
pub async fn without_payment(
    store: &dyn Store,
    payments: &Payments,
    municipality: &str,
    id: Uuid,
    encryption: Option<&Encryptor>,
    offered: bool,
    now: OffsetDateTime,
) -> Result<Standing, FlowError> {
    let standing = settle(store, payments, municipality, id, encryption).await?;
    let Standing::Ended { attempt, status } = standing else {
        return Ok(standing);
    };
    if !offered {
        // A form that requires payment: it stands as it stood.
        return Ok(Standing::Ended { attempt, status });
    }
    let first = hand_on(store, &attempt, encryption, &declined_object(&attempt, now)).await?;
    if first {
        tracing::info!(municipality, id = %id, reference = %attempt.reference, "submission released without payment");
    }
    Ok(Standing::Declined { attempt, first })
}

/// Writes a create-only marker with the time it was set.
pub(crate) async fn mark(
    store: &dyn Store,
    key: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let at = now
        .format(&time::format_description::well_known::Rfc3339)
        .expect("UTC times format");
    store
        .put_new(
            key,
            Bytes::from(json!({ "at": at }).to_string()),
            "application/json",
        )
        .await?;
    Ok(())
}
