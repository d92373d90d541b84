//! Where the files are (flags, environment, `~`, as the AWS SDKs find them), and what a path
//! leads to: its symlinks followed, a descriptor of this process told apart.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::read::io_error;
use crate::env::Env;
use crate::error::Error;

/// Path rules of one platform; the AWS SDKs find the home directory differently on Windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// `HOME`, and `/` between path parts.
    Unix,
    /// `HOME`, else `USERPROFILE`, else `HOMEDRIVE` and `HOMEPATH`; a backslash between path parts.
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
    /// The shared credentials file, the one stsmfa writes.
    pub credentials: PathBuf,
    /// The config file, only ever read.
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

/// Follows symlinks to the file that is really read and replaced (which may not exist yet).
pub(super) fn resolve(path: &Path) -> Result<PathBuf, Error> {
    resolve_links(path).map(|(target, _)| target)
}

/// [`resolve`], refusing a path that leads to a descriptor of this process (`<(...)` is
/// `/dev/fd/N`, and `/dev/stdin`): it is read, but what it names is not a file stsmfa may
/// replace (a pipe; or the real file, which the user did not name).
pub(super) fn resolve_for_writing(path: &Path) -> Result<PathBuf, Error> {
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
pub(super) fn exists(path: &Path) -> Result<bool, Error> {
    match fs::metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error(path, "look at", e)),
    }
}

/// The directory holding `path` (`.` for a bare file name).
pub(super) fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
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
        assert!(
            super::super::read(Path::new(""), std::time::Duration::from_secs(5))
                .is_ok_and(|t| t.is_none())
        );
    }

    #[test]
    fn tilde_inside_a_name_is_not_expanded() {
        let e = env(&[("HOME", "/h")]);
        let l = locate(Some("~x/c"), None, &e, Platform::Unix).ok();
        assert_eq!(l.map(|l| l.credentials), Some(PathBuf::from("~x/c")));
    }
}
