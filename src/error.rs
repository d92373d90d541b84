//! The one error type of the program. Each variant carries its context (path, line, profile);
//! `Display` is the sentence that says what happened, [`Error::hint`] what to do, and
//! [`Error::exit_code`] maps it to the exit codes of SPEC §8. No variant ever holds a secret.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Everything that can go wrong, with the context needed to explain it.
#[derive(Debug)]
pub enum Error {
    /// The command line asks for something impossible.
    Usage {
        message: String,
        hint: Option<String>,
    },
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
    /// STS could not be reached, or did not answer like STS.
    Unreachable { url: String, cause: String },
    /// What a program consumes could not be written to stdout.
    Stdout(io::Error),
    /// `exec` could not start the command.
    Exec { command: String, source: io::Error },
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
            Error::Usage { .. } => 2,
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
            Error::Refused(_) | Error::SessionAsLongTerm { .. } | Error::Aws { .. } => 4,
            Error::Unreachable { .. } => 5,
            Error::NoDevice { .. }
            | Error::Chain { .. }
            | Error::NoLongTermKeys { .. }
            | Error::TokenSource { .. }
            | Error::Stdout(_)
            | Error::Internal(_) => 1,
            // As a shell does: 127 when the command is not found, 126 when it cannot run.
            Error::Exec { source, .. } if source.kind() == io::ErrorKind::NotFound => 127,
            Error::Exec { .. } => 126,
        }
    }

    /// What the user can do about it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Usage { hint, .. } => hint.clone(),
            Error::NoHome => Some(
                "set HOME, or give --credentials-file and --config-file (or \
                 AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE)"
                    .into(),
            ),
            Error::Parse { line, .. } => Some(format!(
                "fix line {line} (the AWS tools cannot read it either); stsmfa changes no file it \
                 cannot read exactly"
            )),
            Error::NotUtf8 { .. } => Some("save the file as UTF-8".into()),
            Error::IsDirectory { .. } => {
                Some("point --credentials-file or AWS_SHARED_CREDENTIALS_FILE at a file".into())
            }
            Error::NotRegular { .. } => Some(
                "stsmfa only replaces regular files: point --credentials-file or \
                 AWS_SHARED_CREDENTIALS_FILE at one"
                    .into(),
            ),
            Error::ReadOnly { path } => Some(format!(
                "if stsmfa may change it, make it writable again: chmod u+w {}",
                path.display()
            )),
            Error::Unsettled { written: false, .. } => Some(
                "another program is writing the file; when it is done, check the file and run \
                 stsmfa again"
                    .into(),
            ),
            Error::Unsettled { written: true, .. } => Some(
                "check the file: the other program's last change may have to be made again".into(),
            ),
            Error::Unchangeable { path, .. } => Some(format!(
                "if stsmfa may change it, remove the attribute (as root): chattr -i -a {}",
                path.display()
            )),
            Error::Untrusted { hint, .. } => Some(hint.clone()),
            Error::SessionCollides { .. } => Some(
                "choose another --short-term-suffix (or none), so that each profile's session \
                 has a section of its own"
                    .into(),
            ),
            Error::Unsendable { section, key, .. } => Some(format!(
                "retype {key} in [{section}] (a key or token is letters, digits and + / = only)"
            )),
            Error::Io { path, source, .. } => io_hint(path, source),
            Error::LockTimeout { .. } => Some(
                "another stsmfa is changing the file; wait for it to finish and try again".into(),
            ),
            Error::Duplicate { profile, .. } => Some(format!(
                "merge the [{profile}] sections into one; stsmfa will not guess which to change"
            )),
            Error::SpacedHeader { profile, line, .. } => Some(format!(
                "write line {line} as [{profile}], without blanks inside the brackets"
            )),
            Error::Unwritable { .. } => None,
            Error::Verify { .. } => Some(
                "this is a bug in stsmfa: please report it with the layout of the file (not its \
                 keys)"
                    .into(),
            ),
            Error::LongTermSection { profile, .. } => Some(format!(
                "to remove the session of {profile}, run `stsmfa clear {profile}`"
            )),
            Error::NoSession { .. } => None,
            Error::NoDevice { profile, section } => Some(format!(
                "set aws_mfa_device in [{section}] (stsmfa setup {profile}), mfa_serial in \
                 [profile {profile}] of the config file, MFA_DEVICE, or --device ARN"
            )),
            Error::NoLongTermKeys {
                similar: Some(similar),
                section,
                ..
            } => Some(format!(
                "did you mean {similar}? Otherwise put the long-term access key and secret in \
                 [{section}] (stsmfa setup)"
            )),
            Error::NoLongTermKeys { section, .. } => Some(format!(
                "put your long-term access key and secret in [{section}] \
                 (aws_access_key_id, aws_secret_access_key)"
            )),
            Error::BaseUnavailable { base, .. } => Some(format!(
                "once {base} has a session (stsmfa -p {base}), its roles need no code"
            )),
            Error::Chain { section, .. } => Some(format!(
                "a chained role's [{section}] holds source_profile = BASE (a profile with \
                 long-term keys and a device) and assume_role = ARN, and no keys of its own"
            )),
            Error::SessionAsLongTerm { section, .. } => Some(format!(
                "put your long-term access key (AKIA...) and its secret in [{section}]"
            )),
            Error::Protected { hint, .. }
            | Error::Aws { hint, .. }
            | Error::Keychain { hint, .. } => Some(hint.clone()),
            Error::ShortTermHoldsLongTerm { profile, .. } => Some(format!(
                "move them to [{profile}-long-term] with `stsmfa setup {profile}`, then refresh"
            )),
            Error::NeedCode { reused: true, .. } => Some(
                "AWS rejects a code used twice: give each profile its own code, or use \
                 --token-command to fetch fresh ones"
                    .into(),
            ),
            Error::NeedCode { .. } => Some(
                "give --token CODE, --token - (one line on stdin), or --token-command CMD \
                 (or mfa_process in the profile)"
                    .into(),
            ),
            Error::TokenSource { .. } => None,
            Error::Refused(r) => Some(refused_hint(r)),
            Error::Unreachable { .. } => Some(
                "check your network connection, --region and --endpoint-url (or \
                 AWS_ENDPOINT_URL_STS), then try again"
                    .into(),
            ),
            Error::Exec { .. } | Error::Stdout(_) | Error::Internal(_) => None,
        }
    }
}

