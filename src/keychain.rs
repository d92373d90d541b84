//! The OS keychain as the home of a long-term secret (SPEC §10): Secret Service on Linux and
//! the BSDs, Keychain on macOS, Credential Manager on Windows, all through the `keyring` crate.
//! An entry is service `stsmfa`, user (account) = the access key id; the long-term section then
//! says `secret_access_key = keychain` instead of holding `aws_secret_access_key`.
//!
//! Nothing here runs unless a profile keeps its secret in the keychain or the user asks to move
//! it, so the still-valid path never connects to the keychain.

use crate::error::Error;
use crate::ini::Read as _;
use crate::ini::{Document, Properties};
use crate::keys;
use crate::secret::{Secret, mask};

/// The entry's service name.
pub(crate) const SERVICE: &str = "stsmfa";

/// The value of [`keys::SECRET_PLACE`] that says the secret is in the keychain.
pub(crate) const MARKER: &str = "keychain";

/// Where a long-term section's secret access key lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// `aws_secret_access_key` in the file (it wins when both are there, as it does for
    /// every AWS tool).
    File,
    /// `secret_access_key = keychain` and no `aws_secret_access_key`.
    Keychain,
    /// Neither.
    Nowhere,
}

impl Place {
    pub(crate) fn of(props: &Properties<'_>) -> Place {
        if props.contains_key(keys::SECRET_ACCESS_KEY) {
            Place::File
        } else if is_marker(props.get(keys::SECRET_PLACE)) {
            Place::Keychain
        } else {
            Place::Nowhere
        }
    }

    /// The word `status` shows.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Place::File => "file",
            Place::Keychain => "keychain",
            Place::Nowhere => "none",
        }
    }
}

/// Whether a section of `doc` (a credentials file) keeps the secret of `key_id` in the
/// keychain: its entry must stay.
pub(crate) fn in_use(doc: &Document<'_>, key_id: &str) -> bool {
    doc.named_sections().into_iter().any(|(section, _)| {
        let props = doc.section_properties(section);
        props.get(keys::ACCESS_KEY_ID) == Some(key_id) && Place::of(&props) == Place::Keychain
    })
}

fn is_marker(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case(MARKER))
}

/// Whether the keychain may show its own unlock prompt: not with `--no-input` or without a
/// terminal (a run from cron must not put a dialog on a desktop and wait for it).
static MAY_ASK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Lets the keychain ask to be unlocked, or not (set once, from the command line).
pub(crate) fn may_ask(yes: bool) {
    MAY_ASK.store(yes, std::sync::atomic::Ordering::Relaxed);
}

/// What went wrong with the keychain, before it is put into a sentence about a profile.
#[derive(Debug)]
pub(crate) enum Failure {
    /// No keychain: no D-Bus session, no Secret Service, ...
    Unreachable(String),
    /// The Secret Service has no default collection (keyring) to keep entries in.
    NoCollection,
    /// The keychain is locked and was not unlocked (no prompt could be shown, or it was
    /// dismissed).
    Locked(String),
    /// The keychain has no entry for the key.
    Missing,
    /// The entry exists but cannot be used (not text, several entries, ...).
    Unusable(String),
}

/// What was being done, for the sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Doing {
    /// Reading the secret for a run.
    Read,
    /// Storing the secret.
    Store,
    /// Deleting the entry of a key the section no longer keeps there.
    Delete,
}

/// Whose secret it is: the profile and its long-term section.
#[derive(Clone, Copy, Debug)]
pub(crate) struct About<'a> {
    pub profile: &'a str,
    pub section: &'a str,
}

