//! What we write, read by the real AWS CLI and its parser (botocore), installed by
//! `scripts/test` into a virtualenv. These tests are `#[ignore]`d in a plain `cargo test`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use stsmfa::ini::{Document, FileKind, Read as _};

use crate::common::{Plain, Test, fixtures, run_all_at_once, sdk_profiles};

type Sections = Plain;

pub(crate) fn venv() -> PathBuf {
    match std::env::var_os("STSMFA_TEST_VENV") {
        Some(v) => PathBuf::from(v),
        None => panic!("STSMFA_TEST_VENV is not set: run these tests with scripts/test"),
    }
}

/// The sections botocore's `raw_config_parse` (the AWS CLI's reader) finds in `path`.
pub(crate) fn botocore_read(path: &Path) -> Sections {
    let out = Command::new(venv().join("bin/python"))
        .args([
            "-c",
            "import sys, json, botocore.configloader as c; \
             print(json.dumps(c.raw_config_parse(sys.argv[1])))",
        ])
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("python: {e}"));
    assert!(
        out.status.success(),
        "botocore could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("botocore output: {e}"))
}

/// The profiles our reader finds in `path`.
fn our_read(path: &Path) -> Sections {
    sdk_profiles(path).unwrap_or_else(|| panic!("{} does not parse", path.display()))
}

