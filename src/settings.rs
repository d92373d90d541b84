//! Settings of one profile, resolved in the order of SPEC §2: flag, environment variable, key
//! in `[NAME-long-term]`, key in the config file's `[profile NAME-long-term]` then
//! `[profile NAME]`, default. Every value remembers where it came from, for `-v` and for
//! error messages, and is validated before any network call.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::env::Env;
use crate::error::Error;
use crate::ini::Properties;
use crate::keys;

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
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
pub struct Setting<T> {
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
pub struct Flags {
    /// MFA device serial: arn:aws:iam::ACCOUNT:mfa/NAME or a hardware serial
    /// [env: MFA_DEVICE; else aws_mfa_device or mfa_serial in the profile]
    #[arg(long, global = true, value_name = "SERIAL", help_heading = "Session")]
    pub device: Option<String>,

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
    pub assume_role: Option<String>,

    /// Role session name [default: your login name]
    #[arg(long, global = true, value_name = "NAME", help_heading = "Session")]
    pub role_session_name: Option<String>,

    /// External id the role's trust policy asks for
    #[arg(long, global = true, value_name = "ID", help_heading = "Session")]
    pub external_id: Option<String>,

    /// AWS region of the STS endpoint [env: AWS_REGION, AWS_DEFAULT_REGION; default: us-east-1]
    #[arg(long, global = true, value_name = "REGION", help_heading = "Session")]
    pub region: Option<String>,

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
pub fn duration_arg(s: &str) -> Result<Duration, String> {
    parse_duration(s)
        .map(|secs| Duration::from_secs(u64::from(secs)))
        .ok_or_else(|| format!("give {DURATION_SHAPE}"))
}

/// A duration flag in whole seconds.
pub fn duration_seconds_arg(s: &str) -> Result<u32, String> {
    parse_duration(s).ok_or_else(|| format!("give {DURATION_SHAPE}"))
}

/// A section that settings are read from, with how to name it in messages
/// (`[{prefix}{name}]`, named only when a value is taken from it).
pub struct Layer<'a> {
    pub prefix: &'static str,
    pub name: &'a str,
    pub path: &'a Path,
    pub props: Option<&'a Properties<'a>>,
}

/// The settings of one profile.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The MFA device; a chained profile needs none (its base's session carries MFA).
    pub device: Option<Setting<String>>,
    /// The base profile of a chained role (`source_profile` in the long-term section).
    pub source_profile: Option<Setting<String>>,
    pub duration: Setting<u32>,
    pub role: Option<Setting<String>>,
    pub session_name: Setting<String>,
    pub external_id: Option<Setting<String>>,
    pub region: Setting<String>,
    /// An STS endpoint the user gave; without one the SDK's resolver picks it from the region
    /// and `network` (see [`Settings::sts_url`]).
    pub endpoint: Option<Setting<String>>,
    pub network: Network,
    pub token_command: Option<Setting<String>>,
}

/// How STS is reached: endpoint variants, trusted certificates, retries (SPEC §2, §7).
#[derive(Clone, Debug)]
pub struct Network {
    pub fips: Setting<bool>,
    pub dual_stack: Setting<bool>,
    /// A PEM file of certificate authorities that replaces the system's.
    pub ca_bundle: Option<Setting<String>>,
    pub max_attempts: Setting<u32>,
    /// `retry_mode = adaptive` (client-side rate limiting on top of the standard retries).
    pub adaptive: Setting<bool>,
}

/// Where one setting is looked for, first found wins: its flag (name and value), its
/// environment variables, its keys in the long-term section, its keys in the config file.
struct Lookup<'a>(
    (&'static str, Option<&'a String>),
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

/// A profile as `status` shows it (see [`Resolver::summary`]).
pub struct Summary<'a> {
    pub device: Option<&'a str>,
    pub role: Option<&'a str>,
    pub source_profile: Option<&'a str>,
    /// The refresh margin of its sessions (see [`Settings::margin`]).
    pub margin: Duration,
}

/// Resolves settings from flags, environment, the long-term section and config sections.
pub struct Resolver<'a> {
    pub flags: &'a Flags,
    pub env: &'a Env,
    /// `[NAME-long-term]` of the credentials file.
    pub long_term: &'a Layer<'a>,
    /// `[profile NAME-long-term]` and `[profile NAME]` of the config file, in that order.
    pub config: &'a [Layer<'a>],
}

