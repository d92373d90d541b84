//! A console sign-in URL for a profile's role session (SPEC §3): the profile must be a role
//! (assumed with its own keys, chained, or from the config file), its session is made good as
//! for `exec`, and the sign-in endpoint of its partition turns it into a sign-in token.

use super::context::Context;
use super::files::{Files, Texts};
use super::profile::load;
use super::reach::Reach;
use super::run::ensure_one;
use crate::aws::{Signer, signin};
use crate::error::{Error, Usage};
use crate::secret::Secret;

/// The longest console session the endpoint gives for a role session (12 hours), and the
/// shortest (15 minutes).
const SESSION_DURATION: std::ops::RangeInclusive<i64> = 900..=43_200;

/// Signs `name`'s role session in to the console and returns the login URL (a secret: it
/// holds the sign-in token), which goes to `destination`, else the console home of the
/// profile's region.
pub(crate) fn console_url(
    name: &str,
    destination: Option<&str>,
    ctx: &Context<'_>,
) -> Result<Secret, Error> {
    let texts = Texts::read(ctx)?;
    let files = Files::parse(&texts, ctx)?;
    let profile = load(name, ctx, &files)?;
    if profile.settings.role.is_none() {
        return Err(Error::Usage(Usage::ConsoleNeedsRole {
            profile: name.to_owned(),
        }));
    }
    let region = profile.settings.region.value.to_string();
    let endpoint =
        signin::endpoint(&region, ctx.env.get("AWS_ENDPOINT_URL_SIGNIN")).ok_or_else(|| {
            Error::Usage(Usage::NoConsole {
                region: region.clone(),
            })
        })?;
    let destination = destination.map_or_else(|| signin::console_home(&region), str::to_owned);
    let reach = Reach::new(&profile.settings, ctx.timeout, [])?;
    crate::aws::check_proxy(&endpoint)?;
    let current = ensure_one(name, ctx, &files)?;
    // A chained role's session takes no SessionDuration: its console session lasts as long as
    // the role session. One assumed with long-term keys lasts as long as it has left.
    let duration = match profile.base() {
        Some(_) => None,
        None => {
            let left = (current.expiration - ctx.now).num_seconds();
            u32::try_from(left.clamp(*SESSION_DURATION.start(), *SESSION_DURATION.end())).ok()
        }
    };
    ctx.out.detail(&format!(
        "{name}: asking the console sign-in endpoint at {endpoint}/federation for a sign-in token"
    ));
    let (network, trust) = (&reach.network, reach.trust.as_deref());
    let token = ctx
        .out
        .spin(&format!("signing {name} in to the console"), || {
            signin::signin_token(&signin::TokenRequest {
                endpoint: &endpoint,
                session: Signer {
                    access_key_id: &current.access_key_id,
                    secret: &current.secret,
                    token: Some(&current.token),
                },
                duration,
                network,
                trust,
            })
        })?;
    Ok(signin::login_url(&endpoint, &destination, &token))
}
