//! Command dispatch and what every command shares: the resolved files, profile naming and the
//! output.

mod clear;
mod completions;
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
use crate::ini::Document;
use crate::output::Output;
use crate::profile::Naming;

pub use crate::context::Context;

/// Runs the command and returns the exit code; errors that end the whole command are returned
/// for `main` to print.
pub fn run(cli: &Cli, env: &Env, out: Output) -> Result<u8, Error> {
    let ctx = Context::new(&cli.global, &cli.settings, env, out)?;
    match &cli.command {
        None => refresh::run(&cli.refresh, &ctx),
        Some(Command::Refresh(args)) => refresh::run(args, &ctx),
        Some(Command::Clear(args)) => clear::run(args, &ctx),
        Some(Command::Status(args)) => status::run(args, &ctx),
        Some(Command::Env(args)) => env::run(args, &ctx),
        Some(Command::Exec(args)) => exec::run(args, &ctx),
        Some(Command::CredentialProcess(args)) => credential_process::run(args, &ctx),
        Some(Command::Setup(args)) => setup::run(args, &ctx),
        Some(Command::Rotate(args)) => rotate::run(args, &ctx),
        Some(Command::Man(args)) => man::run(args, &ctx),
        Some(Command::Completions(args)) => completions::run(args, &ctx),
    }
}

/// Profiles that have a long-term section, in file order.
pub fn long_term_profiles(doc: &Document, naming: &Naming) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for section in doc.sections() {
        let name = doc.section_name(section);
        if name.prefix.is_none()
            && let Some(p) = naming.profile_of_long_term(name.name)
            && seen.insert(p.to_owned())
        {
            out.push(p.to_owned());
        }
    }
    out
}

/// Deletes the OS keychain's entry for `key_id` after a write that took it out of `about`'s
/// section, unless a section of the file as it is now still keeps its secret there. Never
/// before the write; a failure is a warning (the file is right either way).
pub fn forget_entry(ctx: &Context<'_>, about: crate::keychain::About<'_>, key_id: &str) {
    use crate::keychain;
    let used = crate::store::read(&ctx.files.credentials)
        .ok()
        .flatten()
        .is_some_and(|text| keychain::in_use(&Document::parse(&text), key_id));
    if used {
        return;
    }
    match keychain::delete(key_id) {
        Ok(()) => ctx.out.detail(&format!(
            "{}: deleted the OS keychain's entry for {}",
            about.profile,
            crate::secret::mask(key_id)
        )),
        Err(f) => ctx.out.warn(&format!(
            "{}: {}; the file does not need it any more",
            about.profile,
            f.error(keychain::Doing::Delete, about, key_id)
        )),
    }
}

/// The environment variables that carry a session; the secrets are borrowed, not copied.
pub fn variables(current: &crate::session::Current) -> [(&'static str, Cow<'_, str>); 4] {
    [
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
    ]
}
