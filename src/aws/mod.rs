//! The only code that talks to AWS, and the only async code. It knows nothing of settings:
//! the session core hands it requests of its own types (a [`Network`], a [`Signer`], the
//! URL). The official SDK does the work as it does for the AWS CLI: its endpoint resolver
//! (partitions, FIPS, dual-stack), its retry strategy, its HTTP client with the proxy from the
//! environment and the trusted certificates of a CA bundle (`http.rs`). Calls use static
//! credentials and an explicit region, so nothing is looked up and nothing but the request
//! goes over the network; a current-thread runtime is built only when a call is needed.
//! `sts.rs` gets sessions, `iam.rs` rotates keys.

mod http;
pub(crate) mod iam;
pub(crate) mod signin;
pub(crate) mod sts;

use std::time::Duration;

use aws_sdk_sts::config::Credentials;
use aws_sdk_sts::config::endpoint::{Params, ResolveEndpoint as _};

use crate::error::{Error, Usage};
use crate::secret::Secret;
pub(crate) use http::{Trust, check_proxy};

/// How a profile's calls reach AWS (SPEC §2, §7).
#[derive(Clone, Debug)]
pub(crate) struct Network {
    pub region: String,
    pub fips: bool,
    pub dual_stack: bool,
    /// Attempts per call, the first one included.
    pub max_attempts: u32,
    /// `retry_mode = adaptive` (client-side rate limiting on top of the standard retries).
    pub adaptive: bool,
    /// How long an answer may take (`--timeout`).
    pub timeout: Duration,
}

/// The credentials a call is signed with.
#[derive(Debug)]
pub(crate) struct Signer<'a> {
    pub access_key_id: &'a str,
    pub secret: &'a Secret,
    pub token: Option<&'a Secret>,
}

impl Signer<'_> {
    /// The SDK's static credentials for this signer.
    fn credentials(&self) -> Credentials {
        Credentials::new(
            self.access_key_id,
            self.secret.expose(),
            self.token.map(|t| t.expose().to_owned()),
            None,
            "stsmfa",
        )
    }
}

/// The current-thread runtime a call runs on, made only when a call is needed.
fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Stdio {
            action: "start the async runtime",
            source,
        })
}

/// The STS URL the SDK's endpoint resolver gives for the network's region and endpoint
/// variants; a region with no such endpoint is a usage error.
pub(crate) fn sts_endpoint(net: &Network) -> Result<String, Error> {
    resolve(&net.region, net.fips, net.dual_stack).map_err(|why| {
        let variant = match (net.fips, net.dual_stack) {
            (true, true) => " with FIPS and dual-stack",
            (true, false) => " with FIPS",
            (false, true) => " with dual-stack",
            (false, false) => "",
        };
        Error::Usage(Usage::NoEndpoint {
            region: net.region.clone(),
            variant,
            why,
        })
    })
}

/// The SDK endpoint resolver's URL for a region and endpoint variant.
fn resolve(region: &str, fips: bool, dual_stack: bool) -> Result<String, String> {
    let params = Params::builder()
        .region(region)
        .use_fips(fips)
        .use_dual_stack(dual_stack)
        .build()
        .map_err(|e| e.to_string())?;
    let resolver = aws_sdk_sts::config::endpoint::DefaultResolver::new();
    match futures_util::FutureExt::now_or_never(resolver.resolve_endpoint(&params)) {
        Some(Ok(endpoint)) => Ok(endpoint.url().to_owned()),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("the resolver did not answer".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_the_sdk_resolvers_for_every_partition_and_variant() {
        let cases = [
            (
                "eu-west-1",
                false,
                false,
                "https://sts.eu-west-1.amazonaws.com",
            ),
            (
                "us-east-1",
                false,
                false,
                "https://sts.us-east-1.amazonaws.com",
            ),
            (
                "cn-north-1",
                false,
                false,
                "https://sts.cn-north-1.amazonaws.com.cn",
            ),
            (
                "us-gov-west-1",
                false,
                false,
                "https://sts.us-gov-west-1.amazonaws.com",
            ),
            (
                "us-east-1",
                true,
                false,
                "https://sts-fips.us-east-1.amazonaws.com",
            ),
            ("us-east-1", false, true, "https://sts.us-east-1.api.aws"),
            (
                "us-east-1",
                true,
                true,
                "https://sts-fips.us-east-1.api.aws",
            ),
            (
                "us-iso-east-1",
                false,
                false,
                "https://sts.us-iso-east-1.c2s.ic.gov",
            ),
            (
                "us-isob-east-1",
                false,
                false,
                "https://sts.us-isob-east-1.sc2s.sgov.gov",
            ),
        ];
        for (region, fips, dual, url) in cases {
            assert_eq!(
                resolve(region, fips, dual).as_deref(),
                Ok(url),
                "{region} {fips} {dual}"
            );
        }
    }
}
