//! Settings of one profile, resolved in the order of SPEC §2: flag, environment variable, key
//! in `[NAME-long-term]`, key in the config file's `[profile NAME-long-term]` then
//! `[profile NAME]`, default. Every value remembers where it came from, for `-v` and for
//! error messages, and is validated before any network call.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod resolve;
mod validate;
mod values;

use crate::env::Env;
use crate::ini::Properties;
use validate::{DURATION_SHAPE, quarter_capped};
pub(crate) use validate::{SessionKind, check_duration, parse_duration};
pub(crate) use values::{Invalid, MfaSerial, Region, RoleArn};

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Flag(&'static str),
    Env(&'static str),
    /// A key in a section of the credentials or config file.
    File {
        key: &'static str,
        section: String,
        path: PathBuf,
    },
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "{flag}"),
            Source::Env(var) => write!(f, "{var}"),
            Source::File { key, section, path } => {
                write!(f, "{key} in [{section}], {}", path.display())
            }
            Source::Default => write!(f, "the default"),
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Setting<U> {
        Setting {
            value: f(self.value),
            source: self.source,
        }
    }
}

/// The flags that feed settings, as given on the command line (clap reads them into this very
/// struct; the resolver takes them from here).
#[derive(Clone, Debug, Default, clap::Args)]
pub(crate) struct Flags {
    /// MFA device serial: arn:aws:iam::ACCOUNT:mfa/NAME or a hardware serial
    /// [env: MFA_DEVICE; else aws_mfa_device or mfa_serial in the profile]
    #[arg(long, global = true, value_name = "SERIAL", help_heading = "Session")]
    pub device: Option<MfaSerial>,

    /// Session length: seconds or 12h, 90m, 1h30m [env: MFA_STS_DURATION; default: 12h, 1h with a role]
    #[arg(long, global = true, value_name = "DURATION", help_heading = "Session",
          value_parser = duration_seconds_arg)]
    pub duration: Option<u32>,

    /// Assume this role (with the MFA code) instead of getting a plain session
    /// [env: MFA_ASSUME_ROLE; else assume_role in the long-term section]
    #[arg(
        long,
        alias = "assume",
        global = true,
        value_name = "ARN",
        help_heading = "Session"
    )]
    pub assume_role: Option<RoleArn>,

    /// Role session name [default: your login name]
    #[arg(long, global = true, value_name = "NAME", help_heading = "Session")]
    pub role_session_name: Option<String>,

    /// External id the role's trust policy asks for
    #[arg(long, global = true, value_name = "ID", help_heading = "Session")]
    pub external_id: Option<String>,

    /// AWS region of the STS endpoint [env: AWS_REGION, AWS_DEFAULT_REGION; default: us-east-1]
    #[arg(long, global = true, value_name = "REGION", help_heading = "Session")]
    pub region: Option<Region>,

    /// STS endpoint [env: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL; default: the region's]
    #[arg(long, global = true, value_name = "URL", help_heading = "Session")]
    pub endpoint_url: Option<String>,

    /// PEM file of the certificate authorities to trust for HTTPS (for a network that inspects
    /// TLS) [env: AWS_CA_BUNDLE; else ca_bundle in the config profile; default: the system's]
    #[arg(long, global = true, value_name = "PATH", help_heading = "Session")]
    pub ca_bundle: Option<String>,

    /// Command printing the MFA code, run with sh -c (profile in $STSMFA_PROFILE)
    /// [else mfa_process in the profile]
    #[arg(long, global = true, value_name = "CMD", help_heading = "MFA code")]
    pub token_command: Option<String>,
}

/// A duration flag: seconds, or hours, minutes and seconds (`12h`, `90m`, `1h30m`).
pub(crate) fn duration_arg(s: &str) -> Result<Duration, String> {
    parse_duration(s)
        .map(|secs| Duration::from_secs(u64::from(secs)))
        .ok_or_else(|| format!("give {DURATION_SHAPE}"))
}

/// A duration flag in whole seconds.
pub(crate) fn duration_seconds_arg(s: &str) -> Result<u32, String> {
    parse_duration(s).ok_or_else(|| format!("give {DURATION_SHAPE}"))
}

/// A section that settings are read from, with how to name it in messages
/// (`[{prefix}{name}]`, named only when a value is taken from it).
pub(crate) struct Layer<'a> {
    pub prefix: &'static str,
    pub name: &'a str,
    pub path: &'a Path,
    pub props: Option<&'a Properties<'a>>,
}

