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
         aws_session_token = {SESSION_TOKEN}\nexpiration = {exp}\n{extra}",
        exp = *EXPIRATION
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
        .stderr_starts_with(&format!(
            "dev: refreshed, valid until {} (",
            sts_stub::shown(&EXPIRATION)
        ))
        .expect_credentials(format!(
            "{}\n{}",
            long_term(),
            written_session("assumed_role = False\nsession_duration_seconds = 43200\n")
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

#[test]
fn a_valid_session_asks_nothing_and_calls_nobody() {
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    let file = format!(
        "{}\n{}",
        long_term(),
        written_session("assumed_role = False\nsession_duration_seconds = 43200\n")
    );
    t.credentials_file(&file)
        .args(&["-p", "dev", "--no-input"])
        .run()
        .success()
        .stderr_starts_with(&format!(
            "dev: valid until {} (",
            sts_stub::shown(&EXPIRATION)
        ))
        .expect_credentials(&file);
    assert!(stub.requests().is_empty());
}

#[test]
fn force_refreshes_a_valid_session() {
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    let old = written_session("assumed_role = False\nsession_duration_seconds = 43200\n")
        .replace(SESSION_TOKEN, "oldTOKEN");
    t.credentials_file(format!("{}\n{old}", long_term()))
        .args(&["refresh", "dev", "--force", "--token", "123456"])
        .run()
        .success()
        .expect_credentials(format!(
            "{}\n{}",
            long_term(),
            written_session("assumed_role = False\nsession_duration_seconds = 43200\n")
        ));
    assert_eq!(stub.requests().len(), 1);
}

#[test]
fn expired_expiring_incomplete_and_unreadable_sessions_are_refreshed() {
    let soon = chrono::Utc::now() + chrono::Duration::minutes(5);
    let cases = [
        "expiration = 2020-01-01T00:00:00Z\n".to_owned(),
        format!("expiration = {}\n", soon.format("%Y-%m-%dT%H:%M:%SZ")),
        "expiration = next tuesday\n".to_owned(),
        String::new(),
    ];
    for exp in cases {
        let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
        let old = format!(
            "[dev]\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\n\
             aws_session_token = old\n{exp}"
        );
        t.credentials_file(format!("{}\n{old}", long_term()))
            .args(&["-p", "dev", "--token", "123456"])
            .run()
            .success()
            .stderr_contains("dev: refreshed");
        assert_eq!(stub.requests().len(), 1, "{exp:?} was not refreshed");
    }
}

#[test]
fn assume_role_sends_the_role_and_records_it() {
    let (t, stub) = with_stub(vec![sts_stub::role_answer()]);
    t.args(&[
        "-p",
        "dev",
        "--token",
        "123456",
        "--assume-role",
        ROLE,
        "--external-id",
        "ext-42",
        "--role-session-name",
        "alice",
    ])
    .run()
    .success()
    .stderr_contains(&format!("dev: refreshed as {ROLE}, valid until"))
    .expect_credentials(format!(
        "{}\n{}",
        long_term(),
        written_session(&format!(
            "assumed_role = True\nassumed_role_arn = {ROLE}\nsession_duration_seconds = 3600\n"
        ))
    ));
    let req = stub.only_request();
    assert_eq!(req.param("Action"), Some("AssumeRole"));
    assert_eq!(req.param("RoleArn"), Some(ROLE));
    assert_eq!(req.param("RoleSessionName"), Some("alice"));
    assert_eq!(req.param("ExternalId"), Some("ext-42"));
    assert_eq!(req.param("SerialNumber"), Some(DEVICE));
    assert_eq!(req.param("TokenCode"), Some("123456"));
    assert_eq!(req.param("DurationSeconds"), Some("3600"));
}

#[test]
fn a_session_made_for_another_role_is_refreshed() {
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    let file = format!(
        "{}\n{}",
        long_term(),
        written_session(&format!(
            "assumed_role = True\nassumed_role_arn = {ROLE}\nsession_duration_seconds = 3600\n"
        ))
    );
    t.credentials_file(&file)
        .args(&["-p", "dev", "--token", "123456"])
        .run()
        .success()
        .expect_credentials(format!(
            "{}\n{}",
            long_term(),
            written_session("assumed_role = False\nsession_duration_seconds = 43200\n")
        ));
    assert_eq!(stub.requests().len(), 1);
}

/// Runs a refresh against a stub giving `answer` and checks the message and exit code, and
/// that the file did not change.
fn refused(answer: sts_stub::Answer, extra: &[&str], code: i32, message: &str, hint: &str) {
    let (t, _stub) = with_stub(vec![answer]);
    let mut args = vec!["-p", "dev", "--token", "123456"];
    args.extend(extra);
    let run = t
        .args(&args)
        .run()
        .code(code)
        .stderr_contains(message)
        .stderr_contains(hint)
        .expect_credentials(long_term());
    let err = run.stderr_text();
    assert!(
        !err.contains("wJalrXUtnFEMI"),
        "a secret was printed:\n{err}"
    );
    assert!(
        !err.contains("AKIAIOSFODNN7EXAMPLE"),
        "an unmasked key was printed:\n{err}"
    );
}

#[test]
fn wrong_code_is_exit_4() {
    refused(
        error_answer(
            403,
            "AccessDenied",
            "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
        ),
        &[],
        4,
        "error: STS refused the MFA code: it was wrong, expired or already used",
        "hint: wait for the next code",
    );
}

#[test]
fn unknown_key_is_exit_4_with_the_key_masked() {
    refused(
        error_answer(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
        &[],
        4,
        "STS does not know the access key ****MPLE in [dev-long-term], or it is deactivated",
        "hint: check the key in the IAM console",
    );
}

#[test]
fn wrong_secret_is_exit_4() {
    refused(
        error_answer(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        ),
        &[],
        4,
        "the secret key in [dev-long-term] does not match its access key ****MPLE",
        "hint: copy the secret access key",
    );
}

#[test]
fn expired_token_is_exit_4_session_keys() {
    refused(
        error_answer(
            400,
            "ExpiredToken",
            "The security token included in the request is expired",
        ),
        &[],
        4,
        "[dev-long-term] holds session credentials (****MPLE), not long-term keys",
        "hint: put your long-term access key",
    );
}

#[test]
fn role_access_denied_is_exit_4() {
    refused(
        error_answer(
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/admin",
        ),
        &["--assume-role", ROLE],
        4,
        &format!("STS does not allow ****MPLE of [dev-long-term] to assume {ROLE}"),
        "hint: check the role's trust policy and its MFA condition",
    );
}

#[test]
fn duration_above_the_role_maximum_is_exit_4() {
    refused(
        error_answer(
            400,
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ),
        &["--assume-role", ROLE, "--duration", "12h"],
        4,
        &format!("the duration 43200 s is above the maximum session duration of {ROLE}"),
        "hint: ask for less with --duration",
    );
}

#[test]
fn attempts_follow_aws_max_attempts_and_max_attempts_in_the_config() {
    // Throttling, the one answer a call with a code is sent again for: the default is three
    // attempts, then a sentence that says what happened.
    let failing = || error_answer(400, "Throttling", "Rate exceeded");
    let (t, stub) = with_stub(vec![failing(), failing(), failing(), failing()]);
    t.args(&["-p", "dev", "--token", "123456"])
        .run()
        .code(4)
        .stderr_contains("error: STS is throttling requests")
        .stderr_contains("hint: wait a minute and try again");
    assert_eq!(stub.requests().len(), 3);

    let (t, stub) = with_stub(vec![failing(), sts_stub::session_answer()]);
    t.args(&["-p", "dev", "--token", "123456"])
        .env("AWS_MAX_ATTEMPTS", "1")
        .run()
        .code(4);
    assert_eq!(stub.requests().len(), 1);

    let (t, stub) = with_stub(vec![failing(), failing(), failing(), failing(), failing()]);
    t.file(".aws/config", "[profile dev]\nmax_attempts = 2\n")
        .args(&["-p", "dev", "--token", "123456", "-v"])
        .run()
        .code(4)
        .stderr_contains("2 attempts (standard retries) from max_attempts in [profile dev]");
    assert_eq!(stub.requests().len(), 2);

    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    t.args(&["-p", "dev", "--token", "123456"])
        .env("AWS_MAX_ATTEMPTS", "zero")
        .run()
        .code(2)
        .stderr_contains("the number of attempts \"zero\" (from AWS_MAX_ATTEMPTS) is not valid");
    assert!(stub.requests().is_empty());
}

#[test]
fn any_4xx_is_a_refusal_whatever_its_error_document() {
    // moto wraps <Error> in <Errors>; the SDK reads only <ErrorResponse><Error>.
    let wrapped = sts_stub::Answer {
        status: 403,
        body: "<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The \
               security token included in the request is invalid.</Message></Error></Errors>\
               </ErrorResponse>"
            .into(),
    };
    let (t, _stub) = with_stub(vec![wrapped]);
    t.args(&["-p", "dev", "--token", "123456"])
        .run()
        .code(4)
        .stderr_contains("STS does not know the access key ****MPLE in [dev-long-term]")
        .expect_credentials(long_term());
    // No document at all: still a refusal, said with its status.
    let bare = sts_stub::Answer {
        status: 403,
        body: "<html>Forbidden</html>".into(),
    };
    let (t, _stub) = with_stub(vec![bare]);
    t.args(&["-p", "dev", "--token", "123456"])
        .run()
        .code(4)
        .stderr_contains("error: STS refused the request with HTTP 403")
        .expect_credentials(long_term());
}

#[test]
fn unreachable_endpoint_is_exit_5() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    let url = format!("http://127.0.0.1:{port}");
    Test::new()
        .credentials_file(long_term())
        .args(&["-p", "dev", "--token", "123456", "--endpoint-url", &url])
        .run()
        .code(5)
        .stderr_contains(&format!("error: could not reach STS at {url}: "))
        .stderr_contains("hint: check your network connection")
        .expect_credentials(long_term());
}

#[test]
fn an_answer_that_is_not_xml_is_exit_5() {
    let (t, _stub) = with_stub(vec![sts_stub::Answer {
        status: 200,
        body: "<html>captive portal</html>".into(),
    }]);
    t.args(&["-p", "dev", "--token", "123456"])
        .run()
        .code(5)
        .stderr_contains("the answer was not what STS sends")
        .expect_credentials(long_term());
}

/// Bad input is refused before any network call, with exit 2 and the file unchanged.
fn bad_input(file: &str, args: &[&str], code: i32, message: &str) {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let mut all = vec!["-p", "dev", "--endpoint-url", &stub.url];
    all.extend(args);
    Test::new()
        .credentials_file(file)
        .args(&all)
        .run()
        .code(code)
        .stderr_contains(message)
        .expect_credentials(file);
    assert!(stub.requests().is_empty(), "STS was called for {args:?}");
}

#[test]
fn bad_codes_are_usage_errors() {
    for code in ["12345", "1234567", "12a456", ""] {
        bad_input(
            &long_term(),
            &["--token", code],
            2,
            "the MFA code from --token is not 6 digits",
        );
    }
}

#[test]
fn durations_outside_the_limits_are_usage_errors() {
    bad_input(
        &long_term(),
        &["--token", "123456", "--duration", "899"],
        2,
        "the duration 899 s (from --duration) is outside",
    );
    bad_input(
        &long_term(),
        &["--token", "123456", "--duration", "129601"],
        2,
        "is outside what AWS allows for a session",
    );
    bad_input(
        &long_term(),
        &[
            "--token",
            "123456",
            "--duration",
            "13h",
            "--assume-role",
            ROLE,
        ],
        2,
        "is outside what AWS allows for a role session",
    );
    bad_input(
        &long_term(),
        &["--token", "123456", "--duration", "soon"],
        2,
        "invalid value 'soon' for '--duration <DURATION>': give seconds (43200) or hours",
    );
}

#[test]
fn malformed_serial_and_role_are_usage_errors() {
    bad_input(
        &long_term(),
        &["--token", "123456", "--device", "arn:aws:iam::1234:mfa/me"],
        2,
        "the MFA device \"arn:aws:iam::1234:mfa/me\" (from --device) is not valid",
    );
    bad_input(
        &long_term(),
        &[
            "--token",
            "123456",
            "--assume-role",
            "arn:aws:iam::123456789012:rol/admin",
        ],
        2,
        "the role ARN \"arn:aws:iam::123456789012:rol/admin\" (from --assume-role) is not valid",
    );
}

#[test]
fn a_session_key_in_the_long_term_section_is_refused() {
    let file = long_term().replace("AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE");
    bad_input(&file, &["--token", "123456"], 4, "[dev-long-term] in ");
    bad_input(
        &file,
        &["--token", "123456"],
        4,
        "holds session credentials (an ASIA key or a session token)",
    );
}

#[test]
fn missing_device_says_where_to_set_it() {
    let file = long_term().replace(&format!("aws_mfa_device = {DEVICE}\n"), "");
    bad_input(
        &file,
        &["--token", "123456"],
        1,
        "no MFA device is set for dev",
    );
    bad_input(
        &file,
        &["--token", "123456"],
        1,
        "hint: set aws_mfa_device in [dev-long-term]",
    );
}

#[test]
fn missing_long_term_section_is_named() {
    bad_input("", &["--token", "123456"], 1, "there is no profile dev in ");
    bad_input(
        "[dev]\nregion = eu-west-1\n",
        &["--token", "123456"],
        1,
        "there is no [dev-long-term] in ",
    );
}

#[test]
fn plain_stsmfa_on_what_aws_configure_left_points_to_setup_default() {
    let file = "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
                aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
                region = eu-west-1\n";
    Test::new()
        .credentials_file(file)
        .run()
        .code(6)
        .stderr_contains("error: [default] in ")
        .stderr_contains(" holds long-term keys; a refresh would overwrite them")
        .stderr_contains("hint: move them to [default-long-term] with `stsmfa setup default`")
        .expect_credentials(file);
}

#[test]
fn messages_come_in_the_order_the_profiles_were_named() {
    // qa cannot be refreshed (no long-term section), prod needs a session, dev has one.
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let file = format!(
        "{}\n{}",
        two_profiles_one_device(),
        written_session("assumed_role = False\nsession_duration_seconds = 43200\n")
    );
    let run = Test::new()
        .credentials_file(&file)
        .file(".aws/config", "[profile qa]\nregion = eu-west-1\n")
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["qa", "prod", "dev", "--token", "123456"])
        .run()
        .code(1);
    let said: Vec<String> = run
        .stderr_text()
        .lines()
        .filter(|l| !l.starts_with("  hint:"))
        .map(|l| l.split(':').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(said, ["qa", "prod", "dev"], "{}", run.stderr_text());
    assert!(run.stderr_text().contains("dev: valid until"));
    assert!(run.stderr_text().contains("prod: refreshed, valid until"));
}

#[test]
fn every_profile_name_is_checked_before_a_code_is_asked_for() {
    // prdo is in neither file: nothing is refreshed, no code is asked for or sent.
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    Test::new()
        .credentials_file(two_profiles_one_device())
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["dev", "prdo", "--token", "123456"])
        .run()
        .code(1)
        .stderr_lacks("refreshed")
        .stderr_contains("error: there is no profile prdo in ")
        .stderr_contains("hint: did you mean prod?")
        .expect_credentials(two_profiles_one_device());
    assert!(stub.requests().is_empty());
}

#[test]
fn long_term_keys_in_the_short_term_section_are_never_overwritten() {
    let file = format!(
        "{}\n[dev]\naws_access_key_id = AKIAOTHEREXAMPLE0000\naws_secret_access_key = x\n",
        long_term()
    );
    bad_input(&file, &["--token", "123456"], 6, "[dev] in ");
    bad_input(
        &file,
        &["--token", "123456"],
        6,
        "holds long-term keys; a refresh would overwrite them",
    );
    bad_input(
        &file,
        &["--token", "123456"],
        6,
        "hint: move them to [dev-long-term] with `stsmfa setup dev`",
    );
}

#[test]
fn without_a_code_or_terminal_it_exits_3_naming_the_three_ways() {
    bad_input(
        &long_term(),
        &[],
        3,
        "an MFA code is needed for dev and no prompt can be shown",
    );
    bad_input(
        &long_term(),
        &[],
        3,
        "give --token CODE, --token - (one line on stdin), or --token-command CMD",
    );
}

#[test]
fn code_from_stdin() {
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    t.args(&["-p", "dev", "--token", "-"])
        .stdin("654321\n")
        .run()
        .success();
    assert_eq!(stub.only_request().param("TokenCode"), Some("654321"));
}

#[test]
fn the_code_from_stdin_is_one_line_and_the_rest_is_the_commands() {
    // exec --token -: the first line is the code (spaced as an authenticator shows it), every
    // byte after it is the command's standard input.
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    t.args(&["exec", "dev", "--token", "-", "--", "cat"])
        .stdin("65 43 21\nthe command's input\nand more\n")
        .run()
        .success()
        .stdout("the command's input\nand more\n");
    assert_eq!(stub.only_request().param("TokenCode"), Some("654321"));
}

#[test]
fn code_from_a_command_with_the_profile_in_its_environment() {
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    let _home = t
        .args(&[
            "-p",
            "dev",
            "--token-command",
            "echo \"$STSMFA_PROFILE\" > seen; echo 111222",
        ])
        .run()
        .success()
        .expect_file("seen", "dev\n");
    assert_eq!(stub.only_request().param("TokenCode"), Some("111222"));
}

#[test]
fn code_from_mfa_process_in_the_long_term_section() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let file = format!("{}mfa_process = echo 333444\n", long_term());
    Test::new()
        .credentials_file(&file)
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["-p", "dev", "-v"])
        .run()
        .success()
        .stderr_contains("dev: MFA code command from mfa_process in [dev-long-term]");
    assert_eq!(stub.only_request().param("TokenCode"), Some("333444"));
}

