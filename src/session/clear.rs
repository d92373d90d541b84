//! Clearing sessions, and the profiles a run over "all" means.

use super::context::Context;
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
                check_named(doc, n, &config_profiles, first.is_none(), ctx)?;
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

/// A name that neither the credentials file (`doc`) nor the config file knows stops the run,
/// with the closest one that exists (as [`super::Files::check_named`] for the other commands).
fn check_named<'a>(
    doc: &impl Read<'a>,
    names: &[String],
    config: &std::collections::BTreeMap<std::borrow::Cow<'_, str>, crate::ini::Properties<'_>>,
    no_file: bool,
    ctx: &Context<'_>,
) -> Result<(), Error> {
    let has = |section: &str| !matches!(doc.find(FileKind::Credentials, section), Ok(None));
    let naming = &ctx.naming;
    let Some(unknown) = names.iter().find(|n| {
        let known = has(&naming.long_term(n))
            || has(&naming.short_term(n))
            || has(n)
            || config.contains_key(n.as_str());
        !known
    }) else {
        return Ok(());
    };
    // Every profile a section of either file is for.
    let mut candidates: Vec<String> = doc
        .sections()
        .into_iter()
        .filter_map(|s| {
            let name = doc.section_name(s);
            let name = name.prefix.is_none().then_some(name.name)?;
            naming
                .profile_of_long_term(name)
                .or_else(|| naming.profile_of_short_term(name))
                .map(str::to_owned)
        })
        .collect();
    candidates.extend(config.keys().map(|k| k.to_string()));
    Err(Error::UnknownProfile {
        name: unknown.clone(),
        credentials: ctx.files.credentials.clone(),
        config: ctx.files.config.clone(),
        no_file,
        similar: crate::profile::closest(unknown, candidates.iter().map(String::as_str))
            .map(str::to_owned),
    })
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
