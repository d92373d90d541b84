//! The test harness: a temporary HOME, files written into it, the real binary run with a clean
//! environment, and assertions on exit code, stdout, stderr and whole files, byte for byte.

#![allow(dead_code)]

pub mod front;
pub mod keychain;
pub mod nasty;
pub mod sts_stub;

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_stsmfa");

/// Where the fixtures are.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A temporary HOME and a command to run in it.
pub struct Test {
    pub dir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Vec<u8>,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    /// A fresh HOME with nothing in it. The child sees only PATH and HOME, so the real
    /// `~/.aws` and any AWS_* variable of the machine stay out of the test.
    pub fn new() -> Test {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        Test {
            dir,
            args: Vec::new(),
            env: Vec::new(),
            stdin: Vec::new(),
        }
    }

    /// The same HOME and environment, for another command.
    pub fn again(self) -> Test {
        Test {
            args: Vec::new(),
            stdin: Vec::new(),
            ..self
        }
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// The default credentials file of this HOME.
    pub fn credentials(&self) -> PathBuf {
        self.home().join(".aws/credentials")
    }

    /// Writes `bytes` at `rel` (relative to HOME), creating directories.
    pub fn file(self, rel: &str, bytes: impl AsRef<[u8]>) -> Test {
        let path = self.home().join(rel);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).unwrap_or_else(|e| panic!("mkdir {}: {e}", p.display()));
        }
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        // As a credentials file should be; tests of other modes set them themselves.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
        self
    }

    /// Writes the credentials file.
    pub fn credentials_file(self, bytes: impl AsRef<[u8]>) -> Test {
        self.file(".aws/credentials", bytes)
    }

    pub fn args(mut self, args: &[&str]) -> Test {
        self.args.extend(args.iter().map(|a| (*a).to_owned()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn stdin(mut self, bytes: impl AsRef<[u8]>) -> Test {
        self.stdin = bytes.as_ref().to_vec();
        self
    }

    /// The command this test runs, with its clean environment.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(&self.args)
            .current_dir(self.home())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("TZ", "UTC")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs the binary.
    pub fn run(self) -> Run {
        let mut child = self
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {BIN}: {e}"));
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write as _;
            let _ = stdin.write_all(&self.stdin);
        }
        let output = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("wait: {e}"));
        Run { test: self, output }
    }
}

/// A finished run, to make assertions on.
pub struct Run {
    pub test: Test,
    pub output: Output,
}

impl Run {
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Asserts the exit code.
    pub fn code(self, code: i32) -> Run {
        assert_eq!(
            self.output.status.code(),
            Some(code),
            "exit code; stderr:\n{}",
            self.stderr_text()
        );
        self
    }

    pub fn success(self) -> Run {
        self.code(0)
    }

    pub fn stdout(self, expected: &str) -> Run {
        assert_text("stdout", expected, &self.stdout_text());
        self
    }

    pub fn stderr(self, expected: &str) -> Run {
        assert_text("stderr", expected, &self.stderr_text());
        self
    }

    pub fn stderr_starts_with(self, prefix: &str) -> Run {
        let err = self.stderr_text();
        assert!(
            err.starts_with(prefix),
            "stderr does not start with {prefix:?}:\n{err}"
        );
        self
    }

    pub fn stdout_contains(self, part: &str) -> Run {
        let out = self.stdout_text();
        assert!(out.contains(part), "stdout lacks {part:?}:\n{out}");
        self
    }

    pub fn stderr_contains(self, part: &str) -> Run {
        let err = self.stderr_text();
        assert!(err.contains(part), "stderr lacks {part:?}:\n{err}");
        self
    }

    pub fn stderr_lacks(self, part: &str) -> Run {
        let err = self.stderr_text();
        assert!(!err.contains(part), "stderr has {part:?}:\n{err}");
        self
    }

    /// Asserts the whole content of `rel` (relative to HOME).
    pub fn expect_file(self, rel: &str, expected: impl AsRef<[u8]>) -> Run {
        assert_file(&self.test.home().join(rel), expected.as_ref());
        self
    }

    /// Asserts the credentials file's whole content.
    pub fn expect_credentials(self, expected: impl AsRef<[u8]>) -> Run {
        assert_file(&self.test.credentials(), expected.as_ref());
        self
    }

    pub fn expect_no_file(self, rel: &str) -> Run {
        let path = self.test.home().join(rel);
        assert!(!path.exists(), "{} should not exist", path.display());
        self
    }
}

/// Asserts that a file holds exactly `expected`, printing a line diff when it does not.
pub fn assert_file(path: &Path, expected: &[u8]) {
    let actual = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert_bytes(&path.display().to_string(), expected, &actual);
}

