//! Command dispatch and what every command shares: the resolved files, profile naming and the
//! output.

mod clear;
mod completions;
mod console;
mod credential_process;
mod env;
mod exec;
mod man;
mod refresh;
mod rotate;
mod setup;
mod status;

use std::borrow::Cow;

use crate::cli::{Cli, Command};
use crate::env::Env;
use crate::error::Error;
use crate::output::Output;

pub(crate) use crate::session::Context;
use crate::session::Options;

/// Runs the command and returns the exit code; errors that end the whole command are returned
/// for `main` to print.
pub(crate) fn run(cli: &Cli, env: &Env, out: Output) -> Result<u8, Error> {
    let (g, s) = (&cli.global, &cli.settings);
    let options = Options {
        profile: g.profile.as_deref(),
        credentials_file: g.credentials_file.as_deref(),
        config_file: g.config_file.as_deref(),
        long_term_suffix: &g.long_term_suffix,
        short_term_suffix: g.short_term_suffix.as_deref(),
        no_input: g.no_input,
        flags: &s.session,
        token: s.token.as_deref(),
        min_remaining: s.min_remaining,
        timeout: s.timeout,
        force: s.force,
    };
    let ctx = Context::new(&options, env, out)?;
    match &cli.command {
        None => refresh::run_default(&cli.refresh, &ctx),
        Some(Command::Refresh(args)) => refresh::run(args, &ctx),
        Some(Command::Clear(args)) => clear::run(args, &ctx),
        Some(Command::Status(args)) => status::run(args, &ctx),
        Some(Command::Env(args)) => env::run(args, &ctx),
        Some(Command::Exec(args)) => exec::run(args, &ctx),
        Some(Command::Console(args)) => console::run(args, &ctx),
        Some(Command::CredentialProcess(args)) => credential_process::run(args, &ctx),
        Some(Command::Setup(args)) => setup::run(args, &ctx),
        Some(Command::Rotate(args)) => rotate::run(args, &ctx),
        Some(Command::Man(args)) => man::run(args, &ctx),
        Some(Command::Completions(args)) => completions::run(args, &ctx),
    }
}

/// The environment variables that carry a session (the secrets are borrowed, not copied),
/// the profile's region when it has one, and `STSMFA_PROFILE`, the profile's name (a marker
/// for prompts and scripts, as the AWS tools do not read it).
pub(crate) fn variables<'a>(
    current: &'a crate::session::Current,
    profile: &'a str,
) -> Vec<(&'static str, Cow<'a, str>)> {
    let mut out = vec![
        (
            "AWS_ACCESS_KEY_ID",
            Cow::Borrowed(current.access_key_id.as_str()),
        ),
        (
            "AWS_SECRET_ACCESS_KEY",
            Cow::Borrowed(current.secret.expose()),
        ),
        ("AWS_SESSION_TOKEN", Cow::Borrowed(current.token.expose())),
        (
            "AWS_CREDENTIAL_EXPIRATION",
            Cow::Owned(crate::credentials::format_expiration(current.expiration)),
        ),
    ];
    if let Some(region) = &current.region {
        out.push(("AWS_REGION", Cow::Borrowed(region.as_str())));
        out.push(("AWS_DEFAULT_REGION", Cow::Borrowed(region.as_str())));
    }
    out.push(("STSMFA_PROFILE", Cow::Borrowed(profile)));
    out
}
