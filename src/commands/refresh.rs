//! `stsmfa refresh` (the default command): for each profile, decide whether the session in
//! `[NAME]` is still good; if not, get a code, call STS (no lock held), then write the session
//! through the store (lock, re-read, verify, atomic replace).

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::cli::RefreshArgs;
use crate::credentials::{self, LongTerm, Session, State};
use crate::error::Error;
use crate::ini::{Document, FileKind, ProfileSet, Properties, Section, SectionName};
use crate::secret::Secret;
use crate::settings::{Layer, Resolver, Settings};
use crate::store;
use crate::sts;
use crate::token::{self, Prompt};

use super::Context;

/// How long to wait for a token command to show a new code for a device that just used one.
const FRESH_CODE_WAIT: Duration = Duration::from_secs(35);

pub fn run(args: &RefreshArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    let texts = Texts::read(ctx)?;
    let files = Files::parse(&texts, ctx)?;
    let profiles = if args.all {
        files.index();
        let found = super::long_term_profiles(&files.credentials, &ctx.naming);
        if found.is_empty() {
            ctx.out.info(&format!(
                "no profile has a [NAME-long-term] section in {}; nothing to refresh",
                ctx.files.credentials.display()
            ));
        }
        found
    } else {
        ctx.profiles_or_default(&args.profiles)
    };
    let mut codes = Codes::default();
    let mut worst = 0;
    for profile in &profiles {
        if let Err(e) = refresh_one(profile, ctx.force, ctx, &files, &mut codes) {
            ctx.out.error(&e);
            worst = worst.max(e.exit_code());
        }
    }
    Ok(worst)
}

/// The text of both files, read once without a lock (a write re-reads under the lock).
pub struct Texts {
    credentials: String,
    config: String,
}

impl Texts {
    pub fn read(ctx: &Context<'_>) -> Result<Texts, Error> {
        Ok(Texts {
            credentials: store::read(&ctx.files.credentials)?.unwrap_or_default(),
            config: store::read(&ctx.files.config)?.unwrap_or_default(),
        })
    }
}

/// Both files, parsed. Commands that look up many profiles call [`Files::index`] first, so
/// that the cost stays linear in the size of the file.
pub struct Files<'t> {
    /// The credentials file's text as first read, which a write is checked against.
    pub credentials_text: &'t str,
    pub credentials: Document<'t>,
    pub config: ProfileSet<'t>,
    sections: OnceCell<Index<'t>>,
}

/// Sections by name: the first one, and for a name that appears again, all of them.
#[derive(Default)]
struct Index<'t> {
    first: HashMap<Cow<'t, str>, Section, Fnv>,
    repeated: HashMap<Cow<'t, str>, Vec<Section>, Fnv>,
    /// Every `[name]` section in file order.
    order: Vec<(Cow<'t, str>, Section)>,
}

/// FNV-1a: a fast hash for the section index (the file is the user's own, so there is no one
/// to mount a collision attack).
#[derive(Clone, Copy, Default)]
pub struct Fnv;

pub struct FnvHasher(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl<'t> Files<'t> {
    pub fn parse(texts: &'t Texts, ctx: &Context<'_>) -> Result<Files<'t>, Error> {
        let credentials = Document::parse(&texts.credentials);
        credentials
            .check()
            .map_err(|e| parse_error(&ctx.files.credentials, e))?;
        let config = Document::parse(&texts.config)
            .view(FileKind::Config)
            .map_err(|e| parse_error(&ctx.files.config, e))?;
        Ok(Files {
            credentials_text: &texts.credentials,
            credentials,
            config,
            sections: OnceCell::new(),
        })
    }

    /// Indexes the credentials file's sections by name, for many lookups.
    pub fn index(&self) {
        self.sections.get_or_init(|| {
            let mut index = Index::default();
            for section in self.credentials.sections() {
                let name = match self.credentials.section_name_text(section) {
                    Cow::Borrowed(raw) => {
                        SectionName::parse(raw).name_if_plain().map(Cow::Borrowed)
                    }
                    Cow::Owned(raw) => SectionName::parse(&raw)
                        .name_if_plain()
                        .map(|n| Cow::Owned(n.to_owned())),
                };
                let Some(name) = name else { continue };
                index.order.push((name.clone(), section));
                match index.first.get(&name) {
                    None => {
                        index.first.insert(name, section);
                    }
                    Some(first) => {
                        let first = *first;
                        index
                            .repeated
                            .entry(name)
                            .or_insert_with(|| vec![first])
                            .push(section);
                    }
                }
            }
            index
        });
    }

    /// Every `[name]` section of the credentials file in file order (after [`Files::index`]).
    pub fn plain_sections(&self) -> &[(Cow<'t, str>, Section)] {
        self.sections.get().map_or(&[], |i| i.order.as_slice())
    }

    /// The properties of a credentials-file section.
    pub fn section(&self, name: &str, path: &Path) -> Result<Option<Properties<'t>>, Error> {
        let found;
        let sections = match self.sections.get() {
            Some(index) => match index.repeated.get(name) {
                Some(all) => Some(all.as_slice()),
                None => index.first.get(name).map(std::slice::from_ref),
            },
            None => {
                found = self
                    .credentials
                    .profile_sections(FileKind::Credentials, name);
                Some(found.as_slice())
            }
        };
        match sections {
            None | Some([]) => Ok(None),
            Some([one]) => Ok(Some(self.credentials.section_properties(*one))),
            Some(many) => Err(Error::Duplicate {
                path: path.to_path_buf(),
                profile: name.to_owned(),
                lines: many.iter().map(|s| s.header + 1).collect(),
            }),
        }
    }
}