#[test]
fn settings_come_from_the_config_file_and_verbose_says_so() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let file = long_term().replace(&format!("aws_mfa_device = {DEVICE}\n"), "");
    let run = Test::new()
        .credentials_file(&file)
        .file(
            ".aws/config",
            format!(
                "[profile dev]\nmfa_serial = {DEVICE}\nregion = eu-west-1\n\
                 duration_seconds = 7200\nendpoint_url = {}\n",
                stub.url
            ),
        )
        .args(&["-p", "dev", "--token", "123456", "-v"])
        .run()
        .success()
        .stderr_contains(&format!(
            "dev: device {DEVICE} from mfa_serial in [profile dev], "
        ))
        .stderr_contains("dev: duration 7200 s from duration_seconds in [profile dev]")
        .stderr_contains("dev: region eu-west-1 from region in [profile dev]");
    let req = stub.only_request();
    assert_eq!(req.param("DurationSeconds"), Some("7200"));
    let auth = req.header("authorization").unwrap_or_default();
    assert!(auth.contains("/eu-west-1/sts/aws4_request"), "{auth}");
    let err = run.stderr_text();
    assert!(
        !err.contains("wJalrXUtnFEMI")
            && !err.contains(SESSION_SECRET)
            && !err.contains(SESSION_TOKEN)
    );
}

