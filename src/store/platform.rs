//! The operating-system calls the store needs beyond `std`, each with what it does where the
//! call does not exist: Linux has them all; elsewhere (macOS, the BSDs) the fallback is named
//! beside each.

use std::ffi::{CString, OsString};
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd as _;
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::path::Path;

fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

/// Whether another process has `file` open for writing right now: `Some(true)` or
/// `Some(false)`, or `None` when this cannot be known here.
///
/// On Linux a read lease can be taken only on a file that no process has open for writing, so
/// taking one (and dropping it at once) answers the question without waiting. A lease needs
/// the file's owner or root, and a local file system; elsewhere the answer is `None`.
pub(crate) fn open_for_writing_elsewhere(file: &File) -> Option<bool> {
    #[cfg(target_os = "linux")]
    {
        lease_breaks_are_harmless();
        let fd = file.as_raw_fd();
        // SAFETY: fcntl on a descriptor this function borrows for the duration of the call.
        if unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_RDLCK) } == 0 {
            // SAFETY: as above; drops the lease just taken.
            unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK) };
            return Some(false);
        }
        match io::Error::last_os_error().raw_os_error() {
            Some(libc::EAGAIN) => Some(true),
            _ => None,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

/// A writer opening the file while the lease is held makes the kernel send SIGIO, whose
/// default action ends the process: catch it (a handler, not an ignore, so that programs
/// `exec` starts get the default back).
#[cfg(target_os = "linux")]
fn lease_breaks_are_harmless() {
    use std::sync::OnceLock;
    use std::sync::atomic::AtomicBool;
    static SEEN: OnceLock<std::sync::Arc<AtomicBool>> = OnceLock::new();
    SEEN.get_or_init(|| {
        let flag = std::sync::Arc::new(AtomicBool::new(false));
        let _ = signal_hook::flag::register(libc::SIGIO, std::sync::Arc::clone(&flag));
        flag
    });
}

/// `renameat2(from, to, flags)`: `Ok(true)` when done, `Ok(false)` where it does not exist
/// (not Linux, or a file system without the flag), else the error.
fn renameat2(from: &Path, to: &Path, flags: libc::c_uint) -> io::Result<bool> {
    #[cfg(target_os = "linux")]
    {
        let (f, t) = (c_path(from)?, c_path(to)?);
        // SAFETY: two valid NUL-terminated paths for the duration of the call.
        let r = unsafe {
            libc::syscall(
                libc::SYS_renameat2,
                libc::AT_FDCWD,
                f.as_ptr(),
                libc::AT_FDCWD,
                t.as_ptr(),
                flags,
            )
        };
        if r == 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) {
            return Ok(false);
        }
        Err(e)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (from, to, flags);
        Ok(false)
    }
}

/// Renames `from` to `to` only if `to` does not exist (`AlreadyExists` otherwise). Linux:
/// `renameat2(RENAME_NOREPLACE)`; elsewhere, or on a file system without it, a hard link
/// (which never replaces) and then removing `from`.
pub(crate) fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    if renameat2(from, to, NOREPLACE)? {
        return Ok(());
    }
    std::fs::hard_link(from, to)?;
    let _ = std::fs::remove_file(from);
    Ok(())
}

/// Swaps the files at `a` and `b` in one step (both must exist): `Ok(true)` when done,
/// `Ok(false)` where this cannot be done (not Linux, or a file system without
/// `renameat2(RENAME_EXCHANGE)`).
pub(crate) fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    renameat2(a, b, EXCHANGE)
}

#[cfg(target_os = "linux")]
const NOREPLACE: libc::c_uint = libc::RENAME_NOREPLACE;
#[cfg(target_os = "linux")]
const EXCHANGE: libc::c_uint = libc::RENAME_EXCHANGE;
#[cfg(not(target_os = "linux"))]
const NOREPLACE: libc::c_uint = 1;
#[cfg(not(target_os = "linux"))]
const EXCHANGE: libc::c_uint = 2;

/// Why `path` cannot be replaced or written even by its owner: the immutable or the
/// append-only attribute (`chattr +i`, `chattr +a`), read with `FS_IOC_GETFLAGS` on Linux.
/// Elsewhere (BSD flags are not read) `None`; the rename then fails and says so.
pub(crate) fn unchangeable(path: &Path) -> Option<&'static str> {
    #[cfg(target_os = "linux")]
    {
        const IMMUTABLE: libc::c_long = 0x10;
        const APPEND_ONLY: libc::c_long = 0x20;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags_nonblocking()
            .open(path)
            .ok()?;
        let mut flags: libc::c_long = 0;
        // SAFETY: FS_IOC_GETFLAGS writes one long into `flags`, which outlives the call.
        let r = unsafe { libc::ioctl(file.as_raw_fd(), libc::FS_IOC_GETFLAGS, &mut flags) };
        if r != 0 {
            return None;
        }
        if flags & IMMUTABLE != 0 {
            Some("immutable (chattr +i)")
        } else if flags & APPEND_ONLY != 0 {
            Some("append-only (chattr +a)")
        } else {
            None
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        None
    }
}

#[cfg(target_os = "linux")]
trait NonBlocking {
    fn custom_flags_nonblocking(&mut self) -> &mut Self;
}

#[cfg(target_os = "linux")]
impl NonBlocking for std::fs::OpenOptions {
    fn custom_flags_nonblocking(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt as _;
        self.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
    }
}

/// The names in `dir` (without `.` and `..`); empty when it cannot be read. `std::fs::read_dir`
/// stops the process when closing the directory fails (an I/O error): this never does.
pub(crate) fn names_in(dir: &Path) -> Vec<OsString> {
    let Ok(c) = c_path(dir) else {
        return Vec::new();
    };
    // SAFETY: a valid NUL-terminated path; the handle is closed below.
    let handle = unsafe { libc::opendir(c.as_ptr()) };
    if handle.is_null() {
        return Vec::new();
    }
    let mut names = Vec::new();
    loop {
        // SAFETY: `handle` is an open directory stream until closedir below.
        let entry = unsafe { libc::readdir(handle) };
        if entry.is_null() {
            break;
        }
        // SAFETY: readdir returned an entry whose d_name is NUL-terminated and valid until the
        // next readdir on this stream; it is copied at once.
        let name = unsafe { std::ffi::CStr::from_ptr((*entry).d_name.as_ptr()) };
        let bytes = name.to_bytes();
        if bytes != b"." && bytes != b".." {
            names.push(OsString::from_vec(bytes.to_vec()));
        }
    }
    // SAFETY: closes the stream opened above; a failure to close is of no consequence here.
    unsafe { libc::closedir(handle) };
    names
}

/// The effective user of this process.
pub(crate) fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}
