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
pub(super) const WHITESPACE: &[char] = &[' ', '\t'];

use std::borrow::Cow;

/// The UTF-8 byte order mark, kept when writing and skipped when reading.
pub(super) const BOM: char = '\u{feff}';

/// `text` without its BOM, and whether it had one.
pub(super) fn split_bom(text: &str) -> (bool, &str) {
    match text.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, text),
    }
}

/// How a line ends. Kept per line so that rendering returns the input bytes exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eol {
    /// The last line of a file without a final newline.
    None,
    /// `\n`.
    Lf,
    /// `\r\n`: the carriage return belongs to the terminator, not to the line.
    CrLf,
}

impl Eol {
    /// The terminator's bytes.
    pub fn as_str(self) -> &'static str {
        match self {
            Eol::None => "",
            Eol::Lf => "\n",
            Eol::CrLf => "\r\n",
        }
    }
}

/// A byte range `(start, end)` within one line's text.
pub(super) type Span = (u32, u32);

/// What one line is, as the SDK parser sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Empty or only blanks: ignored everywhere, and never ends a continuation.
    Blank,
    /// `#` or `;` in column one: ignored everywhere, and never ends a continuation.
    Comment,
    /// `[name]`.
    Header {
        /// The text between the brackets, untrimmed, as the SDK keys it (byte range).
        name: Span,
    },
    /// `key = value`.
    Property {
        /// The key's byte range in the line's text, trimmed.
        key: Span,
        /// The value's byte range, trimmed, stopping before any comment.
        value: Span,
    },
    /// A continuation or sub-property line of the property above.
    Continuation,
    /// A line the SDK parser rejects, with its message.
    Invalid(&'static str),
}

/// One line of a document: its text without terminator (borrowed from the input until an
/// edit replaces it), the terminator, and its kind.
#[derive(Clone, Debug)]
pub struct Line<'a> {
    /// The line without its terminator.
    pub text: Cow<'a, str>,
    /// The terminator, kept so that the line renders back byte for byte.
    pub eol: Eol,
    /// How the SDK reads the line.
    pub kind: Kind,
}

fn slice(text: &str, (s, e): Span) -> &str {
    &text[s as usize..e as usize]
}

impl<'a> Line<'a> {
    /// A part of this line that outlives the document: borrowed from the input while the line
    /// is unedited, copied otherwise.
    pub fn part(&self, (s, e): Span) -> Cow<'a, str> {
        match &self.text {
            Cow::Borrowed(t) => Cow::Borrowed(&t[s as usize..e as usize]),
            Cow::Owned(t) => Cow::Owned(t[s as usize..e as usize].to_owned()),
        }
    }

    /// The property key as written (not lower-cased), when this line is a property.
    pub fn key(&self) -> Option<&str> {
        match self.kind {
            Kind::Property { key, .. } => Some(slice(&self.text, key)),
            _ => None,
        }
    }

    /// The text between a header's brackets, when this line is a header.
    pub fn header_name(&self) -> Option<&str> {
        match self.kind {
            Kind::Header { name } => Some(slice(&self.text, name)),
            _ => None,
        }
    }

    /// The property value as the SDK reads it from this line alone.
    pub fn value(&self) -> Option<&str> {
        match self.kind {
            Kind::Property { value, .. } => Some(slice(&self.text, value)),
            _ => None,
        }
    }
}

/// Splits `text` into lines. A `\r` is part of a terminator only directly before `\n`.
pub(super) fn split_lines(text: &str) -> impl Iterator<Item = (&str, Eol)> {
    let mut rest = text;
    std::iter::from_fn(move || next_line(&mut rest))
}

