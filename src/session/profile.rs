//! One profile resolved: its sections, its settings (SPEC §2), and the one chain rule (a
//! chained role's base exists, is not chained itself, and the role has no keys of its own).

use super::context::Context;
use super::files::Files;
use crate::credentials::{self, State};
use crate::error::Error;
use crate::ini::Properties;
use crate::keys;
use crate::settings::{Layer, Resolver, Settings};

/// Everything known about one profile before deciding.
pub(crate) struct Profile<'t> {
    pub name: String,
    pub long_term_section: String,
    pub short_term_section: String,
    pub long_term: Option<Properties<'t>>,
    pub short_term: Option<Properties<'t>>,
    pub settings: Settings,
    /// A role defined the AWS CLI way, in the config file (`role_arn` and `source_profile` in
    /// `[profile NAME]`): assumed from its base's session when it is handed over, never
    /// written into the credentials file (the AWS tools assume it themselves).
    pub from_config: bool,
}

impl Profile<'_> {
    /// The base profile whose session signs this chained role's AssumeRole.
    pub(crate) fn base(&self) -> Option<&str> {
        self.settings
            .source_profile
            .as_ref()
            .map(|s| s.value.as_str())
    }

    /// The state of the short-term section now.
    pub(crate) fn state(&self, ctx: &Context<'_>) -> State {
        credentials::session_state(
            self.short_term.as_ref(),
            self.settings.role.as_ref().map(|r| r.value.as_str()),
            ctx.now,
            (ctx.min_remaining, self.settings.margin(ctx.min_remaining)),
        )
    }
}

/// Reads and resolves one profile.
pub(crate) fn load<'t>(
    profile: &str,
    ctx: &Context<'_>,
    files: &Files<'t>,
) -> Result<Profile<'t>, Error> {
    let path = ctx.files.credentials.as_path();
    let long_term_section = ctx.naming.long_term(profile);
    let short_term_section = ctx.naming.short_term(profile);
    let long_term = files.section(&long_term_section, path)?;
    if long_term.is_none()
        && let Some(role) = config_role(profile, ctx, files)
    {
        let settings = resolve_config_role(profile, &long_term_section, &role, ctx, files)?;
        if role.get(keys::MFA_SERIAL).is_some() {
            ctx.out.warn(&format!(
                "{profile}: [profile {profile}] in {} has mfa_serial, so the AWS CLI asks for a \
                 code of its own every hour; its source_profile's session already carries MFA: \
                 remove mfa_serial from [profile {profile}]",
                ctx.files.config.display()
            ));
        }
        let base = settings
            .source_profile
            .as_ref()
            .map(|b| b.value.clone())
            .unwrap_or_default();
        check_chain(profile, &long_term_section, &base, Some(&role), ctx, files)?;
        return Ok(Profile {
            name: profile.to_owned(),
            long_term_section,
            short_term_section,
            long_term: Some(role),
            short_term: None,
            settings,
            from_config: true,
        });
    }
    if long_term.is_none() {
        files.check_named(&[profile], ctx)?;
    }
    if long_term.is_none() {
        // Keys where the session goes (`aws configure` leaves them in [default]): setup moves them.
        let short_term = files.section(&short_term_section, path)?;
        if credentials::holds_long_term_keys(short_term.as_ref()) {
            return Err(Error::ShortTermHoldsLongTerm {
                path: path.to_path_buf(),
                section: short_term_section,
                profile: profile.to_owned(),
            });
        }
        // Nothing can be done without the long-term keys; say so before anything else.
        let managed = files
            .plain_sections()
            .iter()
            .filter_map(|(name, _)| ctx.naming.profile_of_long_term(name));
        return Err(Error::NoLongTermKeys {
            path: path.to_path_buf(),
            section: long_term_section,
            key: keys::ACCESS_KEY_ID,
            exists: false,
            similar: crate::profile::closest(profile, managed).map(str::to_owned),
        });
    }
    if files
        .config
        .profiles
        .get(profile)
        .is_some_and(|p| p.get(keys::ROLE_ARN).is_some())
    {
        ctx.out.warn(&format!(
            "{profile}: set up twice, in [{long_term_section}] of {} and as a role (role_arn) in \
             [profile {profile}] of {}; the AWS CLI follows the config file's role and does not \
             use the session stsmfa writes in [{short_term_section}]: keep one",
            path.display(),
            ctx.files.config.display()
        ));
    }
    ctx.naming
        .check_session_section(profile, &short_term_section, |long| {
            files.section(long, path).is_ok_and(|s| s.is_some())
        })?;
    let short_term = files.section(&short_term_section, path)?;
    let settings = resolve(profile, &long_term_section, long_term.as_ref(), ctx, files)?;
    if let Some(base) = &settings.source_profile {
        check_chain(
            profile,
            &long_term_section,
            &base.value,
            long_term.as_ref(),
            ctx,
            files,
        )?;
    }
    Ok(Profile {
        name: profile.to_owned(),
        long_term_section,
        short_term_section,
        long_term,
        short_term,
        settings,
        from_config: false,
    })
}

