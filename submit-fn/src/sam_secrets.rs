//! The secrets in the deployment template: which SSM parameters and Secrets Manager secrets
//! the function's role may read, by exact ARN, never a value. The payment platforms' secrets
//! are the ones each municipality's `payment.platform` names (`aws-ssm-parameter`,
//! `aws-secrets-manager`); sign-in's are the names of `identity::secrets` below the
//! `SecretsPath` parameter (`FORMFABRIK_SECRETS=ssm:<path>`), unprefixed and with the prefix
//! `<municipality>/` of each municipality that offers sign-in. A secret named as an
//! environment variable or a file cannot be reached on Lambda: the template says so in a
//! comment.

use std::collections::BTreeSet;

use form_model::registry::Registry;
use identity::secrets::{CLIENT_PRIVATE_KEY, CLIENT_SECRET, SESSION_KEYS};
use xbezahl::secret::SecretRef;
use xbezahl::{AuthConfig, PlatformConfig};

use crate::payment::config::platform_config;

/// The default of the template's `SecretsPath` parameter.
pub const DEFAULT_SECRETS_PATH: &str = "/formfabrik";

/// What a role may read: ARNs (as `!Sub` strings) per store, and notes on names it cannot.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SecretAccess {
    pub parameters: BTreeSet<String>,
    pub secrets: BTreeSet<String>,
    /// Secrets the template cannot grant (environment variables, files, unusable names).
    pub notes: BTreeSet<String>,
}

impl SecretAccess {
    /// The payment platforms' secrets of `registry`.
    pub fn payment(registry: &Registry) -> SecretAccess {
        let mut access = SecretAccess::default();
        for m in &registry.municipalities {
            let Some(payment) = &m.payment else { continue };
            match platform_config(&m.id, &payment.platform) {
                Ok(config) => {
                    for r in references(&config) {
                        access.add(&m.id, r);
                    }
                }
                Err(e) => {
                    access.notes.insert(e.to_string());
                }
            }
        }
        access
    }

    /// Sign-in's secrets below `${SecretsPath}`, for the municipalities of `registry` with a
    /// form that offers sign-in (none: nothing).
    pub fn sign_in(registry: &Registry) -> SecretAccess {
        let mut access = SecretAccess::default();
        let municipalities = sign_in_municipalities(registry);
        if municipalities.is_empty() {
            return access;
        }
        let parameter = |name: &str| {
            format!(
                "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter${{SecretsPath}}/{name}"
            )
        };
        access.parameters.insert(parameter(SESSION_KEYS));
        for prefix in
            std::iter::once(String::new()).chain(municipalities.iter().map(|m| format!("{m}/")))
        {
            for name in [CLIENT_SECRET, CLIENT_PRIVATE_KEY] {
                access
                    .parameters
                    .insert(parameter(&format!("{prefix}{name}")));
            }
        }
        access
    }

    fn add(&mut self, municipality: &str, reference: &SecretRef) {
        let plain = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-:".contains(&b))
        };
        match reference {
            SecretRef::AwsSsmParameter(name) if plain(name) && !name.contains(':') => {
                let name = name.strip_prefix('/').unwrap_or(name);
                self.parameters.insert(format!(
                    "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{name}"
                ));
            }
            SecretRef::AwsSecretsManager(arn) if arn.starts_with("arn:") && plain(arn) => {
                self.secrets.insert(arn.clone());
            }
            SecretRef::AwsSecretsManager(name) if plain(name) && !name.contains(':') => {
                // A name's ARN ends in a hyphen and six random characters.
                self.secrets.insert(format!(
                    "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{name}-??????"
                ));
            }
            other => {
                self.notes.insert(format!(
                    "{municipality}: the payment platform's {other} cannot be read on Lambda; name an aws-ssm-parameter or aws-secrets-manager secret in its municipality.yaml"
                ));
            }
        }
    }

    /// The role's statements (`Sid`s `sid_prefix` + `Parameters`/`Secrets`), indented for a
    /// SAM function's `Policies` statement list; empty when there is nothing to read.
    pub fn statements(&self, sid_prefix: &str, comment: &str) -> String {
        let mut out = String::new();
        let list = |arns: &BTreeSet<String>| -> String {
            arns.iter()
                .map(|a| format!("                - !Sub \"{a}\"\n"))
                .collect()
        };
        if !self.parameters.is_empty() {
            out.push_str(&format!(
                "            # {comment}: SecureString parameters, decrypted with the AWS managed key\n            # (aws/ssm); a customer managed key also needs kms:Decrypt on it.\n            - Sid: {sid_prefix}Parameters\n              Effect: Allow\n              Action: ssm:GetParameter\n              Resource:\n{}",
                list(&self.parameters)
            ));
        }
        if !self.secrets.is_empty() {
            out.push_str(&format!(
                "            # {comment}: Secrets Manager secrets (string values).\n            - Sid: {sid_prefix}Secrets\n              Effect: Allow\n              Action: secretsmanager:GetSecretValue\n              Resource:\n{}",
                list(&self.secrets)
            ));
        }
        out
    }

    /// The notes as template comments.
    pub fn comments(&self) -> String {
        self.notes
            .iter()
            .map(|n| format!("# Note: {n}.\n"))
            .collect()
    }
}

/// Municipalities with a form that offers sign-in, sorted.
pub fn sign_in_municipalities(registry: &Registry) -> Vec<&str> {
    let set: BTreeSet<&str> = registry
        .forms
        .iter()
        .filter(|f| f.form.identity.offers_sign_in())
        .map(|f| f.municipality.id.as_str())
        .collect();
    set.into_iter().collect()
}

/// Every secret a platform configuration names.
fn references(config: &PlatformConfig) -> Vec<&SecretRef> {
    let mut refs: Vec<&SecretRef> = config.ca_certificate.iter().collect();
    match &config.auth {
        AuthConfig::Oauth2(o) => refs.push(&o.client_secret),
        AuthConfig::Mtls(m) => refs.extend([&m.certificate, &m.private_key]),
        AuthConfig::Basic(b) => refs.push(&b.password),
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_exact_arns_and_local_names_a_note() {
        let mut a = SecretAccess::default();
        a.add("m", &SecretRef::AwsSsmParameter("/formfabrik/m/pay".into()));
        a.add("m", &SecretRef::AwsSsmParameter("plain".into()));
        a.add(
            "m",
            &SecretRef::AwsSecretsManager("formfabrik/m/cert".into()),
        );
        let arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:k-AbCdEf";
        a.add("m", &SecretRef::AwsSecretsManager(arn.into()));
        a.add("m", &SecretRef::Env("X".into()));
        a.add("m", &SecretRef::AwsSsmParameter("${Evil}".into()));
        let p: Vec<&str> = a.parameters.iter().map(String::as_str).collect();
        assert_eq!(
            p,
            [
                "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/formfabrik/m/pay",
                "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/plain",
            ]
        );
        let s: Vec<&str> = a.secrets.iter().map(String::as_str).collect();
        assert_eq!(
            s,
            [
                "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:formfabrik/m/cert-??????",
                arn,
            ]
        );
        assert_eq!(a.notes.len(), 2, "{:?}", a.notes);
        assert!(
            a.comments()
                .contains("environment variable X cannot be read on Lambda")
        );
    }
}