#[test]
fn flags_beat_environment_beat_files() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    Test::new()
        .credentials_file(format!("{}duration_seconds = 3600\n", long_term()))
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .env("MFA_STS_DURATION", "2h")
        .args(&["-p", "dev", "--token", "123456"])
        .run()
        .success();
    assert_eq!(stub.only_request().param("DurationSeconds"), Some("7200"));
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    Test::new()
        .credentials_file(long_term())
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .env("MFA_STS_DURATION", "2h")
        .args(&["-p", "dev", "--token", "123456", "--duration", "90m"])
        .run()
        .success();
    assert_eq!(stub.only_request().param("DurationSeconds"), Some("5400"));
}

#[test]
fn aws_profile_works_before_the_section_exists() {
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    t.env("AWS_PROFILE", "dev")
        .args(&["--token", "123456"])
        .run()
        .success()
        .stderr_contains("dev: refreshed");
    assert_eq!(stub.requests().len(), 1);
}

/// A section `aws-mfa` made keeps `aws-mfa`'s format (`aws_security_token`, an expiration
/// without `T` and `Z`), so that `aws-mfa` takes the new session as its own.
#[test]
fn a_section_keeps_the_format_it_has() {
    let (t, _stub) = with_stub(vec![sts_stub::session_answer()]);
    let old = "[dev]\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\n\
               aws_session_token = old\naws_security_token = old\n\
               expiration = 2020-01-01 00:00:00\nregion = eu-west-1\n";
    t.credentials_file(format!("{}\n{old}", long_term()))
        .args(&["-p", "dev", "--token", "123456"])
        .run()
        .success()
        .expect_credentials(format!(
            "{}\n[dev]\naws_access_key_id = {SESSION_KEY}\naws_secret_access_key = {SESSION_SECRET}\n\
             aws_session_token = {SESSION_TOKEN}\naws_security_token = {SESSION_TOKEN}\n\
             expiration = {}\nregion = eu-west-1\nassumed_role = False\n",
            long_term(),
            EXPIRATION.replace('T', " ").trim_end_matches('Z')
        ));
}

