//! Long-term keys, session credentials, and the decision whether a session is still good.
//! Pure logic (the caller passes the section's properties and the current time), but for a
//! secret kept in the OS keychain, which is read from there.

use std::borrow::Cow;

use chrono::{DateTime, Local, NaiveDateTime, TimeZone as _, Utc};

use crate::error::Error;
use crate::ini::Properties;
use crate::keychain::{self, Place};
use crate::keys;
use crate::secret::Secret;

/// The keys a session consists of (SPEC §5); `clear` removes exactly these.
pub const SESSION_KEYS: &[&str] = &[
    keys::ACCESS_KEY_ID,
    keys::SECRET_ACCESS_KEY,
    keys::SESSION_TOKEN,
    keys::SECURITY_TOKEN,
    keys::EXPIRATION,
    keys::ASSUMED_ROLE,
    "assumed_role_arn",
    keys::SESSION_SECONDS,
];

/// The keys without which a session is incomplete.
const REQUIRED_SESSION_KEYS: [&str; 4] = [
    keys::ACCESS_KEY_ID,
    keys::SECRET_ACCESS_KEY,
    keys::SESSION_TOKEN,
    keys::EXPIRATION,
];

/// The long-term keys of a profile.
#[derive(Debug)]
pub(crate) struct LongTerm {
    pub access_key_id: String,
    pub secret: Secret,
    /// Where the secret was read from.
    pub place: Place,
}

impl LongTerm {
    /// Reads the keys from `profile`'s long-term section, the secret from the OS keychain when
    /// the section keeps it there; `section` and `path` are for messages.
    pub(crate) fn from_section(
        props: Option<&Properties<'_>>,
        profile: &str,
        section: &str,
        path: &std::path::Path,
    ) -> Result<LongTerm, Error> {
        let missing = |key: &'static str| Error::NoLongTermKeys {
            path: path.to_path_buf(),
            section: section.to_owned(),
            key,
            exists: props.is_some(),
            similar: None,
        };
        let props = props.ok_or_else(|| missing(keys::ACCESS_KEY_ID))?;
        let id = props
            .get(keys::ACCESS_KEY_ID)
            .ok_or_else(|| missing(keys::ACCESS_KEY_ID))?;
        if id.starts_with("ASIA") || props.contains_key(keys::SESSION_TOKEN) {
            return Err(Error::SessionAsLongTerm {
                path: path.to_path_buf(),
                section: section.to_owned(),
            });
        }
        check_sendable(path, section, keys::ACCESS_KEY_ID, id)?;
        let place = Place::of(props);
        let secret = match place {
            Place::File => Secret::new(
                props
                    .get(keys::SECRET_ACCESS_KEY)
                    .ok_or_else(|| missing(keys::SECRET_ACCESS_KEY))?,
            ),
            Place::Keychain => keychain::read(id).map_err(|f| {
                f.error(
                    keychain::Doing::Read,
                    keychain::About { profile, section },
                    id,
                )
            })?,
            Place::Nowhere => return Err(missing(keys::SECRET_ACCESS_KEY)),
        };
        Ok(LongTerm {
            access_key_id: id.to_owned(),
            secret,
            place,
        })
    }
}

/// Refuses a key id or token that goes into a request header and holds a control character
/// (or is empty): the SDK would stop the process on it. Checked before anything is sent; the
/// message names the key and section, never the value.
pub(crate) fn check_sendable(
    path: &std::path::Path,
    section: &str,
    key: &'static str,
    value: &str,
) -> Result<(), Error> {
    if !value.is_empty() && !value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
        return Ok(());
    }
    Err(Error::Unsendable {
        path: path.to_path_buf(),
        section: section.to_owned(),
        key,
    })
}

