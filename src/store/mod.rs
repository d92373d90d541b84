//! Where the files are, and the only code that changes them (SPEC §6.3–§6.6).
//!
//! # What the store promises
//!
//! The credentials file is replaced only by renaming a complete, verified new file over it, and
//! the new file is always *the whole text found under the lock, plus this run's edit*. That
//! text is used only when it is whole and passes three tests against what the run first read
//! (its [`Baseline`]):
//!
//! 0. it is whole: no other process has the file open for writing (Linux asks the kernel,
//!    with a read lease; where that cannot be asked, it was last written over 100 ms ago), it
//!    did not change while it was read, and the path still names it;
//! 1. it is not empty, when the first read was not;
//! 2. it is not cut short: it parses when the first read did, and it is not a strict prefix of
//!    the first read that ends inside a line;
//! 3. every section the run relies on (for a refresh, the long-term section whose keys it
//!    used) is there byte for byte as first read.
//!
//! Text that fails a test is read again every 20 ms for up to [`SETTLE_TIMEOUT`]; if it never
//! passes, nothing is written and the run ends with exit 6. Every wait is bounded.
//!
//! Just before the rename the path must still hold the file the text was read from (same
//! file, size and modification time); a missing file is created only if it is still missing
//! (a rename that never replaces). Otherwise the change is built again from what is at the
//! path now. On Linux the new file is swapped in and the file it displaced checked once more,
//! so a file another program renamed there a moment before gets its place back.
//!
//! After the rename, the replaced file is watched through the descriptor that read it: while
//! another process still has it open for writing (at most [`LATE_WRITER_WATCH`]), and then
//! read. When that writer changed it, its text is built on again (the path was left alone
//! since), or what it appended is added to what the path holds now.
//!
//! The order of a change: resolve a symlink to its target; refuse anything but a regular file
//! (or a missing one), and a descriptor of this process (`<(...)`, `/dev/stdin`), which is
//! read but never replaced; create a missing directory 0700; take an exclusive lock on the
//! sidecar `<file>.lock` (created 0600 and never through a link, owned like the file, waited
//! for at most the lock timeout; a planted one is refused); read the file until it settles;
//! apply the edit; re-read the result and verify it; write a temporary file beside the target
//! (created 0600, given the old file's mode and owner), fsync it, put it in place as above,
//! fsync the directory; watch the old file; release the lock. Any failure before the rename
//! removes the temporary file and leaves the old file as it was. Temporary files are named
//! after the process that made them; every run removes those of processes that are gone, and
//! the holder of the lock removes all others.
//!
//! What no writer that takes no lock can be protected from: one that keeps the file open and
//! pauses for longer than 2 s between two writes of one rewrite, one that writes into the old
//! file later than [`LATE_WRITER_WATCH`] after the rename, and two programs that both rewrite
//! the file from what they read (the later one's text wins, as it would without stsmfa).
//!
//! Files that are not regular are never opened for writing: a FIFO is read without blocking
//! (bounded), a device or a socket reads as empty (`AWS_CONFIG_FILE=/dev/null`).

mod lock;
mod platform;
mod read;
mod replace;

