//! `stsmfa console`: signs a role session in to the AWS console and opens the sign-in URL in
//! the browser, or prints it on stdout (`--print`, or when no opener is found). The URL holds
//! a sign-in token (valid for 15 minutes) and is said nowhere else.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cli::ConsoleArgs;
use crate::error::Error;
use crate::secret::Secret;

use super::Context;
use crate::session;

/// How long an opener may run before it is left running on its own (a browser started
/// directly runs until it is closed).
const OPENER_WAIT: Duration = Duration::from_secs(5);

pub(super) fn run(args: &ConsoleArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    let profile = ctx.profile_or_default(args.profile.as_ref());
    let url = session::console_url(&profile, args.destination.as_deref(), ctx)?;
    if args.print {
        ctx.out.print(&format!("{}\n", url.expose()))?;
        return Ok(0);
    }
    let Some(opener) = opener(ctx) else {
        ctx.out.info(&format!(
            "{profile}: no browser opener ($BROWSER, xdg-open, open): open this sign-in URL \
             within 15 minutes"
        ));
        ctx.out.print(&format!("{}\n", url.expose()))?;
        return Ok(0);
    };
    match open(&opener, &url) {
        Ok(()) => {
            ctx.out.info(&format!(
                "{profile}: opened the AWS console with {}",
                opener.name
            ));
            Ok(0)
        }
        Err(why) => {
            ctx.out.warn(&format!(
                "{profile}: {} did not open the sign-in URL ({why}); open it within 15 minutes",
                opener.name
            ));
            ctx.out.print(&format!("{}\n", url.expose()))?;
            Ok(0)
        }
    }
}

/// A program that opens a URL: `shell` is the text of a `$BROWSER` entry, run by `sh` with the
/// URL as `$1` (never spliced into the text).
struct Opener {
    name: String,
    shell: String,
}

/// `$BROWSER` (its first entry; `%s` stands for the URL), else `xdg-open` (or `open` on macOS)
/// when it is on PATH.
fn opener(ctx: &Context<'_>) -> Option<Opener> {
    if let Some(browser) = ctx.env.get("BROWSER") {
        let entry = browser.split(':').map(str::trim).find(|e| !e.is_empty())?;
        let shell = if entry.contains("%s") {
            entry.replace("%s", "\"$1\"")
        } else {
            format!("{entry} \"$1\"")
        };
        return Some(Opener {
            name: entry.to_owned(),
            shell,
        });
    }
    let name = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let path = ctx.env.get("PATH").unwrap_or_default();
    std::env::split_paths(path)
        .any(|dir| dir.join(name).is_file())
        .then(|| Opener {
            name: name.to_owned(),
            shell: format!("{name} \"$1\""),
        })
}

/// Runs the opener with the URL; waits for it a little (an opener that hands the URL to a
/// running browser ends at once), and says why when it failed.
fn open(opener: &Opener, url: &Secret) -> Result<(), String> {
    let mut child = Command::new("sh")
        .args(["-c", &opener.shell, "stsmfa", url.expose()])
        .stdin(Stdio::null())
        // Nothing but the URL, when it is printed, goes to stdout.
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| crate::error::plain(&e))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("it ended with {status}")),
            Ok(None) if start.elapsed() >= OPENER_WAIT => return Ok(()),
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(crate::error::plain(&e)),
        }
    }
}
