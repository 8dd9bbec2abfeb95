//! Renders the receipt of every catalog form's example submissions in every language, for
//! `bench/receipt-instructions` (which runs this under valgrind and prints instructions per
//! receipt) and as the proof that a change to the renderer keeps the PDF bytes.
//!
//! - Round 0 renders the catalog's receipts as they are; with `BENCH_FINGERPRINTS=<file>` it
//!   writes `<form>@<version>/<sample> <SHA-256 of the PDF>` per receipt into the file (the
//!   sample's name ends with its language).
//! - Then `BENCH_N` more rounds (default 0) render the same receipts as new submissions
//!   would come: each round gives every receipt another reference (the footer, the overview
//!   and the payment reference show it) and another record checksum, as a new submission of
//!   the same answers has. Caches inside the renderer therefore see what the function sees:
//!   labels, hints and the receipt's own words again, references and checksums new.
//! - `BENCH_SETUP_ONLY=1` loads the catalog and maps the receipts but renders nothing (what a
//!   run costs before the first receipt).
//!
//! Prints the number of receipts per round, the rounds and the wall-clock time per receipt of
//! the extra rounds (noisy on a shared machine: compare instruction counts).

use std::time::Instant;

use efile_testkit::{LANGUAGES, catalog, samples};
use receipt::{Checksums, Receipt, authority, from_record, render};
use sha2::{Digest, Sha256, Sha512};

/// The characters of a reference's code (form-model's Crockford alphabet).
const CODE: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn env_number(name: &str) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}={v}: not a number"))
        })
        .unwrap_or(0)
}

/// The catalog's receipts with their names, in a fixed order.
fn receipts() -> Vec<(String, Receipt)> {
    let catalog = catalog();
    let m = &catalog.municipality;
    let mut out = Vec::new();
    for form in &catalog.forms {
        for lang in LANGUAGES {
            for sample in samples(form, lang) {
                let data = sample.data_sha512();
                let files = sample.attachments_sha512();
                let receipt = from_record(
                    &sample.record,
                    form,
                    authority(&m.name, &m.ags, &m.contact),
                    Checksums {
                        data_sha512: &data,
                        attachments_sha512: &files,
                    },
                    lang,
                )
                .unwrap_or_else(|e| panic!("{}: {e}", sample.name));
                let name = format!("{}@{}/{}", form.form.id, form.form.version, sample.name);
                out.push((name, receipt));
            }
        }
    }
    out
}

/// `receipt` as another submission of the same answers: a reference with another code and
/// another record checksum, both derived from `round` and `index` (deterministic).
fn resubmitted(receipt: &Receipt, round: usize, index: usize) -> Receipt {
    let mut r = receipt.clone();
    let seed = Sha512::digest(format!("{round}/{index}"));
    let code: String = seed[..6]
        .iter()
        .map(|b| CODE[usize::from(*b) % CODE.len()] as char)
        .collect();
    let prefix = r
        .reference
        .rsplit_once('-')
        .map_or(r.reference.as_str(), |(prefix, _)| prefix);
    let reference = format!("{prefix}-{code}");
    if let Some(fees) = &mut r.fees
        && fees.payment_reference.is_some()
    {
        fees.payment_reference = Some(reference.clone());
    }
    r.reference = reference;
    r.data_sha512 = hex::encode(seed);
    r
}

fn main() {
    let rounds = env_number("BENCH_N");
    let receipts = receipts();
    println!("receipts per round: {}", receipts.len());
    if env_number("BENCH_SETUP_ONLY") == 1 {
        return;
    }

    let mut fingerprints = String::new();
    for (name, receipt) in &receipts {
        let pdf = render(receipt).unwrap_or_else(|e| panic!("{name}: {e}"));
        fingerprints.push_str(&format!("{name} {}\n", hex::encode(Sha256::digest(&pdf))));
    }
    if let Ok(path) = std::env::var("BENCH_FINGERPRINTS") {
        std::fs::write(&path, &fingerprints).unwrap_or_else(|e| panic!("{path}: {e}"));
    }

    let next: Vec<Vec<Receipt>> = (1..=rounds)
        .map(|round| {
            receipts
                .iter()
                .enumerate()
                .map(|(index, (_, r))| resubmitted(r, round, index))
                .collect()
        })
        .collect();
    let start = Instant::now();
    let mut bytes = 0;
    for round in &next {
        for receipt in round {
            bytes += render(receipt).expect("renders").len();
        }
    }
    if rounds > 0 {
        let n = rounds * receipts.len();
        println!(
            "rounds: {rounds}; {:.2} ms per receipt (wall clock); {} bytes per receipt",
            start.elapsed().as_secs_f64() * 1e3 / n as f64,
            bytes / n
        );
    }
}
