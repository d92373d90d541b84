//! What the SDKs read from the files: every profile with its properties, config and
//! credentials combined.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::properties::Properties;

/// Everything the SDKs read from one or two files: the reference the editor verifies against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileSet<'a> {
    /// Profiles by name, with sections of the same name merged as the SDKs merge them.
    pub profiles: BTreeMap<Cow<'a, str>, Properties<'a>>,
    /// `[sso-session NAME]` sections of the config file, by name.
    pub sso_sessions: BTreeMap<Cow<'a, str>, Properties<'a>>,
    /// Other prefixed config sections (`[services x]`), keyed `prefix name`.
    pub other: BTreeMap<String, Properties<'a>>,
}
