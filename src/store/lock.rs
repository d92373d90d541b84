//! The sidecar lock, and who owns what the store creates: the lock file, the directory and new
//! files belong to the owner of the credentials file, and a run as root never follows a link
//! that its owner planted (SPEC §6.3, §6.6).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::paths::parent;
use super::platform;
use super::read::io_error;
use crate::error::Error;

/// The sidecar lock file of `target`.
pub fn lock_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    parent(target).join(name)
}

/// Opens the lock file of `target`. A new one is created 0600 (never through a symlink) and
/// given to the owner of the file (or of its directory); an existing one must be a plain file
/// of its own, belonging to that owner or to this run's user: anything else was planted, and
/// is refused by name.
pub(super) fn open_lock_file(path: &Path, target: &Path) -> Result<File, Error> {
    let owner = owner_of(target);
    match OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(file) => {
            if let Some(owner) = owner {
                give_to(&file, owner, path)?;
            }
            return Ok(file);
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io_error(path, "create the lock file", e)),
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => untrusted(path, "is a symbolic link, not a lock file".into()),
            _ => io_error(path, "open the lock file", e),
        })?;
    let m = file
        .metadata()
        .map_err(|e| io_error(path, "open the lock file", e))?;
    if !m.is_file() {
        return Err(untrusted(path, "is not a regular file".into()));
    }
    if m.nlink() > 1 {
        return Err(untrusted(
            path,
            "has other names (hard links), so it is not a lock file of its own".into(),
        ));
    }
    let me = platform::euid();
    if m.uid() != me && owner.is_none_or(|(uid, _)| uid != m.uid()) {
        return Err(untrusted(
            path,
            format!(
                "belongs to {}, who owns neither the credentials file nor this run",
                user_name(m.uid())
            ),
        ));
    }
    Ok(file)
}

fn untrusted(path: &Path, what: String) -> Error {
    Error::Untrusted {
        path: path.to_path_buf(),
        what,
        hint: format!(
            "stsmfa makes its lock file itself; remove this one (rm {}) and run stsmfa again",
            path.display()
        ),
    }
}

/// A user's name for messages: the login name, else `uid N`.
pub(super) fn user_name(uid: u32) -> String {
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 4096];
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes into `pwd` and `buf`, which outlive the call, and sets `found`
    // to `&pwd` or null; the name it points to lies in `buf`.
    let r = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) };
    if r == 0 && !found.is_null() && !pwd.pw_name.is_null() {
        // SAFETY: pw_name is a NUL-terminated string inside `buf`, still alive here.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        return format!("user {} (uid {uid})", name.to_string_lossy());
    }
    format!("uid {uid}")
}

/// Takes the exclusive lock beside `target`, waiting at most `timeout`. The lock is released
/// when the returned file is dropped (or the process ends).
pub(super) fn lock(target: &Path, timeout: Duration) -> Result<File, Error> {
    let path = lock_path(target);
    let file = open_lock_file(&path, target)?;
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

/// The owner and group new files beside `target` get: those of `target`, else of the nearest
/// existing directory above it.
pub(super) fn owner_of(target: &Path) -> Option<(u32, u32)> {
    target
        .ancestors()
        .find_map(|p| fs::metadata(p).ok())
        .map(|m| (m.uid(), m.gid()))
}

/// Gives a file this run just created (through its descriptor, never by path) to `owner` when
/// it belongs to someone else. Only root can give a file away: when root cannot, the file
/// would be left to root and unreadable to its user, so that is an error; anyone else keeps
/// their own ownership.
pub(super) fn give_to(file: &File, (uid, gid): (u32, u32), shown: &Path) -> Result<(), Error> {
    let Ok(m) = file.metadata() else {
        return Ok(());
    };
    if (m.uid(), m.gid()) == (uid, gid) {
        return Ok(());
    }
    match std::os::unix::fs::fchown(file, Some(uid), Some(gid)) {
        Ok(()) => Ok(()),
        Err(e) if platform::euid() == 0 && m.uid() != uid => {
            Err(io_error(shown, "give its owner", e))
        }
        Err(_) => Ok(()),
    }
}

/// Creates `dir` and its missing parents 0700, each given to the owner of the directory above
/// them through its descriptor (a directory swapped for a symlink meanwhile is refused, not
/// followed).
pub(super) fn create_dir(dir: &Path) -> Result<(), Error> {
    let owner = owner_of(dir);
    let mut missing: Vec<&Path> = dir.ancestors().take_while(|a| !a.exists()).collect();
    missing.reverse();
    for d in missing {
        match fs::DirBuilder::new().mode(0o700).create(d) {
            Ok(()) => {}
            // Made by someone else meanwhile: used as it is, if it is a directory.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_error(d, "create the directory", e)),
        }
        let made = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
            .open(d)
            .map_err(|e| io_error(d, "open the new directory", e))?;
        if let Some(owner) = owner {
            give_to(&made, owner, d)?;
        }
    }
    Ok(())
}
