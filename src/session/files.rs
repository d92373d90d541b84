//! Both files, read once without a lock and parsed: what every command looks profiles up in.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::Path;

use super::context::Context;
use crate::error::Error;
use crate::hash::Fnv;
use crate::ini::Read as _;
use crate::ini::{Document, FileKind, ProfileSet, Properties, Section};
use crate::keys;
use crate::profile::Naming;
use crate::store;

/// The text of both files, read once without a lock (a write re-reads under the lock).
pub(crate) struct Texts {
    credentials: String,
    config: String,
    /// Whether the credentials file exists.
    credentials_exist: bool,
}

impl Texts {
    pub(crate) fn read(ctx: &Context<'_>) -> Result<Texts, Error> {
        let credentials = store::read(&ctx.files.credentials, ctx.timeouts.settle)?;
        Ok(Texts {
            credentials_exist: credentials.is_some(),
            credentials: credentials.unwrap_or_default(),
            config: store::read(&ctx.files.config, ctx.timeouts.settle)?.unwrap_or_default(),
        })
    }
}

/// Both files, parsed. Commands that look up many profiles use [`Files::parse_all`], so that
/// the cost stays linear in the size of the file.
pub(crate) struct Files<'t> {
    /// The credentials file's text as first read, which a write is checked against.
    pub credentials_text: &'t str,
    pub credentials: Document<'t>,
    pub config: ProfileSet<'t>,
    /// Whether the config file's default profile is `[profile default]` (which the SDKs read
    /// instead of `[default]`), for naming it.
    pub profile_default: bool,
    /// Whether the credentials file exists.
    pub credentials_exist: bool,
}

impl<'t> Files<'t> {
    /// Both files, for a command that reads a few profiles: the credentials file is scanned,
    /// and a section is read when it is looked up.
    pub(crate) fn parse(texts: &'t Texts, ctx: &Context<'_>) -> Result<Files<'t>, Error> {
        Self::parse_reading(texts, ctx, false)
    }

    /// Both files, for a command that reads most profiles: every section of the credentials
    /// file is read in the one pass that checks it, and the sections are indexed by name.
    pub(crate) fn parse_all(texts: &'t Texts, ctx: &Context<'_>) -> Result<Files<'t>, Error> {
        Self::parse_reading(texts, ctx, true)
    }

    fn parse_reading(texts: &'t Texts, ctx: &Context<'_>, all: bool) -> Result<Files<'t>, Error> {
        let credentials = Document::parse(&texts.credentials);
        if all {
            credentials.read_all();
        }
        credentials
            .check()
            .map_err(|e| parse_error(&ctx.files.credentials, e))?;
        let config_doc = Document::parse(&texts.config);
        let config = config_doc
            .view(FileKind::Config)
            .map_err(|e| parse_error(&ctx.files.config, e))?;
        let profile_default = config_doc.named_sections().iter().any(|(_, raw)| {
            let name = crate::ini::SectionName::parse(raw);
            name.prefix == Some("profile") && name.name == "default"
        });
        if all {
            credentials.index();
        }
        Ok(Files {
            credentials_text: &texts.credentials,
            credentials,
            config,
            profile_default,
            credentials_exist: texts.credentials_exist,
        })
    }

    /// Whether `name` is a profile of either file: the credentials file has its long-term
    /// section, its session section or `[name]`, or the config file has the profile.
    pub(crate) fn knows(&self, name: &str, naming: &Naming) -> bool {
        let has = |section: &str| !self.credentials.plain_sections_named(section).is_empty();
        has(&naming.long_term(name))
            || has(&naming.short_term(name))
            || has(name)
            || self.config.profiles.contains_key(name)
    }

    /// Checks every profile named for a run before anything is done (SPEC §3): a name that
    /// neither file knows is an error naming the closest one that exists.
    pub(crate) fn check_named(
        &self,
        names: &[impl AsRef<str>],
        ctx: &Context<'_>,
    ) -> Result<(), Error> {
        let Some(unknown) = names
            .iter()
            .map(AsRef::as_ref)
            .find(|n| !self.knows(n, &ctx.naming))
        else {
            return Ok(());
        };
        Err(self.unknown(unknown, ctx))
    }

    /// The error for a profile that neither file knows.
    pub(crate) fn unknown(&self, name: &str, ctx: &Context<'_>) -> Error {
        let mut candidates = self.managed_profiles(&ctx.naming);
        candidates.extend(self.config.profiles.keys().map(AsRef::as_ref));
        Error::UnknownProfile {
            name: name.to_owned(),
            credentials: ctx.files.credentials.clone(),
            config: ctx.files.config.clone(),
            no_file: !self.credentials_exist,
            similar: crate::profile::closest(name, candidates).map(str::to_owned),
        }
    }

    /// Profiles with a long-term section or a session section, in file order.
    pub(crate) fn managed_profiles(&self, naming: &Naming) -> Vec<&str> {
        let doc = &self.credentials;
        let mut out = Vec::new();
        let mut seen: HashSet<&str, Fnv> = HashSet::default();
        for (name, section) in self.plain_sections() {
            // A session section counts only when it holds a session; its lines are read only for
            // a profile not already listed.
            let profile = match naming.profile_of_long_term(name) {
                Some(p) => Some(p),
                None => naming.profile_of_short_term(name).filter(|p| {
                    !seen.contains(p) && doc.section_has_key(*section, keys::SESSION_TOKEN)
                }),
            };
            if let Some(p) = profile
                && seen.insert(p)
            {
                out.push(p);
            }
        }
        out
    }

    /// Every `[name]` section of the credentials file in file order.
    pub(crate) fn plain_sections(&self) -> &[(Cow<'t, str>, Section)] {
        self.credentials.plain_sections()
    }

    /// The properties of a credentials-file section.
    pub(crate) fn section(&self, name: &str, path: &Path) -> Result<Option<Properties<'t>>, Error> {
        match self.credentials.plain_sections_named(name).as_ref() {
            [] => Ok(None),
            [one] => Ok(Some(self.credentials.section_properties(*one))),
            many => Err(Error::Duplicate {
                path: path.to_path_buf(),
                profile: name.to_owned(),
                lines: many.iter().map(|s| s.header + 1).collect(),
            }),
        }
    }
}

fn parse_error(path: &Path, e: crate::ini::ParseError) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: e.line,
        message: e.message,
    }
}
