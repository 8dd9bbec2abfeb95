//! Start-up settings shared by the Lambda and the local front door: the registry file and the
//! theme beside it (the templates the function renders form pages with), loaded and checked
//! before the first request, so a broken or missing one stops the start with a clear message
//! (each form is parsed and its hash checked on the form's first request:
//! `ServedRegistry::lookup`).
//! (The store's address is read by `store::StoreUrl`.)

use std::path::{Path, PathBuf};

use form_model::registry::{Registry, RegistryError, RegistryIndex, ServedRegistry};
use thiserror::Error;
use view::ViewError;
use view::bundle::RemotePages;

/// The theme's file name beside the registry, as the generator writes both
/// (`dist/function/registry.json`, `dist/function/theme.json`).
pub const THEME_FILE: &str = "theme.json";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read the registry {path}: {source}")]
    ReadRegistry {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the registry {path} cannot be used: {source}. Build it again with the generator (dist/function/registry.json)"
    )]
    InvalidRegistry {
        path: PathBuf,
        source: RegistryError,
    },
    #[error("the registry {0} has no forms; the function would refuse every submission")]
    EmptyRegistry(PathBuf),
    #[error(
        "the registry {path}: municipality {municipality} has an unusable encryption key: {source}"
    )]
    EncryptionKey {
        path: PathBuf,
        municipality: String,
        source: store::crypto::CryptoError,
    },
    #[error(
        "cannot read the theme {path}: {source}. The generator writes it beside the registry (dist/function/{THEME_FILE})"
    )]
    ReadTheme {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the theme cannot be used: {0}. Build it again with the generator")]
    InvalidTheme(ViewError),
    #[error(
        "the theme {path} has no page for {forms}: the registry and the theme come from different builds; deploy both from one `formfabrik build`"
    )]
    ThemeMismatch { path: PathBuf, forms: String },
}

/// The theme beside the registry at `registry` (where the generator writes it).
pub fn theme_beside(registry: &Path) -> PathBuf {
    registry.with_file_name(THEME_FILE)
}

/// Reads the theme and checks that it has a form page for every form of `registry`.
pub fn load_pages(path: &Path, registry: &impl RegistryIndex) -> Result<RemotePages, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadTheme {
        path: path.to_path_buf(),
        source,
    })?;
    let pages = RemotePages::from_json(&text, &path.display().to_string())
        .map_err(ConfigError::InvalidTheme)?;
    let missing: Vec<String> = registry
        .published_forms()
        .filter(|(m, f)| !pages.has_page_for(m, f))
        .map(|(m, f)| format!("{m}/{f}"))
        .collect();
    if !missing.is_empty() {
        return Err(ConfigError::ThemeMismatch {
            path: path.to_path_buf(),
            forms: missing.join(", "),
        });
    }
    Ok(pages)
}

/// Reads and checks the registry the function serves: each form is parsed and its hash checked
/// on the form's first request (`ServedRegistry::lookup`), not here. Parsing and hashing every
/// form was most of a cold start, and an instance serves a few forms at most.
pub fn load_registry(path: &Path) -> Result<ServedRegistry, ConfigError> {
    let text = read_registry(path)?;
    let registry = ServedRegistry::from_json(&text).map_err(|source| invalid(path, source))?;
    check_loaded(path, &registry)?;
    Ok(registry)
}

/// [`load_registry`] with every form parsed now (hashes still checked on use): for what reads
/// the forms themselves (the deployment template's lifecycle rules per form) or runs on a
/// schedule, where a start's milliseconds do not matter (the payment reconciliation).
pub fn load_full_registry(path: &Path) -> Result<Registry, ConfigError> {
    let text = read_registry(path)?;
    let registry =
        Registry::from_json_hashing_on_use(&text).map_err(|source| invalid(path, source))?;
    check_loaded(path, &registry)?;
    Ok(registry)
}

fn read_registry(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::ReadRegistry {
        path: path.to_path_buf(),
        source,
    })
}

fn invalid(path: &Path, source: RegistryError) -> ConfigError {
    ConfigError::InvalidRegistry {
        path: path.to_path_buf(),
        source,
    }
}

/// What the function checks of a registry beyond its own checks: it has forms, and every
/// municipality's encryption key is usable.
fn check_loaded(path: &Path, registry: &impl RegistryIndex) -> Result<(), ConfigError> {
    if registry.published_forms().next().is_none() {
        return Err(ConfigError::EmptyRegistry(path.to_path_buf()));
    }
    for m in registry.municipalities() {
        if let Some(key) = &m.encryption_key {
            store::crypto::check_public_key(key).map_err(|source| ConfigError::EncryptionKey {
                path: path.to_path_buf(),
                municipality: m.id.clone(),
                source,
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_registry_stops_the_start_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.json");
        std::fs::write(
            &path,
            r#"{"format": "formfabrik.registry/0", "municipalities": [], "forms": []}"#,
        )
        .unwrap();
        let err = load_registry(&path).unwrap_err().to_string();
        assert!(err.contains("registry.json cannot be used"), "{err}");
        assert!(err.contains("formfabrik.registry/1"), "{err}");
        let err = load_registry(&dir.path().join("missing.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot read the registry"), "{err}");
    }
}
