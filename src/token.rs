//! Where the MFA code comes from (SPEC §4): `--token CODE`, `--token -` (one line of stdin),
//! a token command (`--token-command` or `mfa_process`), or a prompt on the terminal.

use std::io::Read as _;
use std::os::fd::AsFd as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::ask::{Failure, Terminal};
use crate::error::{Error, Usage};

/// What a prompt says after a typo.
const RETRY: &str = "the code is the 6 digits your MFA device shows";

/// The code with spaces removed, when it is exactly six digits.
pub(crate) fn normalize(raw: &str) -> Option<String> {
    let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// Checks a code given on the command line or stdin.
pub(crate) fn validate(raw: &str, from: &str) -> Result<String, Error> {
    normalize(raw).ok_or_else(|| {
        Error::Usage(Usage::Code {
            from: from.to_owned(),
        })
    })
}

/// The code in a token command's output (SPEC §4): the last blank-separated field of exactly
/// six digits, so that `LABEL 123456` gives 123456 and never digits inside the label.
pub(crate) fn code_in_output(output: &str) -> Option<String> {
    output
        .split_whitespace()
        .rfind(|f| f.len() == 6 && f.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

/// Reads one line from standard input and checks it.
pub(crate) fn read_stdin() -> Result<String, Error> {
    let line = read_one_line().map_err(|e| Error::TokenSource {
        source_name: "standard input".into(),
        cause: e.to_string(),
    })?;
    validate(&String::from_utf8_lossy(&line), "standard input")
}

/// Reads standard input up to the end of its first line and not a byte further (a byte at a
/// time, with no buffer), so that the rest is left for the command `exec` runs. At most 256
/// bytes: a code's line is short.
fn read_one_line() -> std::io::Result<Vec<u8>> {
    let mut stdin = std::fs::File::from(std::io::stdin().as_fd().try_clone_to_owned()?);
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.len() < 256 {
        match stdin.read(&mut byte) {
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => line.push(byte[0]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(line)
}

/// Runs a token command with `sh -c`, stdin closed and `STSMFA_PROFILE` set, and takes the
/// first 6-digit code from what it prints. The profile is passed only in the environment,
/// never spliced into the command text.
pub(crate) fn run_command(
    command: &str,
    profile: &str,
    timeout: Duration,
) -> Result<String, Error> {
    let fail = |cause: String| Error::TokenSource {
        source_name: format!("the MFA code command `{command}`"),
        cause,
    };
    use std::os::unix::process::CommandExt as _;
    // Its own process group, so that a timeout ends everything it started, not just `sh`.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .process_group(0)
        .env("STSMFA_PROFILE", profile)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| fail(format!("cannot start sh: {e}")))?;
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.take(64 * 1024).read_to_end(&mut out);
        }
        out
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                if let Ok(group) = libc::pid_t::try_from(child.id()) {
                    // SAFETY: signals the process group the child leads; no memory involved.
                    unsafe { libc::kill(-group, libc::SIGKILL) };
                }
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!(
                    "it did not finish within {} s",
                    timeout.as_secs()
                )));
            }
            Err(e) => return Err(fail(e.to_string())),
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        let how = status.code().map_or_else(
            || "it was killed".to_owned(),
            |c| format!("it exited with {c}"),
        );
        return Err(fail(how));
    }
    code_in_output(&String::from_utf8_lossy(&out))
        .ok_or_else(|| fail("it printed no 6-digit code".into()))
}

/// How long to wait for a token command to show a new code for a device that just used one.
pub(crate) const FRESH_CODE_WAIT: Duration = Duration::from_secs(35);

/// What is needed to get a code for one profile.
pub(crate) struct Ask<'a> {
    pub profile: &'a str,
    pub device: &'a str,
    /// `--token`: a checked code, or `-` for one line of stdin.
    pub flag: Option<&'a str>,
    /// `--token-command` or `mfa_process`.
    pub command: Option<&'a str>,
    /// How long the command may run.
    pub command_timeout: Duration,
    pub prompt: Prompt,
    /// Says something to the user (waiting for a new code).
    pub say: &'a dyn Fn(&str),
}

/// The code policy of a run (SPEC §3, §4): the first source that has a code, and never the
/// same code twice for one device (AWS rejects a code used twice), whichever source gave it.
#[derive(Default)]
pub(crate) struct Codes {
    used: std::collections::HashMap<String, String>,
}

impl Codes {
    /// A code for `ask.profile` that this run has not used for its device.
    pub(crate) fn get(&mut self, ask: &Ask<'_>) -> Result<String, Error> {
        let previous = self.used.get(ask.device).cloned();
        let reused = |code: &str| previous.as_deref() == Some(code);
        let need = |reused: bool| Error::NeedCode {
            profile: ask.profile.to_owned(),
            reused,
        };
        let code = match (ask.flag, ask.command) {
            (Some("-"), _) => {
                let code = read_stdin()?;
                if reused(&code) {
                    return Err(need(true));
                }
                code
            }
            (Some(code), _) if !reused(code) => code.to_owned(),
            (Some(_), _) if ask.prompt == Prompt::No => return Err(need(true)),
            (None, Some(command)) => fresh_from_command(command, ask, previous.as_deref())?,
            (None, None) if ask.prompt == Prompt::No => return Err(need(false)),
            (_, _) => self.prompt_fresh(ask, previous.as_deref())?,
        };
        self.used.insert(ask.device.to_owned(), code.clone());
        Ok(code)
    }

