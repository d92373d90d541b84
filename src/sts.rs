//! The only code that talks to AWS, and the only async code: one STS call (GetSessionToken or
//! AssumeRole) with the official SDK, static credentials and an explicit region, so nothing is
//! looked up and nothing but the request goes over the network. The SDK's own pieces do the
//! rest as they do for the AWS CLI: its endpoint resolver (partitions, FIPS, dual-stack), its
//! standard retry strategy, its HTTP client with the proxy from the environment and the trusted
//! certificates of a CA bundle. A current-thread runtime is built here, only when a call is
//! needed. STS answers are translated into errors that say what to do (SPEC §7).

use std::time::Duration;

use aws_sdk_sts::config::endpoint::{Params, ResolveEndpoint as _};
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::timeout::TimeoutConfig;
use aws_sdk_sts::config::{
    BehaviorVersion, Credentials, Region, RuntimeComponents, SharedHttpClient,
};
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpConnector,
};
use chrono::{DateTime, Utc};

use crate::credentials::{LongTerm, Session};
use crate::error::{Error, Refusal, Refused, Usage};
use crate::secret::Secret;
use crate::settings::{Network, Setting, Settings};

/// Connect timeout (SPEC §7); the read timeout is `--timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The URL STS is asked at: the one the user gave, else the SDK endpoint resolver's answer for
/// the region, FIPS and dual-stack settings.
pub fn endpoint_url(settings: &Settings) -> Result<String, Error> {
    if let Some(e) = &settings.endpoint {
        return Ok(e.value.clone());
    }
    let net = &settings.network;
    let region = &settings.region.value;
    resolve(region, net.fips.value, net.dual_stack.value).map_err(|why| {
        let variant = match (net.fips.value, net.dual_stack.value) {
            (true, true) => " with FIPS and dual-stack",
            (true, false) => " with FIPS",
            (false, true) => " with dual-stack",
            (false, false) => "",
        };
        Error::Usage(Usage::NoEndpoint {
            region: region.clone(),
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

/// One request for session credentials.
#[derive(Debug)]
pub struct Request<'a> {
    /// The keys that sign it: long-term keys, or the base profile's session for a chained role.
    pub signer: Signer<'a>,
    /// The long-term section, for messages.
    pub section: &'a str,
    pub region: &'a str,
    /// The URL asked, for messages ([`endpoint_url`]).
    pub url: &'a str,
    /// Whether the user gave that URL (else the SDK resolves it again, to sign for it).
    pub forced: bool,
    pub network: &'a Network,
    /// The certificates of the CA bundle, read and checked before any call.
    pub trust: Option<&'a Trust>,
    /// The MFA device and code; none for a chained role (its signer's session carries MFA).
    pub mfa: Option<(&'a str, &'a str)>,
    pub duration: u32,
    pub role: Option<Role<'a>>,
    pub timeout: Duration,
}

/// The credentials a request is signed with.
#[derive(Debug)]
pub struct Signer<'a> {
    pub access_key_id: &'a str,
    pub secret: &'a Secret,
    pub token: Option<&'a Secret>,
}

impl<'a> Signer<'a> {
    pub fn long_term(keys: &'a LongTerm) -> Signer<'a> {
        Signer {
            access_key_id: &keys.access_key_id,
            secret: &keys.secret,
            token: None,
        }
    }
}

/// The role to assume.
#[derive(Debug)]
pub struct Role<'a> {
    pub arn: &'a str,
    pub session_name: &'a str,
    pub external_id: Option<&'a str>,
}

/// Calls STS and returns the session, or an error that says what to do.
pub fn get_session(req: &Request<'_>) -> Result<Session, Error> {
    get_sessions(std::slice::from_ref(req))
        .pop()
        .unwrap_or_else(|| Err(Error::Internal("no STS answer".into())))
}

/// Calls STS for every request at once (the role calls of a run overlap) and returns the
/// answers in the same order.
pub fn get_sessions(reqs: &[Request<'_>]) -> Vec<Result<Session, Error>> {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return reqs
                .iter()
                .map(|_| {
                    Err(Error::Internal(format!(
                        "cannot start the async runtime: {e}"
                    )))
                })
                .collect();
        }
    };
    // One HTTP client for every request that trusts the same certificates: the trust store is
    // built (and the system's roots parsed) once a run, not once a call.
    let mut clients: Vec<(Option<&Trust>, SharedHttpClient)> = Vec::new();
    let http: Vec<Result<SharedHttpClient, Error>> = reqs
        .iter()
        .map(|r| {
            let same = |t: &Option<&Trust>| match (t, r.trust) {
                (Some(a), Some(b)) => std::ptr::eq(*a, b),
                (None, None) => true,
                _ => false,
            };
            if let Some((_, c)) = clients.iter().find(|(t, _)| same(t)) {
                return Ok(c.clone());
            }
            let c = http_client(r.trust)?;
            clients.push((r.trust, c.clone()));
            Ok(c)
        })
        .collect();
    runtime.block_on(futures_util::future::join_all(reqs.iter().zip(http).map(
        |(r, http)| async move { call(http.and_then(|h| client(r, h)), r).await },
    )))
}

/// The PEM certificates of a CA bundle, each one the TLS library takes.
#[derive(Clone, Debug)]
pub struct Trust {
    path: String,
    pem: Vec<u8>,
}

impl Trust {
    /// Reads the CA bundle of `setting` (SPEC §2): every certificate the TLS library can use is
    /// kept; a file that cannot be read or holds no usable certificate is an error naming it.
    pub fn load(setting: &Setting<String>) -> Result<Trust, Error> {
        let bad = |why: String| {
            Error::Usage(Usage::CaBundle {
                path: setting.value.clone(),
                source: setting.source.to_string(),
                why,
            })
        };
        let bytes = std::fs::read(&setting.value)
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
            path: setting.value.clone(),
            pem,
        })
    }

    /// The bundle's path, as given.
    pub fn path(&self) -> &str {
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
            .get_or_init(|| {
                let mut builder = aws_smithy_http_client::Connector::builder()
                    .connector_settings(settings.clone());
                if proxy_in_env() {
                    builder = builder.proxy_config(ProxyConfig::from_env());
                }
                builder.set_sleep_impl(components.sleep_impl());
                SharedHttpConnector::new(
                    builder
                        .tls_provider(tls::Provider::Rustls(
                            tls::rustls_provider::CryptoMode::AwsLc,
                        ))
                        .tls_context(self.tls.clone())
                        .build(),
                )
            })
            .clone()
    }
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
pub(crate) fn http_client(trust: Option<&Trust>) -> Result<SharedHttpClient, Error> {
    let store = match trust {
        Some(t) => TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(t.pem.clone()),
        None => TrustStore::default(),
    };
    let tls = TlsContext::builder()
        .with_trust_store(store)
        .build()
        .map_err(|e| Error::Internal(format!("cannot set up TLS: {e}")))?;
    Ok(SharedHttpClient::new(Http {
        tls,
        connector: std::sync::OnceLock::new(),
    }))
}

/// Connect and read timeouts (SPEC §7), for every AWS client.
pub(crate) fn timeouts(timeout: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .read_timeout(timeout)
        .operation_attempt_timeout(timeout + CONNECT_TIMEOUT)
        .build()
}

/// The SDK's retry strategy as set up (SPEC §2), for every AWS client.
pub(crate) fn retries(net: &Network) -> RetryConfig {
    if net.adaptive.value {
        RetryConfig::adaptive()
    } else {
        RetryConfig::standard()
    }
    .with_max_attempts(net.max_attempts.value)
}

fn client(req: &Request<'_>, http: SharedHttpClient) -> Result<aws_sdk_sts::Client, Error> {
    let credentials = Credentials::new(
        req.signer.access_key_id,
        req.signer.secret.expose(),
        req.signer.token.map(|t| t.expose().to_owned()),
        None,
        "stsmfa",
    );
    let timeouts = timeouts(req.timeout);
    let net = req.network;
    let retries = retries(net);
    let mut config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(req.region.to_owned()))
        .use_fips(net.fips.value)
        .use_dual_stack(net.dual_stack.value)
        .credentials_provider(credentials)
        .timeout_config(timeouts)
        .retry_config(retries)
        .http_client(http);
    if req.forced {
        config = config.endpoint_url(req.url);
    }
    Ok(aws_sdk_sts::Client::from_conf(config.build()))
}