fn parse_error(path: &Path, e: crate::ini::ParseError) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: e.line,
        message: e.message,
    }
}

/// Everything known about one profile before deciding.
pub struct Profile<'t> {
    pub name: String,
    pub long_term_section: String,
    pub short_term_section: String,
    pub long_term: Option<Properties<'t>>,
    pub short_term: Option<Properties<'t>>,
    pub settings: Settings,
}

/// Reads and resolves one profile.
pub fn load<'t>(profile: &str, ctx: &Context<'_>, files: &Files<'t>) -> Result<Profile<'t>, Error> {
    let path = ctx.files.credentials.as_path();
    let long_term_section = ctx.naming.long_term(profile);
    let short_term_section = ctx.naming.short_term(profile);
    let long_term = files.section(&long_term_section, path)?;
    if long_term.is_none() {
        // Nothing can be done without the long-term keys; say so before anything else.
        return Err(Error::NoLongTermKeys {
            path: path.to_path_buf(),
            section: long_term_section,
            key: "aws_access_key_id",
            exists: false,
        });
    }
    let short_term = files.section(&short_term_section, path)?;
    let settings = resolve(profile, long_term.as_ref(), ctx, files)?;
    Ok(Profile {
        name: profile.to_owned(),
        long_term_section,
        short_term_section,
        long_term,
        short_term,
        settings,
    })
}

/// Resolves the settings of `profile`, whose long-term section holds `long_term`.
pub fn resolve(
    profile: &str,
    long_term: Option<&Properties<'_>>,
    ctx: &Context<'_>,
    files: &Files<'_>,
) -> Result<Settings, Error> {
    with_resolver(profile, long_term, ctx, files, |r| r.resolve(profile))
}

/// Runs `f` with the settings resolver of `profile`, whose long-term section holds `long_term`.
pub fn with_resolver<T>(
    profile: &str,
    long_term: Option<&Properties<'_>>,
    ctx: &Context<'_>,
    files: &Files<'_>,
    f: impl FnOnce(&Resolver<'_>) -> T,
) -> T {
    let long_term_section = ctx.naming.long_term(profile);
    let config_path = ctx.files.config.as_path();
    let config_layers = [
        Layer {
            prefix: "profile ",
            name: &long_term_section,
            path: config_path,
            props: files.config.profiles.get(long_term_section.as_str()),
        },
        Layer {
            prefix: "profile ",
            name: profile,
            path: config_path,
            props: files.config.profiles.get(profile),
        },
    ];
    let lt_layer = Layer {
        prefix: "",
        name: &long_term_section,
        path: ctx.files.credentials.as_path(),
        props: long_term,
    };
    f(&Resolver {
        flags: &ctx.flags,
        env: ctx.env,
        long_term: &lt_layer,
        config: &config_layers,
    })
}

impl Profile<'_> {
    /// The state of the short-term section now.
    pub fn state(&self, ctx: &Context<'_>) -> State {
        credentials::session_state(
            self.short_term.as_ref(),
            self.settings.role.as_ref().map(|r| r.value.as_str()),
            ctx.now,
            ctx.min_remaining,
        )
    }
}

