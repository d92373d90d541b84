//! `stsmfa env`: shell lines that export the session, for `eval "$(stsmfa env dev)"`.

use crate::cli::EnvArgs;
use crate::error::{Error, Usage};
use crate::shell::Shell;

use super::Context;
use crate::session;

pub(super) fn run(args: &EnvArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    let shell = match args.shell {
        Some(shell) => shell,
        None => {
            Shell::from_env(ctx.env).map_err(|name| Error::Usage(Usage::ShellUnknown { name }))?
        }
    };
    let profile = ctx.profile_or_default(args.profile.as_ref());
    let current = session::session_for(&profile, ctx)?;
    let mut script = String::new();
    for (name, value) in super::variables(&current, &profile) {
        let line = shell.set(name, &value).ok_or_else(|| {
            Error::Usage(Usage::UnsafeForShell {
                variable: name,
                shell: format!("{shell:?}"),
                profile: profile.clone(),
            })
        })?;
        script.push_str(&line);
        script.push('\n');
    }
    script.push_str(&shell.unset("AWS_PROFILE"));
    script.push('\n');
    ctx.out.print(&script)?;
    Ok(0)
}