fn io_hint(path: &std::path::Path, e: &io::Error) -> Option<String> {
    match e.kind() {
        io::ErrorKind::PermissionDenied => Some(format!(
            "check that you own {} and its directory and may write to them",
            path.display()
        )),
        io::ErrorKind::StorageFull => Some("free some disk space and try again".into()),
        io::ErrorKind::ReadOnlyFilesystem => {
            Some("the file system is read-only; point --credentials-file elsewhere".into())
        }
        _ => None,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage { message, .. } => write!(f, "{message}"),
            Error::NoHome => write!(f, "cannot find your home directory to locate ~/.aws"),
            Error::Parse {
                path,
                line,
                message,
            } => write!(f, "{}, line {line}: {message}", path.display()),
            Error::NotUtf8 { path, line } => {
                write!(f, "{}, line {line}: not valid UTF-8 text", path.display())
            }
            Error::IsDirectory { path } => {
                write!(f, "{} is a directory, not a file", path.display())
            }
            Error::NotRegular { path, what } => write!(
                f,
                "{} is {what}, not a regular file; stsmfa never writes into it",
                path.display()
            ),
            Error::ReadOnly { path } => write!(
                f,
                "{} is read-only (its owner may not write it), so stsmfa leaves it alone",
                path.display()
            ),
            Error::Unsettled {
                path,
                what,
                written: false,
                seconds,
            } => write!(
                f,
                "{} changed while stsmfa was running and did not settle within {seconds} s \
                 ({what}); nothing was written",
                path.display(),
            ),
            Error::Unsettled {
                path,
                what,
                written: true,
                ..
            } => write!(
                f,
                "{} was written, but {what} while stsmfa was writing it",
                path.display()
            ),
            Error::Unchangeable { path, what } => write!(
                f,
                "{} is {what}, so it cannot be replaced; nothing was asked or written",
                path.display()
            ),
            Error::Untrusted { path, what, .. } => write!(f, "{} {what}", path.display()),
            Error::SessionCollides {
                profile,
                section,
                other,
            } => write!(
                f,
                "the session of {profile} would go into [{section}], which is the profile {other} \
                 (it has long-term keys of its own); nothing was changed"
            ),
            Error::Unsendable { path, section, key } => write!(
                f,
                "{}: {key} in [{section}] holds a control character, which no AWS key has; \
                 nothing was sent",
                path.display()
            ),
            Error::Io {
                path,
                action,
                source,
            } => write!(f, "cannot {action} {}: {}", path.display(), plain(source)),
            Error::LockTimeout { path, seconds } => write!(
                f,
                "gave up after {seconds} s waiting for the lock {}",
                path.display()
            ),
            Error::Duplicate {
                path,
                profile,
                lines,
            } => write!(
                f,
                "[{profile}] appears {} times in {} (lines {}); nothing was changed",
                lines.len(),
                path.display(),
                join_lines(lines)
            ),
            Error::SpacedHeader {
                path,
                profile,
                line,
            } => write!(
                f,
                "{}, line {line}: the header of [{profile}] has blanks inside the brackets, so \
                 the AWS CLI reads it as another profile; nothing was changed",
                path.display()
            ),
            Error::Unwritable { path, what, reason } => write!(
                f,
                "{what} {reason}, so it cannot be written to {}; nothing was changed",
                path.display()
            ),
            Error::Verify { path, profile } => write!(
                f,
                "the change to [{profile}] did not read back as intended, so {} was left as it was",
                path.display()
            ),
            Error::LongTermSection { path, section, .. } => write!(
                f,
                "[{section}] in {} holds long-term keys; stsmfa never removes them",
                path.display()
            ),
            Error::NoSession {
                path,
                section,
                exists: true,
            } => write!(
                f,
                "[{section}] in {} holds no session (no aws_session_token), so it was left alone",
                path.display()
            ),
            Error::NoSession {
                path,
                section,
                exists: false,
            } => write!(f, "there is no [{section}] in {}", path.display()),
            Error::NoDevice { profile, .. } => {
                write!(f, "no MFA device is set for {profile}")
            }
            Error::NoLongTermKeys {
                path,
                section,
                exists: false,
                ..
            } => write!(f, "there is no [{section}] in {}", path.display()),
            Error::NoLongTermKeys {
                path, section, key, ..
            } => write!(f, "[{section}] in {} has no {key}", path.display()),
            Error::Chain {
                path,
                section,
                message,
            } => write!(
                f,
                "[{section}] in {} cannot be used: {message}",
                path.display()
            ),
            Error::BaseUnavailable { base, .. } => write!(
                f,
                "this role is assumed with the session of {base}, which could not be made (see \
                 above)"
            ),
            Error::SessionAsLongTerm { path, section } => write!(
                f,
                "[{section}] in {} holds session credentials (an ASIA key or a session token), \
                 not long-term keys",
                path.display()
            ),
            Error::Protected { message, .. }
            | Error::Aws { message, .. }
            | Error::Keychain { message, .. } => {
                write!(f, "{message}")
            }
            Error::ShortTermHoldsLongTerm { path, section, .. } => write!(
                f,
                "[{section}] in {} holds long-term keys; a refresh would overwrite them",
                path.display()
            ),
            Error::NeedCode {
                profile,
                reused: false,
            } => write!(
                f,
                "an MFA code is needed for {profile} and no prompt can be shown (--no-input, or \
                 stdin is not a terminal)"
            ),
            Error::NeedCode {
                profile,
                reused: true,
            } => write!(
                f,
                "{profile} needs a fresh MFA code: the one given was already used for \
                 another profile on the same device"
            ),
            Error::TokenSource { source_name, cause } => {
                write!(f, "could not get an MFA code from {source_name}: {cause}")
            }
            Error::Refused(r) => write!(f, "{}", refusal_message(r)),
            Error::Unreachable { url, cause } => {
                write!(f, "could not reach STS at {url}: {cause}")
            }
            Error::Exec { command, source } => {
                write!(f, "cannot run {command}: {}", plain(source))
            }
            Error::Stdout(e) => write!(f, "cannot write to standard output: {}", plain(e)),
            Error::Internal(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

fn refusal_hint(refusal: &Refusal) -> String {
    match refusal {
        Refusal::CodeRejected => "wait for the next code on your device and try again".into(),
        Refusal::UnknownKey => {
            "check the key in the IAM console; put an active key in the long-term section".into()
        }
        Refusal::WrongSecret => "copy the secret access key that belongs to this key again".into(),
        Refusal::SessionKeys => {
            "put your long-term access key (AKIA...) and its secret in the long-term section".into()
        }
        Refusal::RoleDenied { .. } => {
            "check the role's trust policy and its MFA condition, and the role ARN".into()
        }
        Refusal::DurationTooLong { .. } => {
            "ask for less with --duration (e.g. 1h), or raise the role's maximum session duration"
                .into()
        }
        Refusal::Throttled => "wait a minute and try again".into(),
        Refusal::Other => "see the AWS message above".into(),
    }
}

/// What to do about a refusal: the row's hint, or for one without an AWS message, what the
/// status says.
fn refused_hint(r: &Refused) -> String {
    match (&r.refusal, r.status) {
        (Refusal::Other, 500..) => {
            "STS failed on its side after every retry; try again in a few minutes".into()
        }
        (Refusal::Other, 407) => "the proxy wants credentials: put them in HTTPS_PROXY as \
             http://USER:PASSWORD@HOST:PORT"
            .into(),
        (Refusal::Other, _) if r.message.is_empty() => format!(
            "something answered HTTP {} without saying why; check the endpoint URL and any \
             proxy in between",
            r.status
        ),
        (refusal, _) => refusal_hint(refusal),
    }
}

fn refusal_message(r: &Refused) -> String {
    let (section, key) = (&r.section, &r.key);
    match &r.refusal {
        Refusal::CodeRejected => {
            "STS refused the MFA code: it was wrong, expired or already used".into()
        }
        Refusal::UnknownKey => {
            format!("STS does not know the access key {key} in [{section}], or it is deactivated")
        }
        Refusal::WrongSecret => {
            format!("the secret key in [{section}] does not match its access key {key}")
        }
        Refusal::SessionKeys => {
            format!("[{section}] holds session credentials ({key}), not long-term keys")
        }
        Refusal::RoleDenied { role } => {
            format!("STS does not allow {key} of [{section}] to assume {role}")
        }
        Refusal::DurationTooLong {
            duration,
            role: Some(role),
        } => format!("the duration {duration} s is above the maximum session duration of {role}"),
        Refusal::DurationTooLong {
            duration,
            role: None,
        } => {
            format!("STS refused the duration {duration} s")
        }
        Refusal::Throttled => "STS is throttling requests".into(),
        Refusal::Other => match (r.code.as_str(), r.message.as_str()) {
            ("", _) => format!("STS refused the request with HTTP {}", r.status),
            (code, "") => format!("STS refused the request: {code} (HTTP {})", r.status),
            (code, message) => format!("STS refused the request: {code}: {message}"),
        },
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

fn join_lines(lines: &[usize]) -> String {
    let text: Vec<String> = lines.iter().map(ToString::to_string).collect();
    match text.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => text.join(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_names_every_line() {
        let e = Error::Duplicate {
            path: "/c".into(),
            profile: "dev".into(),
            lines: vec![3, 9, 12],
        };
        assert_eq!(
            e.to_string(),
            "[dev] appears 3 times in /c (lines 3, 9 and 12); nothing was changed"
        );
        assert_eq!(e.exit_code(), 6);
    }

    #[test]
    fn usage_errors_exit_2() {
        let e = Error::Usage {
            message: "x".into(),
            hint: None,
        };
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn io_errors_lose_the_os_error_suffix() {
        let e = Error::Io {
            path: "/c".into(),
            action: "write",
            source: io::Error::from_raw_os_error(5),
        };
        assert_eq!(e.to_string(), "cannot write /c: Input/output error");
    }
}
