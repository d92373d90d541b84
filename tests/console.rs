//! `stsmfa console` (SPEC §3): a role session signed in to the AWS console through the
//! sign-in endpoint (a local stand-in, `AWS_ENDPOINT_URL_SIGNIN`), the URL opened or printed,
//! and no session key or token in any output.

use std::fs;
use std::time::Duration;

use crate::common::Test;
use crate::common::sts_stub::{
    EXPIRATION, ROLE_EXPIRATION, ROLE_KEY, ROLE_SECRET, ROLE_TOKEN, SESSION_KEY, SESSION_SECRET,
    SESSION_TOKEN, SIGNIN_TOKEN, Stub,
};

const DEVICE: &str = "arn:aws:iam::123456789012:mfa/alice";
const ROLE: &str = "arn:aws:iam::210987654321:role/admin";

fn base() -> String {
    format!(
        "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
         aws_mfa_device = {DEVICE}\n"
    )
}

fn dev_session() -> String {
    format!(
        "\n[dev]\naws_access_key_id = {SESSION_KEY}\naws_secret_access_key = {SESSION_SECRET}\n\
         aws_session_token = {SESSION_TOKEN}\nexpiration = {}\nassumed_role = False\n",
        *EXPIRATION
    )
}

/// A chained role admin, its session and dev's both valid.
fn chained() -> String {
    format!(
        "{}{}\n[admin-long-term]\nsource_profile = dev\nassume_role = {ROLE}\n\n[admin]\n\
         aws_access_key_id = {ROLE_KEY}\naws_secret_access_key = {ROLE_SECRET}\n\
         aws_session_token = {ROLE_TOKEN}\nexpiration = {}\nassumed_role = True\n\
         assumed_role_arn = {ROLE}\n",
        base(),
        dev_session(),
        *ROLE_EXPIRATION
    )
}

