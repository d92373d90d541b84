//! The sentence that says what happened, for each error.

use std::fmt;

#[cfg(test)]
use super::Usage;
use super::{Error, Refusal, Refused, plain};

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(u) => write!(f, "{u}"),
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
            Error::NoCredentialsFile { path } => {
                write!(f, "{} does not exist", path.display())
            }
            Error::UnknownProfile {
                name,
                credentials,
                no_file: true,
                ..
            } => write!(
                f,
                "there is no profile {name}: {} does not exist",
                credentials.display()
            ),
            Error::UnknownProfile {
                name,
                credentials,
                config,
                ..
            } => write!(
                f,
                "there is no profile {name} in {} or {}",
                credentials.display(),
                config.display()
            ),
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
            Error::Unreachable {
                url,
                cause,
                code_sent,
            } => {
                write!(f, "could not reach STS at {url}: {cause}")?;
                if *code_sent {
                    write!(f, "; the MFA code went out and may be spent")?;
                }
                Ok(())
            }
            Error::SigninUnreachable { url, cause } => {
                write!(
                    f,
                    "could not reach the console sign-in endpoint at {url}: {cause}"
                )
            }
            Error::SigninRefused { url, status, why } => write!(
                f,
                "the console sign-in endpoint at {url} gave no sign-in token for the session \
                 (HTTP {status}): {why}"
            ),
            Error::Exec { command, source } => {
                write!(f, "cannot run {command}: {}", plain(source))
            }
            Error::Stdout(e) => write!(f, "cannot write to standard output: {}", plain(e)),
            Error::Stdio { action, source } => write!(f, "cannot {action}: {}", plain(source)),
            Error::Cancelled => write!(f, "cancelled (end of input at the question)"),
            Error::Internal(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

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
    use std::io;

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
        let e = Error::Usage(Usage::SameSuffixes);
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
