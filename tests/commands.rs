//! `status`, `env`, `exec`, `credential-process` and `completions` through the real binary.

use std::path::Path;
use std::process::Command;

use crate::common::Test;
use crate::common::sts_stub::{self, Stub};

const DEVICE: &str = "arn:aws:iam::123456789012:mfa/alice";
const ROLE: &str = "arn:aws:iam::123456789012:role/admin";
/// A secret with every character a shell could trip on.
/// (No blank before `;` or `#`: in the file that would start a comment.)
const TRICKY: &str = r#"s'e$c"r\et`x` $(id);|&*?~ %PATH% !x"#;

fn long_term(profile: &str) -> String {
    format!(
        "[{profile}-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
         aws_mfa_device = {DEVICE}\n"
    )
}

fn session(profile: &str, expiration: &str, secret: &str, extra: &str) -> String {
    format!(
        "[{profile}]\naws_access_key_id = ASIAVALIDVALIDEXAMPL\naws_secret_access_key = {secret}\n\
         aws_session_token = tokenVALIDtoken+/=\nexpiration = {expiration}\n{extra}"
    )
}

/// A file with a valid, an expiring, an expired and a missing session, a role session, and a
/// section stsmfa does not manage.
fn status_file() -> String {
    let soon = (chrono::Utc::now() + chrono::Duration::minutes(5))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    [
        "[default]\naws_access_key_id = AKIADEFAULTEXAMPLE00\naws_secret_access_key = x\n"
            .to_owned(),
        long_term("dev"),
        session(
            "dev",
            "2099-01-01T00:00:00Z",
            "devSECRET",
            "assumed_role = False\n",
        ),
        long_term("soon"),
        session("soon", &soon, "soonSECRET", ""),
        long_term("old"),
        session("old", "2020-01-01 00:00:00", "oldSECRET", ""),
        long_term("new"),
        format!("{}assume_role = {ROLE}\n", long_term("admin")),
        session(
            "admin",
            "2099-06-01T12:30:00Z",
            "adminSECRET",
            &format!("assumed_role = True\nassumed_role_arn = {ROLE}\n"),
        ),
    ]
    .join("\n")
}

#[test]
fn status_shows_every_managed_profile_and_exits_1_when_one_is_not_valid() {
    let run = Test::new()
        .credentials_file(status_file())
        .args(&["status"])
        .run()
        .code(1)
        .stderr("");
    // The table is on stdout, where `stsmfa status | grep prod` finds it.
    let err = run.stdout_text();
    // Columns are separated by at least two spaces and aligned.
    let rows: Vec<Vec<&str>> = err
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    let starts: Vec<Option<usize>> = err
        .lines()
        .map(|l| l.find("STATE").or(l.find("valid")))
        .collect();
    assert_eq!(
        rows[0],
        [
            "PROFILE", "KIND", "EXPIRES", "LEFT", "STATE", "SECRET", "DEVICE"
        ]
    );
    assert_eq!(
        rows[1][..3],
        ["dev", "session", "2099-01-01 00:00"],
        "{err}"
    );
    assert_eq!(rows[1][4..], ["valid", "file", DEVICE], "{err}");
    assert_eq!(rows[2][..2], ["soon", "session"], "{err}");
    assert!(rows[2][3] == "4m" || rows[2][3] == "5m", "{err}");
    assert_eq!(rows[2][4..], ["expiring", "file", DEVICE], "{err}");
    assert_eq!(
        rows[3],
        [
            "old",
            "session",
            "2020-01-01 00:00",
            "-",
            "expired",
            "file",
            DEVICE
        ],
        "{err}"
    );
    assert_eq!(
        rows[4],
        ["new", "session", "-", "-", "missing", "file", DEVICE],
        "{err}"
    );
    assert_eq!(rows[5][..3], ["admin", ROLE, "2099-06-01 12:30"], "{err}");
    assert_eq!(rows[5][4..], ["valid", "file", DEVICE], "{err}");
    assert_eq!(rows.len(), 6, "{err}");
    assert_eq!(starts[0], starts[1], "columns are not aligned:\n{err}");
    for secret in ["devSECRET", "soonSECRET", "wJalrXUtnFEMI", "tokenVALID"] {
        assert!(!err.contains(secret), "status printed a secret:\n{err}");
    }
}

#[test]
fn status_of_named_valid_profiles_exits_0_and_quiet_prints_nothing() {
    Test::new()
        .credentials_file(status_file())
        .args(&["-q", "status", "dev", "admin"])
        .run()
        .success()
        .stdout("")
        .stderr("");
    Test::new()
        .credentials_file(status_file())
        .args(&["-q", "status", "dev", "old"])
        .run()
        .code(1);
    Test::new()
        .credentials_file(status_file())
        .args(&["status", "default"])
        .run()
        .code(1)
        .stdout_contains("default  session  -        -     not managed");
}

