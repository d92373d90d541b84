//! The one error type of the program. Each variant carries its context (path, line, profile);
//! `Display` is the sentence that says what happened, [`Error::hint`] what to do, and
//! [`Error::exit_code`] maps it to the exit codes of SPEC §8. No variant ever holds a secret.

mod hint;
mod message;
mod usage;

use std::io;
use std::path::PathBuf;

pub(crate) use usage::Usage;

/// Everything that can go wrong, with the context needed to explain it.
#[derive(Debug)]
pub enum Error {
    /// The command line, or a setting, asks for something impossible.
    Usage(Usage),
    /// No home directory to find `~/.aws` in.
    NoHome,
    /// A line the AWS SDKs cannot read.
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// The file holds bytes that are not UTF-8; `line` is where the first one is.
    NotUtf8 { path: PathBuf, line: usize },
    /// The path names a directory.
    IsDirectory { path: PathBuf },
    /// The path names a FIFO, a socket or a device, which is never replaced.
    NotRegular { path: PathBuf, what: &'static str },
    /// The file has no write permission for its owner: the user protected it.
    ReadOnly { path: PathBuf },
    /// Another program left the file in a state that must not be written over (SPEC §6.3).
    /// `written`: this run's change is in the file, but that program's may not be.
    Unsettled {
        path: PathBuf,
        what: String,
        written: bool,
        /// How long the run waited for it.
        seconds: u64,
    },
    /// The file or its directory carries an attribute that forbids replacing it
    /// (`chattr +i`, `chattr +a`).
    Unchangeable { path: PathBuf, what: &'static str },
    /// With the suffixes given, `profile`'s session section is another managed profile's.
    SessionCollides {
        profile: String,
        section: String,
        other: String,
    },
    /// A key id or token holds a control character, which no AWS key has: it was not sent.
    Unsendable {
        path: PathBuf,
        section: String,
        key: &'static str,
    },
    /// A file beside the credentials file (the lock, the directory) that a run must not trust:
    /// a symlink, another user's file, a file anyone may write.
    Untrusted {
        path: PathBuf,
        what: String,
        hint: String,
    },
    /// A file system call failed.
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
    /// Another process held the lock for too long.
    LockTimeout { path: PathBuf, seconds: u64 },
    /// A section the change needs appears more than once.
    Duplicate {
        path: PathBuf,
        profile: String,
        lines: Vec<usize>,
    },
    /// The profile's header has blanks inside its brackets, which the AWS CLI keeps.
    SpacedHeader {
        path: PathBuf,
        profile: String,
        line: usize,
    },
    /// A value or name that the file could not hold so that it reads back the same.
    Unwritable {
        path: PathBuf,
        what: String,
        reason: String,
    },
    /// The edited file did not read back as intended; nothing was written.
    Verify { path: PathBuf, profile: String },
    /// The named section holds long-term keys and must not be touched by this command.
    LongTermSection {
        path: PathBuf,
        section: String,
        profile: String,
    },
    /// The named section holds no session credentials.
    NoSession {
        path: PathBuf,
        section: String,
        exists: bool,
    },
    /// No MFA device is set for the profile.
    NoDevice { profile: String, section: String },
    /// The long-term section or one of its keys is missing.
    /// The credentials file a command reads does not exist.
    NoCredentialsFile { path: PathBuf },
    /// A profile named on the command line is in neither file (SPEC §3).
    UnknownProfile {
        name: String,
        credentials: PathBuf,
        config: PathBuf,
        /// The credentials file does not exist.
        no_file: bool,
        /// The profile of either file whose name is closest to it.
        similar: Option<String>,
    },
    NoLongTermKeys {
        path: PathBuf,
        section: String,
        key: &'static str,
        exists: bool,
        /// A profile with a long-term section whose name is close to the one asked for.
        similar: Option<String>,
    },
    /// A chained profile's `source_profile` cannot be followed.
    Chain {
        path: PathBuf,
        section: String,
        message: String,
    },
    /// A chained role's base profile has no session and could not get one in this run
    /// (its own error was shown); `code` is that error's exit code.
    BaseUnavailable { base: String, code: u8 },
    /// The long-term section holds session credentials.
    SessionAsLongTerm { path: PathBuf, section: String },
    /// The short-term section holds long-term keys, which a refresh would overwrite.
    /// AWS refused an IAM call (or a check of keys), said as a sentence.
    Aws { message: String, hint: String },
    /// A section whose long-term keys stsmfa will not take out without being told to.
    Protected { message: String, hint: String },
    /// The OS keychain cannot be reached, or lacks the secret the file points to.
    Keychain { message: String, hint: String },
    ShortTermHoldsLongTerm {
        path: PathBuf,
        section: String,
        profile: String,
    },
    /// An MFA code is needed and there is no way to get one.
    NeedCode { profile: String, reused: bool },
    /// A code source failed.
    TokenSource { source_name: String, cause: String },
    /// STS refused the request.
    Refused(Box<Refused>),
    /// STS could not be reached, or did not answer like STS. `code_sent`: a request that
    /// carried an MFA code went out, so the code may be spent (SPEC §7).
    Unreachable {
        url: String,
        cause: String,
        code_sent: bool,
    },
    /// The console's sign-in endpoint could not be reached.
    SigninUnreachable { url: String, cause: String },
    /// The console's sign-in endpoint did not give a sign-in token for the session.
    SigninRefused {
        url: String,
        status: u16,
        why: String,
    },
    /// What a program consumes could not be written to stdout.
    Stdout(io::Error),
    /// `exec` could not start the command.
    Exec { command: String, source: io::Error },
    /// Reading the terminal or stdin, or another of the process's own streams and resources
    /// (not a file), failed.
    Stdio {
        action: &'static str,
        source: io::Error,
    },
    /// Ctrl-D at a question: the run stops, nothing more is done.
    Cancelled,
    /// Something that should not happen.
    Internal(String),
}

/// What STS refused, and for which keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub refusal: Refusal,
    /// The long-term section, and its access key masked to the last four characters.
    pub section: String,
    pub key: String,
    /// The HTTP status, and STS's error code and message (empty when the answer had none).
    pub status: u16,
    pub code: String,
    pub message: String,
    /// The request carried an MFA code (which STS takes once).
    pub code_sent: bool,
}

/// Why STS refused a request (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    CodeRejected,
    UnknownKey,
    WrongSecret,
    SessionKeys,
    RoleDenied { role: String },
    DurationTooLong { duration: u32, role: Option<String> },
    Throttled,
    Other,
}

