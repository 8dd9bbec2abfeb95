//! Answers: which format a client gets (JSON for scripts, HTML and redirects for browsers), in
//! which language, the answers that are not validation results (400, 403, 404, 405, 409, 413,
//! 415, 503) with their stable codes and messages, and the headers every answer carries
//! (CORS for the municipality's site, no caching, a strict Content-Security-Policy).

use bytes::Bytes;
use form_model::registry::RegistryMunicipality;
use http::{HeaderValue, Response, StatusCode, header};
use serde_json::{Value, json};

use crate::route::Endpoint;

/// The answer format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
}

/// The `q` the `Accept` header gives `media` (`type/subtype`); the most specific matching entry
/// counts. No header means `*/*`.
pub fn quality(accept: Option<&str>, media: &str) -> f32 {
    let Some(accept) = accept else {
        return 1.0;
    };
    let (major, _) = media.split_once('/').unwrap_or((media, ""));
    let mut best: Option<(u8, f32)> = None;
    for entry in accept.split(',') {
        let mut parts = entry.split(';');
        let range = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let specificity = if range == media {
            2
        } else if range.strip_suffix("/*") == Some(major) {
            1
        } else if range == "*/*" {
            0
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// JSON or HTML. A browser form post gets HTML (and redirects) unless the request prefers JSON
/// (a script sending `FormData` with `Accept: application/json`); a JSON body gets JSON; any
/// other request gets HTML only when it prefers HTML (a browser opening the URL).
pub fn negotiate(form_post: Option<bool>, accept: Option<&str>) -> Format {
    let json = quality(accept, "application/json");
    let html = quality(accept, "text/html");
    match form_post {
        Some(false) => Format::Json,
        Some(true) if json > html => Format::Json,
        Some(true) => Format::Html,
        None if html > json => Format::Html,
        None => Format::Json,
    }
}

/// Languages the function has messages in.
pub const MESSAGE_LANGUAGES: [&str; 3] = ["de", "en", "ar"];

/// The language for an answer before the body says which: the first of `Accept-Language` that
/// the municipality offers, else its first language, else German.
pub fn pick_language(accept_language: Option<&str>, offered: &[String]) -> String {
    let offered: Vec<&str> = if offered.is_empty() {
        MESSAGE_LANGUAGES.to_vec()
    } else {
        offered.iter().map(String::as_str).collect()
    };
    let mut ranked: Vec<(f32, String)> = accept_language
        .unwrap_or("")
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim().to_ascii_lowercase();
            let primary = tag.split('-').next()?.to_string();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((q, primary))
        })
        .filter(|(q, _)| *q > 0.0)
        .collect();
    // Stable: equal q keeps the header's order.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked
        .into_iter()
        .map(|(_, l)| l)
        .find(|l| offered.contains(&l.as_str()))
        .unwrap_or_else(|| offered.first().copied().unwrap_or("de").to_string())
}

/// An answer that is neither a stored submission nor a list of field errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoSuchEndpoint,
    UnknownMunicipality(String),
    UnknownForm {
        municipality: String,
        form: String,
    },
    /// A method the endpoint does not take.
    MethodNotAllowed(Endpoint),
    UnsupportedMediaType,
    UnsupportedCharset,
    PayloadTooLarge {
        limit: usize,
    },
    MalformedJson {
        line: usize,
        column: usize,
    },
    InvalidBody(String),
    NotUtf8,
    MalformedMultipart(String),
    FilesNeedMultipart {
        label: String,
    },
    InvalidFileName {
        label: String,
    },
    InvalidId,
    /// The confirmation page's `ref` is missing or is not a reference of this municipality;
    /// `example` is one in the right shape, `municipality` the name of whom to ask.
    InvalidReference {
        example: String,
        municipality: String,
    },
    OriginNotAllowed,
    IdConflict,
    StoreUnavailable,
    /// A JSON object with a key twice, or a form post with `_id`/`_lang` twice.
    DuplicateKey {
        name: String,
        position: Option<(usize, usize)>,
    },
    /// More names or values than the form's page can send.
    TooManyFields {
        limit: usize,
    },
    /// The body ended before it was complete (broken chunked encoding, a connection that
    /// went away).
    IncompleteBody,
    /// The body did not arrive in time (local server only; on Lambda, API Gateway's limit).
    RequestTimeout {
        seconds: u64,
    },
    /// The local server holds as many request bodies as its memory budget allows.
    Busy,
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        use Refusal as R;
        match self {
            R::NoSuchEndpoint | R::UnknownMunicipality(_) | R::UnknownForm { .. } => {
                StatusCode::NOT_FOUND
            }
            R::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            R::UnsupportedMediaType | R::UnsupportedCharset => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            R::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            R::MalformedJson { .. }
            | R::InvalidBody(_)
            | R::NotUtf8
            | R::MalformedMultipart(_)
            | R::FilesNeedMultipart { .. }
            | R::InvalidFileName { .. }
            | R::InvalidId
            | R::InvalidReference { .. }
            | R::DuplicateKey { .. }
            | R::TooManyFields { .. }
            | R::IncompleteBody => StatusCode::BAD_REQUEST,
            R::OriginNotAllowed => StatusCode::FORBIDDEN,
            R::IdConflict => StatusCode::CONFLICT,
            R::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            R::StoreUnavailable | R::Busy => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// Stable code (part of the API, listed in docs/submission-api.md).
    pub fn code(&self) -> &'static str {
        use Refusal as R;
        match self {
            R::NoSuchEndpoint => "not-found",
            R::UnknownMunicipality(_) => "unknown-municipality",
            R::UnknownForm { .. } => "unknown-form",
            R::MethodNotAllowed(_) => "method-not-allowed",
            R::UnsupportedMediaType => "unsupported-media-type",
            R::UnsupportedCharset => "unsupported-charset",
            R::PayloadTooLarge { .. } => "payload-too-large",
            R::MalformedJson { .. } => "malformed-json",
            R::InvalidBody(_) => "invalid-body",
            R::NotUtf8 => "not-utf8",
            R::MalformedMultipart(_) => "malformed-multipart",
            R::FilesNeedMultipart { .. } => "files-need-multipart",
            R::InvalidFileName { .. } => "invalid-file-name",
            R::InvalidId => "invalid-id",
            R::InvalidReference { .. } => "invalid-reference",
            R::OriginNotAllowed => "origin-not-allowed",
            R::IdConflict => "id-conflict",
            R::StoreUnavailable => "store-unavailable",
            R::DuplicateKey { .. } => "duplicate-key",
            R::TooManyFields { .. } => "too-many-fields",
            R::IncompleteBody => "incomplete-body",
            R::RequestTimeout { .. } => "request-timeout",
            R::Busy => "busy",
        }
    }

    /// The heading of the HTML page.
    pub fn title(&self, lang: &str) -> &'static str {
        let t = |de, en, ar| pick(lang, de, en, ar);
        // The confirmation page's refusals are about an address, not about a submission.
        match self {
            Refusal::InvalidReference { .. } => {
                return t(
                    "Vorgangsnummer nicht erkannt",
                    "Reference number not recognised",
                    "لم يتم التعرّف على رقم المعاملة",
                );
            }
            Refusal::MethodNotAllowed(Endpoint::Confirmation) => {
                return t(
                    "Diese Seite kann nur aufgerufen werden",
                    "This page can only be opened",
                    "يمكن فتح هذه الصفحة فقط",
                );
            }
            _ => {}
        }
        match self.status() {
            StatusCode::NOT_FOUND => t(
                "Seite nicht gefunden",
                "Page not found",
                "الصفحة غير موجودة",
            ),
            StatusCode::SERVICE_UNAVAILABLE => t(
                "Vorübergehend nicht möglich",
                "Temporarily unavailable",
                "غير متاح مؤقتًا",
            ),
            _ => t(
                "Die Sendung konnte nicht angenommen werden",
                "Your submission could not be accepted",
                "تعذّر قبول الإرسال",
            ),
        }
    }

    /// What happened and what to do, in `lang` (German when there are no messages in it).
    pub fn message(&self, lang: &str) -> String {
        use Refusal as R;
        let t = |de: String, en: String, ar: String| match lang {
            "en" => en,
            "ar" => ar,
            _ => de,
        };
        match self {
            R::NoSuchEndpoint => t(
                "Diese Adresse gibt es nicht. Formulare werden an /v1/<Gemeinde>/<Formular> gesendet.".into(),
                "There is nothing at this address. Forms are sent to /v1/<municipality>/<form>.".into(),
                "لا يوجد شيء على هذا العنوان. تُرسَل النماذج إلى ‎/v1/<البلدية>/<النموذج>.".into(),
            ),
            R::UnknownMunicipality(m) => t(
                format!("Die Gemeinde „{m}“ ist hier nicht bekannt."),
                format!("The municipality “{m}” is not known here."),
                format!("البلدية «{m}» غير معروفة هنا."),
            ),
            R::UnknownForm { municipality, form } => t(
                format!("{municipality} bietet das Formular „{form}“ nicht an."),
                format!("{municipality} does not offer the form “{form}”."),
                format!("لا تقدّم {municipality} النموذج «{form}»."),
            ),
            R::MethodNotAllowed(Endpoint::Submit) => t(
                "Formulare werden mit POST gesendet. Diese Adresse nimmt nur POST (und OPTIONS) an.".into(),
                "Forms are sent with POST. This address accepts only POST (and OPTIONS).".into(),
                "تُرسَل النماذج باستخدام POST. يقبل هذا العنوان POST (و OPTIONS) فقط.".into(),
            ),
            R::MethodNotAllowed(Endpoint::Confirmation) => t(
                "Die Bestätigungsseite wird nur aufgerufen (GET); sie nimmt keine Formulare an.".into(),
                "The confirmation page is only opened (GET); it does not accept forms.".into(),
                "تُفتح صفحة التأكيد فقط (GET)، ولا تقبل النماذج.".into(),
            ),
            R::UnsupportedMediaType => t(
                "Dieser Inhaltstyp wird nicht angenommen. Senden Sie application/x-www-form-urlencoded, multipart/form-data oder application/json.".into(),
                "This content type is not accepted. Send application/x-www-form-urlencoded, multipart/form-data or application/json.".into(),
                "نوع المحتوى هذا غير مقبول. أرسل application/x-www-form-urlencoded أو multipart/form-data أو application/json.".into(),
            ),
            R::UnsupportedCharset => t(
                "Nur UTF-8 wird angenommen. Senden Sie ohne charset-Angabe oder mit charset=utf-8.".into(),
                "Only UTF-8 is accepted. Send without a charset parameter or with charset=utf-8.".into(),
                "لا يُقبل إلا ترميز UTF-8. أرسل دون معامل charset أو مع charset=utf-8.".into(),
            ),
            R::PayloadTooLarge { limit } => {
                let mb = format_mb(*limit);
                t(
                    format!("Die Sendung ist zu groß: höchstens {mb} MB sind möglich. Bitte verkleinern Sie angehängte Dateien und senden Sie erneut."),
                    format!("The submission is too large: at most {mb} MB is possible. Please make attached files smaller and send again."),
                    format!("الإرسال كبير جدًا: الحد الأقصى {mb} ميغابايت. يرجى تصغير الملفات المرفقة والإرسال مرة أخرى."),
                )
            }
            R::MalformedJson { line, column } => t(
                format!("Der Inhalt ist kein gültiges JSON (Zeile {line}, Spalte {column})."),
                format!("The body is not valid JSON (line {line}, column {column})."),
                format!("المحتوى ليس JSON صالحًا (السطر {line}، العمود {column})."),
            ),
            R::InvalidBody(detail) => t(
                format!("Der Inhalt hat nicht die erwartete Form {{\"id\", \"language\", \"data\"}}: {detail}."),
                format!("The body does not have the expected shape {{\"id\", \"language\", \"data\"}}: {detail}."),
                format!("المحتوى ليس بالشكل المتوقع {{\"id\", \"language\", \"data\"}}: {detail}."),
            ),
            R::NotUtf8 => t(
                "Der Inhalt ist kein gültiges UTF-8. Bitte senden Sie das Formular in UTF-8.".into(),
                "The body is not valid UTF-8. Please send the form in UTF-8.".into(),
                "المحتوى ليس بترميز UTF-8 صالح. يرجى إرسال النموذج بترميز UTF-8.".into(),
            ),
            R::MalformedMultipart(detail) => t(
                format!("Der Inhalt (multipart/form-data) konnte nicht gelesen werden: {detail}. Bitte senden Sie das Formular erneut."),
                format!("The multipart/form-data body could not be read: {detail}. Please send the form again."),
                format!("تعذّرت قراءة المحتوى (multipart/form-data): {detail}. يرجى إرسال النموذج مرة أخرى."),
            ),
            R::FilesNeedMultipart { label } => t(
                format!("Dateien können nicht als JSON gesendet werden („{label}“). Senden Sie das Formular als multipart/form-data."),
                format!("Files cannot be sent as JSON (“{label}”). Send the form as multipart/form-data."),
                format!("لا يمكن إرسال الملفات بصيغة JSON («{label}»). أرسل النموذج بصيغة multipart/form-data."),
            ),
            R::InvalidFileName { label } => t(
                format!("Der Dateiname für „{label}“ enthält nicht erlaubte Zeichen (/, \\ oder Steuerzeichen). Bitte benennen Sie die Datei um und wählen Sie sie erneut aus."),
                format!("The file name for “{label}” contains characters that are not allowed (/, \\ or control characters). Please rename the file and choose it again."),
                format!("يحتوي اسم ملف «{label}» على أحرف غير مسموح بها (/ أو \\ أو أحرف تحكم). يرجى إعادة تسمية الملف واختياره مرة أخرى."),
            ),
            R::InvalidId => t(
                "Die Kennung der Sendung muss eine UUID der Version 4 sein, zum Beispiel 7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c.".into(),
                "The submission id must be a version 4 UUID, for example 7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c.".into(),
                "يجب أن يكون معرّف الإرسال UUID من الإصدار 4، مثل 7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c.".into(),
            ),
            R::InvalidReference { example, municipality } => t(
                format!("Die Adresse dieser Seite enthält keine gültige Vorgangsnummer. Eine Vorgangsnummer sieht so aus: {example}. Bitte prüfen Sie, ob die Adresse vollständig ist. Bei Fragen zu Ihrem Antrag hilft Ihnen {municipality} weiter."),
                format!("The address of this page does not contain a valid reference number. A reference number looks like this: {example}. Please check that the address is complete. If you have questions about your application, {municipality} will help you."),
                format!("لا يحتوي عنوان هذه الصفحة على رقم معاملة صالح. يبدو رقم المعاملة هكذا: {example}. يرجى التحقق من اكتمال العنوان. إذا كانت لديك أسئلة حول طلبك، فستساعدك {municipality}."),
            ),
            R::OriginNotAllowed => t(
                "Von dieser Website aus können keine Formulare an diese Gemeinde gesendet werden.".into(),
                "Forms for this municipality cannot be sent from this website.".into(),
                "لا يمكن إرسال نماذج هذه البلدية من هذا الموقع.".into(),
            ),
            R::IdConflict => t(
                "Unter dieser Kennung wurde bereits eine Sendung mit anderen Angaben angenommen; sie bleibt unverändert. Bitte laden Sie das Formular neu und senden Sie es erneut ab.".into(),
                "A submission with this id but different answers has already been received; it stays unchanged. Please reload the form and send it again.".into(),
                "تم استلام إرسال بنفس المعرّف ولكن بإجابات مختلفة، ويبقى دون تغيير. يرجى إعادة تحميل النموذج وإرساله مرة أخرى.".into(),
            ),
            R::StoreUnavailable => t(
                "Ihre Angaben konnten gerade nicht gespeichert werden; es wurde nichts übermittelt. Bitte senden Sie das Formular in einer Minute erneut ab.".into(),
                "Your answers could not be saved just now; nothing was submitted. Please send the form again in a minute.".into(),
                "تعذّر حفظ بياناتك الآن، ولم يُرسَل شيء. يرجى إرسال النموذج مرة أخرى بعد دقيقة.".into(),
            ),
            R::DuplicateKey { name, position } => {
                let (de_at, en_at, ar_at) = match position {
                    Some((line, column)) => (
                        format!(" (Zeile {line}, Spalte {column})"),
                        format!(" (line {line}, column {column})"),
                        format!(" (السطر {line}، العمود {column})"),
                    ),
                    None => (String::new(), String::new(), String::new()),
                };
                t(
                    format!("„{name}“ kommt im Inhalt mehrfach vor{de_at}; welcher Wert gilt, wäre geraten. Bitte senden Sie jeden Namen nur einmal."),
                    format!("“{name}” occurs more than once in the body{en_at}; which value counts would be a guess. Please send each name once."),
                    format!("«{name}» مكرر في المحتوى{ar_at}، ولا يمكن معرفة القيمة المقصودة. يرجى إرسال كل اسم مرة واحدة."),
                )
            }
            R::TooManyFields { limit } => t(
                format!("Der Inhalt hat mehr als {limit} Felder, mehr als dieses Formular senden kann. Bitte senden Sie das Formular von seiner Seite aus."),
                format!("The body has more than {limit} fields, more than this form can send. Please send the form from its page."),
                format!("يحتوي المحتوى على أكثر من {limit} حقلًا، وهذا أكثر مما يمكن لهذا النموذج إرساله. يرجى إرسال النموذج من صفحته."),
            ),
            R::IncompleteBody => t(
                "Der Inhalt kam nicht vollständig an; es wurde nichts übermittelt. Bitte senden Sie das Formular erneut ab.".into(),
                "The body did not arrive completely; nothing was submitted. Please send the form again.".into(),
                "لم يصل المحتوى كاملًا، ولم يُرسَل شيء. يرجى إرسال النموذج مرة أخرى.".into(),
            ),
            R::RequestTimeout { seconds } => t(
                format!("Der Inhalt kam nicht innerhalb von {seconds} Sekunden an; es wurde nichts übermittelt. Bitte senden Sie das Formular erneut ab."),
                format!("The body did not arrive within {seconds} seconds; nothing was submitted. Please send the form again."),
                format!("لم يصل المحتوى خلال {seconds} ثانية، ولم يُرسَل شيء. يرجى إرسال النموذج مرة أخرى."),
            ),
            R::Busy => t(
                "Gerade gehen sehr viele Sendungen ein; Ihre wurde nicht angenommen. Bitte senden Sie das Formular in einer Minute erneut ab.".into(),
                "Very many submissions are arriving right now; yours was not accepted. Please send the form again in a minute.".into(),
                "تصل الآن إرسالات كثيرة جدًا، ولم يُقبل إرسالك. يرجى إرسال النموذج مرة أخرى بعد دقيقة.".into(),
            ),
        }
    }

    /// `{"error": {"code", "message"}}`
    pub fn json(&self, lang: &str) -> Value {
        json!({ "error": { "code": self.code(), "message": self.message(lang) } })
    }
}

