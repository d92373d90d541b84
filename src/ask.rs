//! Questions on the terminal, answered a line at a time in the terminal's own line mode (the
//! kernel does the editing: backspace, Ctrl-U), so that:
//! - an answer is a whole line (`yes` answers yes; nothing is left over for the shell);
//! - Ctrl-D on an empty line cancels the run ([`Failure::Cancelled`]);
//! - a secret is read with echo off, and a blank around a pasted one is dropped;
//! - Ctrl-C, SIGTERM and SIGHUP while a question waits put the terminal back as it was (echo,
//!   line mode) and end the line before the signal ends the run.

use std::fs::File;
use std::io::{self, Read as _, Write as _};
use std::os::fd::AsRawFd as _;

/// Why no answer came.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Ctrl-D (the end of input) before an answer.
    Cancelled,
    /// The terminal could not be read or written.
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e)
    }
}

/// The terminal a question is asked on: where it is written and where the answer is read.
pub(crate) struct Terminal {
    input: File,
    output: File,
}

impl Terminal {
    /// Standard input and standard error (both a terminal).
    pub(crate) fn stdio() -> io::Result<Terminal> {
        let dup = |fd: std::os::fd::BorrowedFd<'_>| -> io::Result<File> {
            Ok(File::from(fd.try_clone_to_owned()?))
        };
        use std::os::fd::AsFd as _;
        Ok(Terminal {
            input: dup(io::stdin().as_fd())?,
            output: dup(io::stderr().as_fd())?,
        })
    }

    /// The controlling terminal, `/dev/tty` (when stdin and stdout are taken by a program).
    pub(crate) fn tty() -> io::Result<Terminal> {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")?;
        Ok(Terminal {
            output: tty.try_clone()?,
            input: tty,
        })
    }

    /// Writes a line.
    pub(crate) fn say(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.output, "{text}")?;
        self.output.flush()
    }

    /// Asks until `parse` takes the answer (saying why it did not, each time). A `secret` is
    /// read with echo off. Blanks around the answer are dropped before `parse` sees it.
    pub(crate) fn ask<T>(
        &mut self,
        prompt: &str,
        secret: bool,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, Failure> {
        loop {
            write!(self.output, "{prompt}: ")?;
            self.output.flush()?;
            let line = self.read_line(secret)?;
            match parse(line.trim()) {
                Ok(value) => return Ok(value),
                Err(why) => self.say(&why)?,
            }
        }
    }

    /// Asks a yes-or-no question, answered by a line: `y`/`yes` or `n`/`no` (any case), an
    /// empty line for `default`. The prompt shows the default as the capital letter.
    pub(crate) fn confirm(&mut self, question: &str, default: bool) -> Result<bool, Failure> {
        let choices = if default { "[Y/n]" } else { "[y/N]" };
        self.ask(
            &format!("{question} {choices}"),
            false,
            |answer| match answer.to_ascii_lowercase().as_str() {
                "" => Ok(default),
                "y" | "yes" => Ok(true),
                "n" | "no" => Ok(false),
                _ => Err("answer yes or no".to_owned()),
            },
        )
    }

    /// Reads one line (without its end) in the terminal's line mode, echo off for a secret,
    /// with the terminal put back on a signal.
    fn read_line(&mut self, secret: bool) -> Result<String, Failure> {
        let fd = self.input.as_raw_fd();
        let guard = Guard::new(fd, self.output.as_raw_fd(), secret)?;
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        let result = loop {
            match self.input.read(&mut byte) {
                Ok(0) if line.is_empty() => break Err(Failure::Cancelled),
                Ok(0) => break Ok(()),
                Ok(_) if byte[0] == b'\n' => break Ok(()),
                Ok(_) => line.push(byte[0]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(Failure::Io(e)),
            }
        };
        drop(guard);
        if secret {
            // The newline typed was not echoed.
            writeln!(self.output)?;
        }
        if matches!(result, Err(Failure::Cancelled)) {
            writeln!(self.output)?;
        }
        result.map(|()| {
            String::from_utf8_lossy(&line)
                .trim_end_matches('\r')
                .to_owned()
        })
    }
}

/// While a question waits: the terminal as it was (echo turned off for a secret), and a
/// handler for SIGINT, SIGTERM and SIGHUP that puts it back, ends the line and then lets the
/// signal do what it does by default. Dropping it puts the terminal and the handlers back.
struct Guard {
    fd: i32,
    saved: Option<libc::termios>,
    previous: Vec<(i32, libc::sigaction)>,
}

/// What the signal handler needs, set before it is installed (a handler can take no lock): the
/// terminal and its attributes to put back, where to write, and what.
struct Saved(std::cell::UnsafeCell<(i32, Option<libc::termios>, i32, &'static [u8])>);
// SAFETY: written only while no handler is installed (ARMED false), read only by the handler
// once ARMED is set.
unsafe impl Sync for Saved {}
static SAVED: Saved = Saved(std::cell::UnsafeCell::new((-1, None, -1, b"")));
static ARMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
const SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

extern "C" fn on_signal(signal: i32) {
    // Only async-signal-safe calls: tcsetattr, write, signal, raise.
    if ARMED.load(std::sync::atomic::Ordering::SeqCst) {
        // SAFETY: SAVED is not written while ARMED is set.
        let (fd, saved, out, text) = unsafe { &*SAVED.0.get() };
        if let Some(saved) = saved {
            // SAFETY: restores attributes read from the same descriptor.
            unsafe { libc::tcsetattr(*fd, libc::TCSANOW, saved) };
        }
        // SAFETY: writes a static buffer to a descriptor this process holds.
        unsafe { libc::write(*out, text.as_ptr().cast(), text.len()) };
    }
    // SAFETY: the default action, then the signal again: it ends the process as it would have.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// While something is drawn on stderr (the spinner): on SIGINT, SIGTERM or SIGHUP the line
/// is cleared before the signal ends the run. Dropping it puts the handlers back.
pub(crate) struct ClearOnSignal {
    _guard: Guard,
}

impl ClearOnSignal {
    pub(crate) fn new() -> ClearOnSignal {
        ClearOnSignal {
            _guard: Guard::arm(-1, None, libc::STDERR_FILENO, b"\r\x1b[2K"),
        }
    }
}

impl Guard {
    fn new(fd: i32, out: i32, secret: bool) -> io::Result<Guard> {
        let mut saved = std::mem::MaybeUninit::<libc::termios>::uninit();
        // SAFETY: tcgetattr writes a termios into the buffer when it returns 0.
        let saved = (unsafe { libc::tcgetattr(fd, saved.as_mut_ptr()) } == 0)
            // SAFETY: initialised by the successful call above.
            .then(|| unsafe { saved.assume_init() });
        let guard = Guard::arm(fd, saved, out, b"\n");
        if let (true, Some(saved)) = (secret, saved) {
            let mut quiet = saved;
            quiet.c_lflag &= !(libc::ECHO | libc::ECHOE | libc::ECHOK);
            quiet.c_lflag |= libc::ICANON;
            // SAFETY: sets attributes on a terminal descriptor this process holds.
            if unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &quiet) } != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(guard)
    }

    /// Installs the handler: on a signal, `saved` goes back on `fd` and `text` is written to
    /// `out`.
    fn arm(fd: i32, saved: Option<libc::termios>, out: i32, text: &'static [u8]) -> Guard {
        ARMED.store(false, std::sync::atomic::Ordering::SeqCst);
        // SAFETY: no handler reads SAVED while ARMED is false.
        unsafe { *SAVED.0.get() = (fd, saved, out, text) };
        ARMED.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut previous = Vec::new();
        for signal in SIGNALS {
            // SAFETY: a zeroed sigaction is a valid value to fill in.
            let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
            action.sa_sigaction = on_signal as *const () as usize;
            // SAFETY: an empty set for the mask, and a handler that is async-signal-safe.
            let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
            unsafe {
                libc::sigemptyset(&mut action.sa_mask);
                if libc::sigaction(signal, &action, &mut old) == 0 {
                    previous.push((signal, old));
                }
            }
        }
        Guard {
            fd,
            saved,
            previous,
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(saved) = self.saved {
            // SAFETY: restores attributes read in `new` on the same descriptor.
            unsafe { libc::tcsetattr(self.fd, libc::TCSANOW, &saved) };
        }
        for (signal, old) in self.previous.drain(..) {
            // SAFETY: puts back the action that was there before.
            unsafe { libc::sigaction(signal, &old, std::ptr::null_mut()) };
        }
        ARMED.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}
