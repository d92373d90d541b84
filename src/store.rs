//! Where the files are, and the only code that changes them (SPEC §6.3–§6.6).
//!
//! # What the store promises
//!
//! The credentials file is replaced only by renaming a complete, verified new file over it, and
//! the new file is always *the text found under the lock, plus this run's edit*. That text is
//! used only when it passes three tests against what the run first read (its [`Baseline`]):
//!
//! 1. it is not empty, when the first read was not;
//! 2. it is not cut short: it parses when the first read did, and it is not a strict prefix of
//!    the first read that ends inside a line;
//! 3. every section the run relies on (for a refresh, the long-term section whose keys it
//!    used) is there byte for byte as first read.
//!
//! Another program may be writing the file in place (`aws configure set` truncates it, then
//! writes), so text that fails a test is read again every 20 ms for up to
//! [`SETTLE_TIMEOUT`]; if it never passes, nothing is written and the run ends with exit 6.
//! After the rename, the old file is read once more through the descriptor that read it: when
//! a writer got into it meanwhile (it still had the old file open), its text is taken, tested
//! the same way, edited and written again, so that writer's change is kept too.
//!
//! The order of a change: resolve a symlink to its target; refuse anything but a regular file
//! (or a missing one); create a missing directory 0700; take an exclusive lock on the sidecar
//! `<file>.lock` (created 0600, owned like the file, waited for at most the lock timeout); read
//! the file and test it as above; apply the edit; re-read the result and verify it; write a
//! temporary file beside the target (created 0600, given the old file's mode and owner), fsync
//! it, rename it over the target, fsync the directory; check the old file; release the lock.
//! Any failure before the rename removes the temporary file and leaves the old file as it was.
//! Temporary files are named after the process that made them; every run removes those of
//! processes that are gone, and the holder of the lock removes all others.
//!
//! The first read, before the lock, cannot be tested against anything; an empty file that
//! was changed a moment ago is watched for up to [`EMPTY_SETTLE`] in case it is being
//! written.
//!
//! Files that are not regular are never opened for writing: a FIFO is read without blocking
//! (bounded), a device or a socket reads as empty (`AWS_CONFIG_FILE=/dev/null`).

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read as _, Seek as _, Write as _};
use std::os::unix::fs::{
    DirBuilderExt as _, FileTypeExt as _, MetadataExt as _, OpenOptionsExt as _,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::env::Env;
use crate::error::Error;
use crate::ini::{self, Document, EditError, FileKind};

/// How long a change waits for another process's lock.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a change waits for a file that another program is writing to settle.
pub const SETTLE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a file that was just emptied is watched before it is taken as empty.
pub const EMPTY_SETTLE: Duration = Duration::from_secs(1);

/// How often an unsettled file is read again.
const SETTLE_POLL: Duration = Duration::from_millis(20);

/// How many times a change is made again after catching a writer in the act.
const MERGE_ROUNDS: usize = 5;

/// How long reading a FIFO may wait for data.
const FIFO_WAIT: Duration = Duration::from_secs(2);
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
/// [`Document::parse`]. Temporary files that dead processes left beside it are removed.
///
/// A file that is empty and was changed a moment ago may be in the middle of an in-place
/// write (`aws configure set` truncates, then writes): it is read again until it has text or
/// has stayed empty for [`EMPTY_SETTLE`].
pub fn read(path: &Path) -> Result<Option<String>, Error> {
    let target = resolve(path)?;
    remove_temp_files(&target, Sweep::OfDeadProcesses);
    loop {
        let text = read_text(path, &target)?;
        let just_emptied = text.as_deref() == Some("")
            && fs::metadata(&target)
                .ok()
                .filter(Metadata::is_file)
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age < EMPTY_SETTLE);
        if !just_emptied {
            return Ok(text);
        }
        std::thread::sleep(SETTLE_POLL);
    }
}

/// What a run read before taking the lock, and the sections it relies on: the reference that
/// the text found under the lock is tested against (see the module docs).
#[derive(Debug, Default)]
pub struct Baseline<'a> {
    first: Option<&'a str>,
    first_parses: bool,
    /// Sections the run relies on, with their bytes as first read.
    relied: Vec<(String, Option<String>)>,
}

