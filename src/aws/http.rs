//! The HTTP side of every AWS client: the SDK's connector with the proxy from the environment
//! and the trusted certificates, its timeouts and its retry strategy.

use std::time::Duration;

use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::timeout::TimeoutConfig;
use aws_sdk_sts::config::{RuntimeComponents, SharedHttpClient};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority, RetryReason,
};
use aws_smithy_types::retry::ErrorKind;

use super::Network;
use crate::error::{Error, Usage};

/// Connect timeout (SPEC §7); the read timeout is `--timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The PEM certificates of a CA bundle, each one the TLS library takes.
#[derive(Clone, Debug)]
pub(crate) struct Trust {
    path: String,
    pem: Vec<u8>,
}

impl Trust {
    /// Reads the CA bundle at `path` (set by `source`, SPEC §2): every certificate the TLS library can use is
    /// kept; a file that cannot be read or holds no usable certificate is an error naming it.
    pub(crate) fn load(path: &str, source: &str) -> Result<Trust, Error> {
        let bad = |why: String| {
            Error::Usage(Usage::CaBundle {
                path: path.to_owned(),
                source: source.to_owned(),
                why,
            })
        };
        let bytes = std::fs::read(path)
            .map_err(|e| bad(format!("cannot be read: {}", crate::error::plain(&e))))?;
        let text = String::from_utf8_lossy(&bytes);
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        let mut pem = Vec::new();
        let mut rest = text.as_ref();
        while let Some(start) = rest.find(BEGIN) {
            let Some(len) = rest[start..].find(END) else {
                break;
            };
            let block = &rest[start..start + len + END.len()];
            rest = &rest[start + len + END.len()..];
            if usable(block.as_bytes()) {
                pem.extend_from_slice(block.as_bytes());
                pem.push(b'\n');
            }
        }
        if pem.is_empty() {
            return Err(bad("holds no certificate that can be used".into()));
        }
        Ok(Trust {
            path: path.to_owned(),
            pem,
        })
    }

    /// The bundle's path, as given.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }
}

/// Whether one PEM certificate is one rustls takes as a trust anchor (the client's loader
/// would stop the process on one it does not).
fn usable(block: &[u8]) -> bool {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject as _;
    CertificateDer::from_pem_slice(block)
        .is_ok_and(|der| rustls::RootCertStore::empty().add(der).is_ok())
}

/// The SDK's HTTP connector with the proxy from the environment (`HTTPS_PROXY`, `HTTP_PROXY`,
/// `ALL_PROXY`, `NO_PROXY`, either case) and the trusted certificates: the system's, or the CA
/// bundle's instead. The connector is made once and shared by every call of a run (the
/// settings, timeouts among them, are the same for all of them).
#[derive(Debug)]
struct Http {
    tls: TlsContext,
    connector: std::sync::OnceLock<SharedHttpConnector>,
}

impl HttpClient for Http {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.connector
            .get_or_init(|| connector(&self.tls, settings, components.sleep_impl()))
            .clone()
    }
}

/// The SDK's connector with the proxy from the environment and `tls`.
fn connector(
    tls: &TlsContext,
    settings: &HttpConnectorSettings,
    sleep: Option<aws_sdk_sts::config::SharedAsyncSleep>,
) -> SharedHttpConnector {
    let mut builder =
        aws_smithy_http_client::Connector::builder().connector_settings(settings.clone());
    if proxy_in_env() {
        builder = builder.proxy_config(ProxyConfig::from_env());
    }
    builder.set_sleep_impl(sleep);
    SharedHttpConnector::new(
        builder
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ))
            .tls_context(tls.clone())
            .build(),
    )
}

/// Checks that the proxy the environment names for `url`, if any, is one the HTTP client can
/// use: an HTTP proxy (`http://`, or `https://` to reach it over TLS). A SOCKS proxy is a
/// configuration error, said before any code is asked for (the client would fail to connect).
pub(crate) fn check_proxy(url: &str) -> Result<(), Error> {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return Ok(());
    };
    let Some(intercept) = hyper_util::client::proxy::matcher::Matcher::from_env().intercept(&uri)
    else {
        return Ok(());
    };
    let scheme = intercept.uri().scheme_str().unwrap_or("http").to_owned();
    if scheme == "http" || scheme == "https" {
        return Ok(());
    }
    let variable = [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .into_iter()
    .find(|v| {
        std::env::var(v).is_ok_and(|x| {
            x.trim()
                .to_ascii_lowercase()
                .starts_with(&format!("{scheme}://"))
        })
    })
    .unwrap_or("ALL_PROXY");
    let host = intercept
        .uri()
        .authority()
        .map_or("", |a| a.as_str().rsplit('@').next().unwrap_or(""))
        .to_owned();
    Err(Error::Usage(Usage::ProxyScheme {
        variable,
        proxy: format!("{scheme}://{host}"),
    }))
}