/// Takes the first line off `rest`.
fn next_line<'a>(rest: &mut &'a str) -> Option<(&'a str, Eol)> {
    if rest.is_empty() {
        return None;
    }
    let text: &'a str = rest;
    let (line, eol, next) = match memchr::memchr(b'\n', text.as_bytes()) {
        Some(i) => match text[..i].strip_suffix('\r') {
            Some(b) => (b, Eol::CrLf, &text[i + 1..]),
            None => (&text[..i], Eol::Lf, &text[i + 1..]),
        },
        None => (text, Eol::None, ""),
    };
    *rest = next;
    Some((line, eol))
}

/// The parser's state between lines, as in the SDK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    Starting,
    InSection { property: bool, subproperty: bool },
}

impl State {
    /// The state right after a valid section header.
    pub(super) const SECTION_START: State = State::InSection {
        property: false,
        subproperty: false,
    };
    /// The state at the top of the file.
    pub(super) const START: State = State::Starting;
}

/// Classifies every line of `text`, in order, following the SDK state machine. Never fails: a
/// line the SDK would reject becomes `Kind::Invalid` so the document stays lossless.
pub(super) fn classify(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    lines.extend(classified(text));
    lines
}

/// The lines of `text` classified one at a time, borrowing their text: reading a part of a
/// file this way allocates nothing. The state starts at the top of a file, so `text` starts
/// at a line the state machine can start on (the file's start, or a section header).
pub(super) fn classified(text: &str) -> Classified<'_> {
    Classified {
        rest: text,
        state: State::START,
    }
}

/// The iterator of [`classified`].
#[derive(Clone, Debug)]
pub(super) struct Classified<'a> {
    rest: &'a str,
    state: State,
}

impl<'a> Iterator for Classified<'a> {
    type Item = Line<'a>;
    fn next(&mut self) -> Option<Line<'a>> {
        let (line, eol) = next_line(&mut self.rest)?;
        Some(Line {
            kind: classify_line(line, &mut self.state),
            text: Cow::Borrowed(line),
            eol,
        })
    }
}

/// One section header found by [`scan`]: its line number, where its line starts in the text,
/// and the byte range of the name between its brackets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Header {
    pub line: usize,
    pub start: usize,
    pub name: (usize, usize),
}

/// What one pass over a whole text learns without keeping its lines: every valid section
/// header, how many lines there are, and the first line the SDK rejects (0-based) with its
/// message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Scan {
    pub headers: Vec<Header>,
    pub lines: usize,
    pub invalid: Option<(usize, &'static str)>,
}

/// Runs the state machine over every line of `text`, keeping only what [`Scan`] holds.
pub(super) fn scan(text: &str) -> Scan {
    let mut out = Scan::default();
    let mut state = State::START;
    for (i, (line, _)) in split_lines(text).enumerate() {
        let kind = match (line.as_bytes().first(), state) {
            // Most lines are properties; their validity needs less than their parts.
            (Some(b), State::InSection { .. })
                if !matches!(b, b' ' | b'\t' | b'#' | b';' | b'[') =>
            {
                match property_shape(line) {
                    Ok(empty) => {
                        state = State::InSection {
                            property: true,
                            subproperty: empty,
                        };
                        continue;
                    }
                    Err(e) => Kind::Invalid(e.message(false)),
                }
            }
            _ => classify_line(line, &mut state),
        };
        out.note(text, i, line, kind);
    }
    out.lines = split_count(text);
    out
}

impl Scan {
    /// Notes line `i` of `text`, of kind `kind`: a header's place, or the first invalid line.
    fn note(&mut self, text: &str, i: usize, line: &str, kind: Kind) {
        match kind {
            Kind::Header { name } => {
                let start = text_offset(text, line);
                self.headers.push(Header {
                    line: i,
                    start,
                    name: (start + name.0 as usize, start + name.1 as usize),
                });
            }
            Kind::Invalid(message) if self.invalid.is_none() => {
                self.invalid = Some((i, message));
            }
            _ => {}
        }
    }
}

