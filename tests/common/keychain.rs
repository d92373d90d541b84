//! A real Secret Service for a test: GNOME Keyring, unlocked, in a D-Bus session of its own
//! (`dbus-run-session`), with its keyring files in the test's HOME. Stopped when dropped.
//! `secret-tool` (libsecret) looks entries up the way any other program on the desktop would.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Why a test of the keychain cannot run here, if it cannot.
fn missing_tools() -> Option<String> {
    let missing: Vec<&str> = [
        "dbus-run-session",
        "dbus-send",
        "gnome-keyring-daemon",
        "secret-tool",
    ]
    .into_iter()
    .filter(|tool| {
        !std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
    })
    .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "{} not installed (Debian: dbus, gnome-keyring, libsecret-tools); scripts/test \
             installs them",
            missing.join(", ")
        )
    })
}

pub struct Keychain {
    session: Child,
    /// `DBUS_SESSION_BUS_ADDRESS` of the session.
    pub address: String,
    home: PathBuf,
}

/// What runs inside `dbus-run-session`: the keyring daemon, unlocked with a password on its
/// stdin (it creates the login keyring with it), then the bus address for the test, then a wait
/// until the test closes our stdin, which ends the session and with it the daemon.
const SESSION: &str = "printf stsmfa-test | gnome-keyring-daemon --unlock --components=secrets \
                       >/dev/null && echo \"$DBUS_SESSION_BUS_ADDRESS\" && cat >/dev/null";

impl Keychain {
    /// Starts one with its files under `home` (the test's HOME). Panics, saying why, when the
    /// tools are missing: the tests that call this are `#[ignore]`d and run by scripts/test,
    /// which installs them.
    pub fn start(home: &Path) -> Keychain {
        if let Some(why) = missing_tools() {
            panic!("cannot run a Secret Service here: {why}");
        }
        let runtime = home.join(".run");
        std::fs::create_dir_all(&runtime).unwrap_or_else(|e| panic!("mkdir: {e}"));
        let mut session = Command::new("dbus-run-session")
            .args(["--", "sh", "-c", SESSION])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("dbus-run-session: {e}"));
        let mut line = String::new();
        if let Some(out) = session.stdout.take() {
            BufReader::new(out)
                .read_line(&mut line)
                .unwrap_or_else(|e| panic!("reading the bus address: {e}"));
        }
        let address = line.trim().to_owned();
        assert!(
            address.starts_with("unix:"),
            "the keyring did not start (bus address {address:?})"
        );
        Keychain {
            session,
            address,
            home: home.to_path_buf(),
        }
    }

    fn secret_tool(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("secret-tool");
        cmd.args(args)
            .env_clear()
            .env("HOME", &self.home)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address);
        cmd
    }

    /// The secret stsmfa keeps for `key_id`, as any program on the desktop sees it.
    pub fn lookup(&self, key_id: &str) -> Option<String> {
        let out = self
            .secret_tool(&["lookup", "service", "stsmfa", "username", key_id])
            .output()
            .unwrap_or_else(|e| panic!("secret-tool: {e}"));
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Locks the login keyring, as a screen lock would; with no display, the daemon cannot
    /// ask for its password.
    /// Deletes the one collection (the login keyring), so that the Secret Service has no
    /// default collection, as on a system where no keyring was ever made.
    pub fn no_default_collection(&self) {
        let status = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets/collection/login",
                "org.freedesktop.Secret.Collection.Delete",
            ])
            .env_clear()
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .stdout(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("dbus-send: {e}"));
        assert!(status.success(), "could not unset the default collection");
    }

    pub fn lock(&self) {
        let status = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/collection/login",
            ])
            .env_clear()
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .stdout(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("dbus-send: {e}"));
        assert!(status.success(), "could not lock the keyring");
    }

    /// Puts an entry in as another program would.
    pub fn store(&self, key_id: &str, secret: &str) {
        let mut child = self
            .secret_tool(&[
                "store", "--label", "test", "service", "stsmfa", "username", key_id,
            ])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("secret-tool: {e}"));
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(secret.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
        assert!(status.success(), "secret-tool store failed");
    }
}

impl Drop for Keychain {
    fn drop(&mut self) {
        // Closing stdin ends the wait, the session and the daemon; kill if it hangs on.
        drop(self.session.stdin.take());
        for _ in 0..50 {
            if matches!(self.session.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.session.kill();
        let _ = self.session.wait();
    }
}
