//! Chained roles (SPEC §1, §3, §7): one MFA code in the morning for the base profile, then
//! every role assumed with the base's MFA session, no code, all day, unattended. Against the
//! in-test STS, which answers by action and records which key signed each call.

use std::time::Duration;

use crate::common::Test;
use crate::common::sts_stub::{
    EXPIRATION, ROLE_EXPIRATION, ROLE_KEY, ROLE_SECRET, ROLE_TOKEN, SESSION_KEY, SESSION_SECRET,
    SESSION_TOKEN, Stub,
};

const DEVICE: &str = "arn:aws:iam::123456789012:mfa/alice";
const ROLES: [(&str, &str); 3] = [
    ("admin", "arn:aws:iam::210987654321:role/admin"),
    ("ops", "arn:aws:iam::210987654321:role/ops"),
    ("ro", "arn:aws:iam::210987654321:role/read-only"),
];

fn base() -> String {
    format!(
        "# alice\n[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
         aws_mfa_device = {DEVICE}\n"
    )
}

fn chained(name: &str, role: &str) -> String {
    format!("[{name}-long-term]\nsource_profile = dev\nassume_role = {role}\n")
}

/// The base and the three chained roles.
fn morning() -> String {
    let mut file = base();
    for (name, role) in ROLES {
        file.push('\n');
        file.push_str(&chained(name, role));
    }
    file
}

fn dev_session(expiration: &str) -> String {
    format!(
        "[dev]\naws_access_key_id = {SESSION_KEY}\naws_secret_access_key = {SESSION_SECRET}\n\
         aws_session_token = {SESSION_TOKEN}\nexpiration = {expiration}\nassumed_role = False\n\
         session_duration_seconds = 43200\n"
    )
}

fn role_session(name: &str, role: &str, expiration: &str) -> String {
    format!(
        "[{name}]\naws_access_key_id = {ROLE_KEY}\naws_secret_access_key = {ROLE_SECRET}\n\
         aws_session_token = {ROLE_TOKEN}\nexpiration = {expiration}\nassumed_role = True\n\
         assumed_role_arn = {role}\nsession_duration_seconds = 3600\n"
    )
}

fn with_sts(file: &str) -> (Test, Stub) {
    let stub = Stub::sts(Duration::ZERO);
    let t = Test::new()
        .credentials_file(file)
        .env("AWS_ENDPOINT_URL_STS", &stub.url);
    (t, stub)
}

#[test]
fn one_code_in_the_morning_serves_every_role() {
    let (t, stub) = with_sts(&morning());
    let run = t
        .args(&["--all", "--token", "123456", "--no-input"])
        .run()
        .success()
        .stderr_contains("dev: refreshed, valid until")
        .stderr_contains("admin: refreshed as arn:aws:iam::210987654321:role/admin");
    let mut expected = format!("{}\n{}", morning(), dev_session(&EXPIRATION));
    for (name, role) in ROLES {
        expected.push('\n');
        expected.push_str(&role_session(name, role, &ROLE_EXPIRATION));
    }
    run.expect_credentials(&expected);
    let requests = stub.requests();
    assert_eq!(requests.len(), 4);
    let sessions: Vec<_> = requests
        .iter()
        .filter(|r| r.param("Action") == Some("GetSessionToken"))
        .collect();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].signed_by(), Some("AKIAIOSFODNN7EXAMPLE"));
    assert_eq!(sessions[0].param("TokenCode"), Some("123456"));
    assert_eq!(sessions[0].param("SerialNumber"), Some(DEVICE));
    let mut roles: Vec<&str> = Vec::new();
    for r in requests
        .iter()
        .filter(|r| r.param("Action") == Some("AssumeRole"))
    {
        // Signed with dev's MFA session, no code, at most an hour.
        assert_eq!(r.signed_by(), Some(SESSION_KEY));
        assert_eq!(r.header("x-amz-security-token"), Some(SESSION_TOKEN));
        assert_eq!(r.param("TokenCode"), None);
        assert_eq!(r.param("SerialNumber"), None);
        assert_eq!(r.param("DurationSeconds"), Some("3600"));
        roles.push(r.param("RoleArn").unwrap_or_default());
    }
    roles.sort_unstable();
    assert_eq!(
        roles,
        [
            "arn:aws:iam::210987654321:role/admin",
            "arn:aws:iam::210987654321:role/ops",
            "arn:aws:iam::210987654321:role/read-only",
        ]
    );
}

