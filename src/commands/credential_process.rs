//! `stsmfa credential-process`: the session as AWS `credential_process` JSON on stdout. The
//! AWS tools run it with stdin and stdout as pipes, so a prompt, when a code is needed, goes to
//! the controlling terminal.

use crate::cli::CredentialProcessArgs;
use crate::credentials::format_expiration;
use crate::error::Error;
use crate::token::{self, Prompt};

use super::Context;
use crate::session;

pub(super) fn run(args: &CredentialProcessArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    let mut ctx = ctx.clone();
    ctx.prompt = if !ctx.no_input && token::tty_available() {
        Prompt::Tty
    } else {
        Prompt::No
    };
    crate::keychain::may_ask(ctx.prompt != Prompt::No);
    let profile = ctx.profile_or_default(args.profile.as_ref());
    let current = session::session_for(&profile, &ctx)?;
    let json = serde_json::json!({
        "Version": 1,
        "AccessKeyId": current.access_key_id,
        "SecretAccessKey": current.secret.expose(),
        "SessionToken": current.token.expose(),
        "Expiration": format_expiration(current.expiration),
    });
    ctx.out.print(&format!("{json}\n"))?;
    Ok(0)
}
