//! Secret values (secret access keys, session tokens): zeroized when dropped, `(redacted)`
//! under `Debug`, no `Display`, so a secret cannot end up in a message by accident. Only the
//! commands whose job is to hand credentials over call [`Secret::expose`].

use std::fmt;

use zeroize::Zeroizing;

/// A secret string.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Takes `value` over; it is zeroed when the secret is dropped.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret itself, for writing it where it belongs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

/// An access key id shown masked to its last four characters: `****MPLE`.
pub fn mask(key_id: &str) -> String {
    let tail: String = key_id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{tail}")
}

/// No core file for this process: one written while it waits (for a token command, say) would
/// hold the long-term secret. Sets the core size limit to zero and, on Linux, makes the
/// process non-dumpable (which also keeps other processes of the user from reading its
/// memory); programs that `exec` starts get both back as they were.
pub fn disable_core_dumps() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write `limit`, which outlives the calls.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_CORE, &mut limit) == 0 {
            SAVED_CORE_LIMIT.get_or_init(|| limit.rlim_cur);
            // The soft limit only: the hard one stays, so a child can be given it back.
            limit.rlim_cur = 0;
            libc::setrlimit(libc::RLIMIT_CORE, &limit);
        }
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_DUMPABLE takes one integer argument.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0);
    }
}

static SAVED_CORE_LIMIT: std::sync::OnceLock<libc::rlim_t> = std::sync::OnceLock::new();

/// Gives a child that `exec` starts the core size limit this process started with. Call it
/// between fork and exec: it only calls `setrlimit`, which is async-signal-safe.
pub fn restore_core_limit() {
    if let Some(&cur) = SAVED_CORE_LIMIT.get() {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit read and write `limit`, which outlives the calls.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_CORE, &mut limit) == 0 {
                limit.rlim_cur = cur;
                libc::setrlimit(libc::RLIMIT_CORE, &limit);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Secret::new("wJalrXUtnFEMI");
        assert_eq!(format!("{s:?}"), "(redacted)");
        assert_eq!(format!("{:?}", Some(&s)), "Some((redacted))");
    }

    #[test]
    fn mask_keeps_the_last_four() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "****MPLE");
        assert_eq!(mask("AB"), "****AB");
    }
}