/// Whether the environment names a proxy (the proxy layer is left out otherwise).
fn proxy_in_env() -> bool {
    ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"].iter().any(|v| {
        [v.to_string(), v.to_lowercase()]
            .iter()
            .any(|n| std::env::var_os(n).is_some_and(|x| !x.is_empty()))
    })
}

/// The HTTP client for requests that trust `trust` (else the system's certificates).
pub(super) fn http_client(trust: Option<&Trust>) -> Result<SharedHttpClient, Error> {
    Ok(SharedHttpClient::new(Http {
        tls: tls_context(trust)?,
        connector: std::sync::OnceLock::new(),
    }))
}

/// A connector of its own, for a plain HTTP request that is no SDK call (the console's
/// sign-in endpoint), with the same proxy, certificates and timeouts as the SDK calls.
pub(super) fn plain_connector(
    trust: Option<&Trust>,
    timeout: Duration,
) -> Result<SharedHttpConnector, Error> {
    let settings = HttpConnectorSettings::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .read_timeout(timeout)
        .build();
    Ok(connector(&tls_context(trust)?, &settings, None))
}

/// The certificates trusted: the system's, or the CA bundle's instead.
fn tls_context(trust: Option<&Trust>) -> Result<TlsContext, Error> {
    let store = match trust {
        Some(t) => TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(t.pem.clone()),
        None => TrustStore::default(),
    };
    TlsContext::builder()
        .with_trust_store(store)
        .build()
        .map_err(|e| Error::Internal(format!("cannot set up TLS: {e}")))
}

/// Connect and read timeouts (SPEC §7), for every AWS client: `timeout` bounds the whole wait
/// for an answer, every attempt included.
pub(super) fn timeouts(timeout: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .read_timeout(timeout)
        .operation_timeout(timeout)
        .build()
}

/// The retry rule of a call that carries an MFA code (SPEC §7): STS takes a code once, so such
/// a call is sent again only when the attempt never reached STS (a failure to connect) or STS
/// asked to slow down (throttling, which it answers before looking at the code). Runs after
/// the SDK's own classifiers and forbids every other retry they ask for.
#[derive(Debug)]
pub(super) struct OneSend;

impl ClassifyRetry for OneSend {
    fn classify_retry(&self, _: &InterceptorContext) -> RetryAction {
        RetryAction::NoActionIndicated
    }

    fn classify_retry_v2(&self, ctx: &InterceptorContext, previous: &RetryAction) -> RetryAction {
        let RetryAction::RetryIndicated(RetryReason::RetryableError { kind, .. }) = previous else {
            return RetryAction::NoActionIndicated;
        };
        let never_sent = match ctx.output_or_error() {
            Some(Err(e)) => e.as_connector_error().is_some_and(|c| failed_to_connect(c)),
            _ => false,
        };
        if never_sent || (*kind == ErrorKind::ThrottlingError && ctx.response().is_some()) {
            RetryAction::NoActionIndicated
        } else {
            RetryAction::RetryForbidden
        }
    }

    fn name(&self) -> &'static str {
        "one send per MFA code"
    }

    fn priority(&self) -> RetryClassifierPriority {
        // After the transient-error classifier, the last of the SDK's.
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// Whether an HTTP failure happened before the request went out: the connection (name lookup,
/// TCP, a proxy's tunnel, TLS) could not be made, or timed out being made.
pub(super) fn failed_to_connect(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(e);
    while let Some(err) = current {
        if err
            .downcast_ref::<hyper_util::client::legacy::Error>()
            .is_some_and(hyper_util::client::legacy::Error::is_connect)
        {
            return true;
        }
        current = err.source();
    }
    false
}

/// The SDK's retry strategy as set up (SPEC §2), for every AWS client.
pub(super) fn retries(net: &Network) -> RetryConfig {
    if net.adaptive {
        RetryConfig::adaptive()
    } else {
        RetryConfig::standard()
    }
    .with_max_attempts(net.max_attempts)
}

/// The innermost cause of an error, which is the part that says what happened
/// ("Connection refused", "failed to lookup address information").
pub(super) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    let text = current.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}
