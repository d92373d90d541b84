//! `stsmfa clear`: removes session keys from short-term sections, and a section only when
//! nothing else is left in it. All named profiles change in one locked, atomic write.

use crate::cli::ClearArgs;
use crate::error::{Error, Usage};
use crate::session::{self, Cleared};

use super::Context;

pub(super) fn run(args: &ClearArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    if args.all && !ctx.naming.has_long_term_suffix() {
        return Err(Error::Usage(Usage::AllWithoutSuffix));
    }
    let named = (!args.all).then(|| ctx.profiles_or_default(&args.profiles));
    let path = ctx.files.credentials.as_path();
    let results = session::clear(ctx, named.as_deref())?;
    if results.is_empty() {
        ctx.out.info(&format!(
            "no profile has a [NAME-long-term] section in {}; nothing to clear",
            path.display()
        ));
    }
    let mut code = 0;
    for (profile, result) in results {
        match result {
            Ok(Cleared::Done {
                section,
                keys,
                section_removed,
            }) => {
                ctx.out.detail(&format!(
                    "removed {} from [{section}] in {}",
                    keys.join(", "),
                    path.display()
                ));
                let what = if section_removed {
                    format!("session cleared; [{section}] removed, nothing else was in it")
                } else {
                    format!("session cleared; [{section}] kept for the other lines in it")
                };
                ctx.out.done(&profile, &what);
            }
            Ok(Cleared::NoSession { section, exists }) => {
                let what = if exists {
                    format!("[{section}] holds no session; already clear")
                } else {
                    format!(
                        "there is no [{section}] in {}; already clear",
                        path.display()
                    )
                };
                ctx.out.done(&profile, &what);
            }
            Err(e) => {
                ctx.out.error(&e);
                code = code.max(e.exit_code());
            }
        }
    }
    Ok(code)
}
