//! `stsmfa setup`: writes `[NAME-long-term]` (access key, secret, MFA device, and a duration
//! or region when given), asking only for what is missing. Long-term keys found in `[NAME]`
//! are moved to `[NAME-long-term]` in the same atomic write, after confirmation or `--yes`.

use std::io::Read as _;

use crate::ask::{Failure, Terminal};
use crate::cli::SetupArgs;
use crate::error::{Error, Usage};
use crate::keychain::{self, Place};
use crate::keys;
use crate::secret::{Secret, mask};
use crate::settings::MfaSerial;
use crate::token::Prompt;

use super::Context;
use crate::session::setup::{self, Fix};
use crate::session::{Files, Properties, Texts};

pub(super) fn run(args: &SetupArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    if args.secret_access_key.is_some() {
        return Err(Error::Usage(Usage::SecretOnCommandLine));
    }
    let profile = ctx.profile_or_default(args.profile.as_ref());
    let texts = Texts::read(ctx)?;
    let files = Files::parse(&texts, ctx)?;
    // Before anything is asked: what is typed in must be writable.
    ctx.check_writable()?;
    if let Some(base) = &args.source_profile {
        return chained(&profile, base, ctx, &files);
    }
    let found = setup::find(ctx, &files, &profile)?;
    let (long_section, short_section) = (&found.long_section, &found.short_section);
    let about = keychain::About {
        profile: &profile,
        section: long_section,
    };
    if let Some((fix, _)) = &found.fix {
        let key = |p: &Properties<'_>| p.get(keys::ACCESS_KEY_ID).unwrap_or_default().to_owned();
        let (short_key, long_key) = (key(found.source()), key(&found.existing));
        confirm(
            args,
            ctx,
            *fix,
            (short_section, &short_key),
            (long_section, &long_key),
        )?;
    }
    let key_id = access_key_id(args, ctx, Some(found.source()))?;
    let place = found.place(args.keychain, args.no_keychain);
    let secret = if found.secret_stays(place, &key_id, args.secret_access_key_stdin) {
        None
    } else {
        let from_keychain = found.kept_in_keychain(&key_id).map(|id| {
            move || keychain::read(id).map_err(|f| f.error(keychain::Doing::Read, about, id))
        });
        Some(secret_access_key(
            args,
            ctx,
            Some(found.source()),
            from_keychain,
        )?)
    };
    let in_config = files
        .config
        .profiles
        .get(profile.as_str())
        .and_then(|p| p.get(keys::MFA_SERIAL));
    let device = device(ctx, &found.existing, in_config)?;
    if let (None, Some(serial)) = (&device, in_config) {
        ctx.out.info(&format!(
            "{profile}: the MFA device is {serial}, from mfa_serial in {}",
            ctx.files.config.display()
        ));
    }
    let keys = setup::Keys {
        key_id: &key_id,
        secret: secret.as_ref(),
        place,
        device: device.as_ref().map(|(k, v)| (*k, v.as_str())),
    };
    let changed = setup::save(ctx, &files, &found, about, &keys)?;
    match found.fix.as_ref().map(|(f, _)| f) {
        Some(Fix::Move) => ctx.out.done(
            &profile,
            &format!("moved the long-term keys of [{short_section}] to [{long_section}]"),
        ),
        Some(Fix::Replace) => ctx.out.done(
            &profile,
            &format!(
                "replaced the keys of [{long_section}] with those of [{short_section}], and \
                 removed them from [{short_section}]"
            ),
        ),
        Some(Fix::RemoveCopy) => ctx.out.done(
            &profile,
            &format!("removed the copy of [{long_section}]'s keys from [{short_section}]"),
        ),
        None => {}
    }
    let next = format!("run `stsmfa -p {profile}` to start a session");
    let moved = match (found.kept, place) {
        (Place::Keychain, Place::File) => {
            " (the secret access key is in the file again, out of the OS keychain)".to_owned()
        }
        (_, Place::Keychain) if found.kept != Place::Keychain || changed => format!(
            " (its secret access key is in the OS keychain, service {}, account {}; not in the \
             file)",
            keychain::SERVICE,
            mask(&key_id)
        ),
        _ => String::new(),
    };
    if !changed {
        ctx.out.done(
            &profile,
            &format!("[{long_section}] already says this; {next}"),
        );
    } else {
        ctx.out
            .done(&profile, &format!("saved [{long_section}]{moved}; {next}"));
    }
    Ok(0)
}

fn interactive(ctx: &Context<'_>) -> bool {
    ctx.prompt == Prompt::Terminal
}

