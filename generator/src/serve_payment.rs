//! Payment under `formfabrik serve`: the local XBezahldienste platform (`payment-platform`)
//! started on 127.0.0.1 beside the local site, standing in for every municipality's platform
//! (same originator and endpoint ids and client id, the local-only secret [`LOCAL_SECRET`]), so a
//! process designer can click through a form that requires payment: Pay, Cancel or Fail on
//! its pay page, back to the function's confirmation or its page to try again.

use std::sync::Arc;

use form_model::model::{OAuth2Auth, PaymentAuth, SecretName};
use form_model::registry::Registry;
use payment_platform::{ClientAccount, Config, Credential, Platform, Tenant, TenantKey};
use submit_fn::payment::Payments;
use xbezahl::{MemorySecrets, SecretRef};

/// The stand-in's own made-up secret of every client (it listens on 127.0.0.1 only), so that
/// `formfabrik payments reconcile --platform-url <its address>` can reach it too, with the
/// secret in the variable the municipality's YAML names.
pub const LOCAL_SECRET: &str = "local-only";

/// The client id: the municipality's own (its OAuth2 `client-id`), else `serve-<id>`.
fn client_id(m: &form_model::registry::RegistryMunicipality) -> String {
    m.payment
        .as_ref()
        .and_then(|p| p.platform.auth.oauth2.as_ref())
        .map_or_else(|| format!("serve-{}", m.id), |o| o.client_id.clone())
}

/// The running platform and the function's clients of it.
pub struct LocalPayment {
    pub platform: Platform,
    pub payments: Arc<Payments>,
}

/// Starts the platform with a tenant and a client for each municipality of `registry` that has
/// a payment platform; `None` when none has one.
pub async fn start(registry: &Registry) -> Result<Option<LocalPayment>, String> {
    let with_payment: Vec<_> = registry
        .municipalities
        .iter()
        .filter_map(|m| m.payment.as_ref().map(|p| (m, p)))
        .collect();
    if with_payment.is_empty() {
        return Ok(None);
    }
    let mut config = Config {
        listen: payment_platform::config::loopback_any_port(),
        state_file: None,
        token_lifetime_seconds: 300,
        tenants: Vec::new(),
        clients: Vec::new(),
        mtls: None,
    };
    let secret = LOCAL_SECRET.to_string();
    for (m, payment) in &with_payment {
        let key = TenantKey {
            originator_id: payment.platform.originator_id.clone(),
            endpoint_id: payment.platform.endpoint_id.clone(),
        };
        if !config
            .tenants
            .iter()
            .any(|t| t.originator_id == key.originator_id && t.endpoint_id == key.endpoint_id)
        {
            config.tenants.push(Tenant {
                originator_id: key.originator_id.clone(),
                endpoint_id: key.endpoint_id.clone(),
                name: m.name.clone(),
                // Insists on what the municipality's `booking` sends with every fee, as a
                // cash office's platform would.
                required_booking_data: payment
                    .booking
                    .as_ref()
                    .map(|b| b.keys_always_sent())
                    .unwrap_or_default(),
            });
        }
        config.clients.push(ClientAccount {
            id: m.id.clone(),
            credential: Credential::Oauth2 {
                client_id: client_id(m),
                client_secret: secret.clone(),
            },
            tenants: vec![key],
        });
    }
    let platform = payment_platform::start(config)
        .await
        .map_err(|e| e.to_string())?;
    // The function's view: every platform is the local one, reached with its own client.
    let base = platform.base_url().to_string();
    let mut local = registry.clone();
    let secrets = MemorySecrets::new();
    for m in &mut local.municipalities {
        let id = client_id(m);
        let Some(payment) = m.payment.as_mut() else {
            continue;
        };
        let variable = format!(
            "FORMFABRIK_SERVE_PAYMENT_{}",
            m.id.to_uppercase().replace('-', "_")
        );
        secrets.insert(SecretRef::Env(variable.clone()), secret.clone());
        payment.platform.base_url = base.clone();
        payment.platform.ca_certificate = None;
        payment.platform.auth = PaymentAuth {
            oauth2: Some(OAuth2Auth {
                token_url: format!("{base}oauth/token"),
                client_id: id,
                client_secret: SecretName {
                    env: Some(variable),
                    file: None,
                    aws_secrets_manager: None,
                    aws_ssm_parameter: None,
                },
                scope: None,
                client_authentication: None,
            }),
            mtls: None,
            basic: None,
        };
    }
    let payments = Payments::new(&local, Arc::new(secrets));
    Ok(Some(LocalPayment {
        platform,
        payments: Arc::new(payments),
    }))
}