#[test]
fn quiet_status_says_nothing_about_an_old_key_or_an_open_file_and_the_table_is_on_stdout() {
    // The README's prompt segment runs `stsmfa -q status NAME` at every prompt.
    let file = status_file().replace(
        "[dev-long-term]\n",
        "[dev-long-term]\naws_access_key_created = 2020-01-01T00:00:00Z\n",
    );
    let t = Test::new().credentials_file(&file);
    let path = t.credentials();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let run = t
        .args(&["-q", "status", "dev"])
        .run()
        .success()
        .stdout("")
        .stderr("");
    // Without -q: the warnings on stderr, the table on stdout.
    let run = run
        .test
        .again()
        .args(&["status", "dev"])
        .run()
        .success()
        .stderr_contains("warning: dev: the long-term key is ")
        .stderr_contains("can be read by its group and others (mode 644)")
        .stderr_lacks("PROFILE");
    let table = run.stdout_text();
    assert!(table.starts_with("PROFILE  KIND"), "{table}");
    assert!(
        table.lines().nth(1).is_some_and(|l| l.starts_with("dev ")),
        "{table}"
    );
}

#[test]
fn status_of_a_name_in_neither_file_or_of_a_missing_file_is_an_error() {
    Test::new()
        .credentials_file(status_file())
        .args(&["status", "dev", "admni"])
        .run()
        .code(1)
        .stdout("")
        .stderr_contains("error: there is no profile admni in ")
        .stderr_contains("hint: did you mean admin?");
    let t = Test::new();
    let missing = t.home().join("nowhere/credentials");
    let shown = missing.display().to_string();
    t.args(&["status", "--credentials-file", &shown])
        .run()
        .code(1)
        .stdout("")
        .stderr(&format!(
            "error: {shown} does not exist\n  hint: stsmfa setup NAME writes it; \
             --credentials-file or AWS_SHARED_CREDENTIALS_FILE names another file\n"
        ));
}

#[test]
fn status_json_is_a_stable_array_on_stdout() {
    let run = Test::new()
        .credentials_file(status_file())
        .args(&["status", "--json", "dev", "admin", "new", "old"])
        .run()
        .code(1);
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout_text()).unwrap_or_else(|e| panic!("{e}"));
    let rows = json.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["profile"], "dev");
    assert_eq!(rows[0]["kind"], "session");
    assert_eq!(rows[0]["state"], "valid");
    assert_eq!(rows[0]["expiration"], "2099-01-01T00:00:00Z");
    assert_eq!(rows[0]["device"], DEVICE);
    assert!(rows[0]["seconds_left"].as_i64().is_some_and(|s| s > 0));
    assert_eq!(rows[1]["kind"], "role");
    assert_eq!(rows[1]["role_arn"], ROLE);
    assert_eq!(rows[2]["state"], "missing");
    assert_eq!(rows[2]["expiration"], serde_json::Value::Null);
    assert_eq!(rows[3]["state"], "expired");
    assert_eq!(rows[3]["expiration"], "2020-01-01T00:00:00Z");
    assert_eq!(rows[3]["seconds_left"], 0);
    assert_eq!(rows[0]["key_age_days"], serde_json::Value::Null);
    assert_eq!(rows[0]["secret"], "file");
    let keys: Vec<&String> = rows[0]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        [
            "device",
            "expiration",
            "key_age_days",
            "kind",
            "profile",
            "role_arn",
            "seconds_left",
            "secret",
            "source_profile",
            "state"
        ]
    );
}

/// `status` flags long-term keys older than 90 days when the file says when they were made
/// (`rotate` records it); it never asks AWS.
#[test]
fn status_flags_old_long_term_keys() {
    let file = format!(
        "{}aws_access_key_created = 2020-01-01T00:00:00Z\n\n{}aws_access_key_created = {}\n",
        long_term("old"),
        long_term("new"),
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    );
    let run = Test::new()
        .credentials_file(&file)
        .args(&["status", "--json"])
        .run()
        .stderr_contains("old: the long-term key is ")
        .stderr_contains(" days old; rotate it: stsmfa rotate old")
        .stderr_lacks("new: the long-term key");
    let rows: serde_json::Value =
        serde_json::from_str(&run.stdout_text()).unwrap_or_else(|e| panic!("{e}"));
    assert!(rows[0]["key_age_days"].as_i64().is_some_and(|d| d > 2000));
    assert_eq!(rows[1]["key_age_days"], 0);
}

