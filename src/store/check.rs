//! What is checked before a file is changed: that it can be replaced (before any code is
//! spent), that every AWS tool reads it the same way, and how an editor's refusal is said.

use std::fs::{self, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::time::Duration;

use super::paths::{exists, parent, resolve, resolve_for_writing};
use super::read::{self, Node, io_error};
use super::{lock, platform};
use crate::error::Error;
use crate::ini::{Document, EditError};

/// Checks, before any code is spent or prompt shown, that the file at `path` can be replaced
/// (SPEC §6.5): it is a regular file or missing, not immutable, its owner may write it, its
/// directory can be written (or created), and the lock file can be opened and is not held
/// past `lock_timeout` (waited for here, then let go). Returns what the user should know
/// before the file is written: other hard links keep the old text; a file or directory that
/// anyone may write.
pub fn check_writable(path: &Path, lock_timeout: Duration) -> Result<Vec<String>, Error> {
    let target = resolve_for_writing(path)?;
    let meta = check_replaceable(path, &target)?;
    let dir = parent(&target);
    for (what, shown) in [(&target, path), (&dir, dir.as_path())] {
        if let Some(attribute) = platform::unchangeable(what) {
            return Err(Error::Unchangeable {
                path: shown.to_path_buf(),
                what: attribute,
            });
        }
    }
    let mut notes = Vec::new();
    if exists(&dir)? {
        writable_dir(&dir)?;
        drop(lock::lock(&target, lock_timeout)?);
    } else {
        let existing = dir
            .ancestors()
            .find(|a| a.exists())
            .unwrap_or(Path::new("/"));
        writable_dir(existing)?;
    }
    notes.extend(world_writable_in(path, &dir));
    if let Some(m) = meta
        && m.nlink() > 1
    {
        let others = m.nlink() - 1;
        notes.push(format!(
            "{} has {others} other name{} (hard link{}); {} will keep the old text, because \
             stsmfa replaces the file with a new one",
            path.display(),
            if others == 1 { "" } else { "s" },
            if others == 1 { "" } else { "s" },
            if others == 1 { "it" } else { "they" },
        ));
    }
    Ok(notes)
}

/// Warnings for a credentials file, or its directory, that any user may write (and so replace
/// or plant files in): one sentence each, with the fix.
pub fn world_writable(path: &Path) -> Vec<String> {
    let dir = match resolve(path) {
        Ok(target) => parent(&target),
        Err(_) => parent(path),
    };
    world_writable_in(path, &dir)
}

fn world_writable_in(path: &Path, dir: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    for (shown, fix, is_dir) in [(path, "o-w", false), (dir, "o-w", true)] {
        let Ok(m) = fs::metadata(shown) else {
            continue;
        };
        // A shared directory with the sticky bit (/tmp) lets nobody replace another's file.
        let sticky = is_dir && m.mode() & 0o1000 != 0;
        if m.mode() & 0o002 != 0 && !sticky {
            notes.push(format!(
                "{} can be written by every user on this machine, who could replace your keys; \
                 run: chmod {fix} {}",
                shown.display(),
                shown.display()
            ));
        }
    }
    notes
}

fn writable_dir(dir: &Path) -> Result<(), Error> {
    use std::os::unix::ffi::OsStrExt as _;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return Ok(());
    };
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    let ok = unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } == 0;
    if ok {
        Ok(())
    } else {
        Err(io_error(
            dir,
            "write into the directory",
            io::Error::last_os_error(),
        ))
    }
}

/// Refuses what must not be replaced: a directory, a special file, a read-only file. Returns
/// the metadata of the file when it exists.
pub(super) fn check_replaceable(shown: &Path, target: &Path) -> Result<Option<Metadata>, Error> {
    match read::node(target).map_err(|e| io_error(shown, "look at", e))? {
        Node::Missing => Ok(None),
        Node::Directory => Err(Error::IsDirectory {
            path: shown.to_path_buf(),
        }),
        Node::Fifo => Err(Error::NotRegular {
            path: shown.to_path_buf(),
            what: "a FIFO (named pipe)",
        }),
        Node::Special(what) => Err(Error::NotRegular {
            path: shown.to_path_buf(),
            what,
        }),
        Node::Regular(m) if m.mode() & 0o200 == 0 => Err(Error::ReadOnly {
            path: shown.to_path_buf(),
        }),
        Node::Regular(m) => Ok(Some(m)),
    }
}

/// Refuses a file with a carriage return that does not end its line: the SDK rules keep it in
/// the line, the AWS CLI ends the line there, so the two would read the file differently
/// after any change.
pub fn check_line_ends(path: &Path, doc: &Document<'_>) -> Result<(), Error> {
    match doc.lone_carriage_return() {
        None => Ok(()),
        Some(line) => Err(Error::Parse {
            path: path.to_path_buf(),
            line,
            message: "holds a carriage return (\\r) that does not end the line; the AWS CLI \
                      reads it as a line break, so it would read this file differently"
                .into(),
        }),
    }
}

/// An editor refusal as an error naming the file it concerns.
pub fn edit_error(path: &Path, e: EditError) -> Error {
    let path = path.to_path_buf();
    match e {
        EditError::Parse(p) => Error::Parse {
            path,
            line: p.line,
            message: p.message,
        },
        EditError::Duplicate { profile, lines } => Error::Duplicate {
            path,
            profile,
            lines,
        },
        EditError::SpacedHeader { profile, line } => Error::SpacedHeader {
            path,
            profile,
            line,
        },
        EditError::BadName { profile } => Error::Unwritable {
            path,
            what: format!("the profile name {profile:?}"),
            reason: "has characters the AWS tools do not accept in a profile name \
                     (letters, digits and _ - / . % @ : + only)"
                .into(),
        },
        EditError::BadKey { key } => Error::Unwritable {
            path,
            what: format!("the key {key:?}"),
            reason: "has characters the AWS tools do not accept in a key".into(),
        },
        EditError::BadValue { key, reason } => Error::Unwritable {
            path,
            what: format!("the value of {key}"),
            reason: reason.into(),
        },
        EditError::MultiLine { profile, key } => Error::Unwritable {
            path,
            what: format!("{key} in [{profile}]"),
            reason: "spans several lines and cannot be moved".into(),
        },
        EditError::Verify { profile } => Error::Verify { path, profile },
    }
}
