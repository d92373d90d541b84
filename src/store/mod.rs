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
//! Text that fails a test is read again every 20 ms for up to the settle timeout ([`Timeouts::settle`](crate::timeouts::Timeouts)); if it never
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

mod check;
mod lock;
mod paths;
mod platform;
mod read;
mod replace;
mod update;

use std::path::Path;
use std::time::Duration;

use crate::error::Error;
pub use check::{check_line_ends, check_writable, edit_error, world_writable};
pub use lock::lock_path;
pub use paths::{Locations, Platform, home, locate};
use replace::Sweep;
pub use update::{Baseline, Outcome, Updated, update};

/// How long a file that was just emptied is watched before it is taken as empty.
pub const EMPTY_SETTLE: Duration = Duration::from_secs(1);

/// How long the replaced file is watched after the rename for a writer that still has it open.
pub const LATE_WRITER_WATCH: Duration = Duration::from_secs(1);

/// Reads a file's text without locking; a missing file is `None`. Parse it with
/// [`Document::parse`]. Temporary files that dead processes left beside it are removed.
///
/// The text is the whole file: one that a program is still writing, or that was emptied a
/// moment ago (`aws configure set` truncates, then writes), is read again until it settles,
/// for at most `settle` (then exit 6). A descriptor given as a path (`<(...)`,
/// `/dev/stdin`) is read like any file.
pub fn read(path: &Path, settle: Duration) -> Result<Option<String>, Error> {
    if let Ok(target) = paths::resolve(path) {
        replace::remove_temp_files(&target, Sweep::OfDeadProcesses);
    }
    read::settled_text(path, path, EMPTY_SETTLE, settle)
}
