//! Every word of the inbox that a clerk reads (column titles of the clerk's CSV, the header of
//! `inbox list`, the report): form-model's `back-office.yaml` — German (the back offices are
//! German authorities), and English for the report's `--language en`.

use form_model::messages::BACK_OFFICE;

/// The keys the inbox and `formfabrik inbox list` read (a test checks each exists).
pub const KEYS: &[&str] = &[
    "reference",
    "received-local",
    "received-utc",
    "received-day",
    "language",
    "fee",
    "payment-reference",
    "online-payment",
    "online-payment-paid",
    "online-payment-declined",
    "submission-id",
    "identity",
    "identity-verified",
    "identity-none",
    "trust-level",
    "trust-low",
    "trust-substantial",
    "trust-high",
    "identity-provider",
    "authenticated-local",
    "from-account",
    "from-registry",
    "code",
    "file-name",
    "form",
    "version",
    "state",
    "state-new",
    "state-imported",
    "report-subject",
    "report-title",
    "report-made",
    "report-since",
    "report-first",
    "report-new",
    "report-imported",
    "report-failed",
    "report-leased",
    "report-waiting",
    "report-oldest",
    "report-received",
    "report-none",
    "report-more",
    "report-empty",
    "report-footer",
    "booking-kassenzeichen",
    "booking-haushaltsstelle",
    "booking-produktkonto",
    "booking-amount",
    "booking-payment-date",
    "booking-payment-reference",
    "booking-transaction-id",
    "booking-payment-method",
    "booking-payer-name",
    "booking-purpose",
    "booking-description",
    "booking-fee",
    "booking-quantity",
    "booking-reference",
    "booking-form",
    "booking-received",
    "booking-submission-id",
    // The mandate export's columns (`bookings::MandateField`, read as `mandate-<name>`).
    "mandate-form",
    "mandate-reference",
    "mandate-submission-id",
    "mandate-mandate-reference",
    "mandate-signed-on",
    "mandate-creditor-id",
    "mandate-creditor-name",
    "mandate-debtor-name",
    "mandate-iban",
    "mandate-sequence-type",
];

/// The word `key` of `back-office.yaml`, in German.
pub fn word(key: &str) -> &'static str {
    BACK_OFFICE.text(key, "de")
}

/// The word `key` in `lang` (German when the file has no `lang` text).
pub fn word_in(key: &str, lang: &str) -> &'static str {
    BACK_OFFICE.text(key, lang)
}

#[cfg(test)]
mod tests {
    use super::{BACK_OFFICE, KEYS};

    #[test]
    fn the_inbox_reads_exactly_the_words_of_back_office_yaml() {
        let mut written: Vec<&str> = BACK_OFFICE.table().keys().map(String::as_str).collect();
        let mut read = KEYS.to_vec();
        written.sort_unstable();
        read.sort_unstable();
        assert_eq!(written, read);
    }
}
