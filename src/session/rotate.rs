//! Rotating a long-term key (`stsmfa rotate`): a new access key for the profile's IAM user,
//! written where the old one was, checked, then the old one deleted (or deactivated). IAM
//! refuses session credentials made without MFA, so the calls are signed with the profile's
//! MFA session. At every step a working key is in the file (or in the OS keychain, when the
//! profile keeps its secret there), and a failure says which keys exist in AWS.

use std::time::{Duration, Instant};

use super::context::Context;
use super::reach::Reach;
use super::run::ensure_one;
use super::write::put_key_back;
use super::{Files, Texts, forget_entry, load, write_section};
use crate::aws::Signer;
use crate::aws::iam::{Aws, Key, NewKey};
use crate::credentials::LongTerm;
use crate::error::{Error, Usage};
use crate::ini::Read as _;
use crate::keychain::{self, Place};
use crate::keys;
use crate::secret::mask;
use crate::store;

/// How many times the new key is written again when another program wrote the old text back.
const WRITE_AGAIN: usize = 2;

/// Rotates the long-term key of `name` (see the module docs); with `keep_old`, the old key is
/// made inactive instead of deleted. Says what happened as it goes.
pub(crate) fn rotate(name: &str, keep_old: bool, ctx: &Context<'_>) -> Result<(), Error> {
    let name = name.to_owned();
    let texts = Texts::read(ctx)?;
    let files = Files::parse(&texts, ctx)?;
    let profile = load(&name, ctx, &files)?;
    let section = profile.long_term_section.clone();
    if let Some(base) = profile.base() {
        return Err(Error::Usage(Usage::RotateChained {
            profile: name,
            base: base.to_owned(),
        }));
    }
    if profile.settings.role.is_some() {
        return Err(Error::Usage(Usage::RotateRole { profile: name }));
    }
    let path = ctx.files.credentials.as_path();
    let old = LongTerm::from_section(profile.long_term.as_ref(), &name, &section, path)?;
    refuse_a_shared_key(&files, &name, &section, &old)?;
    // The MFA session: the valid one in [NAME], else a new one (a code), written as usual.
    let current = ensure_one(&name, ctx, &files)?;

    let s = &profile.settings;
    let reach = Reach::new(s, ctx.timeout, [])?;
    // IAM's endpoint as the AWS CLI reads it; else the SDK's resolver chooses.
    let iam_url = ["AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|v| ctx.env.get(v))
        .map(str::to_owned);
    let aws = Aws::new(
        &reach.network,
        &reach.url,
        reach.given,
        iam_url,
        reach.trust.as_deref(),
    )?;
    let session = Signer {
        access_key_id: &current.access_key_id,
        secret: &current.secret,
        token: Some(&current.token),
    };
    let long_term = Signer {
        access_key_id: &old.access_key_id,
        secret: &old.secret,
        token: None,
    };
    let user = aws.user_of(&long_term)?;
    ctx.out
        .detail(&format!("{name}: the key belongs to the IAM user {user}"));
    let keys = aws.keys(&session, &user)?;
    refuse_a_third_key(&keys, &user, (&name, &section), &old)?;
    let new = aws.create(&session, &user)?;
    let rotation = Rotation {
        ctx,
        aws: &aws,
        session: &session,
        user: &user,
        name: &name,
        section: &section,
        old: &old,
        new: &new,
    };
    let created = crate::credentials::format_expiration(new.created);
    let pairs = rotation.pairs(&created);
    rotation.write_new(files.credentials_text, &pairs)?;
    rotation.confirm(&pairs)?;
    rotation.retire(keep_old)
}

/// A rotation under way: the profile and its section, the old key and the new one, and IAM
/// reached as the key's user with the profile's MFA session.
struct Rotation<'r, 'a> {
    ctx: &'r Context<'a>,
    aws: &'r Aws<'r>,
    session: &'r Signer<'r>,
    user: &'r str,
    name: &'r str,
    section: &'r str,
    old: &'r LongTerm,
    new: &'r NewKey,
}

impl<'r> Rotation<'r, '_> {
    /// Whether the profile keeps its secret in the OS keychain (the new one goes there too).
    fn in_keychain(&self) -> bool {
        self.old.place == Place::Keychain
    }

    fn about(&self) -> keychain::About<'r> {
        keychain::About {
            profile: self.name,
            section: self.section,
        }
    }

    /// What the section gets: the new key id, its secret unless the keychain keeps it, and
    /// when it was made.
    fn pairs<'p>(&'p self, created: &'p str) -> Vec<(&'static str, &'p str)> {
        let mut pairs = vec![
            (keys::ACCESS_KEY_ID, self.new.id.as_str()),
            (keys::KEY_CREATED, created),
        ];
        if !self.in_keychain() {
            pairs.insert(1, (keys::SECRET_ACCESS_KEY, self.new.secret.expose()));
        }
        pairs
    }

    /// Writes the new key where the old one was (the secret into the keychain first, when it
    /// lives there); on failure the new key is taken back.
    fn write_new(&self, first: &str, pairs: &[(&str, &str)]) -> Result<(), Error> {
        let (ctx, section, new) = (self.ctx, self.section, self.new);
        if self.in_keychain() {
            // The keychain has the new secret (and gave it back) before the file names the key.
            keychain::store(&new.id, &new.secret)
                .map_err(|f| self.undo(f.error(keychain::Doing::Store, self.about(), &new.id)))?;
        }
        let relied = [section];
        write_section(ctx, Some(first), &relied, section, pairs).map_err(|e| self.undo(e))?;
        ctx.out.detail(&format!(
            "{}: wrote the new key {} into [{section}]",
            self.name,
            mask(&new.id)
        ));
        Ok(())
    }

    /// Takes the new key back (and its keychain entry) when it cannot be written down, so that
    /// only the old one exists; says so.
    fn undo(&self, e: Error) -> Error {
        let (section, new, old) = (self.section, self.new, self.old);
        if self.in_keychain() {
            let _ = keychain::delete(&new.id);
        }
        let undone = self.aws.delete(self.session, self.user, &new.id).is_ok();
        self.ctx.out.warn(&format!(
            "{}: the new key {} could not be written; {}",
            self.name,
            mask(&new.id),
            if undone {
                format!(
                    "it was deleted again, and [{section}] still holds {}, which works",
                    mask(&old.access_key_id)
                )
            } else {
                format!(
                    "it still exists in AWS (delete it in IAM); [{section}] still holds {}",
                    mask(&old.access_key_id)
                )
            }
        ));
        e
    }

    /// The new key must work, and the file must keep it, before the old one goes; else the
    /// old key is put back ([`give_back`]).
    fn confirm(&self, pairs: &[(&str, &str)]) -> Result<(), Error> {
        let (ctx, section, new) = (self.ctx, self.section, self.new);
        let fresh = Signer {
            access_key_id: &new.id,
            secret: &new.secret,
            token: None,
        };
        let give_up = |why: String| {
            give_back(
                ctx,
                (self.aws, self.session, self.user),
                section,
                self.old,
                &new.id,
                &why,
            )
        };
        let started = Instant::now();
        while !self.aws.works(&fresh) {
            if started.elapsed() > ctx.timeouts.propagation {
                return Err(give_up(format!(
                    "the new key {} did not work within {} s",
                    mask(&new.id),
                    ctx.timeouts.propagation.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        // Another program that read the file before the write may have written its old text
        // back since: the old key goes only once the file, read again, holds the new one.
        let secret_in_file = (!self.in_keychain()).then_some(&new.secret);
        let mut written_again = 0;
        while !file_holds(ctx, section, &new.id, secret_in_file)? {
            if written_again == WRITE_AGAIN {
                return Err(give_up(format!(
                    "another program kept writing [{section}] back without the new key {}",
                    mask(&new.id)
                )));
            }
            ctx.out.warn(&format!(
                "{}: another program wrote [{section}] back without the new key {}; writing it \
                 again",
                self.name,
                mask(&new.id)
            ));
            write_section(ctx, None, &[], section, pairs)?;
            written_again += 1;
        }
        Ok(())
    }

    /// Deletes the old key (deactivates it with `keep_old`) and says what was done.
    fn retire(&self, keep_old: bool) -> Result<(), Error> {
        let (ctx, section, new, old) = (self.ctx, self.section, self.new, self.old);
        let retired = if keep_old {
            self.aws
                .deactivate(self.session, self.user, &old.access_key_id)
                .map(|()| "deactivated")
        } else {
            self.aws
                .delete(self.session, self.user, &old.access_key_id)
                .map(|()| "deleted")
        };
        if self.in_keychain() && retired.is_ok() {
            forget_entry(ctx, self.about(), &old.access_key_id);
        }
        match retired {
            Ok(how) => {
                ctx.out.done(
                    self.name,
                    &format!(
                        "rotated: [{section}] holds the new key {}; the old key {} was {how}",
                        mask(&new.id),
                        mask(&old.access_key_id)
                    ),
                );
                Ok(())
            }
            Err(e) => {
                ctx.out.warn(&format!(
                    "{}: [{section}] holds the new key {}, which works; the old key {} still \
                     exists and is active in AWS",
                    self.name,
                    mask(&new.id),
                    mask(&old.access_key_id)
                ));
                Err(e)
            }
        }
    }
}

/// Whether `section` of the credentials file, read again now, holds the key `id` (and, when
/// given, its secret).
fn file_holds(
    ctx: &Context<'_>,
    section: &str,
    id: &str,
    secret: Option<&crate::secret::Secret>,
) -> Result<bool, Error> {
    let texts = Texts::read(ctx)?;
    let files = Files::parse(&texts, ctx)?;
    let props = files.section(section, &ctx.files.credentials)?;
    Ok(props.is_some_and(|p| {
        p.get(keys::ACCESS_KEY_ID) == Some(id)
            && secret.is_none_or(|s| p.get(keys::SECRET_ACCESS_KEY) == Some(s.expose()))
    }))
}

/// Another section holding the same key would be left with a deleted one: refused, naming
/// them, before a code is spent.
fn refuse_a_shared_key(
    files: &Files<'_>,
    name: &str,
    section: &str,
    old: &LongTerm,
) -> Result<(), Error> {
    let sharing: Vec<String> = files
        .plain_sections()
        .iter()
        .filter(|(other, _)| *other != section)
        .filter(|(_, s)| {
            files
                .credentials
                .section_properties(*s)
                .get(keys::ACCESS_KEY_ID)
                == Some(old.access_key_id.as_str())
        })
        .map(|(other, _)| format!("[{other}]"))
        .collect();
    if !sharing.is_empty() {
        return Err(Error::Protected {
            message: format!(
                "the key {} of [{section}] is also in {}, which rotating it here would leave \
                 with a deleted key; nothing was changed",
                mask(&old.access_key_id),
                sharing.join(", ")
            ),
            hint: format!(
                "keep one copy: remove the key from {} (or make those profiles use {name}), \
                 then rotate again",
                sharing.join(", ")
            ),
        });
    }
    Ok(())
}

/// IAM allows a user two access keys: with two already, a new one cannot be made; refused,
/// naming both (the other in full: key ids are not secrets, and the command to delete it is
/// then one to copy).
fn refuse_a_third_key(
    keys: &[Key],
    user: &str,
    (profile, section): (&str, &str),
    old: &LongTerm,
) -> Result<(), Error> {
    if keys.len() >= 2 {
        let others: Vec<&Key> = keys.iter().filter(|k| k.id != old.access_key_id).collect();
        let listed: Vec<String> = others
            .iter()
            .map(|k| {
                format!(
                    "{} ({})",
                    k.id,
                    if k.active { "active" } else { "inactive" }
                )
            })
            .collect();
        let delete = match others.as_slice() {
            [other] => format!(
                "aws iam delete-access-key --user-name {user} --access-key-id {}",
                other.id
            ),
            _ => format!("aws iam delete-access-key --user-name {user} --access-key-id KEY_ID"),
        };
        // The profile's MFA session: a policy that asks for MFA lets it delete keys.
        let delete = format!("{delete} --profile {profile}");
        return Err(Error::Aws {
            message: format!(
                "{user} has two access keys already (the limit): {} in [{section}], and {}",
                mask(&old.access_key_id),
                listed.join(", ")
            ),
            hint: format!("delete the one [{section}] does not hold, then rotate again: {delete}"),
        });
    }
    Ok(())
}

/// The new key never worked, or the file would not keep it (`why`): the old key (which still
/// exists and works) goes back into the file, and the new one is deleted when IAM lets it be. Says which keys exist where.
fn give_back(
    ctx: &Context<'_>,
    (aws, session, user): (&Aws<'_>, &Signer<'_>, &str),
    section: &str,
    old: &LongTerm,
    new_id: &str,
    why: &str,
) -> Error {
    let restored = store::read(&ctx.files.credentials, ctx.timeouts.settle).and_then(|now| {
        let mut pairs = vec![(keys::ACCESS_KEY_ID, old.access_key_id.as_str())];
        if old.place != Place::Keychain {
            pairs.push((keys::SECRET_ACCESS_KEY, old.secret.expose()));
        }
        put_key_back(ctx, &now.unwrap_or_default(), section, &pairs)
    });
    let in_file = match &restored {
        Ok(_) => format!(
            "[{section}] holds the old key {} again, which works",
            mask(&old.access_key_id)
        ),
        Err(e) => format!(
            "[{section}] still holds the new key (putting the old one {} back failed: {e})",
            mask(&old.access_key_id)
        ),
    };
    if restored.is_ok() && old.place == Place::Keychain {
        let _ = keychain::delete(new_id);
    }
    let new_key = if restored.is_ok() && aws.delete(session, user, new_id).is_ok() {
        format!("the new key {} was deleted", mask(new_id))
    } else {
        format!("the new key {} still exists in AWS", mask(new_id))
    };
    Error::Aws {
        message: format!("{why}; {in_file}; {new_key}"),
        hint: "run `stsmfa rotate` again later (IAM may be slow to spread a new key)".into(),
    }
}
