//! `inbox export --bookings` (issue 12): the fees paid online of pulled submissions as a booking
//! file, one row per fee with the booking keys the function sent to the platform; the shipped
//! profile read as German Excel reads it, another profile (a file) with other columns,
//! delimiter, decimal point, date format and Windows-1252.

use std::sync::Arc;

use inbox::Inbox;
use inbox::bookings::{Profile, read_all_pulled, to_booking_file};
use inbox::since::{ExportLog, Since, bookings_log_path, mandates_log_path, select};
use serde_json::{Value, json};
use store::payment::{Awaiting, release};
use store::protocol::{self, Submission};
use store::{FolderStore, Store};
use submit_fn::payment::attempt::{self, Attempt};
use submit_fn::payment::flow::payment_object;
use time::Duration;
use uuid::Uuid;

use crate::clerk::{open_like_german_excel, pull_all, read_csv};
use crate::common::*;

const M: &str = "musterstadt";

/// A paid submission: its reference, its id, the payment object the back office got.
struct Paid {
    reference: String,
    id: Uuid,
    payment: Value,
}

/// Stores the first valid example of Musterstadt's `form` as the function does for a form
/// that requires payment, and releases it as paid (or, with `status` other than `PAYED`,
/// hands it on with that status, as a payment object the back office must not book).
async fn store_paid(store: &dyn Store, form: &str, status: &str, n: i64) -> Paid {
    store_paid_with(store, form, status, n, None).await
}

/// [`store_paid`] with the booking keys named `keys` in `bookingData` (`payment.booking.keys`).
async fn store_paid_with(
    store: &dyn Store,
    form: &str,
    status: &str,
    n: i64,
    keys: Option<form_model::model::BookingKeys>,
) -> Paid {
    let registry = registry(false);
    let resolved = registry.form(M, form).unwrap();
    let municipality = registry.municipality(M).unwrap();
    let mut example = examples(M, form, resolved.form.version).remove(0);
    let clean =
        inbox::contract::adapt(resolved, &mut example, submit_fn::clock::german_date(NOW)).unwrap();
    let id = Uuid::new_v4();
    let amount = form_model::fees::amount_due(&resolved.form, &clean, NOW.date());
    let when = NOW + Duration::minutes(n);
    let stored = protocol::write(
        store,
        Submission {
            form: resolved,
            id,
            language: "de",
            data: clean,
            uploads: Vec::new(),
            encryption: None,
            amount_due: Some(amount.clone()),
            awaiting_payment: true,
            payment_declined: false,
            identity: None,
            store_refuses_overwrite: store.honours_create_only() == Some(true),
        },
        when,
    )
    .await
    .unwrap();
    let mut booking = municipality.payment.as_ref().unwrap().booking.clone();
    if let (Some(b), Some(keys)) = (booking.as_mut(), keys) {
        b.keys = keys;
    }
    let booking = booking.as_ref();
    let request = attempt::payment_request(
        resolved,
        booking,
        &stored.reference,
        stored.received_at,
        &amount,
        "de",
        "https://api.musterstadt.example/v1/back".into(),
        attempt::request_id(id, 1),
    )
    .unwrap();
    let dir = store::layout::submission_path(resolved, stored.received_at, id);
    let attempt = Attempt {
        format: attempt::ATTEMPT_FORMAT.into(),
        n: 1,
        municipality: M.into(),
        form: form.into(),
        version: resolved.form.version,
        id,
        reference: stored.reference.clone(),
        dir: dir.clone(),
        language: "de".into(),
        encrypted: false,
        received_at: stored.received_at,
        created_at: when,
        request,
        transaction_id: format!("tx-{n}"),
        pay_url: None,
        booking_keys: booking.map(|b| b.keys.renamed()).unwrap_or_default(),
        attachments_sha512: Vec::new(),
    };
    let info = serde_json::from_value(json!({
        "transactionId": format!("936c4cce-4e80-4472-9771-8e20b637600{n}"),
        "status": status,
        "transactionReference": format!("KZ-{n}"),
        // 23:30 UTC on the 28th is the 29th in Germany.
        "transactionTimestamp": "2026-11-28T23:30:00Z",
        "paymentMethod": "GIROPAY",
    }))
    .unwrap();
    let payment = payment_object(&attempt, &info);
    release(
        store,
        Awaiting {
            municipality: M,
            id,
            dir: &dir,
            encryption: None,
        },
        &payment,
    )
    .await
    .unwrap();
    Paid {
        reference: stored.reference,
        id,
        payment,
    }
}

