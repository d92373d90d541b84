//! `exec --server` (SPEC §3): the command gets no keys but a credential server on 127.0.0.1,
//! which hands out the session and makes a new one as it runs low. Against the in-test STS,
//! whose role sessions last seconds, with a Python client in the command (the protocol as the
//! SDKs speak it), the AWS CLI, and the Rust SDK's ECS provider.

use std::fs;
use std::time::Duration;

use serde_json::Value;

use crate::common::Test;
use crate::common::sts_stub::{
    EXPIRATION, ROLE_SECRET, SESSION_KEY, SESSION_SECRET, SESSION_TOKEN, Stub, short_role_key,
};

const DEVICE: &str = "arn:aws:iam::123456789012:mfa/alice";
const ROLE: &str = "arn:aws:iam::210987654321:role/admin";

/// A client in the command: runs its steps (`get`, `get:TOKEN` with another token, `bare`
/// with no token, `sleep:SECONDS`, `env`) and appends one JSON line per step to its first
/// argument.
const CLIENT: &str = r#"
import json, os, sys, time, urllib.request, urllib.error
url = os.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
token = os.environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN", "")
out = open(sys.argv[1], "a")
for step in sys.argv[2:]:
    kind, _, arg = step.partition(":")
    if kind == "sleep":
        time.sleep(float(arg))
        continue
    if kind == "env":
        names = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE", "AWS_REGION", "STSMFA_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        out.write(json.dumps({n: os.environ.get(n) for n in names}) + "\n")
        out.flush()
        continue
    headers = {}
    if kind == "get":
        headers["Authorization"] = arg or token
    start = time.time()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            status, body = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read().decode()
    try:
        body = json.loads(body)
    except ValueError:
        pass
    out.write(json.dumps({"status": status, "body": body, "seconds": time.time() - start,
                          "at": start}) + "\n")
    out.flush()
"#;

fn base() -> String {
    format!(
        "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
         aws_mfa_device = {DEVICE}\n"
    )
}

/// dev's session, ending at `expiration`.
fn dev_session(expiration: &str) -> String {
    format!(
        "\n[dev]\naws_access_key_id = {SESSION_KEY}\naws_secret_access_key = {SESSION_SECRET}\n\
         aws_session_token = {SESSION_TOKEN}\nexpiration = {expiration}\nassumed_role = False\n"
    )
}

