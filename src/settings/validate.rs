//! What a valid value of each setting looks like (the shapes AWS accepts), and the limits on
//! durations.

use std::time::Duration;

use super::Setting;
use crate::env::Env;
use crate::error::{Error, Usage};

pub(super) const MFA_SERIAL_SHAPE: &str =
    "an ARN like arn:aws:iam::123456789012:mfa/NAME, or a hardware serial like GAHT12345678";
pub(super) const ROLE_ARN_SHAPE: &str = "an ARN like arn:aws:iam::123456789012:role/NAME";
pub(super) const DURATION_SHAPE: &str = "seconds (43200) or hours and minutes (12h, 90m, 1h30m)";
pub(super) const SESSION_NAME_SHAPE: &str = "2 to 64 letters, digits and + = , . @ - _";
pub(super) const EXTERNAL_ID_SHAPE: &str = "2 to 1224 letters, digits and + = , . @ : / - _";
pub(super) const REGION_SHAPE: &str = "a region like us-east-1 or eu-central-2";
pub(super) const ATTEMPTS_SHAPE: &str = "a whole number from 1 to 10";

/// Attempts per STS call (the AWS CLI's default) and the most that may be asked for.
pub(crate) const DEFAULT_ATTEMPTS: u32 = 3;
pub(super) const MAX_ATTEMPTS: u32 = 10;
pub(super) const URL_SHAPE: &str = "a URL like https://sts.us-east-1.amazonaws.com";

pub(super) fn invalid(setting: &Setting<String>, what: &str, shape: &str) -> Error {
    Error::Usage(Usage::Invalid {
        what: what.to_owned(),
        value: setting.value.clone(),
        source: setting.source.to_string(),
        shape: shape.to_owned(),
    })
}

pub(super) fn check(
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
pub(crate) enum SessionKind {
    /// GetSessionToken: 15 minutes to 36 hours.
    Session,
    /// AssumeRole with the long-term keys and a code: 15 minutes to 12 hours.
    Role,
    /// AssumeRole signed with another profile's session (role chaining): at most one hour.
    Chained,
}

impl SessionKind {
    /// The kind of a profile that is `chained` (has a `source_profile`) or has a `role`.
    pub(crate) fn of(chained: bool, role: bool) -> SessionKind {
        match (chained, role) {
            (true, _) => SessionKind::Chained,
            (false, true) => SessionKind::Role,
            (false, false) => SessionKind::Session,
        }
    }

    /// The longest duration AWS allows, in seconds.
    pub(crate) fn max_duration(self) -> u32 {
        match self {
            SessionKind::Session => 129_600,
            SessionKind::Role => 43_200,
            SessionKind::Chained => 3_600,
        }
    }

    /// The duration asked for when none is set.
    pub(crate) fn default_duration(self) -> u32 {
        match self {
            SessionKind::Session => 43_200,
            SessionKind::Role | SessionKind::Chained => 3_600,
        }
    }
}

/// `min_remaining`, but never more than a quarter of a session of `seconds`.
pub(super) fn quarter_capped(min_remaining: Duration, seconds: u32) -> Duration {
    min_remaining.min(Duration::from_secs(u64::from(seconds / 4)))
}

/// The shortest duration AWS allows, in seconds.
pub(crate) const MIN_DURATION: u32 = 900;

/// Checks a duration against what AWS allows for `kind`.
pub(crate) fn check_duration(d: &Setting<u32>, kind: SessionKind) -> Result<(), Error> {
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
    Err(Error::Usage(Usage::Duration {
        seconds: d.value,
        source: d.source.to_string(),
        what,
        min: MIN_DURATION,
        max,
        range,
    }))
}

/// Parses `43200`, `3600s`, `90m`, `12h`, `1h30m` into seconds.
pub(crate) fn parse_duration(s: &str) -> Option<u32> {
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

pub(super) fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `arn:aws[-a-z]*:iam::<12 digits>:<kind>/<path/name>`.
pub(super) fn is_iam_arn(s: &str, kind: &str) -> bool {
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

pub(crate) fn is_mfa_serial(s: &str) -> bool {
    if s.starts_with("arn:") {
        return is_iam_arn(s, "mfa");
    }
    (9..=256).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=/:,.@-".contains(&b))
}

pub(crate) fn is_role_arn(s: &str) -> bool {
    is_iam_arn(s, "role")
}

pub(super) fn is_session_name(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

pub(super) fn is_external_id(s: &str) -> bool {
    (2..=1224).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@:/-".contains(&b))
}

/// The shape every AWS region has: two letters, one or more words, a number
/// (`us-east-1`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`, `eu-isoe-west-1`).
pub(super) fn is_region(s: &str) -> bool {
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

pub(super) fn is_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
}

/// The login user name, made fit for a role session name.
pub(super) fn default_session_name(env: &Env) -> String {
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
