//! Payment as process designers and municipalities write it: whether a form asks for payment
//! before its submission reaches the back office (`payment: required` / `optional`, in the
//! catalog form and per form in `municipality.yaml`), and the municipality's payment platform
//! (`payment:` in `municipality.yaml`): an XBezahldienste platform, reached with OAuth2, mutual
//! TLS or HTTP Basic, its secrets named (an environment variable, a file, AWS Secrets Manager or
//! SSM Parameter Store), never written. The shape is the one the `xbezahl` adapter reads (the
//! function converts it; a test there keeps the two in step). The lint checks it (`lint::payment`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Whether a form's fees are paid online before the submission is handed on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentMode {
    /// Not offered: fees are charged by notice.
    #[default]
    None,
    /// Paid online first: the back office receives the submission only once it is paid.
    Required,
    /// Offered: the citizen may pay online or be charged by notice.
    Optional,
}

impl PaymentMode {
    pub fn is_none(&self) -> bool {
        *self == PaymentMode::None
    }

    /// Whether a submission in this mode is paid online before it is handed on, given the
    /// citizen's `choice` (only an `optional` form reads it; none counts as by notice).
    pub fn pays_online(&self, choice: Option<PaymentChoice>) -> bool {
        match self {
            PaymentMode::Required => true,
            PaymentMode::Optional => choice == Some(PaymentChoice::Online),
            PaymentMode::None => false,
        }
    }
}

/// The citizen's choice on the page of a form whose payment is `optional`: the send button
/// clicked (`_payment` in a form post, `payment` in the page script's JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentChoice {
    /// Pay online now: the submission awaits payment, as for a form that requires it.
    Online,
    /// Send now and wait for the fee notice (Gebührenbescheid).
    Notice,
}

impl PaymentChoice {
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentChoice::Online => "online",
            PaymentChoice::Notice => "notice",
        }
    }

    /// The choice a button's value names; `None` for any other value.
    pub fn parse(value: &str) -> Option<PaymentChoice> {
        [PaymentChoice::Online, PaymentChoice::Notice]
            .into_iter()
            .find(|c| c.as_str() == value)
    }
}

/// `payment:` in `municipality.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Payment {
    /// The XBezahldienste platform the municipality's cash office uses.
    pub platform: PaymentPlatform,
    /// How long a submission may await its payment before reconciliation expires it.
    #[serde(default = "default_expire_hours")]
    pub expire_after_hours: u32,
    /// What the finance system books each paid fee to: the Kassenzeichen and the accounts
    /// (Haushaltsstelle, Produktkonto), sent in every item's `bookingData`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<Booking>,
}

/// `payment.booking` in `municipality.yaml`: the booking keys of the cash office's finance
/// system, sent with every fee (an item of the payment request) in its `bookingData`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Booking {
    /// The Kassenzeichen of a submission's payment: a pattern with `{reference}` (the
    /// submission's reference, required: it makes the Kassenzeichen unique) and optionally
    /// `{prefix}`, `{year}` (the year received) and `{ags}`; otherwise letters, digits and
    /// `-`, `.`, `/`. Default `{prefix}{reference}`.
    #[serde(default = "default_kassenzeichen")]
    pub kassenzeichen: String,
    /// The municipality's prefix of Kassenzeichen (`{prefix}`), e.g. its cash office's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The accounts of every fee not named below.
    #[serde(default, skip_serializing_if = "BookingAccounts::is_empty")]
    pub default: BookingAccounts,
    /// Per form id: the accounts of its fees, and of single fees by fee id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub forms: BTreeMap<String, FormBooking>,
    /// The names the platform expects in `bookingData`, where they are not `kassenzeichen`,
    /// `haushaltsstelle` and `produktkonto`: e.g. `{ kassenzeichen: KZ, haushaltsstelle: HHST }`.
    #[serde(default, skip_serializing_if = "BookingKeys::is_empty")]
    pub keys: BookingKeys,
}

/// `payment.booking.keys`: the platform's name of each booking key in `bookingData`; a key not
/// written keeps its own name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookingKeys {
    /// The platform's name of the Kassenzeichen (default `kassenzeichen`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kassenzeichen: Option<String>,
    /// The platform's name of the Haushaltsstelle (default `haushaltsstelle`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub haushaltsstelle: Option<String>,
    /// The platform's name of the Produktkonto (default `produktkonto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub produktkonto: Option<String>,
}

