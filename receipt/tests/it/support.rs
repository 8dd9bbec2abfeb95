//! Rendering the samples, and the command-line PDF tools the tests judge with (installed by
//! `scripts/test`: Debian's qpdf and poppler-utils).

use std::path::Path;
use std::process::Command;

use efile_testkit::{Catalog, Sample};
use form_model::resolve::ResolvedForm;
use receipt::{Checksums, Receipt, authority, from_record};

/// The receipt of `sample` in `lang`.
pub fn receipt_of(catalog: &Catalog, form: &ResolvedForm, sample: &Sample, lang: &str) -> Receipt {
    let m = &catalog.municipality;
    let data = sample.data_sha512();
    let files = sample.attachments_sha512();
    from_record(
        &sample.record,
        form,
        authority(&m.name, &m.ags, &m.contact),
        Checksums {
            data_sha512: &data,
            attachments_sha512: &files,
        },
        lang,
    )
    .unwrap_or_else(|e| panic!("{}: {e}", sample.name))
}

fn tool(name: &str, args: &[&str]) -> std::process::Output {
    Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {name} ({e}); scripts/test installs it (Debian package qpdf / poppler-utils)")
    })
}

/// `qpdf --check`: Ok, or what qpdf says.
pub fn qpdf_check(pdf: &Path) -> Result<(), String> {
    let out = tool("qpdf", &["--check", &pdf.to_string_lossy()]);
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The text poppler's `pdftotext` extracts.
pub fn pdftotext(pdf: &Path) -> String {
    let out = tool("pdftotext", &["-enc", "UTF-8", &pdf.to_string_lossy(), "-"]);
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
}

/// Text without white space and without the directional marks pdftotext puts around
/// right-to-left and embedded left-to-right runs, so that a phrase is found wherever the PDF
/// wrapped it.
pub fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .filter(|c| !matches!(*c as u32, 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069))
        .collect()
}