async fn call(
    client: Result<aws_sdk_sts::Client, Error>,
    req: &Request<'_>,
) -> Result<Session, Error> {
    let client = client?;
    let (creds, role_arn) = match &req.role {
        None => {
            let out = client
                .get_session_token()
                .set_serial_number(req.mfa.map(|(serial, _)| serial.to_owned()))
                .set_token_code(req.mfa.map(|(_, code)| code.to_owned()))
                .duration_seconds(req.duration as i32)
                .send()
                .await
                .map_err(|e| translate(e, req))?;
            (out.credentials, None)
        }
        Some(role) => {
            let out = client
                .assume_role()
                .role_arn(role.arn)
                .role_session_name(role.session_name)
                .set_external_id(role.external_id.map(str::to_owned))
                .set_serial_number(req.mfa.map(|(serial, _)| serial.to_owned()))
                .set_token_code(req.mfa.map(|(_, code)| code.to_owned()))
                .duration_seconds(req.duration as i32)
                .send()
                .await
                .map_err(|e| translate(e, req))?;
            (out.credentials, Some(role.arn.to_owned()))
        }
    };
    let creds = creds.ok_or_else(|| not_sts(req, "no credentials in the answer"))?;
    let incomplete = |what: &str| not_sts(req, &format!("{what} in the answer"));
    for (field, value) in [
        ("AccessKeyId", creds.access_key_id.as_str()),
        ("SecretAccessKey", creds.secret_access_key.as_str()),
        ("SessionToken", creds.session_token.as_str()),
    ] {
        if value.trim().is_empty() {
            return Err(incomplete(&format!("no {field}")));
        }
    }
    let expiration = DateTime::<Utc>::from_timestamp(creds.expiration.secs(), 0)
        .ok_or_else(|| incomplete("an Expiration out of range"))?;
    let now = Utc::now();
    if expiration <= now {
        return Err(incomplete(&format!(
            "an Expiration that has passed ({})",
            crate::credentials::format_expiration(expiration)
        )));
    }
    // A session ends when it was asked to (give or take the two clocks): a later end is no
    // answer STS gives, and would keep the file from ever being refreshed.
    let latest = now + chrono::Duration::seconds(i64::from(req.duration)) + CLOCK_SLACK;
    if expiration > latest {
        return Err(incomplete(&format!(
            "an Expiration of {} for a session of {} s",
            crate::credentials::format_expiration(expiration),
            req.duration
        )));
    }
    Ok(Session {
        access_key_id: creds.access_key_id,
        secret: Secret::new(creds.secret_access_key),
        token: Secret::new(creds.session_token),
        expiration,
        role_arn,
    })
}

