//! Where each setting is found, first found wins (SPEC §2): flag, environment, the long-term
//! section, the config file; and the checks every value passes before it is used.

use std::time::Duration;

use super::validate::{
    ATTEMPTS_SHAPE, DEFAULT_ATTEMPTS, DURATION_SHAPE, EXTERNAL_ID_SHAPE, MAX_ATTEMPTS,
    SESSION_NAME_SHAPE, SessionKind, URL_SHAPE, check, check_duration, default_session_name,
    invalid, is_external_id, is_session_name, is_url, parse_duration, quarter_capped,
};
use super::values::{Invalid, MfaSerial, Region, RoleArn};
use super::{Layer, Network, Resolver, Setting, Settings, Source, Summary};
use crate::error::{Error, Usage};
use crate::keys;

/// Where one setting is looked for, first found wins: its flag (name and value), its
/// environment variables, its keys in the long-term section, its keys in the config file.
struct Lookup<'a>(
    (&'static str, Option<&'a str>),
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

/// Where [`Resolver::locate`] found a value: a flag, a variable, or a key of a layer.
enum Origin<'r> {
    Flag(&'static str),
    Env(&'static str),
    File(&'static str, &'r Layer<'r>),
}

/// A setting's value parsed into its type; a value without the type's shape is a usage error
/// that names where it came from.
fn parsed<T: std::str::FromStr<Err = Invalid>>(
    setting: Setting<String>,
) -> Result<Setting<T>, Error> {
    match setting.value.parse::<T>() {
        Ok(value) => Ok(Setting {
            value,
            source: setting.source,
        }),
        Err(Invalid { what, shape }) => Err(Error::Usage(Usage::Invalid {
            what: what.to_owned(),
            value: setting.value,
            source: setting.source.to_string(),
            shape: shape.to_owned(),
        })),
    }
}

impl<'a> Resolver<'a> {
    /// The first value found for one setting, borrowed, and where it was found.
    fn locate(
        &self,
        Lookup(flag, env, long_term_keys, config_keys): Lookup<'a>,
    ) -> Option<(&'a str, Origin<'a>)> {
        if let Some(v) = flag.1 {
            return Some((v, Origin::Flag(flag.0)));
        }
        for var in env {
            if let Some(v) = self.env.get(var) {
                return Some((v, Origin::Env(var)));
            }
        }
        let layers = std::iter::once((self.long_term, long_term_keys))
            .chain(self.config.iter().map(|l| (l, config_keys)));
        for (layer, keys) in layers {
            let Some(props) = layer.props else { continue };
            for key in keys {
                if let Some(v) = props.get(key) {
                    return Some((v, Origin::File(key, layer)));
                }
            }
        }
        None
    }

    /// The first value found for one setting, with its source for messages.
    fn find(&self, lookup: Lookup<'a>) -> Option<Setting<String>> {
        let (value, origin) = self.locate(lookup)?;
        let source = match origin {
            Origin::Flag(flag) => Source::Flag(flag),
            Origin::Env(var) => Source::Env(var),
            Origin::File(key, layer) => Source::File {
                key,
                section: format!("{}{}", layer.prefix, layer.name),
                path: layer.path.to_path_buf(),
            },
        };
        Some(Setting {
            value: value.to_owned(),
            source,
        })
    }

    /// Where the MFA device is looked for.
    fn device_lookup(&self) -> Lookup<'a> {
        Lookup(
            (
                "--device",
                self.flags.device.as_ref().map(MfaSerial::as_str),
            ),
            &["MFA_DEVICE"],
            &[keys::MFA_DEVICE, keys::MFA_SERIAL],
            &[keys::MFA_SERIAL],
        )
    }

    /// Where the role to assume is looked for (`role_arn` is accepted as `assume_role`).
    fn role_lookup(&self) -> Lookup<'a> {
        Lookup(
            (
                "--assume-role",
                self.flags.assume_role.as_ref().map(RoleArn::as_str),
            ),
            &["MFA_ASSUME_ROLE"],
            &[keys::ASSUME_ROLE, keys::ROLE_ARN],
            &[],
        )
    }

    /// Where the base profile of a chained role is looked for: `source_profile` in the
    /// long-term section only (in the config file it means what the AWS CLI makes of it).
    fn source_profile_lookup(&self) -> Lookup<'a> {
        Lookup(("", None), &[], &[keys::SOURCE_PROFILE], &[])
    }

    /// Where the duration is looked for after `--duration` (a number, not text).
    fn duration_lookup(&self) -> Lookup<'a> {
        Lookup(
            ("--duration", None),
            &["MFA_STS_DURATION"],
            &[keys::DURATION_SECONDS],
            &[keys::DURATION_SECONDS],
        )
    }

    /// The value of a lookup, borrowed.
    fn value(&self, lookup: Lookup<'a>) -> Option<&'a str> {
        self.locate(lookup).map(|(v, _)| v)
    }

    /// What `status` shows of a profile: its device, role and base profile (values only,
    /// borrowed: `status` reads thousands of profiles), and its refresh margin.
    pub(crate) fn summary(&self, min_remaining: Duration) -> Summary<'a> {
        let device = self.value(self.device_lookup());
        let role = self.value(self.role_lookup());
        let source_profile = self.value(self.source_profile_lookup());
        let seconds = match self.flags.duration {
            Some(d) => Some(d),
            None => self.value(self.duration_lookup()).and_then(parse_duration),
        }
        .unwrap_or(SessionKind::of(source_profile.is_some(), role.is_some()).default_duration());
        Summary {
            device,
            role,
            source_profile,
            margin: quarter_capped(min_remaining, seconds),
        }
    }

    /// The MFA device, where one is set.
    pub(crate) fn device(&self) -> Option<Setting<String>> {
        self.find(self.device_lookup())
    }

    /// The role to assume, where one is set.
    pub(crate) fn role(&self) -> Option<Setting<String>> {
        self.find(self.role_lookup())
    }

    /// The base profile of a chained role.
    pub(crate) fn source_profile(&self) -> Option<Setting<String>> {
        self.find(self.source_profile_lookup())
    }

    /// The duration as given (`--duration`, `MFA_STS_DURATION`, `duration_seconds`), unparsed.
    fn duration(&self) -> Option<Setting<String>> {
        self.flags
            .duration
            .map(|d| Setting {
                value: d.to_string(),
                source: Source::Flag("--duration"),
            })
            .or_else(|| self.find(self.duration_lookup()))
    }

    /// Resolves and validates every setting of `profile`.
    pub(crate) fn resolve(&self, profile: &str) -> Result<Settings, Error> {
        let f = self.flags;
        let source_profile = self.source_profile();
        let chained = source_profile.is_some();
        let device = self.device().map(parsed::<MfaSerial>).transpose()?;
        match &device {
            Some(_) => {}
            None if chained => {}
            None => {
                return Err(Error::NoDevice {
                    profile: profile.to_owned(),
                    section: self.long_term.name.to_owned(),
                });
            }
        }
        let role = self.role().map(parsed::<RoleArn>).transpose()?;
        let kind = SessionKind::of(chained, role.is_some());
        let duration = match self.duration() {
            Some(d) => {
                let seconds = parse_duration(&d.value)
                    .ok_or_else(|| invalid(&d, "duration", DURATION_SHAPE))?;
                d.map(|_| seconds)
            }
            None => Setting {
                value: kind.default_duration(),
                source: Source::Default,
            },
        };
        check_duration(&duration, kind)?;
        let session_name = self
            .find(Lookup(
                ("--role-session-name", f.role_session_name.as_deref()),
                &[],
                &["role_session_name"],
                &["role_session_name"],
            ))
            .unwrap_or_else(|| Setting {
                value: default_session_name(self.env),
                source: Source::Default,
            });
        check(
            &session_name,
            "role session name",
            is_session_name,
            SESSION_NAME_SHAPE,
        )?;
        let external_id = self.find(Lookup(
            ("--external-id", f.external_id.as_deref()),
            &[],
            &["external_id"],
            &["external_id"],
        ));
        if let Some(id) = &external_id {
            check(id, "external id", is_external_id, EXTERNAL_ID_SHAPE)?;
        }
        let region = self
            .find(Lookup(
                ("--region", f.region.as_ref().map(Region::as_str)),
                &["AWS_REGION", "AWS_DEFAULT_REGION"],
                &["region"],
                &["region"],
            ))
            .unwrap_or_else(|| Setting {
                value: "us-east-1".into(),
                source: Source::Default,
            });
        let region = parsed::<Region>(region)?;
        let endpoint = self.find(Lookup(
            ("--endpoint-url", f.endpoint_url.as_deref()),
            &["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"],
            &[],
            &["endpoint_url"],
        ));
        if let Some(endpoint) = &endpoint {
            check(endpoint, "endpoint URL", is_url, URL_SHAPE)?;
        }
        let network = self.network()?;
        let token_command = self.find(Lookup(
            ("--token-command", f.token_command.as_deref()),
            &[],
            &["mfa_process"],
            &["mfa_process"],
        ));
        Ok(Settings {
            device,
            source_profile,
            duration,
            role,
            session_name,
            external_id,
            region,
            endpoint,
            network,
            token_command,
        })
    }

    /// The settings of how STS is reached.
    fn network(&self) -> Result<Network, Error> {
        let flag = |name: &'static str| -> Result<Setting<bool>, Error> {
            let (env, key): (&'static [&'static str], &'static [&'static str]) = match name {
                "fips" => (&["AWS_USE_FIPS_ENDPOINT"], &["use_fips_endpoint"]),
                _ => (&["AWS_USE_DUALSTACK_ENDPOINT"], &["use_dualstack_endpoint"]),
            };
            match self.find(Lookup(("", None), env, &[], key)) {
                None => Ok(Setting {
                    value: false,
                    source: Source::Default,
                }),
                Some(s) => match s.value.to_ascii_lowercase().as_str() {
                    "true" => Ok(s.map(|_| true)),
                    "false" => Ok(s.map(|_| false)),
                    _ => Err(invalid(&s, "setting", "true or false")),
                },
            }
        };
        let ca_bundle = self.find(Lookup(
            ("--ca-bundle", self.flags.ca_bundle.as_deref()),
            &["AWS_CA_BUNDLE"],
            &[],
            &["ca_bundle"],
        ));
        let max_attempts = match self.find(Lookup(
            ("", None),
            &["AWS_MAX_ATTEMPTS"],
            &[],
            &["max_attempts"],
        )) {
            None => Setting {
                value: DEFAULT_ATTEMPTS,
                source: Source::Default,
            },
            Some(s) => match s.value.parse::<u32>() {
                Ok(n) if (1..=MAX_ATTEMPTS).contains(&n) => s.map(|_| n),
                _ => return Err(invalid(&s, "number of attempts", ATTEMPTS_SHAPE)),
            },
        };
        let adaptive = match self.find(Lookup(
            ("", None),
            &["AWS_RETRY_MODE"],
            &[],
            &["retry_mode"],
        )) {
            None => Setting {
                value: false,
                source: Source::Default,
            },
            Some(s) => match s.value.as_str() {
                "standard" | "legacy" => s.map(|_| false),
                "adaptive" => s.map(|_| true),
                _ => return Err(invalid(&s, "retry mode", "standard, adaptive or legacy")),
            },
        };
        Ok(Network {
            fips: flag("fips")?,
            dual_stack: flag("dualstack")?,
            ca_bundle,
            max_attempts,
            adaptive,
        })
    }
}