fn encoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                char::from(b).to_string()
            }
            b' ' => "+".into(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

fn login_url(signin: &Stub, destination: &str) -> String {
    format!(
        "{}/federation?Action=login&Issuer=stsmfa&Destination={}&SigninToken={SIGNIN_TOKEN}\n",
        signin.url,
        encoded(destination)
    )
}

/// The session JSON the sign-in endpoint was given.
fn session_sent(signin: &Stub) -> serde_json::Value {
    let req = signin.only_request();
    assert_eq!(req.target.split('?').next(), Some("/federation"));
    assert_eq!(req.param("Action"), Some("getSigninToken"));
    serde_json::from_str(req.param("Session").unwrap_or_default()).unwrap()
}

fn no_secret_in(run: &crate::common::Run) {
    for secret in [ROLE_SECRET, ROLE_TOKEN, SESSION_SECRET, SESSION_TOKEN] {
        assert!(!run.stdout_text().contains(secret), "a secret on stdout");
        assert!(!run.stderr_text().contains(secret), "a secret on stderr");
    }
}

#[test]
fn a_chained_role_signs_in_with_its_session_and_no_session_duration() {
    let signin = Stub::signin();
    let run = Test::new()
        .credentials_file(chained())
        .env("AWS_ENDPOINT_URL_SIGNIN", &signin.url)
        .args(&["console", "admin", "--print", "--no-input"])
        .run()
        .success()
        .stdout(&login_url(
            &signin,
            "https://console.aws.amazon.com/console/home?region=us-east-1",
        ));
    no_secret_in(&run);
    let session = session_sent(&signin);
    assert_eq!(session["sessionId"], ROLE_KEY);
    assert_eq!(session["sessionKey"], ROLE_SECRET);
    assert_eq!(session["sessionToken"], ROLE_TOKEN);
    assert_eq!(signin.only_request().param("SessionDuration"), None);
}

#[test]
fn a_config_role_is_assumed_with_the_bases_session_and_goes_to_the_destination() {
    let sts = Stub::sts(Duration::ZERO);
    let signin = Stub::signin();
    let config =
        format!("[profile admin]\nrole_arn = {ROLE}\nsource_profile = dev\nregion = eu-west-1\n");
    let file = format!("{}{}", base(), dev_session());
    let destination = "https://console.aws.amazon.com/s3/home?region=eu-west-1#";
    let run = Test::new()
        .credentials_file(&file)
        .file(".aws/config", &config)
        .env("AWS_ENDPOINT_URL_STS", &sts.url)
        .env("AWS_ENDPOINT_URL_SIGNIN", &format!("{}/", signin.url))
        .args(&["console", "admin", "--print", "--destination", destination])
        .run()
        .success()
        .stdout(&login_url(&signin, destination));
    no_secret_in(&run);
    let assumed = sts.only_request();
    assert_eq!(assumed.param("Action"), Some("AssumeRole"));
    assert_eq!(assumed.signed_by(), Some(SESSION_KEY));
    assert_eq!(session_sent(&signin)["sessionId"], ROLE_KEY);
    assert_eq!(signin.only_request().param("SessionDuration"), None);
    // Never written.
    run.expect_credentials(&file);
}

#[test]
fn the_default_destination_is_the_console_home_of_the_profiles_region() {
    let signin = Stub::signin();
    Test::new()
        .credentials_file(chained().replace(
            "[admin-long-term]\n",
            "[admin-long-term]\nregion = eu-central-1\n",
        ))
        .env("AWS_ENDPOINT_URL_SIGNIN", &signin.url)
        .args(&["console", "admin", "--print"])
        .run()
        .success()
        .stdout(&login_url(
            &signin,
            "https://console.aws.amazon.com/console/home?region=eu-central-1",
        ));
}

#[test]
fn a_role_assumed_with_the_profiles_own_keys_asks_for_a_console_session_as_long_as_its_own() {
    let signin = Stub::signin();
    let file = format!(
        "{}assume_role = {ROLE}\n\n[dev]\naws_access_key_id = {ROLE_KEY}\n\
         aws_secret_access_key = {ROLE_SECRET}\naws_session_token = {ROLE_TOKEN}\n\
         expiration = {}\nassumed_role = True\nassumed_role_arn = {ROLE}\n",
        base(),
        *ROLE_EXPIRATION
    );
    Test::new()
        .credentials_file(&file)
        .env("AWS_ENDPOINT_URL_SIGNIN", &signin.url)
        .args(&["console", "dev", "--print"])
        .run()
        .success();
    let seconds: i64 = signin
        .only_request()
        .param("SessionDuration")
        .unwrap_or_default()
        .parse()
        .unwrap();
    // The session has about 70 minutes left.
    assert!(
        (3600..=4200).contains(&seconds),
        "SessionDuration={seconds}"
    );
    assert_eq!(session_sent(&signin)["sessionId"], ROLE_KEY);
}

#[test]
fn a_get_session_token_profile_is_refused_before_any_request() {
    let signin = Stub::signin();
    let sts = Stub::sts(Duration::ZERO);
    Test::new()
        .credentials_file(base())
        .env("AWS_ENDPOINT_URL_SIGNIN", &signin.url)
        .env("AWS_ENDPOINT_URL_STS", &sts.url)
        .args(&["console", "dev", "--token", "123456"])
        .run()
        .code(2)
        .stdout("")
        .stderr_contains(
            "dev's session comes from GetSessionToken, and AWS lets only role and federation \
             sessions into the console",
        )
        .stderr_contains("stsmfa setup ROLE --source-profile dev --assume-role");
    assert!(signin.requests().is_empty());
    assert!(sts.requests().is_empty());
}

#[test]
fn the_url_goes_to_the_browser_and_nothing_to_stdout() {
    let signin = Stub::signin();
    let t = Test::new().credentials_file(chained());
    let opener = t.home().join("opener");
    let opened = t.home().join("opened");
    fs::write(
        &opener,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n",
            opened.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    fs::set_permissions(&opener, fs::Permissions::from_mode(0o755)).unwrap();
    let run = t
        .env("AWS_ENDPOINT_URL_SIGNIN", &signin.url)
        .env("BROWSER", &format!("{}:firefox", opener.display()))
        .args(&["console", "admin"])
        .run()
        .success()
        .stdout("")
        .stderr_contains("admin: opened the AWS console with");
    no_secret_in(&run);
    assert_eq!(
        fs::read_to_string(&opened).unwrap(),
        login_url(
            &signin,
            "https://console.aws.amazon.com/console/home?region=us-east-1"
        )
    );
}

#[test]
fn with_no_opener_the_url_is_printed() {
    let signin = Stub::signin();
    let t = Test::new().credentials_file(chained());
    let empty = t.home().join("empty-path");
    fs::create_dir(&empty).unwrap();
    t.env("AWS_ENDPOINT_URL_SIGNIN", &signin.url)
        .env("PATH", &empty.display().to_string())
        .args(&["console", "admin"])
        .run()
        .success()
        .stderr_contains("no browser opener")
        .stdout(&login_url(
            &signin,
            "https://console.aws.amazon.com/console/home?region=us-east-1",
        ));
}

#[test]
fn an_endpoint_that_refuses_or_cannot_be_reached_says_so() {
    let refusing = Stub::start(vec![crate::common::sts_stub::Answer {
        status: 400,
        body: "Invalid session".into(),
    }]);
    Test::new()
        .credentials_file(chained())
        .env("AWS_ENDPOINT_URL_SIGNIN", &refusing.url)
        .args(&["console", "admin", "--print"])
        .run()
        .code(4)
        .stdout("")
        .stderr_contains(&format!(
            "the console sign-in endpoint at {}/federation gave no sign-in token for the \
             session (HTTP 400): Invalid session",
            refusing.url
        ));
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    Test::new()
        .credentials_file(chained())
        .env(
            "AWS_ENDPOINT_URL_SIGNIN",
            &format!("http://127.0.0.1:{closed}"),
        )
        .args(&["console", "admin", "--print"])
        .run()
        .code(5)
        .stdout("")
        .stderr_contains(&format!(
            "could not reach the console sign-in endpoint at http://127.0.0.1:{closed}/federation"
        ));
}
