//! The platform's transactions: created once per request id and tenant, finished once (paid,
//! cancelled or failed), optionally kept in a state file so that `serve` survives a restart.
//!
//! A request id the platform knows is answered with the existing transaction when the request
//! is the same, and refused (PAYMENT_EXISTS) when it is not: a retry never creates a second
//! payment, and a different payment under a reused id never passes as the first.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use xbezahl::{PaymentInformation, PaymentMethod, PaymentRequest, PaymentStatus};

/// One transaction as the platform keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub originator_id: String,
    pub endpoint_id: String,
    pub request: PaymentRequest,
    /// Without the URLs, which depend on where the platform listens.
    pub information: PaymentInformation,
}

/// How the payer finished on the pay page.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pay(PaymentMethod),
    Cancel,
    Fail,
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("request id {request_id} was used for a different payment request")]
    Exists { request_id: String },
    #[error("the transaction is {0} already")]
    Final(PaymentStatus),
    #[error("no transaction {0}")]
    Unknown(String),
    #[error("the state file {path} cannot be {doing}: {message}")]
    File {
        path: PathBuf,
        doing: &'static str,
        message: String,
    },
}

#[derive(Serialize, Deserialize)]
struct StateFile {
    version: u32,
    transactions: Vec<(String, Record)>,
}

const STATE_VERSION: u32 = 1;

/// All transactions, by id, with an index by tenant and request id.
#[derive(Debug, Default)]
pub struct Ledger {
    records: BTreeMap<String, Record>,
    by_request: HashMap<(String, String, String), String>,
    file: Option<PathBuf>,
}

impl Ledger {
    /// An empty ledger, or the one in `file` when it exists.
    pub fn open(file: Option<&Path>) -> Result<Self, LedgerError> {
        let mut ledger = Self {
            file: file.map(Path::to_path_buf),
            ..Self::default()
        };
        let Some(path) = file else {
            return Ok(ledger);
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ledger),
            Err(e) => return Err(file_error(path, "read", e.to_string())),
        };
        let state: StateFile =
            serde_json::from_str(&text).map_err(|e| file_error(path, "read", e.to_string()))?;
        if state.version != STATE_VERSION {
            return Err(file_error(
                path,
                "read",
                format!(
                    "it has version {}, this platform writes {STATE_VERSION}",
                    state.version
                ),
            ));
        }
        for (id, record) in state.transactions {
            ledger.by_request.insert(key(&record), id.clone());
            ledger.records.insert(id, record);
        }
        Ok(ledger)
    }

    /// Creates a transaction, or returns the one this request created before. The flag says
    /// whether it is new.
    pub fn create(
        &mut self,
        originator_id: &str,
        endpoint_id: &str,
        request: PaymentRequest,
    ) -> Result<(String, Record, bool), LedgerError> {
        let k = (
            originator_id.to_owned(),
            endpoint_id.to_owned(),
            request.request_id.clone(),
        );
        if let Some(id) = self.by_request.get(&k) {
            let existing = &self.records[id];
            if existing.request != request {
                return Err(LedgerError::Exists {
                    request_id: request.request_id,
                });
            }
            return Ok((id.clone(), existing.clone(), false));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let record = Record {
            originator_id: originator_id.to_owned(),
            endpoint_id: endpoint_id.to_owned(),
            request,
            information: PaymentInformation {
                transaction_url: None,
                transaction_redirect_url: None,
                transaction_id: id.clone(),
                // Assigned when the payer pays, as platforms that issue the Kassenzeichen
                // only then do.
                transaction_reference: None,
                transaction_timestamp: None,
                payment_method: None,
                payment_method_detail: None,
                status: PaymentStatus::Initial,
                status_detail: None,
            },
        };
        self.records.insert(id.clone(), record.clone());
        self.by_request.insert(k, id.clone());
        if let Err(e) = self.save() {
            self.records.remove(&id);
            self.by_request.remove(&key(&record));
            return Err(e);
        }
        Ok((id, record, true))
    }

    pub fn get(&self, transaction_id: &str) -> Option<&Record> {
        self.records.get(transaction_id)
    }

    /// Ends a transaction that is still INITIAL.
    pub fn finish(
        &mut self,
        transaction_id: &str,
        outcome: Outcome,
    ) -> Result<Record, LedgerError> {
        let record = self
            .records
            .get_mut(transaction_id)
            .ok_or_else(|| LedgerError::Unknown(transaction_id.to_owned()))?;
        if record.information.status != PaymentStatus::Initial {
            return Err(LedgerError::Final(record.information.status.clone()));
        }
        let before = record.clone();
        let info = &mut record.information;
        match outcome {
            Outcome::Pay(method) => {
                info.status = PaymentStatus::Payed;
                info.payment_method = Some(method);
                info.transaction_timestamp = Some(
                    OffsetDateTime::now_utc()
                        .format(&Rfc3339)
                        .expect("the current time formats as RFC 3339"),
                );
                info.transaction_reference = Some(reference(transaction_id));
            }
            Outcome::Cancel => {
                info.status = PaymentStatus::Canceled;
                info.status_detail = Some("Cancelled by the payer on the pay page".into());
            }
            Outcome::Fail => {
                info.status = PaymentStatus::Failed;
                info.status_detail = Some("Refused by the payment provider".into());
            }
        }
        let after = record.clone();
        if let Err(e) = self.save() {
            self.records.insert(transaction_id.to_owned(), before);
            return Err(e);
        }
        Ok(after)
    }

    /// Writes the whole state next to the file and moves it into place, so that a crash never
    /// leaves half a file.
    fn save(&self) -> Result<(), LedgerError> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        let state = StateFile {
            version: STATE_VERSION,
            transactions: self
                .records
                .iter()
                .map(|(id, r)| (id.clone(), r.clone()))
                .collect(),
        };
        let json = serde_json::to_vec_pretty(&state).expect("the state serialises");
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, json)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| file_error(path, "written", e.to_string()))
    }
}

fn key(r: &Record) -> (String, String, String) {
    (
        r.originator_id.clone(),
        r.endpoint_id.clone(),
        r.request.request_id.clone(),
    )
}

fn file_error(path: &Path, doing: &'static str, message: String) -> LedgerError {
    LedgerError::File {
        path: path.to_path_buf(),
        doing,
        message,
    }
}

/// A Kassenzeichen-like payment reference (≤ 36, `[\w\d-]+`), derived from the transaction.
fn reference(transaction_id: &str) -> String {
    let digits: String = transaction_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    format!("KZ-{}", digits.to_ascii_uppercase())
}