/// Asks before long-term keys are taken out of `[short]` (`--yes` answers). Without a
/// terminal and without `--yes`, the section is protected: exit 6, nothing written. A question
/// whose yes destroys a key (`Replace`: the only copy of `[long]`'s secret goes) names the key
/// that goes and defaults to no.
fn confirm(
    args: &SetupArgs,
    ctx: &Context<'_>,
    fix: Fix,
    (short, short_key): (&str, &str),
    (long, long_key): (&str, &str),
) -> Result<(), Error> {
    if args.yes {
        return Ok(());
    }
    let (problem, question, default) = match fix {
        Fix::Move => (
            format!("[{short}] holds long-term keys, which a refresh would overwrite"),
            format!("Move them to [{long}]?"),
            true,
        ),
        Fix::RemoveCopy => (
            format!(
                "[{short}] holds a copy of [{long}]'s long-term keys, which a refresh would \
                 overwrite"
            ),
            format!("Remove the copy from [{short}]?"),
            true,
        ),
        Fix::Replace => (
            format!(
                "[{short}] holds the key {} and [{long}] the key {}; a refresh would overwrite \
                 [{short}]",
                mask(short_key),
                mask(long_key)
            ),
            format!(
                "Replace [{long}]'s key {} with {} (the secret of {} is deleted from the file)?",
                mask(long_key),
                mask(short_key),
                mask(long_key)
            ),
            false,
        ),
    };
    if !interactive(ctx) {
        return Err(Error::Protected {
            message: problem,
            hint: format!("run again with --yes to answer \"{question}\" with yes"),
        });
    }
    let mut terminal = Terminal::stdio().map_err(on_terminal)?;
    terminal.say(&format!("{problem}.")).map_err(on_terminal)?;
    if terminal.confirm(&question, default).map_err(asked)? {
        Ok(())
    } else {
        Err(Error::Protected {
            message: format!("[{short}] still holds long-term keys; nothing was changed"),
            hint: format!("a refresh of this profile needs [{short}] free of long-term keys"),
        })
    }
}