/// Session credentials as STS returned them.
#[derive(Debug)]
pub(crate) struct Session {
    pub access_key_id: String,
    pub secret: Secret,
    pub token: Secret,
    pub expiration: DateTime<Utc>,
    /// The role assumed, for AssumeRole sessions.
    pub role_arn: Option<String>,
    /// How long it was made for.
    pub seconds: u32,
}

impl Session {
    /// The keys written into the short-term section (SPEC §5), in the format the section
    /// already has (`current`), so that the tool that made it accepts the new session:
    /// `aws_security_token` only when the section had one, and `expiration` in `aws-mfa`'s
    /// `2026-11-25 09:50:53` when it was written that way.
    pub(crate) fn keys(
        &self,
        current: Option<&Properties<'_>>,
    ) -> Vec<(&'static str, Cow<'_, str>)> {
        let with_security_token = current.is_some_and(|p| p.contains_key(keys::SECURITY_TOKEN));
        let aws_mfa_format = current
            .and_then(|p| p.get(keys::EXPIRATION))
            .is_some_and(is_aws_mfa_expiration);
        // Secrets are borrowed from their `Secret`, never copied.
        let mut keys = vec![
            (
                keys::ACCESS_KEY_ID,
                Cow::Borrowed(self.access_key_id.as_str()),
            ),
            (keys::SECRET_ACCESS_KEY, Cow::Borrowed(self.secret.expose())),
            (keys::SESSION_TOKEN, Cow::Borrowed(self.token.expose())),
        ];
        if with_security_token {
            keys.push((keys::SECURITY_TOKEN, Cow::Borrowed(self.token.expose())));
        }
        let expiration = if aws_mfa_format {
            self.expiration.format(AWS_MFA_FORMAT).to_string()
        } else {
            format_expiration(self.expiration)
        };
        keys.push((keys::EXPIRATION, Cow::Owned(expiration)));
        keys.push((
            keys::ASSUMED_ROLE,
            Cow::Borrowed(if self.role_arn.is_some() {
                "True"
            } else {
                "False"
            }),
        ));
        if let Some(arn) = &self.role_arn {
            keys.push(("assumed_role_arn", Cow::Borrowed(arn.as_str())));
        }
        // A section in aws-mfa's format keeps it: aws-mfa would leave the key behind, stale.
        if !aws_mfa_format {
            keys.push((keys::SESSION_SECONDS, Cow::Owned(self.seconds.to_string())));
        }
        keys
    }
}

/// RFC 3339 in UTC, to the second: `2026-11-25T09:50:53Z`.
pub(crate) fn format_expiration(t: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(20);
    push_expiration(&mut out, t);
    out
}

/// Appends `t` as [`format_expiration`] writes it (`2026-11-25T21:50:53Z`), built by hand for
/// the years of four digits (a list of thousands of rows formats one per row).
pub(crate) fn push_expiration(out: &mut String, t: DateTime<Utc>) {
    use chrono::{Datelike as _, Timelike as _};
    if !(0..=9999).contains(&t.year()) {
        out.push_str(&t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        return;
    }
    push_decimal(out, t.year().unsigned_abs().into(), 4);
    for (sep, n) in [
        ('-', t.month()),
        ('-', t.day()),
        ('T', t.hour()),
        (':', t.minute()),
        (':', t.second()),
    ] {
        out.push(sep);
        push_decimal(out, n.into(), 2);
    }
    out.push('Z');
}

/// How `aws-mfa` writes (and insists on reading) an expiration, in UTC.
const AWS_MFA_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Reads an expiration: RFC 3339, or `aws-mfa`'s `2026-11-25 09:50:53` (UTC).
pub(crate) fn parse_expiration(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    // What other tools write: aws-mfa's `2026-12-07 10:00:00`, and times without a zone
    // (UTC, as STS gives them), with or without fractions of a second.
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| Utc.from_utc_datetime(&t))
}

/// Whether an expiration is written the way `aws-mfa` writes it.
fn is_aws_mfa_expiration(s: &str) -> bool {
    NaiveDateTime::parse_from_str(s, AWS_MFA_FORMAT).is_ok()
}

