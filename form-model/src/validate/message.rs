//! The problems in words, in the submission's language (German when the language has no
//! messages), with numbers, dates and media types as a reader of that language writes them.

use time::Date;

use super::problem::Problem;

/// A number as messages and page attributes show it: whole numbers without a decimal point.
pub fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A date as messages (and the receipt) write it: `24.12.1990` (de), `24 December 1990` (en),
/// `1990-12-24` (others).
pub fn fmt_date(d: Date, lang: &str) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match lang {
        "en" => format!("{} {} {}", d.day(), EN[d.month() as usize - 1], d.year()),
        "de" => format!("{:02}.{:02}.{}", d.day(), d.month() as u8, d.year()),
        _ => format!("{}-{:02}-{:02}", d.year(), d.month() as u8, d.day()),
    }
}

fn media_names(types: &[String], lang: &str) -> String {
    let names: Vec<String> = types
        .iter()
        .map(|t| match t.as_str() {
            "application/pdf" => "PDF".into(),
            "image/jpeg" => "JPG".into(),
            "image/png" => "PNG".into(),
            "image/*" => match lang {
                "de" => "Bild".into(),
                "ar" => "صورة".into(),
                _ => "image".into(),
            },
            other => other.to_string(),
        })
        .collect();
    let or = match lang {
        "de" => " oder ",
        "ar" => " أو ",
        _ => " or ",
    };
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}{or}{last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// The problem in words, in `lang` (German when the language has no messages).
pub fn message(problem: &Problem, lang: &str, label: &str) -> String {
    let n = fmt_number;
    match lang {
        "en" => {
            let l = format!("“{label}”");
            match problem {
                Problem::Required => format!("{l} is required. Please answer it."),
                Problem::NotConfirmed => format!("Confirm {l} by ticking the box."),
                Problem::NotApplicable => {
                    format!("{l} does not apply given your other answers. Please leave it empty.")
                }
                Problem::UnknownField => format!("The form has no field {l}."),
                Problem::UnknownLanguage(x) => format!("This form is not offered in “{x}”."),
                Problem::WrongType => format!("The answer to {l} has the wrong form."),
                Problem::TooShort(m) => format!("{l} must be at least {m} characters."),
                Problem::TooLong(m) => format!("{l} must be {m} characters or fewer."),
                Problem::Pattern(Some(custom)) => custom.clone(),
                Problem::Pattern(None) => format!("{l} is not in the expected format."),
                Problem::NotANumber => format!("{l} must be a number, like 3 or 2.5."),
                Problem::TooSmall(m) => format!("{l} must be {} or more.", n(*m)),
                Problem::TooLarge(m) => format!("{l} must be {} or less.", n(*m)),
                Problem::Step(s) if *s == 1.0 => format!("{l} must be a whole number."),
                Problem::Step(s) => format!("{l} must be a multiple of {}.", n(*s)),
                Problem::InvalidDate => format!("{l} must be a real date."),
                Problem::DateTooEarly(d) => {
                    format!("{l} must be on or after {}.", fmt_date(*d, lang))
                }
                Problem::DateTooLate(d) => {
                    format!("{l} must be on or before {}.", fmt_date(*d, lang))
                }
                Problem::InvalidOption => format!("Choose one of the options given for {l}."),
                Problem::TooFewSelected(m) => format!("Select at least {m} for {l}."),
                Problem::TooManySelected(m) => format!("Select no more than {m} for {l}."),
                Problem::InvalidEmail => format!(
                    "{l} must be an email address in the correct format, like name@example.com."
                ),
                Problem::InvalidTel => {
                    format!("{l} must be a phone number (digits, spaces and + ( ) / - only).")
                }
                Problem::InvalidIban => format!(
                    "{l} is not a valid IBAN. Check it against your bank card, e.g. DE89 3704 0044 0532 0130 00."
                ),
                Problem::InvalidPostcode => format!("{l} must be a postcode of 5 digits."),
                Problem::InvalidTaxId => format!(
                    "{l} is not a valid tax ID (11 digits, shown on your income tax assessment)."
                ),
                Problem::FileType(t) => {
                    format!("The file for {l} must be {}.", media_names(t, lang))
                }
                Problem::FileTooLarge(mb) => {
                    format!("The file for {l} must be {} MB or smaller.", n(*mb))
                }
                Problem::InvalidFile => {
                    format!("The file for {l} could not be read. Choose it again.")
                }
                Problem::FileContent(t) => format!(
                    "The file for {l} is not a real {} file: its content does not match the type it was sent as. Choose the right file.",
                    media_names(std::slice::from_ref(t), lang)
                ),
                Problem::TooFewItems(m) => format!("Add at least {m} entries for {l}."),
                Problem::TooManyItems(m) => format!("Add no more than {m} entries for {l}."),
            }
        }
        "ar" => {
            let l = format!("«{label}»");
            match problem {
                Problem::Required => format!("الحقل {l} إلزامي. يرجى تعبئته."),
                Problem::NotConfirmed => format!("أكّد {l} بوضع علامة في المربع."),
                Problem::NotApplicable => {
                    format!("الحقل {l} لا ينطبق بحسب إجاباتك الأخرى. يرجى تركه فارغًا.")
                }
                Problem::UnknownField => format!("لا يحتوي النموذج على حقل {l}."),
                Problem::UnknownLanguage(x) => format!("هذا النموذج غير متاح باللغة «{x}»."),
                Problem::WrongType => format!("الإجابة على {l} بصيغة غير صحيحة."),
                Problem::TooShort(m) => format!("يجب أن يتكون {l} من {m} أحرف على الأقل."),
                Problem::TooLong(m) => format!("يجب ألا يتجاوز {l} {m} حرفًا."),
                Problem::Pattern(Some(custom)) => custom.clone(),
                Problem::Pattern(None) => format!("الحقل {l} ليس بالصيغة المطلوبة."),
                Problem::NotANumber => format!("يجب أن يكون {l} رقمًا، مثل 3 أو 2.5."),
                Problem::TooSmall(m) => format!("يجب أن يكون {l} {} أو أكثر.", n(*m)),
                Problem::TooLarge(m) => format!("يجب أن يكون {l} {} أو أقل.", n(*m)),
                Problem::Step(s) if *s == 1.0 => format!("يجب أن يكون {l} عددًا صحيحًا."),
                Problem::Step(s) => format!("يجب أن يكون {l} من مضاعفات {}.", n(*s)),
                Problem::InvalidDate => format!("يجب أن يكون {l} تاريخًا صحيحًا."),
                Problem::DateTooEarly(d) => {
                    format!("يجب ألا يكون {l} قبل {}.", fmt_date(*d, lang))
                }
                Problem::DateTooLate(d) => {
                    format!("يجب ألا يكون {l} بعد {}.", fmt_date(*d, lang))
                }
                Problem::InvalidOption => format!("يرجى اختيار إحدى الإجابات المعروضة في {l}."),
                Problem::TooFewSelected(m) => format!("يرجى اختيار {m} على الأقل في {l}."),
                Problem::TooManySelected(m) => format!("يرجى اختيار {m} على الأكثر في {l}."),
                Problem::InvalidEmail => {
                    format!("يجب أن يكون {l} عنوان بريد إلكتروني صحيحًا، مثل name@example.de.")
                }
                Problem::InvalidTel => {
                    format!("يجب أن يكون {l} رقم هاتف (أرقام ومسافات و + ( ) / - فقط).")
                }
                Problem::InvalidIban => format!("الحقل {l} ليس رقم IBAN صحيحًا. يرجى التحقق منه."),
                Problem::InvalidPostcode => format!("يجب أن يكون {l} رمزًا بريديًا من 5 أرقام."),
                Problem::InvalidTaxId => {
                    format!("الحقل {l} ليس رقم تعريف ضريبي صحيحًا (11 رقمًا).")
                }
                Problem::FileType(t) => {
                    format!("يجب أن يكون ملف {l} من نوع {}.", media_names(t, lang))
                }
                Problem::FileTooLarge(mb) => {
                    format!("يجب ألا يتجاوز حجم ملف {l} {} ميغابايت.", n(*mb))
                }
                Problem::InvalidFile => format!("تعذرت قراءة ملف {l}. يرجى اختياره مرة أخرى."),
                Problem::FileContent(t) => format!(
                    "ملف {l} ليس ملف {} حقيقيًا: محتواه لا يطابق النوع الذي أُرسل به. يرجى اختيار الملف الصحيح.",
                    media_names(std::slice::from_ref(t), lang)
                ),
                Problem::TooFewItems(m) => format!("يرجى إضافة {m} إدخالات على الأقل في {l}."),
                Problem::TooManyItems(m) => format!("يرجى إضافة {m} إدخالات على الأكثر في {l}."),
            }
        }
        _ => {
            let l = format!("„{label}“");
            match problem {
                Problem::Required => format!("{l} ist ein Pflichtfeld. Bitte füllen Sie es aus."),
                Problem::NotConfirmed => {
                    format!("Bestätigen Sie {l}, indem Sie das Kästchen ankreuzen.")
                }
                Problem::NotApplicable => format!(
                    "{l} trifft nach Ihren anderen Antworten nicht zu. Bitte lassen Sie es leer."
                ),
                Problem::UnknownField => format!("Das Formular hat kein Feld {l}."),
                Problem::UnknownLanguage(x) => {
                    format!("Dieses Formular wird nicht in der Sprache „{x}“ angeboten.")
                }
                Problem::WrongType => format!("Die Antwort auf {l} hat die falsche Form."),
                Problem::TooShort(m) => format!("{l} muss mindestens {m} Zeichen lang sein."),
                Problem::TooLong(m) => format!("{l} darf höchstens {m} Zeichen lang sein."),
                Problem::Pattern(Some(custom)) => custom.clone(),
                Problem::Pattern(None) => format!("{l} hat nicht das erwartete Format."),
                Problem::NotANumber => format!("{l} muss eine Zahl sein, zum Beispiel 3 oder 2.5."),
                Problem::TooSmall(m) => format!("{l} muss mindestens {} sein.", n(*m)),
                Problem::TooLarge(m) => format!("{l} darf höchstens {} sein.", n(*m)),
                Problem::Step(s) if *s == 1.0 => format!("{l} muss eine ganze Zahl sein."),
                Problem::Step(s) => format!("{l} muss ein Vielfaches von {} sein.", n(*s)),
                Problem::InvalidDate => format!("{l} muss ein gültiges Datum sein."),
                Problem::DateTooEarly(d) => {
                    format!("{l} darf nicht vor dem {} liegen.", fmt_date(*d, "de"))
                }
                Problem::DateTooLate(d) => {
                    format!("{l} darf nicht nach dem {} liegen.", fmt_date(*d, "de"))
                }
                Problem::InvalidOption => {
                    format!("Bitte wählen Sie bei {l} eine der angebotenen Antworten.")
                }
                Problem::TooFewSelected(m) => {
                    format!("Bitte kreuzen Sie bei {l} mindestens {m} an.")
                }
                Problem::TooManySelected(m) => {
                    format!("Bitte kreuzen Sie bei {l} höchstens {m} an.")
                }
                Problem::InvalidEmail => format!(
                    "{l} muss eine E-Mail-Adresse im richtigen Format sein, zum Beispiel name@example.de."
                ),
                Problem::InvalidTel => format!(
                    "{l} muss eine Telefonnummer sein (nur Ziffern, Leerzeichen und + ( ) / -)."
                ),
                Problem::InvalidIban => format!(
                    "{l} ist keine gültige IBAN. Bitte prüfen Sie die Angabe, zum Beispiel DE89 3704 0044 0532 0130 00."
                ),
                Problem::InvalidPostcode => {
                    format!("{l} muss eine Postleitzahl aus 5 Ziffern sein.")
                }
                Problem::InvalidTaxId => format!(
                    "{l} ist keine gültige Steuer-Identifikationsnummer (11 Ziffern, steht auf Ihrem Einkommensteuerbescheid)."
                ),
                Problem::FileType(t) => {
                    format!(
                        "Die Datei für {l} muss eine {}-Datei sein.",
                        media_names(t, "de")
                    )
                }
                Problem::FileTooLarge(mb) => {
                    format!("Die Datei für {l} darf höchstens {} MB groß sein.", n(*mb))
                }
                Problem::InvalidFile => format!(
                    "Die Datei für {l} konnte nicht gelesen werden. Bitte wählen Sie sie erneut aus."
                ),
                Problem::FileContent(t) => format!(
                    "Die Datei für {l} ist keine echte {}-Datei: ihr Inhalt passt nicht zu dem Typ, mit dem sie gesendet wurde. Bitte wählen Sie die richtige Datei aus.",
                    media_names(std::slice::from_ref(t), "de")
                ),
                Problem::TooFewItems(m) => {
                    format!("Bitte geben Sie bei {l} mindestens {m} Einträge an.")
                }
                Problem::TooManyItems(m) => {
                    format!("Bitte geben Sie bei {l} höchstens {m} Einträge an.")
                }
            }
        }
    }
}