impl Failure {
    /// The error to report, naming the section and the key (masked).
    pub(crate) fn error(self, doing: Doing, about: About<'_>, key_id: &str) -> Error {
        let key = mask(key_id);
        let About { profile, section } = about;
        let what = match doing {
            Doing::Read => {
                format!("cannot read [{section}]'s secret access key ({key}) from the OS keychain")
            }
            Doing::Store => {
                format!("cannot store [{section}]'s secret access key ({key}) in the OS keychain")
            }
            Doing::Delete => {
                format!("cannot delete the OS keychain's entry for {key} (of [{section}])")
            }
        };
        match self {
            Failure::Unreachable(cause) => Error::Keychain {
                message: format!("{what}: the keychain cannot be reached ({cause})"),
                hint: unreachable_hint(profile),
            },
            Failure::Locked(cause) => Error::Keychain {
                message: format!("{what}: the keychain is locked and was not unlocked ({cause})"),
                hint: "unlock it (your desktop's keyring or password manager), then run again; \
                       nothing was written"
                    .into(),
            },
            Failure::NoCollection => Error::Keychain {
                message: format!(
                    "{what}: the Secret Service has no default keyring (collection) to keep it in"
                ),
                hint: format!(
                    "create a keyring and make it the default (GNOME's Passwords and Keys, \
                     KWallet, or KeePassXC's Secret Service integration), then run again; or \
                     keep the secret in the file: stsmfa setup {profile} --no-keychain \
                     --secret-access-key-stdin < FILE; nothing was written"
                ),
            },
            Failure::Missing => {
                let again = match doing {
                    Doing::Read => format!(
                        "store it again: stsmfa setup {profile} --keychain \
                         --secret-access-key-stdin < FILE"
                    ),
                    _ => format!("[{section}] says secret_access_key = keychain"),
                };
                Error::Keychain {
                    message: format!(
                        "{what}: the keychain has no entry for it (service {SERVICE}, account \
                         {key})"
                    ),
                    hint: again,
                }
            }
            Failure::Unusable(cause) => Error::Keychain {
                message: format!("{what}: {cause}"),
                hint: format!(
                    "remove the keychain's entries of service {SERVICE} for {key} and store the \
                     secret again: stsmfa setup {profile} --keychain --secret-access-key-stdin \
                     < FILE"
                ),
            },
        }
    }
}

/// What to do when there is no keychain, for the platform this runs on.
fn unreachable_hint(profile: &str) -> String {
    let reach = if cfg!(target_os = "macos") {
        "unlock the login keychain (Keychain Access)"
    } else if cfg!(windows) {
        "sign in to a Windows session with Credential Manager"
    } else {
        "run in a desktop session with an unlocked Secret Service (GNOME Keyring, KWallet, \
         KeePassXC); from cron or ssh, set DBUS_SESSION_BUS_ADDRESS to that session's bus \
         (unix:path=/run/user/UID/bus)"
    };
    format!(
        "{reach}; or put the secret back in the file: stsmfa setup {profile} --no-keychain \
         --secret-access-key-stdin < FILE; nothing was written"
    )
}

fn entry(key_id: &str) -> Result<keyring::Entry, Failure> {
    if !MAY_ASK.load(std::sync::atomic::Ordering::Relaxed) && would_ask_to_unlock(key_id) {
        return Err(Failure::Locked(
            "--no-input, or no terminal: the keychain was not let ask to be unlocked".into(),
        ));
    }
    keyring::Entry::new(SERVICE, key_id).map_err(|e| match e {
        keyring::Error::NoDefaultStore => {
            let cause = match keyring::Entry::store_status() {
                Err(e) => describe(e),
                Ok(()) => "no keychain".into(),
            };
            Failure::Unreachable(cause)
        }
        other => failure(other),
    })
}

/// Whether reaching `key_id`'s entry would make the Secret Service ask to unlock something:
/// an entry for it in a locked collection, or a locked default collection (where a new one
/// goes). Asked without unlocking anything; a service that cannot be asked answers no (the
/// keyring's own call then says why).
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn would_ask_to_unlock(key_id: &str) -> bool {
    use secret_service::EncryptionType;
    use secret_service::blocking::SecretService;
    let Ok(ss) = SecretService::connect(EncryptionType::Plain) else {
        return false;
    };
    let attributes = std::collections::HashMap::from([("service", SERVICE), ("username", key_id)]);
    if ss
        .search_items(attributes)
        .is_ok_and(|found| !found.locked.is_empty())
    {
        return true;
    }
    ss.get_default_collection()
        .and_then(|c| c.is_locked())
        .unwrap_or(false)
}

/// Elsewhere the platform's keychain asks on its own terms.
#[cfg(not(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
)))]
fn would_ask_to_unlock(_: &str) -> bool {
    false
}