/// Compares bytes exactly; on a mismatch panics with a diff that shows line endings.
pub fn assert_bytes(what: &str, expected: &[u8], actual: &[u8]) {
    if expected != actual {
        panic!(
            "{what} differs (- expected, + actual):\n{}",
            diff(
                &String::from_utf8_lossy(expected),
                &String::from_utf8_lossy(actual)
            )
        );
    }
}

fn assert_text(what: &str, expected: &str, actual: &str) {
    assert_bytes(what, expected.as_bytes(), actual.as_bytes());
}

/// A small line diff: common prefix and suffix as context, the differing middle marked.
pub fn diff(expected: &str, actual: &str) -> String {
    let show = |l: &str| l.replace('\r', "\\r").replace('\u{feff}', "<BOM>");
    let e: Vec<&str> = expected.split_inclusive('\n').collect();
    let a: Vec<&str> = actual.split_inclusive('\n').collect();
    let head = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let tail = e[head..]
        .iter()
        .rev()
        .zip(a[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out = String::new();
    for l in &e[head.saturating_sub(3)..head] {
        out.push_str(&format!("  {}", show(l)));
    }
    for l in &e[head..e.len() - tail] {
        out.push_str(&format!("- {}", show(l)));
    }
    for l in &a[head..a.len() - tail] {
        out.push_str(&format!("+ {}", show(l)));
    }
    if !out.ends_with('\n') {
        out.push_str("⏎ (no final newline)\n");
    }
    out
}

/// The permission bits of a path.
pub fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Files in `dir` whose names look like our temporary files.
pub fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".tmp"))
                .collect()
        })
        .unwrap_or_default()
}

/// Profiles and their properties as plain strings, for comparing what two readers found.
pub type Plain = std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>;

/// `sections` (the profiles of a view) as plain strings.
pub fn plain(
    sections: &std::collections::BTreeMap<std::borrow::Cow<'_, str>, stsmfa::ini::Properties<'_>>,
) -> Plain {
    sections
        .iter()
        .map(|(name, props)| {
            let props = props
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            (name.to_string(), props)
        })
        .collect()
}

/// What the SDK rules read from a credentials file, as plain strings; `None` when it does
/// not parse (or cannot be read).
pub fn sdk_profiles(path: &Path) -> Option<Plain> {
    let text = fs::read_to_string(path).ok()?;
    use stsmfa::ini::Read as _;
    let doc = stsmfa::ini::Document::parse(&text);
    let view = doc.view(stsmfa::ini::FileKind::Credentials).ok()?;
    Some(plain(&view.profiles))
}

/// The command `t` runs (its arguments, then `args`, and its environment), under `strace -f`
/// with `strace_args` (such as `-e inject=rename:delay_enter=800000`), strace's own output to
/// nowhere.
pub fn under_strace<S: AsRef<std::ffi::OsStr>>(
    t: &Test,
    strace_args: &[S],
    args: &[&str],
) -> Command {
    let inner = t.command();
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-qq", "-o", "/dev/null"])
        .args(strace_args)
        .arg(BIN)
        .args(inner.get_args())
        .args(args)
        .env_clear()
        .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .current_dir(t.home());
    cmd
}

/// Runs `stsmfa clear dev` under strace with `inject`, returning (exit code, stderr).
pub fn clear_under_strace(t: &Test, inject: &str) -> (Option<i32>, String) {
    let mut cmd = Command::new("strace");
    cmd.args([
        "-f",
        "-qq",
        "-o",
        "/dev/null",
        "-e",
        inject,
        BIN,
        "clear",
        "dev",
    ])
    .env_clear()
    .env("HOME", t.home());
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("strace is needed for fault tests: {e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts every command at once (stdin closed, stderr kept) and asserts that each succeeds.
pub fn run_all_at_once(commands: Vec<Command>) {
    let children: Vec<_> = commands
        .into_iter()
        .map(|mut cmd| {
            cmd.stdin(Stdio::null()).stderr(Stdio::piped());
            cmd.spawn().unwrap_or_else(|e| panic!("spawn: {e}"))
        })
        .collect();
    for child in children {
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("wait: {e}"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Drives a program on a pseudo-terminal: for each step, waits for the text, then types the
/// line. Returns what it printed after the last step, up to its end.
pub fn converse(cmd: Command, steps: &[(&str, &str)]) -> String {
    let mut p =
        rexpect::session::spawn_command(cmd, Some(20_000)).unwrap_or_else(|e| panic!("{e}"));
    for (expect, answer) in steps {
        p.exp_string(expect)
            .unwrap_or_else(|e| panic!("no {expect:?}: {e}"));
        p.send_line(answer).unwrap_or_else(|e| panic!("{e}"));
    }
    p.exp_eof().unwrap_or_else(|e| panic!("{e}"))
}