impl BookingKeys {
    pub fn is_empty(&self) -> bool {
        self.kassenzeichen.is_none()
            && self.haushaltsstelle.is_none()
            && self.produktkonto.is_none()
    }

    /// Each key as Formfabrik names it (`BOOKING_*`) with the name written for it, if any.
    pub fn written(&self) -> [(&'static str, Option<&str>); 3] {
        [
            (BOOKING_KASSENZEICHEN, self.kassenzeichen.as_deref()),
            (BOOKING_HAUSHALTSSTELLE, self.haushaltsstelle.as_deref()),
            (BOOKING_PRODUKTKONTO, self.produktkonto.as_deref()),
        ]
    }

    /// The name in `bookingData` of `key` (one of the `BOOKING_*` names).
    pub fn name<'a>(&'a self, key: &'a str) -> &'a str {
        self.written()
            .into_iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, written)| written)
            .unwrap_or(key)
    }

    /// The keys renamed: Formfabrik's name to the platform's (what the payment object records,
    /// so the booking export finds them).
    pub fn renamed(&self) -> BTreeMap<String, String> {
        self.written()
            .into_iter()
            .filter_map(|(k, w)| w.map(|w| (k.to_string(), w.to_string())))
            .collect()
    }
}

fn default_kassenzeichen() -> String {
    "{prefix}{reference}".into()
}

/// The accounts a fee is booked to; a key not written is taken from the level above (fee,
/// then form, then `default`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookingAccounts {
    /// Haushaltsstelle (cameral budget item), e.g. `1.0600.1100`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub haushaltsstelle: Option<String>,
    /// Produktkonto (Doppik: product and account), e.g. `12.2.01.432100`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub produktkonto: Option<String>,
}

/// One form's accounts in `payment.booking.forms`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FormBooking {
    /// Haushaltsstelle of this form's fees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub haushaltsstelle: Option<String>,
    /// Produktkonto of this form's fees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub produktkonto: Option<String>,
    /// Per fee id of the form: its own accounts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fees: BTreeMap<String, BookingAccounts>,
}

/// The `bookingData` key of the Kassenzeichen.
pub const BOOKING_KASSENZEICHEN: &str = "kassenzeichen";
/// The `bookingData` key of the Haushaltsstelle.
pub const BOOKING_HAUSHALTSSTELLE: &str = "haushaltsstelle";
/// The `bookingData` key of the Produktkonto.
pub const BOOKING_PRODUKTKONTO: &str = "produktkonto";

/// The placeholders a Kassenzeichen pattern may hold.
pub const KASSENZEICHEN_PLACEHOLDERS: [&str; 4] = ["reference", "prefix", "year", "ags"];

/// What a Kassenzeichen is made of, besides its pattern.
#[derive(Debug, Clone, Copy)]
pub struct KassenzeichenFacts<'a> {
    pub reference: &'a str,
    pub year: i32,
    pub ags: &'a str,
}

impl BookingAccounts {
    pub fn is_empty(&self) -> bool {
        self.haushaltsstelle.is_none() && self.produktkonto.is_none()
    }
}

impl Booking {
    /// The Kassenzeichen of a submission: the pattern with its placeholders filled in.
    pub fn kassenzeichen(&self, facts: KassenzeichenFacts<'_>) -> String {
        self.kassenzeichen
            .replace("{prefix}", self.prefix.as_deref().unwrap_or(""))
            .replace("{year}", &facts.year.to_string())
            .replace("{ags}", facts.ags)
            .replace("{reference}", facts.reference)
    }

    /// The accounts of fee `fee` of form `form`: each key from the fee, else the form, else
    /// `default`.
    pub fn accounts(&self, form: &str, fee: &str) -> BookingAccounts {
        let on_form = self.forms.get(form);
        let on_fee = on_form.and_then(|f| f.fees.get(fee));
        let pick = |fee: Option<&Option<String>>,
                    form: Option<&Option<String>>,
                    default: &Option<String>| {
            fee.and_then(Option::clone)
                .or_else(|| form.and_then(Option::clone))
                .or_else(|| default.clone())
        };
        BookingAccounts {
            haushaltsstelle: pick(
                on_fee.map(|f| &f.haushaltsstelle),
                on_form.map(|f| &f.haushaltsstelle),
                &self.default.haushaltsstelle,
            ),
            produktkonto: pick(
                on_fee.map(|f| &f.produktkonto),
                on_form.map(|f| &f.produktkonto),
                &self.default.produktkonto,
            ),
        }
    }