/// A keyring error as a cause, never with the secret's bytes in it, in words a user knows (the
/// Secret Service library's own say "SS error" and "SS API").
fn describe(e: &keyring::Error) -> String {
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            let text = inner.to_string();
            match text.as_str() {
                "SS Error: object locked" => return "it is locked".into(),
                "SS error: prompt dismissed" => return "its unlock prompt was dismissed".into(),
                "SS error: connection closed before prompt completed" => {
                    return "the connection closed while its unlock prompt was open".into();
                }
                "SS error: result not returned from SS API" => {
                    return "the Secret Service gave no answer".into();
                }
                _ => {}
            }
            // The libraries' own prefixes say nothing to a user.
            ["zbus error: ", "SS error: ", "SS Error: "]
                .iter()
                .fold(text.as_str(), |t, p| t.strip_prefix(p).unwrap_or(t))
                .to_owned()
        }
        keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => {
            "the entry is not text".into()
        }
        keyring::Error::Ambiguous(entries) => format!(
            "the keychain has {} entries for it; there must be one",
            entries.len()
        ),
        other => other.to_string(),
    }
}

fn failure(e: keyring::Error) -> Failure {
    match e {
        keyring::Error::NoEntry => Failure::Missing,
        // What the Secret Service answers when its default alias names no collection.
        keyring::Error::NoStorageAccess(ref inner)
            if inner.to_string() == "SS error: result not returned from SS API" =>
        {
            Failure::NoCollection
        }
        keyring::Error::NoStorageAccess(_) => Failure::Locked(describe(&e)),
        keyring::Error::PlatformFailure(_) | keyring::Error::NoDefaultStore => {
            Failure::Unreachable(describe(&e))
        }
        other => Failure::Unusable(describe(&other)),
    }
}

/// The secret kept for `key_id`.
pub(crate) fn read(key_id: &str) -> Result<Secret, Failure> {
    let bytes = entry(key_id)?.get_secret().map_err(failure)?;
    // Moved into the `Secret`, not copied; bytes that are not text are wiped by `Zeroizing`.
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Secret::new(s)),
        Err(e) => {
            drop(zeroize::Zeroizing::new(e.into_bytes()));
            Err(Failure::Unusable("the entry is not text".into()))
        }
    }
}

/// Stores the secret for `key_id`, then reads it back: the caller changes the file only when
/// the keychain has returned the secret it was given.
pub(crate) fn store(key_id: &str, secret: &Secret) -> Result<(), Failure> {
    entry(key_id)?
        .set_secret(secret.expose().as_bytes())
        .map_err(failure)?;
    let back = read(key_id)?;
    if back == *secret {
        Ok(())
    } else {
        Err(Failure::Unusable(
            "the keychain gave back another secret than it was given".into(),
        ))
    }
}

/// Whether the keychain has an entry for `key_id`.
pub(crate) fn holds(key_id: &str) -> Result<bool, Failure> {
    match read(key_id) {
        Ok(_) => Ok(true),
        Err(Failure::Missing) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Deletes the entry for `key_id`; one that is already gone is not an error.
pub(crate) fn delete(key_id: &str) -> Result<(), Failure> {
    match entry(key_id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(failure(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_line_wins_over_the_marker() {
        let text = "[a]\naws_secret_access_key = s\nsecret_access_key = keychain\n\
                    [b]\nsecret_access_key = Keychain\n[c]\naws_access_key_id = A\n";
        let doc = crate::ini::Document::parse(text);
        let place = |name: &str| {
            let section = doc.find(crate::ini::FileKind::Credentials, name);
            match section {
                Ok(Some(s)) => Place::of(&doc.section_properties(s)),
                other => panic!("no single [{name}]: {other:?}"),
            }
        };
        assert_eq!(place("a"), Place::File);
        assert_eq!(place("b"), Place::Keychain);
        assert_eq!(place("c"), Place::Nowhere);
    }

    #[test]
    fn messages_name_the_section_and_a_masked_key_only() {
        let e = Failure::Missing.error(
            Doing::Read,
            About {
                profile: "dev",
                section: "dev-long-term",
            },
            "AKIAIOSFODNN7EXAMPLE",
        );
        assert_eq!(e.exit_code(), 6);
        let text = format!("{e}");
        assert!(
            text.contains("[dev-long-term]") && text.contains("****MPLE"),
            "{text}"
        );
        assert!(!text.contains("AKIAIOSFODNN7EXAMPLE"), "{text}");
        assert_eq!(
            e.hint().as_deref(),
            Some("store it again: stsmfa setup dev --keychain --secret-access-key-stdin < FILE")
        );
    }
}
