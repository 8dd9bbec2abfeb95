//! Where the pages of a site live, below the folder of its language (the first language at
//! the site's root, the others in `<lang>/`): the folders of the legal pages, the feedback
//! page and a form's confirmation page. Links in the frame and the pages are made from these.

/// A legal page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legal {
    Imprint,
    Privacy,
    Accessibility,
}

impl Legal {
    pub const ALL: [Legal; 3] = [Legal::Imprint, Legal::Privacy, Legal::Accessibility];

    /// Its name in the municipality's `pages/` and its title's key in the frame texts.
    pub fn kind(self) -> &'static str {
        match self {
            Legal::Imprint => "imprint",
            Legal::Privacy => "privacy",
            Legal::Accessibility => "accessibility",
        }
    }

    /// Its folder on the site.
    pub fn slug(self) -> &'static str {
        match self {
            Legal::Imprint => "impressum",
            Legal::Privacy => "datenschutz",
            Legal::Accessibility => "barrierefreiheit",
        }
    }
}

/// The feedback page's folder.
pub const FEEDBACK: &str = "feedback";

/// A form's confirmation page, in the form's folder: where the script sends the citizen after
/// the function accepted the answers.
pub const CONFIRMATION: &str = "danke";
