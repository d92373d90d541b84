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
    let profiles = if args.all {
        let found = crate::session::long_term_profiles(&files.credentials, &ctx.naming);
        if found.is_empty() {
            ctx.out.info(&format!(
                "no profile has a [NAME-long-term] section in {}; nothing to refresh",
                ctx.files.credentials.display()
            ));
        }
        found
    } else {
        let named = ctx.profiles_or_default(&args.profiles);
        // One profile is checked as it is loaded (the same error); several are checked first,
        // so that a later name's typo stops the run before anything is done.
        if named.len() > 1 {
            files.check_named(&named, ctx)?;
        }
        named
    };
    // A role of the config file is assumed by the AWS tools themselves from its base's session:
    // refreshing it is refreshing its base.
    let mut roles: Vec<(String, String)> = Vec::new();
    let mut profiles: Vec<String> = profiles
        .into_iter()
        .map(
            |p| match crate::session::config_role_base(&p, ctx, &files) {
                Some(base) => {
                    roles.push((p, base.clone()));
                    base
                }
                None => p,
            },
        )
        .collect();
    let mut seen = std::collections::HashSet::new();
    profiles.retain(|p| seen.insert(p.clone()));
    let several = profiles.len() > 1;
    let mut run = Run::new(ctx, &files);
    let results = run.ensure_all(&profiles);
    let mut worst = 0;
    let mut made = match run.write() {
        Ok(made) => made,
        Err(e) => {
            ctx.out.error(&e);
            worst = e.exit_code();
            Vec::new()
        }
    };
    // What each profile came to, in the order they were named; a base refreshed for a role
    // that was named without it comes first.
    for (profile, what) in made.extract_if(.., |(p, _)| !profiles.contains(p)) {
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
    Ok(worst)
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
