//! Rendering the municipalities' site pages: from a resolved form (form-model) and the
//! municipality's frame to HTML, with the tera templates of `site-templates/`. The generator
//! uses it to write the static sites; the submission function will use it to answer a browser
//! post with the same pages.
//!
//! Load a [`Theme`] once, make a [`Frame`] per site and language, and render its pages:
//! [`pages::index`], [`pages::form`], [`pages::confirmation`], [`pages::feedback`] and
//! [`legal::page`].

pub mod account;
pub mod attrs;
pub mod bundle;
pub mod collate;
pub mod components;
pub mod conditions;
pub mod escape;
pub mod fees;
pub mod field;
pub mod filled;
pub mod form;
pub mod form_body;
pub mod frame;
pub mod legal;
pub mod markdown;
pub mod pages;
pub mod paths;
pub mod script;
pub mod script_data;
pub mod seo;
pub mod sepa;
pub mod sign_in;
mod splice;
pub mod theme;
pub mod theme_shape;

pub use escape::escape_html;
pub use frame::{Frame, Head, Site, SiteAddress, SiteAssets};
pub use theme::{Alternate, Page, PageLinks, Strings, Theme, ViewError};
