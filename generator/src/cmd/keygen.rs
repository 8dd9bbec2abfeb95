//! `formfabrik keygen <municipality>`: a new RSA 4096 key pair for the municipality's back
//! office. The public JWK goes into the municipality's folder (`encryption-key.jwk.json`, and
//! `encryption-key:` into `municipality.yaml` if it has none); the private JWK is written
//! outside `dist/` and `forms/` with mode 0600, never over an existing file
//! (`keys/<municipality>.private.jwk` by default — `*.private.jwk` is git-ignored).
//!
//! `--rotate` replaces the published public key by a new one with a new `kid` and writes the
//! new private key next to the old one (`keys/<kid>.private.jwk`); the old private key is left
//! alone, because submissions encrypted for it are read with it until they are imported
//! (`inbox pull --key keys/` picks each object's key by its `kid`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use thiserror::Error;

/// The public key's file name in the municipality folder.
pub const PUBLIC_KEY_FILE: &str = "encryption-key.jwk.json";

#[derive(Debug, Error)]
pub enum KeygenError {
    #[error("no municipality folder {0} (with municipality.yaml)")]
    NoMunicipality(PathBuf),
    #[error(
        "{0} exists; remove it first if you really want a new key (old submissions need the old private key)"
    )]
    Exists(PathBuf),
    #[error(
        "the private key must not be written to {0}: it is inside {1}, which is published or committed"
    )]
    Unsafe(PathBuf, PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: no key to rotate (make the first one without --rotate)")]
    NothingToRotate(PathBuf),
    #[error(transparent)]
    Crypto(#[from] store::crypto::CryptoError),
}

pub struct KeygenOptions {
    pub forms_dir: PathBuf,
    pub municipality: String,
    /// Where the private key goes; default `keys/<municipality>.private.jwk`.
    pub private_out: Option<PathBuf>,
    /// The build output (`dist`), which must not receive the private key.
    pub dist_dir: PathBuf,
    /// Replace the municipality's key by a new one (the old private key stays for reading).
    pub rotate: bool,
}

#[derive(Debug)]
pub struct KeygenReport {
    pub public_key: PathBuf,
    pub private_key: PathBuf,
    /// `encryption-key:` was added to municipality.yaml.
    pub yaml_updated: bool,
    pub kid: String,
    /// With `--rotate`: the kid of the key that was replaced.
    pub replaced_kid: Option<String>,
}

/// Makes the key pair and writes both files.
pub fn keygen(opts: &KeygenOptions) -> Result<KeygenReport, KeygenError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| KeygenError::Io { path, source }
    };
    let dir = opts
        .forms_dir
        .join("municipalities")
        .join(&opts.municipality);
    let yaml = dir.join("municipality.yaml");
    if opts.municipality.contains(['/', '\\', '.']) || !yaml.is_file() {
        return Err(KeygenError::NoMunicipality(dir));
    }
    let public_path = dir.join(PUBLIC_KEY_FILE);
    let today = time::OffsetDateTime::now_utc().date();
    let mut kid = format!("{}-{today}", opts.municipality);
    let replaced_kid = if opts.rotate {
        let text = std::fs::read_to_string(&public_path)
            .map_err(|_| KeygenError::NothingToRotate(public_path.clone()))?;
        let old: serde_json::Value = serde_json::from_str(&text)
            .map_err(|_| KeygenError::NothingToRotate(public_path.clone()))?;
        let old_kid = old["kid"].as_str().unwrap_or("").to_string();
        // A second rotation on one day still gets a kid (and a key file) of its own.
        let base = kid.clone();
        let taken = |k: &str| {
            k == old_kid
                || (opts.private_out.is_none()
                    && PathBuf::from("keys")
                        .join(format!("{k}.private.jwk"))
                        .exists())
        };
        let mut n = 2;
        while taken(&kid) {
            kid = format!("{base}-{n}");
            n += 1;
        }
        Some(old_kid)
    } else {
        None
    };
    let private_path = opts.private_out.clone().unwrap_or_else(|| {
        let name = if opts.rotate {
            &kid
        } else {
            &opts.municipality
        };
        PathBuf::from("keys").join(format!("{name}.private.jwk"))
    });
    for forbidden in [&opts.dist_dir, &opts.forms_dir] {
        if is_inside(&private_path, forbidden) {
            return Err(KeygenError::Unsafe(private_path, forbidden.clone()));
        }
    }
    let must_be_new: &[&PathBuf] = if opts.rotate {
        &[&private_path]
    } else {
        &[&public_path, &private_path]
    };
    for p in must_be_new {
        if p.exists() {
            return Err(KeygenError::Exists(p.to_path_buf()));
        }
    }
    let (public, private) = store::crypto::generate_key_pair(4096, &kid)?;

    // The private key first: a public key without its private key would lock data away.
    if let Some(parent) = private_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent).map_err(io(parent))?;
    }
    let text = serde_json::to_string_pretty(&private).expect("JWK serializes") + "\n";
    inbox::import::write_private(&private_path, text.as_bytes()).map_err(io(&private_path))?;
    let text = serde_json::to_string_pretty(&public).expect("JWK serializes") + "\n";
    std::fs::write(&public_path, text).map_err(io(&public_path))?;

    let current = std::fs::read_to_string(&yaml).map_err(io(&yaml))?;
    let has_key = current
        .lines()
        .any(|l| l.trim_start().starts_with("encryption-key:") && !l.starts_with(' '));
    if !has_key {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&yaml)
            .map_err(io(&yaml))?;
        let sep = if current.ends_with('\n') { "" } else { "\n" };
        writeln!(file, "{sep}encryption-key: {PUBLIC_KEY_FILE}").map_err(io(&yaml))?;
    }
    Ok(KeygenReport {
        public_key: public_path,
        private_key: private_path,
        yaml_updated: !has_key,
        kid,
        replaced_kid,
    })
}