/// Runs the whole state machine over every line of `text`, giving each classified line to
/// `each` as well: what [`scan`] learns, for a caller that reads every line anyway (one pass
/// instead of a scan and then a second pass over the sections).
pub(super) fn scan_each<'a>(text: &'a str, mut each: impl FnMut(&Line<'a>)) -> Scan {
    let mut out = Scan::default();
    for (i, line) in classified(text).enumerate() {
        out.note(text, i, &line.text, line.kind);
        each(&line);
    }
    out.lines = split_count(text);
    out
}

/// How many lines [`split_lines`] gives for `text`.
fn split_count(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count() + usize::from(!text.ends_with('\n'))
        - usize::from(text.is_empty())
}

/// What [`split_property`] decides about a line that starts with neither whitespace nor a
/// comment or bracket, without computing its parts: whether it is a property, and whether its
/// value is empty.
fn property_shape(line: &str) -> Result<bool, PropertyError> {
    let bytes = line.as_bytes();
    let eq = memchr::memchr(b'=', bytes).ok_or(PropertyError::NoEquals)?;
    // A comment before the `=` hides it.
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'#', b';', &bytes[from..eq]).map(|i| i + from) {
        if i > 0 && whitespace_before(line, i) {
            return Err(PropertyError::NoEquals);
        }
        from = i + 1;
    }
    if eq == 0 {
        return Err(PropertyError::NoName);
    }
    let rest = &bytes[eq + 1..];
    let blanks = rest.iter().take_while(|&&b| is_ws(b)).count();
    Ok(match rest.get(blanks) {
        None => true,
        Some(b'#' | b';') => blanks > 0,
        Some(_) => false,
    })
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `s` without the SDK's whitespace at either end.
pub(super) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|&c| !is_ws(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|&c| !is_ws(c)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// Classifies one line and advances the state.
pub(super) fn classify_line(line: &str, state: &mut State) -> Kind {
    let Some(&first) = line.as_bytes().first() else {
        return Kind::Blank;
    };
    if is_ws(first) && trim(line).is_empty() {
        return Kind::Blank;
    }
    match first {
        b'#' | b';' => Kind::Comment,
        b'[' => classify_header(line, state),
        b' ' | b'\t' => classify_continuation(line, *state),
        _ => match *state {
            State::Starting => Kind::Invalid("Expected a profile definition"),
            State::InSection { .. } => match split_property(line) {
                Ok((key, value)) => {
                    *state = State::InSection {
                        property: true,
                        subproperty: value.0 == value.1,
                    };
                    Kind::Property { key, value }
                }
                Err(e) => Kind::Invalid(e.message(false)),
            },
        },
    }
}

fn classify_header(line: &str, state: &mut State) -> Kind {
    let prepared = strip_comment(line, false);
    match prepared.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
        Some(name) => {
            *state = State::SECTION_START;
            let start = offset(line, name);
            Kind::Header {
                name: (start, start + name.len() as u32),
            }
        }
        None => Kind::Invalid("Profile definition must end with ']'"),
    }
}

fn classify_continuation(line: &str, state: State) -> Kind {
    match state {
        State::Starting => Kind::Invalid("Expected a profile definition"),
        State::InSection {
            property: false, ..
        } => Kind::Invalid("Expected a property definition, found continuation"),
        State::InSection {
            subproperty: true, ..
        } => match split_property(line) {
            Ok(_) => Kind::Continuation,
            Err(e) => Kind::Invalid(e.message(true)),
        },
        State::InSection { .. } => Kind::Continuation,
    }
}

/// Why a line is not a property.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum PropertyError {
    NoEquals,
    NoName,
}

impl PropertyError {
    /// The SDK's message, for a property or a sub-property.
    fn message(&self, sub: bool) -> &'static str {
        match (self, sub) {
            (PropertyError::NoEquals, false) => "Expected an '=' sign defining a property",
            (PropertyError::NoEquals, true) => "Expected an '=' sign defining a sub-property",
            (PropertyError::NoName, false) => "Property did not have a name",
            (PropertyError::NoName, true) => "Sub-property did not have a name",
        }
    }
}