fn refresh_one(
    name: &str,
    force: bool,
    ctx: &Context<'_>,
    files: &Files<'_>,
    codes: &mut Codes,
) -> Result<(), Error> {
    ensure(name, force, true, ctx, files, codes).map(|_| ())
}

/// Reads the files and makes sure `profile` has a valid session, quietly when it has one: for
/// the commands that hand the session over (`env`, `exec`, `credential-process`).
pub fn session_for(profile: &str, ctx: &Context<'_>) -> Result<Current, Error> {
    let texts = Texts::read(ctx)?;
    let files = Files::parse(&texts, ctx)?;
    ensure(
        profile,
        ctx.force,
        false,
        ctx,
        &files,
        &mut Codes::default(),
    )
}

/// The session a profile has once [`ensure`] is done.
#[derive(Debug)]
pub struct Current {
    pub access_key_id: String,
    pub secret: Secret,
    pub token: Secret,
    pub expiration: DateTime<Utc>,
}

/// Makes sure `name` has a valid session, refreshing it when needed (or when `force`), and
/// returns it. With `announce`, a session that is still valid is reported too.
pub fn ensure(
    name: &str,
    force: bool,
    announce: bool,
    ctx: &Context<'_>,
    files: &Files<'_>,
    codes: &mut Codes,
) -> Result<Current, Error> {
    let profile = load(name, ctx, files)?;
    if ctx.out.is_verbose() {
        for line in profile.settings.describe() {
            ctx.out.detail(&format!("{name}: {line}"));
        }
    }
    let state = profile.state(ctx);
    let path = ctx.files.credentials.as_path();
    if state == State::LongTermKeys {
        return Err(Error::ShortTermHoldsLongTerm {
            path: path.to_path_buf(),
            section: profile.short_term_section.clone(),
            profile: name.to_owned(),
        });
    }
    if let (State::Valid { expires }, false, Some(props)) = (&state, force, &profile.short_term) {
        if announce {
            let when = credentials::describe_expiry(*expires, ctx.now);
            ctx.out.done(name, &format!("valid until {when}"));
        }
        let get = |k: &str| props.get(k).unwrap_or_default().to_owned();
        return Ok(Current {
            access_key_id: get("aws_access_key_id"),
            secret: Secret::new(get("aws_secret_access_key")),
            token: Secret::new(get("aws_session_token")),
            expiration: *expires,
        });
    }
    ctx.out
        .detail(&format!("{name}: refreshing: {}", state.reason()));
    // Before a code is spent: the session must be writable once STS gives it, into a
    // section the AWS CLI reads as this profile.
    files
        .credentials
        .find(FileKind::Credentials, &profile.short_term_section)
        .map_err(|e| Error::edit(path, e))?;
    ctx.check_writable()?;
    let session = new_session(&profile, ctx, codes)?;
    write(&profile, &session, ctx, files)?;
    let when = credentials::describe_expiry(session.expiration, Utc::now());
    let what = match &session.role_arn {
        Some(role) => format!("refreshed as {role}, valid until {when}"),
        None => format!("refreshed, valid until {when}"),
    };
    ctx.out.done(name, &what);
    Ok(Current {
        access_key_id: session.access_key_id,
        secret: session.secret,
        token: session.token,
        expiration: session.expiration,
    })
}

/// Gets a code and calls STS for `profile`.
pub fn new_session(
    profile: &Profile<'_>,
    ctx: &Context<'_>,
    codes: &mut Codes,
) -> Result<Session, Error> {
    let path = ctx.files.credentials.as_path();
    let long_term =
        LongTerm::from_section(profile.long_term.as_ref(), &profile.long_term_section, path)?;
    let s = &profile.settings;
    let code = codes.get(profile, ctx)?;
    let request = sts::Request {
        long_term: &long_term,
        section: &profile.long_term_section,
        region: &s.region.value,
        endpoint: &s.endpoint.value,
        serial: &s.device.value,
        code: &code,
        duration: s.duration.value,
        role: s.role.as_ref().map(|r| sts::Role {
            arn: &r.value,
            session_name: &s.session_name.value,
            external_id: s.external_id.as_ref().map(|e| e.value.as_str()),
        }),
        timeout: ctx.timeout,
    };
    let label = format!("asking STS at {} for {}", s.endpoint.value, profile.name);
    ctx.out.spin(&label, || sts::get_session(&request))
}