/// Whether `id` looks like a long-term access key id.
fn is_long_term_key_id(id: &str) -> bool {
    id.len() == 20
        && id.starts_with("AKIA")
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Checks a long-term key id taken from `source` (said in the message). The value itself is
/// quoted only when it is plainly a key id gone wrong (AKIA/ASIA and a few letters): anything
/// else may be a secret given in the wrong place, and is not shown.
fn check_key_id(id: &str, source: &str) -> Result<String, Error> {
    let id = id.trim();
    if is_long_term_key_id(id) {
        return Ok(id.to_owned());
    }
    let plainly_a_key_id = (id.starts_with("AKIA") || id.starts_with("ASIA"))
        && id.len() <= 24
        && id.bytes().all(|b| b.is_ascii_alphanumeric());
    Err(Error::Usage(Usage::NotKeyId {
        quoted: plainly_a_key_id.then(|| id.to_owned()),
        source: source.to_owned(),
        session_key: id.starts_with("ASIA"),
    }))
}

fn access_key_id(
    args: &SetupArgs,
    ctx: &Context<'_>,
    from: Option<&Properties<'_>>,
) -> Result<String, Error> {
    if let Some(id) = &args.access_key_id {
        return check_key_id(id, "the value of --access-key-id");
    }
    if let Some(id) = from.and_then(|p| p.get(keys::ACCESS_KEY_ID)) {
        return check_key_id(id, "the aws_access_key_id in the file");
    }
    if !interactive(ctx) {
        return Err(Error::Usage(Usage::Missing {
            what: "access key id",
            how: "give --access-key-id AKIA...",
        }));
    }
    let id = Terminal::stdio()
        .map_err(on_terminal)?
        .ask("AWS access key id", false, |s| {
            if is_long_term_key_id(s) {
                Ok(s.to_owned())
            } else {
                Err("AKIA followed by 16 capital letters and digits".into())
            }
        })
        .map_err(asked)?;
    check_key_id(&id, "the key id typed")
}

/// The secret: from stdin, else from where the section keeps it (the file's line, or the
/// keychain through `kept` when the key id stays), else asked for.
fn secret_access_key(
    args: &SetupArgs,
    ctx: &Context<'_>,
    from: Option<&Properties<'_>>,
    kept: Option<impl FnOnce() -> Result<Secret, Error>>,
) -> Result<Secret, Error> {
    let check = |s: &str| {
        let s = s.trim_end_matches(['\n', '\r']);
        if s.is_empty() || s.contains(char::is_whitespace) {
            Err(Error::Usage(Usage::BadSecret))
        } else {
            Ok(Secret::new(s))
        }
    };
    if args.secret_access_key_stdin {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .map_err(|source| Error::Stdio {
                action: "read stdin",
                source,
            })?;
        return check(&input);
    }
    if let Some(s) = from.and_then(|p| p.get(keys::SECRET_ACCESS_KEY)) {
        return check(s);
    }
    if let Some(read) = kept {
        return read();
    }
    if !interactive(ctx) {
        return Err(Error::Usage(Usage::Missing {
            what: "secret access key",
            how: "pipe it to --secret-access-key-stdin",
        }));
    }
    // Pasted with blanks around it, it is taken (they are dropped); a secret that is not one
    // is asked again.
    let secret = Terminal::stdio()
        .map_err(on_terminal)?
        .ask("AWS secret access key", true, |s| {
            if is_secret_access_key(s) {
                Ok(s.to_owned())
            } else {
                Err("a secret access key is 40 letters, digits, + and /; paste it again".into())
            }
        })
        .map_err(asked)?;
    check(&secret)
}

/// The device key and value to write: the flag or `MFA_DEVICE`, else what the section has;
/// none when the config file's profile has it (`in_config`, checked), else asked for.
fn device(
    ctx: &Context<'_>,
    existing: &Properties<'_>,
    in_config: Option<&str>,
) -> Result<Option<(&'static str, String)>, Error> {
    let given = ctx
        .flags
        .device
        .as_ref()
        .map(MfaSerial::to_string)
        .or_else(|| ctx.env.get("MFA_DEVICE").map(str::to_owned));
    let current = existing
        .get(keys::MFA_DEVICE)
        .map(|d| (keys::MFA_DEVICE, d.to_owned()))
        .or_else(|| {
            existing
                .get(keys::MFA_SERIAL)
                .map(|d| (keys::MFA_SERIAL, d.to_owned()))
        });
    let (key, value) = match (given, current) {
        (Some(d), Some((key, _))) => (key, d),
        (Some(d), None) => (keys::MFA_DEVICE, d),
        (None, Some(kv)) => kv,
        (None, None) if in_config.is_some() => {
            let value = in_config.unwrap_or_default();
            return match value.parse::<MfaSerial>() {
                Ok(_) => Ok(None),
                Err(_) => Err(Error::Usage(Usage::BadDevice {
                    value: value.to_owned(),
                })),
            };
        }
        (None, None) if interactive(ctx) => {
            let d = Terminal::stdio()
                .map_err(on_terminal)?
                .ask(
                    "MFA device ARN (arn:aws:iam::ACCOUNT:mfa/NAME)",
                    false,
                    |s| match s.parse::<MfaSerial>() {
                        Ok(_) => Ok(s.to_owned()),
                        Err(_) => Err("an ARN like arn:aws:iam::123456789012:mfa/NAME, or a \
                                       hardware serial"
                            .into()),
                    },
                )
                .map_err(asked)?;
            (keys::MFA_DEVICE, d.trim().to_owned())
        }
        (None, None) => {
            return Err(Error::Usage(Usage::Missing {
                what: "MFA device",
                how: "give --device arn:aws:iam::ACCOUNT:mfa/NAME (your IAM user's Security \
                      credentials page lists it)",
            }));
        }
    };
    match value.parse::<MfaSerial>() {
        Ok(serial) => Ok(Some((key, serial.to_string()))),
        Err(_) => Err(Error::Usage(Usage::BadDevice { value })),
    }
}

/// `setup NAME --source-profile BASE --assume-role ARN`: a chained role's long-term section,
/// which holds no keys: its sessions are assumed with BASE's MFA session.
fn chained(profile: &str, base: &str, ctx: &Context<'_>, files: &Files<'_>) -> Result<u8, Error> {
    let role = ctx.flags.assume_role.as_ref().ok_or_else(|| {
        Error::Usage(Usage::NoRoleToAssume {
            profile: profile.to_owned(),
            base: base.to_owned(),
        })
    })?;
    let section = ctx.naming.long_term(profile);
    if setup::save_chained(ctx, files, profile, base, role)? {
        ctx.out.done(
            profile,
            &format!(
                "saved [{section}]: {role} via {base}'s session; run `stsmfa -p {profile}` \
                 (no code needed while {base}'s session is valid)"
            ),
        );
    } else {
        ctx.out.done(
            profile,
            &format!("[{section}] already says this; nothing to change"),
        );
    }
    Ok(0)
}

/// A prompt that could not be shown or answered.
fn on_terminal(source: std::io::Error) -> Error {
    Error::Stdio {
        action: "ask on the terminal",
        source,
    }
}

/// A question that got no answer: Ctrl-D cancels, a terminal that fails is said.
fn asked(f: Failure) -> Error {
    match f {
        Failure::Cancelled => Error::Cancelled,
        Failure::Io(e) => on_terminal(e),
    }
}

/// Whether `s` has the shape of a secret access key: 40 characters of base64.
fn is_secret_access_key(s: &str) -> bool {
    s.len() == 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}