/// Whether `path` is `dir` or below it (compared on absolute paths of existing ancestors).
fn is_inside(path: &Path, dir: &Path) -> bool {
    let absolute = |p: &Path| -> PathBuf {
        let joined = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        let mut p = PathBuf::new();
        for c in joined.components() {
            match c {
                std::path::Component::ParentDir => {
                    p.pop();
                }
                std::path::Component::CurDir => {}
                other => p.push(other),
            }
        }
        // Resolve the longest existing ancestor (symlinks, `..`) and keep the rest.
        let mut existing = p.as_path();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = parent;
                }
                _ => break,
            }
        }
        let mut resolved = existing
            .canonicalize()
            .unwrap_or_else(|_| existing.to_path_buf());
        for name in rest.iter().rev() {
            resolved.push(name);
        }
        resolved
    };
    absolute(path).starts_with(absolute(dir))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

// (No doc comment: the subcommand's help is the one on `Command::Keygen`.)
#[derive(clap::Args)]
pub struct Args {
    pub municipality: String,
    #[arg(long, default_value = "forms")]
    pub forms: PathBuf,
    /// Where to write the private key (default: keys/<municipality>.private.jwk).
    #[arg(long)]
    pub private_out: Option<PathBuf>,
    /// The build output, which must not receive the private key.
    #[arg(long, default_value = "dist")]
    pub out: PathBuf,
    /// Replace the municipality's key: a new key pair with a new kid; the old private key is
    /// kept (needed to read what was encrypted for it). Then build and deploy.
    #[arg(long)]
    pub rotate: bool,
}

/// Makes the key pair and says where it went.
pub fn run(args: Args) -> ExitCode {
    report(&KeygenOptions {
        forms_dir: args.forms,
        municipality: args.municipality,
        private_out: args.private_out,
        dist_dir: args.out,
        rotate: args.rotate,
    })
}

/// Makes the key pair for `opts` and prints where each key went, with the warning the private
/// key needs.
fn report(opts: &KeygenOptions) -> ExitCode {
    match keygen(opts) {
        Ok(r) => {
            println!("public key:  {} (kid {})", r.public_key.display(), r.kid);
            if r.yaml_updated {
                println!(
                    "municipality.yaml: added `encryption-key: {}`",
                    PUBLIC_KEY_FILE
                );
            }
            println!("private key: {} (mode 0600)", r.private_key.display());
            if let Some(old) = &r.replaced_kid {
                println!(
                    "rotated: replaces kid {old}. Keep the old private key next to the new one until every submission encrypted for it is imported (`inbox pull --key <folder of both>`), then build and deploy."
                );
            }
            eprintln!(
                "WARNING: the private key opens every submission of {}. Move it to the back office's \
                 key store now, keep a backup offline, never commit or publish it, and delete this copy. \
                 Without it, submissions encrypted for this key cannot be read by anyone.",
                opts.municipality
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("keygen failed: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_key_is_never_written_into_dist_or_forms() {
        let tmp = tempfile::tempdir().unwrap();
        let dist = tmp.path().join("dist");
        let forms = tmp.path().join("forms");
        assert!(is_inside(&dist.join("function/k.private.jwk"), &dist));
        assert!(is_inside(&tmp.path().join("x/../dist/k"), &dist));
        assert!(is_inside(&forms.join("municipalities/m/k"), &forms));
        assert!(!is_inside(&tmp.path().join("keys/k"), &dist));
        assert!(!is_inside(&tmp.path().join("dist-keys/k"), &dist));
    }
}