/// What state a short-term section is in, and so whether it needs a refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Good for longer than the margin.
    Valid {
        expires: DateTime<Utc>,
    },
    /// Still valid, but within the margin.
    Expiring {
        expires: DateTime<Utc>,
    },
    Expired {
        expires: DateTime<Utc>,
    },
    /// No section.
    Missing,
    /// A session key is missing.
    Incomplete {
        missing: &'static str,
    },
    /// The expiration cannot be read.
    Unparsable,
    /// Made for another role (or for none when one is wanted, or the other way round).
    OtherRole,
    /// The section holds long-term keys: it must never be overwritten.
    LongTermKeys,
}

impl State {
    /// Why a refresh is needed, for messages.
    pub(crate) fn reason(&self) -> String {
        match self {
            State::Valid { .. } => "the session is valid".into(),
            State::Expiring { .. } => "the session expires soon".into(),
            State::Expired { .. } => "the session has expired".into(),
            State::Missing => "there is no session yet".into(),
            State::Incomplete { missing } => format!("the session has no {missing}"),
            State::Unparsable => "the session's expiration cannot be read".into(),
            State::OtherRole => "the session was made for another role".into(),
            State::LongTermKeys => "the section holds long-term keys".into(),
        }
    }
}

/// Whether a section holds long-term keys (an access key and no session token): such a
/// short-term section is never overwritten.
pub(crate) fn holds_long_term_keys(props: Option<&Properties<'_>>) -> bool {
    props.is_some_and(|p| {
        p.contains_key(keys::ACCESS_KEY_ID) && !p.contains_key(keys::SESSION_TOKEN)
    })
}

/// The role a session was made for (`assumed_role_arn`, unless `assumed_role = False`).
pub(crate) fn session_role<'p>(props: &'p Properties<'_>) -> Option<&'p str> {
    props
        .get("assumed_role_arn")
        .filter(|_| props.get(keys::ASSUMED_ROLE) != Some("False"))
}

/// Decides the state of a short-term section.
/// The refresh margin of the session in `props` (SPEC §2): `min_remaining`, but never more than
/// a quarter of the session's length, which the section records (`session_duration_seconds`);
/// `configured` (from the profile's duration) for a session made without it, or kept in
/// aws-mfa's format (which aws-mfa rewrites, leaving the key stale).
pub(crate) fn margin(
    props: Option<&Properties<'_>>,
    min_remaining: std::time::Duration,
    configured: std::time::Duration,
) -> std::time::Duration {
    match props
        .filter(|p| !p.get(keys::EXPIRATION).is_some_and(is_aws_mfa_expiration))
        .and_then(|p| p.get(keys::SESSION_SECONDS))
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
    {
        Some(seconds) => min_remaining.min(std::time::Duration::from_secs(seconds / 4)),
        None => configured,
    }
}

/// The state of a session section `now`: `role` is the role the profile is set up for, and
/// `(min_remaining, configured)` give the refresh margin ([`margin`]).
pub(crate) fn session_state(
    props: Option<&Properties<'_>>,
    role: Option<&str>,
    now: DateTime<Utc>,
    (min_remaining, configured): (std::time::Duration, std::time::Duration),
) -> State {
    let Some(props) = props else {
        return State::Missing;
    };
    if holds_long_term_keys(Some(props)) {
        return State::LongTermKeys;
    }
    for key in REQUIRED_SESSION_KEYS {
        if !props.contains_key(key) {
            return State::Incomplete { missing: key };
        }
    }
    let Some(expires) = props.get(keys::EXPIRATION).and_then(parse_expiration) else {
        return State::Unparsable;
    };
    if session_role(props) != role {
        return State::OtherRole;
    }
    // The margin is never more than `min_remaining`: a session with more left is valid, and its
    // recorded length need not be read (status reads thousands of sections).
    let within = |d: std::time::Duration| {
        expires - now <= chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero())
    };
    if expires <= now {
        State::Expired { expires }
    } else if within(min_remaining) && within(margin(Some(props), min_remaining, configured)) {
        State::Expiring { expires }
    } else {
        State::Valid { expires }
    }
}

