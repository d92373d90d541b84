//! Clearing sessions, and the profiles a run over "all" means.

use super::context::Context;
use crate::error::Error;
use crate::ini::{Document, FileKind};
use crate::keys;
use crate::profile::{Naming, SESSION_KEYS};
use crate::store;

/// What clearing one profile did.
#[derive(Debug)]
pub enum Cleared {
    Done {
        section: String,
        keys: Vec<String>,
        section_removed: bool,
    },
    /// There is no session to clear: the section has none, or there is no section.
    NoSession { section: String, exists: bool },
}

/// A profile and what clearing it did (or why it could not be cleared).
pub type ProfileCleared = (String, Result<Cleared, Error>);

/// Clears the sessions of `named` (or, with `None`, of every profile with a long-term section)
/// in one locked write, checking first that the file can be written. Each profile's result
/// comes back in order; an empty list means there was no profile to clear.
pub fn clear(ctx: &Context<'_>, named: Option<&[String]>) -> Result<Vec<ProfileCleared>, Error> {
    let path = ctx.files.credentials.as_path();
    let first = store::read(path, ctx.timeouts.settle)?;
    if first.is_some() {
        ctx.check_writable()?;
    }
    let updated = ctx.update_credentials(first.as_deref(), &[], |doc| {
        let profiles = match named {
            Some(n) => n.to_vec(),
            None => long_term_profiles(doc, &ctx.naming),
        };
        Ok(profiles
            .into_iter()
            .map(|p| {
                let result = clear_one(doc, &p, ctx, named.is_none());
                (p, result)
            })
            .collect::<Vec<_>>())
    })?;
    Ok(updated.value)
}

/// Profiles that have a long-term section, in file order.
pub fn long_term_profiles(doc: &Document, naming: &Naming) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for section in doc.sections() {
        let name = doc.section_name(section);
        if name.prefix.is_none()
            && let Some(p) = naming.profile_of_long_term(name.name)
            && seen.insert(p.to_owned())
        {
            out.push(p.to_owned());
        }
    }
    out
}

/// Clears one profile's session in `doc`. A missing section or one without a session is
/// already clear (not an error); a section holding long-term keys is refused unless `lenient`
/// (`--all`, which skips it).
fn clear_one(
    doc: &mut Document,
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
        if !lenient && crate::credentials::holds_long_term_keys(props.as_ref()) {
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