fn in_seconds(seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `stsmfa ARGS exec --server PROFILE -- python3 CLIENT OUT STEPS...`; returns the run and
/// the client's lines.
fn serve(
    t: Test,
    profile: &str,
    args: &[&str],
    steps: &[&str],
) -> (crate::common::Run, Vec<Value>) {
    let client = t.home().join("client.py");
    fs::write(&client, CLIENT).unwrap();
    let out = t.home().join("client.out");
    let (client, out_s) = (client.display().to_string(), out.display().to_string());
    let mut all: Vec<&str> = args.to_vec();
    all.extend([
        "exec", "--server", profile, "--", "python3", &client, &out_s,
    ]);
    all.extend(steps);
    let run = t.args(&all).run();
    let lines = fs::read_to_string(&out)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (run, lines)
}

/// [`serve`] on a credentials file with `stub` as STS, with a margin of 3 s (sessions in
/// these tests last seconds) and no prompt.
fn serve_short(
    file: &str,
    stub: &Stub,
    profile: &str,
    steps: &[&str],
) -> (crate::common::Run, Vec<Value>) {
    let t = Test::new()
        .credentials_file(file)
        .env("AWS_ENDPOINT_URL_STS", &stub.url);
    serve(t, profile, &["--no-input", "--min-remaining", "3s"], steps)
}

/// `exec --server admin --` with a margin of 3 s and no prompt; the command follows.
const SERVE_ADMIN: [&str; 7] = [
    "--no-input",
    "--min-remaining",
    "3s",
    "exec",
    "--server",
    "admin",
    "--",
];

/// dev's long-term keys (with `extra` lines), its session ending at `expiration`, and admin
/// chained to it.
fn with_admin(extra: &str, expiration: &str) -> String {
    format!(
        "{}{extra}{}\n[admin-long-term]\nsource_profile = dev\nassume_role = {ROLE}\n",
        base(),
        dev_session(expiration)
    )
}

fn key_of(line: &Value) -> &str {
    line["body"]["AccessKeyId"].as_str().unwrap_or("")
}

#[test]
fn the_command_gets_a_server_and_no_keys_and_only_the_token_opens_it() {
    let t = Test::new()
        .credentials_file(format!("{}{}", base(), dev_session(&EXPIRATION)))
        .env("AWS_PROFILE", "dev")
        .env("AWS_ACCESS_KEY_ID", "AKIAOUTSIDEEXAMPLE00")
        .env("AWS_REGION", "eu-west-1");
    let (run, lines) = serve(
        t,
        "dev",
        &["--no-input"],
        &["env", "bare", "get:0123", "get"],
    );
    let run = run.success();
    let env = &lines[0];
    assert_eq!(env["AWS_ACCESS_KEY_ID"], Value::Null, "{env}");
    assert_eq!(env["AWS_SECRET_ACCESS_KEY"], Value::Null, "{env}");
    assert_eq!(env["AWS_SESSION_TOKEN"], Value::Null, "{env}");
    assert_eq!(env["AWS_PROFILE"], Value::Null, "{env}");
    assert_eq!(env["STSMFA_PROFILE"], "dev", "{env}");
    assert!(
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "{env}"
    );
    assert_eq!(lines[1]["status"], 403, "no token: {}", lines[1]);
    assert_eq!(lines[2]["status"], 403, "another token: {}", lines[2]);
    assert_eq!(lines[1]["body"]["Code"], "AccessDenied");
    let ok = &lines[3];
    assert_eq!(ok["status"], 200, "{ok}");
    assert_eq!(ok["body"]["AccessKeyId"], SESSION_KEY);
    assert_eq!(ok["body"]["SecretAccessKey"], SESSION_SECRET);
    assert_eq!(ok["body"]["Token"], SESSION_TOKEN);
    assert_eq!(ok["body"]["Expiration"], EXPIRATION.as_str());
    // Nothing on stdout but the command's; no secret on stderr.
    assert_eq!(run.stdout_text(), "");
    assert!(!run.stderr_text().contains(SESSION_SECRET));
}

#[test]
fn stsmfa_exits_with_the_commands_exit_code() {
    Test::new()
        .credentials_file(format!("{}{}", base(), dev_session(&EXPIRATION)))
        .args(&["exec", "--server", "dev", "--", "sh", "-c", "exit 7"])
        .run()
        .code(7);
}

#[test]
fn a_role_is_assumed_again_from_the_base_session_as_it_runs_low_and_once_per_margin() {
    // Role sessions of 6 s and a margin of 3 s: a new one about every 3 s, with no code.
    let stub = Stub::short_roles(6);
    let file = with_admin("", &EXPIRATION);
    let mut steps = vec!["get"; 20];
    for _ in 0..5 {
        steps.extend(["sleep:2", "get"]);
    }
    let (run, lines) = serve_short(&file, &stub, "admin", &steps);
    let run = run.success();
    assert!(lines.iter().all(|l| l["status"] == 200), "{lines:?}");
    // 20 requests at once: the one session.
    assert!(lines[..20].iter().all(|l| key_of(l) == short_role_key(1)));
    let requests = stub.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.param("Action") == Some("AssumeRole") && r.signed_by() == Some(SESSION_KEY)),
        "only AssumeRole, signed with dev's session: {requests:?}"
    );
    let made = requests.len();
    // Requests 2 s apart for 10 s, sessions fresh for 2 to 3 s (STS gives whole seconds):
    // a new session at least every other request, at most at each one.
    assert!((3..=6).contains(&made), "{made} AssumeRole calls");
    let keys: std::collections::BTreeSet<&str> = lines.iter().map(key_of).collect();
    assert_eq!(
        keys.len(),
        made,
        "every session made was handed out: {keys:?}"
    );
    for l in &lines {
        let expiration =
            chrono::DateTime::parse_from_rfc3339(l["body"]["Expiration"].as_str().unwrap())
                .unwrap();
        let at = l["at"].as_f64().unwrap();
        assert!(
            expiration.timestamp() as f64 - at >= 2.0,
            "a session handed out with less than the margin left: {l}"
        );
    }
    // Each session made was written, as a refresh writes it.
    let text = fs::read_to_string(run.test.credentials()).unwrap();
    assert!(
        text.contains(&format!(
            "aws_access_key_id = {}",
            short_role_key(made as u32)
        )),
        "{text}"
    );
    assert!(!run.stderr_text().contains(ROLE_SECRET));
}

