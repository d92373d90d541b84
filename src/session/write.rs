//! The edits the session core makes to the credentials file, each a typed change: a session
//! written or cleared, long-term keys written or moved, a key put back after a failed
//! rotation. Nothing else in the program edits a document.

use std::path::Path;

use super::context::Context;
use crate::credentials::{self, Session};
use crate::error::Error;
use crate::ini::Read as _;
use crate::ini::{Document, DocumentMut, FileKind};
use crate::keys;
use crate::profile::SESSION_KEYS;
use crate::store;

/// A session made in this run, waiting for the run's one write.
pub(super) struct Made {
    pub(super) profile: String,
    pub(super) short_term_section: String,
    pub(super) long_term_section: String,
    pub(super) session: Session,
}

/// Writes one session into its short-term section, checking again that the section does not
/// hold long-term keys. Only session keys are written: never `role_arn` or `source_profile`,
/// which would make the AWS CLI assume the role itself.
pub(super) fn write_session(doc: &mut DocumentMut<'_>, m: &Made, path: &Path) -> Result<(), Error> {
    let edit = |e| store::edit_error(path, e);
    let section = &m.short_term_section;
    let current = doc
        .find(FileKind::Credentials, section)
        .map_err(edit)?
        .map(|s| doc.section_properties(s));
    if credentials::holds_long_term_keys(current.as_ref()) {
        return Err(Error::ShortTermHoldsLongTerm {
            path: path.to_path_buf(),
            section: section.clone(),
            profile: m.profile.clone(),
        });
    }
    let keys = m.session.keys(current.as_ref());
    let pairs: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    doc.set(FileKind::Credentials, section, &pairs)
        .map_err(edit)?;
    if m.session.role_arn.is_none() {
        doc.remove_keys(FileKind::Credentials, section, &["assumed_role_arn"])
            .map_err(edit)?;
    }
    Ok(())
}

/// What clearing one profile did.
#[derive(Debug)]
pub(crate) enum Cleared {
    Done {
        section: String,
        keys: Vec<String>,
        section_removed: bool,
    },
    /// There is no session to clear: the section has none, or there is no section.
    NoSession { section: String, exists: bool },
}

/// Clears one profile's session in `doc`. A missing section or one without a session is
/// already clear (not an error); a section holding long-term keys is refused unless `lenient`
/// (`--all`, which skips it).
pub(super) fn clear_session(
    doc: &mut DocumentMut,
    profile: &str,
    ctx: &Context<'_>,
    lenient: bool,
) -> Result<Cleared, Error> {
    let path = ctx.files.credentials.as_path();
    let kind = FileKind::Credentials;
    let section = ctx.naming.short_term(profile);
    if let Some(base) = ctx.naming.profile_of_long_term(&section) {
        return Err(Error::LongTermSection {
            path: path.to_path_buf(),
            profile: base.to_owned(),
            section,
        });
    }
    let edit = |e| store::edit_error(path, e);
    ctx.naming
        .check_session_section(profile, &section, |long| {
            doc.find(kind, long).is_ok_and(|s| s.is_some())
        })?;
    let found = doc.find(kind, &section).map_err(edit)?;
    let has_session =
        found.is_some_and(|s| doc.section_properties(s).contains_key(keys::SESSION_TOKEN));
    if !has_session {
        // Already clear, unless it holds long-term keys, which clear never touches.
        let props = found.map(|s| doc.section_properties(s));
        if !lenient && credentials::holds_long_term_keys(props.as_ref()) {
            return Err(Error::NoSession {
                path: path.to_path_buf(),
                section,
                exists: true,
            });
        }
        return Ok(Cleared::NoSession {
            section,
            exists: found.is_some(),
        });
    }
    let keys = doc
        .remove_keys(kind, &section, SESSION_KEYS)
        .map_err(edit)?;
    let section_removed = doc.is_bare(kind, &section).map_err(edit)?
        && doc.remove_section(kind, &section).map_err(edit)?;
    Ok(Cleared::Done {
        section,
        keys,
        section_removed,
    })
}

/// Writes `pairs` (a long-term key) into `section` of the file as it is now (`now`), taking
/// out the creation time of the key it replaces: the old key goes back after a failed
/// rotation.
pub(super) fn put_key_back(
    ctx: &Context<'_>,
    now: &str,
    section: &str,
    pairs: &[(&str, &str)],
) -> Result<(), Error> {
    let path = ctx.files.credentials.as_path();
    ctx.update_credentials(Some(now), &[section], |doc| {
        let edit = |e| store::edit_error(path, e);
        doc.remove_keys(FileKind::Credentials, section, &[keys::KEY_CREATED])
            .map_err(edit)?;
        doc.set(FileKind::Credentials, section, pairs).map_err(edit)
    })?;
    Ok(())
}

