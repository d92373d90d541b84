//! A lossless document for the AWS `credentials` and `config` files.
//!
//! Reading follows the AWS SDKs' shared profile parser exactly (the conformance suite in
//! `fixtures/conformance/` is run case by case):
//! - Lines end at `\n`; a `\r` directly before it belongs to the terminator. Only space and tab
//!   are whitespace.
//! - Blank lines and lines starting with `#` or `;` in column one are ignored everywhere and do
//!   not end a property's continuation.
//! - `[name]` opens a section; in a header anything from the first `#` or `;` on is a comment.
//!   In the config file sections are `[profile NAME]` (and `[default]`, which
//!   `[profile default]` overrides), `[sso-session NAME]` and other prefixed sections; in the
//!   credentials file they are `[NAME]` and a `[profile NAME]` there is ignored. Names are
//!   trimmed; a name outside `[A-Za-z0-9_\-/.%@:+]` makes the SDK ignore the section.
//! - `key = value`: key and value are trimmed, keys compare case-insensitively, the last value
//!   wins, a `#` or `;` after whitespace starts a comment, one glued to the value is part of it.
//!   Keys outside the identifier rule are ignored.
//! - An indented line continues the property above (joined with `\n`, comments included); after
//!   an empty value it is a sub-property and must hold `=`.
//! - Sections with the same name merge; credentials override config.
//!
//! Two forms, as in toml_edit: [`Document`] reads (its text and one scan that notes where the
//! sections are; a section's lines are parsed only when asked for), [`DocumentMut`] edits (every
//! line with its text and terminator). Both answer the same questions through [`Read`], each
//! from its own representation; `Document::into_mut` turns one into the other.
//!
//! Decisions of our own, for editing:
//! - A leading UTF-8 BOM is kept when writing and skipped when reading (the SDK would reject the
//!   file otherwise).
//! - Every line keeps its own terminator; an unedited document renders to the input bytes.
//! - A line the SDK rejects is kept as it is and makes the document refuse edits
//!   ([`Read::check`] names it).
//! - Edits and their placement rules are in [`edit`]; every edit is recorded, and
//!   [`DocumentMut::verify`] re-reads the rendered result and compares it with the old view plus
//!   the recorded edits.

mod document;
mod document_mut;
mod edit;
mod error;
mod names;
mod parse;
mod placement;
mod properties;
mod read;
mod table;
mod verify;
mod view;

pub use document::Document;
pub use document_mut::{Change, DocumentMut};
pub use error::{EditError, ParseError};
pub use names::{FileKind, Section, SectionName};
pub use parse::{Eol, Kind, Line, is_identifier};
pub use properties::Properties;
pub use read::{Read, SectionLines};
pub use verify::verify;
pub use view::ProfileSet;
