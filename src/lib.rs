//! stsmfa: short-term AWS session credentials from long-term keys and an MFA code, kept in the
//! shared credentials file without losing a byte of it.
//!
//! The binary is [`main`]; what the library makes public beyond it (the document, the store,
//! the environment snapshot, the timeouts, a secret's mask) is what the integration tests and
//! benchmarks drive directly. Everything else is private to the crate.

#![warn(missing_docs, unreachable_pub)]

mod ask;
mod aws;
mod cli;
mod commands;
mod credentials;
pub mod env;
mod error;
mod hash;
pub mod ini;
mod keychain;
mod keys;
mod output;
pub mod profile;
pub mod secret;
mod server;
mod session;
mod settings;
mod shell;
pub mod store;
pub mod timeouts;
mod token;

use std::process::ExitCode;

/// The whole program: parse the command line, run the command, print the one error and return
/// its exit code.
pub fn main() -> ExitCode {
    secret::disable_core_dumps();
    let env = env::Env::capture();
    let cli = match cli::parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(cli::Refused::Clap(e)) => {
            if e.kind() == clap::error::ErrorKind::DisplayVersion && cli::asks_verbose() {
                let out = output::Output::new(false, false, output::ColorWhen::Auto, &env);
                return match out.print(&cli::long_version()) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        out.error(&e);
                        ExitCode::from(e.exit_code())
                    }
                };
            }
            e.exit()
        }
        Err(cli::Refused::Setting(e)) => {
            let out = output::Output::new(false, false, output::ColorWhen::Auto, &env);
            out.error(&e);
            return ExitCode::from(e.exit_code());
        }
    };
    let g = &cli.global;
    let out = output::Output::new(g.quiet, g.verbose, g.color, &env);
    match commands::run(&cli, &env, out) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            out.error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
