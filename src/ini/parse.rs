//! Line classification: splits the text into lines (keeping each line's terminator) and
//! decides, with the SDK parser's state machine, what every line is.
//!
//! The rules are those of the AWS SDKs' shared profile parser:
//! - only space and tab are whitespace;
//! - a line that is empty after trimming is blank, a line starting with `#` or `;` in column
//!   one is a comment; neither changes the parser's state;
//! - a line starting with `[` is a section header; everything from the first `#` or `;` on is
//!   a comment, and what is left must end with `]`;
//! - a line starting with whitespace continues the property above it (or, when that property's
//!   value was empty, is a sub-property that must hold an `=`);
//! - any other line is a property: `key = value`, where a `#` or `;` preceded by whitespace
//!   starts a comment, the key is trimmed and compared case-insensitively.

/// Characters the SDK parser treats as whitespace; `char::is_whitespace` is deliberately not used.
pub const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// How a line ends. Kept per line so that rendering returns the input bytes exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eol {
    /// The last line of a file without a final newline.
    None,
    Lf,
    CrLf,
}

impl Eol {
    pub fn as_str(self) -> &'static str {
        match self {
            Eol::None => "",
            Eol::Lf => "\n",
            Eol::CrLf => "\r\n",
        }
    }
}

/// A byte range `(start, end)` within one line's text.
pub type Span = (usize, usize);

/// What one line is, as the SDK parser sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Blank,
    Comment,
    /// `[name]`; `name` is the text between the brackets, untrimmed, as the SDK keys it.
    Header {
        name: String,
    },
    /// `key = value`; byte ranges into the line's text. The value range is trimmed and stops
    /// before any comment.
    Property {
        key: Span,
        value: Span,
    },
    /// A continuation or sub-property line of the property above.
    Continuation,
    /// A line the SDK parser rejects, with its message.
    Invalid(String),
}

/// One line of a document: its text without terminator, the terminator, and its kind.
#[derive(Clone, Debug)]
pub struct Line {
    pub text: String,
    pub eol: Eol,
    pub kind: Kind,
}

impl Line {
    /// The property key as written (not lower-cased), when this line is a property.
    pub fn key(&self) -> Option<&str> {
        match self.kind {
            Kind::Property { key: (s, e), .. } => Some(&self.text[s..e]),
            _ => None,
        }
    }

    /// The property value as the SDK reads it from this line alone.
    pub fn value(&self) -> Option<&str> {
        match self.kind {
            Kind::Property { value: (s, e), .. } => Some(&self.text[s..e]),
            _ => None,
        }
    }
}

/// Splits `text` into lines. A `\r` is part of a terminator only directly before `\n`.
pub fn split_lines(text: &str) -> Vec<(String, Eol)> {
    let mut out = Vec::with_capacity(text.len() / 24 + 1);
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find('\n') {
            Some(i) => {
                let (body, eol) = match rest[..i].strip_suffix('\r') {
                    Some(b) => (b, Eol::CrLf),
                    None => (&rest[..i], Eol::Lf),
                };
                out.push((body.to_owned(), eol));
                rest = &rest[i + 1..];
            }
            None => {
                out.push((rest.to_owned(), Eol::None));
                rest = "";
            }
        }
    }
    out
}

/// The parser's state between lines, as in the SDK.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Starting,
    InSection { property: bool, subproperty: bool },
}

/// Classifies every line, in order, following the SDK state machine. Never fails: a line the
/// SDK would reject becomes `Kind::Invalid` so the document stays lossless.
pub fn classify(lines: Vec<(String, Eol)>) -> Vec<Line> {
    let mut state = State::Starting;
    lines
        .into_iter()
        .map(|(text, eol)| {
            let kind = classify_line(&text, &mut state);
            Line { text, eol, kind }
        })
        .collect()
}

/// Classifies one line and advances the state.
fn classify_line(line: &str, state: &mut State) -> Kind {
    if line.trim_matches(WHITESPACE).is_empty() {
        return Kind::Blank;
    }
    if line.starts_with(COMMENT) {
        return Kind::Comment;
    }
    if line.starts_with('[') {
        return classify_header(line, state);
    }
    if line.starts_with(WHITESPACE) {
        return classify_continuation(line, *state);
    }
    match *state {
        State::Starting => Kind::Invalid("Expected a profile definition".into()),
        State::InSection { .. } => match split_property(line) {
            Ok((key, value)) => {
                *state = State::InSection {
                    property: true,
                    subproperty: value.0 == value.1,
                };
                Kind::Property { key, value }
            }
            Err(e) => Kind::Invalid(e.message("property")),
        },
    }
}

fn classify_header(line: &str, state: &mut State) -> Kind {
    let prepared = strip_comment(line, false);
    match prepared.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
        Some(name) => {
            *state = State::InSection {
                property: false,
                subproperty: false,
            };
            Kind::Header {
                name: name.to_owned(),
            }
        }
        None => Kind::Invalid("Profile definition must end with ']'".into()),
    }
}