#[test]
fn expired_roles_are_assumed_again_unattended_with_no_code() {
    let mut file = format!("{}\n{}", morning(), dev_session(&EXPIRATION));
    for (name, role) in ROLES {
        file.push('\n');
        file.push_str(&role_session(name, role, "2020-01-01T00:00:00Z"));
    }
    let (t, stub) = with_sts(&file);
    let mut expected = format!("{}\n{}", morning(), dev_session(&EXPIRATION));
    for (name, role) in ROLES {
        expected.push('\n');
        expected.push_str(&role_session(name, role, &ROLE_EXPIRATION));
    }
    t.args(&["--no-input", "--all"])
        .run()
        .success()
        .stderr_contains("dev: valid until")
        .expect_credentials(&expected);
    let requests = stub.requests();
    assert_eq!(requests.len(), 3);
    assert!(
        requests
            .iter()
            .all(|r| r.param("Action") == Some("AssumeRole") && r.signed_by() == Some(SESSION_KEY))
    );
}

#[test]
fn when_the_base_session_has_run_out_a_code_is_needed_again() {
    let file = format!("{}\n{}", morning(), dev_session("2020-01-01T00:00:00Z"));
    let (t, stub) = with_sts(&file);
    t.args(&["--no-input", "--all"])
        .run()
        .code(3)
        .stderr_contains("dev: error: an MFA code is needed for dev")
        .stderr_contains(
            "admin: error: this role is assumed with the session of dev, which could not be made",
        )
        .expect_credentials(&file);
    assert!(stub.requests().is_empty());
}

#[test]
fn a_chained_role_alone_refreshes_its_base_first() {
    let (t, stub) = with_sts(&morning());
    t.args(&["-p", "admin", "--token", "123456"])
        .run()
        .success()
        .stderr_contains("dev: refreshed")
        .stderr_contains("admin: refreshed as");
    let actions: Vec<String> = stub
        .requests()
        .iter()
        .filter_map(|r| r.param("Action").map(str::to_owned))
        .collect();
    assert_eq!(actions, ["GetSessionToken", "AssumeRole"]);
}

#[test]
fn credential_process_of_a_chained_role_needs_no_code_while_the_base_is_valid() {
    let file = format!("{}\n{}", morning(), dev_session(&EXPIRATION));
    let (t, stub) = with_sts(&file);
    let run = t
        .args(&["credential-process", "admin", "--no-input"])
        .run()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout_text()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["AccessKeyId"], ROLE_KEY);
    assert_eq!(json["SessionToken"], ROLE_TOKEN);
    assert_eq!(json["Expiration"], ROLE_EXPIRATION.as_str());
    assert_eq!(stub.requests().len(), 1);
}

#[test]
fn a_chained_role_longer_than_an_hour_is_a_usage_error() {
    let file = format!(
        "{}\n[admin-long-term]\nsource_profile = dev\nassume_role = {}\nduration_seconds = 7200\n",
        base(),
        ROLES[0].1
    );
    let (t, stub) = with_sts(&file);
    t.args(&["-p", "admin", "--token", "123456"])
        .run()
        .code(2)
        .stderr_contains("is outside what AWS allows for a chained role session (AWS caps role chaining at one hour)")
        .stderr_contains("hint: give 900 to 3600 seconds (15m to 1h)");
    let run = Test::new()
        .credentials_file(morning())
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["-p", "admin", "--token", "123456", "--duration", "2h"])
        .run()
        .code(2);
    drop(run);
    assert!(stub.requests().is_empty());
}

#[test]
fn chains_that_cannot_be_followed_name_the_profiles() {
    let cases = [
        (
            "[admin-long-term]\nsource_profile = nobody\nassume_role = arn:aws:iam::210987654321:role/admin\n".to_owned(),
            "[admin-long-term] in",
            "its source_profile is nobody, but there is no [nobody-long-term]",
        ),
        (
            format!("{}\n[a-long-term]\nsource_profile = admin\nassume_role = arn:aws:iam::210987654321:role/a\n\n[admin-long-term]\nsource_profile = a\nassume_role = arn:aws:iam::210987654321:role/admin\n", base()),
            "[admin-long-term] in",
            "its source_profile a is chained too (source_profile = admin in [a-long-term]); a chain is one level deep",
        ),
        (
            "[admin-long-term]\nsource_profile = admin\nassume_role = arn:aws:iam::210987654321:role/admin\n".to_owned(),
            "[admin-long-term] in",
            "its source_profile is admin itself",
        ),
        (
            format!("{}\n[admin-long-term]\nsource_profile = dev\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = x\nassume_role = arn:aws:iam::210987654321:role/admin\n", base()),
            "[admin-long-term] in",
            "it has source_profile = dev and keys of its own",
        ),
    ];
    for (file, where_, what) in cases {
        let (t, stub) = with_sts(&file);
        t.args(&["-p", "admin", "--token", "123456"])
            .run()
            .code(1)
            .stderr_contains(where_)
            .stderr_contains(what)
            .expect_credentials(&file);
        assert!(stub.requests().is_empty(), "{what}");
    }
}