/// How much later than asked for a session may end, for the difference between this machine's
/// clock and STS's.
const CLOCK_SLACK: chrono::Duration = chrono::Duration::hours(1);

fn not_sts(req: &Request<'_>, what: &str) -> Error {
    Error::Unreachable {
        url: req.url.to_owned(),
        cause: format!("the answer was not what STS sends ({what})"),
    }
}

/// Turns an SDK error (after the SDK's retries) into one of ours (SPEC §7's table).
fn translate<E>(e: SdkError<E, HttpResponse>, req: &Request<'_>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let unreachable = |cause: String| Error::Unreachable {
        url: req.url.to_owned(),
        cause: match proxy_for(req.url) {
            Some(proxy) => format!("through the proxy {proxy}: {cause}"),
            None => cause,
        },
    };
    let answered = |status: u16, code: String, message: String| {
        if code.is_empty() && !(400..500).contains(&status) {
            // Not an STS error document: a proxy, a captive portal or another server answered.
            return not_sts(req, &format!("HTTP {status} without an STS error"));
        }
        // Any 4xx is STS (or what stands in front of it) refusing, whatever the document.
        let refusal = match code.as_str() {
            "" => Refusal::Other,
            _ => refusal(&code, &message, req),
        };
        Error::Refused(Box::new(Refused {
            refusal,
            section: req.section.to_owned(),
            key: crate::secret::mask(req.signer.access_key_id),
            status,
            code,
            message,
        }))
    };
    match &e {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let code = ctx.err().code().unwrap_or_default().to_owned();
            let message = ctx.err().message().unwrap_or_default().to_owned();
            if code.is_empty() {
                // The SDK reads `<ErrorResponse><Error>`; others wrap it in `<Errors>`.
                let body = ctx.raw().body().bytes().unwrap_or_default();
                let (code, message) = error_document(&String::from_utf8_lossy(body));
                return answered(status, code, message);
            }
            answered(status, code, message)
        }
        SdkError::TimeoutError(_) => {
            unreachable(format!("no answer within {} s", req.timeout.as_secs()))
        }
        SdkError::DispatchFailure(d) => {
            let cause = if d.is_timeout() {
                format!("no answer within {} s", req.timeout.as_secs())
            } else {
                root_cause(&e)
            };
            unreachable(cause)
        }
        SdkError::ResponseError(r) => {
            let status = r.raw().status().as_u16();
            if (400..500).contains(&status) {
                let body = r.raw().body().bytes().unwrap_or_default();
                let (code, message) = error_document(&String::from_utf8_lossy(body));
                return answered(status, code, message);
            }
            not_sts(req, &format!("HTTP {status}, {}", root_cause(&e)))
        }
        _ => Error::Internal(format!(
            "cannot build the STS request: {}",
            DisplayErrorContext(&e)
        )),
    }
}

