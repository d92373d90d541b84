//! What `stsmfa setup` decides, apart from what it asks: what a profile's sections hold now,
//! what is done about long-term keys found in `[NAME]`, where the secret goes and whether it
//! is needed at all, and the one write (the OS keychain first, undone when the file cannot be
//! written). A chained role's section is checked against the chain rule and written the same
//! way. The command asks for what is missing and says what happened.

use std::borrow::Cow;

use super::context::Context;
use super::files::Files;
use super::profile::{Broken, chain_rule};
use super::write::{LongTermKeys, forget_entry, write_long_term, write_section};
use crate::error::Error;
use crate::ini::Properties;
use crate::keychain::{self, About, Place};
use crate::keys;
use crate::secret::Secret;
use crate::settings::{self, RoleArn, SessionKind};

/// What is done about long-term keys found in `[NAME]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fix {
    /// `[NAME-long-term]` has no keys: they move there.
    Move,
    /// `[NAME-long-term]` has the same keys: `[NAME]`'s copy goes.
    RemoveCopy,
    /// `[NAME-long-term]` has other keys: `[NAME]`'s replace them.
    Replace,
}

/// What a profile's sections hold before anything is asked.
pub(crate) struct Found<'f> {
    /// `[NAME-long-term]`.
    pub(crate) long_section: String,
    /// `[NAME]`.
    pub(crate) short_section: String,
    /// What `[NAME-long-term]` holds (nothing when it does not exist).
    pub(crate) existing: Properties<'f>,
    /// Long-term keys found in `[NAME]`, and what is done about them.
    pub(crate) fix: Option<(Fix, Properties<'f>)>,
    /// Where `[NAME-long-term]` keeps its secret now.
    pub(crate) kept: Place,
}

/// Reads what `profile`'s sections hold, and decides what is done about long-term keys in
/// `[NAME]`: a copy of `[NAME-long-term]`'s keys (the secret compared where it is kept) goes,
/// other keys replace them, keys with no long-term section to go to move there.
pub(crate) fn find<'f>(
    ctx: &Context<'_>,
    files: &Files<'f>,
    profile: &str,
) -> Result<Found<'f>, Error> {
    let path = ctx.files.credentials.as_path();
    let long_section = ctx.naming.long_term(profile);
    let short_section = ctx.naming.short_term(profile);
    let existing = files.section(&long_section, path)?.unwrap_or_default();
    let kept = Place::of(&existing);
    let in_short = files
        .section(&short_section, path)?
        .filter(|p| crate::credentials::holds_long_term_keys(Some(p)));
    let old_id = existing.get(keys::ACCESS_KEY_ID);
    let fix = in_short.map(|p| {
        let same_id = p.get(keys::ACCESS_KEY_ID) == old_id;
        let copy = same_id
            && match (kept, p.get(keys::SECRET_ACCESS_KEY)) {
                (Place::Keychain, Some(theirs)) => {
                    old_id.is_some_and(|id| keychain::read(id).is_ok_and(|s| s.expose() == theirs))
                }
                _ => p.get(keys::SECRET_ACCESS_KEY) == existing.get(keys::SECRET_ACCESS_KEY),
            };
        let fix = match (old_id.is_some(), copy) {
            (true, true) => Fix::RemoveCopy,
            (true, false) => Fix::Replace,
            (false, _) => Fix::Move,
        };
        (fix, p)
    });
    Ok(Found {
        long_section,
        short_section,
        existing,
        fix,
        kept,
    })
}

impl<'f> Found<'f> {
    /// The key id `[NAME-long-term]` holds now.
    pub(crate) fn old_id(&self) -> Option<&str> {
        self.existing.get(keys::ACCESS_KEY_ID)
    }

    /// The section that keys not given are taken from: `[NAME]` when its keys move or
    /// replace, else `[NAME-long-term]`.
    pub(crate) fn source(&self) -> &Properties<'f> {
        match &self.fix {
            Some((Fix::Move | Fix::Replace, p)) => p,
            _ => &self.existing,
        }
    }

    /// Where the secret goes: where it is, unless a flag moves it.
    pub(crate) fn place(&self, keychain: bool, no_keychain: bool) -> Place {
        if keychain || (self.kept == Place::Keychain && !no_keychain) {
            Place::Keychain
        } else {
            Place::File
        }
    }

    /// The key id whose secret the keychain keeps for this section, when it stays `key_id`.
    pub(crate) fn kept_in_keychain<'k>(&self, key_id: &'k str) -> Option<&'k str> {
        (self.kept == Place::Keychain && self.old_id() == Some(key_id)).then_some(key_id)
    }

    /// Whether the secret can stay where it is without being read at all: it stays in the
    /// keychain under the same key, no new one is given, and no keys come from `[NAME]`
    /// (changing the device or the duration of such a profile needs no keychain).
    pub(crate) fn secret_stays(&self, place: Place, key_id: &str, secret_given: bool) -> bool {
        place == Place::Keychain
            && self.kept_in_keychain(key_id).is_some()
            && !secret_given
            && matches!(self.fix, None | Some((Fix::RemoveCopy, _)))
    }
}

/// What `setup` writes into `[NAME-long-term]`.
pub(crate) struct Keys<'s> {
    pub(crate) key_id: &'s str,
    /// The secret, unless it stays in the keychain as it is.
    pub(crate) secret: Option<&'s Secret>,
    pub(crate) place: Place,
    /// The device's key (`aws_mfa_device`, or `mfa_serial` where the section has that) and
    /// value.
    /// None when the config file's profile names the device (`mfa_serial`), where the AWS
    /// tools and stsmfa read it.
    pub(crate) device: Option<(&'static str, &'s str)>,
}