#[test]
fn status_warns_when_others_can_read_the_file() {
    let t = Test::new().credentials_file(status_file());
    std::fs::set_permissions(
        t.credentials(),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .ok();
    let run = t
        .args(&["status", "dev"])
        .run()
        .success()
        .stderr_contains("can be read by its group and others (mode 644); run: chmod 600 ");
    let t = run.test.again();
    std::fs::set_permissions(
        t.credentials(),
        std::os::unix::fs::PermissionsExt::from_mode(0o640),
    )
    .ok();
    let run = t
        .args(&["status", "dev"])
        .run()
        .success()
        .stderr_contains("can be read by its group (mode 640)");
    let t = run.test.again();
    std::fs::set_permissions(
        t.credentials(),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .ok();
    t.args(&["status", "dev"])
        .run()
        .success()
        .stderr_lacks("warning");
}

fn valid_session_home(secret: &str) -> Test {
    Test::new().credentials_file(format!(
        "{}\n{}",
        long_term("dev"),
        session(
            "dev",
            "2099-01-01T00:00:00Z",
            secret,
            "assumed_role = False\n"
        )
    ))
}

/// Runs `script` with `shell -c`, after evaluating `stsmfa env` output for that shell.
fn eval_in(shell: &str, flag: &str, env_output: &str, read: &str) -> String {
    let script = format!("{env_output}\n{read}");
    let out = Command::new(shell)
        .arg(flag)
        .arg(script)
        .env("AWS_PROFILE", "should-go")
        .output()
        .unwrap_or_else(|e| panic!("{shell}: {e}"));
    assert!(
        out.status.success(),
        "{shell}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn env_output_sets_exact_values_in_sh_and_bash() {
    let run = valid_session_home(TRICKY)
        .args(&["env", "dev", "--shell", "sh"])
        .run()
        .success()
        .stderr("");
    let script = run.stdout_text();
    let read = "printf '%s|%s|%s|%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\" \
                \"$AWS_SESSION_TOKEN\" \"$AWS_CREDENTIAL_EXPIRATION\" \"${AWS_PROFILE-unset}\"";
    let want =
        format!("ASIAVALIDVALIDEXAMPL|{TRICKY}|tokenVALIDtoken+/=|2099-01-01T00:00:00Z|unset");
    for shell in ["sh", "bash"] {
        assert_eq!(eval_in(shell, "-c", &script, read), want, "{shell}");
    }
}

#[test]
fn env_takes_every_shell_by_the_name_people_call_it() {
    let out = |shell: &str| {
        valid_session_home("plainSECRET")
            .args(&["env", "dev", "--shell", shell])
            .run()
            .success()
            .stdout_text()
    };
    let sh = out("sh");
    assert!(sh.contains("export AWS_SECRET_ACCESS_KEY='plainSECRET'\n"));
    for posix in ["bash", "zsh", "ksh", "dash"] {
        assert_eq!(out(posix), sh, "{posix}");
    }
    assert_eq!(out("pwsh"), out("powershell"));
    valid_session_home("plainSECRET")
        .env("SHELL", "/bin/zsh")
        .args(&["env", "dev"])
        .run()
        .success()
        .stdout(&sh);
    // The help lists them.
    Test::new()
        .args(&["env", "--help"])
        .run()
        .success()
        .stdout_contains("sh, bash, zsh, ksh, dash, fish, powershell, pwsh, cmd");
}

#[test]
fn env_output_sets_exact_values_in_fish() {
    if Command::new("fish").arg("--version").output().is_err() {
        panic!("fish is needed for this test (scripts/test installs it)");
    }
    let run = valid_session_home(TRICKY)
        .args(&["env", "dev", "--shell", "fish"])
        .run()
        .success();
    let read = "printf '%s|%s|%s' \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_SESSION_TOKEN\" \
                (set -q AWS_PROFILE; and echo set; or echo unset)";
    assert_eq!(
        eval_in("fish", "-c", &run.stdout_text(), read),
        format!("{TRICKY}|tokenVALIDtoken+/=|unset")
    );
}

#[test]
fn env_refuses_a_shell_whose_syntax_it_does_not_write_and_points_to_shell() {
    valid_session_home("plainSECRET")
        .env("SHELL", "/bin/tcsh")
        .args(&["env", "dev"])
        .run()
        .code(2)
        .stdout("")
        .stderr_contains("error: $SHELL is tcsh, whose syntax stsmfa env does not write")
        .stderr_contains("hint: name the shell whose lines you want with --shell");
    valid_session_home("plainSECRET")
        .env("SHELL", "/bin/tcsh")
        .args(&["env", "dev", "--shell", "sh"])
        .run()
        .success()
        .stdout_contains("export AWS_SECRET_ACCESS_KEY='plainSECRET'\n");
    // Shells of the POSIX family read sh's lines.
    valid_session_home("plainSECRET")
        .env("SHELL", "/bin/mksh")
        .args(&["env", "dev"])
        .run()
        .success()
        .stdout_contains("export AWS_SECRET_ACCESS_KEY='plainSECRET'\n");
}

#[test]
fn env_follows_shell_variable_and_refuses_what_cmd_cannot_hold() {
    valid_session_home("plainSECRET")
        .env("SHELL", "/usr/bin/fish")
        .args(&["env", "dev"])
        .run()
        .success()
        .stdout_contains("set -gx AWS_SECRET_ACCESS_KEY 'plainSECRET'\n");
    valid_session_home("plainSECRET")
        .args(&["env", "dev", "--shell", "powershell"])
        .run()
        .success()
        .stdout_contains("$env:AWS_SECRET_ACCESS_KEY = 'plainSECRET'\n")
        .stdout_contains("Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue\n");
    valid_session_home("plainSECRET")
        .args(&["env", "dev", "--shell", "cmd"])
        .run()
        .success()
        .stdout_contains("set \"AWS_SECRET_ACCESS_KEY=plainSECRET\"\r\n".trim_end_matches("\r\n"));
    valid_session_home("100%SECRET")
        .args(&["env", "dev", "--shell", "cmd"])
        .run()
        .code(2)
        .stdout("")
        .stderr_contains("cannot be written safely for Cmd");
    valid_session_home("x")
        .args(&["env", "dev", "--shell", "tcsh"])
        .run()
        .code(2)
        .stdout("");
}

#[test]
fn env_refreshes_first_when_needed() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let run = Test::new()
        .credentials_file(long_term("dev"))
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["env", "dev", "--token", "123456"])
        .run()
        .success()
        .stderr_contains("dev: refreshed");
    assert!(run.stdout_text().contains(&format!(
        "export AWS_SESSION_TOKEN='{}'",
        sts_stub::SESSION_TOKEN
    )));
}

#[test]
fn exec_passes_the_session_and_the_exit_code() {
    let run = valid_session_home(TRICKY)
        .env("AWS_PROFILE", "dev")
        .args(&[
            "exec",
            "--",
            "sh",
            "-c",
            "printf '%s|%s' \"$AWS_SECRET_ACCESS_KEY\" \"${AWS_PROFILE-unset}\"; exit 7",
        ])
        .run()
        .code(7);
    assert_eq!(run.stdout_text(), format!("{TRICKY}|unset"));
}

#[test]
fn exec_and_env_pass_the_profiles_region_and_name() {
    let read = "printf '%s|%s|%s' \"${AWS_REGION-unset}\" \"${AWS_DEFAULT_REGION-unset}\" \
                \"${STSMFA_PROFILE-unset}\"";
    // A region in the profile reaches the command, which no longer reads the profile.
    let run = valid_session_home("plainSECRET")
        .file(".aws/config", "[profile dev]\nregion = eu-west-1\n")
        .args(&["exec", "dev", "--", "sh", "-c", read])
        .run()
        .success();
    assert_eq!(run.stdout_text(), "eu-west-1|eu-west-1|dev");
    let run = run
        .test
        .again()
        .args(&["env", "dev", "--shell", "sh"])
        .run()
        .success();
    assert_eq!(
        eval_in("sh", "-c", &run.stdout_text(), read),
        "eu-west-1|eu-west-1|dev"
    );
    // No region set: none is made up (the command's own default applies).
    let run = valid_session_home("plainSECRET")
        .args(&["exec", "dev", "--", "sh", "-c", read])
        .run()
        .success();
    assert_eq!(run.stdout_text(), "unset|unset|dev");
}

#[test]
fn version_with_verbose_tells_the_build() {
    for args in [
        &["--version", "-v"][..],
        &["-v", "--version"],
        &["--verbose", "--version"],
    ] {
        let run = Test::new().args(args).run().success().stderr("");
        let out = run.stdout_text();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            format!("stsmfa {}", env!("CARGO_PKG_VERSION")),
            "{out}"
        );
        assert!(
            lines[1].starts_with("commit: ") && lines[1].len() > "commit: ".len(),
            "{out}"
        );
        assert!(
            lines[2].starts_with("target: ") && lines[2].contains(std::env::consts::ARCH),
            "{out}"
        );
        assert!(lines[3].starts_with("compiler: rustc "), "{out}");
        assert!(out.contains("built in: OS keychain"), "{out}");
    }
    // Without -v: the version alone, as scripts expect.
    Test::new()
        .args(&["--version"])
        .run()
        .success()
        .stdout(&format!("stsmfa {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn the_usage_line_shows_only_forms_that_work() {
    let forms = "Usage: stsmfa [OPTIONS] [PROFILE]...\n       stsmfa [OPTIONS] <COMMAND> ...\n";
    Test::new()
        .args(&["--help"])
        .run()
        .success()
        .stdout_contains(forms);
    // A usage error shows the same two forms (not `stsmfa <PROFILE>...`, not a command after
    // profiles).
    Test::new()
        .args(&["--bogus"])
        .run()
        .code(2)
        .stderr_contains(forms);
    let page = Test::new().args(&["man"]).run().success().stdout_text();
    let synopsis = page
        .split(".SH SYNOPSIS\n")
        .nth(1)
        .and_then(|rest| rest.split(".SH ").next())
        .unwrap_or_default();
    assert!(
        synopsis.contains("[OPTIONS] [PROFILE]...\n.br\n"),
        "{synopsis}"
    );
    assert!(synopsis.contains("[OPTIONS] COMMAND ..."), "{synopsis}");
    assert!(!synopsis.contains("subcommands"), "{synopsis}");
}

#[test]
fn exec_reports_a_signal_as_128_plus_n() {
    valid_session_home("x")
        .args(&["exec", "dev", "--", "sh", "-c", "kill -TERM $$"])
        .run()
        .code(143);
}

#[test]
fn exec_passes_a_sigterm_on_to_the_command() {
    // With the session in the environment, and with a credential server.
    for mode in [None, Some("--server")] {
        let t = valid_session_home("x");
        let mut cmd = t.command();
        cmd.arg("exec")
            .args(mode)
            .args([
                "dev",
                "--",
                "sh",
                "-c",
                "trap 'echo got TERM; kill $!; exit 3' TERM; echo ready; sleep 10 & wait",
            ])
            .stdout(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
        let mut out =
            std::io::BufReader::new(child.stdout.take().unwrap_or_else(|| panic!("stdout")));
        let mut line = String::new();
        std::io::BufRead::read_line(&mut out, &mut line).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(line, "ready\n");
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(killed);
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut out, &mut rest).unwrap_or_else(|e| panic!("{e}"));
        let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rest, "got TERM\n", "{mode:?}");
        assert_eq!(status.code(), Some(3), "{mode:?}");
    }
}

#[test]
fn exec_without_a_command_or_with_a_missing_one() {
    valid_session_home("x").args(&["exec", "dev"]).run().code(2);
    for mode in [&[][..], &["--server"]] {
        valid_session_home("x")
            .args(&["exec"])
            .args(mode)
            .args(&["dev", "--", "no-such-command-here"])
            .run()
            .code(127)
            .stderr_contains("cannot run no-such-command-here: No such file or directory");
    }
}

#[test]
fn credential_process_prints_the_aws_json() {
    let run = valid_session_home(TRICKY)
        .args(&["credential-process", "dev"])
        .run()
        .success()
        .stderr("");
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout_text()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["Version"], 1);
    assert_eq!(json["AccessKeyId"], "ASIAVALIDVALIDEXAMPL");
    assert_eq!(json["SecretAccessKey"], TRICKY);
    assert_eq!(json["SessionToken"], "tokenVALIDtoken+/=");
    assert_eq!(json["Expiration"], "2099-01-01T00:00:00Z");
}

