//! `stsmfa status`: one row per managed profile (kind, expiry, time left, state, where the
//! long-term secret lives, device), never a secret. The table goes to stdout (dropped with `-q`);
//! `--json` prints a stable array there. Notes and warnings go to stderr. Exit 0 when every
//! profile shown is valid, 1 otherwise.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt as _;

use chrono::{DateTime, Datelike as _, FixedOffset, Local, Offset as _, Timelike as _, Utc};

use crate::cli::StatusArgs;
use crate::credentials::{self, State};
use crate::error::Error;
use crate::keychain::Place;
use crate::keys;

use super::Context;
use crate::session::{self, Files, Texts};

/// One profile's line.
struct Row<'f> {
    profile: &'f str,
    role_arn: Option<String>,
    /// The base profile of a chained role.
    via: Option<String>,
    /// The KIND cell: `session`, the role ARN, or `ROLE via BASE`.
    kind: Cow<'static, str>,
    expires: Option<DateTime<Utc>>,
    state: &'static str,
    device: Option<String>,
    /// Days since the long-term key was made, when the file records it (`rotate` does).
    key_age_days: Option<i64>,
    /// Where the long-term secret lives (`file`, `keychain`), for a profile with keys.
    secret: Option<&'static str>,
}

/// Keys older than this are flagged (AWS's guidance, and every audit's).
const OLD_KEY_DAYS: i64 = 90;

pub(super) fn run(args: &StatusArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    let texts = Texts::read(ctx)?;
    // `status -p dev` is `status dev`.
    let named: Vec<&str> = match (&args.profiles[..], &ctx.profile_flag) {
        ([], Some(p)) => vec![p.as_str()],
        (named, _) => named.iter().map(String::as_str).collect(),
    };
    // A few named profiles are looked up; for more, every section is read in one pass.
    let files = if named.is_empty() || named.len() > 4 {
        Files::parse_all(&texts, ctx)?
    } else {
        Files::parse(&texts, ctx)?
    };
    if !files.credentials_exist && named.is_empty() {
        return Err(Error::NoCredentialsFile {
            path: ctx.files.credentials.clone(),
        });
    }
    files.check_named(&named, ctx)?;
    warn_if_readable_by_others(ctx);
    let names: Vec<&str> = if named.is_empty() {
        let mut names = files.managed_profiles(&ctx.naming);
        // Then the roles of the config file chained to them.
        for name in files.config.profiles.keys() {
            if !names.contains(&name.as_ref())
                && session::config_role_base(name, ctx, &files).is_some()
            {
                names.push(name);
            }
        }
        names
    } else {
        named
    };
    let rows = names
        .iter()
        .map(|n| row(n, ctx, &files))
        .collect::<Result<Vec<_>, _>>()?;
    for r in rows.iter().filter(|r| r.key_age_days > Some(OLD_KEY_DAYS)) {
        ctx.out.warn(&format!(
            "{}: the long-term key is {} days old; rotate it: stsmfa rotate {}",
            r.profile,
            r.key_age_days.unwrap_or_default(),
            r.profile
        ));
    }
    if args.json {
        ctx.out.stream(|out| json(&rows, ctx.now, out))?;
    } else if rows.is_empty() {
        ctx.out.info(&format!(
            "no profile has a long-term or a session section in {}",
            ctx.files.credentials.display()
        ));
    } else {
        ctx.out.list(|out| table(&rows, ctx, out))?;
    }
    Ok(if rows.iter().all(|r| r.state == "valid") {
        0
    } else {
        1
    })
}