#[test]
fn status_shows_where_a_chained_role_comes_from() {
    let file = format!(
        "{}\n{}\n{}",
        morning(),
        dev_session(&EXPIRATION),
        role_session("admin", ROLES[0].1, &ROLE_EXPIRATION)
    );
    let run = Test::new()
        .credentials_file(&file)
        .args(&["status", "--json", "admin", "ops"])
        .run()
        .code(1);
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout_text()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json[0]["kind"], "role");
    assert_eq!(json[0]["role_arn"], ROLES[0].1);
    assert_eq!(json[0]["source_profile"], "dev");
    assert_eq!(json[0]["state"], "valid");
    assert_eq!(json[1]["state"], "missing");
    run.test
        .again()
        .args(&["status", "admin"])
        .run()
        .success()
        .stdout_contains("arn:aws:iam::210987654321:role/admin via dev");
}

#[test]
fn setup_writes_a_chained_role() {
    let t = Test::new().credentials_file(base());
    let run = t
        .args(&[
            "setup",
            "admin",
            "--source-profile",
            "dev",
            "--assume-role",
            ROLES[0].1,
            "--duration",
            "45m",
        ])
        .run()
        .success()
        .stderr_contains("admin: saved [admin-long-term]");
    run.expect_credentials(format!(
        "{}\n[admin-long-term]\nsource_profile = dev\nassume_role = {}\nduration_seconds = 2700\n",
        base(),
        ROLES[0].1
    ));
    let t = Test::new().credentials_file(base());
    t.args(&[
        "setup",
        "admin",
        "--source-profile",
        "nobody",
        "--assume-role",
        ROLES[0].1,
    ])
    .run()
    .code(1)
    .stderr_contains("there is no [nobody-long-term] to chain to")
    .expect_credentials(base());
    let t = Test::new().credentials_file(base());
    t.args(&[
        "setup",
        "admin",
        "--source-profile",
        "dev",
        "--assume-role",
        ROLES[0].1,
        "--duration",
        "2h",
    ])
    .run()
    .code(2)
    .stderr_contains("AWS caps role chaining at one hour");
}

#[test]
fn a_short_session_is_not_expiring_the_moment_it_is_made() {
    // A 15-minute session: the margin is a quarter of it, not the 15-minute default.
    let in_14m = (chrono::Utc::now() + chrono::Duration::minutes(14))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let file = format!(
        "{}duration_seconds = 900\n\n{}",
        base(),
        dev_session(&in_14m).replace("43200", "900")
    );
    let (t, stub) = with_sts(&file);
    t.args(&["-p", "dev", "--no-input"])
        .run()
        .success()
        .stderr_contains("dev: valid until");
    assert!(stub.requests().is_empty());
}

#[test]
fn a_short_session_asked_for_once_is_not_expiring_however_it_was_asked_for() {
    // Made with --duration 15m on the command line (nothing saved): the section records its
    // length, so neither status nor the next refresh takes it for "expiring" with 14 min left.
    let in_14m = (chrono::Utc::now() + chrono::Duration::minutes(14))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let file = format!(
        "{}\n{}",
        base(),
        dev_session(&in_14m).replace("43200", "900")
    );
    let (t, stub) = with_sts(&file);
    let run = t
        .args(&["status", "dev"])
        .run()
        .success()
        .stdout_contains(" valid ");
    run.test
        .again()
        .args(&["-p", "dev", "--no-input"])
        .run()
        .success()
        .stderr_contains("dev: valid until");
    assert!(stub.requests().is_empty());
    // What a refresh with --duration writes is what is read.
    let (t, _stub) = with_sts(&base());
    let run = t
        .args(&["-p", "dev", "--token", "123456", "--duration", "15m"])
        .run()
        .success();
    let written = std::fs::read_to_string(run.test.credentials()).unwrap_or_default();
    assert!(
        written.contains("\nsession_duration_seconds = 900\n"),
        "{written}"
    );
}

