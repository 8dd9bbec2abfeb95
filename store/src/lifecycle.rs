//! Retention as code: the S3 lifecycle rules for a registry, from each form's
//! `retention-days`. One place for both outputs: `formfabrik build` writes them as an S3
//! lifecycle configuration (`dist/function/lifecycle.json`, the JSON that
//! `aws s3api put-bucket-lifecycle-configuration` takes), and the function's SAM template
//! (`submit-fn template`) writes the same rules in CloudFormation's form.
//!
//! Rules, with prefixes relative to the storage prefix:
//! - one per published form version, `<municipality>/<form>/v<version>/`, expiring after the
//!   form's `retention-days`;
//! - one per earlier version of each published form (`Registry::earlier_versions`: records
//!   submitted before the form was bumped stay until their own retention ends), expiring after
//!   the longer of that version's and the published version's retention;
//! - per municipality, `_claims/<municipality>/`, `_leases/<municipality>/`,
//!   `_acks/<municipality>/`, `_reports/<municipality>/` and `_payments/<municipality>/`,
//!   expiring after the longest retention of its forms, so that none disappears before the
//!   submission it belongs to (a report names the submissions it saw; only the newest is read,
//!   by the next report; a release marker must outlive the submission it released). A
//!   submission awaiting payment lives in its form version's folder beside released ones (no
//!   prefix tells them apart): reconciliation deletes the withdrawn and expired ones, and the
//!   form version's rule is the backstop for any it could not;
//! - one for the drafts of signed-in citizens, `_drafts/`, expiring after the configured days
//!   (`crate::drafts`; here [`crate::drafts::DEFAULT_DAYS`], the SAM template's parameter
//!   `DraftRetentionDays`);
//! - and one that aborts incomplete multipart uploads after a day.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};

use form_model::registry::{EarlierVersion, Registry};
use serde::Serialize;
use serde_json::Value;

use crate::drafts::DRAFTS;
use crate::layout::{ACKS, CLAIMS, LEASES, REPORTS, form_version_prefix};
use crate::payment::PAYMENTS;

/// The storage prefix of the SAM template's default (`StoragePrefix`).
pub const DEFAULT_STORAGE_PREFIX: &str = "submissions";

/// An expiry rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `musterstadt--hundesteuer-anmeldung--v2`, `_claims--musterstadt`
    pub id: String,
    /// Relative to the storage prefix, with a trailing slash.
    pub prefix: String,
    pub days: u32,
}

/// The rule whose prefix `key` (relative to the storage prefix) falls under, if any: what
/// `inbox purge` goes by for folder stores.
pub fn rule_for<'a>(rules: &'a [Rule], key: &str) -> Option<&'a Rule> {
    rules.iter().find(|r| key.starts_with(&r.prefix))
}

/// A published form version, as its rule needs it: a registry's form entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub municipality: String,
    pub form: String,
    pub version: u32,
    pub retention_days: u32,
}

impl Published {
    /// What the rules need of `form`.
    pub fn of(form: &form_model::ResolvedForm) -> Published {
        Published {
            municipality: form.municipality.id.clone(),
            form: form.form.id.clone(),
            version: form.form.version,
            retention_days: form.form.retention_days,
        }
    }
}

/// The expiry rules for `registry`, form versions first (sorted), then per municipality.
pub fn rules(registry: &Registry) -> Vec<Rule> {
    rules_of(
        registry.forms.iter().map(Published::of),
        registry.earlier_versions.iter().cloned(),
    )
}

/// [`rules`] of a registry whose form entries are `published` and whose earlier versions
/// are `earlier_versions`, each read once (a build hands them over from its spill).
pub fn rules_of(
    published: impl IntoIterator<Item = Published>,
    earlier_versions: impl IntoIterator<Item = EarlierVersion>,
) -> Vec<Rule> {
    let mut forms = Vec::new();
    let mut longest: BTreeMap<String, u32> = BTreeMap::new();
    // The published versions' prefixes, to look each earlier version up in (a country has
    // tens of thousands of both).
    let mut published_prefixes = HashSet::new();
    let mut longer = |municipality: &str, days: u32| match longest.get_mut(municipality) {
        Some(longest) => *longest = (*longest).max(days),
        None => {
            longest.insert(municipality.to_string(), days);
        }
    };
    for f in published {
        let prefix = form_version_prefix(&f.municipality, &f.form, f.version);
        published_prefixes.insert(prefix.clone());
        forms.push(Rule {
            id: prefix.trim_end_matches('/').replace('/', "--"),
            prefix,
            days: f.retention_days,
        });
        longer(&f.municipality, f.retention_days);
    }
    for e in earlier_versions {
        let prefix = form_version_prefix(&e.municipality, &e.form, e.version);
        // A municipality that still publishes this version has its rule already.
        if published_prefixes.contains(&prefix) {
            continue;
        }
        forms.push(Rule {
            id: prefix.trim_end_matches('/').replace('/', "--"),
            prefix,
            days: e.retention_days,
        });
        longer(&e.municipality, e.retention_days);
    }
    drop(published_prefixes);
    forms.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    for kind in [CLAIMS, LEASES, ACKS, REPORTS, PAYMENTS] {
        for (municipality, days) in &longest {
            forms.push(Rule {
                id: format!("{kind}--{municipality}"),
                prefix: format!("{kind}/{municipality}/"),
                days: *days,
            });
        }
    }
    forms
}

