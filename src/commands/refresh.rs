//! `stsmfa refresh` (the default command): makes sure each profile has a good session, asking
//! nothing while it has one. The work is the session core's ([`crate::session::Run`]): codes
//! and STS calls with no lock held, then one locked write of every session the run made.

use crate::cli::RefreshArgs;
use crate::error::{Error, Usage};
use crate::session::{Files, Run, Texts};

use super::Context;

pub(super) fn run(args: &RefreshArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    refresh(args, ctx, false)
}

/// `stsmfa PROFILE...`, where the first word may also be a mistyped command.
pub(super) fn run_default(args: &RefreshArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    refresh(args, ctx, true)
}

fn refresh(args: &RefreshArgs, ctx: &Context<'_>, top_level: bool) -> Result<u8, Error> {
    let texts = Texts::read(ctx)?;
    let files = if args.all {
        Files::parse_all(&texts, ctx)?
    } else {
        Files::parse(&texts, ctx)?
    };
    if top_level && let Some(first) = args.profiles.first() {
        mistyped_command(first, &files, ctx)?;
    }
    let (profiles, roles) = profiles_to_refresh(args, ctx, &files)?;
    let mut run = Run::new(ctx, &files);
    let results = run.ensure_all(&profiles);
    let written = run.write();
    Ok(report(&profiles, results, written, &roles, ctx))
}

/// A role of the config file named for a refresh, and its base.
type RoleOf = (String, String);

/// The profiles a refresh is for (`--all`, the names, else the default profile), each checked,
/// with a role of the config file replaced by its base (the AWS tools assume such a role
/// themselves from the base's session); the roles so replaced come back with their bases.
fn profiles_to_refresh(
    args: &RefreshArgs,
    ctx: &Context<'_>,
    files: &Files<'_>,
) -> Result<(Vec<String>, Vec<RoleOf>), Error> {
    if args.all {
        let found = crate::session::long_term_profiles(&files.credentials, &ctx.naming);
        if found.is_empty() {
            ctx.out.info(&format!(
                "no profile has a [NAME-long-term] section in {}; nothing to refresh",
                ctx.files.credentials.display()
            ));
        }
        return Ok((found, Vec::new()));
    }
    let named = ctx.profiles_or_default(&args.profiles);
    // One profile is checked as it is loaded (the same error); several are checked first, so
    // that a later name's typo stops the run before anything is done.
    if named.len() > 1 {
        files.check_named(&named, ctx)?;
    }
    let mut roles = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut profiles = Vec::new();
    for name in named {
        let profile = match crate::session::config_role_base(&name, ctx, files) {
            Some(base) => {
                roles.push((name, base.clone()));
                base
            }
            None => name,
        };
        if seen.insert(profile.clone()) {
            profiles.push(profile);
        }
    }
    Ok((profiles, roles))
}

/// Says what each profile came to, in the order they were named (a base refreshed for a role
/// that was named without it comes first), and returns the worst exit code.
fn report(
    profiles: &[String],
    results: Vec<(String, Result<crate::session::Current, Error>)>,
    written: Result<Vec<(String, String)>, Error>,
    roles: &[RoleOf],
    ctx: &Context<'_>,
) -> u8 {
    let several = profiles.len() > 1;
    let mut worst = 0;
    let mut made = match written {
        Ok(made) => made,
        Err(e) => {
            ctx.out.error(&e);
            worst = e.exit_code();
            Vec::new()
        }
    };
    let named: std::collections::HashSet<&str> = profiles.iter().map(String::as_str).collect();
    for (profile, what) in made.extract_if(.., |(p, _)| !named.contains(p.as_str())) {
        ctx.out.done(&profile, &what);
    }
    let mut cancelled = false;
    for (profile, result) in results {
        let fresh = result.is_ok();
        match result {
            // Said once: the run stopped there.
            Err(Error::Cancelled) if cancelled => {}
            Err(e) => {
                cancelled |= matches!(e, Error::Cancelled);
                // In a run over several profiles, every message names its profile.
                ctx.out.error_for(several.then_some(profile.as_str()), &e);
                worst = worst.max(e.exit_code());
            }
            // Still valid: said so, nothing asked.
            Ok(current) if !current.made => {
                let when = crate::credentials::describe_expiry(current.expiration, ctx.now);
                ctx.out.done(&profile, &format!("valid until {when}"));
            }
            // Made now: what the write did (nothing when it failed, which was said).
            Ok(_) => {
                if let Some(i) = made.iter().position(|(p, _)| *p == profile) {
                    let (profile, what) = made.remove(i);
                    ctx.out.done(&profile, &what);
                }
            }
        }
        for (role, _) in roles.iter().filter(|(_, base)| fresh && *base == profile) {
            ctx.out.done(
                role,
                &format!(
                    "a role of {}: the AWS tools assume it with {profile}'s session, which this \
                     run keeps fresh",
                    ctx.files.config.display()
                ),
            );
        }
    }
    worst
}

/// `stsmfa sttaus dev`: a first word that no section of either file names, one typo away from
/// a command, is a mistyped command, refused before anything is done (a profile of that name
/// would be refreshed).
fn mistyped_command(first: &str, files: &Files<'_>, ctx: &Context<'_>) -> Result<(), Error> {
    let path = ctx.files.credentials.as_path();
    let known = files.section(&ctx.naming.long_term(first), path)?.is_some()
        || files
            .section(&ctx.naming.short_term(first), path)?
            .is_some()
        || files.config.profiles.contains_key(first);
    if known {
        return Ok(());
    }
    let commands = crate::cli::command_names();
    match crate::profile::closest(first, commands.iter().map(String::as_str)) {
        Some(command) => Err(Error::Usage(Usage::UnknownCommand {
            given: first.to_owned(),
            suggestion: command.to_owned(),
        })),
        None => Ok(()),
    }
}