/// Deletes the OS keychain's entry for `key_id` after a write that took it out of `about`'s
/// section, unless a section of the file as it is now still keeps its secret there. Never
/// before the write; a failure is a warning (the file is right either way).
pub(crate) fn forget_entry(ctx: &Context<'_>, about: crate::keychain::About<'_>, key_id: &str) {
    use crate::keychain;
    let used = store::read(&ctx.files.credentials, ctx.timeouts.settle)
        .ok()
        .flatten()
        .is_some_and(|text| keychain::in_use(&Document::parse(&text), key_id));
    if used {
        return;
    }
    match keychain::delete(key_id) {
        Ok(()) => ctx.out.detail(&format!(
            "{}: deleted the OS keychain's entry for {}",
            about.profile,
            crate::secret::mask(key_id)
        )),
        Err(f) => ctx.out.warn(&format!(
            "{}: {}; the file does not need it any more",
            about.profile,
            f.error(keychain::Doing::Delete, about, key_id)
        )),
    }
}

/// What `setup` writes into a long-term section.
pub(crate) struct LongTermKeys<'a> {
    /// `[NAME-long-term]`.
    pub section: &'a str,
    /// `[NAME]`, to take the long-term keys out of in the same write.
    pub clear_short: Option<&'a str>,
    /// What is set, in order: the key id, the secret's line (`secret`), the device, and what
    /// else was given.
    pub pairs: &'a [(&'a str, &'a str)],
    /// Where the secret goes now: `aws_secret_access_key` and the secret, or the keychain's
    /// marker.
    pub secret: (&'a str, &'a str),
    /// The key `secret` takes the place of, when the section has it (moving the secret in or
    /// out of the keychain keeps its line where it was).
    pub replacing: &'a str,
    /// The key id is not the one the section held: the creation time `rotate` recorded goes.
    pub another_key: bool,
}

/// The long-term keys of `setup`, in one locked write of the credentials file as first read
/// (`first`); whether the long-term section changed.
pub(crate) fn write_long_term(
    ctx: &Context<'_>,
    first: &str,
    w: &LongTermKeys<'_>,
) -> Result<bool, Error> {
    let path = ctx.files.credentials.as_path();
    let kind = FileKind::Credentials;
    let relied: Vec<&str> = w.clear_short.into_iter().collect();
    let (secret_key, secret_value) = w.secret;
    let updated = ctx.update_credentials(Some(first), &relied, |doc| {
        let edit = |e| store::edit_error(path, e);
        let mut pairs: Vec<(&str, &str)> = w.pairs.to_vec();
        if let Some(short) = w.clear_short {
            doc.remove_keys(kind, short, &[keys::ACCESS_KEY_ID, keys::SECRET_ACCESS_KEY])
                .map_err(edit)?;
            if doc.is_bare(kind, short).map_err(edit)? {
                doc.remove_section(kind, short).map_err(edit)?;
            }
        }
        let before = doc.section_text(kind, w.section);
        let section = doc.find(kind, w.section).map_err(edit)?;
        if section.is_some_and(|s| doc.section_has_key(s, w.replacing)) {
            // Moving the secret: its new line goes where the old one was.
            doc.replace_key(kind, w.section, w.replacing, secret_key, secret_value)
                .map_err(edit)?;
            pairs.retain(|(k, _)| *k != secret_key);
        }
        if section.is_some() && w.another_key {
            doc.remove_keys(kind, w.section, &[keys::KEY_CREATED])
                .map_err(edit)?;
        }
        doc.set(kind, w.section, &pairs).map_err(edit)?;
        Ok(doc.section_text(kind, w.section) != before)
    })?;
    Ok(updated.value)
}

/// Sets `pairs` in `section` of the credentials file as first read (`first`; `None` when the
/// file is to be taken as it is now), relying on the `relied` sections staying as they were;
/// whether the file changed.
pub(crate) fn write_section(
    ctx: &Context<'_>,
    first: Option<&str>,
    relied: &[&str],
    section: &str,
    pairs: &[(&str, &str)],
) -> Result<bool, Error> {
    let path = ctx.files.credentials.as_path();
    let updated = ctx.update_credentials(first, relied, |doc| {
        doc.set(FileKind::Credentials, section, pairs)
            .map_err(|e| store::edit_error(path, e))
    })?;
    Ok(updated.outcome != store::Outcome::Unchanged)
}
