//! Clearing sessions, and the profiles a run over "all" means.

use super::context::Context;
use super::files::check_names;
use super::write::{Cleared, clear_session};
use crate::error::Error;
use crate::ini::{Document, FileKind, Read};
use crate::profile::Naming;
use crate::store;

/// A profile and what clearing it did (or why it could not be cleared).
pub(super) type ProfileCleared = (String, Result<Cleared, Error>);

/// Clears the sessions of `named` (or, with `None`, of every profile with a long-term section)
/// in one locked write, checking first that the file can be written. Each profile's result
/// comes back in order; an empty list means there was no profile to clear.
pub(crate) fn clear(
    ctx: &Context<'_>,
    named: Option<&[String]>,
) -> Result<Vec<ProfileCleared>, Error> {
    let path = ctx.files.credentials.as_path();
    let first = store::read(path, ctx.timeouts.settle)?;
    if first.is_some() {
        ctx.check_writable()?;
    }
    // The names are checked against the file as the write finds it (no second read of a file
    // that may be large) and the config file's profiles.
    let config = match named {
        Some(_) => store::read(&ctx.files.config, ctx.timeouts.settle)?.unwrap_or_default(),
        None => String::new(),
    };
    let config_doc = Document::parse(&config);
    let config_profiles = config_doc
        .view(FileKind::Config)
        .map(|v| v.profiles)
        .unwrap_or_default();
    let updated = ctx.update_credentials(first.as_deref(), &[], |doc| {
        let profiles = match named {
            Some(n) => {
                check_names(doc, &config_profiles, n, first.is_none(), ctx)?;
                n.to_vec()
            }
            None => long_term_profiles(doc, &ctx.naming),
        };
        Ok(profiles
            .into_iter()
            .map(|p| {
                let result = clear_session(doc, &p, ctx, named.is_none());
                (p, result)
            })
            .collect::<Vec<_>>())
    })?;
    Ok(updated.value)
}

/// Profiles that have a long-term section, in file order.
pub(crate) fn long_term_profiles<'a>(doc: &impl Read<'a>, naming: &Naming) -> Vec<String> {
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