fn two_profiles_one_device() -> String {
    let second = long_term()
        .replace("# alice's keys\n", "")
        .replace("[dev-long-term]", "[prod-long-term]");
    format!("{}\n{second}", long_term())
}

#[test]
fn profiles_sharing_a_device_get_a_fresh_code_each_from_the_command() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    // Each run of the command shows the next code, as an authenticator would.
    let counter = "n=$(cat n 2>/dev/null || echo 100000); echo $((n+1)) > n; echo $((n+1))";
    let _home = Test::new()
        .credentials_file(two_profiles_one_device())
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["refresh", "--all", "--token-command", counter])
        .run()
        .success()
        .stderr_contains("dev: refreshed")
        .stderr_contains("prod: refreshed");
    let codes = stub.token_codes();
    assert_eq!(codes, vec!["100001", "100002"]);
}

#[test]
fn one_code_for_two_profiles_on_one_device_refreshes_one_and_exits_3() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    Test::new()
        .credentials_file(two_profiles_one_device())
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["refresh", "dev", "prod", "--token", "123456"])
        .run()
        .code(3)
        .stderr_contains("dev: refreshed")
        .stderr_contains("prod needs a fresh MFA code: the one given was already used");
    assert_eq!(stub.requests().len(), 1);
}

#[test]
fn one_failing_profile_does_not_stop_the_others() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    Test::new()
        .credentials_file(two_profiles_one_device())
        .file(".aws/config", "[profile qa]\nregion = eu-west-1\n")
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["refresh", "qa", "prod", "--token", "123456"])
        .run()
        .code(1)
        .stderr_contains("there is no [qa-long-term]")
        .stderr_contains("prod: refreshed");
}