/// Byte offset of `part`, a sub-slice of `whole`, within `whole`.
fn offset(whole: &str, part: &str) -> u32 {
    (part.as_ptr() as usize - whole.as_ptr() as usize) as u32
}

/// Byte offset of `part`, a sub-slice of `whole`, within `whole`, for a whole text.
fn text_offset(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// Splits a property line into the byte ranges of its trimmed key and trimmed value.
pub(super) fn split_property(line: &str) -> Result<(Span, Span), PropertyError> {
    let prepared = strip_comment(line, true);
    let eq = memchr::memchr(b'=', prepared.as_bytes()).ok_or(PropertyError::NoEquals)?;
    let key = trim(&prepared[..eq]);
    if key.is_empty() {
        return Err(PropertyError::NoName);
    }
    let value = trim(&prepared[eq + 1..]);
    let (k, v) = (offset(line, key), offset(line, value));
    Ok(((k, k + key.len() as u32), (v, v + value.len() as u32)))
}

/// Trims the line and cuts a trailing comment. In property lines (`need_whitespace`) a comment
/// character starts a comment only after whitespace; in headers it always does.
pub(super) fn strip_comment(line: &str, need_whitespace: bool) -> &str {
    let line = trim(line);
    let bytes = line.as_bytes();
    let mut cut = line.len();
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'#', b';', &bytes[from..]).map(|i| i + from) {
        if !need_whitespace || (i > 0 && whitespace_before(line, i)) {
            cut = i;
            break;
        }
        from = i + 1;
    }
    trim(&line[..cut])
}

/// Whether the character before byte `i` is whitespace in Rust's (Unicode) sense, as the SDK
/// parser checks it; without decoding when that byte is ASCII.
fn whitespace_before(line: &str, i: usize) -> bool {
    match line.as_bytes()[i - 1] {
        b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => true,
        b if b < 0x80 => false,
        _ => preceded_by_whitespace(line, i),
    }
}

/// Whether the character before byte `i` is whitespace in Rust's (Unicode) sense.
fn preceded_by_whitespace(line: &str, i: usize) -> bool {
    line[..i]
        .chars()
        .next_back()
        .is_some_and(char::is_whitespace)
}

/// The SDK's identifier rule for profile names and property keys: `[A-Za-z0-9_\-/.%@:+]+`.
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| IDENTIFIER[usize::from(c)])
}

/// Whether `s` is an identifier ([`is_identifier`]) and, when it is, whether it has capitals:
/// one look at each byte, for the reader, which checks and lower-cases every key it reads.
pub(super) fn identifier_capitals(s: &str) -> Option<bool> {
    let class = s.bytes().fold(0, |acc, c| acc | KEY_CLASS[usize::from(c)]);
    (!s.is_empty() && class & NOT_IDENTIFIER == 0).then_some(class & CAPITAL != 0)
}

const CAPITAL: u8 = 1;
const NOT_IDENTIFIER: u8 = 2;

/// Each byte's class for [`identifier_capitals`]: 0 for the identifier bytes other than
/// capitals.
const KEY_CLASS: [u8; 256] = {
    let mut table = [NOT_IDENTIFIER; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if IDENTIFIER[c] {
            table[c] = if b.is_ascii_uppercase() { CAPITAL } else { 0 };
        }
        c += 1;
    }
    table
};

