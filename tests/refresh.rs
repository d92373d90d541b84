//! `stsmfa refresh` against the in-test STS stub: what is sent, what is written (whole file),
//! every refusal of SPEC §7, bad input, code sources and several profiles.

use crate::common::Test;
use crate::common::sts_stub::{
    self, EXPIRATION, SESSION_KEY, SESSION_SECRET, SESSION_TOKEN, Stub, error_answer,
};

const DEVICE: &str = "arn:aws:iam::123456789012:mfa/alice";
const ROLE: &str = "arn:aws:iam::123456789012:role/admin";

fn long_term() -> String {
    format!(
        "# alice's keys\n[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
         aws_mfa_device = {DEVICE}\n"
    )
}

fn written_session(extra: &str) -> String {
    format!(
        "[dev]\naws_access_key_id = {SESSION_KEY}\naws_secret_access_key = {SESSION_SECRET}\n\
         aws_session_token = {SESSION_TOKEN}\nexpiration = {EXPIRATION}\n{extra}"
    )
}

/// A HOME with the long-term section and a stub answering `answers`.
fn with_stub(answers: Vec<sts_stub::Answer>) -> (Test, Stub) {
    let stub = Stub::start(answers);
    let t = Test::new()
        .credentials_file(long_term())
        .env("AWS_ENDPOINT_URL_STS", &stub.url);
    (t, stub)
}

#[test]
fn refresh_writes_a_session_and_sends_what_sts_needs() {
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    t.args(&["-p", "dev", "--token", "123 456"])
        .run()
        .success()
        .stdout("")
        .stderr_starts_with("dev: refreshed, valid until 2099-01-01 00:00 (")
        .expect_credentials(format!(
            "{}\n{}",
            long_term(),
            written_session("assumed_role = False\n")
        ));
    let req = stub.only_request();
    assert_eq!(req.param("Action"), Some("GetSessionToken"));
    assert_eq!(req.param("Version"), Some("2011-06-15"));
    assert_eq!(req.param("SerialNumber"), Some(DEVICE));
    assert_eq!(req.param("TokenCode"), Some("123456"));
    assert_eq!(req.param("DurationSeconds"), Some("43200"));
    let auth = req.header("authorization").unwrap_or_default();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/"),
        "{auth}"
    );
    assert!(auth.contains("/us-east-1/sts/aws4_request"), "{auth}");
}
