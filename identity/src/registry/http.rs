//! The HTTP/JSON registry adapter (the protocol is described in [`super`]).

use std::sync::Arc;

use http::{Request, header};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::{
    Consent, LookUp, LookUpFuture, LookUpRequest, Melderegister, RegistryError, ResidentQuery,
};
use crate::transport::{Transport, is_loopback};

/// A registry reached over HTTPS with a bearer token.
pub struct HttpRegistry {
    endpoint: Url,
    token: SecretString,
    transport: Arc<dyn Transport>,
}

impl HttpRegistry {
    /// `base_url` is the registry service's base (`https://melderegister.example/musterstadt/`).
    pub fn new(
        base_url: &str,
        token: SecretString,
        transport: Arc<dyn Transport>,
    ) -> Result<Self, RegistryError> {
        let bad = || RegistryError::BadUrl(base_url.to_string());
        let mut base = Url::parse(base_url).map_err(|_| bad())?;
        if !(base.scheme() == "https" || (base.scheme() == "http" && is_loopback(&base))) {
            return Err(bad());
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let endpoint = base.join("v1/look-up").map_err(|_| bad())?;
        Ok(HttpRegistry {
            endpoint,
            token,
            transport,
        })
    }
}

impl Melderegister for HttpRegistry {
    fn look_up<'a>(&'a self, query: &'a ResidentQuery, consent: Consent) -> LookUpFuture<'a> {
        Box::pin(async move {
            let body = serde_json::to_vec(&LookUpRequest {
                query: query.clone(),
                consent_given_at: consent.given_at,
            })
            .map_err(|e| RegistryError::BadAnswer(e.to_string()))?;
            let request = Request::post(self.endpoint.as_str())
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCEPT, "application/json")
                .header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", self.token.expose_secret()),
                )
                .body(body)
                .map_err(|e| RegistryError::BadAnswer(e.to_string()))?;
            let response = self.transport.send(request).await?;
            let status = response.status().as_u16();
            match status {
                200 => serde_json::from_slice::<LookUp>(response.body())
                    .map_err(|e| RegistryError::BadAnswer(e.to_string())),
                401 | 403 => Err(RegistryError::Unauthorized { status }),
                _ => Err(RegistryError::Service {
                    status,
                    message: String::from_utf8_lossy(response.body())
                        .chars()
                        .take(300)
                        .collect(),
                }),
            }
        })
    }
}
