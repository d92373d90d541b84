//! `stsmfa exec`: runs a command with the session in its environment. The command replaces
//! this process, so its exit code, or the signal that ended it, is what the caller sees (a
//! shell reports a signal N as 128+N), and signals from the terminal reach it directly.

use std::os::unix::process::CommandExt as _;
use std::process::Command;

use crate::cli::ExecArgs;
use crate::error::Error;

use super::Context;
use super::refresh;

pub fn run(args: &ExecArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    let profile = ctx.profile_or_default(args.profile.as_ref());
    let current = refresh::session_for(&profile, ctx)?;
    let Some((program, rest)) = args.command.split_first() else {
        return Err(Error::Usage {
            message: "no command to run".into(),
            hint: Some(format!("stsmfa exec {profile} -- COMMAND [ARGS...]")),
        });
    };
    let mut command = Command::new(program);
    command.args(rest).env_remove("AWS_PROFILE");
    for (name, value) in super::variables(&current) {
        command.env(name, value);
    }
    // Only returns when the command could not be started.
    let error = command.exec();
    Err(Error::Exec {
        command: program.clone(),
        source: error,
    })
}