#[test]
fn status_flags_a_role_session_made_for_another_role() {
    // admin is set up for the admin role; its section holds a session of the ops role (made
    // before the profile was changed): the next refresh assumes admin again, and status says so.
    let file = format!(
        "{}\n{}\n{}",
        morning(),
        dev_session(&EXPIRATION),
        role_session("admin", ROLES[1].1, &ROLE_EXPIRATION)
    );
    let run = Test::new()
        .credentials_file(&file)
        .args(&["status", "admin"])
        .run()
        .code(1);
    let table = run.stdout_text();
    let row = table.lines().nth(1).unwrap_or_default();
    assert!(row.contains(" other role "), "{table}");
    assert!(row.contains(ROLES[1].1), "{table}");
    let run = run
        .test
        .again()
        .args(&["status", "--json", "admin"])
        .run()
        .code(1);
    assert!(
        run.stdout_text().contains("\"state\":\"other role\""),
        "{}",
        run.stdout_text()
    );
}

#[test]
fn the_same_code_twice_on_stdin_for_one_device_is_not_sent() {
    let file = format!(
        "{}\n[prod-long-term]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\n\
         aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n\
         aws_mfa_device = {DEVICE}\n",
        base()
    );
    let (t, stub) = with_sts(&file);
    t.args(&["refresh", "dev", "prod", "--token", "-"])
        .stdin("111111\n111 111\n")
        .run()
        .code(3)
        .stderr_contains("prod: error: prod needs a fresh MFA code: the one given was already used")
        .stderr_contains("dev: refreshed");
    assert_eq!(stub.token_codes(), ["111111"]);
}

/// A token command that does not finish in 30 s is ended with everything it started.
#[test]
fn a_token_command_that_times_out_leaves_nothing_running() {
    let (t, stub) = with_sts(&base());
    let run = t
        .env("STSMFA_TOKEN_COMMAND_TIMEOUT", "1")
        .args(&[
            "-p",
            "dev",
            "--token-command",
            "sleep 300 & echo $! > \"$HOME/sleeper\"; wait",
        ])
        .run()
        .code(1)
        .stderr_contains("it did not finish within 1 s");
    let pid = std::fs::read_to_string(run.test.home().join("sleeper")).unwrap_or_default();
    let pid = pid.trim();
    assert!(!pid.is_empty(), "the command did not start");
    // Gone, or a zombie waiting for a reaper: not running.
    std::thread::sleep(Duration::from_millis(200));
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit(") ").next().and_then(|s| s.chars().next());
    assert!(
        matches!(state, None | Some('Z' | 'X')),
        "the command's sleep is still running: {stat}"
    );
    assert!(stub.requests().is_empty());
}

#[test]
fn force_on_a_role_renews_the_role_not_its_valid_base() {
    let file = format!(
        "{}\n{}\n{}",
        morning(),
        dev_session(&EXPIRATION),
        role_session("admin", ROLES[0].1, &ROLE_EXPIRATION)
    );
    let (t, stub) = with_sts(&file);
    t.args(&["-p", "admin", "--force", "--no-input"])
        .run()
        .success()
        .stderr_contains("admin: refreshed as");
    let requests = stub.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].param("Action"), Some("AssumeRole"));
}

/// A role defined the AWS CLI way, in `~/.aws/config`, on top of a profile stsmfa manages.
fn config_role() -> String {
    "[profile admin]\nrole_arn = arn:aws:iam::210987654321:role/admin\nsource_profile = dev\n\
     external_id = ext-1\nrole_session_name = alice-admin\nregion = eu-west-1\n"
        .to_owned()
}

#[test]
fn a_role_of_the_config_file_is_assumed_from_the_base_session_and_never_written() {
    let file = format!("{}\n{}", base(), dev_session(&EXPIRATION));
    let (t, stub) = with_sts(&file);
    let run = t
        .file(".aws/config", config_role())
        .args(&[
            "exec",
            "admin",
            "--no-input",
            "--",
            "sh",
            "-c",
            "printf '%s|%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_REGION\" \"$STSMFA_PROFILE\"",
        ])
        .run()
        .success();
    assert_eq!(run.stdout_text(), format!("{ROLE_KEY}|eu-west-1|admin"));
    let sent = stub.only_request();
    assert_eq!(sent.param("Action"), Some("AssumeRole"));
    assert_eq!(sent.signed_by(), Some(SESSION_KEY));
    assert_eq!(sent.param("RoleArn"), Some(ROLES[0].1));
    assert_eq!(sent.param("ExternalId"), Some("ext-1"));
    assert_eq!(sent.param("RoleSessionName"), Some("alice-admin"));
    assert_eq!(sent.param("DurationSeconds"), Some("3600"));
    assert_eq!(sent.param("TokenCode"), None);
    // -v names where each setting came from: the config file's profile.
    let verbose = run
        .test
        .again()
        .args(&["-v", "exec", "admin", "--no-input", "--", "true"])
        .run()
        .success();
    let err = verbose.stderr_text();
    assert!(
        err.contains(
            "admin: role arn:aws:iam::210987654321:role/admin from role_arn in [profile admin], "
        ) && err.contains("admin: external id"),
        "{err}"
    );
    let run = verbose;
    // The AWS tools assume it themselves: nothing is written for it.
    run.expect_credentials(&file);
}

