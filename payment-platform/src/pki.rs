//! Certificates for the mTLS listener and its clients: a throwaway CA, a server certificate for
//! 127.0.0.1 and localhost, and client certificates. For local use and tests only; a real
//! platform issues its clients' certificates itself. Validity is rcgen's fixed default range
//! (1975 to 4096), so nothing depends on today's date.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use sha2::{Digest, Sha256};

/// A certificate with its private key, both PEM.
#[derive(Debug, Clone)]
pub struct Issued {
    pub certificate_pem: String,
    pub private_key_pem: String,
    /// SHA-256 of the certificate's DER encoding, hex: how the platform's configuration names
    /// a client certificate.
    pub sha256: String,
}

/// A certificate authority that signs server and client certificates.
pub struct Authority {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

#[derive(Debug, thiserror::Error)]
#[error("a certificate cannot be made: {0}")]
pub struct PkiError(#[from] rcgen::Error);

impl Authority {
    pub fn new(name: &str) -> Result<Self, PkiError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Ok(Self {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate()?)?,
        })
    }

    pub fn certificate_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for the loopback interface.
    pub fn server(&self) -> Result<Issued, PkiError> {
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
        params
            .distinguished_name
            .push(DnType::CommonName, "payment-platform");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.issue(params)
    }

    /// A client certificate for an online service.
    pub fn client(&self, name: &str) -> Result<Issued, PkiError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params)
    }

    fn issue(&self, params: CertificateParams) -> Result<Issued, PkiError> {
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(Issued {
            certificate_pem: cert.pem(),
            private_key_pem: key.serialize_pem(),
            sha256: hex::encode(Sha256::digest(cert.der())),
        })
    }
}

/// The SHA-256 of a certificate's DER encoding, hex.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}