    /// The `bookingData` of fee `fee` of form `form` for a submission: `kassenzeichen`, and
    /// `haushaltsstelle` and `produktkonto` where configured, each under the name `keys`
    /// gives it.
    pub fn booking_data(
        &self,
        form: &str,
        fee: &str,
        facts: KassenzeichenFacts<'_>,
    ) -> BTreeMap<String, String> {
        let accounts = self.accounts(form, fee);
        let mut data = BTreeMap::new();
        data.insert(
            self.keys.name(BOOKING_KASSENZEICHEN).into(),
            self.kassenzeichen(facts),
        );
        for (key, value) in [
            (BOOKING_HAUSHALTSSTELLE, accounts.haushaltsstelle),
            (BOOKING_PRODUKTKONTO, accounts.produktkonto),
        ] {
            if let Some(v) = value {
                data.insert(self.keys.name(key).into(), v);
            }
        }
        data
    }

    /// The keys every fee's `bookingData` carries, whatever the form (what a platform may
    /// insist on): `kassenzeichen` and each account `default` gives, by the names `keys` gives.
    pub fn keys_always_sent(&self) -> Vec<String> {
        let mut keys = vec![BOOKING_KASSENZEICHEN];
        if self.default.haushaltsstelle.is_some() {
            keys.push(BOOKING_HAUSHALTSSTELLE);
        }
        if self.default.produktkonto.is_some() {
            keys.push(BOOKING_PRODUKTKONTO);
        }
        keys.into_iter()
            .map(|k| self.keys.name(k).to_string())
            .collect()
    }
}

fn default_expire_hours() -> u32 {
    24
}

/// How the function reaches the payment platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PaymentPlatform {
    /// The URL `paymenttransaction/…` is appended to: https (http only on 127.0.0.1/localhost).
    pub base_url: String,
    /// The online service as the platform knows it (1 to 36 of `A-Z a-z 0-9 _ -`).
    pub originator_id: String,
    /// The authority as the platform knows it, often its AGS (1 to 36 of `A-Z a-z 0-9 _ -`).
    pub endpoint_id: String,
    /// Exactly one of `oauth2`, `mtls`, `basic`.
    pub auth: PaymentAuth,
    /// A certificate (PEM) to trust besides the system's roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_certificate: Option<SecretName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
}

/// One way of authenticating, written with exactly one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PaymentAuth {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2Auth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtls: Option<MtlsAuth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic: Option<BasicAuth>,
}

/// OAuth2 client credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OAuth2Auth {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: SecretName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `body` (default) or `basic` (RFC 6749 2.3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_authentication: Option<ClientAuthentication>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAuthentication {
    Body,
    Basic,
}

/// Mutual TLS with a client certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MtlsAuth {
    pub certificate: SecretName,
    pub private_key: SecretName,
}

/// HTTP Basic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BasicAuth {
    pub username: String,
    pub password: SecretName,
}

/// Where a secret comes from, with exactly one key; the secret itself is never written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SecretName {
    /// An environment variable's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// A file (a mounted secret), relative to the working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// An AWS Secrets Manager secret id or ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_secrets_manager: Option<String>,
    /// An AWS Systems Manager Parameter Store name (SecureString).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_ssm_parameter: Option<String>,
}

impl SecretName {
    /// How many of the four places are named (exactly one is right).
    pub fn named(&self) -> usize {
        [
            &self.env,
            &self.file,
            &self.aws_secrets_manager,
            &self.aws_ssm_parameter,
        ]
        .iter()
        .filter(|x| x.is_some())
        .count()
    }
}

impl PaymentAuth {
    /// How many of the three ways are written (exactly one is right).
    pub fn written(&self) -> usize {
        usize::from(self.oauth2.is_some())
            + usize::from(self.mtls.is_some())
            + usize::from(self.basic.is_some())
    }
}
