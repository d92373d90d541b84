//! What reading and editing a document can refuse.

/// The first line the SDK parser rejects, 1-based, with the SDK's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Why an edit was refused. Nothing is changed when an edit returns an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// The document has a line the SDK parser rejects.
    Parse(ParseError),
    /// The profile's section appears more than once (1-based header lines).
    Duplicate { profile: String, lines: Vec<usize> },
    /// The profile's header has blanks inside its brackets (`[ dev ]`): the SDK rules trim
    /// them, the AWS CLI does not (1-based header line).
    SpacedHeader { profile: String, line: usize },
    /// The profile name is not one the SDK would read.
    BadName { profile: String },
    /// The key is not one the SDK would read.
    BadKey { key: String },
    /// The value would read back differently.
    BadValue { key: String, reason: &'static str },
    /// A value spread over continuation lines cannot be moved to a single line.
    MultiLine { profile: String, key: String },
    /// After the edit, the file does not read back as intended.
    Verify { profile: String },
}
