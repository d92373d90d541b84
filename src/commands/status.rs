//! `stsmfa status`: one row per managed profile (kind, expiry, time left, state, device),
//! never a secret. The table goes to stderr; `--json` prints a stable array on stdout. Exit 0
//! when every profile shown is valid, 1 otherwise.

use std::collections::{HashMap, HashSet};
use std::os::unix::fs::PermissionsExt as _;

use chrono::{DateTime, Datelike as _, FixedOffset, Local, Offset as _, Timelike as _, Utc};

use crate::cli::StatusArgs;
use crate::credentials::{self, State};
use crate::error::Error;
use crate::ini::Document;
use crate::profile::Naming;

use super::Context;
use super::refresh::{self, Files, Texts};

/// One profile's line.
struct Row {
    profile: String,
    role_arn: Option<String>,
    expires: Option<DateTime<Utc>>,
    state: &'static str,
    device: Option<String>,
}

pub fn run(args: &StatusArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    let texts = Texts::read(ctx)?;
    let files = Files::parse(&texts, ctx)?;
    warn_if_readable_by_others(ctx);
    if args.profiles.is_empty() || args.profiles.len() > 4 {
        files.index();
    }
    let names = if args.profiles.is_empty() {
        managed_profiles(&files.credentials, &ctx.naming)
    } else {
        args.profiles.clone()
    };
    let rows = names
        .iter()
        .map(|n| row(n, ctx, &files))
        .collect::<Result<Vec<_>, _>>()?;
    if args.json {
        ctx.out.print(&format!("{}\n", json(&rows, ctx.now)));
    } else if rows.is_empty() {
        ctx.out.info(&format!(
            "no profile has a long-term or a session section in {}",
            ctx.files.credentials.display()
        ));
    } else {
        ctx.out.info(&table(&rows, ctx));
    }
    Ok(if rows.iter().all(|r| r.state == "valid") {
        0
    } else {
        1
    })
}

/// Profiles with a long-term section or a session section, in file order.
fn managed_profiles(doc: &Document<'_>, naming: &Naming) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for section in doc.sections() {
        let name = doc.section_name(section);
        if name.prefix.is_some() {
            continue;
        }
        let profile = match naming.profile_of_long_term(name.name) {
            Some(p) => Some(p.to_owned()),
            None => doc
                .section_has_key(section, "aws_session_token")
                .then(|| naming.profile_of_short_term(name.name))
                .flatten(),
        };
        if let Some(p) = profile
            && seen.insert(p.clone())
        {
            out.push(p);
        }
    }
    out
}

fn row(name: &str, ctx: &Context<'_>, files: &Files<'_>) -> Result<Row, Error> {
    let path = ctx.files.credentials.as_path();
    let long_term = files.section(&ctx.naming.long_term(name), path)?;
    let short_term = files.section(&ctx.naming.short_term(name), path)?;
    let has_session = short_term
        .as_ref()
        .is_some_and(|p| p.contains_key("aws_session_token"));
    let (device, configured_role) =
        refresh::with_resolver(name, long_term.as_ref(), ctx, files, |r| {
            (r.device().map(|d| d.value), r.role().map(|r| r.value))
        });
    if long_term.is_none() && !has_session {
        return Ok(Row {
            profile: name.to_owned(),
            role_arn: None,
            expires: None,
            state: "not managed",
            device,
        });
    }
    let session_role = short_term.as_ref().and_then(|p| {
        p.get("assumed_role_arn")
            .filter(|_| p.get("assumed_role") != Some("False"))
            .map(str::to_owned)
    });
    let state = credentials::session_state(
        short_term.as_ref(),
        session_role.as_deref(),
        ctx.now,
        ctx.min_remaining,
    );
    let (state, expires) = match state {
        State::Valid { expires } => ("valid", Some(expires)),
        State::Expiring { expires } => ("expiring", Some(expires)),
        State::Expired { expires } => ("expired", Some(expires)),
        State::LongTermKeys => ("not managed", None),
        State::Missing | State::Incomplete { .. } | State::Unparsable | State::OtherRole => {
            ("missing", None)
        }
    };
    Ok(Row {
        profile: name.to_owned(),
        role_arn: if has_session {
            session_role
        } else {
            configured_role
        },
        expires,
        state,
        device,
    })
}

fn table(rows: &[Row], ctx: &Context<'_>) -> String {
    let mut offsets = LocalOffsets::default();
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.profile.clone(),
                r.role_arn.clone().unwrap_or_else(|| "session".into()),
                r.expires
                    .map_or_else(|| "-".into(), |e| offsets.local_minute(e)),
                r.expires
                    .filter(|e| *e > ctx.now)
                    .map_or_else(|| "-".into(), |e| credentials::span(e - ctx.now)),
                r.state.to_owned(),
                r.device.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let header = ["PROFILE", "KIND", "EXPIRES", "LEFT", "STATE", "DEVICE"].map(String::from);
    let mut widths = header.clone().map(|h| h.len());
    for c in &cells {
        for (w, cell) in widths.iter_mut().zip(c) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::with_capacity((rows.len() + 1) * (widths.iter().sum::<usize>() + 12));
    let mut render = |c: &[String; 6], colour: bool| {
        for (i, cell) in c.iter().enumerate() {
            let last = i == 5;
            if colour && i == 4 {
                let level = match cell.as_str() {
                    "valid" => 0,
                    "expiring" => 1,
                    _ => 2,
                };
                out.push_str(&ctx.out.state_color(cell, level));
            } else {
                out.push_str(cell);
            }
            if !last {
                let pad = widths[i] - cell.chars().count() + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    };
    render(&header, false);
    for c in &cells {
        render(c, ctx.out.colored());
    }
    out.pop();
    out
}

/// Local time for many timestamps: the zone's offset is looked up once per hour of UTC time
/// (offsets change only on the hour), not once per row.
#[derive(Default)]
struct LocalOffsets(HashMap<i64, FixedOffset>);

impl LocalOffsets {
    /// `2026-11-25 21:50` in local time.
    fn local_minute(&mut self, t: DateTime<Utc>) -> String {
        let offset = *self
            .0
            .entry(t.timestamp().div_euclid(3600))
            .or_insert_with(|| t.with_timezone(&Local).offset().fix());
        let t = t.with_timezone(&offset);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute()
        )
    }
}

fn json(rows: &[Row], now: DateTime<Utc>) -> serde_json::Value {
    rows.iter()
        .map(|r| {
            serde_json::json!({
                "profile": r.profile,
                "kind": if r.role_arn.is_some() { "role" } else { "session" },
                "role_arn": r.role_arn,
                "expiration": r.expires.map(credentials::format_expiration),
                "seconds_left": r.expires.map(|e| (e - now).num_seconds().max(0)),
                "state": r.state,
                "device": r.device,
            })
        })
        .collect()
}

/// Warns when the credentials file can be read by anyone but its owner.
fn warn_if_readable_by_others(ctx: &Context<'_>) {
    let path = &ctx.files.credentials;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            ctx.out.warn(&format!(
                "{} can be read by others (mode {mode:o}); run: chmod 600 {}",
                path.display(),
                path.display()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_profiles_come_from_long_term_and_session_sections() {
        let doc = Document::parse(
            "[default]\naws_access_key_id = AKIA\n\n[dev-long-term]\nk = v\n\n\
             [dev]\naws_session_token = t\n\n[ops]\naws_session_token = t\n",
        );
        let naming = Naming::new("long-term", None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(managed_profiles(&doc, &naming), vec!["dev", "ops"]);
    }
}
