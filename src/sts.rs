//! The only code that talks to AWS, and the only async code: one STS call (GetSessionToken or
//! AssumeRole) with the official SDK, static long-term credentials and an explicit region and
//! endpoint, so nothing is looked up and nothing but the one request goes over the network.
//! A current-thread runtime is built here, only when a call is needed. STS answers are
//! translated into errors that say what to do (SPEC §7).

use std::time::Duration;

use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::timeout::TimeoutConfig;
use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use chrono::{DateTime, Utc};

use crate::credentials::{LongTerm, Session};
use crate::error::{Error, Refusal, Refused};
use crate::secret::Secret;

/// Connect timeout (SPEC §7); the read timeout is `--timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts for throttling and server errors.
const ATTEMPTS: u32 = 3;

/// One request for session credentials.
#[derive(Debug)]
pub struct Request<'a> {
    /// The keys that sign it: long-term keys, or the base profile's session for a chained role.
    pub signer: Signer<'a>,
    /// The long-term section, for messages.
    pub section: &'a str,
    pub region: &'a str,
    pub endpoint: &'a str,
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
    runtime.block_on(futures_util::future::join_all(
        reqs.iter().map(call_with_retries),
    ))
}

fn client(req: &Request<'_>) -> aws_sdk_sts::Client {
    let credentials = Credentials::new(
        req.signer.access_key_id,
        req.signer.secret.expose(),
        req.signer.token.map(|t| t.expose().to_owned()),
        None,
        "stsmfa",
    );
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(req.timeout))
        .read_timeout(req.timeout)
        .operation_attempt_timeout(req.timeout + CONNECT_TIMEOUT)
        .build();
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(req.region.to_owned()))
        .endpoint_url(req.endpoint)
        .credentials_provider(credentials)
        .timeout_config(timeouts)
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

/// What one attempt ended with.
enum Failure {
    /// Worth another attempt: throttling or a server error.
    Transient(Error),
    Final(Error),
}

async fn call_with_retries(req: &Request<'_>) -> Result<Session, Error> {
    let client = client(req);
    let mut attempt = 1;
    loop {
        match call(&client, req).await {
            Ok(session) => return Ok(session),
            Err(Failure::Final(e)) => return Err(e),
            Err(Failure::Transient(e)) if attempt >= ATTEMPTS => return Err(e),
            Err(Failure::Transient(_)) => {
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                attempt += 1;
            }
        }
    }
}

async fn call(client: &aws_sdk_sts::Client, req: &Request<'_>) -> Result<Session, Failure> {
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
    let creds =
        creds.ok_or_else(|| Failure::Final(not_sts(req, "no credentials in the answer")))?;
    let incomplete = |what: &str| Failure::Final(not_sts(req, &format!("{what} in the answer")));
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
    if expiration <= Utc::now() {
        return Err(incomplete(&format!(
            "an Expiration that has passed ({})",
            crate::credentials::format_expiration(expiration)
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

fn not_sts(req: &Request<'_>, what: &str) -> Error {
    Error::Unreachable {
        url: req.endpoint.to_owned(),
        cause: format!("the answer was not what STS sends ({what})"),
    }
}

/// Turns an SDK error into one of ours (SPEC §7's table).
fn translate<E>(e: SdkError<E, HttpResponse>, req: &Request<'_>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let unreachable = |cause: String| Error::Unreachable {
        url: req.endpoint.to_owned(),
        cause,
    };
    match &e {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let code = ctx.err().code().unwrap_or_default().to_owned();
            let message = ctx.err().message().unwrap_or_default().to_owned();
            if code.is_empty() {
                // Not an STS error document: a proxy, a captive portal, another server.
                let what = format!("HTTP {status} without an STS error");
                return if status >= 500 {
                    Failure::Transient(not_sts(req, &what))
                } else {
                    Failure::Final(not_sts(req, &what))
                };
            }
            let refusal = refusal(&code, &message, req);
            let transient = status >= 500 || refusal == Refusal::Throttled;
            let error = Error::Refused(Box::new(Refused {
                refusal,
                section: req.section.to_owned(),
                key: crate::secret::mask(req.signer.access_key_id),
                code,
                message,
            }));
            if transient {
                Failure::Transient(error)
            } else {
                Failure::Final(error)
            }
        }
        SdkError::TimeoutError(_) => Failure::Final(unreachable(format!(
            "no answer within {} s",
            req.timeout.as_secs()
        ))),
        SdkError::DispatchFailure(d) => {
            let cause = if d.is_timeout() {
                format!("no answer within {} s", req.timeout.as_secs())
            } else {
                root_cause(&e)
            };
            Failure::Final(unreachable(cause))
        }
        SdkError::ResponseError(r) => {
            let status = r.raw().status().as_u16();
            let what = format!("HTTP {status}, {}", root_cause(&e));
            if status >= 500 {
                Failure::Transient(not_sts(req, &what))
            } else {
                Failure::Final(not_sts(req, &what))
            }
        }
        _ => Failure::Final(Error::Internal(format!(
            "cannot build the STS request: {}",
            DisplayErrorContext(&e)
        ))),
    }
}

/// The innermost cause of an error, which is the part that says what happened
/// ("Connection refused", "failed to lookup address information").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
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
