//! Command dispatch and what every command shares: the resolved files, profile naming and the
//! output.

mod clear;

use std::time::Duration;

use crate::cli::{Cli, Command, Global};
use crate::env::Env;
use crate::error::Error;
use crate::output::Output;
use crate::profile::Naming;
use crate::store::{self, Locations, Platform};

/// Everything a command needs besides its own arguments, resolved once.
pub struct Context<'a> {
    pub env: &'a Env,
    pub out: Output,
    pub files: Locations,
    pub naming: Naming,
    /// The profile a command works on when it names none: `--profile`, `AWS_PROFILE`, `default`.
    pub default_profile: String,
    pub lock_timeout: Duration,
}

impl<'a> Context<'a> {
    pub fn new(global: &Global, env: &'a Env, out: Output) -> Result<Context<'a>, Error> {
        Ok(Context {
            env,
            out,
            files: store::locate(
                global.credentials_file.as_deref(),
                global.config_file.as_deref(),
                env,
                Platform::Unix,
            )?,
            naming: Naming::new(
                &global.long_term_suffix,
                global.short_term_suffix.as_deref(),
            )?,
            default_profile: global
                .profile
                .clone()
                .unwrap_or_else(|| env.default_profile().to_owned()),
            lock_timeout: store::LOCK_TIMEOUT,
        })
    }

    /// The profiles named on the command line, else the default one.
    pub fn profiles_or_default(&self, named: &[String]) -> Vec<String> {
        if named.is_empty() {
            vec![self.default_profile.clone()]
        } else {
            named.to_vec()
        }
    }
}

/// Runs the command and returns the exit code; errors that end the whole command are returned
/// for `main` to print.
pub fn run(cli: &Cli, env: &Env, out: Output) -> Result<u8, Error> {
    let ctx = Context::new(&cli.global, env, out)?;
    match &cli.command {
        Command::Clear(args) => clear::run(args, &ctx),
    }
}