#[test]
fn no_secret_ever_reaches_the_output() {
    let secrets = [
        "wJalrXUtnFEMI",
        SESSION_SECRET,
        SESSION_TOKEN,
        "AKIAIOSFODNN7EXAMPLE",
    ];
    let valid = format!(
        "{}\n{}",
        long_term(),
        written_session("assumed_role = False\nsession_duration_seconds = 43200\n")
    );
    let runs: Vec<(String, Vec<&str>, sts_stub::Answer)> = vec![
        (
            long_term(),
            vec!["-v", "-p", "dev", "--token", "123456"],
            sts_stub::session_answer(),
        ),
        (
            long_term(),
            vec![
                "-v",
                "-p",
                "dev",
                "--token",
                "123456",
                "--assume-role",
                ROLE,
            ],
            sts_stub::role_answer(),
        ),
        (
            valid.clone(),
            vec!["-v", "-p", "dev"],
            sts_stub::session_answer(),
        ),
        (
            valid.clone(),
            vec!["-v", "clear", "dev"],
            sts_stub::session_answer(),
        ),
        (
            long_term(),
            vec!["-v", "-p", "dev", "--token", "123456"],
            error_answer(403, "AccessDenied", "MultiFactorAuthentication failed"),
        ),
        (
            long_term(),
            vec!["-v", "-p", "dev", "--token", "123456"],
            error_answer(403, "SignatureDoesNotMatch", "bad signature"),
        ),
        (
            long_term(),
            vec!["-v", "-p", "dev", "--token", "123456"],
            error_answer(400, "Other", "something else"),
        ),
        (
            long_term(),
            vec!["-v", "-p", "dev", "--token", "12345"],
            sts_stub::session_answer(),
        ),
        (
            long_term(),
            vec!["-v", "-p", "dev"],
            sts_stub::session_answer(),
        ),
    ];
    for (file, args, answer) in runs {
        let stub = Stub::start(vec![answer]);
        let run = Test::new()
            .credentials_file(&file)
            .env("AWS_ENDPOINT_URL_STS", &stub.url)
            .args(&args)
            .run();
        let all = format!("{}{}", run.stdout_text(), run.stderr_text());
        for secret in secrets {
            assert!(!all.contains(secret), "{args:?} printed a secret:\n{all}");
        }
    }
}