/// The code and message of an AWS query-protocol error document, in either shape:
/// `<ErrorResponse><Error>…` (STS) or `<ErrorResponse><Errors><Error>…` (some emulators).
fn error_document(body: &str) -> (String, String) {
    let error = body.find("<Error>").map_or("", |i| &body[i..]);
    let inside = |tag: &str| -> String {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        error
            .find(&open)
            .and_then(|i| {
                let rest = &error[i + open.len()..];
                rest.find(&close).map(|j| unescape(rest[..j].trim()))
            })
            .unwrap_or_default()
    };
    (inside("Code"), inside("Message"))
}

/// XML's five predefined entities.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The proxy a request to `url` goes through, as the HTTP client decides it from the
/// environment, without any user name or password.
fn proxy_for(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    let intercept = hyper_util::client::proxy::matcher::Matcher::from_env().intercept(&uri)?;
    let proxy = intercept.uri();
    let host = proxy
        .authority()
        .map_or("", |a| a.as_str().rsplit('@').next().unwrap_or(""));
    Some(format!("{}://{host}", proxy.scheme_str().unwrap_or("http")))
}

/// The innermost cause of an error, which is the part that says what happened
/// ("Connection refused", "failed to lookup address information").
pub(crate) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
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

/// Which row of SPEC §7's table an STS error code is.
fn refusal(code: &str, message: &str, req: &Request<'_>) -> Refusal {
    let mfa = message.contains("MultiFactorAuthentication") || message.contains("MFA");
    match code {
        "AccessDenied" if mfa => Refusal::CodeRejected,
        "AccessDenied" if message.contains("session credentials") => Refusal::SessionKeys,
        "AccessDenied" => match &req.role {
            Some(role) => Refusal::RoleDenied {
                role: role.arn.to_owned(),
            },
            None => Refusal::Other,
        },
        "InvalidClientTokenId" => Refusal::UnknownKey,
        "SignatureDoesNotMatch" => Refusal::WrongSecret,
        "ExpiredToken" | "ExpiredTokenException" => Refusal::SessionKeys,
        "ValidationError" if message.contains("uration") => Refusal::DurationTooLong {
            duration: req.duration,
            role: req.role.as_ref().map(|r| r.arn.to_owned()),
        },
        "Throttling"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "TooManyRequestsException" => Refusal::Throttled,
        _ => Refusal::Other,
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

    #[test]
    fn error_documents_are_read_in_both_shapes() {
        let sts = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>\
                   <Message>The security token included in the request is invalid.</Message>\
                   </Error><RequestId>x</RequestId></ErrorResponse>";
        let wrapped = "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>\
                       <Message>a &amp; b &lt;c&gt;</Message></Error></Errors></ErrorResponse>";
        assert_eq!(
            error_document(sts),
            (
                "InvalidClientTokenId".into(),
                "The security token included in the request is invalid.".into()
            )
        );
        assert_eq!(
            error_document(wrapped),
            ("SignatureDoesNotMatch".into(), "a & b <c>".into())
        );
        assert_eq!(
            error_document("<html>nope</html>"),
            (String::new(), String::new())
        );
    }
}
