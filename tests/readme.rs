//! The README's recipes, run exactly as written (taken from README.md itself) on a fresh home:
//! the completion and manual install lines, the cron line as cron runs it, the prompt segment.

use std::path::Path;
use std::process::Command;

use crate::common::{BIN, Test};

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first fenced block of `lang` after `heading`.
fn block_after(text: &str, heading: &str, lang: &str) -> String {
    let from = text
        .find(heading)
        .unwrap_or_else(|| panic!("README has no {heading:?}"));
    let fence = format!("```{lang}\n");
    let start = text[from..]
        .find(&fence)
        .map(|i| from + i + fence.len())
        .unwrap_or_else(|| panic!("no ```{lang} block after {heading:?}"));
    let len = text[start..]
        .find("```")
        .unwrap_or_else(|| panic!("unclosed block after {heading:?}"));
    text[start..start + len].to_owned()
}

/// A home with `~/.cargo/bin/stsmfa` (where `cargo install` puts it) and a valid session for
/// `dev` (or an expired one).
fn installed_home(valid: bool) -> Test {
    let expiration = if valid {
        "2099-01-01T00:00:00Z"
    } else {
        "2020-01-01T00:00:00Z"
    };
    let t = Test::new().credentials_file(format!(
        "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
         aws_mfa_device = arn:aws:iam::123456789012:mfa/alice\n\n\
         [dev]\naws_access_key_id = ASIAVALIDVALIDEXAMPL\naws_secret_access_key = s\n\
         aws_session_token = t\nexpiration = {expiration}\n"
    ));
    let bin = t.home().join(".cargo/bin");
    std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(BIN, bin.join("stsmfa")).unwrap_or_else(|e| panic!("{e}"));
    t
}

/// Runs `script` with `sh` the way a login shell would: HOME, and PATH with ~/.cargo/bin.
fn sh(home: &Path, script: &str, env: &[(&str, &str)]) -> std::process::Output {
    Command::new("/bin/sh")
        .args(["-c", script])
        .env_clear()
        .env("HOME", home)
        .env(
            "PATH",
            format!("{}/.cargo/bin:/usr/bin:/bin", home.display()),
        )
        .envs(env.iter().copied())
        .current_dir(home)
        .output()
        .unwrap_or_else(|e| panic!("sh: {e}"))
}

#[test]
fn the_completion_and_manual_install_lines_work_on_a_fresh_home() {
    let text = readme();
    let block = block_after(&text, "### `stsmfa completions SHELL`", "sh");
    let t = installed_home(true);
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        let out = sh(t.home(), line, &[]);
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for file in [
        ".local/share/bash-completion/completions/stsmfa",
        ".zfunc/_stsmfa",
        ".config/fish/completions/stsmfa.fish",
    ] {
        let len = std::fs::metadata(t.home().join(file)).map_or(0, |m| m.len());
        assert!(len > 1000, "{file} was not written");
    }
    let man = text
        .split('`')
        .find(|part| part.starts_with("stsmfa man --dir "))
        .unwrap_or_else(|| panic!("README has no `stsmfa man --dir` line"));
    let out = sh(t.home(), man, &[]);
    assert!(
        out.status.success(),
        "{man}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        t.home()
            .join(".local/share/man/man1/stsmfa-status.1")
            .exists()
    );
}

