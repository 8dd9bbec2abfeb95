//! `openidconnect`'s generic types filled in for the broker: its extra claims (bPK2, …), the
//! provider metadata `openidconnect` does not model (PKCE methods, RFC 9207), and its HTTP
//! client interface over this crate's [`Transport`].

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClaimName, CoreClaimType, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreSubjectIdentifierType, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AdditionalProviderMetadata, AsyncHttpClient, Client, EmptyExtraTokenFields,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IdTokenFields, JsonWebKeySet,
    ProviderMetadata, StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::transport::{HttpRequest, Transport, TransportError, TransportFuture};

/// Claims besides the standard ones (bPK2, …), kept as they came.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct BrokerClaims(Map<String, Value>);

impl AdditionalClaims for BrokerClaims {}

/// Provider metadata `openidconnect` does not model.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct BrokerMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) authorization_response_iss_parameter_supported: Option<bool>,
}

impl AdditionalProviderMetadata for BrokerMetadata {}

pub(super) type BrokerProviderMetadata = ProviderMetadata<
    BrokerMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;
pub(super) type BrokerIdToken = IdToken<
    BrokerClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
pub(super) type BrokerTokenResponse = StandardTokenResponse<
    IdTokenFields<
        BrokerClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;
pub(super) type BrokerClient = Client<
    BrokerClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    BrokerTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;
pub(super) type JwkSet = JsonWebKeySet<CoreJsonWebKey>;

/// `openidconnect`'s HTTP client interface over a [`Transport`].
pub(super) struct Http<'t>(pub(super) &'t dyn Transport);

impl<'c> AsyncHttpClient<'c> for Http<'_> {
    type Error = TransportError;
    type Future = TransportFuture<'c>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        self.0.send(request)
    }
}
