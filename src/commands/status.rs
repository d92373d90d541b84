//! `stsmfa status`: one row per managed profile (kind, expiry, time left, state, device),
//! never a secret. The table goes to stderr; `--json` prints a stable array on stdout. Exit 0
//! when every profile shown is valid, 1 otherwise.

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt as _;

use chrono::{DateTime, Local, Utc};

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
        ctx.out.info(&table(&rows, ctx).join("\n"));
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
                .section_properties(section)
                .contains_key("aws_session_token")
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
    let settings = long_term
        .as_ref()
        .and_then(|lt| refresh::resolve(name, Some(lt), ctx, files).ok());
    let device = settings.as_ref().map(|s| s.device.value.clone());
    let configured_role = settings.and_then(|s| s.role).map(|r| r.value);
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

fn table(rows: &[Row], ctx: &Context<'_>) -> Vec<String> {
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.profile.clone(),
                r.role_arn.clone().unwrap_or_else(|| "session".into()),
                r.expires.map_or_else(
                    || "-".into(),
                    |e| e.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(),
                ),
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
    let render = |c: &[String; 6], colour: bool| {
        let mut line = String::new();
        for (i, cell) in c.iter().enumerate() {
            let padded = format!("{cell:<width$}", width = widths[i]);
            let shown = if colour && i == 4 {
                let level = match cell.as_str() {
                    "valid" => 0,
                    "expiring" => 1,
                    _ => 2,
                };
                ctx.out.state_color(&padded, level)
            } else {
                padded
            };
            line.push_str(&shown);
            if i < 5 {
                line.push_str("  ");
            }
        }
        line.trim_end().to_owned()
    };
    std::iter::once(render(&header, false))
        .chain(cells.iter().map(|c| render(c, ctx.out.colored())))
        .collect()
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