fn german_amount(cell: &str) -> f64 {
    cell.replace(',', ".").parse().unwrap()
}

#[tokio::test]
async fn the_booking_file_lists_each_fee_paid_with_its_booking_keys_as_the_profile_says() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let weapons = store_paid(store.as_ref(), "waffenbesitzkarte", "PAYED", 1).await;
    let licence = store_paid(store.as_ref(), "fahrerlaubnis-ersterteilung", "PAYED", 2).await;
    let cancelled = store_paid(store.as_ref(), "waffenbesitzkarte", "CANCELED", 3).await;
    // A form with a fee charged by notice: pulled, not paid online, not booked.
    store_all(store.as_ref(), false).await;
    let out = tempfile::tempdir().unwrap();
    let inbox = Inbox::new(store, None, inbox::Schemas::from_registry(&registry(false)));
    pull_all(&inbox, M, out.path(), NOW + Duration::hours(1)).await;

    let rows = read_all_pulled(out.path(), M, None, None).unwrap();
    assert!(
        rows.iter().any(|r| r.payment.is_none()),
        "unpaid ones are read too"
    );
    let paid: Vec<_> = rows.iter().filter(|r| r.payment.is_some()).collect();
    assert_eq!(paid.len(), 3);
    // The pulled folder holds the payment object as the function wrote it.
    let pulled_weapons = paid.iter().find(|r| r.record.id == weapons.id).unwrap();
    assert_eq!(pulled_weapons.payment.as_ref(), Some(&weapons.payment));

    let profile = Profile::load("kommunal").unwrap();
    let registry = registry(false);
    let (bytes, n) = to_booking_file(&profile, &rows, Some(&registry)).unwrap();
    let items = |p: &Paid| p.payment["items"].as_array().unwrap().len();
    // The weapons permit's example pays the permit and an entry; the licence one fee.
    assert_eq!(items(&weapons), 2);
    assert_eq!(
        n,
        items(&weapons) + items(&licence),
        "a row per fee; the cancelled payment is not booked"
    );
    let table = open_like_german_excel(&bytes);
    let header = &table[0];
    assert_eq!(
        header[..5],
        [
            "Kassenzeichen",
            "Haushaltsstelle",
            "Produktkonto",
            "Betrag (EUR)",
            "Zahlungsdatum"
        ]
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row_of = |reference: &str, fee: &str| {
        table
            .iter()
            .find(|r| r[col("Aktenzeichen")] == reference && r[col("Gebühren-ID")] == fee)
            .unwrap_or_else(|| panic!("{reference} {fee} not in {table:#?}"))
    };
    assert!(
        table
            .iter()
            .all(|r| r[col("Aktenzeichen")] != cancelled.reference)
    );
    // Musterstadt's `payment.booking`: the weapons permit has its own accounts, the driving
    // licence its own Produktkonto and the default Haushaltsstelle.
    let w = row_of(&weapons.reference, "gebuehr");
    assert_eq!(
        w[col("Kassenzeichen")],
        format!("5.0531.{}", weapons.reference)
    );
    assert_eq!(w[col("Haushaltsstelle")], "1.1100.1100");
    assert_eq!(w[col("Produktkonto")], "12.2.04.431100");
    assert_eq!(w[col("Betrag (EUR)")], "75,00");
    assert_eq!(w[col("Zahlungsdatum")], "29.11.2026");
    assert_eq!(w[col("Zahlungsreferenz")], "KZ-1");
    assert_eq!(
        w[col("Transaktions-ID")],
        "936c4cce-4e80-4472-9771-8e20b6376001"
    );
    assert_eq!(w[col("Zahlungsart")], "GIROPAY");
    assert_eq!(w[col("Verwendungszweck")], weapons.payment["purpose"]);
    assert_eq!(w[col("Gebühren-ID")], "gebuehr");
    assert_eq!(w[col("Menge")], "1");
    assert_eq!(w[col("Formular")], "waffenbesitzkarte");
    assert_eq!(w[col("Vorgangs-ID")], weapons.id.to_string());
    assert!(
        w[col("Buchungstext")].contains("Waffenbesitzkarte"),
        "{w:?}"
    );
    let e = row_of(&weapons.reference, "eintragung");
    assert_eq!(e[col("Kassenzeichen")], w[col("Kassenzeichen")]);
    assert_eq!(e[col("Produktkonto")], "12.2.04.431100");
    assert_eq!(
        german_amount(&e[col("Betrag (EUR)")]) + german_amount(&w[col("Betrag (EUR)")]),
        weapons.payment["paymentInformation"]["grossAmount"]
            .as_f64()
            .unwrap(),
        "the fees' rows add up to the amount paid"
    );
    let l = row_of(&licence.reference, "gebuehr");
    assert_eq!(l[col("Haushaltsstelle")], "1.0600.1100");
    assert_eq!(l[col("Produktkonto")], "12.2.03.431100");
    assert_eq!(l[col("Betrag (EUR)")], "43,40");

    // Another finance system: a profile file with its own titles, `,` and `.`, ISO dates,
    // Windows-1252, no byte order mark.
    let file = out.path().join("fibu.yaml");
    std::fs::write(
        &file,
        "delimiter: \",\"\ndecimal-separator: \".\"\nencoding: windows-1252\ndate-format: yyyy-mm-dd\ncolumns:\n  - { field: kassenzeichen, title: KASSENZEICHEN }\n  - { field: amount, title: BETRAG }\n  - { field: payment-date, title: VALUTA }\n  - { field: description, title: Buchungstext Gebühr }\n",
    )
    .unwrap();
    let fibu = Profile::load(file.to_str().unwrap()).unwrap();
    let (bytes, _) = to_booking_file(&fibu, &rows, None).unwrap();
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(
        bytes.windows(2).any(|w| w == [b'b', 0xFC]),
        "ü is one byte in Windows-1252"
    );
    let text: String = bytes.iter().map(|b| char::from(*b)).collect();
    let table = read_csv(&text, ',');
    assert_eq!(table[0][..3], ["KASSENZEICHEN", "BETRAG", "VALUTA"]);
    let w = table
        .iter()
        .find(|r| r[0] == format!("5.0531.{}", weapons.reference) && r[1] == "75.00")
        .unwrap();
    assert_eq!(w[2], "2026-11-29");
    assert_eq!(table.len(), 1 + n);
}