/// Writes the session into the short-term section, under the lock, checking again that the
/// section does not hold long-term keys. The long-term section whose keys made the session
/// must still be there as it was read.
fn write(
    profile: &Profile<'_>,
    session: &Session,
    ctx: &Context<'_>,
    files: &Files<'_>,
) -> Result<(), Error> {
    let path = ctx.files.credentials.as_path();
    let section = &profile.short_term_section;
    let baseline = store::Baseline::new(
        Some(files.credentials_text),
        FileKind::Credentials,
        &[&profile.long_term_section],
    );
    let updated = store::update(
        path,
        FileKind::Credentials,
        ctx.lock_timeout,
        &baseline,
        |doc| {
            let edit = |e| Error::edit(path, e);
            let current = doc
                .find(FileKind::Credentials, section)
                .map_err(edit)?
                .map(|s| doc.section_properties(s));
            let has = |k: &str| current.as_ref().is_some_and(|p| p.contains_key(k));
            if has("aws_access_key_id") && !has("aws_session_token") {
                return Err(Error::ShortTermHoldsLongTerm {
                    path: path.to_path_buf(),
                    section: section.clone(),
                    profile: profile.name.clone(),
                });
            }
            let keys = session.keys(has("aws_security_token"));
            let pairs: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (*k, v.as_str())).collect();
            doc.set(FileKind::Credentials, section, &pairs)
                .map_err(edit)?;
            if session.role_arn.is_none() {
                doc.remove_keys(FileKind::Credentials, section, &["assumed_role_arn"])
                    .map_err(edit)?;
            }
            Ok(())
        },
    )?;
    ctx.report(&updated);
    Ok(())
}

/// The codes used so far, per device: AWS rejects a code used twice.
#[derive(Default)]
pub struct Codes {
    used: HashMap<String, String>,
}

impl Codes {
    /// A code for `profile` from the first source that has one (SPEC §4).
    fn get(&mut self, profile: &Profile<'_>, ctx: &Context<'_>) -> Result<String, Error> {
        let device = &profile.settings.device.value;
        let previous = self.used.get(device).cloned();
        let code = match (ctx.token.as_deref(), &profile.settings.token_command) {
            (Some("-"), _) => token::read_stdin()?,
            (Some(code), _) if previous.as_deref() != Some(code) => code.to_owned(),
            (Some(_), _) if ctx.prompt != Prompt::No => {
                self.prompt(profile, previous.is_some(), ctx.prompt)?
            }
            (Some(_), _) => {
                return Err(Error::NeedCode {
                    profile: profile.name.clone(),
                    reused: true,
                });
            }
            (None, Some(command)) => {
                fresh_from_command(&command.value, &profile.name, previous.as_deref(), ctx)?
            }
            (None, None) if ctx.prompt != Prompt::No => {
                self.prompt(profile, previous.is_some(), ctx.prompt)?
            }
            (None, None) => {
                return Err(Error::NeedCode {
                    profile: profile.name.clone(),
                    reused: false,
                });
            }
        };
        self.used.insert(device.clone(), code.clone());
        Ok(code)
    }

    fn prompt(&self, profile: &Profile<'_>, reused: bool, on: Prompt) -> Result<String, Error> {
        let device = &profile.settings.device.value;
        let note = reused.then(|| {
            format!(
                "{} uses the same MFA device as a profile refreshed just now; AWS accepts each \
                 code once, so wait for the next code.",
                profile.name
            )
        });
        token::prompt(&profile.name, device, note.as_deref(), on)
    }
}

/// Runs the token command; when the device's last code is still showing, waits for the next.
fn fresh_from_command(
    command: &str,
    profile: &str,
    previous: Option<&str>,
    ctx: &Context<'_>,
) -> Result<String, Error> {
    let deadline = Instant::now() + FRESH_CODE_WAIT;
    let mut said = false;
    loop {
        let code = token::run_command(command, profile, token::COMMAND_TIMEOUT)?;
        if previous != Some(code.as_str()) {
            return Ok(code);
        }
        if Instant::now() >= deadline {
            return Err(Error::TokenSource {
                source_name: format!("the MFA code command `{command}`"),
                cause: format!(
                    "it showed the same code for {} s; AWS accepts each code once",
                    FRESH_CODE_WAIT.as_secs()
                ),
            });
        }
        if !said {
            ctx.out.info(&format!(
                "{profile}: waiting for the next MFA code (the current one was just used)"
            ));
            said = true;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}
