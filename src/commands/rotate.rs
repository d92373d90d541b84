//! `stsmfa rotate`: a new long-term access key for the profile's IAM user (the session core
//! does the work, step by step, and says what happened).

use crate::cli::RotateArgs;
use crate::error::Error;
use crate::session;

use super::Context;

pub(super) fn run(args: &RotateArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    let name = ctx.profile_or_default(args.profile.as_ref());
    session::rotate(&name, args.keep_old, ctx)?;
    Ok(0)
}