/// `inbox export --bookings --since last`: each paid fee is in exactly one export of a profile,
/// remembered per municipality and profile; another profile (another finance system) has its
/// own memory. A payment whose platform knows the booking keys by other names
/// (`payment.booking.keys`) is booked by the same columns.
#[tokio::test]
async fn bookings_since_last_hold_each_fee_once_per_profile_whatever_the_platform_calls_the_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let first = store_paid(store.as_ref(), "waffenbesitzkarte", "PAYED", 1).await;
    let out = tempfile::tempdir().unwrap();
    let inbox = Inbox::new(
        store.clone(),
        None,
        inbox::Schemas::from_registry(&registry(false)),
    );
    pull_all(&inbox, M, out.path(), NOW + Duration::hours(1)).await;
    let profile = Profile::load("kommunal").unwrap();
    let kommunal = bookings_log_path(out.path(), M, "kommunal");
    assert_eq!(kommunal, out.path().join(M).join(".bookings-kommunal.json"));
    // The mandate export (`--bookings --mandates --since last`) remembers apart from the fees:
    // a night's fee export does not hide a submission's mandate from the mandate export.
    assert_eq!(
        mandates_log_path(out.path(), M, "kommunal"),
        out.path().join(M).join(".mandates-kommunal.json")
    );
    // One run as `inbox export --bookings --since last` does it.
    let export = |log_file: &std::path::Path, profile: &Profile, now| {
        let rows = read_all_pulled(out.path(), M, None, None).unwrap();
        let mut log = ExportLog::read(log_file).unwrap();
        let rows = select(rows, Some(&Since::Last), &log);
        let (bytes, n) = to_booking_file(profile, &rows, None).unwrap();
        log.record(log_file, &rows, now).unwrap();
        (open_like_german_excel(&bytes), n)
    };
    let references = |table: &Vec<Vec<String>>| {
        let col = table[0].iter().position(|h| h == "Aktenzeichen").unwrap();
        let mut r: Vec<String> = table[1..].iter().map(|row| row[col].clone()).collect();
        r.dedup();
        r
    };
    let (night1, n1) = export(&kommunal, &profile, NOW + Duration::hours(2));
    assert_eq!(n1, 2, "the permit and the entry");
    assert_eq!(references(&night1), [first.reference.as_str()]);

    // The next night: only the new payment, its keys named KZ and HHST on the platform.
    let renamed = form_model::model::BookingKeys {
        kassenzeichen: Some("KZ".into()),
        haushaltsstelle: Some("HHST".into()),
        produktkonto: None,
    };
    let second = store_paid_with(
        store.as_ref(),
        "waffenbesitzkarte",
        "PAYED",
        2,
        Some(renamed),
    )
    .await;
    assert_eq!(
        second.payment["bookingKeys"],
        json!({ "kassenzeichen": "KZ", "haushaltsstelle": "HHST" })
    );
    assert!(second.payment["items"][0]["bookingData"]["KZ"].is_string());
    pull_all(&inbox, M, out.path(), NOW + Duration::days(1)).await;
    let (night2, n2) = export(&kommunal, &profile, NOW + Duration::days(1));
    assert_eq!(n2, 2);
    assert_eq!(references(&night2), [second.reference.as_str()]);
    let header = &night2[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(
        night2[1][col("Kassenzeichen")],
        format!("5.0531.{}", second.reference)
    );
    assert_eq!(night2[1][col("Haushaltsstelle")], "1.1100.1100");
    assert_eq!(night2[1][col("Produktkonto")], "12.2.04.431100");
    // Nothing new: an empty file (the header only).
    let (night3, n3) = export(&kommunal, &profile, NOW + Duration::days(2));
    assert_eq!((n3, night3.len()), (0, 1));

    // Another profile remembers on its own: its first run holds both.
    let file = out.path().join("fibu.yaml");
    std::fs::write(
        &file,
        "delimiter: \";\"\ndecimal-separator: \",\"\ncolumns:\n  - field: reference\n  - field: kassenzeichen\n",
    )
    .unwrap();
    let fibu_log = bookings_log_path(out.path(), M, file.to_str().unwrap());
    assert_eq!(fibu_log, out.path().join(M).join(".bookings-fibu.json"));
    let fibu = Profile::load(file.to_str().unwrap()).unwrap();
    let (all, n) = export(&fibu_log, &fibu, NOW + Duration::days(2));
    assert_eq!(n, 4);
    assert_eq!(all.len(), 5);
    let (again, n) = export(&fibu_log, &fibu, NOW + Duration::days(3));
    assert_eq!((n, again.len()), (0, 1));
}

#[test]
fn a_submission_sent_without_paying_online_is_not_booked() {
    // The payment object of a submission of a form whose payment is optional, sent without
    // paying after a cancelled payment (docs/payment.md): nothing was paid, nothing is booked.
    let registry = registry(false);
    let form = registry.form(M, "meldebescheinigung").unwrap();
    let declined = inbox::clerk::Delivered {
        record: form_model::record::SubmissionRecord::new(
            form,
            uuid::Uuid::from_bytes([7; 16]),
            NOW,
            "de",
            serde_json::Map::new(),
            Vec::new(),
        ),
        metadata: None,
        payment: Some(serde_json::json!({
            "format": "formfabrik.payment/1", "status": "DECLINED", "requestId": "x",
            "purpose": "MUS-2026-X", "currency": "EUR", "grossAmount": 10.0,
        })),
    };
    let profile = Profile::load("kommunal").unwrap();
    let (_, n) = to_booking_file(&profile, &[declined], Some(&registry)).unwrap();
    assert_eq!(n, 0);
}