/// The settings of one profile.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    /// The MFA device; a chained profile needs none (its base's session carries MFA).
    pub device: Option<Setting<MfaSerial>>,
    /// The base profile of a chained role (`source_profile` in the long-term section).
    pub source_profile: Option<Setting<String>>,
    pub duration: Setting<u32>,
    pub role: Option<Setting<RoleArn>>,
    pub session_name: Setting<String>,
    pub external_id: Option<Setting<String>>,
    pub region: Setting<Region>,
    /// An STS endpoint the user gave; without one the SDK's resolver picks it from the region
    /// and `network` (see [`Settings::sts_url`]).
    pub endpoint: Option<Setting<String>>,
    pub network: Network,
    pub token_command: Option<Setting<String>>,
}

/// How STS is reached: endpoint variants, trusted certificates, retries (SPEC §2, §7).
#[derive(Clone, Debug)]
pub(crate) struct Network {
    pub fips: Setting<bool>,
    pub dual_stack: Setting<bool>,
    /// A PEM file of certificate authorities that replaces the system's.
    pub ca_bundle: Option<Setting<String>>,
    pub max_attempts: Setting<u32>,
    /// `retry_mode = adaptive` (client-side rate limiting on top of the standard retries).
    pub adaptive: Setting<bool>,
}

/// A profile as `status` shows it (see [`Resolver::summary`]).
pub(crate) struct Summary<'a> {
    pub device: Option<&'a str>,
    pub role: Option<&'a str>,
    pub source_profile: Option<&'a str>,
    /// The refresh margin of its sessions (see [`Settings::margin`]).
    pub margin: Duration,
}

/// Resolves settings from flags, environment, the long-term section and config sections.
pub(crate) struct Resolver<'a> {
    pub flags: &'a Flags,
    pub env: &'a Env,
    /// `[NAME-long-term]` of the credentials file.
    pub long_term: &'a Layer<'a>,
    /// `[profile NAME-long-term]` and `[profile NAME]` of the config file, in that order.
    pub config: &'a [Layer<'a>],
}

impl Settings {
    /// How long before its expiration a session of these settings is refreshed: the
    /// `--min-remaining` margin, but never more than a quarter of the session's length (a
    /// 15-minute session is not "expiring" the moment it is made).
    pub(crate) fn margin(&self, min_remaining: Duration) -> Duration {
        quarter_capped(min_remaining, self.duration.value)
    }

    /// One line per setting for `-v`: what it is and where it came from. `endpoint` is the STS
    /// endpoint the SDK resolves for these settings (or why it cannot), said when none was
    /// given.
    pub(crate) fn describe(&self, endpoint: impl FnOnce(&Settings) -> String) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(device) = &self.device {
            lines.push(format!("device {} from {}", device.value, device.source));
        }
        if let Some(base) = &self.source_profile {
            lines.push(format!(
                "chained to the session of {} from {}",
                base.value, base.source
            ));
        }
        lines.push(format!(
            "duration {} s from {}",
            self.duration.value, self.duration.source
        ));
        if let Some(role) = &self.role {
            lines.push(format!("role {} from {}", role.value, role.source));
            lines.push(format!(
                "role session name {} from {}",
                self.session_name.value, self.session_name.source
            ));
            if let Some(id) = &self.external_id {
                lines.push(format!("external id from {}", id.source));
            }
        }
        lines.push(format!(
            "region {} from {}",
            self.region.value, self.region.source
        ));
        match &self.endpoint {
            Some(e) => lines.push(format!("STS endpoint {} from {}", e.value, e.source)),
            None => {
                let url = endpoint(self);
                let mut from = vec![format!("region {}", self.region.value)];
                for (on, what) in [
                    (&self.network.fips, "FIPS"),
                    (&self.network.dual_stack, "dual-stack"),
                ] {
                    if on.value {
                        from.push(format!("{what} from {}", on.source));
                    }
                }
                lines.push(format!(
                    "STS endpoint {url} (the SDK's, for {})",
                    from.join(", ")
                ));
            }
        }
        let net = &self.network;
        if let Some(ca) = &net.ca_bundle {
            lines.push(format!("CA bundle {} from {}", ca.value, ca.source));
        }
        lines.push(format!(
            "{} attempts ({} retries) from {}",
            net.max_attempts.value,
            if net.adaptive.value {
                "adaptive"
            } else {
                "standard"
            },
            net.max_attempts.source
        ));
        if let Some(cmd) = &self.token_command {
            lines.push(format!("MFA code command from {}", cmd.source));
        }
        lines
    }
}

/// SPEC §7's default read timeout.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The default refresh margin.
pub(crate) const DEFAULT_MIN_REMAINING: Duration = Duration::from_secs(15 * 60);
