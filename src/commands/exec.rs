//! `stsmfa exec`: runs a command with the session in its environment and exits with the
//! command's exit code, or 128+N when signal N ended it. While the command runs, stsmfa does
//! not die of the signals meant for it: Ctrl-C and Ctrl-\ reach the command directly (the
//! terminal signals the whole process group), and a SIGTERM or SIGHUP sent to stsmfa alone is
//! passed on to the command.
//!
//! With `--server` the command gets no keys but the URL and token of the credential server
//! (`server.rs`), and this thread makes the sessions it hands out: a role's again from its base
//! session when it runs low, with no code, and the base's with a code only from a source that
//! needs no terminal or from the terminal stsmfa runs on.

use std::os::unix::process::ExitStatusExt as _;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use chrono::Utc;
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::cli::ExecArgs;
use crate::error::{Error, Usage};
use crate::server::{Served, Server, Shelf, Wanted};
use crate::token::{self, Prompt};

use super::Context;
use crate::session::{self, Current};

/// Variables that would give the command credentials before the server's: the AWS SDKs and
/// the AWS CLI look at them (and at a profile) before the container provider, or read a
/// relative URI or a token file instead of the full URI and token.
const SHADOWING: [&str; 12] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
];

/// After a session could not be made, how long requests get the same answer before another
/// try (a failed try may have asked a question or spent a code).
const HOLD_AFTER_FAILURE: Duration = Duration::from_secs(10);

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
    if !args.server {
        for (name, value) in super::variables(&current, &profile) {
            command.env(name, value.as_ref());
        }
        return supervise(command, program, |mut child| child.wait());
    }
    for name in SHADOWING {
        command.env_remove(name);
    }
    warn_if_shadowed(ctx);
    let shelf = Arc::new(Shelf::default());
    shelf.put(served(&current));
    let (events, inbox) = mpsc::channel::<Event>();
    let wants = events.clone();
    let server = Server::start(
        shelf.clone(),
        move |w| wants.send(Event::Want(w)).is_ok(),
        ctx.out,
        &profile,
    )?;
    command
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &server.url)
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", server.token.expose());
    // The region and STSMFA_PROFILE as `exec` gives them; no keys.
    for (name, value) in super::variables(&current, &profile) {
        if !SHADOWING.contains(&name) {
            command.env(name, value.as_ref());
        }
    }
    drop(current);
    ctx.out.detail(&format!(
        "{profile}: serving credentials at {} while {program} runs",
        server.url
    ));
    let result = supervise(command, program, |mut child| {
        // The command is waited for on a thread of its own; this one makes sessions.
        let waiter = std::thread::spawn(move || {
            let _ = events.send(Event::Ended(child.wait()));
        });
        let status = serve(&profile, ctx, &shelf, &inbox);
        let _ = waiter.join();
        status
    });
    server.stop();
    result
}

/// Starts the command, passes SIGTERM and SIGHUP sent to stsmfa on to it while `wait` waits
/// for it, and returns its exit code (128+N when signal N ended it).
fn supervise(
    mut command: Command,
    program: &str,
    wait: impl FnOnce(Child) -> std::io::Result<ExitStatus>,
) -> Result<u8, Error> {
    let failed = |source| Error::Exec {
        command: program.to_owned(),
        source,
    };
    let mut signals =
        Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT]).map_err(|source| Error::Stdio {
            action: "watch signals",
            source,
        })?;
    let child = command.spawn().map_err(failed)?;
    let pid = child.id() as libc::pid_t;
    let handle = signals.handle();
    let forwarder = std::thread::spawn(move || {
        for signal in signals.forever() {
            if signal == SIGTERM || signal == SIGHUP {
                // SAFETY: kill(2) with the pid of our own child and a valid signal number.
                unsafe {
                    libc::kill(pid, signal);
                }
            }
        }
    });
    let status = wait(child);
    handle.close();
    let _ = forwarder.join();
    let status = status.map_err(failed)?;
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(1),
        (None, Some(signal)) => u8::try_from(128 + signal).unwrap_or(255),
        (None, None) => 1,
    })
}

/// What the sessions side is told: a request wants a new session, or the command ended.
enum Event {
    Want(Wanted),
    Ended(std::io::Result<ExitStatus>),
}

/// Makes the sessions the server hands out until the command ends, and returns how it ended.
fn serve(
    profile: &str,
    ctx: &Context<'_>,
    shelf: &Shelf,
    inbox: &mpsc::Receiver<Event>,
) -> std::io::Result<ExitStatus> {
    // Later sessions: a code from a token command, or asked on the terminal stsmfa runs on
    // (the command has stdin); never the code of --token again, which AWS takes once.
    let mut later = ctx.clone();
    later.token = None;
    later.force = false;
    later.prompt = if !ctx.no_input && token::tty_available() {
        Prompt::Tty
    } else {
        Prompt::No
    };
    later.out = ctx.out.without_spinner();
    let mut failure: Option<(Instant, String)> = None;
    loop {
        let Ok(event) = inbox.recv() else {
            return Err(std::io::Error::other("the command's waiter is gone"));
        };
        let reply = match event {
            Event::Ended(status) => return status,
            Event::Want(reply) => reply,
        };
        if shelf.is_fresh(Utc::now()) {
            let _ = reply.send(Ok(()));
            continue;
        }
        if let Some((at, why)) = &failure
            && at.elapsed() < HOLD_AFTER_FAILURE
        {
            let _ = reply.send(Err(why.clone()));
            continue;
        }
        later.now = Utc::now();
        match session::session_for(profile, &later) {
            Ok(current) => {
                shelf.put(served(&current));
                failure = None;
                let _ = reply.send(Ok(()));
            }
            Err(e) => {
                later.out.error_for(Some(profile), &e);
                let why = e.to_string();
                failure = Some((Instant::now(), why.clone()));
                let _ = reply.send(Err(why));
            }
        }
    }
}

fn served(current: &Current) -> Served {
    Served::new(
        &current.access_key_id,
        &current.secret,
        &current.token,
        current.expiration,
        current.margin,
    )
}

/// Warns when the credentials file's `[default]` holds keys: the AWS tools take them before
/// the server's.
fn warn_if_shadowed(ctx: &Context<'_>) {
    let path = ctx.files.credentials.as_path();
    let Ok(texts) = session::Texts::read(ctx) else {
        return;
    };
    let Ok(files) = session::Files::parse(&texts, ctx) else {
        return;
    };
    if let Ok(Some(default)) = files.section("default", path)
        && default.get(crate::keys::ACCESS_KEY_ID).is_some()
    {
        ctx.out.warn(&format!(
            "[default] in {} has keys, which the AWS tools use before a credential server's: \
             move them to a profile of their own",
            path.display()
        ));
    }
}