fn row<'f>(name: &'f str, ctx: &Context<'_>, files: &Files<'_>) -> Result<Row<'f>, Error> {
    let path = ctx.files.credentials.as_path();
    let long_term_section = ctx.naming.long_term(name);
    let long_term = files.section(&long_term_section, path)?;
    let short_term = files.section(&ctx.naming.short_term(name), path)?;
    let has_session = short_term
        .as_ref()
        .is_some_and(|p| p.contains_key(keys::SESSION_TOKEN));
    let key_age_days = long_term
        .as_ref()
        .and_then(|p| p.get(keys::KEY_CREATED))
        .and_then(credentials::parse_expiration)
        .map(|created| (ctx.now - created).num_days());
    // Read from the file only: `status` never asks the keychain.
    let secret = long_term
        .as_ref()
        .filter(|p| p.contains_key(keys::ACCESS_KEY_ID))
        .map(|p| Place::of(p).word());
    let (device, configured_role, via, margin) = session::with_resolver(
        name,
        &long_term_section,
        long_term.as_ref(),
        ctx,
        files,
        |r| {
            let s = r.summary(ctx.min_remaining);
            let owned = |v: Option<&str>| v.map(str::to_owned);
            (
                owned(s.device),
                owned(s.role),
                owned(s.source_profile),
                s.margin,
            )
        },
    );
    if long_term.is_none()
        && !has_session
        && let Some((role, base)) = session::config_role_arn_and_base(name, ctx, files)
    {
        // A role of the config file: the AWS tools assume it from its base's session, so it
        // is as good as that session.
        let (expires, state) = {
            let of_base = row(&base, ctx, files)?;
            (of_base.expires, of_base.state)
        };
        return Ok(Row {
            profile: name,
            kind: Cow::Owned(format!("{role} via {base}")),
            role_arn: Some(role),
            via: Some(base),
            expires,
            state,
            device: None,
            key_age_days: None,
            secret: None,
        });
    }
    if long_term.is_none() && !has_session {
        return Ok(Row {
            profile: name,
            role_arn: None,
            via: None,
            kind: Cow::Borrowed("session"),
            expires: None,
            state: "not managed",
            device,
            key_age_days,
            secret,
        });
    }
    let session_role = short_term
        .as_ref()
        .and_then(credentials::session_role)
        .map(str::to_owned);
    // As the next refresh decides it: the role the profile is set up for, the margin of the
    // session in the file.
    let state = credentials::session_state(
        short_term.as_ref(),
        configured_role.as_deref(),
        ctx.now,
        (ctx.min_remaining, margin),
    );
    let (state, expires) = match state {
        State::Valid { expires } => ("valid", Some(expires)),
        State::Expiring { expires } => ("expiring", Some(expires)),
        State::Expired { expires } => ("expired", Some(expires)),
        State::LongTermKeys => ("not managed", None),
        State::OtherRole => ("other role", None),
        State::Missing | State::Incomplete { .. } | State::Unparsable => ("missing", None),
    };
    let role_arn = if has_session {
        session_role
    } else {
        configured_role
    };
    let kind = match (&role_arn, &via) {
        (Some(role), Some(base)) => Cow::Owned(format!("{role} via {base}")),
        (Some(role), None) => Cow::Owned(role.clone()),
        (None, _) => Cow::Borrowed("session"),
    };
    Ok(Row {
        profile: name,
        role_arn,
        via,
        kind,
        expires,
        state,
        device,
        key_age_days,
        secret,
    })
}