    /// Forgets that `code` was used for `device`: the request carrying it never reached STS
    /// (SPEC §7), so the next profile of the device may send it.
    pub(crate) fn unspent(&mut self, device: &str, code: &str) {
        if self.used.get(device).is_some_and(|c| c == code) {
            self.used.remove(device);
        }
    }

    /// Prompts until the code is not the one this device just used.
    fn prompt_fresh(&self, ask: &Ask<'_>, previous: Option<&str>) -> Result<String, Error> {
        let note = previous.map(|_| {
            format!(
                "{} uses the same MFA device as a profile refreshed just now; AWS accepts each \
                 code once, so wait for the next code (or chain it with source_profile: one \
                 code then serves every role).",
                ask.profile
            )
        });
        loop {
            let code = prompt(ask.profile, ask.device, note.as_deref(), ask.prompt)?;
            if previous != Some(code.as_str()) {
                return Ok(code);
            }
            (ask.say)("that code was just used; wait for the next one");
        }
    }
}

/// Runs the token command; when the device's last code is still showing, waits for the next.
fn fresh_from_command(
    command: &str,
    ask: &Ask<'_>,
    previous: Option<&str>,
) -> Result<String, Error> {
    let deadline = Instant::now() + FRESH_CODE_WAIT;
    let mut said = false;
    loop {
        let code = run_command(command, ask.profile, ask.command_timeout)?;
        if previous != Some(code.as_str()) {
            return Ok(code);
        }
        if Instant::now() >= deadline {
            return Err(Error::TokenSource {
                source_name: format!("the MFA code command `{command}`"),
                cause: format!(
                    "it showed the same code for {} s; AWS accepts each code once",
                    FRESH_CODE_WAIT.as_secs()
                ),
            });
        }
        if !said {
            (ask.say)(&format!(
                "{}: waiting for the next MFA code (the current one was just used)",
                ask.profile
            ));
            said = true;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Where a prompt may be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prompt {
    /// Nowhere: `--no-input`, or no terminal.
    No,
    /// On stderr, a terminal (stdin is one too).
    Terminal,
    /// On the controlling terminal, `/dev/tty`, when stdin and stdout are taken by a program
    /// (`credential-process`).
    Tty,
}

/// Asks for the code, re-asking on a typo (blanks inside are fine: `12 34 56`). `note`
/// explains why a new code is needed when one was just used. Ctrl-D cancels the run.
pub(crate) fn prompt(
    profile: &str,
    device: &str,
    note: Option<&str>,
    on: Prompt,
) -> Result<String, Error> {
    let (terminal, name) = match on {
        Prompt::Tty => (Terminal::tty(), "the terminal (/dev/tty)"),
        _ => (Terminal::stdio(), "the terminal"),
    };
    let fail = |e: std::io::Error| Error::TokenSource {
        source_name: name.into(),
        cause: e.to_string(),
    };
    let mut terminal = terminal.map_err(fail)?;
    if let Some(note) = note {
        terminal.say(note).map_err(fail)?;
    }
    terminal
        .ask(
            &format!("MFA code for {profile} ({device})"),
            false,
            |answer| normalize(answer).ok_or_else(|| RETRY.to_owned()),
        )
        .map_err(|f| match f {
            Failure::Cancelled => Error::Cancelled,
            Failure::Io(e) => fail(e),
        })
}

/// Whether `/dev/tty` can be opened (there is a controlling terminal).
pub(crate) fn tty_available() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_after_spaces_go() {
        assert_eq!(normalize("123456"), Some("123456".into()));
        assert_eq!(normalize(" 123 456\n"), Some("123456".into()));
        assert_eq!(normalize("12345"), None);
        assert_eq!(normalize("1234567"), None);
        assert_eq!(normalize("12345a"), None);
    }

    #[test]
    fn the_code_is_the_last_six_digit_field() {
        assert_eq!(code_in_output("aws  123456\n"), Some("123456".into()));
        assert_eq!(
            code_in_output("Account 123456789012: 654321"),
            Some("654321".into())
        );
        assert_eq!(code_in_output("no code"), None);
        assert_eq!(code_in_output("12345"), None);
        // Digits inside a label are not the code.
        assert_eq!(code_in_output("acct123456 654321\n"), Some("654321".into()));
        assert_eq!(code_in_output("user100200:  042042"), Some("042042".into()));
        assert_eq!(code_in_output("x123456y"), None);
    }

    /// The default token command timeout.
    const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

    #[test]
    fn command_gets_the_profile_in_its_environment_only() {
        let code = run_command(
            "echo \"code for $STSMFA_PROFILE: 123456\"",
            "dev; rm -rf /",
            COMMAND_TIMEOUT,
        );
        assert_eq!(code.ok(), Some("123456".into()));
    }

    #[test]
    fn failing_slow_or_silent_commands_are_errors() {
        assert!(run_command("exit 3", "dev", COMMAND_TIMEOUT).is_err());
        assert!(run_command("echo nothing", "dev", COMMAND_TIMEOUT).is_err());
        let started = Instant::now();
        assert!(run_command("sleep 5", "dev", Duration::from_millis(200)).is_err());
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn command_stdin_is_closed() {
        let code = run_command("cat; echo 111111", "dev", COMMAND_TIMEOUT);
        assert_eq!(code.ok(), Some("111111".into()));
    }
}