#[test]
fn the_cron_line_runs_under_crons_environment_and_mails_only_trouble() {
    let block = block_after(&readme(), "### Unattended: cron", "cron");
    let line = block
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .unwrap_or_else(|| panic!("no cron line"));
    // The five time fields, then the command, which cron runs with sh -c.
    let command = line.splitn(6, ' ').nth(5).unwrap_or_default();
    let cron = |t: &Test| {
        Command::new("/bin/sh")
            .args(["-c", command])
            .env_clear()
            .env("HOME", t.home())
            .env("LOGNAME", "alice")
            .env("SHELL", "/bin/sh")
            .env("PATH", "/usr/bin:/bin")
            .current_dir(t.home())
            .output()
            .unwrap_or_else(|e| panic!("sh: {e}"))
    };
    // Everything valid: no output at all, so cron sends no mail.
    let out = cron(&installed_home(true));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "cron would mail: {out:?}"
    );
    // A session that needs a code the token command cannot give: that is said (and mailed).
    let out = cron(&installed_home(false));
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error: "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_prompt_segment_says_ok_or_expired() {
    let block = block_after(&readme(), "### A shell prompt segment", "sh");
    for (valid, says) in [(true, "aws:dev"), (false, "aws:dev EXPIRED")] {
        let t = installed_home(valid);
        // An old key and a file others can read: still not a word at the prompt.
        let path = t.credentials();
        let text = std::fs::read_to_string(&path).unwrap_or_default().replace(
            "[dev-long-term]\n",
            "[dev-long-term]\naws_access_key_created = 2020-01-01T00:00:00Z\n",
        );
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .unwrap();
        for env in [
            [("AWS_PROFILE", "dev"), ("STSMFA_PROFILE", "")],
            [("AWS_PROFILE", "other"), ("STSMFA_PROFILE", "dev")],
        ] {
            let out = sh(t.home(), &format!("{block}\naws_segment"), &env);
            assert_eq!(String::from_utf8_lossy(&out.stdout), says, "{env:?}");
            assert!(
                out.stderr.is_empty(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
#[ignore = "needs moto and the AWS CLI: run scripts/test"]
fn the_credential_process_recipe_serves_the_aws_cli() {
    let config = block_after(&readme(), "### Credentials served on demand", "ini");
    let venv = std::env::var("STSMFA_TEST_VENV")
        .unwrap_or_else(|_| panic!("STSMFA_TEST_VENV is not set: run scripts/test"));
    let moto = std::env::var("STSMFA_TEST_STS_URL")
        .unwrap_or_else(|_| panic!("STSMFA_TEST_STS_URL is not set: run scripts/test"));
    // An expired session: the AWS CLI's call makes stsmfa refresh it (the code from the
    // token command, as there is no terminal).
    let t = installed_home(false).file(".aws/config", &config);
    let long_term = std::fs::read_to_string(t.credentials()).unwrap_or_default();
    std::fs::write(
        t.credentials(),
        long_term.replace(
            "[dev-long-term]\n",
            "[dev-long-term]\nmfa_process = echo 123456\n",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = sh(
        t.home(),
        &format!("{venv}/bin/aws sts get-caller-identity --profile dev-auto"),
        &[("AWS_ENDPOINT_URL", &moto)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"Account\""));
    let written = std::fs::read_to_string(t.credentials()).unwrap_or_default();
    assert!(
        !written.contains("2020-01-01"),
        "the session was not refreshed"
    );
}

/// The long options `text` names (`--name`, not inside a longer word).
fn long_options(text: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("--") {
        let start = i + at;
        let before_ok =
            start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'-');
        let mut end = start + 2;
        while end < bytes.len() && (bytes[end].is_ascii_lowercase() || bytes[end] == b'-') {
            end += 1;
        }
        let name = text[start..end].trim_end_matches('-');
        if before_ok && name.len() > 3 && bytes[start + 2].is_ascii_lowercase() {
            out.insert(name.to_owned());
        }
        i = end.max(start + 2);
    }
    out
}

/// The README and the binary agree on every option: each option of each command's `--help` is
/// in the README, and each option the README names is one the binary takes (or one of another
/// program, listed here).
#[test]
fn the_readme_names_every_option_and_only_options_that_exist() {
    let mut help = String::new();
    for command in [
        "",
        "refresh",
        "status",
        "env",
        "exec",
        "credential-process",
        "setup",
        "rotate",
        "console",
        "completions",
        "man",
        "clear",
    ] {
        let out = Command::new(BIN)
            .args(command.split_whitespace())
            .arg("--help")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        help.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    let in_help = long_options(&help);
    let in_readme = long_options(&readme());
    let undocumented: Vec<&String> = in_help.difference(&in_readme).collect();
    assert!(
        undocumented.is_empty(),
        "not in the README: {undocumented:?}"
    );
    // Options of other programs the README quotes, and the aws-mfa spellings stsmfa takes too
    // (hidden from the help, as aliases).
    let others = [
        "--locked",
        "--repo",
        "--path",
        "--otp",
        "--now",
        "--tool",
        "--user",
        "--user-name",
        "--serial-number",
        "--token-code",
        "--setup",
        "--secret-access-key",
    ];
    let aliases = [
        ("--long-suffix", "x"),
        ("--short-suffix", "x"),
        ("--assume", "arn:aws:iam::123456789012:role/x"),
    ];
    for (alias, value) in aliases {
        let out = Command::new(BIN)
            .args([alias, value, "--help"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{alias} is not taken");
    }
    let unknown: Vec<&String> = in_readme
        .difference(&in_help)
        .filter(|o| !others.contains(&o.as_str()) && !aliases.iter().any(|(a, _)| a == o))
        .collect();
    assert!(
        unknown.is_empty(),
        "the README names options the binary does not take: {unknown:?}"
    );
}