#[test]
fn a_server_that_never_answers_times_out_with_exit_5() {
    // Accepts the connection and then says nothing.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let silent = std::thread::spawn(move || {
        let held = listener.accept();
        std::thread::sleep(std::time::Duration::from_secs(3));
        drop(held);
    });
    let started = std::time::Instant::now();
    Test::new()
        .credentials_file(long_term())
        .args(&[
            "-p",
            "dev",
            "--token",
            "123456",
            "--endpoint-url",
            &url,
            "--timeout",
            "1s",
        ])
        .env("AWS_MAX_ATTEMPTS", "1")
        .run()
        .code(5)
        .stderr_contains(&format!(
            "could not reach STS at {url}: no answer within 1 s"
        ))
        .expect_credentials(long_term());
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    let _ = silent.join();
}

#[test]
fn a_failing_token_command_is_explained() {
    bad_input(
        &long_term(),
        &["--token-command", "echo oops >&2; exit 7"],
        1,
        "could not get an MFA code from the MFA code command `echo oops >&2; exit 7`: it exited with 7",
    );
    bad_input(
        &long_term(),
        &["--token-command", "echo no code here"],
        1,
        "it printed no 6-digit code",
    );
}

#[test]
fn a_misspelled_profile_gets_a_suggestion() {
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    t.args(&["-p", "dve", "--token", "123456"])
        .run()
        .code(1)
        .stderr_contains("error: there is no profile dve in ")
        .stderr_contains("hint: did you mean dev? (stsmfa status lists the profiles)")
        .expect_credentials(long_term());
    assert!(stub.requests().is_empty());
    // Nothing close: how to make it.
    let (t, _stub) = with_stub(vec![sts_stub::session_answer()]);
    t.args(&["-p", "production", "--token", "123456"])
        .run()
        .code(1)
        .stderr_lacks("did you mean")
        .stderr_contains("hint: stsmfa setup production sets it up");
    // A profile of the config file without a long-term section: what the section needs,
    // with the closest profile that has one.
    let (t, _stub) = with_stub(vec![sts_stub::session_answer()]);
    t.file(".aws/config", "[profile dve]\nregion = eu-west-1\n")
        .args(&["-p", "dve", "--token", "123456"])
        .run()
        .code(1)
        .stderr_contains("error: there is no [dve-long-term] in ")
        .stderr_contains("hint: did you mean dev? Otherwise put the long-term access key");
}