#[test]
fn credential_process_without_a_terminal_exits_3_and_prints_nothing() {
    Test::new()
        .credentials_file(long_term("dev"))
        .args(&["credential-process", "dev"])
        .run()
        .code(3)
        .stdout("");
}

#[test]
fn unknown_profile_is_named() {
    valid_session_home("x")
        .args(&["env", "qa"])
        .run()
        .code(1)
        .stdout("")
        .stderr_contains("error: there is no profile qa in ");
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = Test::new().args(&["completions", shell]).run().success();
        let out = run.stdout_text();
        assert!(
            out.contains("stsmfa") && out.contains("credential-process"),
            "{shell}"
        );
    }
    Test::new().args(&["completions", "tcsh"]).run().code(2);
}

/// Profile names complete from the files as they are at TAB time, for `-p` and for the
/// commands' PROFILE arguments; a command's completions offer only the options it uses.
#[test]
fn completions_offer_profile_names_from_the_files() {
    let t = Test::new().credentials_file(
        "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\n\
         [prod-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\n[prod]\nx = y\n\n\
         [other]\nregion = x\n",
    );
    let home = t.home().to_path_buf();
    // Another credentials file, named on the line being completed.
    std::fs::write(
        home.join("other-credentials"),
        "[qa-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
    )
    .unwrap();
    let _run = t
        .args(&["completions", "--list-profiles"])
        .run()
        .success()
        .stdout("dev\nprod\nother\n");
    let script = |shell: &str| {
        let path = home.join(format!("script.{shell}"));
        let text = Command::new(crate::common::BIN)
            .args(["completions", shell])
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
            .stdout;
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        path
    };
    let bin_dir = Path::new(crate::common::BIN)
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .to_path_buf();
    let path_var = format!("{}:/usr/bin:/bin", bin_dir.display());
    let in_shell = |shell: &str, code: String| {
        let out = Command::new(shell)
            .args(["-c", &code])
            .env_clear()
            .env("HOME", &home)
            .env("PATH", &path_var)
            .output()
            .unwrap_or_else(|e| panic!("{shell}: {e}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let bash = script("bash");
    let complete = |words: &str, cword: usize, cur: &str, prev: &str| {
        in_shell(
            "bash",
            format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; \
                 _stsmfa stsmfa '{cur}' '{prev}'; echo \"${{COMPREPLY[*]}}\"",
                bash.display()
            ),
        )
    };
    assert_eq!(
        complete("stsmfa -p ''", 2, "", "-p").trim(),
        "dev prod other"
    );
    assert_eq!(complete("stsmfa status p", 2, "p", "status").trim(), "prod");
    assert_eq!(complete("stsmfa d", 1, "d", "stsmfa").trim(), "dev");
    let clear = complete("stsmfa clear --t", 2, "--t", "clear");
    assert!(!clear.contains("--token"), "clear offers {clear}");
    assert_eq!(complete("stsmfa rotate p", 2, "p", "rotate").trim(), "prod");
    assert_eq!(
        complete("stsmfa console p", 2, "p", "console").trim(),
        "prod"
    );
    assert_eq!(complete("stsmfa man st", 2, "st", "man").trim(), "status");
    // Hidden options are never offered.
    assert_eq!(
        complete("stsmfa setup --secret", 2, "--secret", "setup").trim(),
        "--secret-access-key-stdin"
    );
    assert_eq!(
        complete("stsmfa completions --li", 2, "--li", "completions").trim(),
        ""
    );
    // The profiles of a --credentials-file on the line (bash splits --opt=value in three).
    let before = complete(
        "stsmfa --credentials-file ~/other-credentials status ''",
        4,
        "",
        "status",
    );
    assert!(
        before.trim().ends_with(" qa") && !before.contains("dev"),
        "{before}"
    );
    let after_equals = complete(
        "stsmfa status --credentials-file = ~/other-credentials ''",
        5,
        "",
        "~/other-credentials",
    );
    assert!(
        after_equals.trim().ends_with(" qa") && !after_equals.contains("dev"),
        "{after_equals}"
    );
    if Command::new("fish").arg("--version").output().is_ok() {
        let fish = script("fish");
        let out = in_shell(
            "fish",
            format!(
                "source {}; complete -C 'stsmfa -p '; complete -C 'stsmfa clear o'; \
                 complete -C 'stsmfa rotate p'; complete -C 'stsmfa console p'; \
                 complete -C 'stsmfa --credentials-file ~/other-credentials status '; \
                 complete -C 'stsmfa setup --secret'; complete -C 'stsmfa dev p'; \
                 complete -C 'stsmfa o'",
                fish.display()
            ),
        );
        // fish sorts what it offers.
        let out: Vec<&str> = out
            .lines()
            .map(|l| l.split('\t').next().unwrap_or(l))
            .collect();
        assert_eq!(
            out,
            [
                "dev",
                "other",
                "prod",
                "other",
                "prod",
                "prod",
                "qa",
                "--secret-access-key-stdin",
                // More profiles after a profile, and profiles as the first word.
                "prod",
                "other"
            ]
        );
    } else {
        println!("skipped the fish part: fish is not installed (scripts/test installs it)");
    }
    let zsh = std::fs::read_to_string(script("zsh")).unwrap_or_default();
    assert!(zsh.contains("_stsmfa_profiles() {"));
    assert!(zsh.contains(":NAME:_stsmfa_profiles'"));
    assert!(!zsh.contains("--role-session-name=[Role session name \\[default\\: your login name\\]]:NAME:_stsmfa_profiles"));
    if Command::new("zsh").arg("--version").output().is_ok() {
        let out = Command::new("zsh")
            .arg("-n")
            .arg(home.join("script.zsh"))
            .output()
            .unwrap_or_else(|e| panic!("zsh: {e}"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // What zsh's completion system offers, driven on a pseudo-terminal.
        let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/zsh-complete.zsh");
        let offered = |line: &str| {
            let list = home.join(format!("offered-{}", line.replace([' ', '/', '~'], "_")));
            let done = Command::new("zsh")
                .arg("-f")
                .arg(&driver)
                .arg(&list)
                .arg(home.join("script.zsh"))
                .arg(line)
                .env_clear()
                .env("HOME", &home)
                .env("PATH", &path_var)
                .output()
                .unwrap_or_else(|e| panic!("zsh: {e}"));
            assert!(
                done.status.success(),
                "{line:?}: {}",
                String::from_utf8_lossy(&done.stderr)
            );
            let text = std::fs::read_to_string(&list).unwrap_or_default();
            text.split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
                .join(" ")
        };
        // Each line in a zsh of its own, all at once.
        let lines = [
            "stsmfa -p ",
            "stsmfa --profile ",
            "stsmfa status p",
            "stsmfa d",
            "stsmfa ",
            "stsmfa clear --t",
            "stsmfa env --shell f",
            "stsmfa rotate p",
            "stsmfa man st",
            "stsmfa setup --secret",
            "stsmfa --credentials-file ~/other-credentials status ",
            "stsmfa dev ",
            "stsmfa dev p",
        ];
        let got: Vec<String> = std::thread::scope(|s| {
            let offered = &offered;
            let running: Vec<_> = lines.iter().map(|l| s.spawn(move || offered(l))).collect();
            running.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(got[0], "dev prod other");
        assert_eq!(got[1], "dev prod other");
        assert_eq!(got[2], "prod");
        assert_eq!(got[3], "dev");
        assert!(
            got[4].contains("status") && got[4].ends_with("dev prod other"),
            "{}",
            got[4]
        );
        assert_eq!(got[5], "", "clear takes no --token");
        assert_eq!(got[6], "fish", "a command's own arguments complete");
        assert_eq!(got[7], "prod");
        assert_eq!(got[8], "status");
        assert_eq!(got[9], "--secret-access-key-stdin");
        assert_eq!(got[10], "qa");
        // More profiles after a profile: `stsmfa dev prod` refreshes both.
        assert_eq!(got[11], "dev prod other");
        assert_eq!(got[12], "prod");
    } else {
        println!("skipped the zsh part: zsh is not installed (scripts/test installs it)");
    }
}

#[test]
fn no_home_is_fine_when_the_credentials_file_is_given() {
    let t = valid_session_home("x");
    let out = Command::new(crate::common::BIN)
        .args(["status", "dev", "--credentials-file"])
        .arg(t.credentials())
        .env_clear()
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn man_page_documents_the_commands() {
    let run = Test::new().args(&["man"]).run().success();
    let page = run.stdout_text();
    assert!(
        page.starts_with(".ie") || page.contains(".TH stsmfa"),
        "{page}"
    );
    for word in [
        "refresh",
        "status",
        "credential\\-process",
        "\\-\\-no\\-input",
    ] {
        assert!(page.contains(word), "the manual lacks {word}");
    }
}

/// Every page the main page points to exists, each says the exit codes, and the README's
/// install line works on a home without the directory.
#[test]
fn man_pages_exist_for_every_command_the_main_page_names() {
    let t = Test::new();
    let dir = t.home().join(".local/share/man/man1");
    let run = t
        .args(&["man", "--dir", &dir.display().to_string()])
        .run()
        .success();
    let main = std::fs::read_to_string(dir.join("stsmfa.1")).unwrap_or_default();
    // clap_mangen writes a reference as `stsmfa\-status(1)`.
    let named: Vec<String> = main
        .split("stsmfa\\-")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("(1)")
                .map(|(name, _)| name.replace("\\-", "-"))
        })
        .collect();
    assert!(named.len() >= 8, "{named:?}");
    for name in &named {
        let page = std::fs::read_to_string(dir.join(format!("stsmfa-{name}.1")))
            .unwrap_or_else(|e| panic!("stsmfa-{name}.1: {e}"));
        assert!(page.contains(".SH \"EXIT STATUS\""), "stsmfa-{name}.1");
        assert!(
            page.contains(&format!(".TH stsmfa-{name} 1")),
            "stsmfa-{name}.1"
        );
    }
    assert!(main.contains(".SH \"EXIT STATUS\""));
    // One page on stdout; an unknown command is a usage error.
    let page = run
        .test
        .again()
        .args(&["man", "clear"])
        .run()
        .success()
        .stdout_text();
    assert!(page.contains("Remove the session"), "{page}");
    assert!(!page.contains("\\-\\-token"), "clear's page lists --token");
    Test::new().args(&["man", "nope"]).run().code(2);
}

#[test]
fn status_lists_long_term_and_session_sections_once_each() {
    let text = format!(
        "[default]\naws_access_key_id = AKIADEFAULTEXAMPLE00\naws_secret_access_key = x\n\n{}\n{}\n{}",
        long_term("dev"),
        session("dev", "2099-01-01T00:00:00Z", "s", ""),
        session("ops", "2099-01-01T00:00:00Z", "s", "")
    );
    let run = Test::new()
        .credentials_file(text)
        .args(&["status", "--json"])
        .run()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout_text()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = json
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["profile"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["dev", "ops"]);
}

#[test]
fn rotate_refuses_what_has_no_user_key_of_its_own_before_asking_anything() {
    let file = format!(
        "{}assume_role = arn:aws:iam::123456789012:role/admin\n\n\
         [ops-long-term]\nsource_profile = dev\nassume_role = arn:aws:iam::123456789012:role/ops\n",
        long_term("dev")
    );
    Test::new()
        .credentials_file(&file)
        .args(&["rotate", "ops", "--no-input"])
        .run()
        .code(2)
        .stderr_contains("error: ops is a chained role: it has no long-term key of its own")
        .stderr_contains("hint: rotate the key of its base: stsmfa rotate dev")
        .expect_credentials(&file);
    Test::new()
        .credentials_file(&file)
        .args(&["rotate", "dev", "--no-input"])
        .run()
        .code(2)
        .stderr_contains("dev's sessions are role sessions (assume_role)")
        .expect_credentials(&file);
    // The settings flags rotate uses are its own; `--keep-old` is in its help.
    Test::new()
        .args(&["rotate", "--help"])
        .run()
        .success()
        .stdout_contains("--keep-old")
        .stdout_contains("--token");
}

/// A new key that never works (IAM never spreads it): the old key, which still exists, goes
/// back into the file, byte for byte, and the error says which keys exist where.
#[test]
fn rotate_puts_the_old_key_back_when_the_new_one_never_works() {
    let answer = |body: &str| sts_stub::Answer {
        status: 200,
        body: body.into(),
    };
    let stub = Stub::start(vec![
        answer(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/team/alice</Arn>\
             <UserId>AIDAEXAMPLEEXAMPLE</UserId><Account>123456789012</Account>\
             </GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId>\
             </ResponseMetadata></GetCallerIdentityResponse>",
        ),
        answer(
            "<ListAccessKeysResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
             <ListAccessKeysResult><AccessKeyMetadata><member><UserName>alice</UserName>\
             <AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId><Status>Active</Status>\
             <CreateDate>2020-01-01T00:00:00Z</CreateDate></member></AccessKeyMetadata>\
             <IsTruncated>false</IsTruncated></ListAccessKeysResult>\
             <ResponseMetadata><RequestId>2</RequestId></ResponseMetadata>\
             </ListAccessKeysResponse>",
        ),
        answer(
            "<CreateAccessKeyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
             <CreateAccessKeyResult><AccessKey><UserName>alice</UserName>\
             <AccessKeyId>AKIANEWNEWNEWNEWNEW1</AccessKeyId><Status>Active</Status>\
             <SecretAccessKey>newSECRETnewSECRETnewSECRETnewSECRET1234</SecretAccessKey>\
             <CreateDate>2026-11-26T00:00:00Z</CreateDate></AccessKey>\
             </CreateAccessKeyResult><ResponseMetadata><RequestId>3</RequestId>\
             </ResponseMetadata></CreateAccessKeyResponse>",
        ),
        sts_stub::error_answer(
            403,
            "InvalidClientTokenId",
            "The security token is invalid.",
        ),
    ]);
    let file = format!(
        "# alice's keys\n{}\n{}",
        long_term("dev"),
        session("dev", "2099-01-01T00:00:00Z", "s", "")
    );
    Test::new()
        .credentials_file(&file)
        .env("AWS_ENDPOINT_URL", &stub.url)
        .env("STSMFA_ROTATE_TIMEOUT", "1")
        .args(&["rotate", "dev", "--no-input"])
        .run()
        .code(4)
        .stderr_contains(
            "error: the new key ****NEW1 did not work within 1 s; [dev-long-term] holds the \
             old key ****MPLE again, which works; the new key ****NEW1 still exists in AWS",
        )
        .stderr_lacks("newSECRET")
        .expect_credentials(&file);
    let sent = stub.requests();
    assert_eq!(sent[1].param("UserName"), Some("alice"));
    assert_eq!(sent[2].param("Action"), Some("CreateAccessKey"));
    assert_eq!(
        sent.last().and_then(|r| r.param("Action")),
        Some("DeleteAccessKey")
    );
}

/// `-p` works after the command as before it (`env -p dev`, `exec -p dev -- ...`
/// were exit 2), and `status -p dev` shows dev alone, with dev's exit code.
#[test]
fn the_profile_option_works_after_the_command() {
    let run = valid_session_home("devSECRET")
        .args(&["env", "-p", "dev", "--shell", "sh"])
        .run()
        .success();
    assert!(
        run.stdout_text()
            .contains("export AWS_SECRET_ACCESS_KEY='devSECRET'\n"),
        "{}",
        run.stdout_text()
    );
    let run = valid_session_home("devSECRET")
        .args(&[
            "exec",
            "-p",
            "dev",
            "--",
            "sh",
            "-c",
            "printf %s \"$AWS_SECRET_ACCESS_KEY\"",
        ])
        .run()
        .success();
    assert_eq!(run.stdout_text(), "devSECRET");
    for args in [&["status", "-p", "dev"][..], &["-p", "dev", "status"][..]] {
        let run = Test::new()
            .credentials_file(status_file())
            .args(args)
            .run()
            .success();
        let text = run.stderr_text() + &run.stdout_text();
        assert!(
            text.contains("dev ") && !text.contains("soon"),
            "{args:?}: {text}"
        );
    }
}
