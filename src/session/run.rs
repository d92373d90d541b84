//! A run over one or more profiles: each session still good, or a new one (direct, or chained
//! from its base's MFA session), and every session the run made written in one locked write.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::context::Context;
use super::files::{Files, Texts};
use super::profile::{Profile, load};
use super::reach::{Reach, endpoint_url};
use super::write::{Made, write_session};
use crate::aws::{Signer, sts};
use crate::credentials::{self, LongTerm, Session, State};
use crate::error::Error;
use crate::ini::Read as _;
use crate::ini::{FileKind, Properties};
use crate::keys;
use crate::secret::Secret;
use crate::settings::Settings;
use crate::store;
use crate::token::{Ask, Codes};

/// The session a profile has once a run is done with it.
#[derive(Debug)]
pub(crate) struct Current {
    pub access_key_id: String,
    pub secret: Secret,
    pub token: Secret,
    pub expiration: DateTime<Utc>,
    /// Whether this run made it (else it was in the file, still good).
    pub made: bool,
    /// The profile's region, when one is set (not the default): for the commands that hand
    /// the session to a program, which no longer reads the profile.
    pub region: Option<String>,
    /// How long before its expiration the session is refreshed (SPEC §2).
    pub margin: std::time::Duration,
}

impl Current {
    /// The session in a section, its key id and token checked before they can be sent (a
    /// chained role's request is signed with it).
    fn from_section(
        props: &Properties<'_>,
        expiration: DateTime<Utc>,
        path: &Path,
        section: &str,
    ) -> Result<Current, Error> {
        let get = |k: &str| props.get(k).unwrap_or_default();
        let sent = |k: &'static str| {
            credentials::check_sendable(path, section, k, get(k)).map(|()| get(k))
        };
        Ok(Current {
            access_key_id: sent(keys::ACCESS_KEY_ID)?.to_owned(),
            secret: Secret::new(get(keys::SECRET_ACCESS_KEY)),
            token: Secret::new(sent(keys::SESSION_TOKEN)?),
            expiration,
            made: false,
            region: None,
            margin: std::time::Duration::ZERO,
        })
    }

    fn from_session(s: &Session) -> Current {
        Current {
            access_key_id: s.access_key_id.clone(),
            secret: s.secret.clone(),
            token: s.token.clone(),
            expiration: s.expiration,
            made: true,
            region: None,
            margin: std::time::Duration::ZERO,
        }
    }
}

/// Reads the files and makes sure `profile` has a valid session, quietly when it has one: for
/// the commands that hand the session over (`env`, `exec`, `credential-process`).
pub(crate) fn session_for(profile: &str, ctx: &Context<'_>) -> Result<Current, Error> {
    let texts = Texts::read(ctx)?;
    let files = Files::parse(&texts, ctx)?;
    let mut current = ensure_one(profile, ctx, &files)?;
    if let Ok(p) = load(profile, ctx, &files) {
        let region = &p.settings.region;
        current.region =
            (region.source != crate::settings::Source::Default).then(|| region.value.to_string());
        current.margin = p.settings.margin(ctx.min_remaining);
    }
    Ok(current)
}

/// Makes sure `profile` has a valid session, with the files as read, writes the session if it
/// made one (saying so), and returns it.
pub(crate) fn ensure_one(
    profile: &str,
    ctx: &Context<'_>,
    files: &Files<'_>,
) -> Result<Current, Error> {
    let mut run = Run::new(ctx, files);
    let result = run
        .ensure_all(&[profile.to_owned()])
        .pop()
        .map(|(_, r)| r)
        .unwrap_or_else(|| Err(Error::Internal("no session was made".into())));
    run.finish()?;
    result
}

/// What [`Run::failed`] records for a profile whose question was cancelled (no exit code is 255).
const CANCELLED: u8 = u8::MAX;

/// One run over one or more profiles: the files as read once, the codes used so far, and the
/// sessions made, which [`Run::finish`] writes in one locked write.
pub(crate) struct Run<'c, 'a, 't> {
    ctx: &'c Context<'a>,
    files: &'c Files<'t>,
    codes: Codes,
    made: Vec<Made>,
    /// Profiles whose session could not be made in this run, and the exit code it ended with:
    /// their chained roles do not try (and prompt) again.
    failed: HashMap<String, u8>,
    /// Whether the file was checked to be writable (once per run, before the first code).
    checked: bool,
    /// Where and how each profile about to call STS reaches it, worked out before its code.
    reach: HashMap<String, Reach>,
}