/// The role ARN and the base of `profile` when it is a role of the config file.
pub(crate) fn config_role_arn_and_base(
    profile: &str,
    ctx: &Context<'_>,
    files: &Files<'_>,
) -> Option<(String, String)> {
    let props = config_role(profile, ctx, files)?;
    Some((
        props.get(keys::ROLE_ARN)?.to_owned(),
        props.get(keys::SOURCE_PROFILE)?.to_owned(),
    ))
}

/// The base of `profile` when it is a role of the config file ([`config_role`]).
pub(crate) fn config_role_base(
    profile: &str,
    ctx: &Context<'_>,
    files: &Files<'_>,
) -> Option<String> {
    config_role(profile, ctx, files)?
        .get(keys::SOURCE_PROFILE)
        .map(str::to_owned)
}

/// The config file's `[profile NAME]` when it is a role chained the AWS CLI way to a profile
/// stsmfa manages: `role_arn` and a `source_profile` that has a long-term section, for a
/// profile without a long-term section of its own (one with both is warned about).
pub(crate) fn config_role<'t>(
    profile: &str,
    ctx: &Context<'_>,
    files: &Files<'t>,
) -> Option<Properties<'t>> {
    // The config file first: it is small, and most profiles are no role there.
    let props = files.config.profiles.get(profile)?;
    props.get(keys::ROLE_ARN)?;
    let base = props.get(keys::SOURCE_PROFILE)?;
    let path = ctx.files.credentials.as_path();
    if files
        .section(&ctx.naming.long_term(profile), path)
        .ok()
        .flatten()
        .is_some()
    {
        return None;
    }
    let base_section = ctx.naming.long_term(base);
    files.section(&base_section, path).ok().flatten()?;
    Some(props.clone())
}

/// Resolves the settings of `profile`, whose long-term section `long_term_section` holds
/// `long_term`.
fn resolve(
    profile: &str,
    long_term_section: &str,
    long_term: Option<&Properties<'_>>,
    ctx: &Context<'_>,
    files: &Files<'_>,
) -> Result<Settings, Error> {
    with_resolver(profile, long_term_section, long_term, ctx, files, |r| {
        r.resolve(profile)
    })
}

