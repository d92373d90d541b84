//! The edits the session core makes to the credentials file.

use std::path::Path;

use super::run::Made;
use crate::context::Context;
use crate::credentials;
use crate::error::Error;
use crate::ini::{Document, FileKind};
use crate::store;

/// Writes one session into its short-term section, checking again that the section does not
/// hold long-term keys. Only session keys are written: never `role_arn` or `source_profile`,
/// which would make the AWS CLI assume the role itself.
pub(super) fn write_session(doc: &mut Document<'_>, m: &Made, path: &Path) -> Result<(), Error> {
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

/// Deletes the OS keychain's entry for `key_id` after a write that took it out of `about`'s
/// section, unless a section of the file as it is now still keeps its secret there. Never
/// before the write; a failure is a warning (the file is right either way).
pub fn forget_entry(ctx: &Context<'_>, about: crate::keychain::About<'_>, key_id: &str) {
    use crate::keychain;
    let used = store::read(&ctx.files.credentials)
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
