//! Reading the files: what is at a path, a whole read of a regular file (never one that a
//! program is still writing), FIFOs and devices, and waiting for a file to settle.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read as _, Seek as _};
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use super::platform;
use crate::error::Error;

/// How long a file must have been left alone to be taken as whole, where it cannot be known
/// whether a program still has it open for writing (another user's file, macOS).
pub(super) const QUIET: Duration = Duration::from_millis(100);

/// How long a file that a program holds open for writing must have been left alone to be
/// taken as whole all the same (a program may keep it open without writing).
pub(super) const HELD_QUIET: Duration = Duration::from_secs(2);

/// How often an unsettled file is looked at again.
pub(super) const POLL: Duration = Duration::from_millis(20);

/// How long reading a FIFO may wait for data.
const FIFO_WAIT: Duration = Duration::from_secs(2);

/// What is at a path.
pub(super) enum Node {
    Missing,
    Directory,
    Regular(Metadata),
    Fifo,
    /// A socket or a device, named for messages.
    Special(&'static str),
}

pub(super) fn node(path: &Path) -> io::Result<Node> {
    let m = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Node::Missing),
        Err(e) => return Err(e),
    };
    let t = m.file_type();
    Ok(if t.is_dir() {
        Node::Directory
    } else if t.is_fifo() {
        Node::Fifo
    } else if t.is_socket() {
        Node::Special("a socket")
    } else if t.is_char_device() {
        Node::Special("a character device")
    } else if t.is_block_device() {
        Node::Special("a block device")
    } else {
        Node::Regular(m)
    })
}

/// What changes whenever a file is written or replaced: which file it is, its size and its
/// modification time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
}

impl Stamp {
    pub(super) fn of(m: &Metadata) -> Stamp {
        Stamp {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime: (m.mtime(), m.mtime_nsec()),
        }
    }

    /// The stamp of what is at `path` now (`None` when nothing is).
    pub(super) fn at(path: &Path) -> io::Result<Option<Stamp>> {
        match fs::metadata(path) {
            Ok(m) => Ok(Some(Stamp::of(&m))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether `m` is the same file as this stamp's (contents aside).
    pub(super) fn same_file(&self, m: &Metadata) -> bool {
        (self.dev, self.ino) == (m.dev(), m.ino())
    }
}

/// One read of the regular file at a path: its text, and the file kept open with its stamp
/// (`None` when the path named nothing).
pub(super) struct Snapshot {
    pub(super) text: String,
    pub(super) file: Option<(File, Stamp)>,
    /// Why this text may not be the whole file, if it may not.
    pub(super) unsettled: Option<&'static str>,
}

/// Reads the regular file at `path` once, and says whether the text can be taken as the whole
/// file: nobody is writing it (see [`being_written`]), it did not change while it was read,
/// and the path still names it.
pub(super) fn snapshot(shown: &Path, path: &Path) -> Result<Snapshot, Error> {
    let mut file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Snapshot {
                text: String::new(),
                file: None,
                unsettled: None,
            });
        }
        Err(e) => return Err(io_error(shown, "read", e)),
    };
    let before = file.metadata().map_err(|e| io_error(shown, "read", e))?;
    if !before.is_file() {
        return Err(Error::NotRegular {
            path: shown.to_path_buf(),
            what: "not a regular file",
        });
    }
    let mut bytes = Vec::with_capacity(before.len() as usize);
    file.read_to_end(&mut bytes)
        .map_err(|e| io_error(shown, "read", e))?;
    let after = file.metadata().map_err(|e| io_error(shown, "read", e))?;
    let stamp = Stamp::of(&after);
    let unsettled = if Stamp::of(&before) != stamp {
        Some("it changed while it was read")
    } else if being_written(&file, &after) {
        Some("another program is still writing it")
    } else if Stamp::at(path).ok().flatten() != Some(stamp) {
        Some("it was replaced while it was read")
    } else {
        None
    };
    Ok(Snapshot {
        text: utf8(shown, bytes)?,
        file: Some((file, stamp)),
        unsettled,
    })
}

/// Whether a program may still be writing `file` (whose metadata is `m`): on Linux, whether
/// any process has it open for writing (and wrote it in the last [`HELD_QUIET`]); where that
/// cannot be known, whether it was written in the last [`QUIET`].
pub(super) fn being_written(file: &File, m: &Metadata) -> bool {
    match platform::open_for_writing_elsewhere(file) {
        Some(false) => false,
        Some(true) => age(m) < HELD_QUIET,
        None => age(m) < QUIET,
    }
}

