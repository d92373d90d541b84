//! What reading and editing a document can refuse.

/// The first line the SDK parser rejects, 1-based, with the SDK's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based, as an editor shows it.
    pub line: usize,
    /// What the SDK would say of the line.
    pub message: String,
}

/// Why an edit was refused. Nothing is changed when an edit returns an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// The document has a line the SDK parser rejects.
    Parse(ParseError),
    /// The profile's section appears more than once.
    Duplicate {
        /// The profile the edit was for.
        profile: String,
        /// Every header of it, 1-based, so that the user can pick which goes.
        lines: Vec<usize>,
    },
    /// The profile's header has blanks inside its brackets (`[ dev ]`): the SDK rules trim
    /// them, the AWS CLI does not.
    SpacedHeader {
        /// The profile the edit was for.
        profile: String,
        /// The header's 1-based line.
        line: usize,
    },
    /// The profile name is not one the SDK would read.
    BadName {
        /// The name as given.
        profile: String,
    },
    /// The key is not one the SDK would read.
    BadKey {
        /// The key as given.
        key: String,
    },
    /// The value would read back differently.
    BadValue {
        /// The key the value was for.
        key: String,
        /// What about the value would change on reading (a comment marker, a newline ...).
        reason: &'static str,
    },
    /// A value spread over continuation lines cannot be moved to a single line.
    MultiLine {
        /// The profile the edit was for.
        profile: String,
        /// The key whose value continues.
        key: String,
    },
    /// After the edit, the file does not read back as intended.
    Verify {
        /// The profile that would read back wrong.
        profile: String,
    },
}