#[test]
fn a_request_waits_at_most_the_bound_for_a_base_session_being_made() {
    // dev's session runs low 1 s in; its new code comes from a command that takes 3 s.
    let stub = Stub::sts(Duration::ZERO);
    let file = format!(
        "{}mfa_process = sleep 3; echo 123456\n{}",
        base(),
        dev_session(&in_seconds(4))
    );
    let (run, lines) = serve_short(&file, &stub, "dev", &["sleep:1.2", "get", "sleep:3", "get"]);
    let run = run
        .success()
        .stderr_contains("dev: a credential request was answered 503");
    let waited = &lines[0];
    assert_eq!(waited["status"], 503, "{waited}");
    assert_eq!(waited["body"]["Code"], "NotReady", "{waited}");
    let seconds = waited["seconds"].as_f64().unwrap();
    assert!((1.4..2.5).contains(&seconds), "answered after {seconds} s");
    assert_eq!(lines[1]["status"], 200, "{}", lines[1]);
    assert_eq!(lines[1]["body"]["Expiration"], EXPIRATION.as_str());
    assert_eq!(stub.token_codes(), ["123456"]);
    run.stderr_contains("dev: refreshed, valid until");
}

#[test]
fn a_base_session_that_needs_a_code_no_one_can_give_is_a_500_with_the_reason() {
    let stub = Stub::sts(Duration::ZERO);
    let file = format!("{}{}", base(), dev_session(&in_seconds(4)));
    let (run, lines) = serve_short(&file, &stub, "dev", &["sleep:1.2", "get", "get"]);
    run.success().stderr_contains("MFA code");
    for l in &lines {
        assert_eq!(l["status"], 500, "{l}");
        assert!(
            l["body"]["Message"].as_str().unwrap().contains("MFA code"),
            "{l}"
        );
    }
    assert!(stub.requests().is_empty(), "nothing was sent to STS");
}

/// The program's `count` GetCallerIdentity calls were signed by role sessions, three or more
/// of them: it crossed expirations and got each new session.
fn callers_were_role_sessions(requests: &[crate::common::sts_stub::Request], count: usize) {
    let calls: Vec<&str> = requests
        .iter()
        .filter(|r| r.param("Action") == Some("GetCallerIdentity"))
        .filter_map(|r| r.signed_by())
        .collect();
    assert_eq!(calls.len(), count, "{requests:?}");
    assert!(calls.iter().all(|k| k.starts_with("ASIAROLE")), "{calls:?}");
    let distinct: std::collections::BTreeSet<&&str> = calls.iter().collect();
    assert!(distinct.len() >= 3, "signed with {calls:?}");
}

/// The example program `sdk_client`, built with the tests.
fn sdk_client() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/debug/deps/integration-HASH -> target/debug/examples/sdk_client
    let debug = exe.parent().and_then(|d| d.parent()).unwrap();
    debug.join("examples/sdk_client")
}

#[test]
fn a_rust_sdk_program_gets_a_config_role_across_its_expirations() {
    let client = sdk_client();
    if !client.exists() {
        panic!(
            "{} is missing: cargo test builds it (cargo build --examples)",
            client.display()
        );
    }
    let stub = Stub::short_roles(6);
    let config = "[profile admin]\nrole_arn = arn:aws:iam::210987654321:role/admin\n\
                  source_profile = dev\n";
    let run = Test::new()
        .credentials_file(format!("{}{}", base(), dev_session(&EXPIRATION)))
        .file(".aws/config", config)
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .env("AWS_REGION", "us-east-1")
        .args(&SERVE_ADMIN)
        .args(&[&client.display().to_string(), "4", "3.1"])
        .run()
        .success();
    assert_eq!(run.stdout_text(), "210987654321\n".repeat(4));
    assert!(!run.stderr_text().contains(ROLE_SECRET));
    callers_were_role_sessions(&stub.requests(), 4);
    // A role of the config file is never written.
    assert!(
        !fs::read_to_string(run.test.credentials())
            .unwrap()
            .contains("ASIAROLE")
    );
}