/// Every edited fixture reads the same to botocore as to us. Left out are the fixtures whose
/// inputs botocore reads differently by design: a BOM (botocore cannot parse the file), inline
/// comments (botocore keeps them in the value), `[ name ]` (botocore keeps the spaces) and
/// continuation lines (botocore nests them differently).
#[test]
#[ignore = "needs the AWS CLI: run scripts/test"]
fn botocore_reads_every_edited_fixture_as_we_do() {
    let names = [
        "aws-mfa",
        "comments-everywhere",
        "crlf",
        "empty",
        "missing",
        "missing-dir",
        "mixed-case-keys",
        "no-final-newline",
        "three-accounts",
    ];
    let mut checked = 0;
    for name in names {
        let dir = fixtures().join("editor").join(name);
        for entry in fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
        {
            let path = entry.path();
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            if file.ends_with(".expected") || file == "input.ini" {
                assert_eq!(our_read(&path), botocore_read(&path), "{}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 25, "only {checked} files checked");
}

#[test]
#[ignore = "needs the AWS CLI: run scripts/test"]
fn aws_cli_reads_what_clear_kept() {
    let text = "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
                aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n\
                [dev]\nregion = eu-central-1\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\n\
                aws_secret_access_key = s\naws_session_token = t\n";
    let run = Test::new()
        .credentials_file(text)
        .args(&["clear", "dev"])
        .run()
        .success();
    let aws = |args: &[&str]| {
        let out = Command::new(venv().join("bin/aws"))
            .args(args)
            .env_clear()
            .env("HOME", run.test.home())
            .env("AWS_CONFIG_FILE", run.test.home().join(".aws/config"))
            .output()
            .unwrap_or_else(|e| panic!("aws: {e}"));
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        )
    };
    assert_eq!(
        aws(&["configure", "get", "region", "--profile", "dev"]),
        (Some(0), "eu-central-1".to_owned())
    );
    assert_eq!(
        aws(&["configure", "get", "aws_session_token", "--profile", "dev"]).0,
        Some(1),
        "the session token is still readable"
    );
    assert_eq!(
        aws(&[
            "configure",
            "get",
            "aws_access_key_id",
            "--profile",
            "dev-long-term"
        ]),
        (Some(0), "AKIAIOSFODNN7EXAMPLE".to_owned())
    );
}

/// The local STS emulator (moto_server) that `scripts/test` started.
pub(crate) fn moto() -> String {
    match std::env::var("STSMFA_TEST_STS_URL") {
        Ok(url) => url,
        Err(_) => panic!("STSMFA_TEST_STS_URL is not set: run these tests with scripts/test"),
    }
}

fn long_term(profile: &str) -> String {
    format!(
        "[{profile}-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
         aws_mfa_device = arn:aws:iam::123456789012:mfa/alice\n"
    )
}

/// Runs the real AWS CLI against moto in `test`'s HOME.
pub(crate) fn aws_cli(
    test: &Test,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Option<i32>, String, String) {
    let out = Command::new(venv().join("bin/aws"))
        .args(args)
        .env_clear()
        .env("HOME", test.home())
        .env("AWS_ENDPOINT_URL", moto())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("aws: {e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn aws_cli_works_with_a_session_from_moto() {
    let run = Test::new()
        .credentials_file(long_term("dev"))
        .env("AWS_ENDPOINT_URL_STS", &moto())
        .args(&["-p", "dev", "--token", "123456"])
        .run()
        .success()
        .stderr_contains("dev: refreshed, valid until");
    let (code, out, err) = aws_cli(
        &run.test,
        &["sts", "get-caller-identity", "--profile", "dev"],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("\"Account\""), "{out}");
}

#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn aws_cli_works_with_an_assumed_role_from_moto() {
    let role = "arn:aws:iam::123456789012:role/admin";
    let run = Test::new()
        .credentials_file(format!("{}assume_role = {role}\n", long_term("dev")))
        .env("AWS_ENDPOINT_URL_STS", &moto())
        .args(&["-p", "dev", "--token", "123456"])
        .run()
        .success()
        .stderr_contains(&format!("dev: refreshed as {role}"));
    let (code, out, err) = aws_cli(
        &run.test,
        &["sts", "get-caller-identity", "--profile", "dev"],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("assumed-role/admin"), "{out}");
}

#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn aws_profile_names_a_profile_that_does_not_exist_yet() {
    let run = Test::new()
        .credentials_file(long_term("dev"))
        .env("AWS_ENDPOINT_URL_STS", &moto())
        .env("AWS_PROFILE", "dev")
        .args(&["--token", "123456"])
        .run()
        .success()
        .stderr_contains("dev: refreshed");
    let (code, _, err) = aws_cli(
        &run.test,
        &["sts", "get-caller-identity"],
        &[("AWS_PROFILE", "dev")],
    );
    assert_eq!(code, Some(0), "{err}");
}

#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn twenty_refreshes_of_twenty_profiles_at_once_all_land() {
    let file: String = (0..20)
        .map(|i| format!("{}\n", long_term(&format!("p{i:02}"))))
        .collect();
    let t = Test::new().credentials_file(&file);
    run_all_at_once(
        (0..20)
            .map(|i| {
                let mut cmd = t.command();
                cmd.args(["-q", "refresh", &format!("p{i:02}")])
                    .args(["--token", &format!("1000{i:02}")])
                    .env("AWS_ENDPOINT_URL_STS", moto());
                cmd
            })
            .collect(),
    );
    let text = fs::read_to_string(t.credentials()).unwrap_or_default();
    assert!(text.starts_with(&file), "the long-term sections changed");
    let doc = Document::parse(&text);
    let view = doc.view(FileKind::Credentials).unwrap_or_default();
    for i in 0..20 {
        let props = &view.profiles[format!("p{i:02}").as_str()];
        assert!(
            props.contains_key("aws_session_token"),
            "p{i:02} has no session"
        );
    }
    for profile in ["p00", "p19"] {
        let (code, _, err) = aws_cli(
            &t,
            &["sts", "get-caller-identity", "--profile", profile],
            &[],
        );
        assert_eq!(code, Some(0), "{err}");
    }
}

/// A config profile served by `stsmfa credential-process dev`.
fn via_credential_process() -> String {
    format!(
        "[profile via]\ncredential_process = {} credential-process dev\n",
        crate::common::BIN
    )
}

#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn aws_cli_gets_credentials_from_credential_process() {
    let t = Test::new()
        .credentials_file(format!("{}mfa_process = echo 123456\n", long_term("dev")))
        .file(".aws/config", via_credential_process());
    let (code, out, err) = aws_cli(
        &t,
        &["sts", "get-caller-identity", "--profile", "via"],
        &[("AWS_ENDPOINT_URL_STS", &moto())],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("\"Account\""), "{out}");
    let text = fs::read_to_string(t.credentials()).unwrap_or_default();
    assert!(
        text.contains("\n[dev]\n"),
        "the session was not kept:\n{text}"
    );
}

