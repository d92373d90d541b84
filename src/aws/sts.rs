//! One STS call (GetSessionToken or AssumeRole) per request, all of a run's requests at once
//! on one thread, and STS answers translated into errors that say what to do (SPEC §7).

use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::config::{BehaviorVersion, Region, SharedHttpClient};
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use chrono::{DateTime, Utc};

use super::http::{OneSend, failed_to_connect, http_client, retries, root_cause, timeouts};
use super::{Network, Signer, Trust};
use crate::credentials::Session;
use crate::error::{Error, Refusal, Refused};
use crate::secret::Secret;

/// One request for session credentials.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    /// The keys that sign it: long-term keys, or the base profile's session for a chained role.
    pub signer: Signer<'a>,
    /// The long-term section, for messages.
    pub section: &'a str,
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
}

/// The role to assume.
#[derive(Debug)]
pub(crate) struct Role<'a> {
    pub arn: &'a str,
    pub session_name: &'a str,
    pub external_id: Option<&'a str>,
}

/// Calls STS and returns the session, or an error that says what to do.
pub(crate) fn get_session(req: &Request<'_>) -> Result<Session, Error> {
    get_sessions(std::slice::from_ref(req))
        .pop()
        .unwrap_or_else(|| Err(Error::Internal("no STS answer".into())))
}

/// Calls STS for every request at once (the role calls of a run overlap) and returns the
/// answers in the same order.
pub(crate) fn get_sessions(reqs: &[Request<'_>]) -> Vec<Result<Session, Error>> {
    let runtime = match super::runtime() {
        Ok(r) => r,
        Err(e) => {
            let failed = |e: &Error| match e {
                Error::Stdio { action, source } => Error::Stdio {
                    action,
                    source: std::io::Error::new(source.kind(), source.to_string()),
                },
                e => Error::Internal(e.to_string()),
            };
            return reqs.iter().map(|_| Err(failed(&e))).collect();
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

fn client(req: &Request<'_>, http: SharedHttpClient) -> Result<aws_sdk_sts::Client, Error> {
    let credentials = req.signer.credentials();
    let net = req.network;
    let timeouts = timeouts(net.timeout);
    let retries = retries(net);
    let mut config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(net.region.clone()))
        .use_fips(net.fips)
        .use_dual_stack(net.dual_stack)
        .credentials_provider(credentials)
        .timeout_config(timeouts)
        .retry_config(retries)
        .http_client(http);
    if req.forced {
        config = config.endpoint_url(req.url);
    }
    if req.mfa.is_some() {
        config = config.retry_classifier(OneSend);
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
        seconds: req.duration,
    })
}

/// How much later than asked for a session may end, for the difference between this machine's
/// clock and STS's.
const CLOCK_SLACK: chrono::Duration = chrono::Duration::hours(1);

fn not_sts(req: &Request<'_>, what: &str) -> Error {
    Error::Unreachable {
        url: req.url.to_owned(),
        cause: format!("the answer was not what STS sends ({what})"),
        code_sent: req.mfa.is_some(),
    }
}

/// Turns an SDK error (after the SDK's retries) into one of ours (SPEC §7's table).
fn translate<E>(e: SdkError<E, HttpResponse>, req: &Request<'_>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    // Whether the request went out: a failure to connect sends nothing, so its code is unspent.
    let code_sent = req.mfa.is_some() && !failed_to_connect(&e);
    let unreachable = |cause: String| Error::Unreachable {
        url: req.url.to_owned(),
        cause: match proxy_for(req.url) {
            Some(proxy) => format!("through the proxy {proxy}: {cause}"),
            None => cause,
        },
        code_sent,
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
            code_sent,
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
        SdkError::TimeoutError(_) => unreachable(format!(
            "no answer within {} s",
            req.network.timeout.as_secs()
        )),
        SdkError::DispatchFailure(d) => {
            let cause = if d.is_timeout() {
                format!("no answer within {} s", req.network.timeout.as_secs())
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
