//! Where the files are, and the only code that changes them (SPEC §6.3–§6.5).
//!
//! A change is made in this order: resolve a symlink to its target; create a missing directory
//! 0700; take an exclusive lock on the sidecar `<file>.lock` (created 0600, waited for at most
//! the lock timeout); read the file as it is now; apply the edit to it; re-read the result and
//! verify it; write a temporary file beside the target (created 0600, given the old file's mode
//! and owner), fsync it, rename it over the target, fsync the directory; release the lock. Any
//! failure before the rename removes the temporary file and leaves the old file as it was; a
//! temporary file left by a run that was killed is removed by the next run, under the lock.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::env::Env;
use crate::error::Error;
use crate::ini::{self, Document, FileKind};

/// How long a change waits for another process's lock.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// Path rules of one platform; the AWS SDKs find the home directory differently on Windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    Unix,
    Windows,
}

impl Platform {
    fn separator(self) -> char {
        match self {
            Platform::Unix => '/',
            Platform::Windows => '\\',
        }
    }
}

/// The two files, after flags, environment and `~` expansion. An empty config path means there
/// is none to read (no home directory to find it in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locations {
    pub credentials: PathBuf,
    pub config: PathBuf,
}

/// The home directory as the AWS SDKs find it: `HOME`, and on Windows then `USERPROFILE`,
/// then `HOMEDRIVE` + `HOMEPATH`.
pub fn home(env: &Env, platform: Platform) -> Option<String> {
    if let Some(h) = env.get("HOME") {
        return Some(h.to_owned());
    }
    match platform {
        Platform::Unix => None,
        Platform::Windows => env
            .get("USERPROFILE")
            .map(str::to_owned)
            .or_else(|| Some(format!("{}{}", env.get("HOMEDRIVE")?, env.get("HOMEPATH")?))),
    }
}

/// Expands a leading `~` (alone or before a separator) to the home directory.
fn expand(path: &str, env: &Env, platform: Platform) -> Result<String, Error> {
    let sep = platform.separator();
    let rest = match path.strip_prefix('~') {
        Some(r) if r.is_empty() || r.starts_with('/') || r.starts_with(sep) => r,
        _ => return Ok(path.to_owned()),
    };
    let home = home(env, platform).ok_or(Error::NoHome)?;
    Ok(format!("{home}{rest}"))
}

/// Resolves both files: flag, else environment variable, else `~/.aws/NAME`.
pub fn locate(
    credentials_flag: Option<&str>,
    config_flag: Option<&str>,
    env: &Env,
    platform: Platform,
) -> Result<Locations, Error> {
    let one = |flag: Option<&str>, var: &str, name: &str| -> Result<PathBuf, Error> {
        let given = flag.or_else(|| env.get(var));
        let path = match given {
            Some(p) => expand(p, env, platform)?,
            None => {
                let sep = platform.separator();
                let home = home(env, platform).ok_or(Error::NoHome)?;
                format!("{home}{sep}.aws{sep}{name}")
            }
        };
        Ok(PathBuf::from(path))
    };
    let credentials = one(
        credentials_flag,
        "AWS_SHARED_CREDENTIALS_FILE",
        "credentials",
    )?;
    let config = match one(config_flag, "AWS_CONFIG_FILE", "config") {
        // Without a home there is no default config file; an empty path reads as missing.
        Err(Error::NoHome) => PathBuf::new(),
        other => other?,
    };
    Ok(Locations {
        credentials,
        config,
    })
}

/// Reads a file's text without locking; a missing file is `None`. Parse it with
/// [`Document::parse`].
pub fn read(path: &Path) -> Result<Option<String>, Error> {
    read_text(path, &resolve(path)?)
}

/// What [`update`] did to the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The edit changed nothing, so nothing was written.
    Unchanged,
    /// The file was replaced.
    Written,
    /// The file did not exist and was created.
    Created,
}

/// Applies `edit` to the file at `path` as it is under the lock, verifies and writes it.
/// `edit` sees the current document and returns what the caller wants to know about it; an
/// error from `edit` leaves the file untouched. `edit` may run twice: when the directory does
/// not exist yet, it first runs on an empty document to learn whether to create it.
pub fn update<T>(
    path: &Path,
    kind: FileKind,
    lock_timeout: Duration,
    mut edit: impl FnMut(&mut Document<'_>) -> Result<T, Error>,
) -> Result<(T, Outcome), Error> {
    let target = resolve(path)?;
    let dir = parent(&target);
    if !dir.exists() {
        // Nothing to lock or read yet: create the directory only if the edit changes something.
        let mut empty = Document::parse("");
        let out = edit(&mut empty)?;
        if empty.render().is_empty() {
            return Ok((out, Outcome::Unchanged));
        }
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| io_error(&dir, "create the directory", e))?;
    }
    let _lock = lock(&target, lock_timeout)?;
    remove_stale_temp_files(&target);
    let text = read_text(path, &target)?;
    let existed = text.is_some();
    let text = text.unwrap_or_default();
    let mut doc = Document::parse(&text);
    let before = doc.view(kind).map_err(|e| Error::Parse {
        path: path.to_path_buf(),
        line: e.line,
        message: e.message,
    })?;
    let out = edit(&mut doc)?;
    let rendered = doc.render();
    if rendered == text {
        return Ok((out, Outcome::Unchanged));
    }
    // The edited lines are no longer needed: free them before the result is read back.
    let changes = doc.into_changes();
    ini::verify(&changes, kind, &before, &rendered).map_err(|e| Error::edit(path, e))?;
    write_atomically(&target, rendered.as_bytes())?;
    Ok((
        out,
        if existed {
            Outcome::Written
        } else {
            Outcome::Created
        },
    ))
}