impl<'a> Baseline<'a> {
    /// The file as first read (`None` when it did not exist), relying on `sections` (plain
    /// `[name]` sections of a file of `kind`) staying as they are.
    pub fn new(first: Option<&'a str>, kind: FileKind, sections: &[&str]) -> Baseline<'a> {
        let doc = Document::parse(first.unwrap_or_default());
        Baseline {
            first,
            first_parses: doc.check().is_ok(),
            relied: sections
                .iter()
                .map(|s| ((*s).to_owned(), doc.section_text(kind, s)))
                .collect(),
        }
    }

    /// Why `now` (the text read under the lock, parsed as `doc`) must not be written over, if
    /// it must not.
    fn problem(&self, now: &str, doc: &Document<'_>, kind: FileKind) -> Option<String> {
        let first = self.first.unwrap_or_default();
        let blank = |t: &str| t.trim().is_empty();
        if blank(now) && !blank(first) {
            return Some("it is empty now".into());
        }
        if self.first_parses
            && let Err(e) = doc.check()
        {
            return Some(format!(
                "line {} cannot be read now ({})",
                e.line, e.message
            ));
        }
        if now.len() < first.len() && first.starts_with(now) && !now.ends_with('\n') {
            return Some("it ends in the middle of a line now".into());
        }
        for (section, bytes) in &self.relied {
            if let Some(bytes) = bytes
                && doc.section_text(kind, section).as_ref() != Some(bytes)
            {
                return Some(format!("[{section}] is no longer as it was"));
            }
        }
        None
    }
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

/// The result of [`update`]: what the edit returned, what happened to the file, and what the
/// user should be told.
#[derive(Debug)]
pub struct Updated<T> {
    pub value: T,
    pub outcome: Outcome,
    /// Things that went wrong after the new file was in place (it stays in place).
    pub warnings: Vec<String>,
    /// How many times another program's change to the file was caught and merged.
    pub merged: usize,
}

/// Applies `edit` to the file at `path` as it is under the lock, verifies and writes it,
/// keeping the promise of the module docs against `baseline`. `edit` sees the current
/// document and returns what the caller wants to know about it; an error from `edit` leaves
/// the file untouched. `edit` may run more than once: on an empty document first when the
/// directory does not exist yet, and again on the new text when another writer was caught.
pub fn update<T>(
    path: &Path,
    kind: FileKind,
    lock_timeout: Duration,
    baseline: &Baseline<'_>,
    mut edit: impl FnMut(&mut Document<'_>) -> Result<T, Error>,
) -> Result<Updated<T>, Error> {
    let target = resolve(path)?;
    check_replaceable(path, &target)?;
    let dir = parent(&target);
    if !dir.exists() {
        // Nothing to lock or read yet: create the directory only if the edit changes something.
        let mut empty = Document::parse("");
        let value = edit(&mut empty)?;
        if empty.render().is_empty() {
            return Ok(Updated {
                value,
                outcome: Outcome::Unchanged,
                warnings: Vec::new(),
                merged: 0,
            });
        }
        create_dir(&dir)?;
    }
    let _lock = lock(&target, lock_timeout)?;
    remove_temp_files(&target, Sweep::All);
    let mut source = settled(path, &target, kind, baseline, Source::Path)?;
    let existed = source.file.is_some();
    let mut warnings = Vec::new();
    for round in 0..=MERGE_ROUNDS {
        let mut doc = Document::parse(&source.text);
        let before = doc.view(kind).map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            line: e.line,
            message: e.message,
        })?;
        let value = edit(&mut doc)?;
        let rendered = doc.render();
        if rendered == source.text {
            return Ok(Updated {
                value,
                outcome: Outcome::Unchanged,
                warnings,
                merged: round,
            });
        }
        // The edited lines are no longer needed: free them before the result is read back.
        let changes = doc.into_changes();
        ini::verify(&changes, kind, &before, &rendered).map_err(|e| edit_error(path, e))?;
        if let Some(w) = write_atomically(&target, rendered.as_bytes())? {
            warnings.push(w);
        }
        // A writer that had the old file open may have written into it since it was read.
        let Some(file) = source.file.take() else {
            return Ok(done(value, existed, warnings, round));
        };
        if read_from_start(&file).ok().as_deref() == Some(source.text.as_bytes()) {
            return Ok(done(value, existed, warnings, round));
        }
        if round == MERGE_ROUNDS {
            return Err(Error::Unsettled {
                path: path.to_path_buf(),
                what: format!("another program kept writing it ({MERGE_ROUNDS} times)"),
                written: true,
            });
        }
        source = settled(path, &target, kind, baseline, Source::Open(file))?;
    }
    Err(Error::Internal(
        "the merge loop ended without a result".into(),
    ))
}

fn done<T>(value: T, existed: bool, warnings: Vec<String>, merged: usize) -> Updated<T> {
    Updated {
        value,
        outcome: if existed {
            Outcome::Written
        } else {
            Outcome::Created
        },
        warnings,
        merged,
    }
}

/// Text read for a change, and the open file it came from (to look at it again later).
struct Read {
    text: String,
    file: Option<File>,
}

/// Where [`settled`] reads from: the path, or a file already open (the old file, after the
/// rename).
enum Source {
    Path,
    Open(File),
}

/// Reads the text to change and waits, up to [`SETTLE_TIMEOUT`], until it passes the tests of
/// `baseline`.
fn settled(
    shown: &Path,
    target: &Path,
    kind: FileKind,
    baseline: &Baseline<'_>,
    source: Source,
) -> Result<Read, Error> {
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    let mut open = match source {
        Source::Path => None,
        Source::Open(f) => Some(f),
    };
    loop {
        let read = match open.take() {
            None => read_regular(shown, target)?,
            Some(file) => {
                let bytes = read_from_start(&file).map_err(|e| io_error(shown, "read", e))?;
                Read {
                    text: utf8(shown, bytes)?,
                    file: Some(file),
                }
            }
        };
        let doc = Document::parse(&read.text);
        let Some(problem) = baseline.problem(&read.text, &doc, kind) else {
            drop(doc);
            return Ok(read);
        };
        if Instant::now() >= deadline {
            return Err(Error::Unsettled {
                path: shown.to_path_buf(),
                what: problem,
                written: false,
            });
        }
        drop(doc);
        // The old file, once replaced, is only reachable through its descriptor.
        open = match read.file {
            Some(f) if replaced(&f, target).unwrap_or(true) => Some(f),
            _ => None,
        };
        std::thread::sleep(SETTLE_POLL);
    }
}

/// Whether `file` is no longer the file at `target` (it was replaced): then it can only be
/// read through its descriptor.
fn replaced(file: &File, target: &Path) -> io::Result<bool> {
    let open = file.metadata()?;
    Ok(match fs::metadata(target) {
        Ok(now) => (now.dev(), now.ino()) != (open.dev(), open.ino()),
        Err(_) => true,
    })
}

fn read_from_start(mut file: &File) -> io::Result<Vec<u8>> {
    file.seek(io::SeekFrom::Start(0))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Checks, before any code is spent or prompt shown, that the file at `path` can be replaced
/// (SPEC §6.5): it is a regular file or missing, its owner may write it, its directory can be
/// written (or created), and the lock file can be opened. Returns what the user should know
/// before the file is written (other hard links keep the old text).
pub fn check_writable(path: &Path) -> Result<Vec<String>, Error> {
    let target = resolve(path)?;
    let meta = check_replaceable(path, &target)?;
    let dir = parent(&target);
    let mut notes = Vec::new();
    if dir.exists() {
        writable_dir(&dir)?;
        let lock = lock_path(&target);
        open_lock_file(&lock, &target)?;
    } else {
        let existing = dir
            .ancestors()
            .find(|a| a.exists())
            .unwrap_or(Path::new("/"));
        writable_dir(existing)?;
    }
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
fn check_replaceable(shown: &Path, target: &Path) -> Result<Option<Metadata>, Error> {
    match node(target).map_err(|e| io_error(shown, "look at", e))? {
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

/// What is at a path.
enum Node {
    Missing,
    Directory,
    Regular(Metadata),
    Fifo,
    /// A socket or a device, named for messages.
    Special(&'static str),
}

fn node(target: &Path) -> io::Result<Node> {
    let m = match fs::metadata(target) {
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
/// A device or a socket reads as empty; a FIFO is read without waiting for ever.
fn read_text(shown: &Path, target: &Path) -> Result<Option<String>, Error> {
    let bytes = match node(target).map_err(|e| io_error(shown, "read", e))? {
        Node::Missing => return Ok(None),
        Node::Directory => {
            return Err(Error::IsDirectory {
                path: shown.to_path_buf(),
            });
        }
        Node::Fifo => read_fifo(target).map_err(|e| io_error(shown, "read", e))?,
        Node::Special(_) => Vec::new(),
        Node::Regular(_) => match fs::read(target) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(shown, "read", e)),
        },
    };
    utf8(shown, bytes).map(Some)
}

/// Reads the regular file to be replaced, keeping it open; an empty text without a file when it
/// does not exist.
fn read_regular(shown: &Path, target: &Path) -> Result<Read, Error> {
    let mut file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(target)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Read {
                text: String::new(),
                file: None,
            });
        }
        Err(e) => return Err(io_error(shown, "read", e)),
    };
    let meta = file.metadata().map_err(|e| io_error(shown, "read", e))?;
    if !meta.is_file() {
        return Err(check_replaceable(shown, target)
            .err()
            .unwrap_or(Error::NotRegular {
                path: shown.to_path_buf(),
                what: "not a regular file",
            }));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)
        .map_err(|e| io_error(shown, "read", e))?;
    Ok(Read {
        text: utf8(shown, bytes)?,
        file: Some(file),
    })
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

fn utf8(shown: &Path, bytes: Vec<u8>) -> Result<String, Error> {
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

/// The sidecar lock file of `target`.
pub fn lock_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    parent(target).join(name)
}

/// Opens (creating 0600 when missing) the lock file of `target`, giving it the owner of the
/// file (or of its directory) when this run is root, so that a run as root never locks the
/// owner out.
fn open_lock_file(path: &Path, target: &Path) -> Result<File, Error> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_error(path, "create the lock file", e))?;
    if let Some(owner) = owner_of(target) {
        give_to(&file, owner);
    }
    Ok(file)
}

/// Takes the exclusive lock beside `target`, waiting at most `timeout`. The lock is released
/// when the returned file is dropped (or the process ends).
fn lock(target: &Path, timeout: Duration) -> Result<File, Error> {
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
fn owner_of(target: &Path) -> Option<(u32, u32)> {
    target
        .ancestors()
        .find_map(|p| fs::metadata(p).ok())
        .map(|m| (m.uid(), m.gid()))
}

/// Gives `file` to `owner` when it belongs to someone else and this run may (root).
fn give_to(file: &File, (uid, gid): (u32, u32)) {
    if let Ok(m) = file.metadata()
        && (m.uid(), m.gid()) != (uid, gid)
    {
        // Only root can give a file away; anyone else keeps their own ownership.
        let _ = std::os::unix::fs::fchown(file, Some(uid), Some(gid));
    }
}

/// Creates `dir` and its missing parents 0700, owned like the directory above them.
fn create_dir(dir: &Path) -> Result<(), Error> {
    let owner = owner_of(dir);
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| !a.exists())
        .map(Path::to_path_buf)
        .collect();
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io_error(dir, "create the directory", e))?;
    if let Some((uid, gid)) = owner {
        for d in missing {
            if let Ok(m) = fs::metadata(&d)
                && (m.uid(), m.gid()) != (uid, gid)
            {
                let _ = std::os::unix::fs::chown(&d, Some(uid), Some(gid));
            }
        }
    }
    Ok(())
}

/// The name every temporary file of `target` starts with.
fn temp_prefix(target: &Path) -> String {
    format!(
        ".{}.stsmfa-",
        target.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// Which temporary files to remove.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sweep {
    /// Those of processes that are gone (any run, without the lock).
    OfDeadProcesses,
    /// All but this process's own (the holder of the lock: only it writes one).
    All,
}

/// Removes temporary files that runs which were killed left beside `target`.
fn remove_temp_files(target: &Path, sweep: Sweep) {
    let prefix = temp_prefix(target);
    let Ok(entries) = fs::read_dir(parent(target)) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
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
            let _ = fs::remove_file(entry.path());
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

/// Writes `bytes` to a new file beside `target` and renames it over `target`. Once the new
/// file is in place, a failure to sync the directory is returned as a warning, not an error.
fn write_atomically(target: &Path, bytes: &[u8]) -> Result<Option<String>, Error> {
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
    match &old {
        Some(old) => {
            keep_mode(&file, old).map_err(|e| io_error(target, "keep the mode of", e))?;
            give_to(&file, (old.uid(), old.gid()));
        }
        None => {
            if let Some(owner) = owner_of(&dir) {
                give_to(&file, owner);
            }
        }
    }
    file.write_all(bytes)
        .map_err(|e| io_error(target, "write", e))?;
    file.sync_all().map_err(|e| io_error(target, "sync", e))?;
    drop(file);
    fs::rename(&temp.path, target).map_err(|e| io_error(target, "replace", e))?;
    temp.armed = false;
    Ok(File::open(&dir).and_then(|d| d.sync_all()).err().map(|e| {
        format!(
            "{} was replaced, but its directory could not be synced ({}); the change is in \
             place, but a crash in the next seconds could undo it",
            target.display(),
            crate::error::plain(&e)
        )
    }))
}

/// Gives the new file the old file's permission bits.
fn keep_mode(file: &File, old: &Metadata) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(fs::Permissions::from_mode(old.mode() & 0o7777))
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
