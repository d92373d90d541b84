//! `stsmfa exec`: runs a command with the session in its environment and exits with the
//! command's exit code, or 128+N when signal N ended it. While the command runs, stsmfa does
//! not die of the signals meant for it: Ctrl-C and Ctrl-\ reach the command directly (the
//! terminal signals the whole process group), and a SIGTERM or SIGHUP sent to stsmfa alone is
//! passed on to the command.

use std::os::unix::process::ExitStatusExt as _;
use std::process::Command;

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::cli::ExecArgs;
use crate::error::{Error, Usage};

use super::Context;
use crate::session;

pub(super) fn run(args: &ExecArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    let profile = ctx.profile_or_default(args.profile.as_ref());
    let current = session::session_for(&profile, ctx)?;
    let Some((program, rest)) = args.command.split_first() else {
        return Err(Error::Usage(Usage::NoCommand { profile }));
    };
    let mut command = Command::new(program);
    command.args(rest).env_remove("AWS_PROFILE");
    // SAFETY: the closure only calls setrlimit, which is async-signal-safe.
    unsafe {
        use std::os::unix::process::CommandExt as _;
        command.pre_exec(|| {
            crate::secret::restore_core_limit();
            Ok(())
        });
    }
    for (name, value) in super::variables(&current, &profile) {
        command.env(name, value.as_ref());
    }
    let mut signals =
        Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT]).map_err(|source| Error::Stdio {
            action: "watch signals",
            source,
        })?;
    let mut child = command.spawn().map_err(|source| Error::Exec {
        command: program.clone(),
        source,
    })?;
    let pid = child.id() as libc::pid_t;
    let handle = signals.handle();
    let forwarder = std::thread::spawn(move || {
        for signal in signals.forever() {
            if signal == SIGTERM || signal == SIGHUP {
                // SAFETY: kill(2) with the pid of our own child, which is not reaped until
                // after this thread is stopped, and a valid signal number.
                unsafe {
                    libc::kill(pid, signal);
                }
            }
        }
    });
    let status = child.wait().map_err(|source| Error::Exec {
        command: program.clone(),
        source,
    });
    handle.close();
    let _ = forwarder.join();
    let status = status?;
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(1),
        (None, Some(signal)) => u8::try_from(128 + signal).unwrap_or(255),
        (None, None) => 1,
    })
}