/// Runs `f` with the settings resolver of `profile`, whose long-term section
/// `long_term_section` (named by [`crate::profile::Naming::long_term`]) holds `long_term`.
pub(crate) fn with_resolver<T>(
    profile: &str,
    long_term_section: &str,
    long_term: Option<&Properties<'_>>,
    ctx: &Context<'_>,
    files: &Files<'_>,
    f: impl FnOnce(&Resolver<'_>) -> T,
) -> T {
    let lt_layer = Layer {
        prefix: "",
        name: long_term_section,
        path: ctx.files.credentials.as_path(),
        props: long_term,
    };
    resolver_with(profile, long_term_section, &lt_layer, ctx, files, f)
}

/// The settings of a role of the config file: its `[profile NAME]` stands where a long-term
/// section would (so that `-v` names it as the source).
fn resolve_config_role(
    profile: &str,
    long_term_section: &str,
    role: &Properties<'_>,
    ctx: &Context<'_>,
    files: &Files<'_>,
) -> Result<Settings, Error> {
    let lt_layer = Layer {
        prefix: if profile == "default" && !files.profile_default {
            ""
        } else {
            "profile "
        },
        name: profile,
        path: ctx.files.config.as_path(),
        props: Some(role),
    };
    resolver_with(profile, long_term_section, &lt_layer, ctx, files, |r| {
        r.resolve(profile)
    })
}

/// Runs `f` with the settings resolver of `profile` whose first layer (after the flags and
/// the environment) is `lt_layer`, then the config file's profiles.
fn resolver_with<T>(
    profile: &str,
    long_term_section: &str,
    lt_layer: &Layer<'_>,
    ctx: &Context<'_>,
    files: &Files<'_>,
    f: impl FnOnce(&Resolver<'_>) -> T,
) -> T {
    let config_path = ctx.files.config.as_path();
    let config_layers = [
        Layer {
            prefix: "profile ",
            name: long_term_section,
            path: config_path,
            props: files.config.profiles.get(long_term_section),
        },
        Layer {
            // The SDKs read `[default]` for the default profile unless `[profile default]`
            // is there.
            prefix: if profile == "default" && !files.profile_default {
                ""
            } else {
                "profile "
            },
            name: profile,
            path: config_path,
            props: files.config.profiles.get(profile),
        },
    ];
    f(&Resolver {
        flags: &ctx.flags,
        env: ctx.env,
        long_term: lt_layer,
        config: &config_layers,
    })
}

/// Checks the chain of `profile` (chained to `base`): one level deep, no keys of its own, and
/// a base with long-term keys of its own.
fn check_chain(
    profile: &str,
    section: &str,
    base: &str,
    long_term: Option<&Properties<'_>>,
    ctx: &Context<'_>,
    files: &Files<'_>,
) -> Result<(), Error> {
    let path = ctx.files.credentials.as_path();
    let chain = |message: String| Error::Chain {
        path: path.to_path_buf(),
        section: section.to_owned(),
        message,
    };
    let broken = chain_rule(profile, base, long_term, ctx, files)?;
    if let Some(Broken::OwnKeys) = broken {
        return Err(chain(format!(
            "it has source_profile = {base} and keys of its own; a chained role is signed with \
             {base}'s session, so remove either"
        )));
    }
    if let Some(Broken::Itself) = broken {
        return Err(chain(format!("its source_profile is {profile} itself")));
    }
    if settings_role(long_term).is_none() && ctx.flags.assume_role.is_none() {
        return Err(chain(format!(
            "it has source_profile = {base} but no role to assume (assume_role = ARN)"
        )));
    }
    match broken {
        Some(Broken::NoBase { base_section }) => Err(chain(format!(
            "its source_profile is {base}, but there is no [{base_section}]"
        ))),
        Some(Broken::BaseChained {
            base_section,
            base_source,
        }) => Err(chain(format!(
            "its source_profile {base} is chained too (source_profile = {base_source} in \
             [{base_section}]); a chain is one level deep: point {profile} at the profile with \
             the long-term keys"
        ))),
        _ => Ok(()),
    }
}

/// How a chain breaks the rule.
pub(super) enum Broken {
    /// The chained role's section has keys of its own.
    OwnKeys,
    /// The role is its own base.
    Itself,
    /// The base has no long-term section.
    NoBase { base_section: String },
    /// The base is a chained role itself (its own `source_profile` given).
    BaseChained {
        base_section: String,
        base_source: String,
    },
}

/// The one chain rule: a chained role (`own` is its long-term section) has no keys of its
/// own, and its base is another profile whose long-term section exists and is not chained.
pub(super) fn chain_rule(
    profile: &str,
    base: &str,
    own: Option<&Properties<'_>>,
    ctx: &Context<'_>,
    files: &Files<'_>,
) -> Result<Option<Broken>, Error> {
    if own.is_some_and(|p| p.contains_key(keys::ACCESS_KEY_ID)) {
        return Ok(Some(Broken::OwnKeys));
    }
    if base == profile {
        return Ok(Some(Broken::Itself));
    }
    let base_section = ctx.naming.long_term(base);
    Ok(
        match files.section(&base_section, ctx.files.credentials.as_path())? {
            None => Some(Broken::NoBase { base_section }),
            Some(p) => p.get(keys::SOURCE_PROFILE).map(|s| Broken::BaseChained {
                base_section,
                base_source: s.to_owned(),
            }),
        },
    )
}

fn settings_role<'p>(long_term: Option<&'p Properties<'_>>) -> Option<&'p str> {
    long_term.and_then(|p| p.get(keys::ASSUME_ROLE).or_else(|| p.get(keys::ROLE_ARN)))
}