impl Error {
    /// The process exit code for this error (SPEC §8).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::BaseUnavailable { code, .. } => *code,
            Error::NoHome
            | Error::Parse { .. }
            | Error::NotUtf8 { .. }
            | Error::IsDirectory { .. }
            | Error::NotRegular { .. }
            | Error::ReadOnly { .. }
            | Error::Unsettled { .. }
            | Error::Unchangeable { .. }
            | Error::Unsendable { .. }
            | Error::SessionCollides { .. }
            | Error::Untrusted { .. }
            | Error::Io { .. }
            | Error::LockTimeout { .. }
            | Error::Duplicate { .. }
            | Error::SpacedHeader { .. }
            | Error::Unwritable { .. }
            | Error::Verify { .. }
            | Error::LongTermSection { .. }
            | Error::NoSession { .. }
            | Error::Protected { .. }
            | Error::Keychain { .. }
            | Error::ShortTermHoldsLongTerm { .. } => 6,
            Error::NeedCode { .. } => 3,
            // SPEC §7 lists a session key in the long-term section with STS's refusals,
            // whether STS or stsmfa notices it first.
            Error::Refused(_)
            | Error::SessionAsLongTerm { .. }
            | Error::Aws { .. }
            | Error::SigninRefused { .. } => 4,
            Error::Unreachable { .. } | Error::SigninUnreachable { .. } => 5,
            Error::NoDevice { .. }
            | Error::Chain { .. }
            | Error::NoLongTermKeys { .. }
            | Error::UnknownProfile { .. }
            | Error::NoCredentialsFile { .. }
            | Error::TokenSource { .. }
            | Error::Stdout(_)
            | Error::Stdio { .. }
            | Error::Cancelled
            | Error::Internal(_) => 1,
            // As a shell does: 127 when the command is not found, 126 when it cannot run.
            Error::Exec { source, .. } if source.kind() == io::ErrorKind::NotFound => 127,
            Error::Exec { .. } => 126,
        }
    }
}

/// `io::Error`'s text without the "(os error N)" suffix.
pub(crate) fn plain(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}