impl<'c, 'a, 't> Run<'c, 'a, 't> {
    pub(crate) fn new(ctx: &'c Context<'a>, files: &'c Files<'t>) -> Self {
        Run {
            ctx,
            files,
            codes: Codes::default(),
            made: Vec::new(),
            failed: HashMap::new(),
            checked: false,
            reach: HashMap::new(),
        }
    }

    /// Makes sure every profile of `names` has a valid session (every one when `force`):
    /// profiles with keys of their own first, in order, a code each; then the chained roles,
    /// whose bases are refreshed first when needed and whose AssumeRole calls overlap. With
    /// Nothing is said about a session that is still valid (the caller says what it needs, in
    /// the order the profiles were named). Results come in the order of
    /// `names`; sessions made are written by [`Run::finish`] or [`Run::write`].
    pub(crate) fn ensure_all(&mut self, names: &[String]) -> Vec<(String, Result<Current, Error>)> {
        let mut results: Vec<Option<Result<Current, Error>>> = names.iter().map(|_| None).collect();
        let mut chained = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match load(name, self.ctx, self.files) {
                Err(e) => results[i] = Some(Err(e)),
                Ok(p) if p.base().is_some() => chained.push((i, p)),
                Ok(p) => results[i] = Some(self.ensure_direct(&p, self.ctx.force)),
            }
        }
        let mut calls: Vec<(usize, Profile<'t>, Current)> = Vec::new();
        for (i, profile) in chained {
            match self.prepare_chained(&profile) {
                Ok(Ok(current)) => results[i] = Some(Ok(current)),
                Ok(Err(base)) => calls.push((i, profile, base)),
                Err(e) => results[i] = Some(Err(e)),
            }
        }
        for (i, result) in self.assume_chained(calls) {
            results[i] = Some(result);
        }
        names
            .iter()
            .cloned()
            .zip(results.into_iter().map(|r| {
                r.unwrap_or_else(|| Err(Error::Internal("a profile was left out".into())))
            }))
            .collect()
    }

    /// The session of a profile with keys of its own: the one in its section when it is
    /// good, else a new one with a code.
    fn ensure_direct(&mut self, profile: &Profile<'_>, force: bool) -> Result<Current, Error> {
        if let Some(current) = self.made_for(&profile.name) {
            return Ok(current);
        }
        // Ctrl-D at a question cancels the run: nothing more is asked or sent.
        if self.failed.values().any(|c| *c == CANCELLED) {
            return Err(Error::Cancelled);
        }
        let result = self
            .still_valid(profile, force)
            .and_then(|valid| match valid {
                Some(current) => Ok(current),
                None => {
                    self.before_spending(profile)?;
                    let session = self.new_session(profile)?;
                    Ok(self.keep(profile, session))
                }
            });
        if let Err(e) = &result {
            let code = match e {
                Error::Cancelled => CANCELLED,
                e => e.exit_code(),
            };
            self.failed.insert(profile.name.clone(), code);
        }
        result
    }

    /// A chained role's session when it is still good (`Ok(Ok)`), else the base session that
    /// will sign its AssumeRole (`Ok(Err)`), refreshing the base first when it needs it.
    fn prepare_chained(
        &mut self,
        profile: &Profile<'_>,
    ) -> Result<Result<Current, Current>, Error> {
        if let Some(current) = self.still_valid(profile, self.ctx.force)? {
            return Ok(Ok(current));
        }
        if self.failed.values().any(|c| *c == CANCELLED) {
            return Err(Error::Cancelled);
        }
        self.before_spending(profile)?;
        let base_name = profile.base().unwrap_or_default().to_owned();
        if let Some(&code) = self.failed.get(&base_name) {
            return Err(Error::BaseUnavailable {
                base: base_name,
                code,
            });
        }
        let base = match self.made_for(&base_name) {
            Some(current) => current,
            None => {
                let base = load(&base_name, self.ctx, self.files)?;
                // `--force` is for the roles asked for: a base that was not named keeps its
                // valid session (a new one would cost a code).
                self.ensure_direct(&base, false)?
            }
        };
        Ok(Err(base))
    }