#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn credential_process_prompts_on_the_terminal_not_on_stdout() {
    let t = Test::new()
        .credentials_file(long_term("dev"))
        .file(".aws/config", via_credential_process());
    let mut cmd = Command::new(venv().join("bin/aws"));
    cmd.args(["sts", "get-caller-identity", "--profile", "via"])
        .env_clear()
        .env("HOME", t.home())
        .env("AWS_ENDPOINT_URL", moto())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("TERM", "dumb");
    let mut p =
        rexpect::session::spawn_command(cmd, Some(30_000)).unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("MFA code for dev (arn:aws:iam::123456789012:mfa/alice): ")
        .unwrap_or_else(|e| panic!("no prompt on the terminal: {e}"));
    p.send_line("123456").unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("\"Account\"")
        .unwrap_or_else(|e| panic!("the AWS CLI got no credentials: {e}"));
    p.exp_eof().unwrap_or_else(|e| panic!("{e}"));
}

/// One code for the base profile, three chained roles assumed with its session from moto; the
/// AWS CLI uses each role's section as written (no AssumeRole of its own); later, with the
/// role sessions expired, `--no-input --all` assumes them again without a code.
#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn chained_roles_from_moto_serve_the_aws_cli_with_one_code() {
    let roles = ["admin", "ops", "ro"];
    let mut file = long_term("dev");
    for r in roles {
        file.push_str(&format!(
            "\n[{r}-long-term]\nsource_profile = dev\nassume_role = arn:aws:iam::123456789012:role/{r}\n"
        ));
    }
    let run = Test::new()
        .credentials_file(&file)
        .env("AWS_ENDPOINT_URL_STS", &moto())
        .args(&["--all", "--token", "123456", "--no-input"])
        .run()
        .success()
        .stderr_contains("dev: refreshed");
    let text = fs::read_to_string(run.test.credentials()).unwrap_or_default();
    let doc = Document::parse(&text);
    let view = doc.view(FileKind::Credentials).unwrap_or_default();
    for r in roles {
        let props = &view.profiles[r];
        assert!(props.get("role_arn").is_none() && props.get("source_profile").is_none());
        let (code, out, err) = aws_cli(
            &run.test,
            &["--debug", "sts", "get-caller-identity", "--profile", r],
            &[],
        );
        assert_eq!(code, Some(0), "{err}");
        assert!(out.contains(&format!("assumed-role/{r}")), "{out}");
        assert!(
            !err.contains("Action=AssumeRole") && !err.contains("AssumeRole"),
            "the AWS CLI assumed the role itself"
        );
    }
    // An hour later: the role sessions have run out, dev's has not.
    let expired = text
        .lines()
        .scan(String::new(), |section, line| {
            if line.starts_with('[') {
                *section = line.to_owned();
            }
            let role_section = roles.iter().any(|r| *section == format!("[{r}]"));
            Some(if role_section && line.starts_with("expiration = ") {
                "expiration = 2020-01-01T00:00:00Z".to_owned()
            } else {
                line.to_owned()
            })
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    fs::write(run.test.credentials(), &expired).unwrap_or_else(|e| panic!("{e}"));
    let run = run
        .test
        .again()
        .args(&["--all", "--no-input"])
        .run()
        .success()
        .stderr_contains("dev: valid until")
        .stderr_contains("admin: refreshed as arn:aws:iam::123456789012:role/admin");
    let (code, out, err) = aws_cli(
        &run.test,
        &["sts", "get-caller-identity", "--profile", "ops"],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("assumed-role/ops"), "{out}");
}

/// Runs the real `aws-mfa` (PyPI, pinned by scripts/test) against moto in `test`'s HOME,
/// with `stdin` as what is typed at its prompt.
fn aws_mfa(test: &Test, profile: &str, stdin: &str) -> (Option<i32>, String) {
    use std::io::Write as _;
    let mut child = Command::new(venv().join("bin/aws-mfa"))
        .args(["--profile", profile, "--log-level", "INFO"])
        .env_clear()
        .env("HOME", test.home())
        .env("AWS_ENDPOINT_URL", moto())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("aws-mfa: {e}"));
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("aws-mfa: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// One value of a section as the SDK rules read it ("" when absent).
pub(crate) fn value_of(test: &Test, section: &str, key: &str) -> String {
    section_of(test, section)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

pub(crate) fn section_of(test: &Test, name: &str) -> Vec<(String, String)> {
    let text = fs::read_to_string(test.credentials()).unwrap_or_else(|e| panic!("{e}"));
    let doc = Document::parse(&text);
    let view = doc
        .view(FileKind::Credentials)
        .unwrap_or_else(|e| panic!("{e:?}"));
    view.profiles
        .get(name)
        .map(|p| {
            p.iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
#[ignore = "needs moto and aws-mfa: run scripts/test"]
fn a_file_shared_with_aws_mfa_works_for_both_in_turn() {
    // aws-mfa makes [dev]; stsmfa refreshes it in aws-mfa's format, which aws-mfa then takes
    // as valid (no prompt: its stdin is empty); and the other way round.
    let t = Test::new().credentials_file(long_term("dev"));
    let (code, out) = aws_mfa(&t, "dev", "123456\n");
    assert_eq!(code, Some(0), "{out}");
    let made_by_aws_mfa = section_of(&t, "dev");
    assert!(
        made_by_aws_mfa
            .iter()
            .any(|(k, _)| k == "aws_security_token")
    );
    let t = t
        .again()
        .env("AWS_ENDPOINT_URL_STS", &moto())
        .args(&["-p", "dev", "--force", "--token", "654321"]);
    // (moto hands out the same keys every time: that the session was written is what stsmfa
    // says, and the format is what the file shows.)
    let run = t
        .run()
        .success()
        .stderr_contains("dev: refreshed, valid until");
    let after = section_of(&run.test, "dev");
    let get = |k: &str| {
        after
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        after.len(),
        made_by_aws_mfa.len(),
        "keys were added or lost"
    );
    let expiration = get("expiration");
    assert!(
        expiration.len() == 19 && expiration.as_bytes()[10] == b' ',
        "expiration not in aws-mfa's format: {expiration}"
    );
    assert_eq!(get("aws_security_token"), get("aws_session_token"));
    let (code, out) = aws_mfa(&run.test, "dev", "");
    assert_eq!(
        code,
        Some(0),
        "aws-mfa did not take stsmfa's session: {out}"
    );
    assert!(out.contains("still valid"), "{out}");
    let t = run.test.again().args(&["-p", "dev", "--no-input"]);
    t.run().success().stderr_contains("dev: valid until");

    // A section stsmfa made has its own format; aws-mfa asks for a code once, rewrites it in
    // its format, and from then on both take each other's sessions.
    let t = Test::new()
        .credentials_file(long_term("prod"))
        .env("AWS_ENDPOINT_URL_STS", &moto())
        .args(&["-p", "prod", "--token", "123456"]);
    let run = t.run().success();
    let (code, out) = aws_mfa(&run.test, "prod", "222222\n");
    assert_eq!(code, Some(0), "{out}");
    let t = run.test.again().args(&["-p", "prod", "--no-input"]);
    let run = t.run().success().stderr_contains("prod: valid until");
    let (code, out) = aws_mfa(&run.test, "prod", "");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("still valid"), "{out}");
}

/// The endpoint botocore (the AWS CLI's) resolves for STS in `region` with the variants.
fn botocore_endpoint(region: &str, fips: bool, dual_stack: bool) -> String {
    let py = |b: bool| if b { "True" } else { "False" };
    let script = format!(
        "import botocore.session as s\n\
         from botocore.config import Config\n\
         c = s.get_session().create_client('sts', region_name='{region}', \
         config=Config(use_fips_endpoint={}, use_dualstack_endpoint={}), \
         aws_access_key_id='x', aws_secret_access_key='y')\n\
         print(c.meta.endpoint_url)",
        py(fips),
        py(dual_stack)
    );
    let out = Command::new(venv().join("bin/python"))
        .args(["-c", &script])
        .env_clear()
        .env("HOME", "/nonexistent")
        .output()
        .unwrap_or_else(|e| panic!("python: {e}"));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
#[ignore = "needs the AWS CLI: run scripts/test"]
fn endpoints_are_the_ones_botocore_resolves() {
    let mut compared = 0;
    for region in [
        "us-east-1",
        "eu-west-1",
        "cn-north-1",
        "us-gov-west-1",
        "us-iso-east-1",
    ] {
        for (fips, dual) in [(false, false), (true, false), (false, true), (true, true)] {
            let expected = botocore_endpoint(region, fips, dual);
            // botocore 1.44's partition data predates dual-stack in the isolated partitions,
            // which the Rust SDK's resolver knows (`sts.REGION.api.aws.ic.gov`).
            if region.starts_with("us-iso") && dual {
                continue;
            }
            let run = Test::new()
                .credentials_file(long_term("dev"))
                .args(&["-p", "dev", "-v", "--no-input", "--region", region])
                .env("AWS_USE_FIPS_ENDPOINT", if fips { "true" } else { "false" })
                .env(
                    "AWS_USE_DUALSTACK_ENDPOINT",
                    if dual { "true" } else { "false" },
                )
                .run();
            let said = run.stderr_text();
            assert!(
                said.contains(&format!("dev: STS endpoint {expected} (the SDK's")),
                "{region} fips={fips} dual-stack={dual}: botocore {expected}, stsmfa said:\n{said}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 18);
}

/// A moto_server of our own that checks signatures and permissions after its first
/// `free` actions (INITIAL_NO_AUTH_ACTION_COUNT); stopped when dropped.
pub(crate) struct CheckingMoto {
    child: std::process::Child,
    pub(crate) url: String,
}

impl CheckingMoto {
    pub(crate) fn start(free: u32) -> CheckingMoto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(venv().join("bin/moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("INITIAL_NO_AUTH_ACTION_COUNT", free.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("moto_server: {e}"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "moto_server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        CheckingMoto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for CheckingMoto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn refusals_from_an_sts_that_checks_signatures_are_refusals() {
    // Two free actions make a user with a key (and no permission); then everything is checked.
    let moto = CheckingMoto::start(2);
    let (id, secret) = iam_user_at(&moto.url, "alice");
    let (id, secret) = (id.as_str(), secret.as_str());
    let file = |id: &str, secret: &str| {
        format!(
            "[dev-long-term]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n\
             aws_mfa_device = arn:aws:iam::123456789012:mfa/alice\n"
        )
    };
    let refresh = |text: &str| {
        Test::new()
            .credentials_file(text)
            .env("AWS_ENDPOINT_URL_STS", &moto.url)
            .args(&["-p", "dev", "--token", "123456"])
            .run()
            .code(4)
            .stderr_lacks("could not reach STS")
            .expect_credentials(text)
    };
    // A key STS does not know.
    refresh(&file("AKIAUNKNOWNUNKNOWN00", secret))
        .stderr_contains("STS does not know the access key ****WN00 in [dev-long-term]");
    // The right key with a wrong secret.
    refresh(&file(id, "wrongSECRETwrongSECRETwrongSECRETwrong1")).stderr_contains("does not match");
    // The right key and secret of a user who may not call GetSessionToken.
    refresh(&file(id, secret)).stderr_contains("error: STS refused the request: AccessDenied: ");
}

/// The AWS CLI run against the moto at `url` with keys of no user (moto takes them while it
/// checks nothing); its standard output.
fn moto_admin(url: &str, args: &[&str]) -> String {
    let out = Command::new(venv().join("bin/aws"))
        .args(args)
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("AWS_ENDPOINT_URL", url)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .output()
        .unwrap_or_else(|e| panic!("aws: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An IAM user with one access key in the moto at `url`: the key's id and secret.
pub(crate) fn iam_user_at(url: &str, name: &str) -> (String, String) {
    moto_admin(url, &["iam", "create-user", "--user-name", name]);
    let key: serde_json::Value = serde_json::from_str(&moto_admin(
        url,
        &["iam", "create-access-key", "--user-name", name],
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    (
        key["AccessKey"]["AccessKeyId"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        key["AccessKey"]["SecretAccessKey"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

pub(crate) fn iam_user(name: &str) -> (String, String) {
    iam_user_at(&moto(), name)
}

/// The user's access keys in moto, as `ID STATUS` lines.
pub(crate) fn iam_keys(user: &str) -> Vec<String> {
    let out = moto_admin(
        &moto(),
        &[
            "iam",
            "list-access-keys",
            "--user-name",
            user,
            "--query",
            "AccessKeyMetadata[].[AccessKeyId,Status]",
            "--output",
            "text",
        ],
    );
    let mut keys: Vec<String> = out
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    keys.sort();
    keys
}

fn rotate_home(id: &str, secret: &str) -> Test {
    Test::new()
        .credentials_file(format!(
            "# alice's keys\n[dev-long-term]\naws_access_key_id = {id}\n\
             aws_secret_access_key = {secret}\naws_mfa_device = arn:aws:iam::123456789012:mfa/alice\n"
        ))
        .env("AWS_ENDPOINT_URL", &moto())
}

#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn rotate_replaces_the_key_in_the_file_and_deletes_the_old_one() {
    let (old_id, old_secret) = iam_user("rotate-delete");
    let run = rotate_home(&old_id, &old_secret)
        .args(&["rotate", "dev", "--token", "123456"])
        .run()
        .success()
        .stderr_contains("dev: rotated: [dev-long-term] holds the new key ****")
        .stderr_contains(&format!(
            "the old key {} was deleted",
            stsmfa::secret::mask(&old_id)
        ))
        .stderr_lacks(&old_secret);
    let get = |k: &str| value_of(&run.test, "dev-long-term", k);
    let new_id = get("aws_access_key_id");
    assert_ne!(new_id, old_id);
    assert_ne!(get("aws_secret_access_key"), old_secret);
    assert!(get("aws_access_key_created").ends_with('Z'));
    let text = fs::read_to_string(run.test.credentials()).unwrap_or_default();
    assert!(
        text.starts_with("# alice's keys\n[dev-long-term]\n"),
        "the comment was lost"
    );
    // Exactly the new key exists in IAM, and the AWS CLI works with the file as it is now.
    assert_eq!(iam_keys("rotate-delete"), [format!("{new_id} Active")]);
    let (code, _, err) = aws_cli(
        &run.test,
        &["sts", "get-caller-identity", "--profile", "dev-long-term"],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
}

#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn rotate_keep_old_deactivates_and_two_keys_are_refused_naming_them() {
    let (old_id, old_secret) = iam_user("rotate-keep");
    let run = rotate_home(&old_id, &old_secret)
        .args(&["rotate", "dev", "--token", "123456", "--keep-old"])
        .run()
        .success()
        .stderr_contains("was deactivated");
    let new_id = value_of(&run.test, "dev-long-term", "aws_access_key_id");
    let mut expected = vec![format!("{new_id} Active"), format!("{old_id} Inactive")];
    expected.sort();
    assert_eq!(iam_keys("rotate-keep"), expected);
    // Now the user has two keys: another rotation says which one to delete, and changes
    // nothing.
    let before = fs::read_to_string(run.test.credentials()).unwrap_or_default();
    let t = run
        .test
        .again()
        .args(&["rotate", "dev", "--token", "654321"]);
    t.run()
        .code(4)
        .stderr_contains("rotate-keep has two access keys already (the limit): ")
        .stderr_contains(&format!(
            "{} in [dev-long-term], and {old_id} (inactive)",
            stsmfa::secret::mask(&new_id),
        ))
        .stderr_contains(&format!(
            "hint: delete the one [dev-long-term] does not hold, then rotate again: aws iam \
             delete-access-key --user-name rotate-keep --access-key-id {old_id} --profile dev"
        ))
        .expect_credentials(&before);
    assert_eq!(iam_keys("rotate-keep"), expected);
}

/// A program that read the file before rotate wrote the new key, and writes its old text back
/// after (here while rotate checks the new key, its connections held back with strace): the
/// old key is deleted only once the file, read again, holds the new one.
#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn rotate_against_a_writer_deletes_the_old_key_only_once_the_file_holds_the_new_one() {
    let (old_id, old_secret) = iam_user("rotate-writer");
    let t = rotate_home(&old_id, &old_secret);
    let before = fs::read_to_string(t.credentials()).unwrap_or_default();
    let mut cmd = crate::common::under_strace(
        &t,
        &["-e", "inject=connect:delay_enter=400000"],
        &["rotate", "dev", "--token", "123456"],
    );
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    // The first write is the MFA session's; the one to undo is the new key's.
    while value_of(&t, "dev-long-term", "aws_access_key_id") == old_id {
        assert!(
            std::time::Instant::now() < deadline,
            "rotate never wrote the new key"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    fs::write(t.credentials(), &before).unwrap_or_else(|e| panic!("{e}"));
    let out = crate::safety::finish(child, std::time::Duration::from_secs(90), "rotate");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("wrote [dev-long-term] back without the new key"),
        "{err}"
    );
    let in_file = value_of(&t, "dev-long-term", "aws_access_key_id");
    assert_ne!(in_file, old_id, "the file was left with the old key");
    assert_eq!(iam_keys("rotate-writer"), [format!("{in_file} Active")]);
    assert!(!err.contains(&old_secret));
}

/// Rotations beside a line-by-line writer and beside an appender: every rotation ends with the
/// file holding the one key IAM has, and no write of the writer is lost.
#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn rotate_beside_writers_loses_nothing() {
    use crate::writers::{Writer, keep_writing};
    use std::time::{Duration, Instant};
    let mut report = Vec::new();
    for (i, writer) in [Writer::Lines, Writer::Appender].into_iter().enumerate() {
        let user = format!("rotate-stress-{i}");
        let (id, secret) = iam_user(&user);
        let t = rotate_home(&id, &secret);
        let with_writer = format!(
            "[writer]\ncount = 0\n\n{}",
            fs::read_to_string(t.credentials()).unwrap_or_default()
        );
        fs::write(t.credentials(), with_writer).unwrap_or_else(|e| panic!("{e}"));
        let path = t.credentials();
        let done = std::sync::atomic::AtomicBool::new(false);
        let (writes, lost, rotated) = std::thread::scope(|s| {
            let rotations = s.spawn(|| {
                let mut rotated = 0;
                for n in 0..3 {
                    let out = t
                        .command()
                        .args(["-q", "rotate", "dev", "--token", &format!("12345{n}")])
                        .output()
                        .unwrap_or_else(|e| panic!("{e}"));
                    let err = String::from_utf8_lossy(&out.stderr).into_owned();
                    assert!(
                        matches!(out.status.code(), Some(0 | 6)),
                        "{writer:?}: {err}"
                    );
                    rotated += usize::from(out.status.success());
                }
                done.store(true, std::sync::atomic::Ordering::Relaxed);
                rotated
            });
            let deadline = Instant::now() + Duration::from_secs(60);
            let (writes, lost) = keep_writing(writer, &path, || {
                done.load(std::sync::atomic::Ordering::Relaxed) || Instant::now() >= deadline
            });
            let rotated = rotations
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (writes, lost, rotated)
        });
        let end = fs::read_to_string(&path).unwrap_or_default();
        let in_file = value_of(&t, "dev-long-term", "aws_access_key_id");
        assert_eq!(iam_keys(&user), [format!("{in_file} Active")], "{end}");
        report.push(format!(
            "{writer:?}: {writes} writes beside {rotated} rotations, {lost} lost"
        ));
        assert_eq!(lost, 0, "{}", report.join("; "));
        assert!(
            rotated > 0,
            "no rotation got through: {}",
            report.join("; ")
        );
    }
    println!("{}", report.join("; "));
}

/// A role of the config file, chained to a profile stsmfa manages: the AWS CLI assumes it from
/// the `[dev]` session stsmfa wrote (no code), and `stsmfa exec` assumes it too; one code in all.
#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn a_role_of_the_config_file_serves_the_aws_cli_and_exec_with_one_code() {
    let config = "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n\
                  source_profile = dev\n";
    let run = Test::new()
        .credentials_file(long_term("dev"))
        .file(".aws/config", config)
        .env("AWS_ENDPOINT_URL_STS", &moto())
        .args(&["admin", "--token", "123456"])
        .run()
        .success()
        .stderr_contains("dev: refreshed")
        .stderr_contains("admin: a role of ");
    let (code, out, err) = aws_cli(
        &run.test,
        &["sts", "get-caller-identity", "--profile", "admin"],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("assumed-role/admin"), "{out}");
    let run = run
        .test
        .again()
        .args(&[
            "exec",
            "admin",
            "--no-input",
            "--",
            &venv().join("bin/aws").display().to_string(),
            "sts",
            "get-caller-identity",
        ])
        .env("AWS_ENDPOINT_URL", &moto())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL_STS", &moto())
        .run()
        .success();
    assert!(
        run.stdout_text().contains("assumed-role/admin"),
        "{}",
        run.stdout_text()
    );
    // Nothing was written for admin.
    let text = fs::read_to_string(run.test.credentials()).unwrap_or_default();
    assert!(!text.contains("[admin]"), "{text}");
}
