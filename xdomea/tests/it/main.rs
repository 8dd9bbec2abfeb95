//! Integration tests of the xdomea hand-off: every catalog form's example submissions become
//! messages the official xdomea 3.1.0 schema accepts, in ZIPs that hold exactly the files the
//! message names, byte for byte what the record and the receipt say.

mod catalog;
mod support;
