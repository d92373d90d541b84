//! One send per MFA code (SPEC §7): a call that carries a code is retried only when it never
//! reached STS (a failure to connect) or STS asked to slow down (throttling); `--timeout`
//! bounds the whole wait; a code that went out unanswered is said to be maybe spent, and a
//! code that never went out is used by the next profile of the run.

use std::time::{Duration, Instant};

use crate::common::sts_stub::{self, Stub, error_answer};
use crate::common::{Test, under_strace};

const DEVICE: &str = "arn:aws:iam::123456789012:mfa/alice";

fn long_term(name: &str) -> String {
    format!(
        "[{name}-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
         aws_mfa_device = {DEVICE}\n"
    )
}

/// A port of 127.0.0.1 on which nothing listens (bound, then let go).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn a_code_sts_does_not_answer_is_sent_once_and_said_to_be_maybe_spent() {
    let stub = Stub::silent();
    let start = Instant::now();
    Test::new()
        .credentials_file(long_term("dev"))
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["-p", "dev", "--token", "123456", "--timeout", "2s"])
        .run()
        .code(5)
        .stderr_contains(&format!(
            "error: could not reach STS at {}: no answer within 2 s",
            stub.url
        ))
        .stderr_contains("the MFA code went out and may be spent")
        .stderr_contains("wait for the next MFA code")
        .stderr_lacks("STS refused the MFA code")
        .expect_credentials(long_term("dev"));
    let took = start.elapsed();
    // Held a little for the stub to record a late retry, were there one.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        stub.token_codes(),
        ["123456"],
        "the code was sent more than once"
    );
    assert!(took < Duration::from_secs(5), "--timeout 2s took {took:?}");
}

#[test]
fn a_server_error_to_a_code_is_not_retried_and_says_the_code_may_be_spent() {
    let stub = Stub::start(vec![
        error_answer(503, "ServiceUnavailable", "try later"),
        sts_stub::session_answer(),
    ]);
    Test::new()
        .credentials_file(long_term("dev"))
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["-p", "dev", "--token", "123456"])
        .run()
        .code(4)
        .stderr_contains("error: STS refused the request: ServiceUnavailable: try later")
        .stderr_contains(
            "hint: STS failed on its side; the MFA code may be spent: wait for the next MFA code",
        );
    assert_eq!(stub.token_codes(), ["123456"]);
}

#[test]
fn throttling_is_retried_with_the_same_code() {
    let stub = Stub::start(vec![
        error_answer(400, "Throttling", "Rate exceeded"),
        sts_stub::session_answer(),
    ]);
    Test::new()
        .credentials_file(long_term("dev"))
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["-p", "dev", "--token", "123456"])
        .run()
        .success();
    assert_eq!(stub.token_codes(), ["123456", "123456"]);
}

#[test]
fn a_code_that_never_reached_sts_serves_the_next_profile_of_the_device() {
    // dev's STS is a closed port; ops shares dev's device and reaches the stub. The code dev
    // could not send is still good, so ops uses it at once (no "that code was just used").
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let file = format!("{}\n{}", long_term("dev"), long_term("ops"));
    Test::new()
        .credentials_file(&file)
        .file(
            ".aws/config",
            format!(
                "[profile dev]\nendpoint_url = {dead}\n[profile ops]\nendpoint_url = {}\n",
                stub.url
            ),
        )
        .args(&["dev", "ops", "--token", "123456", "--no-input"])
        .run()
        .code(5)
        .stderr_contains(&format!(
            "dev: error: could not reach STS at {dead}: Connection refused"
        ))
        .stderr_lacks("may be spent")
        .stderr_contains("ops: refreshed");
    assert_eq!(stub.token_codes(), ["123456"]);
}

#[test]
fn a_failure_to_connect_is_retried_with_the_same_code() {
    // The first connect() fails (strace injects ECONNREFUSED): nothing reached STS, so the
    // SDK's next attempt goes out with the same code.
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let t = Test::new()
        .credentials_file(long_term("dev"))
        .env("AWS_ENDPOINT_URL_STS", &stub.url);
    let out = under_strace(
        &t,
        &["-e", "inject=connect:error=ECONNREFUSED:when=1"],
        &["-p", "dev", "--token", "123456"],
    )
    .output()
    .unwrap_or_else(|e| panic!("strace is needed for this test: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stub.token_codes(), ["123456"]);
}

#[test]
fn a_call_without_a_code_keeps_the_sdks_retries() {
    // A chained role's AssumeRole carries no code: a server error is tried again, and when
    // every attempt fails the hint says so (not "see the AWS message above" with nothing above).
    let base_session = format!(
        "[dev]\naws_access_key_id = ASIASTUBSTUBSTUBSTUB\naws_secret_access_key = s\n\
         aws_session_token = t\nexpiration = {}\nassumed_role = False\n",
        *sts_stub::EXPIRATION
    );
    let file = format!(
        "{}\n{base_session}\n[admin-long-term]\nsource_profile = dev\n\
         assume_role = arn:aws:iam::210987654321:role/admin\n",
        long_term("dev")
    );
    let stub = Stub::start(vec![
        error_answer(503, "ServiceUnavailable", "try later"),
        sts_stub::role_session_answer(),
    ]);
    Test::new()
        .credentials_file(&file)
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["admin", "--no-input"])
        .run()
        .success();
    assert_eq!(stub.requests().len(), 2);

    let failing = || error_answer(500, "InternalFailure", "");
    let stub = Stub::start(vec![failing(), failing(), failing(), failing()]);
    Test::new()
        .credentials_file(&file)
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["admin", "--no-input"])
        .run()
        .code(4)
        .stderr_contains("error: STS refused the request: InternalFailure (HTTP 500)")
        .stderr_contains("hint: STS failed on its side after every retry")
        .stderr_lacks("see the AWS message above");
    assert_eq!(stub.requests().len(), 3);

    // The retry settings of the profile apply to it (adaptive: the SDK's client-side rate
    // limiting on top of the standard retries).
    let stub = Stub::start(vec![failing(); 6]);
    Test::new()
        .credentials_file(&file)
        .file(
            ".aws/config",
            "[profile admin]\nmax_attempts = 5\nretry_mode = adaptive\n",
        )
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["admin", "--no-input", "-v"])
        .run()
        .code(4)
        .stderr_contains("5 attempts (adaptive retries) from max_attempts in [profile admin]");
    assert_eq!(stub.requests().len(), 5);
}
