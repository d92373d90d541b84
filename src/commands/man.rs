//! `stsmfa man`: the manual pages, generated from the command line's own definition (so they
//! never disagree with `--help`), one for stsmfa and one per command, each with the exit codes.

use std::path::Path;

use clap_mangen::roff::{Roff, bold, roman};

use crate::cli::ManArgs;
use crate::error::{Error, Usage};

use super::Context;

/// SPEC §8, as every page says it.
const EXIT_STATUS: [(&str, &str); 7] = [
    (
        "0",
        "done: refreshed, or still valid (status: every profile shown is valid)",
    ),
    (
        "1",
        "another error: a profile neither file has, no long-term keys, a question cancelled \
         with Ctrl-D (status: a profile shown is not valid)",
    ),
    (
        "2",
        "usage error: an unknown option or mistyped command, or a malformed code, duration, \
         device, region or role ARN, a SOCKS proxy, a $SHELL env cannot write for",
    ),
    ("3", "an MFA code is needed and none can be asked for"),
    ("4", "STS refused the request"),
    ("5", "STS could not be reached"),
    (
        "6",
        "a file problem: unreadable or malformed (with its line number), permissions, a lock \
         timeout, a protected or ambiguous section",
    ),
];

pub(super) fn run(args: &ManArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    let mut cmd = crate::cli::command().disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = &args.dir {
        return write_all(&cmd, dir, ctx);
    }
    let page = match &args.command {
        None => page(&cmd, true)?,
        Some(name) => {
            let sub = cmd.find_subcommand(name).ok_or_else(|| {
                Error::Usage(Usage::NoManualPage {
                    name: name.clone(),
                    choices: names(&cmd),
                })
            })?;
            page(sub, false)?
        }
    };
    ctx.out.print(&page)?;
    Ok(0)
}

fn names(cmd: &clap::Command) -> Vec<String> {
    cmd.get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect()
}

/// One page in roff: clap_mangen's sections, the exit codes, and (on stsmfa's own page) the
/// commands and examples.
fn page(cmd: &clap::Command, main: bool) -> Result<String, Error> {
    let man = clap_mangen::Man::new(cmd.clone())
        .source(concat!("stsmfa ", env!("CARGO_PKG_VERSION")))
        .manual("stsmfa manual");
    let mut out = Vec::new();
    let fail = |source| Error::Stdio {
        action: "render the manual",
        source,
    };
    man.render_title(&mut out).map_err(fail)?;
    man.render_name_section(&mut out).map_err(fail)?;
    if main {
        // The two forms that work, as `--help` says them (clap_mangen's own synopsis would
        // offer profiles followed by a command).
        let mut synopsis = Roff::new();
        synopsis.control("SH", ["SYNOPSIS"]);
        synopsis
            .text([bold("stsmfa"), roman(" [OPTIONS] [PROFILE]...")])
            .control("br", [])
            .text([bold("stsmfa"), roman(" [OPTIONS] COMMAND ...")]);
        synopsis.to_writer(&mut out).map_err(fail)?;
    } else {
        man.render_synopsis_section(&mut out).map_err(fail)?;
    }
    man.render_description_section(&mut out).map_err(fail)?;
    man.render_options_section(&mut out).map_err(fail)?;
    if main {
        man.render_subcommands_section(&mut out).map_err(fail)?;
        man.render_extra_section(&mut out).map_err(fail)?;
    }
    let mut exit = Roff::new();
    exit.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_STATUS {
        exit.control("TP", [])
            .text([bold(code)])
            .text([roman(meaning)]);
    }
    if main {
        exit.control("PP", []).text([roman(
            "exec exits with the command's own code (128+N when signal N ended it), or 127 / \
             126 when it is not found / cannot run. With several profiles, the worst code wins.",
        )]);
    }
    exit.to_writer(&mut out).map_err(fail)?;
    if main {
        man.render_version_section(&mut out).map_err(fail)?;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Writes stsmfa.1 and stsmfa-COMMAND.1 into `dir` (created when missing).
fn write_all(cmd: &clap::Command, dir: &Path, ctx: &Context<'_>) -> Result<u8, Error> {
    let io = |path: &Path, action, source| Error::Io {
        path: path.to_path_buf(),
        action,
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, "create", e))?;
    let mut pages = vec![("stsmfa.1".to_owned(), page(cmd, true)?)];
    for sub in cmd.get_subcommands() {
        pages.push((format!("stsmfa-{}.1", sub.get_name()), page(sub, false)?));
    }
    for (file, text) in &pages {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| io(&path, "write", e))?;
    }
    ctx.out.done(
        "man",
        &format!("wrote {} pages into {}", pages.len(), dir.display()),
    );
    Ok(0)
}