fn pick(lang: &str, de: &'static str, en: &'static str, ar: &'static str) -> &'static str {
    match lang {
        "en" => en,
        "ar" => ar,
        _ => de,
    }
}

/// `6291456` → `6.3`, `6000000` → `6`.
fn format_mb(bytes: usize) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    if (mb - mb.round()).abs() < 0.05 {
        format!("{}", mb.round() as u64)
    } else {
        format!("{mb:.1}")
    }
}

/// Seconds a client should wait before retrying after a 503.
pub const RETRY_AFTER_SECONDS: u32 = 30;

/// The Content-Security-Policy of every HTML answer: no script, no style, nothing loaded.
pub const HTML_CSP: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A response with the headers every answer carries.
pub fn response(
    status: StatusCode,
    content_type: Option<&'static str>,
    body: Bytes,
) -> Response<Bytes> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Some(ct) = content_type {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    // Answers hold references and citizens' messages: never cache them.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if content_type == Some(HTML) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(HTML_CSP),
        );
    }
    r
}

pub const JSON: &str = "application/json";
pub const HTML: &str = "text/html; charset=utf-8";

pub fn json_response(status: StatusCode, value: &Value) -> Response<Bytes> {
    let body = serde_json::to_vec(value).expect("JSON values serialize");
    response(status, Some(JSON), Bytes::from(body))
}