#[test]
fn a_role_of_the_config_file_refreshes_its_base_when_that_has_run_out() {
    let (t, stub) = with_sts(&base());
    let run = t
        .file(".aws/config", config_role())
        .args(&["env", "admin", "--token", "123456", "--shell", "sh"])
        .run()
        .success()
        .stdout_contains(&format!("export AWS_ACCESS_KEY_ID='{ROLE_KEY}'\n"));
    let actions: Vec<String> = stub
        .requests()
        .iter()
        .filter_map(|r| r.param("Action").map(str::to_owned))
        .collect();
    assert_eq!(actions, ["GetSessionToken", "AssumeRole"]);
    // Only the base's session is written.
    run.expect_credentials(format!("{}\n{}", base(), dev_session(&EXPIRATION)));
}

#[test]
fn refreshing_a_role_of_the_config_file_refreshes_its_base() {
    let (t, stub) = with_sts(&base());
    let run = t
        .file(".aws/config", config_role())
        .args(&["admin", "--token", "123456"])
        .run()
        .success()
        .stderr_contains("dev: refreshed, valid until")
        .stderr_contains("admin: a role of ")
        .stderr_contains("the AWS tools assume it with dev's session, which this run keeps fresh");
    assert_eq!(stub.only_request().param("Action"), Some("GetSessionToken"));
    run.expect_credentials(format!("{}\n{}", base(), dev_session(&EXPIRATION)));
}

#[test]
fn status_lists_a_role_of_the_config_file_with_its_base_state() {
    let file = format!("{}\n{}", base(), dev_session(&EXPIRATION));
    let run = Test::new()
        .credentials_file(&file)
        .file(".aws/config", config_role())
        .args(&["status"])
        .run()
        .success();
    let table = run.stdout_text();
    let row = table
        .lines()
        .find(|l| l.starts_with("admin "))
        .unwrap_or_else(|| panic!("no admin row:\n{table}"));
    assert!(
        row.contains(&format!("{} via dev", ROLES[0].1)) && row.contains(" valid "),
        "{table}"
    );
    let run = run
        .test
        .again()
        .args(&["status", "--json", "admin"])
        .run()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout_text()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json[0]["source_profile"], "dev");
    assert_eq!(json[0]["role_arn"], ROLES[0].1);
    assert_eq!(json[0]["state"], "valid");
    // The base expired: so is the role.
    Test::new()
        .credentials_file(format!(
            "{}\n{}",
            base(),
            dev_session("2020-01-01T00:00:00Z")
        ))
        .file(".aws/config", config_role())
        .args(&["status", "admin"])
        .run()
        .code(1)
        .stdout_contains(" expired ");
}

#[test]
fn a_role_set_up_to_ask_for_its_own_code_or_set_up_twice_is_warned_about() {
    // mfa_serial on a role of the config file: the AWS CLI would ask for a code every hour.
    let file = format!("{}\n{}", base(), dev_session(&EXPIRATION));
    let (t, _stub) = with_sts(&file);
    t.file(
        ".aws/config",
        format!("{}mfa_serial = {DEVICE}\n", config_role()),
    )
    .args(&["exec", "admin", "--no-input", "--", "true"])
    .run()
    .success()
    .stderr_contains("warning: admin: [profile admin] in ")
    .stderr_contains("has mfa_serial, so the AWS CLI asks for a code of its own every hour")
    .stderr_contains("remove mfa_serial from [profile admin]");
    // Chained in [admin-long-term] and by role_arn in the config file: the AWS CLI follows the
    // config file and never uses [admin].
    let file = format!(
        "{}\n{}\n{}",
        base(),
        dev_session(&EXPIRATION),
        chained("admin", ROLES[0].1)
    );
    let (t, _stub) = with_sts(&file);
    t.file(".aws/config", config_role())
        .args(&["admin", "--no-input"])
        .run()
        .success()
        .stderr_contains("warning: admin: set up twice, in [admin-long-term] of ")
        .stderr_contains("as a role (role_arn) in [profile admin] of ")
        .stderr_contains("keep one");
}