/// Follows symlinks to the file that is really read and replaced (which may not exist yet).
fn resolve(path: &Path) -> Result<PathBuf, Error> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&current)
                    .map_err(|e| io_error(&current, "read the symlink", e))?;
                current = parent(&current).join(link);
            }
            _ => return Ok(current),
        }
    }
    Err(io_error(
        path,
        "follow",
        io::Error::other("too many levels of symbolic links"),
    ))
}

/// The directory holding `path` (`.` for a bare file name).
fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads the file's text; `None` when it does not exist. `shown` is the path named in errors.
fn read_text(shown: &Path, target: &Path) -> Result<Option<String>, Error> {
    match fs::metadata(target) {
        Ok(m) if m.is_dir() => {
            return Err(Error::IsDirectory {
                path: shown.to_path_buf(),
            });
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    let bytes = match fs::read(target) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(shown, "read", e)),
    };
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Error::NotUtf8 {
            path: shown.to_path_buf(),
            line,
        }
    })
}

/// The sidecar lock file of `target`.
pub fn lock_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    parent(target).join(name)
}

/// Takes the exclusive lock beside `target`, waiting at most `timeout`. The lock is released
/// when the returned file is dropped (or the process ends).
fn lock(target: &Path, timeout: Duration) -> Result<File, Error> {
    let path = lock_path(target);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| io_error(&path, "create the lock file", e))?;
    let deadline = Instant::now() + timeout;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(15));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::LockTimeout {
                    path,
                    seconds: timeout.as_secs(),
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(io_error(&path, "lock", e)),
        }
    }
}

/// The name every temporary file of `target` starts with.
fn temp_prefix(target: &Path) -> String {
    format!(
        ".{}.stsmfa-",
        target.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// Removes temporary files a crashed run left beside `target`. Only the holder of the lock
/// writes one, so under the lock every one that exists is stale.
fn remove_stale_temp_files(target: &Path) {
    let prefix = temp_prefix(target);
    let Ok(entries) = fs::read_dir(parent(target)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes the temporary file unless the rename consumed it.
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` to a new file beside `target` and renames it over `target`.
fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = parent(target);
    let old = fs::metadata(target).ok();
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let name = format!("{}{}-{stamp}.tmp", temp_prefix(target), std::process::id());
    let mut temp = TempFile {
        path: dir.join(name),
        armed: false,
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp.path)
        .map_err(|e| io_error(target, "create a temporary file beside", e))?;
    temp.armed = true;
    if let Some(old) = &old {
        keep_mode_and_owner(&file, old).map_err(|e| io_error(target, "keep the mode of", e))?;
    }
    file.write_all(bytes)
        .map_err(|e| io_error(target, "write", e))?;
    file.sync_all().map_err(|e| io_error(target, "sync", e))?;
    drop(file);
    fs::rename(&temp.path, target).map_err(|e| io_error(target, "replace", e))?;
    temp.armed = false;
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error(&dir, "sync the directory", e))
}

/// Gives the new file the old file's permission bits and, when we may, its owner.
fn keep_mode_and_owner(file: &File, old: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(fs::Permissions::from_mode(old.mode() & 0o7777))?;
    let new = file.metadata()?;
    if new.uid() != old.uid() || new.gid() != old.gid() {
        // Only root can give a file away; anyone else keeps their own ownership.
        let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
    }
    Ok(())
}

fn io_error(path: &Path, action: &'static str, source: io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn tilde_expands_to_home() {
        let e = env(&[("HOME", "/h"), ("AWS_SHARED_CREDENTIALS_FILE", "~/c")]);
        let l = locate(None, None, &e, Platform::Unix).ok();
        assert_eq!(l.map(|l| l.credentials), Some(PathBuf::from("/h/c")));
    }

    #[test]
    fn flags_beat_environment() {
        let e = env(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "/env")]);
        let l = locate(None, Some("/flag"), &e, Platform::Unix).ok();
        assert_eq!(l.map(|l| l.config), Some(PathBuf::from("/flag")));
    }

    #[test]
    fn no_home_is_an_error_only_when_needed() {
        let e = env(&[
            ("AWS_CONFIG_FILE", "/a"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/b"),
        ]);
        assert!(locate(None, None, &e, Platform::Unix).is_ok());
        assert!(locate(None, None, &env(&[]), Platform::Unix).is_err());
    }

    #[test]
    fn without_home_the_config_file_is_optional() {
        let e = env(&[("AWS_SHARED_CREDENTIALS_FILE", "/b")]);
        let l = locate(None, None, &e, Platform::Unix).ok();
        assert_eq!(l.map(|l| l.config), Some(PathBuf::new()));
        assert!(read(Path::new("")).is_ok_and(|t| t.is_none()));
    }

    #[test]
    fn tilde_inside_a_name_is_not_expanded() {
        let e = env(&[("HOME", "/h")]);
        let l = locate(Some("~x/c"), None, &e, Platform::Unix).ok();
        assert_eq!(l.map(|l| l.credentials), Some(PathBuf::from("~x/c")));
    }
}