pub fn html_response(status: StatusCode, page: String) -> Response<Bytes> {
    response(status, Some(HTML), Bytes::from(page))
}

/// Whether pages at `origin` may read the function's answers for `m`: its `site-origin`, and
/// the origin its pages are served from (the same in production; a local address when the
/// registry was built for local use).
pub fn origin_allowed(m: &RegistryMunicipality, origin: &str) -> bool {
    origin == m.site_origin.trim_end_matches('/') || origin == view::paths::origin_of(&m.site_url)
}

/// Adds the CORS headers for an allowed `origin`.
pub fn add_cors(response: &mut Response<Bytes>, origin: &str) {
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.append(header::VARY, HeaderValue::from_static("Origin"));
}

#[cfg(test)]
mod tests {
    use super::*;

    const BROWSER: &str =
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";

    #[test]
    fn browsers_get_html_and_scripts_asking_for_json_get_json() {
        assert_eq!(negotiate(Some(true), Some(BROWSER)), Format::Html);
        assert_eq!(negotiate(Some(true), None), Format::Html);
        assert_eq!(
            negotiate(Some(true), Some("application/json")),
            Format::Json
        );
        assert_eq!(negotiate(Some(false), Some(BROWSER)), Format::Json);
        assert_eq!(negotiate(None, Some(BROWSER)), Format::Html);
        assert_eq!(negotiate(None, Some("*/*")), Format::Json);
        assert_eq!(negotiate(None, None), Format::Json);
    }

    #[test]
    fn the_most_specific_accept_entry_decides() {
        assert_eq!(quality(Some("*/*;q=0.1, application/json"), JSON), 1.0);
        assert_eq!(quality(Some("application/*;q=0.5, */*"), JSON), 0.5);
        assert_eq!(quality(Some("text/html"), JSON), 0.0);
    }

    #[test]
    fn language_follows_accept_language_within_what_is_offered() {
        let offered = vec!["de".to_string(), "en".to_string()];
        assert_eq!(pick_language(Some("en-GB,en;q=0.9"), &offered), "en");
        assert_eq!(pick_language(Some("fr, en;q=0.5"), &offered), "en");
        assert_eq!(pick_language(Some("ar"), &offered), "de");
        assert_eq!(pick_language(None, &offered), "de");
        assert_eq!(pick_language(Some("ar"), &[]), "ar");
    }

    #[test]
    fn megabytes_are_shown_with_one_decimal_at_most() {
        assert_eq!(format_mb(6_291_456), "6.3");
        assert_eq!(format_mb(6_000_000), "6");
    }
}