/// Where [`Resolver::locate`] found a value: a flag, a variable, or a key of a layer.
enum Origin<'r> {
    Flag(&'static str),
    Env(&'static str),
    File(&'static str, &'r Layer<'r>),
}

impl<'a> Resolver<'a> {
    /// The first value found for one setting, borrowed, and where it was found.
    fn locate(
        &self,
        Lookup(flag, env, long_term_keys, config_keys): Lookup<'a>,
    ) -> Option<(&'a str, Origin<'a>)> {
        if let Some(v) = flag.1 {
            return Some((v.as_str(), Origin::Flag(flag.0)));
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
            ("--device", self.flags.device.as_ref()),
            &["MFA_DEVICE"],
            &[keys::MFA_DEVICE, keys::MFA_SERIAL],
            &[keys::MFA_SERIAL],
        )
    }

    /// Where the role to assume is looked for (`role_arn` is accepted as `assume_role`).
    fn role_lookup(&self) -> Lookup<'a> {
        Lookup(
            ("--assume-role", self.flags.assume_role.as_ref()),
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
    pub fn summary(&self, min_remaining: Duration) -> Summary<'a> {
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
    pub fn device(&self) -> Option<Setting<String>> {
        self.find(self.device_lookup())
    }

    /// The role to assume, where one is set.
    pub fn role(&self) -> Option<Setting<String>> {
        self.find(self.role_lookup())
    }

    /// The base profile of a chained role.
    pub fn source_profile(&self) -> Option<Setting<String>> {
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
    pub fn resolve(&self, profile: &str) -> Result<Settings, Error> {
        let f = self.flags;
        let source_profile = self.source_profile();
        let chained = source_profile.is_some();
        let device = self.device();
        match &device {
            Some(d) => check(d, "MFA device", is_mfa_serial, MFA_SERIAL_SHAPE)?,
            None if chained => {}
            None => {
                return Err(Error::NoDevice {
                    profile: profile.to_owned(),
                    section: self.long_term.name.to_owned(),
                });
            }
        }
        let role = self.role();
        if let Some(role) = &role {
            check(role, "role ARN", is_role_arn, ROLE_ARN_SHAPE)?;
        }
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
                ("--role-session-name", f.role_session_name.as_ref()),
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
            ("--external-id", f.external_id.as_ref()),
            &[],
            &["external_id"],
            &["external_id"],
        ));
        if let Some(id) = &external_id {
            check(id, "external id", is_external_id, EXTERNAL_ID_SHAPE)?;
        }
        let region = self
            .find(Lookup(
                ("--region", f.region.as_ref()),
                &["AWS_REGION", "AWS_DEFAULT_REGION"],
                &["region"],
                &["region"],
            ))
            .unwrap_or_else(|| Setting {
                value: "us-east-1".into(),
                source: Source::Default,
            });
        check(&region, "region", is_region, REGION_SHAPE)?;
        let endpoint = self.find(Lookup(
            ("--endpoint-url", f.endpoint_url.as_ref()),
            &["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"],
            &[],
            &["endpoint_url"],
        ));
        if let Some(endpoint) = &endpoint {
            check(endpoint, "endpoint URL", is_url, URL_SHAPE)?;
        }
        let network = self.network()?;
        let token_command = self.find(Lookup(
            ("--token-command", f.token_command.as_ref()),
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
            ("--ca-bundle", self.flags.ca_bundle.as_ref()),
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

impl Settings {
    /// How long before its expiration a session of these settings is refreshed: the
    /// `--min-remaining` margin, but never more than a quarter of the session's length (a
    /// 15-minute session is not "expiring" the moment it is made).
    pub fn margin(&self, min_remaining: Duration) -> Duration {
        quarter_capped(min_remaining, self.duration.value)
    }

    /// Whether this is a chained role, signed with another profile's session.
    pub fn is_chained(&self) -> bool {
        self.source_profile.is_some()
    }

    /// One line per setting for `-v`: what it is and where it came from. `endpoint` is the STS
    /// endpoint the SDK resolves for these settings (or why it cannot), said when none was
    /// given.
    pub fn describe(&self, endpoint: impl FnOnce(&Settings) -> String) -> Vec<String> {
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

const MFA_SERIAL_SHAPE: &str =
    "an ARN like arn:aws:iam::123456789012:mfa/NAME, or a hardware serial like GAHT12345678";
const ROLE_ARN_SHAPE: &str = "an ARN like arn:aws:iam::123456789012:role/NAME";
const DURATION_SHAPE: &str = "seconds (43200) or hours and minutes (12h, 90m, 1h30m)";
const SESSION_NAME_SHAPE: &str = "2 to 64 letters, digits and + = , . @ - _";
const EXTERNAL_ID_SHAPE: &str = "2 to 1224 letters, digits and + = , . @ : / - _";
const REGION_SHAPE: &str = "a region like us-east-1 or eu-central-2";
const ATTEMPTS_SHAPE: &str = "a whole number from 1 to 10";

/// Attempts per STS call (the AWS CLI's default) and the most that may be asked for.
pub const DEFAULT_ATTEMPTS: u32 = 3;
const MAX_ATTEMPTS: u32 = 10;
const URL_SHAPE: &str = "a URL like https://sts.us-east-1.amazonaws.com";

fn invalid(setting: &Setting<String>, what: &str, shape: &str) -> Error {
    Error::Usage {
        message: format!(
            "the {what} {:?} (from {}) is not valid",
            setting.value, setting.source
        ),
        hint: Some(format!("give {shape}")),
    }
}

fn check(
    setting: &Setting<String>,
    what: &str,
    valid: fn(&str) -> bool,
    shape: &str,
) -> Result<(), Error> {
    if valid(&setting.value) {
        Ok(())
    } else {
        Err(invalid(setting, what, shape))
    }
}

/// What kind of session a profile gets, which decides the duration AWS allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// GetSessionToken: 15 minutes to 36 hours.
    Session,
    /// AssumeRole with the long-term keys and a code: 15 minutes to 12 hours.
    Role,
    /// AssumeRole signed with another profile's session (role chaining): at most one hour.
    Chained,
}

impl SessionKind {
    /// The kind of a profile that is `chained` (has a `source_profile`) or has a `role`.
    pub fn of(chained: bool, role: bool) -> SessionKind {
        match (chained, role) {
            (true, _) => SessionKind::Chained,
            (false, true) => SessionKind::Role,
            (false, false) => SessionKind::Session,
        }
    }

    /// The longest duration AWS allows, in seconds.
    pub fn max_duration(self) -> u32 {
        match self {
            SessionKind::Session => 129_600,
            SessionKind::Role => 43_200,
            SessionKind::Chained => 3_600,
        }
    }

    /// The duration asked for when none is set.
    pub fn default_duration(self) -> u32 {
        match self {
            SessionKind::Session => 43_200,
            SessionKind::Role | SessionKind::Chained => 3_600,
        }
    }
}

/// `min_remaining`, but never more than a quarter of a session of `seconds`.
fn quarter_capped(min_remaining: Duration, seconds: u32) -> Duration {
    min_remaining.min(Duration::from_secs(u64::from(seconds / 4)))
}

/// The shortest duration AWS allows, in seconds.
pub const MIN_DURATION: u32 = 900;

/// Checks a duration against what AWS allows for `kind`.
pub fn check_duration(d: &Setting<u32>, kind: SessionKind) -> Result<(), Error> {
    let max = kind.max_duration();
    if (MIN_DURATION..=max).contains(&d.value) {
        return Ok(());
    }
    let (what, range) = match kind {
        SessionKind::Session => ("a session", "15m to 36h"),
        SessionKind::Role => ("a role session", "15m to 12h"),
        SessionKind::Chained => (
            "a chained role session (AWS caps role chaining at one hour)",
            "15m to 1h",
        ),
    };
    Err(Error::Usage {
        message: format!(
            "the duration {} s (from {}) is outside what AWS allows for {what}",
            d.value, d.source
        ),
        hint: Some(format!("give {MIN_DURATION} to {max} seconds ({range})")),
    })
}

/// Parses `43200`, `3600s`, `90m`, `12h`, `1h30m` into seconds.
pub fn parse_duration(s: &str) -> Option<u32> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in s.chars() {
        match c {
            '0'..='9' => number.push(c),
            'h' | 'm' | 's' if !number.is_empty() => {
                let n: u64 = number.parse().ok()?;
                let unit = match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                total = total.checked_add(n.checked_mul(unit)?)?;
                number.clear();
            }
            _ => return None,
        }
    }
    if !number.is_empty() || s.is_empty() {
        return None;
    }
    u32::try_from(total).ok()
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `arn:aws[-a-z]*:iam::<12 digits>:<kind>/<path/name>`.
fn is_iam_arn(s: &str, kind: &str) -> bool {
    let mut parts = s.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let partition_ok = partition
        .strip_prefix("aws")
        .is_some_and(|rest| rest.bytes().all(|b| b == b'-' || b.is_ascii_lowercase()));
    let name_ok = resource
        .strip_prefix(kind)
        .and_then(|r| r.strip_prefix('/'))
        .is_some_and(|name| {
            !name.is_empty()
                && !name.ends_with('/')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
        });
    partition_ok && is_account(account) && name_ok
}

pub fn is_mfa_serial(s: &str) -> bool {
    if s.starts_with("arn:") {
        return is_iam_arn(s, "mfa");
    }
    (9..=256).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=/:,.@-".contains(&b))
}

pub fn is_role_arn(s: &str) -> bool {
    is_iam_arn(s, "role")
}

fn is_session_name(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

fn is_external_id(s: &str) -> bool {
    (2..=1224).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@:/-".contains(&b))
}

/// The shape every AWS region has: two letters, one or more words, a number
/// (`us-east-1`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`, `eu-isoe-west-1`).
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    match parts.as_slice() {
        [area, words @ .., number] if !words.is_empty() => {
            area.len() == 2
                && area.bytes().all(|b| b.is_ascii_lowercase())
                && words
                    .iter()
                    .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
                && (1..=2).contains(&number.len())
                && number.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

fn is_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
}

/// The login user name, made fit for a role session name.
fn default_session_name(env: &Env) -> String {
    let user = env
        .get("USER")
        .or_else(|| env.get("LOGNAME"))
        .unwrap_or("stsmfa");
    let clean: String = user
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c))
        .take(64)
        .collect();
    if clean.len() >= 2 {
        clean
    } else {
        "stsmfa".into()
    }
}

/// SPEC §7's default read timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The default refresh margin.
pub const DEFAULT_MIN_REMAINING: Duration = Duration::from_secs(15 * 60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_seconds_hours_and_minutes() {
        assert_eq!(parse_duration("43200"), Some(43200));
        assert_eq!(parse_duration("12h"), Some(43200));
        assert_eq!(parse_duration("90m"), Some(5400));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("900s"), Some(900));
        for bad in [
            "",
            "h",
            "12x",
            "-5",
            "1.5h",
            "12h3",
            "99999999999999999h",
            "5000000000",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn mfa_serials_are_arns_or_hardware_serials() {
        assert!(is_mfa_serial("arn:aws:iam::123456789012:mfa/alice"));
        assert!(is_mfa_serial(
            "arn:aws-us-gov:iam::123456789012:mfa/team/alice"
        ));
        assert!(is_mfa_serial("arn:aws-cn:iam::123456789012:mfa/alice"));
        assert!(is_mfa_serial("GAHT12345678"));
        assert!(!is_mfa_serial("arn:aws:iam::12345678901:mfa/alice"));
        assert!(!is_mfa_serial("arn:aws:iam::123456789012:user/alice"));
        assert!(!is_mfa_serial("arn:aws:iam::123456789012:mfa/"));
        assert!(!is_mfa_serial("short"));
    }

    #[test]
    fn role_arns_have_the_role_shape() {
        assert!(is_role_arn("arn:aws:iam::123456789012:role/admin"));
        assert!(is_role_arn("arn:aws:iam::123456789012:role/path/admin"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:rol/admin"));
        assert!(!is_role_arn("arn:aws:sts::123456789012:role/admin"));
    }

    #[test]
    fn regions_have_the_aws_shape() {
        for good in [
            "us-east-1",
            "us-gov-west-1",
            "cn-north-1",
            "us-isob-east-1",
            "eu-central-2",
        ] {
            assert!(is_region(good), "{good}");
        }
        for bad in [
            "bogus",
            "us-east",
            "useast-1",
            "us--1",
            "US-EAST-1",
            "us-east-1a",
            "",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }

    #[test]
    fn session_name_defaults_to_a_clean_user_name() {
        let env = Env::from_pairs([("USER", "alice smith")]);
        assert_eq!(default_session_name(&env), "alicesmith");
        assert_eq!(default_session_name(&Env::default()), "stsmfa");
    }
}