#[test]
fn aws_mfa_flag_spellings_are_taken() {
    let (t, stub) = with_stub(vec![sts_stub::role_session_answer()]);
    t.args(&[
        "--profile",
        "dev",
        "--long-suffix",
        "long-term",
        "--assume",
        ROLE,
        "--role-session-name",
        "alice",
        "--token",
        "123456",
    ])
    .run()
    .success()
    .stderr_contains(&format!("dev: refreshed as {ROLE}"));
    let sent = stub.requests();
    assert_eq!(sent[0].param("Action"), Some("AssumeRole"));
    assert_eq!(sent[0].param("RoleArn"), Some(ROLE));
}

#[test]
fn verbose_names_the_config_section_the_default_profile_was_read_from() {
    let home = |config: &str| {
        Test::new()
            .credentials_file(long_term().replace("[dev-long-term]", "[default-long-term]"))
            .file(".aws/config", config)
            .args(&["-v", "--no-input"])
    };
    home("[default]\nregion = eu-west-1\n")
        .run()
        .code(3)
        .stderr_contains("default: region eu-west-1 from region in [default], ")
        .stderr_lacks("[profile default]");
    home("[default]\nregion = eu-west-1\n\n[profile default]\nregion = eu-west-2\n")
        .run()
        .code(3)
        .stderr_contains("default: region eu-west-2 from region in [profile default], ");
}

