//! Replacing the file atomically: a complete new file beside it, put in its place only if the
//! place still holds what the new text was built from; and the temporary files runs leave.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::lock::{give_to, owner_of};
use super::paths::parent;
use super::platform;
use super::read::{Stamp, io_error};
use crate::error::Error;

/// The name every temporary file of `target` starts with.
fn temp_prefix(target: &Path) -> String {
    format!(
        ".{}.stsmfa-",
        target.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// Which temporary files to remove.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Sweep {
    /// Those of processes that are gone (any run, without the lock).
    OfDeadProcesses,
    /// All but this process's own (the holder of the lock: only it writes one).
    All,
}

/// Removes temporary files that runs which were killed left beside `target`.
pub(super) fn remove_temp_files(target: &Path, sweep: Sweep) {
    let prefix = temp_prefix(target);
    let dir = parent(target);
    let me = std::process::id();
    for name in platform::names_in(&dir) {
        let name = name.to_string_lossy();
        let Some(rest) = name
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".tmp"))
        else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        let stale = match (pid, sweep) {
            (Some(p), _) if p == me => false,
            (_, Sweep::All) => true,
            (Some(p), Sweep::OfDeadProcesses) => !process_exists(p),
            (None, Sweep::OfDeadProcesses) => false,
        };
        if stale {
            let _ = fs::remove_file(dir.join(&*name));
        }
    }
}

fn process_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    alive || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// A complete new file beside the target, removed when dropped unless it was put in place.
pub(super) struct TempFile {
    path: PathBuf,
    armed: bool,
    /// The new file's stamp, as it will be at the target once in place.
    pub(super) stamp: Stamp,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` to a new file beside `target` (created 0600, never through a link), with the
/// mode and owner of `like` (the file it replaces) or, for a new file, the owner of the
/// directory; synced to disk.
pub(super) fn write_temp(
    target: &Path,
    bytes: &[u8],
    like: Option<&Metadata>,
) -> Result<TempFile, Error> {
    let dir = parent(target);
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let name = format!("{}{}-{stamp}.tmp", temp_prefix(target), std::process::id());
    let path = dir.join(name);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(|e| io_error(target, "create a temporary file beside", e))?;
    let mut temp = TempFile {
        path,
        armed: true,
        stamp: Stamp::of(
            &file
                .metadata()
                .map_err(|e| io_error(target, "create a temporary file beside", e))?,
        ),
    };
    match like {
        Some(old) => {
            file.set_permissions(fs::Permissions::from_mode(old.mode() & 0o7777))
                .map_err(|e| io_error(target, "keep the mode of", e))?;
            give_to(&file, (old.uid(), old.gid()), target)?;
        }
        None => {
            if let Some(owner) = owner_of(&dir) {
                give_to(&file, owner, target)?;
            }
        }
    }
    file.write_all(bytes)
        .map_err(|e| io_error(target, "write", e))?;
    file.sync_all().map_err(|e| io_error(target, "sync", e))?;
    temp.stamp = Stamp::of(&file.metadata().map_err(|e| io_error(target, "sync", e))?);
    Ok(temp)
}

/// Why a new file was not put in place.
pub(super) enum NotPlaced {
    /// The target no longer holds what the new text was built from: build it again.
    Moved,
    Failed(Error),
}

/// Puts `temp` in place of `target`, but only if `target` still is `expected` (`None`: still
/// missing). A missing target is created with a rename that never replaces; an existing one
/// is checked just before the rename and, on Linux, swapped with the new file in one step and
/// checked again, so a file another program renamed over it a moment before is put back, not
/// lost.
pub(super) fn put_in_place(
    mut temp: TempFile,
    target: &Path,
    expected: Option<Stamp>,
) -> Result<(), NotPlaced> {
    let failed = |e| NotPlaced::Failed(io_error(target, "replace", e));
    let Some(expected) = expected else {
        return match platform::rename_no_replace(&temp.path, target) {
            Ok(()) => {
                temp.armed = false;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(NotPlaced::Moved),
            Err(e) => Err(failed(e)),
        };
    };
    if Stamp::at(target).map_err(failed)? != Some(expected) {
        return Err(NotPlaced::Moved);
    }
    match platform::exchange(&temp.path, target) {
        Ok(true) => {
            // The temporary name now holds what was at the target.
            let displaced = fs::metadata(&temp.path).map_err(failed)?;
            if expected.same_file(&displaced) {
                // The old file (the temporary name removes it on drop).
                return Ok(());
            }
            // Another program put a file there a moment ago: give it its place back.
            match platform::exchange(&temp.path, target) {
                Ok(true) => Err(NotPlaced::Moved),
                // Its file must not be removed with the temporary name it is under now.
                Ok(false) => {
                    temp.armed = false;
                    Err(failed(io::Error::other("the swap could not be undone")))
                }
                Err(e) => {
                    temp.armed = false;
                    Err(failed(e))
                }
            }
        }
        Ok(false) => {
            fs::rename(&temp.path, target).map_err(failed)?;
            temp.armed = false;
            Ok(())
        }
        Err(e) => Err(failed(e)),
    }
}

/// Syncs the directory after a rename; a failure is a warning, since the change is in place.
pub(super) fn sync_dir(target: &Path) -> Option<String> {
    File::open(parent(target))
        .and_then(|d| d.sync_all())
        .err()
        .map(|e| {
            format!(
                "{} was replaced, but its directory could not be synced ({}); the change is in \
                 place, but a crash in the next seconds could undo it",
                target.display(),
                crate::error::plain(&e)
            )
        })
}
