//! Profile names and the two credentials-file sections each one has: `[NAME-long-term]` with
//! the long-term keys and `[NAME]` (or `[NAME-SUFFIX]`) with the session. The suffix flags and
//! their `none` value are those of the Python `aws-mfa` tool.

use crate::error::{Error, Usage};

pub use crate::credentials::SESSION_KEYS;

/// How profile names map to section names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Naming {
    long_term_suffix: Option<String>,
    short_term_suffix: Option<String>,
}

impl Naming {
    /// Builds the naming from the two suffix flags; `none` or an empty value means no suffix.
    pub fn new(long_term: &str, short_term: Option<&str>) -> Result<Naming, Error> {
        let suffix = |s: &str| (!s.is_empty() && s != "none").then(|| s.to_owned());
        let naming = Naming {
            long_term_suffix: suffix(long_term),
            short_term_suffix: short_term.and_then(suffix),
        };
        if naming.long_term_suffix == naming.short_term_suffix {
            return Err(Error::Usage(Usage::SameSuffixes));
        }
        Ok(naming)
    }

    /// The section holding the long-term keys of `profile`.
    pub fn long_term(&self, profile: &str) -> String {
        with_suffix(profile, self.long_term_suffix.as_deref())
    }

    /// The section holding the session of `profile`.
    pub fn short_term(&self, profile: &str) -> String {
        with_suffix(profile, self.short_term_suffix.as_deref())
    }

    /// The profile whose long-term section is `section`, if it is one.
    pub fn profile_of_long_term<'a>(&self, section: &'a str) -> Option<&'a str> {
        let suffix = self.long_term_suffix.as_deref()?;
        section
            .strip_suffix(suffix)
            .and_then(|p| p.strip_suffix('-'))
            .filter(|p| !p.is_empty())
    }

    /// The profile whose session section is `section`, when it is named like one.
    pub fn profile_of_short_term<'a>(&self, section: &'a str) -> Option<&'a str> {
        if self.is_long_term(section) {
            return None;
        }
        match self.short_term_suffix.as_deref() {
            None => Some(section),
            Some(suffix) => section
                .strip_suffix(suffix)
                .and_then(|p| p.strip_suffix('-'))
                .filter(|p| !p.is_empty()),
        }
    }

    /// Refuses a session section that is another managed profile: with a short-term suffix,
    /// `dev`'s session `[dev-prod]` is the profile `dev-prod` when `[dev-prod-long-term]`
    /// exists (`is_managed` says whether a profile has a long-term section).
    pub fn check_session_section(
        &self,
        profile: &str,
        section: &str,
        is_managed: impl FnOnce(&str) -> bool,
    ) -> Result<(), Error> {
        if section == profile || !is_managed(&self.long_term(section)) {
            return Ok(());
        }
        Err(Error::SessionCollides {
            profile: profile.to_owned(),
            section: section.to_owned(),
            other: section.to_owned(),
        })
    }

    /// Whether `section` is named like a long-term section.
    pub fn is_long_term(&self, section: &str) -> bool {
        self.profile_of_long_term(section).is_some()
    }

    /// Whether profiles can be found by their long-term sections (needs a long-term suffix).
    pub fn has_long_term_suffix(&self) -> bool {
        self.long_term_suffix.is_some()
    }
}

fn with_suffix(profile: &str, suffix: Option<&str>) -> String {
    match suffix {
        Some(s) => [profile, "-", s].concat(),
        None => profile.to_owned(),
    }
}

/// The name among `names` closest to a misspelled `name`: at most one edit in four letters
/// away (at least one), ties going to the first.
pub fn closest<'a>(name: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 4).max(1);
    names
        .into_iter()
        .filter(|n| *n != name)
        // Insertions, deletions, substitutions, and swaps of two neighbours (the commonest
        // typo): the optimal string alignment distance.
        .map(|n| (strsim::osa_distance(name, n), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelled_profile_finds_its_neighbour() {
        let names = ["dev", "prod", "staging", "admin"];
        assert_eq!(closest("dve", names), Some("dev"));
        assert_eq!(closest("prd", names), Some("prod"));
        assert_eq!(closest("stagign", names), Some("staging"));
        assert_eq!(closest("qa", names), None);
        assert_eq!(closest("dev", names), None);
        assert_eq!(closest("production", names), None);
    }

    #[test]
    fn default_naming_matches_aws_mfa() {
        let n = Naming::new("long-term", None).ok();
        let n = n.as_ref();
        assert_eq!(n.map(|n| n.long_term("dev")), Some("dev-long-term".into()));
        assert_eq!(n.map(|n| n.short_term("dev")), Some("dev".into()));
        assert_eq!(
            n.and_then(|n| n.profile_of_long_term("dev-long-term")),
            Some("dev")
        );
        assert_eq!(n.and_then(|n| n.profile_of_long_term("-long-term")), None);
        assert_eq!(n.and_then(|n| n.profile_of_long_term("devlong-term")), None);
    }

    #[test]
    fn none_means_no_suffix() {
        let n = Naming::new("none", Some("short")).ok();
        assert_eq!(n.as_ref().map(|n| n.long_term("dev")), Some("dev".into()));
        assert_eq!(
            n.as_ref().map(|n| n.short_term("dev")),
            Some("dev-short".into())
        );
        assert!(Naming::new("none", None).is_err());
    }
}
