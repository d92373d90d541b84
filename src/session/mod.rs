//! The session core: everything the commands share. It reads both files once, resolves a
//! profile (settings, the chain to its base), decides whether its session is still good, gets
//! a new one when it is not (a code and GetSessionToken or AssumeRole, or, for a chained role,
//! AssumeRole signed with the base profile's MFA session and no code), and writes every session
//! a run made in one locked write through the store. Commands are thin faces over it.

mod clear;
mod console;
mod context;
mod files;
mod profile;
mod reach;
mod rotate;
mod run;
pub(crate) mod setup;
mod write;

pub(crate) use crate::ini::Properties;
pub(crate) use clear::{clear, long_term_profiles};
pub(crate) use console::console_url;
pub(crate) use context::{Context, Options};
pub(crate) use files::{Files, Texts};
pub(crate) use profile::{config_role_arn_and_base, config_role_base, load, with_resolver};
pub(crate) use rotate::rotate;
pub(crate) use run::{Current, Run, session_for};
pub(crate) use write::{Cleared, forget_entry, write_section};
