//! How long stsmfa waits for things outside it, read once from the environment and passed down
//! like the clock: another run's lock, a file another program is writing, a token command, and
//! a new access key that IAM has not spread yet.

use std::time::Duration;

use crate::env::Env;
use crate::error::{Error, Usage};

/// Every wait with a bound. Each can be set in whole seconds by its environment variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// How long a change waits for another process's lock (`STSMFA_LOCK_TIMEOUT`, 10 s).
    pub lock: Duration,
    /// How long a change waits for a file that another program is writing to settle
    /// (`STSMFA_SETTLE_TIMEOUT`, 5 s).
    pub settle: Duration,
    /// How long a token command may run (`STSMFA_TOKEN_COMMAND_TIMEOUT`, 30 s).
    pub token_command: Duration,
    /// How long `rotate` waits for the new key to work (`STSMFA_ROTATE_TIMEOUT`, 20 s).
    pub propagation: Duration,
}

/// The variables, in the order of the fields, with what each bounds.
const VARIABLES: [(&str, &str); 4] = [
    ("STSMFA_LOCK_TIMEOUT", "lock timeout"),
    ("STSMFA_SETTLE_TIMEOUT", "settle timeout"),
    ("STSMFA_TOKEN_COMMAND_TIMEOUT", "token command timeout"),
    ("STSMFA_ROTATE_TIMEOUT", "rotate timeout"),
];

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            lock: Duration::from_secs(10),
            settle: Duration::from_secs(5),
            token_command: Duration::from_secs(30),
            propagation: Duration::from_secs(20),
        }
    }
}

impl Timeouts {
    /// The defaults, with each one the environment sets instead; a value that is not a whole
    /// number of seconds is a usage error naming its variable.
    pub fn from_env(env: &Env) -> Result<Timeouts, Error> {
        let mut t = Timeouts::default();
        let fields = [
            &mut t.lock,
            &mut t.settle,
            &mut t.token_command,
            &mut t.propagation,
        ];
        for ((name, what), field) in VARIABLES.iter().zip(fields) {
            let Some(value) = env.get(name) else { continue };
            *field = value
                .trim()
                .parse::<u32>()
                .map(|s| Duration::from_secs(s.into()))
                .map_err(|_| {
                    Error::Usage(Usage::Invalid {
                        what: (*what).to_owned(),
                        value: value.to_owned(),
                        source: (*name).to_owned(),
                        shape: "a whole number of seconds".to_owned(),
                    })
                })?;
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_specs() {
        let t = Timeouts::default();
        assert_eq!(t.lock, Duration::from_secs(10));
        assert_eq!(t.settle, Duration::from_secs(5));
        assert_eq!(t.token_command, Duration::from_secs(30), "SPEC §4");
        assert_eq!(t.propagation, Duration::from_secs(20));
    }

    #[test]
    fn unset_or_empty_variables_keep_the_defaults() {
        let env = Env::from_pairs([("STSMFA_LOCK_TIMEOUT", "")]);
        assert_eq!(Timeouts::from_env(&env).unwrap(), Timeouts::default());
    }

    #[test]
    fn each_variable_sets_its_own_wait() {
        let env = Env::from_pairs([
            ("STSMFA_LOCK_TIMEOUT", "1"),
            ("STSMFA_SETTLE_TIMEOUT", "2"),
            ("STSMFA_TOKEN_COMMAND_TIMEOUT", " 3 "),
            ("STSMFA_ROTATE_TIMEOUT", "0"),
        ]);
        let t = Timeouts::from_env(&env).unwrap();
        assert_eq!(t.lock, Duration::from_secs(1));
        assert_eq!(t.settle, Duration::from_secs(2));
        assert_eq!(t.token_command, Duration::from_secs(3));
        assert_eq!(t.propagation, Duration::ZERO);
    }

    #[test]
    fn a_value_that_is_not_whole_seconds_names_its_variable() {
        for bad in ["1.5", "-1", "ten", "99999999999"] {
            let env = Env::from_pairs([("STSMFA_SETTLE_TIMEOUT", bad)]);
            let message = Timeouts::from_env(&env).unwrap_err().to_string();
            assert!(message.contains("STSMFA_SETTLE_TIMEOUT"), "{message}");
            assert!(message.contains("settle timeout"), "{message}");
        }
    }
}