use std::fs::{self, File, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::env::Env;
use crate::error::Error;
use crate::ini::{self, Document, EditError, FileKind};
pub use lock::lock_path;
use read::{Node, Snapshot, Stamp, io_error};
use replace::{NotPlaced, Sweep};

/// How long a change waits for another process's lock.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a change waits for a file that another program is writing to settle.
pub const SETTLE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a file that was just emptied is watched before it is taken as empty.
pub const EMPTY_SETTLE: Duration = Duration::from_secs(1);

/// How long the replaced file is watched after the rename for a writer that still has it open.
pub const LATE_WRITER_WATCH: Duration = Duration::from_secs(1);

/// How many times a change is made again after catching a writer in the act.
const MERGE_ROUNDS: usize = 5;

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
/// The text is the whole file: one that a program is still writing, or that was emptied a
/// moment ago (`aws configure set` truncates, then writes), is read again until it settles,
/// for at most [`SETTLE_TIMEOUT`] (then exit 6). A descriptor given as a path (`<(...)`,
/// `/dev/stdin`) is read like any file.
pub fn read(path: &Path) -> Result<Option<String>, Error> {
    if let Ok(target) = resolve(path) {
        replace::remove_temp_files(&target, Sweep::OfDeadProcesses);
    }
    read::settled_text(path, path, EMPTY_SETTLE, SETTLE_TIMEOUT)
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
    let target = resolve_for_writing(path)?;
    check_replaceable(path, &target)?;
    let dir = parent(&target);
    if !exists(&dir)? {
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
        lock::create_dir(&dir)?;
    }
    let _lock = lock::lock(&target, lock_timeout)?;
    replace::remove_temp_files(&target, Sweep::All);
    let settle = Settle {
        shown: path,
        target: &target,
        kind,
        baseline,
        deadline: Instant::now() + SETTLE_TIMEOUT,
    };
    let mut base = Base::at_path(settle.read()?);
    let mut warnings = Vec::new();
    let mut merged = 0;
    let mut written = false;
    // Rounds after catching a writer in the replaced file; a file changed before the rename is
    // built again until the deadline.
    let mut late_rounds = 0;
    while late_rounds <= MERGE_ROUNDS {
        let mut doc = Document::parse(&base.text);
        check_line_ends(path, &doc)?;
        let before = doc.view(kind).map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            line: e.line,
            message: e.message,
        })?;
        let value = edit(&mut doc)?;
        let rendered = doc.render();
        if base.is_at_path && rendered == base.text {
            return Ok(Updated {
                value,
                outcome: Outcome::Unchanged,
                warnings,
                merged,
            });
        }
        // The edited lines are no longer needed: free them before the result is read back.
        let changes = doc.into_changes();
        ini::verify(&changes, kind, &before, &rendered).map_err(|e| edit_error(path, e))?;
        let like = base.replaced.as_ref().and_then(|r| r.file.metadata().ok());
        let temp = replace::write_temp(&target, rendered.as_bytes(), like.as_ref())?;
        let ours = temp.stamp;
        // Just before the rename: the path must still hold what the text was built from.
        match replace::put_in_place(temp, &target, base.expected) {
            Ok(()) => {}
            Err(NotPlaced::Moved) => {
                if Instant::now() >= settle.deadline {
                    break;
                }
                merged += 1;
                base = Base::at_path(settle.read()?);
                continue;
            }
            Err(NotPlaced::Failed(e)) => return Err(e),
        }
        written = true;
        warnings.extend(replace::sync_dir(&target));
        let outcome = match base.expected {
            None => Outcome::Created,
            Some(_) => Outcome::Written,
        };
        // A writer that had the replaced file open may write into it after the rename.
        let late = match &base.replaced {
            Some(replaced) => replaced.late_writes(base.held(), path)?,
            None => None,
        };
        let Some(theirs) = late else {
            return Ok(Updated {
                value,
                outcome,
                warnings,
                merged,
            });
        };
        merged += 1;
        late_rounds += 1;
        let now = settle.read()?;
        let untouched = now.file.as_ref().map(|(_, s)| *s) == Some(ours);
        let appended = theirs.strip_prefix(base.held()).map(str::to_owned);
        base = match (appended, untouched) {
            // Lines added at the end (an appender, or a writer that adds a section) while
            // nobody changed the path: added to what this round was built from, and the edit
            // made again on that.
            (Some(appended), true) => {
                let mut text = base.text;
                push_lines(&mut text, &appended);
                Base::after_late_writer(text, now, rendered)
            }
            // ... and when the path changed too: added to what it holds now.
            (Some(appended), false) => {
                let mut next = Base::at_path(now);
                next.append(&appended);
                next
            }
            // A rewrite, and nobody changed the path since the rename: it is the newest text.
            (None, true) => Base::after_late_writer(theirs, now, rendered),
            (None, false) => {
                warnings.push(format!(
                    "another program rewrote {} while stsmfa replaced it, and another change \
                     replaced that: check the file, the first program's change may have to be \
                     made again",
                    path.display()
                ));
                Base::at_path(now)
            }
        };
    }
    Err(Error::Unsettled {
        path: path.to_path_buf(),
        what: format!(
            "another program kept writing it ({merged} times in {} s)",
            SETTLE_TIMEOUT.as_secs()
        ),
        written,
        seconds: SETTLE_TIMEOUT.as_secs(),
    })
}

/// What a round of [`update`] builds on: the text to edit, what the path must still hold for
/// the new file to replace it, and the file it replaces (to catch late writers in).
struct Base {
    text: String,
    /// The stamp the path must have at the rename (`None`: the path must still be empty).
    expected: Option<Stamp>,
    replaced: Option<Replaced>,
    /// Whether `text` is what is at the path (so an edit that changes nothing needs no write).
    is_at_path: bool,
}

/// The file a new one replaces, kept open, and what it held when read (`None`: the text of the
/// round).
struct Replaced {
    file: File,
    held: Option<String>,
}

impl Base {
    fn at_path(snap: Snapshot) -> Base {
        Base {
            expected: snap.file.as_ref().map(|(_, s)| *s),
            replaced: snap.file.map(|(file, _)| Replaced { file, held: None }),
            text: snap.text,
            is_at_path: true,
        }
    }

    /// After a late writer: `text` (theirs, or what this round was built from plus what they
    /// appended) is built on, to replace `ours` (the file at the path, which holds `rendered`).
    fn after_late_writer(text: String, ours: Snapshot, rendered: String) -> Base {
        Base {
            text,
            expected: ours.file.as_ref().map(|(_, s)| *s),
            replaced: ours.file.map(|(file, _)| Replaced {
                file,
                held: Some(rendered),
            }),
            is_at_path: false,
        }
    }

