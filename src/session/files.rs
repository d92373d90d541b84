//! Both files, read once without a lock and parsed: what every command looks profiles up in.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::Path;

use super::context::Context;
use crate::error::Error;
use crate::hash::Fnv;
use crate::ini::Read;
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

    /// Checks every profile named for a run before anything is done (SPEC §3): a name that
    /// neither file knows is an error naming the closest one that exists.
    pub(crate) fn check_named(
        &self,
        names: &[impl AsRef<str>],
        ctx: &Context<'_>,
    ) -> Result<(), Error> {
        check_names(
            &self.credentials,
            &self.config.profiles,
            names,
            !self.credentials_exist,
            ctx,
        )
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

/// The profiles of a config file, by name.
pub(super) type ConfigProfiles<'c> = std::collections::BTreeMap<Cow<'c, str>, Properties<'c>>;

/// Checks the names of a run against a credentials document (`doc`, as read or as about to be
/// written) and the config file's profiles: a name is known when the credentials file has its
/// long-term section, its session section or `[name]`, or the config file has the profile.
/// The first unknown one is an error with the closest name of either file (`no_file`: the
/// credentials file does not exist).
pub(super) fn check_names<'a>(
    doc: &impl Read<'a>,
    config: &ConfigProfiles<'_>,
    names: &[impl AsRef<str>],
    no_file: bool,
    ctx: &Context<'_>,
) -> Result<(), Error> {
    let has = |section: &str| !matches!(doc.find(FileKind::Credentials, section), Ok(None));
    let naming = &ctx.naming;
    let Some(unknown) = names.iter().map(AsRef::as_ref).find(|n| {
        let known = has(&naming.long_term(n))
            || has(&naming.short_term(n))
            || has(n)
            || config.contains_key(*n);
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
        name: unknown.to_owned(),
        credentials: ctx.files.credentials.clone(),
        config: ctx.files.config.clone(),
        no_file,
        similar: crate::profile::closest(unknown, candidates.iter().map(String::as_str))
            .map(str::to_owned),
    })
}

fn parse_error(path: &Path, e: crate::ini::ParseError) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: e.line,
        message: e.message,
    }
}
