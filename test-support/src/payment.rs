//! The local payment platform (`payment-platform`) set up as the platform of Musterstadt and
//! of submit-fn's test municipality Testheim for tests of the payment flow: a tenant with each
//! one's ids, an OAuth2 client each, the registry pointed at it, and a browser pressing the
//! pay page's buttons.

use std::sync::Arc;

use form_model::registry::Registry;
use payment_platform::{ClientAccount, Config, Credential, Platform, Tenant, TenantKey};
use xbezahl::{MemorySecrets, SecretRef};

/// The originator id both municipalities' `municipality.yaml` give.
pub const ORIGINATOR: &str = "formfabrik";
/// Per municipality: its id, its endpoint id (its AGS) and the payee's name.
pub const TENANTS: [(&str, &str, &str); 2] = [
    ("musterstadt", "06531019", "Stadt Musterstadt, Stadtkasse"),
    ("testheim", "06412999", "Gemeinde Testheim, Gemeindekasse"),
];
/// The stand-in's own made-up secret.
pub const SECRET: &str = "local-only-test-secret";

/// The client id of `municipality` (as its `municipality.yaml` writes it).
pub fn client_id(municipality: &str) -> String {
    format!("formfabrik-{municipality}")
}

/// The variable a `municipality.yaml` names for the client secret.
pub fn secret_env(municipality: &str) -> String {
    format!(
        "FORMFABRIK_PAYMENT_{}_CLIENT_SECRET",
        municipality.to_uppercase().replace('-', "_")
    )
}

/// The platform's configuration: a tenant and a client per municipality of [`TENANTS`].
pub fn config() -> Config {
    Config {
        listen: payment_platform::config::loopback_any_port(),
        state_file: None,
        token_lifetime_seconds: 300,
        tenants: TENANTS
            .iter()
            .map(|(_, endpoint, name)| Tenant {
                originator_id: ORIGINATOR.into(),
                endpoint_id: (*endpoint).into(),
                name: (*name).into(),
                required_booking_data: Vec::new(),
            })
            .collect(),
        clients: TENANTS
            .iter()
            .map(|(m, endpoint, _)| ClientAccount {
                id: (*m).into(),
                credential: Credential::Oauth2 {
                    client_id: client_id(m),
                    client_secret: SECRET.into(),
                },
                tenants: vec![TenantKey {
                    originator_id: ORIGINATOR.into(),
                    endpoint_id: (*endpoint).into(),
                }],
            })
            .collect(),
        mtls: None,
    }
}

/// Starts the platform.
pub async fn start() -> Platform {
    start_with(config()).await
}

/// Starts the platform with `config` (e.g. [`config`] with a tenant's required booking data).
pub async fn start_with(config: Config) -> Platform {
    payment_platform::start(config)
        .await
        .expect("the local payment platform starts")
}

/// Points the payment platform of every municipality in `registry` that has one at
/// `platform` (their configuration names the real platforms' addresses).
pub fn use_platform(registry: &mut Registry, platform: &Platform) {
    let base = platform.base_url().to_string();
    for m in &mut registry.municipalities {
        let Some(payment) = m.payment.as_mut() else {
            continue;
        };
        payment.platform.base_url = base.clone();
        if let Some(o) = payment.platform.auth.oauth2.as_mut() {
            o.token_url = format!("{base}oauth/token");
            o.client_id = client_id(&m.id);
        }
    }
}

/// The secrets the function reads: each municipality's client secret, by the name its YAML
/// gives.
pub fn secrets() -> Arc<MemorySecrets> {
    let secrets = MemorySecrets::new();
    for (m, _, _) in TENANTS {
        secrets.insert(SecretRef::Env(secret_env(m)), SECRET);
    }
    Arc::new(secrets)
}

/// A browser that does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// A button of the pay page.
#[derive(Debug, Clone, Copy)]
pub enum Button {
    Pay,
    Cancel,
    Fail,
}

/// Opens the pay page at `pay_url`, presses `button` (paying by giropay) and returns where
/// the platform sends the browser (the online service's return address).
pub async fn press(pay_url: &str, button: Button) -> String {
    let browser = browser();
    let page = browser
        .get(pay_url)
        .send()
        .await
        .expect("the pay page answers");
    assert_eq!(page.status().as_u16(), 200, "pay page {pay_url}");
    let html = page.text().await.expect("the pay page's text");
    let marker = "<form method=\"post\" action=\"";
    let start = html.find(marker).expect("the pay page has a form") + marker.len();
    let action = &html[start..start + html[start..].find('"').expect("a closing quote")];
    let url = reqwest::Url::parse(pay_url)
        .and_then(|u| u.join(action))
        .expect("the form's action is a URL");
    let action = match button {
        Button::Pay => "pay",
        Button::Cancel => "cancel",
        Button::Fail => "fail",
    };
    let r = browser
        .post(url)
        .form(&[("lang", "de"), ("method", "GIROPAY"), ("action", action)])
        .send()
        .await
        .expect("the pay page takes the button");
    assert_eq!(r.status().as_u16(), 303);
    r.headers()["location"]
        .to_str()
        .expect("an ASCII location")
        .to_string()
}
