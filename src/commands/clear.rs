//! `stsmfa clear`: removes session keys from short-term sections, and a section only when
//! nothing else is left in it. All named profiles change in one locked, atomic write.

use crate::cli::ClearArgs;
use crate::error::Error;
use crate::ini::{Document, FileKind};
use crate::keys;
use crate::profile::SESSION_KEYS;
use crate::store;

use super::Context;

/// What clearing one profile did.
#[derive(Debug)]
enum Cleared {
    Done {
        section: String,
        keys: Vec<String>,
        section_removed: bool,
    },
    /// There is no session to clear: the section has none, or there is no section.
    NoSession { section: String, exists: bool },
}

pub fn run(args: &ClearArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    if args.all && !ctx.naming.has_long_term_suffix() {
        return Err(Error::Usage {
            message: "--all finds profiles by their long-term sections, but the long-term suffix \
                      is none"
                .into(),
            hint: Some("name the profiles to clear instead".into()),
        });
    }
    let named = (!args.all).then(|| ctx.profiles_or_default(&args.profiles));
    let path = ctx.files.credentials.as_path();
    let first = store::read(path)?;
    if first.is_some() {
        ctx.check_writable()?;
    }
    let updated = ctx.update_credentials(first.as_deref(), &[], |doc| {
        let profiles = match &named {
            Some(n) => n.clone(),
            None => super::long_term_profiles(doc, &ctx.naming),
        };
        Ok(profiles
            .into_iter()
            .map(|p| {
                let result = clear_one(doc, &p, ctx, named.is_none());
                (p, result)
            })
            .collect::<Vec<_>>())
    })?;
    let results = updated.value;
    if results.is_empty() {
        ctx.out.info(&format!(
            "no profile has a [NAME-long-term] section in {}; nothing to clear",
            path.display()
        ));
    }
    let mut code = 0;
    for (profile, result) in results {
        match result {
            Ok(Cleared::Done {
                section,
                keys,
                section_removed,
            }) => {
                ctx.out.detail(&format!(
                    "removed {} from [{section}] in {}",
                    keys.join(", "),
                    path.display()
                ));
                let what = if section_removed {
                    format!("session cleared; [{section}] removed, nothing else was in it")
                } else {
                    format!("session cleared; [{section}] kept for the other lines in it")
                };
                ctx.out.done(&profile, &what);
            }
            Ok(Cleared::NoSession { section, exists }) => {
                let what = if exists {
                    format!("[{section}] holds no session; already clear")
                } else {
                    format!(
                        "there is no [{section}] in {}; already clear",
                        path.display()
                    )
                };
                ctx.out.done(&profile, &what);
            }
            Err(e) => {
                ctx.out.error(&e);
                code = code.max(e.exit_code());
            }
        }
    }
    Ok(code)
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