/// The S3 lifecycle configuration (`{"Rules": [...]}`) for objects below `storage_prefix`.
pub fn configuration(registry: &Registry, storage_prefix: &str) -> Value {
    serde_json::to_value(Configuration::of(rules(registry), storage_prefix))
        .expect("rules serialize")
}

/// [`configuration`] as pretty JSON with a line break at the end (`dist/function/lifecycle.json`),
/// written into `w` without making the JSON value first: a country has about ten rules per
/// municipality, and as JSON values they took more memory than anything else a build holds
/// at its end.
pub fn write_configuration(
    registry: &Registry,
    storage_prefix: &str,
    w: impl Write,
) -> io::Result<()> {
    write_configuration_of(rules(registry), storage_prefix, w)
}

/// [`write_configuration`] of a registry whose rules ([`rules_of`]) are `rules`.
pub fn write_configuration_of(
    rules: Vec<Rule>,
    storage_prefix: &str,
    mut w: impl Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut w, &Configuration::of(rules, storage_prefix))?;
    w.write_all(b"\n")
}

/// The configuration's shape, member by member in the order S3's documentation has them.
#[derive(Serialize)]
struct Configuration {
    #[serde(rename = "Rules")]
    rules: Vec<Configured>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Configured {
    Abort(AbortRule),
    Expire(ExpireRule),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AbortRule {
    #[serde(rename = "ID")]
    id: &'static str,
    status: &'static str,
    filter: Filter,
    abort_incomplete_multipart_upload: AfterInitiation,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AfterInitiation {
    days_after_initiation: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ExpireRule {
    #[serde(rename = "ID")]
    id: String,
    status: &'static str,
    filter: Filter,
    expiration: Expiration,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Filter {
    prefix: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Expiration {
    days: u32,
}

impl Configuration {
    fn of(rules: Vec<Rule>, storage_prefix: &str) -> Configuration {
        let base = storage_prefix.trim_matches('/');
        let full = |p: &str| {
            if base.is_empty() {
                p.to_string()
            } else {
                format!("{base}/{p}")
            }
        };
        let expire = |id: String, prefix: &str, days: u32| {
            Configured::Expire(ExpireRule {
                id,
                status: "Enabled",
                filter: Filter {
                    prefix: full(prefix),
                },
                expiration: Expiration { days },
            })
        };
        let mut all = vec![
            Configured::Abort(AbortRule {
                id: "abort-incomplete-multipart-uploads",
                status: "Enabled",
                filter: Filter { prefix: full("") },
                abort_incomplete_multipart_upload: AfterInitiation {
                    days_after_initiation: 1,
                },
            }),
            // Direct uploads never submitted (crate::upload): a day, the shortest S3 expiry.
            expire(
                crate::upload::STAGING.to_string(),
                &format!("{}/", crate::upload::STAGING),
                crate::upload::STAGING_DAYS,
            ),
            expire(
                DRAFTS.to_string(),
                &format!("{DRAFTS}/"),
                crate::drafts::DEFAULT_DAYS,
            ),
        ];
        all.extend(rules.into_iter().map(|r| expire(r.id, &r.prefix, r.days)));
        Configuration { rules: all }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The configuration as it was made before it was typed: JSON values built one by one.
    fn as_values(registry: &Registry, storage_prefix: &str) -> Value {
        let base = storage_prefix.trim_matches('/');
        let full = |p: &str| {
            if base.is_empty() {
                p.to_string()
            } else {
                format!("{base}/{p}")
            }
        };
        let mut out = vec![
            json!({
                "ID": "abort-incomplete-multipart-uploads",
                "Status": "Enabled",
                "Filter": { "Prefix": full("") },
                "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 1 },
            }),
            json!({
                "ID": crate::upload::STAGING,
                "Status": "Enabled",
                "Filter": { "Prefix": full(&format!("{}/", crate::upload::STAGING)) },
                "Expiration": { "Days": crate::upload::STAGING_DAYS },
            }),
            json!({
                "ID": DRAFTS,
                "Status": "Enabled",
                "Filter": { "Prefix": full(&format!("{DRAFTS}/")) },
                "Expiration": { "Days": crate::drafts::DEFAULT_DAYS },
            }),
        ];
        out.extend(rules(registry).into_iter().map(|r| {
            json!({
                "ID": r.id,
                "Status": "Enabled",
                "Filter": { "Prefix": full(&r.prefix) },
                "Expiration": { "Days": r.days },
            })
        }));
        json!({ "Rules": out })
    }

    #[test]
    fn the_written_configuration_is_the_pretty_json_of_the_rules_as_values() {
        let report = form_model::check(std::path::Path::new("../forms"));
        assert!(report.is_ok());
        let registry = Registry::build(&report, |m| m.site_origin.clone());
        assert!(!registry.earlier_versions.is_empty());
        for prefix in [DEFAULT_STORAGE_PREFIX, "", "/a/b/"] {
            let mut written = Vec::new();
            write_configuration(&registry, prefix, &mut written).unwrap();
            let expected = as_values(&registry, prefix);
            assert_eq!(configuration(&registry, prefix), expected);
            let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
            assert_eq!(String::from_utf8(written).unwrap(), text);
        }
    }
}