/// `18:50 (5h 12m left)`, in local time; the date is added when it is not today.
pub(crate) fn describe_expiry(expires: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let local = expires.with_timezone(&Local);
    let today = now.with_timezone(&Local).date_naive();
    let when = if local.date_naive() == today {
        local.format("%H:%M").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    };
    if expires <= now {
        format!("{when} ({} ago)", span(now - expires))
    } else {
        format!("{when} ({} left)", span(expires - now))
    }
}

/// `1d 2h`, `5h 12m`, `12m`, `40s`.
pub(crate) fn span(d: chrono::Duration) -> String {
    let mut out = String::with_capacity(12);
    push_span(&mut out, d);
    out
}

/// Appends [`span`]`(d)` to `out`.
pub(crate) fn push_span(out: &mut String, d: chrono::Duration) {
    let s = d.num_seconds().max(0);
    let (days, hours, minutes) = (s / 86400, s % 86400 / 3600, s % 3600 / 60);
    let parts: &[(i64, &str)] = match (days, hours, minutes) {
        (0, 0, 0) => &[(s, "s")],
        (0, 0, m) => &[(m, "m")],
        (0, h, m) => &[(h, "h "), (m, "m")],
        (d, h, _) => &[(d, "d "), (h, "h")],
    };
    for (n, unit) in parts {
        push_decimal(out, n.unsigned_abs(), 1);
        out.push_str(unit);
    }
}