    /// AssumeRole for every chained role at once, each signed with its base's session.
    fn assume_chained(
        &mut self,
        calls: Vec<(usize, Profile<'t>, Current)>,
    ) -> Vec<(usize, Result<Current, Error>)> {
        if calls.is_empty() {
            return Vec::new();
        }
        let ctx = self.ctx;
        let reach = &self.reach;
        let Some(requests) = calls
            .iter()
            .map(|(_, p, base)| {
                let signer = Signer {
                    access_key_id: &base.access_key_id,
                    secret: &base.secret,
                    token: Some(&base.token),
                };
                Some(sts_request(p, signer, None, reach.get(&p.name)?))
            })
            .collect::<Option<Vec<sts::Request<'_>>>>()
        else {
            let lost = || Err(Error::Internal("a role was not prepared for STS".into()));
            return calls.iter().map(|(i, _, _)| (*i, lost())).collect();
        };
        let label = match requests.as_slice() {
            [r] => format!("asking STS at {} for {}", r.url, calls[0].1.name),
            _ => format!("asking STS for {} roles", calls.len()),
        };
        let answers = ctx.out.spin(&label, || sts::get_sessions(&requests));
        drop(requests);
        calls
            .into_iter()
            .zip(answers)
            .map(|((i, profile, _), answer)| (i, answer.map(|s| self.keep(&profile, s))))
            .collect()
    }

    /// The session made for `name` earlier in this run.
    fn made_for(&self, name: &str) -> Option<Current> {
        self.made
            .iter()
            .find(|m| m.profile == name)
            .map(|m| Current::from_session(&m.session))
    }

    /// The session in the profile's section when it is good (and not `--force`d), or
    /// an error when the section holds long-term keys.
    fn still_valid(&self, profile: &Profile<'_>, force: bool) -> Result<Option<Current>, Error> {
        let ctx = self.ctx;
        let name = &profile.name;
        if ctx.out.is_verbose() {
            let endpoint = |s: &Settings| endpoint_url(s).unwrap_or_else(|e| e.to_string());
            for line in profile.settings.describe(endpoint) {
                ctx.out.detail(&format!("{name}: {line}"));
            }
        }
        let state = profile.state(ctx);
        if state == State::LongTermKeys {
            return Err(Error::ShortTermHoldsLongTerm {
                path: ctx.files.credentials.clone(),
                section: profile.short_term_section.clone(),
                profile: name.clone(),
            });
        }
        match (&state, force, &profile.short_term) {
            (State::Valid { expires }, false, Some(props)) => Current::from_section(
                props,
                *expires,
                &ctx.files.credentials,
                &profile.short_term_section,
            )
            .map(Some),
            _ => {
                let why = match state {
                    State::Valid { .. } => "--force".to_owned(),
                    _ => state.reason(),
                };
                ctx.out.detail(&format!("{name}: refreshing: {why}"));
                Ok(None)
            }
        }
    }

    /// What must hold before a code is spent or STS is called: the session can be written
    /// into a section the AWS CLI reads as this profile.
    /// STS can be reached as set up: an endpoint exists for the region, and the CA bundle, when
    /// one is given, can be read.
    fn before_spending(&mut self, profile: &Profile<'_>) -> Result<(), Error> {
        let path = self.ctx.files.credentials.as_path();
        // A role of the config file is not written (its base checks for itself).
        if !profile.from_config {
            store::check_line_ends(path, &self.files.credentials)?;
            self.files
                .credentials
                .find(FileKind::Credentials, &profile.short_term_section)
                .map_err(|e| store::edit_error(path, e))?;
            if !self.checked {
                self.ctx.check_writable()?;
                self.checked = true;
            }
        }
        let known = self.reach.values().filter_map(|r| r.trust.as_ref());
        let reach = Reach::new(&profile.settings, self.ctx.timeout, known)?;
        self.reach.insert(profile.name.clone(), reach);
        Ok(())
    }

    /// Gets a code and calls STS for a profile with keys of its own.
    fn new_session(&mut self, profile: &Profile<'_>) -> Result<Session, Error> {
        let ctx = self.ctx;
        let path = ctx.files.credentials.as_path();
        let long_term = LongTerm::from_section(
            profile.long_term.as_ref(),
            &profile.name,
            &profile.long_term_section,
            path,
        )?;
        if long_term.place == crate::keychain::Place::Keychain {
            ctx.out.detail(&format!(
                "{}: the secret access key of [{}] comes from the OS keychain",
                profile.name, profile.long_term_section
            ));
        }
        let s = &profile.settings;
        let device = s
            .device
            .as_ref()
            .map(|d| d.value.as_str())
            .unwrap_or_default();
        let say = |text: &str| ctx.out.info(text);
        let code = self.codes.get(&Ask {
            profile: &profile.name,
            device,
            flag: ctx.token.as_deref(),
            command: s.token_command.as_ref().map(|c| c.value.as_str()),
            command_timeout: ctx.timeouts.token_command,
            prompt: ctx.prompt,
            say: &say,
        })?;
        let reach = self
            .reach
            .get(&profile.name)
            .ok_or_else(|| Error::Internal("the profile was not prepared for STS".into()))?;
        let request = sts_request(
            profile,
            Signer {
                access_key_id: &long_term.access_key_id,
                secret: &long_term.secret,
                token: None,
            },
            Some((device, &code)),
            reach,
        );
        let label = format!("asking STS at {} for {}", reach.url, profile.name);
        let result = ctx.out.spin(&label, || sts::get_session(&request));
        if let Err(Error::Unreachable {
            code_sent: false, ..
        }) = &result
        {
            self.codes.unspent(device, &code);
        }
        result
    }

    /// Keeps a new session for the run's write and returns it.
    fn keep(&mut self, profile: &Profile<'_>, session: Session) -> Current {
        let current = Current::from_session(&session);
        // A role of the config file is handed over, never written: the AWS tools assume it
        // themselves from the base's session.
        if profile.from_config {
            return current;
        }
        self.made.push(Made {
            profile: profile.name.clone(),
            short_term_section: profile.short_term_section.clone(),
            long_term_section: profile.long_term_section.clone(),
            session,
        });
        current
    }

    /// Writes every session this run made in one locked write, then says what was done.
    pub(crate) fn finish(self) -> Result<(), Error> {
        let ctx = self.ctx;
        for (profile, what) in self.write()? {
            ctx.out.done(&profile, &what);
        }
        Ok(())
    }

    /// Writes every session this run made in one locked write and returns, for each profile
    /// whose session it wrote, what to say about it (`refreshed, valid until 18:50 (...)`), in
    /// the order they were made.
    pub(crate) fn write(self) -> Result<Vec<(String, String)>, Error> {
        if self.made.is_empty() {
            return Ok(Vec::new());
        }
        let ctx = self.ctx;
        let path = ctx.files.credentials.as_path();
        let relied: Vec<&str> = self
            .made
            .iter()
            .map(|m| m.long_term_section.as_str())
            .collect();
        let made = &self.made;
        ctx.update_credentials(Some(self.files.credentials_text), &relied, |doc| {
            for m in made {
                write_session(doc, m, path)?;
            }
            Ok(())
        })?;
        Ok(self
            .made
            .into_iter()
            .map(|m| {
                let when = credentials::describe_expiry(m.session.expiration, Utc::now());
                let what = match &m.session.role_arn {
                    Some(role) => format!("refreshed as {role}, valid until {when}"),
                    None => format!("refreshed, valid until {when}"),
                };
                (m.profile, what)
            })
            .collect())
    }
}

/// The STS request for `profile`'s settings, signed by `signer`, with an MFA device and code
/// unless the profile is a chained role.
fn sts_request<'r>(
    profile: &'r Profile<'_>,
    signer: Signer<'r>,
    mfa: Option<(&'r str, &'r str)>,
    reach: &'r Reach,
) -> sts::Request<'r> {
    let s = &profile.settings;
    sts::Request {
        signer,
        section: &profile.long_term_section,
        url: &reach.url,
        forced: reach.given,
        network: &reach.network,
        trust: reach.trust.as_deref(),
        mfa,
        duration: s.duration.value,
        role: s.role.as_ref().map(|r| sts::Role {
            arn: r.value.as_str(),
            session_name: &s.session_name.value,
            external_id: s.external_id.as_ref().map(|e| e.value.as_str()),
        }),
    }
}
