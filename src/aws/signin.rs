//! The console's sign-in (federation) endpoint: a role session in, a sign-in token out
//! (`Action=getSigninToken`), and the `Action=login` URL that opens the console with it. A plain
//! HTTPS GET through the SDK's own connector (proxy, certificates, timeouts), as no SDK has a
//! client for this endpoint.

use aws_smithy_runtime_api::client::http::SharedHttpConnector;
use aws_smithy_types::body::SdkBody;
use http_body_util::BodyExt as _;

use super::{Network, Signer, Trust, http};
use crate::error::Error;
use crate::secret::Secret;

/// Where the console of each partition signs in, and its home page.
struct Partition {
    signin: &'static str,
    console: &'static str,
}

const AWS: Partition = Partition {
    signin: "https://signin.aws.amazon.com",
    console: "https://console.aws.amazon.com",
};
const CHINA: Partition = Partition {
    signin: "https://signin.amazonaws.cn",
    console: "https://console.amazonaws.cn",
};
const GOV_CLOUD: Partition = Partition {
    signin: "https://signin.amazonaws-us-gov.com",
    console: "https://console.amazonaws-us-gov.com",
};

/// The partition of `region`, when it has a console one can sign in to this way.
fn partition(region: &str) -> Option<&'static Partition> {
    if region.starts_with("cn-") {
        Some(&CHINA)
    } else if region.starts_with("us-gov-") {
        Some(&GOV_CLOUD)
    } else if region.contains("-iso") {
        // The isolated partitions' consoles are not on the public sign-in endpoints.
        None
    } else {
        Some(&AWS)
    }
}

/// The sign-in endpoint's base URL for `region`: `given` (`AWS_ENDPOINT_URL_SIGNIN`) when set,
/// else the partition's; `None` for a partition without one.
pub(crate) fn endpoint(region: &str, given: Option<&str>) -> Option<String> {
    match given {
        Some(url) => Some(url.trim_end_matches('/').to_owned()),
        None => partition(region).map(|p| p.signin.to_owned()),
    }
}

/// The console's home page in `region` (the default destination).
pub(crate) fn console_home(region: &str) -> String {
    let console = partition(region).unwrap_or(&AWS).console;
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("region", region)
        .finish();
    format!("{console}/console/home?{query}")
}

/// A request for a sign-in token.
pub(crate) struct TokenRequest<'a> {
    /// The endpoint's base URL (`/federation` is appended).
    pub endpoint: &'a str,
    /// The role session.
    pub session: Signer<'a>,
    /// How long the console session may last; `None` for a chained role's session, which
    /// the endpoint refuses it for (the console session then lasts as long as the role's).
    pub duration: Option<u32>,
    pub network: &'a Network,
    pub trust: Option<&'a Trust>,
}

/// Asks the sign-in endpoint for a token for the session.
pub(crate) fn signin_token(req: &TokenRequest<'_>) -> Result<Secret, Error> {
    let url = format!("{}/federation", req.endpoint);
    let session = Secret::new(
        serde_json::json!({
            "sessionId": req.session.access_key_id,
            "sessionKey": req.session.secret.expose(),
            "sessionToken": req.session.token.map(Secret::expose).unwrap_or_default(),
        })
        .to_string(),
    );
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("Action", "getSigninToken");
    if let Some(seconds) = req.duration {
        query.append_pair("SessionDuration", &seconds.to_string());
    }
    query.append_pair("Session", session.expose());
    let full = Secret::new(format!("{url}?{}", query.finish()));
    drop(session);
    let unreachable = |cause: String| Error::SigninUnreachable {
        url: url.clone(),
        cause,
    };
    let connector = http::plain_connector(req.trust, req.network.timeout)?;
    let runtime = super::runtime()?;
    let (status, body) = runtime
        .block_on(get(&connector, full.expose(), req.network.timeout))
        .map_err(unreachable)?;
    let refused = |why: String| Error::SigninRefused {
        url: url.clone(),
        status,
        why,
    };
    if status != 200 {
        return Err(refused(excerpt(&body)));
    }
    let answer: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|_| refused("the answer is not the endpoint's JSON".into()))?;
    match answer
        .get("SigninToken")
        .and_then(serde_json::Value::as_str)
    {
        Some(token) if !token.is_empty() => Ok(Secret::new(token)),
        _ => Err(refused("the answer holds no SigninToken".into())),
    }
}

/// The URL that signs in to the console with `token` and goes to `destination`.
pub(crate) fn login_url(endpoint: &str, destination: &str, token: &Secret) -> Secret {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "login")
        .append_pair("Issuer", "stsmfa")
        .append_pair("Destination", destination)
        .append_pair("SigninToken", token.expose())
        .finish();
    Secret::new(format!("{endpoint}/federation?{query}"))
}

/// GETs `url` and returns the status and body; an error is the cause, said plainly.
async fn get(
    connector: &SharedHttpConnector,
    url: &str,
    timeout: std::time::Duration,
) -> Result<(u16, Vec<u8>), String> {
    use aws_smithy_runtime_api::client::http::HttpConnector as _;
    let request = ::http::Request::builder()
        .method("GET")
        .uri(url)
        .header("accept", "application/json")
        .body(SdkBody::empty())
        .map_err(|e| e.to_string())?;
    let request =
        aws_smithy_runtime_api::http::Request::try_from(request).map_err(|e| e.to_string())?;
    let exchange = async {
        let response = connector
            .call(request)
            .await
            .map_err(|e| super::http::root_cause(&e))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| super::http::root_cause(e.as_ref()))?
            .to_bytes()
            .to_vec();
        Ok((status, body))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs())),
    }
}

/// The start of an error answer, on one line, for the message (the endpoint answers an error
/// with a short text, or an HTML page).
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() || text.starts_with('<') {
        return "no reason given".into();
    }
    text.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partition_signs_in_at_its_own_endpoint() {
        assert_eq!(
            endpoint("eu-west-1", None).as_deref(),
            Some("https://signin.aws.amazon.com")
        );
        assert_eq!(
            endpoint("cn-north-1", None).as_deref(),
            Some("https://signin.amazonaws.cn")
        );
        assert_eq!(
            endpoint("us-gov-west-1", None).as_deref(),
            Some("https://signin.amazonaws-us-gov.com")
        );
        assert_eq!(endpoint("us-iso-east-1", None), None);
        assert_eq!(
            endpoint("us-iso-east-1", Some("http://127.0.0.1:9/")).as_deref(),
            Some("http://127.0.0.1:9")
        );
    }

    #[test]
    fn the_console_home_is_the_regions() {
        assert_eq!(
            console_home("eu-west-1"),
            "https://console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            console_home("cn-northwest-1"),
            "https://console.amazonaws.cn/console/home?region=cn-northwest-1"
        );
        assert_eq!(
            console_home("us-gov-east-1"),
            "https://console.amazonaws-us-gov.com/console/home?region=us-gov-east-1"
        );
    }

    #[test]
    fn the_login_url_holds_the_token_and_the_destination_encoded() {
        let url = login_url(
            "https://signin.aws.amazon.com",
            "https://console.aws.amazon.com/s3/home?region=eu-west-1",
            &Secret::new("tok+en/="),
        );
        assert_eq!(
            url.expose(),
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=stsmfa&Destination=\
             https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Deu-west-1&SigninToken=\
             tok%2Ben%2F%3D"
        );
    }
}