/// The bytes [`is_identifier`] allows, as a table: every key of every section is checked.
const IDENTIFIER: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric()
            || matches!(b, b'_' | b'-' | b'/' | b'.' | b'%' | b'@' | b':' | b'+');
        c += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(line: &str) -> Result<(&str, &str), PropertyError> {
        split_property(line).map(|(k, v)| (slice(line, k), slice(line, v)))
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
    fn property_split_agrees_with_comment_stripping() {
        for line in [
            "a = b",
            "a=b#c",
            "a = b #c",
            "a\u{a0}= b\u{a0};c",
            "a = é# c",
            "a\u{2003}#=b",
            "a #= b",
            "a;= b",
            "k = v = w ; x",
            "a\r= b\r# c",
            "= b",
            "a : b",
            " a = b ",
        ] {
            let prepared = strip_comment(line, true);
            let expected = match prepared.find('=') {
                None => Err(PropertyError::NoEquals),
                Some(eq) if trim(&prepared[..eq]).is_empty() => Err(PropertyError::NoName),
                Some(eq) => Ok((trim(&prepared[..eq]), trim(&prepared[eq + 1..]))),
            };
            assert_eq!(prop(line), expected, "{line:?}");
        }
    }

    #[test]
    fn the_scan_agrees_with_the_full_classification() {
        use proptest::prelude::*;
        let line = proptest::string::string_regex(
            "[ \t]{0,2}(\\[[a-c ]{0,3}\\]?|[#;]|[a-c=#; \t\u{a0}]{0,8})[ \t]{0,2}(\r)?",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let texts = proptest::collection::vec(line, 0..12)
            .prop_flat_map(|lines| (Just(lines.join("\n")), any::<bool>()))
            .prop_map(|(text, newline)| if newline { text + "\n" } else { text });
        proptest!(ProptestConfig::with_cases(3000), |(text in texts)| {
            let lines = classify(&text);
            let scan = scan(&text);
            prop_assert_eq!(scan.lines, lines.len());
            let invalid = lines.iter().enumerate().find_map(|(i, l)| match l.kind {
                Kind::Invalid(m) => Some((i, m)),
                _ => None,
            });
            prop_assert_eq!(scan.invalid, invalid);
            let headers: Vec<usize> = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| matches!(l.kind, Kind::Header { .. }))
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(scan.headers.iter().map(|h| h.line).collect::<Vec<_>>(), headers);
            // The pass that reads every line learns the same, and sees every line once.
            let mut seen = Vec::new();
            prop_assert_eq!(&scan_each(&text, |l| seen.push(l.clone())), &scan);
            prop_assert_eq!(format!("{seen:?}"), format!("{lines:?}"));
        });
    }

    #[test]
    fn unicode_whitespace_before_a_comment_character_counts() {
        assert_eq!(strip_comment("a = b\u{a0}# c", true), "a = b\u{a0}");
        assert_eq!(strip_comment("a = é# c", true), "a = é# c");
    }

    #[test]
    fn headers_cut_comments_without_whitespace() {
        assert_eq!(strip_comment("[dev];x", false), "[dev]");
        assert_eq!(strip_comment("[dev] # x", false), "[dev]");
    }

    #[test]
    fn split_lines_keeps_terminators_and_lone_cr() {
        let lines: Vec<_> = split_lines("a\r\nb\nc\rd").collect();
        assert_eq!(
            lines,
            vec![("a", Eol::CrLf), ("b", Eol::Lf), ("c\rd", Eol::None)]
        );
        assert_eq!(split_lines("").count(), 0);
        assert_eq!(split_lines("\n").collect::<Vec<_>>(), vec![("", Eol::Lf)]);
    }

    #[test]
    fn indented_comment_after_property_is_a_continuation() {
        let kinds: Vec<Kind> = classify("[a]\nk = v\n  # c\n")
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
        assert_eq!(identifier_capitals("aws_access_key_id"), Some(false));
        assert_eq!(identifier_capitals("AWS_Access_key"), Some(true));
        assert_eq!(identifier_capitals("Foo!bar"), None);
        assert_eq!(identifier_capitals(""), None);
        for b in 0..=255u8 {
            let s = String::from_utf8_lossy(&[b]).into_owned();
            assert_eq!(
                identifier_capitals(&s),
                is_identifier(&s).then(|| s.bytes().any(|c| c.is_ascii_uppercase())),
                "{b}"
            );
        }
    }
}