#[test]
fn a_timeout_that_is_not_whole_seconds_is_a_usage_error_before_anything_is_sent() {
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    t.args(&["-p", "dev", "--token", "123456"])
        .env("STSMFA_LOCK_TIMEOUT", "ten")
        .run()
        .code(2)
        .stderr(
            "error: the lock timeout \"ten\" (from STSMFA_LOCK_TIMEOUT) is not valid\n  \
             hint: give a whole number of seconds\n",
        );
    assert!(stub.requests().is_empty());
}

/// `stsmfa sttaus dev` refreshed dev, then failed on a profile named `sttaus`.
#[test]
fn a_mistyped_command_is_a_usage_error_before_anything_is_done() {
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    t.args(&["sttaus", "dev", "--token", "123456"])
        .run()
        .code(2)
        .stderr(
            "error: unknown command 'sttaus'; did you mean 'status'?\n  \
             hint: no profile is named sttaus either; `stsmfa --help` lists the commands\n",
        )
        .expect_credentials(long_term());
    assert!(stub.requests().is_empty());
}

/// A profile whose name is one typo away from a command is still a profile.
#[test]
fn a_profile_named_like_a_command_is_refreshed() {
    let (t, stub) = with_stub(vec![sts_stub::session_answer()]);
    let file = long_term().replace("[dev-long-term]", "[statu-long-term]");
    t.credentials_file(&file)
        .args(&["statu", "--token", "123456"])
        .run()
        .success();
    assert_eq!(stub.requests().len(), 1);
}