#[test]
#[ignore = "needs the AWS CLI: run with scripts/test"]
fn the_aws_cli_gets_a_chained_role_across_several_expirations() {
    let stub = Stub::short_roles(6);
    let file = with_admin("", &EXPIRATION);
    let aws = crate::interop::venv().join("bin/aws");
    let script = format!(
        "for i in 1 2 3 4 5; do {} sts get-caller-identity --output text --query Account || exit 1; sleep 2.5; done",
        aws.display()
    );
    let run = Test::new()
        .credentials_file(&file)
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .args(&SERVE_ADMIN)
        .args(&["sh", "-c", &script])
        .run()
        .success();
    assert_eq!(run.stdout_text(), "210987654321\n".repeat(5));
    let requests = stub.requests();
    callers_were_role_sessions(&requests, 5);
    assert!(
        requests
            .iter()
            .filter(|r| r.param("Action") == Some("AssumeRole"))
            .all(|r| r.signed_by() == Some(SESSION_KEY))
    );
}

#[test]
fn a_new_base_code_is_asked_on_the_terminal_stsmfa_runs_on() {
    // dev's session runs low 1 s in; no token command: the code is asked on the terminal,
    // while the command's request gets a 503 within the bound, and its next one the session.
    let stub = Stub::sts(Duration::ZERO);
    let t = Test::new().credentials_file(format!("{}{}", base(), dev_session(&in_seconds(4))));
    let client = t.home().join("client.py");
    fs::write(&client, CLIENT).unwrap();
    let out = t.home().join("client.out");
    let mut cmd = t.command();
    cmd.env("AWS_ENDPOINT_URL_STS", &stub.url)
        .env("TERM", "dumb")
        .args([
            "--min-remaining",
            "3s",
            "exec",
            "--server",
            "dev",
            "--",
            "python3",
        ])
        .arg(&client)
        .arg(&out)
        .args(["sleep:1.2", "get", "sleep:2", "get"]);
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string(&format!("MFA code for dev ({DEVICE})"))
        .unwrap_or_else(|e| panic!("no prompt on the terminal: {e}"));
    // Someone who takes 2 s to type the code: the waiting request is answered meanwhile.
    std::thread::sleep(Duration::from_secs(2));
    p.send_line("654321").unwrap();
    p.exp_string("dev: refreshed, valid until")
        .unwrap_or_else(|e| panic!("not refreshed: {e}"));
    p.exp_eof().unwrap();
    let lines: Vec<Value> = fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["status"], 503, "{}", lines[0]);
    assert_eq!(lines[1]["status"], 200, "{}", lines[1]);
    assert_eq!(lines[1]["body"]["Expiration"], EXPIRATION.as_str());
    assert_eq!(stub.token_codes(), ["654321"]);
}

#[test]
fn when_the_base_runs_out_its_code_comes_from_mfa_process_and_the_role_follows() {
    // dev's session runs low 1 s in; admin's sessions last 6 s.
    let stub = Stub::short_roles(6);
    let file = with_admin("mfa_process = echo 123456\n", &in_seconds(4));
    let (run, lines) = serve_short(&file, &stub, "admin", &["get", "sleep:3.5", "get"]);
    let run = run.success();
    assert!(lines.iter().all(|l| l["status"] == 200), "{lines:?}");
    assert_eq!(key_of(&lines[0]), short_role_key(1));
    assert_eq!(key_of(&lines[1]), short_role_key(2));
    let actions: Vec<String> = stub
        .requests()
        .iter()
        .map(|r| r.param("Action").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(actions, ["AssumeRole", "GetSessionToken", "AssumeRole"]);
    assert_eq!(stub.token_codes(), ["123456"]);
    // Both new sessions are written.
    let text = fs::read_to_string(run.test.credentials()).unwrap();
    assert!(
        text.contains(&format!("expiration = {}", *EXPIRATION)),
        "{text}"
    );
    assert!(text.contains(&short_role_key(2)), "{text}");
}
