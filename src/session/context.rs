//! What a run needs besides its command's own arguments, resolved once from the command line
//! and the environment: the files, profile naming, settings flags, code sources, the output.

use std::io::IsTerminal as _;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::env::Env;
use crate::error::Error;
use crate::ini::{DocumentMut, FileKind};
use crate::output::Output;
use crate::profile::Naming;
use crate::settings::{self, Flags};
use crate::store::{self, Locations, Platform};
use crate::timeouts::Timeouts;
use crate::token;

/// Everything a command needs besides its own arguments, resolved once.
#[derive(Clone)]
pub(crate) struct Context<'a> {
    pub env: &'a Env,
    pub out: Output,
    pub files: Locations,
    pub naming: Naming,
    /// The profile a command works on when it names none: `--profile`, `AWS_PROFILE`, `default`.
    pub default_profile: String,
    /// `--profile`, when it was given.
    pub profile_flag: Option<String>,
    /// How long waits for other processes may last.
    pub timeouts: Timeouts,
    /// Flags that feed the settings of SPEC §2.
    pub flags: Flags,
    /// `--token`: a checked code, or `-` for stdin.
    pub token: Option<String>,
    /// Where a prompt may be shown: not with `--no-input`; on stderr when stdin is a terminal.
    pub prompt: token::Prompt,
    pub no_input: bool,
    pub min_remaining: Duration,
    pub timeout: Duration,
    /// `--force`: refresh even a valid session.
    pub force: bool,
    pub now: DateTime<Utc>,
}

/// What the command line says about a run, in plain values (the command line's own types stay
/// above the session core).
pub(crate) struct Options<'o> {
    pub profile: Option<&'o str>,
    pub credentials_file: Option<&'o str>,
    pub config_file: Option<&'o str>,
    pub long_term_suffix: &'o str,
    pub short_term_suffix: Option<&'o str>,
    pub no_input: bool,
    /// The flags that feed the settings of SPEC §2.
    pub flags: &'o Flags,
    /// `--token`, as given.
    pub token: Option<&'o str>,
    pub min_remaining: Option<Duration>,
    pub timeout: Option<Duration>,
    pub force: bool,
}

impl<'a> Context<'a> {
    /// Resolves what a run needs once: the files, the naming, the code sources, the waits.
    pub(crate) fn new(o: &Options<'_>, env: &'a Env, out: Output) -> Result<Context<'a>, Error> {
        let token = match o.token {
            None => None,
            Some("-") => Some("-".to_owned()),
            Some(code) => Some(token::validate(code, "--token")?),
        };
        let prompt = if !o.no_input && std::io::stdin().is_terminal() {
            token::Prompt::Terminal
        } else {
            token::Prompt::No
        };
        // Where nothing may be asked, the keychain may not ask to be unlocked either.
        crate::keychain::may_ask(prompt != token::Prompt::No);
        Ok(Context {
            flags: o.flags.clone(),
            token,
            prompt,
            no_input: o.no_input,
            min_remaining: o.min_remaining.unwrap_or(settings::DEFAULT_MIN_REMAINING),
            timeout: o.timeout.unwrap_or(settings::DEFAULT_TIMEOUT),
            force: o.force,
            now: Utc::now(),
            env,
            out,
            files: store::locate(o.credentials_file, o.config_file, env, Platform::Unix)?,
            naming: Naming::new(o.long_term_suffix, o.short_term_suffix)?,
            profile_flag: o.profile.map(str::to_owned),
            default_profile: o
                .profile
                .unwrap_or_else(|| env.default_profile())
                .to_owned(),
            timeouts: Timeouts::from_env(env)?,
        })
    }

    /// The profile named on the command line, else the default one.
    pub(crate) fn profile_or_default(&self, named: Option<&String>) -> String {
        named
            .cloned()
            .unwrap_or_else(|| self.default_profile.clone())
    }

    /// Checks that the credentials file can be written before anything is spent on a change
    /// (SPEC §6.5), and says what the user should know first.
    pub(crate) fn check_writable(&self) -> Result<(), Error> {
        for note in store::check_writable(&self.files.credentials, self.timeouts.lock)? {
            self.out.warn(&note);
        }
        Ok(())
    }

    /// Warns when the credentials file or its directory can be written by every user.
    pub(crate) fn warn_if_world_writable(&self) {
        for note in store::world_writable(&self.files.credentials) {
            self.out.warn(&note);
        }
    }

    /// Changes the credentials file through the store (SPEC §6.3): `first` is its text as this
    /// run first read it, `relied` the sections the change relies on staying as they were.
    /// Says what the user should know about the write.
    pub(crate) fn update_credentials<T>(
        &self,
        first: Option<&str>,
        relied: &[&str],
        edit: impl FnMut(&mut DocumentMut<'_>) -> Result<T, Error>,
    ) -> Result<store::Updated<T>, Error> {
        let baseline = store::Baseline::new(first, FileKind::Credentials, relied);
        let updated = store::update(
            &self.files.credentials,
            FileKind::Credentials,
            &self.timeouts,
            &baseline,
            edit,
        )?;
        self.report(&updated);
        Ok(updated)
    }

    /// Tells what happened to the file beyond the change itself.
    pub(crate) fn report<T>(&self, updated: &store::Updated<T>) {
        for w in &updated.warnings {
            self.out.warn(w);
        }
        if updated.merged > 0 {
            self.out.detail(&format!(
                "another program changed {} while it was being written; its change was kept",
                self.files.credentials.display()
            ));
        }
    }

    /// The profiles named on the command line, else the default one.
    pub(crate) fn profiles_or_default(&self, named: &[String]) -> Vec<String> {
        if named.is_empty() {
            vec![self.default_profile.clone()]
        } else {
            named.to_vec()
        }
    }
}