    /// What the file to be replaced held when it was read.
    fn held(&self) -> &str {
        match self.replaced.as_ref().and_then(|r| r.held.as_deref()) {
            Some(held) => held,
            None => &self.text,
        }
    }

    /// Adds lines another program appended (to the file this one replaced) at the end.
    fn append(&mut self, appended: &str) {
        if appended.is_empty() {
            return;
        }
        if let Some(r) = self.replaced.as_mut()
            && r.held.is_none()
        {
            r.held = Some(self.text.clone());
        }
        push_lines(&mut self.text, appended);
        self.is_at_path = false;
    }
}

/// Adds `lines` at the end of `text`, on a line of their own.
fn push_lines(text: &mut String, lines: &str) {
    if !text.is_empty() && !text.ends_with('\n') && !lines.starts_with('\n') {
        text.push('\n');
    }
    text.push_str(lines);
}

impl Replaced {
    /// What a writer that still had this file open wrote into it after it was replaced: its
    /// text when it no longer holds `held`. Waits, at most [`LATE_WRITER_WATCH`], for writers
    /// that still have it open to close it. A file that can no longer be read has nothing to
    /// merge; one that is not UTF-8 now is an error.
    fn late_writes(&self, held: &str, shown: &Path) -> Result<Option<String>, Error> {
        let until = Instant::now() + LATE_WRITER_WATCH;
        while platform::open_for_writing_elsewhere(&self.file) == Some(true)
            && Instant::now() < until
        {
            std::thread::sleep(read::POLL);
        }
        match read::read_from_start(&self.file) {
            Ok(now) if now != held.as_bytes() => read::utf8(shown, now).map(Some),
            _ => Ok(None),
        }
    }
}

/// Reading the file under the lock until it settles (see [`read::snapshot`]) and passes the
/// tests of the baseline, until one deadline for the whole change.
struct Settle<'a> {
    shown: &'a Path,
    target: &'a Path,
    kind: FileKind,
    baseline: &'a Baseline<'a>,
    deadline: Instant,
}

impl Settle<'_> {
    fn read(&self) -> Result<Snapshot, Error> {
        loop {
            let snap = read::snapshot(self.shown, self.target)?;
            let problem = match snap.unsettled {
                Some(what) => Some(what.to_owned()),
                None => {
                    let doc = Document::parse(&snap.text);
                    self.baseline.problem(&snap.text, &doc, self.kind)
                }
            };
            let Some(what) = problem else {
                return Ok(snap);
            };
            if Instant::now() >= self.deadline {
                return Err(Error::Unsettled {
                    path: self.shown.to_path_buf(),
                    what,
                    written: false,
                    seconds: SETTLE_TIMEOUT.as_secs(),
                });
            }
            std::thread::sleep(read::POLL);
        }
    }
}

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
fn check_replaceable(shown: &Path, target: &Path) -> Result<Option<Metadata>, Error> {
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

/// Follows symlinks to the file that is really read and replaced (which may not exist yet).
fn resolve(path: &Path) -> Result<PathBuf, Error> {
    resolve_links(path).map(|(target, _)| target)
}

/// [`resolve`], refusing a path that leads to a descriptor of this process (`<(...)` is
/// `/dev/fd/N`, and `/dev/stdin`): it is read, but what it names is not a file stsmfa may
/// replace (a pipe; or the real file, which the user did not name).
fn resolve_for_writing(path: &Path) -> Result<PathBuf, Error> {
    match resolve_links(path)? {
        (_, true) => Err(Error::NotRegular {
            path: path.to_path_buf(),
            what: "a descriptor of this process (<(...), /dev/stdin), which is read only",
        }),
        (target, false) => Ok(target),
    }
}

/// The target of `path`'s symlinks, and whether the way there went through a process's
/// descriptors (`/proc/.../fd/`, `/dev/fd/`).
fn resolve_links(path: &Path) -> Result<(PathBuf, bool), Error> {
    let through_descriptor = |p: &Path| {
        let s = p.to_string_lossy();
        s.starts_with("/proc/") || s.starts_with("/dev/fd/")
    };
    let mut current = path.to_path_buf();
    let mut descriptor = through_descriptor(&current);
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&current)
                    .map_err(|e| io_error(&current, "read the symlink", e))?;
                current = parent(&current).join(link);
                descriptor |= through_descriptor(&current);
            }
            _ => return Ok((current, descriptor)),
        }
    }
    Err(io_error(
        path,
        "follow",
        io::Error::other("too many levels of symbolic links"),
    ))
}

/// Whether something is at `path`; an error when that cannot be known (an I/O error is not
/// "missing").
fn exists(path: &Path) -> Result<bool, Error> {
    match fs::metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error(path, "look at", e)),
    }
}

/// The directory holding `path` (`.` for a bare file name).
fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
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
