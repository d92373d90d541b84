//! The check of every edit: the rendered text read again, compared with what was intended.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::document::Document;
use super::document_mut::Change;
use super::error::EditError;
use super::names::FileKind;
use super::properties::Properties;
use super::read::Read;
use super::view::ProfileSet;

/// Checks that `rendered` reads back as `before` with `changes` applied, and nothing else
/// changed: the profiles the changes name must read exactly as intended, every other profile
/// and section exactly as before.
pub fn verify(
    changes: &[Change],
    kind: FileKind,
    before: &ProfileSet<'_>,
    rendered: &str,
) -> Result<(), EditError> {
    let reparsed = Document::parse(rendered);
    let after = reparsed.view(kind).map_err(EditError::Parse)?;
    let changed: BTreeSet<&str> = changes.iter().map(Change::profile).collect();
    let fail = |profile: &str| {
        Err(EditError::Verify {
            profile: profile.to_owned(),
        })
    };
    if after.sso_sessions != before.sso_sessions || after.other != before.other {
        return fail("");
    }
    for (name, props) in &before.profiles {
        if !changed.contains(name.as_ref()) && after.profiles.get(name) != Some(props) {
            return fail(name);
        }
    }
    for name in after.profiles.keys() {
        if !changed.contains(name.as_ref()) && !before.profiles.contains_key(name) {
            return fail(name);
        }
    }
    for name in changed {
        let mut expected = before.profiles.get(name).cloned();
        for change in changes.iter().filter(|c| c.profile() == name) {
            change.apply(&mut expected);
        }
        if after.profiles.get(name) != expected.as_ref() {
            return fail(name);
        }
    }
    Ok(())
}

impl Change {
    /// The profile this change is about.
    fn profile(&self) -> &str {
        match self {
            Change::Set { profile, .. }
            | Change::Remove { profile, .. }
            | Change::RemoveSection { profile } => profile,
        }
    }

    /// Applies what this change meant to the properties of its profile (`None`: no section).
    fn apply(&self, props: &mut Option<Properties<'_>>) {
        match self {
            Change::Set { pairs, .. } => {
                let props = props.get_or_insert_with(Properties::new);
                for (k, v) in pairs {
                    props.insert(Cow::Owned(k.clone()), Cow::Owned(v.clone()));
                }
            }
            Change::Remove { keys, .. } => {
                if let Some(props) = props {
                    for k in keys {
                        props.remove(k.as_str());
                    }
                }
            }
            Change::RemoveSection { .. } => *props = None,
        }
    }
}
