//! How a profile reaches AWS, worked out from its settings into the AWS code's own request
//! types: the network (region, endpoint variants, retries, timeout), the STS URL and the
//! certificates it trusts.

use std::rc::Rc;
use std::time::Duration;

use crate::aws::{self, Network, Trust};
use crate::error::Error;
use crate::settings::Settings;

/// Where and how one profile's calls go, worked out before its code is asked for.
pub(super) struct Reach {
    pub(super) network: Network,
    /// The STS URL: the one the user gave, else the SDK resolver's.
    pub(super) url: String,
    /// Whether the user gave that URL.
    pub(super) given: bool,
    /// The CA bundle's certificates (shared by the profiles that name the same bundle).
    pub(super) trust: Option<Rc<Trust>>,
}

impl Reach {
    /// Works out how `s` reaches AWS with answers bounded by `timeout`; `known` are bundles
    /// already read this run, so that each is read once.
    pub(super) fn new<'k>(
        s: &Settings,
        timeout: Duration,
        known: impl IntoIterator<Item = &'k Rc<Trust>>,
    ) -> Result<Reach, Error> {
        let trust = match &s.network.ca_bundle {
            None => None,
            Some(bundle) => match known.into_iter().find(|t| t.path() == bundle.value) {
                Some(t) => Some(t.clone()),
                None => Some(Rc::new(Trust::load(
                    &bundle.value,
                    &bundle.source.to_string(),
                )?)),
            },
        };
        let url = endpoint_url(s)?;
        aws::check_proxy(&url)?;
        Ok(Reach {
            url,
            given: s.endpoint.is_some(),
            network: network(s, timeout),
            trust,
        })
    }
}

/// The network part of a profile's settings.
fn network(s: &Settings, timeout: Duration) -> Network {
    let net = &s.network;
    Network {
        region: s.region.value.to_string(),
        fips: net.fips.value,
        dual_stack: net.dual_stack.value,
        max_attempts: net.max_attempts.value,
        adaptive: net.adaptive.value,
        timeout,
    }
}

/// The URL STS is asked at: the one the user gave, else the SDK endpoint resolver's answer for
/// the region, FIPS and dual-stack settings.
pub(crate) fn endpoint_url(s: &Settings) -> Result<String, Error> {
    match &s.endpoint {
        Some(e) => Ok(e.value.clone()),
        None => aws::sts_endpoint(&network(s, Duration::ZERO)),
    }
}
