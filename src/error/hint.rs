//! What the user can do about each error: the hint line under its message.

use std::io;

use super::{Error, Refusal, Refused};

impl Error {
    /// What the user can do about it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Usage(u) => Some(u.hint()),
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
            Error::Io {
                path,
                source,
                action,
            } => io_hint(path, action, source),
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
            Error::NoCredentialsFile { .. } => Some(
                "stsmfa setup NAME writes it; --credentials-file or AWS_SHARED_CREDENTIALS_FILE \
                 names another file"
                    .into(),
            ),
            Error::UnknownProfile {
                similar: Some(similar),
                ..
            } => Some(format!(
                "did you mean {similar}? (stsmfa status lists the profiles)"
            )),
            Error::UnknownProfile {
                name,
                no_file: true,
                ..
            } => Some(format!(
                "stsmfa setup {name} writes it; --credentials-file or \
                 AWS_SHARED_CREDENTIALS_FILE names another file"
            )),
            Error::UnknownProfile { name, .. } => Some(format!(
                "stsmfa setup {name} sets it up; stsmfa status lists the profiles"
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
            Error::Unreachable { code_sent, .. } => Some(format!(
                "{}check your network connection, --region and --endpoint-url (or \
                 AWS_ENDPOINT_URL_STS), then try again",
                if *code_sent {
                    "wait for the next MFA code; "
                } else {
                    ""
                }
            )),
            Error::Stdio { action, .. } if action.starts_with("ask") => Some(
                "run it in a terminal, or give everything it asks for as options (--no-input says \
                 which)"
                    .into(),
            ),
            Error::Stdio { .. } => None,
            Error::SigninUnreachable { .. } => Some(
                "check your network connection and proxy (HTTPS_PROXY), or \
                 AWS_ENDPOINT_URL_SIGNIN when it is set, then try again"
                    .into(),
            ),
            Error::SigninRefused { .. } => Some(
                "check that the role may sign in to the console; stsmfa --force PROFILE gets \
                 the role a new session"
                    .into(),
            ),
            Error::Exec { .. } | Error::Stdout(_) | Error::Cancelled | Error::Internal(_) => None,
        }
    }
}

fn io_hint(path: &std::path::Path, action: &str, e: &io::Error) -> Option<String> {
    let reading = action == "read" || action == "look at" || action == "read the symlink";
    match e.kind() {
        io::ErrorKind::PermissionDenied if reading => Some(format!(
            "check that you may read {} and enter its directory (ls -l shows who may)",
            path.display()
        )),
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
        (Refusal::Other, 500..) if r.code_sent => "STS failed on its side; the MFA code may be \
             spent: wait for the next MFA code, then try again"
            .into(),
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
