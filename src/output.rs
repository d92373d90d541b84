//! The only place that writes to the terminal. Messages, warnings and errors go to stderr;
//! stdout is kept for what programs consume. Colour only where it is wanted: `--color`, else
//! on a terminal unless `NO_COLOR` is set or `TERM` is `dumb`.

use std::io::{IsTerminal as _, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::ValueEnum;

use crate::env::Env;
use crate::error::Error;

/// The `--color` flag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

/// How much to say, and how.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Output {
    quiet: bool,
    verbose: bool,
    color: bool,
    /// Whether stderr is a terminal (a spinner is shown only there).
    terminal: bool,
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const CYAN: &str = "\x1b[36m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

impl Output {
    pub(crate) fn new(quiet: bool, verbose: bool, when: ColorWhen, env: &Env) -> Output {
        let terminal = std::io::stderr().is_terminal();
        let color = match when {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                terminal && env.get("NO_COLOR").is_none() && env.get("TERM") != Some("dumb")
            }
        };
        Output {
            quiet,
            verbose,
            color,
            terminal,
        }
    }

    /// The same output with no spinner: for work done while another program has the terminal.
    pub(crate) fn without_spinner(self) -> Output {
        Output {
            terminal: false,
            ..self
        }
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    fn line(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }

    /// What a program consumes (`env`, `credential-process`, `status --json`): stdout, even
    /// with `-q`.
    /// A failure to write it (a closed pipe, a full disk) is an error: the consumer did not
    /// get what it asked for.
    pub(crate) fn print(&self, text: &str) -> Result<(), Error> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(Error::Stdout)
    }

    /// What a program consumes, written a piece at a time (a long `status --json`): stdout, even
    /// with `-q`, and a failure to write it is an error, as with [`Output::print`].
    pub(crate) fn stream(
        &self,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        write(&mut out)
            .and_then(|()| out.flush())
            .map_err(Error::Stdout)
    }

    /// Whether colour is on.
    pub(crate) fn colored(&self) -> bool {
        self.color
    }

    /// `text` in a colour for a state: green, yellow or red, when colour is on.
    pub(crate) fn state_color(&self, text: &str, level: u8) -> String {
        let style = match level {
            0 => GREEN,
            1 => YELLOW,
            _ => RED,
        };
        self.paint(style, text)
    }

    /// A result the user wants to see (`dev: session cleared`); silent with `-q`.
    pub(crate) fn done(&self, profile: &str, text: &str) {
        if !self.quiet {
            self.line(&format!("{}: {text}", self.paint(GREEN, profile)));
        }
    }

    /// A neutral message; silent with `-q`.
    pub(crate) fn info(&self, text: &str) {
        if !self.quiet {
            self.line(text);
        }
    }

    /// A listing for people (the `status` table, of thousands of profiles maybe): `write`
    /// writes it to stdout through a buffer, where `grep` and `less` find it. Dropped with `-q`.
    /// A reader that stops early (`| head`) is no error; another failure to write is.
    pub(crate) fn list(
        &self,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        if self.quiet {
            return Ok(());
        }
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        match write(&mut out).and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Stdout(e)),
            _ => Ok(()),
        }
    }

    /// Detail shown only with `-v`.
    pub(crate) fn detail(&self, text: &str) {
        if self.verbose {
            self.line(&self.paint(CYAN, text));
        }
    }

    /// Something the user should know about, though it is no error; silent with `-q`.
    pub(crate) fn warn(&self, text: &str) {
        if !self.quiet {
            self.line(&format!("{} {text}", self.paint(YELLOW, "warning:")));
        }
    }

    /// Runs `work` while a spinner with `label` turns on stderr (only on a terminal, and not
    /// with `-q`); the spinner line is erased afterwards.
    pub(crate) fn spin<T: Send>(&self, label: &str, work: impl FnOnce() -> T + Send) -> T {
        if !self.terminal || self.quiet {
            return work();
        }
        let done = AtomicBool::new(false);
        let _clear = crate::ask::ClearOnSignal::new();
        std::thread::scope(|s| {
            s.spawn(|| {
                let frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
                let mut i = 0;
                // A short wait first: a fast answer shows no spinner at all.
                let mut pause = Duration::from_millis(150);
                while !wait(&done, pause) {
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r{} {label}", frames[i % frames.len()]);
                    let _ = err.flush();
                    drop(err);
                    i += 1;
                    pause = Duration::from_millis(80);
                }
                if i > 0 {
                    let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
                }
            });
            let result = work();
            done.store(true, Ordering::Relaxed);
            result
        })
    }

    /// Whether verbose details are wanted (to skip building them otherwise).
    pub(crate) fn is_verbose(&self) -> bool {
        self.verbose
    }

    /// An error and its hint, always shown.
    pub(crate) fn error(&self, e: &Error) {
        self.error_for(None, e);
    }

    /// An error, starting with the profile's name when given (runs over several profiles).
    pub(crate) fn error_for(&self, profile: Option<&str>, e: &Error) {
        let label = self.paint(RED, "error:");
        match profile {
            Some(p) => self.line(&format!("{p}: {label} {e}")),
            None => self.line(&format!("{label} {e}")),
        }
        if let Some(hint) = e.hint() {
            self.line(&format!("  {} {hint}", self.paint(CYAN, "hint:")));
        }
    }
}

/// Waits up to `time` for `done`; true when it is set.
fn wait(done: &AtomicBool, time: Duration) -> bool {
    let step = Duration::from_millis(10);
    let mut waited = Duration::ZERO;
    while waited < time {
        if done.load(Ordering::Relaxed) {
            return true;
        }
        std::thread::sleep(step);
        waited += step;
    }
    done.load(Ordering::Relaxed)
}