/// Appends `n` in decimal, zero-padded to `width` digits (20 at most), without the formatting
/// machinery (`status` writes a few numbers for each of possibly thousands of profiles).
pub(crate) fn push_decimal(out: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // The digits start as zeros: padding is starting earlier.
    let start = at.min(digits.len().saturating_sub(width));
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ini::{Document, FileKind, Read as _};
    use std::time::Duration;

    fn state(text: &str, role: Option<&str>, now: &str) -> State {
        let doc = Document::parse(text);
        let view = doc.view(FileKind::Credentials).unwrap_or_default();
        let now = parse_expiration(now).unwrap_or_default();
        session_state(
            view.profiles.get("dev"),
            role,
            now,
            (Duration::from_secs(900), Duration::from_secs(900)),
        )
    }

    #[test]
    fn expirations_are_written_as_chrono_formats_them() {
        use chrono::TimeZone as _;
        let times = [
            (2026, 11, 25, 21, 50, 53),
            (1, 1, 1, 0, 0, 0),
            (2099, 12, 31, 23, 59, 59),
            (2026, 2, 3, 4, 5, 6),
            (12026, 1, 1, 0, 0, 0),
        ];
        for (y, mo, d, h, mi, s) in times {
            let t = Utc
                .with_ymd_and_hms(y, mo, d, h, mi, s)
                .single()
                .unwrap_or_default();
            assert_eq!(
                format_expiration(t),
                t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "{y}"
            );
        }
    }

    #[test]
    fn expirations_other_tools_write_are_read() {
        let want = parse_expiration("2026-12-07T10:00:00Z");
        assert!(want.is_some());
        for written in [
            "2026-12-07 10:00:00",
            "2026-12-07T10:00:00",
            "2026-12-07T10:00:00.000000",
            "2026-12-07 10:00:00.000",
            "2026-12-07T10:00:00.000000Z",
            "2026-12-07T10:00:00+00:00",
            "2026-12-07T11:00:00+01:00",
        ] {
            assert_eq!(parse_expiration(written), want, "{written}");
        }
        assert!(parse_expiration("2026-12-07").is_none());
        assert!(parse_expiration("soon").is_none());
    }

    const SESSION: &str = "[dev]\naws_access_key_id = ASIA\naws_secret_access_key = s\n\
                           aws_session_token = t\nexpiration = 2026-11-25T18:00:00Z\n";

    #[test]
    fn valid_expiring_and_expired() {
        assert!(matches!(
            state(SESSION, None, "2026-11-25T12:00:00Z"),
            State::Valid { .. }
        ));
        assert!(matches!(
            state(SESSION, None, "2026-11-25T17:50:00Z"),
            State::Expiring { .. }
        ));
        assert!(matches!(
            state(SESSION, None, "2026-11-25T18:00:00Z"),
            State::Expired { .. }
        ));
    }

    #[test]
    fn missing_incomplete_and_unparsable() {
        assert_eq!(state("", None, "2026-11-25T12:00:00Z"), State::Missing);
        let no_token = SESSION.replace("aws_session_token = t\n", "aws_security_token = t\n");
        assert_eq!(
            state(&no_token, None, "2026-11-25T12:00:00Z"),
            State::LongTermKeys
        );
        let no_exp = SESSION.replace("expiration = 2026-11-25T18:00:00Z\n", "");
        assert_eq!(
            state(&no_exp, None, "2026-11-25T12:00:00Z"),
            State::Incomplete {
                missing: "expiration"
            }
        );
        let bad = SESSION.replace("2026-11-25T18:00:00Z", "tomorrow");
        assert_eq!(state(&bad, None, "2026-11-25T12:00:00Z"), State::Unparsable);
    }

    #[test]
    fn aws_mfa_expiration_format_is_read_as_utc() {
        let t = parse_expiration("2026-11-25 09:50:53");
        assert_eq!(
            t.map(format_expiration),
            Some("2026-11-25T09:50:53Z".into())
        );
        let t = parse_expiration("2026-11-25T10:50:53+01:00");
        assert_eq!(
            t.map(format_expiration),
            Some("2026-11-25T09:50:53Z".into())
        );
    }

    #[test]
    fn a_session_for_another_role_is_refreshed() {
        let role = "arn:aws:iam::123456789012:role/admin";
        let with_role = format!("{SESSION}assumed_role = True\nassumed_role_arn = {role}\n");
        let now = "2026-11-25T12:00:00Z";
        assert!(matches!(
            state(&with_role, Some(role), now),
            State::Valid { .. }
        ));
        assert_eq!(state(&with_role, None, now), State::OtherRole);
        assert_eq!(state(SESSION, Some(role), now), State::OtherRole);
        let other = with_role.replace("role/admin", "role/reader");
        assert_eq!(state(&other, Some(role), now), State::OtherRole);
    }

    #[test]
    fn spans_read_naturally() {
        assert_eq!(span(chrono::Duration::seconds(40)), "40s");
        assert_eq!(span(chrono::Duration::seconds(12 * 60)), "12m");
        assert_eq!(
            span(chrono::Duration::seconds(5 * 3600 + 12 * 60)),
            "5h 12m"
        );
        assert_eq!(span(chrono::Duration::seconds(26 * 3600)), "1d 2h");
        assert_eq!(span(chrono::Duration::seconds(-5)), "0s");
    }

    #[test]
    fn decimals_are_padded_to_their_width_and_never_cut() {
        let decimal = |n, width| {
            let mut out = String::from(">");
            push_decimal(&mut out, n, width);
            out
        };
        assert_eq!(decimal(0, 1), ">0");
        assert_eq!(decimal(0, 2), ">00");
        assert_eq!(decimal(7, 2), ">07");
        assert_eq!(decimal(123, 2), ">123");
        assert_eq!(decimal(5, 4), ">0005");
        assert_eq!(decimal(2026, 4), ">2026");
        assert_eq!(decimal(u64::MAX, 1), format!(">{}", u64::MAX));
        assert_eq!(decimal(1, 25), format!(">{:020}", 1));
    }
}