/// Writes `keys` (with the duration and region the flags give) into `[NAME-long-term]`, taking
/// `[NAME]`'s long-term keys out in the same write when `found` says so. A secret bound for
/// the keychain goes there first; the entry made for it is deleted again when the file cannot
/// be written, and the entry the section used before goes once nothing uses it. Whether the
/// section changed.
pub(crate) fn save(
    ctx: &Context<'_>,
    files: &Files<'_>,
    found: &Found<'_>,
    about: About<'_>,
    keys: &Keys<'_>,
) -> Result<bool, Error> {
    let key_id = keys.key_id;
    let created_entry = match (keys.secret, keys.place) {
        (Some(secret), Place::Keychain) => {
            let store_error = |f: keychain::Failure| f.error(keychain::Doing::Store, about, key_id);
            let had = keychain::holds(key_id).map_err(store_error)?;
            keychain::store(key_id, secret).map_err(store_error)?;
            !had
        }
        _ => false,
    };
    // The secret is borrowed from its `Secret`, never copied.
    let (secret_key, secret_value, other_key) = match (keys.place, keys.secret) {
        (Place::File, Some(secret)) => {
            (keys::SECRET_ACCESS_KEY, secret.expose(), keys::SECRET_PLACE)
        }
        _ => (
            keys::SECRET_PLACE,
            keychain::MARKER,
            keys::SECRET_ACCESS_KEY,
        ),
    };
    let mut pairs: Vec<(&str, Cow<'_, str>)> = vec![
        (keys::ACCESS_KEY_ID, Cow::Borrowed(key_id)),
        (secret_key, Cow::Borrowed(secret_value)),
    ];
    if let Some((key, value)) = keys.device {
        pairs.push((key, Cow::Borrowed(value)));
    }
    if let Some(seconds) = ctx.flags.duration {
        settings::check_duration(&duration_flag(seconds), SessionKind::Session)?;
        pairs.push((keys::DURATION_SECONDS, Cow::Owned(seconds.to_string())));
    }
    if let Some(r) = &ctx.flags.region {
        pairs.push((keys::REGION, Cow::Borrowed(r.as_str())));
    }
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    let written = write_long_term(
        ctx,
        files.credentials_text,
        &LongTermKeys {
            section: &found.long_section,
            clear_short: found.fix.as_ref().map(|_| found.short_section.as_str()),
            pairs: &borrowed,
            secret: (secret_key, secret_value),
            replacing: other_key,
            another_key: found.old_id() != Some(key_id),
        },
    );
    let changed = written.inspect_err(|_| {
        if created_entry {
            // Best effort: the file does not point at the entry made for it.
            let _ = keychain::delete(key_id);
        }
    })?;
    // The entry the section used until now, when nothing uses it any more.
    if found.kept == Place::Keychain
        && let Some(id) = found.old_id()
    {
        forget_entry(ctx, about, id);
    }
    Ok(changed)
}

/// Writes a chained role's `[NAME-long-term]` (`source_profile`, `assume_role`, and the
/// duration and region the flags give), after the chain rule: the base is another profile with
/// long-term keys of its own, and the role has no keys. Whether the section changed.
pub(crate) fn save_chained(
    ctx: &Context<'_>,
    files: &Files<'_>,
    profile: &str,
    base: &str,
    role: &RoleArn,
) -> Result<bool, Error> {
    let path = ctx.files.credentials.as_path();
    let section = ctx.naming.long_term(profile);
    let base_section = ctx.naming.long_term(base);
    let chain = |message: String| Error::Chain {
        path: path.to_path_buf(),
        section: section.clone(),
        message,
    };
    let own = files.section(&section, path)?;
    match chain_rule(profile, base, own.as_ref(), ctx, files)? {
        Some(Broken::Itself) => {
            return Err(chain(format!(
                "its source_profile would be {profile} itself"
            )));
        }
        Some(Broken::NoBase { .. }) => {
            return Err(chain(format!(
                "there is no [{base_section}] to chain to; run `stsmfa setup {base}` first"
            )));
        }
        Some(Broken::BaseChained { .. }) => {
            return Err(chain(format!(
                "{base} is a chained role itself; a chain is one level deep: give the profile \
                 with the long-term keys"
            )));
        }
        Some(Broken::OwnKeys) => {
            return Err(chain(
                "it holds long-term keys; a chained role has none (move them elsewhere first)"
                    .into(),
            ));
        }
        None => {}
    }
    let mut pairs: Vec<(&str, String)> = vec![
        (keys::SOURCE_PROFILE, base.to_owned()),
        (keys::ASSUME_ROLE, role.to_string()),
    ];
    if let Some(seconds) = ctx.flags.duration {
        settings::check_duration(&duration_flag(seconds), SessionKind::Chained)?;
        pairs.push((keys::DURATION_SECONDS, seconds.to_string()));
    }
    if let Some(r) = &ctx.flags.region {
        pairs.push((keys::REGION, r.to_string()));
    }
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    write_section(
        ctx,
        Some(files.credentials_text),
        &[&base_section],
        &section,
        &borrowed,
    )
}

/// `--duration` as a setting, for the checks settings make.
fn duration_flag(seconds: u32) -> settings::Setting<u32> {
    settings::Setting {
        value: seconds,
        source: settings::Source::Flag("--duration"),
    }
}