fn classify_continuation(line: &str, state: State) -> Kind {
    match state {
        State::Starting => Kind::Invalid("Expected a profile definition".into()),
        State::InSection {
            property: false, ..
        } => Kind::Invalid("Expected a property definition, found continuation".into()),
        State::InSection {
            subproperty: true, ..
        } => match split_property(line) {
            Ok(_) => Kind::Continuation,
            Err(e) => Kind::Invalid(e.message("sub-property")),
        },
        State::InSection { .. } => Kind::Continuation,
    }
}

/// Why a line is not a property.
#[derive(Debug, PartialEq, Eq)]
pub enum PropertyError {
    NoEquals,
    NoName,
}

impl PropertyError {
    fn message(&self, what: &str) -> String {
        match self {
            PropertyError::NoEquals => format!("Expected an '=' sign defining a {what}"),
            PropertyError::NoName => {
                let mut w = what.to_owned();
                if let Some(first) = w.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                format!("{w} did not have a name")
            }
        }
    }
}

/// Splits a property line into the byte ranges of its trimmed key and trimmed value.
pub fn split_property(line: &str) -> Result<(Span, Span), PropertyError> {
    let prepared = strip_comment(line, true);
    // `prepared` is a sub-slice of `line`; recover its offset to report ranges into `line`.
    let base = prepared.as_ptr() as usize - line.as_ptr() as usize;
    let eq = prepared.find('=').ok_or(PropertyError::NoEquals)?;
    let key = trimmed_range(prepared, 0, eq);
    if key.0 == key.1 {
        return Err(PropertyError::NoName);
    }
    let value = trimmed_range(prepared, eq + 1, prepared.len());
    Ok((
        (base + key.0, base + key.1),
        (base + value.0, base + value.1),
    ))
}

/// The range of `s[start..end]` with whitespace trimmed from both ends; empty ranges collapse
/// to `(start', start')` where `start'` is after the leading whitespace.
fn trimmed_range(s: &str, start: usize, end: usize) -> Span {
    let part = &s[start..end];
    let lead = part.len() - part.trim_start_matches(WHITESPACE).len();
    let trimmed = part.trim_matches(WHITESPACE);
    (start + lead, start + lead + trimmed.len())
}

/// Trims the line and cuts a trailing comment. In property lines (`need_whitespace`) a comment
/// character starts a comment only after whitespace; in headers it always does.
pub fn strip_comment(line: &str, need_whitespace: bool) -> &str {
    let line = line.trim_matches(WHITESPACE);
    let mut prev_ws = false;
    let mut cut = line.len();
    for (i, c) in line.char_indices() {
        if COMMENT.contains(&c) && (prev_ws || !need_whitespace) {
            cut = i;
            break;
        }
        prev_ws = c.is_whitespace();
    }
    line[..cut].trim_matches(WHITESPACE)
}

/// The SDK's identifier rule for profile names and property keys: `[A-Za-z0-9_\-/.%@:+]+`.
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(line: &str) -> Result<(&str, &str), PropertyError> {
        split_property(line).map(|(k, v)| (&line[k.0..k.1], &line[v.0..v.1]))
    }

    #[test]
    fn property_ranges_exclude_spacing_and_comments() {
        assert_eq!(prop("a = b"), Ok(("a", "b")));
        assert_eq!(prop("a=b"), Ok(("a", "b")));
        assert_eq!(prop("a \t=  \tb \t"), Ok(("a", "b")));
        assert_eq!(prop("a = b # c"), Ok(("a", "b")));
        assert_eq!(prop("a = b#c"), Ok(("a", "b#c")));
        assert_eq!(prop("a = val=ue"), Ok(("a", "val=ue")));
        assert_eq!(prop("a ="), Ok(("a", "")));
        assert_eq!(prop("a = ; only comment"), Ok(("a", "")));
        assert_eq!(prop("= b"), Err(PropertyError::NoName));
        assert_eq!(prop("a : b"), Err(PropertyError::NoEquals));
    }

    #[test]
    fn headers_cut_comments_without_whitespace() {
        assert_eq!(strip_comment("[dev];x", false), "[dev]");
        assert_eq!(strip_comment("[dev] # x", false), "[dev]");
    }

    #[test]
    fn split_lines_keeps_terminators_and_lone_cr() {
        let lines = split_lines("a\r\nb\nc\rd");
        assert_eq!(
            lines,
            vec![
                ("a".into(), Eol::CrLf),
                ("b".into(), Eol::Lf),
                ("c\rd".into(), Eol::None)
            ]
        );
        assert!(split_lines("").is_empty());
        assert_eq!(split_lines("\n"), vec![(String::new(), Eol::Lf)]);
    }

    #[test]
    fn indented_comment_after_property_is_a_continuation() {
        let kinds: Vec<Kind> = classify(split_lines("[a]\nk = v\n  # c\n"))
            .into_iter()
            .map(|l| l.kind)
            .collect();
        assert_eq!(kinds[2], Kind::Continuation);
    }

    #[test]
    fn identifiers_follow_the_sdk_rule() {
        assert!(is_identifier("some-thing:long/the_one%only.foo@bar+"));
        assert!(!is_identifier("foo!bar"));
        assert!(!is_identifier("in valid"));
        assert!(!is_identifier(""));
    }
}