/// Writes the table, a line at a time: a file can have thousands of profiles.
fn table(rows: &[Row], ctx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut offsets = LocalOffsets::default();
    // Only the cells that are not already text in a row (EXPIRES and LEFT) are made here, all
    // into one string; `ends` has where each one ends.
    let mut text = String::with_capacity(rows.len() * 28);
    let mut ends = Vec::with_capacity(rows.len() * 2);
    for r in rows {
        match r.expires {
            Some(e) => offsets.push_local_minute(&mut text, e),
            None => text.push('-'),
        }
        ends.push(text.len());
        match r.expires.filter(|e| *e > ctx.now) {
            Some(e) => credentials::push_span(&mut text, e - ctx.now),
            None => text.push('-'),
        }
        ends.push(text.len());
    }
    let made = |i: usize| {
        let start = if i == 0 { 0 } else { ends[2 * i - 1] };
        [
            &text[start..ends[2 * i]],
            &text[ends[2 * i]..ends[2 * i + 1]],
        ]
    };
    let cells = |i: usize| -> [&str; 7] {
        let (r, [expires, left]) = (&rows[i], made(i));
        [
            r.profile,
            &r.kind,
            expires,
            left,
            r.state,
            r.secret.unwrap_or("-"),
            r.device.as_deref().unwrap_or("-"),
        ]
    };
    let header = [
        "PROFILE", "KIND", "EXPIRES", "LEFT", "STATE", "SECRET", "DEVICE",
    ];
    let mut widths = header.map(str::len);
    for i in 0..rows.len() {
        for (w, cell) in widths.iter_mut().zip(cells(i)) {
            *w = (*w).max(width(cell));
        }
    }
    let mut line = String::with_capacity(widths.iter().sum::<usize>() + 32);
    let mut render = |c: [&str; 7], colour: bool| {
        line.clear();
        for (i, cell) in c.into_iter().enumerate() {
            if colour && i == 4 {
                let level = match cell {
                    "valid" => 0,
                    "expiring" => 1,
                    _ => 2,
                };
                line.push_str(&ctx.out.state_color(cell, level));
            } else {
                line.push_str(cell);
            }
            if i < 6 {
                pad(&mut line, widths[i] - width(cell) + 2);
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())
    };
    render(header, false)?;
    for i in 0..rows.len() {
        render(cells(i), ctx.out.colored())?;
    }
    Ok(())
}

/// Appends `n` spaces, a slice at a time: with `width`, this saves 4.5 M instructions on a
/// table of 10,000 profiles over pushing one space at a time and counting every character.
fn pad(line: &mut String, mut n: usize) {
    const SPACES: &str = "                                ";
    while n > 0 {
        let now = n.min(SPACES.len());
        line.push_str(&SPACES[..now]);
        n -= now;
    }
}

/// How many columns a cell takes: its characters.
fn width(cell: &str) -> usize {
    if cell.is_ascii() {
        cell.len()
    } else {
        cell.chars().count()
    }
}

/// Local time for many timestamps: the zone's offset is looked up once per hour of UTC time
/// (offsets change only on the hour), not once per row.
#[derive(Default)]
struct LocalOffsets(HashMap<i64, FixedOffset>);

impl LocalOffsets {
    /// Appends `2026-11-25 21:50`, `t` in local time, to `out`.
    fn push_local_minute(&mut self, out: &mut String, t: DateTime<Utc>) {
        let offset = *self
            .0
            .entry(t.timestamp().div_euclid(3600))
            .or_insert_with(|| t.with_timezone(&Local).offset().fix());
        let t = t.with_timezone(&offset);
        // Built by hand: one row per profile, and a file can have thousands.
        credentials::push_decimal(out, t.year().unsigned_abs().into(), 4);
        for (sep, n) in [
            ('-', t.month()),
            ('-', t.day()),
            (' ', t.hour()),
            (':', t.minute()),
        ] {
            out.push(sep);
            credentials::push_decimal(out, n.into(), 2);
        }
    }
}

/// The rows as a JSON array and a newline, written as it goes (a file can have thousands of
/// profiles): objects with their keys in alphabetical order, strings escaped by serde_json.
fn json(rows: &[Row], now: DateTime<Utc>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut line = Vec::with_capacity(512);
    line.push(b'[');
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        json_row(&mut line, r, now)?;
        out.write_all(&line)?;
        line.clear();
    }
    line.extend_from_slice(b"]\n");
    out.write_all(&line)
}