/// How long ago the file was last written. A time in the future (a file copied with its
/// times from a machine whose clock is ahead) was not written by anyone just now: it counts as
/// long ago.
pub(super) fn age(m: &Metadata) -> Duration {
    match m.modified() {
        Ok(t) => SystemTime::now().duration_since(t).unwrap_or(Duration::MAX),
        Err(_) => Duration::MAX,
    }
}

/// Reads a file that is not a regular one: a FIFO without waiting for ever, a device or a
/// socket as empty; `None` for a regular file or nothing.
pub(super) fn read_special(
    shown: &Path,
    path: &Path,
    node: &Node,
) -> Result<Option<String>, Error> {
    let bytes = match node {
        Node::Missing | Node::Regular(_) => return Ok(None),
        Node::Directory => {
            return Err(Error::IsDirectory {
                path: shown.to_path_buf(),
            });
        }
        Node::Fifo => read_fifo(path).map_err(|e| io_error(shown, "read", e))?,
        Node::Special(_) => Vec::new(),
    };
    utf8(shown, bytes).map(Some)
}

/// Reads the text at `path` until it settles: the whole file, not one a program is still
/// writing, and not one emptied a moment ago (`aws configure set` truncates, then writes),
/// for at most `limit`; then exit 6 naming what kept it from settling.
pub(super) fn settled_text(
    shown: &Path,
    path: &Path,
    empty_settle: Duration,
    limit: Duration,
) -> Result<Option<String>, Error> {
    let started = Instant::now();
    let deadline = started + limit;
    loop {
        let found = node(path).map_err(|e| io_error(shown, "read", e))?;
        if let Some(text) = read_special(shown, path, &found)? {
            return Ok(Some(text));
        }
        if matches!(found, Node::Missing) {
            // An editor saving the file (vim renames it to `NAME~`, writes a new one, then
            // deletes the backup) leaves the path empty for a moment: look again, for a while.
            if being_saved(path) && started.elapsed() < empty_settle {
                std::thread::sleep(POLL);
                continue;
            }
            return Ok(None);
        }
        let snap = snapshot(shown, path)?;
        let Some((file, _)) = &snap.file else {
            return Ok(None);
        };
        let unsettled = snap.unsettled.or_else(|| {
            let emptied =
                snap.text.is_empty() && file.metadata().is_ok_and(|m| age(&m) < empty_settle);
            emptied.then_some("it was emptied a moment ago and stayed empty")
        });
        match unsettled {
            None => return Ok(Some(snap.text)),
            Some(what) if Instant::now() >= deadline => {
                return Err(Error::Unsettled {
                    path: shown.to_path_buf(),
                    what: what.into(),
                    written: false,
                    seconds: limit.as_secs(),
                });
            }
            Some(_) => std::thread::sleep(POLL),
        }
    }
}

/// Whether the missing file at `path` looks like an editor's save in progress: its backup
/// `NAME~` is there, and the directory changed a moment ago.
fn being_saved(path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let mut backup = name.to_os_string();
    backup.push("~");
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    dir.join(backup).exists() && fs::metadata(dir).is_ok_and(|d| age(&d) < QUIET)
}

pub(super) fn read_from_start(mut file: &File) -> io::Result<Vec<u8>> {
    file.seek(io::SeekFrom::Start(0))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads what a FIFO has to give: whatever its writer sends until it closes, waiting at most
/// [`FIFO_WAIT`] for more; a FIFO without a writer reads as empty.
fn read_fifo(target: &Path) -> io::Result<Vec<u8>> {
    use std::os::fd::AsRawFd as _;
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(target)?;
    let deadline = Instant::now() + FIFO_WAIT;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match file.read(&mut chunk) {
            Ok(0) => return Ok(bytes),
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(bytes);
                }
                let mut fd = libc::pollfd {
                    fd: file.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd for the duration of the call.
                unsafe { libc::poll(&mut fd, 1, left.as_millis() as libc::c_int) };
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

pub(super) fn utf8(shown: &Path, bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|e| {
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

pub(super) fn io_error(path: &Path, action: &'static str, source: io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}
