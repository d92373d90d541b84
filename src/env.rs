//! The process environment, captured once in `main` and passed down, so that nothing reads
//! global state and tests can run side by side with environments of their own.

use std::collections::HashMap;

use crate::hash::Fnv;

/// A snapshot of environment variables. Empty values count as unset, as in the AWS CLI.
/// Hashed with FNV: `status` looks up a few variables for each of possibly thousands of
/// profiles, and these short names hash faster that way.
#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: HashMap<String, String, Fnv>,
}

impl Env {
    /// The current process environment (variables that are not UTF-8 are left out).
    pub fn capture() -> Env {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// An environment holding exactly `pairs`.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The value of `name`, or `None` when unset or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The profile the AWS tools default to: `AWS_PROFILE`, else `default`.
    pub fn default_profile(&self) -> &str {
        self.get("AWS_PROFILE").unwrap_or("default")
    }
}