/// One row as a JSON object.
fn json_row(out: &mut Vec<u8>, r: &Row, now: DateTime<Utc>) -> std::io::Result<()> {
    let mut expiration = String::new();
    if let Some(e) = r.expires {
        credentials::push_expiration(&mut expiration, e);
    }
    let text = |out: &mut Vec<u8>, key: &str, value: Option<&str>| -> std::io::Result<()> {
        out.extend_from_slice(key.as_bytes());
        match value {
            Some(v) => serde_json::to_writer(&mut *out, v).map_err(std::io::Error::other),
            None => {
                out.extend_from_slice(b"null");
                Ok(())
            }
        }
    };
    let number = |out: &mut Vec<u8>, key: &str, value: Option<i64>| {
        out.extend_from_slice(key.as_bytes());
        match value {
            Some(n) => out.extend_from_slice(n.to_string().as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
    };
    text(out, "{\"device\":", r.device.as_deref())?;
    text(
        out,
        ",\"expiration\":",
        r.expires.map(|_| expiration.as_str()),
    )?;
    number(out, ",\"key_age_days\":", r.key_age_days);
    let kind = if r.role_arn.is_some() {
        "role"
    } else {
        "session"
    };
    text(out, ",\"kind\":", Some(kind))?;
    text(out, ",\"profile\":", Some(r.profile))?;
    text(out, ",\"role_arn\":", r.role_arn.as_deref())?;
    number(
        out,
        ",\"seconds_left\":",
        r.expires.map(|e| (e - now).num_seconds().max(0)),
    );
    text(out, ",\"secret\":", r.secret)?;
    text(out, ",\"source_profile\":", r.via.as_deref())?;
    text(out, ",\"state\":", Some(r.state))?;
    out.push(b'}');
    Ok(())
}

/// Warns when the credentials file can be read by anyone but its owner.
fn warn_if_readable_by_others(ctx: &Context<'_>) {
    ctx.warn_if_world_writable();
    let path = &ctx.files.credentials;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    let who = match (mode & 0o070 != 0, mode & 0o007 != 0) {
        _ if !meta.is_file() => return,
        (true, true) => "its group and others",
        (true, false) => "its group",
        (false, true) => "others",
        (false, false) => return,
    };
    ctx.out.warn(&format!(
        "{} can be read by {who} (mode {mode:o}); run: chmod 600 {}",
        path.display(),
        path.display()
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `status --json` printed when it built serde_json values: the reference.
    fn as_values(rows: &[Row], now: DateTime<Utc>) -> String {
        let value: serde_json::Value = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "profile": r.profile,
                    "kind": if r.role_arn.is_some() { "role" } else { "session" },
                    "role_arn": r.role_arn,
                    "source_profile": r.via,
                    "expiration": r.expires.map(credentials::format_expiration),
                    "seconds_left": r.expires.map(|e| (e - now).num_seconds().max(0)),
                    "state": r.state,
                    "device": r.device,
                    "key_age_days": r.key_age_days,
                    "secret": r.secret,
                })
            })
            .collect();
        format!("{value}\n")
    }

    #[test]
    fn the_json_is_byte_for_byte_what_serde_json_values_give() {
        let now = DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        };
        let rows = [
            Row {
                profile: "dev",
                role_arn: None,
                via: None,
                kind: Cow::Borrowed("session"),
                expires: at("2026-12-07T21:50:53Z"),
                state: "valid",
                device: Some("arn:aws:iam::123456789012:mfa/alice".into()),
                key_age_days: Some(120),
                secret: Some("keychain"),
            },
            Row {
                profile: "odd \"name\"\\ é\u{1}\t/",
                role_arn: Some("arn:aws:iam::210987654321:role/a\nb".into()),
                via: Some("dev".into()),
                kind: Cow::Borrowed("x"),
                expires: at("2026-12-07T09:00:00Z"),
                state: "expired",
                device: None,
                key_age_days: Some(-3),
                secret: None,
            },
            Row {
                profile: "new",
                role_arn: None,
                via: None,
                kind: Cow::Borrowed("session"),
                expires: None,
                state: "missing",
                device: None,
                key_age_days: None,
                secret: Some("file"),
            },
        ];
        for n in 0..=rows.len() {
            let mut out = Vec::new();
            json(&rows[..n], now, &mut out).unwrap_or_default();
            assert_eq!(
                String::from_utf8_lossy(&out),
                as_values(&rows[..n], now),
                "{n} rows"
            );
        }
    }
}
