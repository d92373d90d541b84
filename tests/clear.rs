//! `stsmfa clear` as a user runs it: which profile, which file, what is said, exit codes.

use crate::common::Test;

const LT: &str = "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
                  aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

fn session(name: &str) -> String {
    format!(
        "[{name}]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = sessionSECRETexample\naws_session_token = sessionTOKENexample\n\
         expiration = 2026-11-25T09:50:53Z\n"
    )
}

fn file() -> String {
    format!("{LT}\n{}\n{}", session("dev"), session("prod"))
}

#[test]
fn clears_the_named_profile_and_says_so() {
    Test::new()
        .credentials_file(file())
        .args(&["clear", "dev"])
        .run()
        .success()
        .stdout("")
        .stderr("dev: session cleared; [dev] removed, nothing else was in it\n")
        .expect_credentials(format!("{LT}\n{}", session("prod")));
}

#[test]
fn profile_comes_from_flag_then_aws_profile_then_default() {
    let both = format!("{}\n{}", session("default"), session("dev"));
    Test::new()
        .credentials_file(&both)
        .args(&["clear"])
        .env("AWS_PROFILE", "dev")
        .run()
        .success()
        .expect_credentials(session("default"));
    Test::new()
        .credentials_file(&both)
        .args(&["-p", "default", "clear"])
        .env("AWS_PROFILE", "dev")
        .run()
        .success()
        .expect_credentials(session("dev"));
    Test::new()
        .credentials_file(&both)
        .args(&["clear"])
        .run()
        .success()
        .expect_credentials(session("dev"));
}

#[test]
fn credentials_file_from_flag_or_environment_with_tilde() {
    Test::new()
        .file("elsewhere/creds", file())
        .args(&["--credentials-file", "~/elsewhere/creds", "clear", "prod"])
        .run()
        .success()
        .expect_file("elsewhere/creds", format!("{LT}\n{}", session("dev")));
    Test::new()
        .file("elsewhere/creds", file())
        .env("AWS_SHARED_CREDENTIALS_FILE", "~/elsewhere/creds")
        .args(&["clear", "prod"])
        .run()
        .success()
        .expect_file("elsewhere/creds", format!("{LT}\n{}", session("dev")));
}

#[test]
fn other_lines_keep_the_section() {
    let text = format!("{LT}\n[dev]\nregion = eu-west-1\naws_session_token = t\noutput = json\n");
    Test::new()
        .credentials_file(text)
        .args(&["clear", "dev"])
        .run()
        .success()
        .stderr("dev: session cleared; [dev] kept for the other lines in it\n")
        .expect_credentials(format!("{LT}\n[dev]\nregion = eu-west-1\noutput = json\n"));
}

#[test]
fn all_clears_every_profile_with_a_long_term_section() {
    let text = format!(
        "{LT}\n{}\n[prod-long-term]\naws_access_key_id = AKIAPRODEXAMPLE00000\n\n{}\n{}\n\
         [qa-long-term]\naws_access_key_id = AKIAQAQAQAEXAMPLE000\n",
        session("dev"),
        session("prod"),
        session("other")
    );
    Test::new()
        .credentials_file(text)
        .args(&["clear", "--all"])
        .run()
        .success()
        .stderr_starts_with(
            "dev: session cleared; [dev] removed, nothing else was in it\n\
             prod: session cleared; [prod] removed, nothing else was in it\n\
             qa: there is no [qa] in ",
        )
        .stderr_contains("; already clear\n")
        .expect_credentials(format!(
            "{LT}\n[prod-long-term]\naws_access_key_id = AKIAPRODEXAMPLE00000\n\n{}\n\
             [qa-long-term]\naws_access_key_id = AKIAQAQAQAEXAMPLE000\n",
            session("other")
        ));
}

#[test]
fn all_without_long_term_sections_says_there_is_nothing() {
    Test::new()
        .credentials_file(session("dev"))
        .args(&["clear", "--all"])
        .run()
        .success()
        .stderr_contains("no profile has a [NAME-long-term] section")
        .expect_credentials(session("dev"));
}

#[test]
fn long_term_section_is_never_cleared() {
    Test::new()
        .credentials_file(file())
        .args(&["clear", "dev-long-term"])
        .run()
        .code(6)
        .stderr_contains("error: [dev-long-term] in ")
        .stderr_contains("holds long-term keys; stsmfa never removes them")
        .stderr_contains("hint: to remove the session of dev, run `stsmfa clear dev`")
        .expect_credentials(file());
}

#[test]
fn section_without_session_token_is_left_alone() {
    let text = "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n";
    Test::new()
        .credentials_file(text)
        .args(&["clear", "default"])
        .run()
        .code(6)
        .stderr_contains("[default] in ")
        .stderr_contains("holds no session (no aws_session_token), so it was left alone")
        .expect_credentials(text);
}

#[test]
fn a_missing_section_is_already_clear() {
    // qa is a profile of the config file, with no session in the credentials file.
    Test::new()
        .credentials_file(file())
        .file(".aws/config", "[profile qa]\nregion = eu-west-1\n")
        .args(&["clear", "qa"])
        .run()
        .success()
        .stderr_starts_with("qa: there is no [qa] in ")
        .stderr_contains("; already clear")
        .expect_credentials(file());
}

#[test]
fn a_profile_in_neither_file_is_an_error_with_the_closest_name_and_nothing_is_cleared() {
    let t = Test::new().credentials_file(file());
    let config = t.home().join(".aws/config").display().to_string();
    let credentials = t.credentials().display().to_string();
    t.args(&["clear", "dev", "prdo"])
        .run()
        .code(1)
        .stderr(&format!(
            "error: there is no profile prdo in {credentials} or {config}\n  \
             hint: did you mean prod? (stsmfa status lists the profiles)\n"
        ))
        .expect_credentials(file());
}

#[test]
fn clearing_twice_is_success_both_times() {
    let run = Test::new()
        .credentials_file(file())
        .args(&["clear", "dev"])
        .run()
        .success();
    let run = run
        .test
        .again()
        .args(&["clear", "dev"])
        .run()
        .success()
        .stderr_contains("dev: there is no [dev] in ")
        .expect_credentials(format!("{LT}\n{}", session("prod")));
    // A section left with other lines and no session is clear too.
    let text = "[dev]\nregion = eu-west-1\n";
    run.test
        .again()
        .credentials_file(text)
        .args(&["clear", "dev"])
        .run()
        .success()
        .stderr("dev: [dev] holds no session; already clear\n")
        .expect_credentials(text);
}

#[test]
fn one_failing_profile_does_not_stop_the_others() {
    let stage = "[stage]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = x\n";
    Test::new()
        .credentials_file(format!("{}\n{stage}", file()))
        .args(&["clear", "stage", "prod"])
        .run()
        .code(6)
        .stderr_contains("[stage] in ")
        .stderr_contains("prod: session cleared")
        .expect_credentials(format!("{LT}\n{}\n{stage}", session("dev")));
}

#[test]
fn duplicate_section_names_both_lines() {
    let text = format!("{}\n{}", session("dev"), session(" dev "));
    Test::new()
        .credentials_file(&text)
        .args(&["clear", "dev"])
        .run()
        .code(6)
        .stderr_contains("[dev] appears 2 times in ")
        .stderr_contains("(lines 1 and 7); nothing was changed")
        .expect_credentials(&text);
}

#[test]
fn short_term_suffix_names_the_session_section() {
    let text = format!("{LT}\n{}", session("dev-short"));
    Test::new()
        .credentials_file(text)
        .args(&["--short-term-suffix", "short", "clear", "dev"])
        .run()
        .success()
        .expect_credentials(LT);
}

#[test]
fn quiet_says_nothing_and_verbose_names_the_keys() {
    Test::new()
        .credentials_file(file())
        .args(&["-q", "clear", "dev"])
        .run()
        .success()
        .stderr("");
    Test::new()
        .credentials_file(file())
        .args(&["clear", "dev", "--verbose"])
        .run()
        .success()
        .stderr_contains(
            "removed aws_access_key_id, aws_secret_access_key, aws_session_token, expiration \
             from [dev] in ",
        );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    Test::new()
        .credentials_file(file())
        .args(&["--color", "always", "clear", "dev"])
        .run()
        .success()
        .stderr_contains("\x1b[32mdev\x1b[0m: session cleared");
    let run = Test::new()
        .credentials_file(file())
        .args(&["clear", "dev"])
        .run()
        .success();
    assert!(!run.stderr_text().contains('\x1b'));
}

#[test]
fn secrets_never_reach_the_output() {
    for args in [
        &["clear", "dev", "-v"][..],
        &["clear", "dev-long-term", "-v"],
        &["clear", "--all", "-v"],
    ] {
        let run = Test::new().credentials_file(file()).args(args).run();
        let all = format!("{}{}", run.stdout_text(), run.stderr_text());
        for secret in ["wJalrXUtnFEMI", "sessionSECRET", "sessionTOKEN"] {
            assert!(!all.contains(secret), "{args:?} printed a secret:\n{all}");
        }
    }
}

#[test]
fn help_and_version_exit_0_and_usage_errors_exit_2() {
    Test::new()
        .args(&["--help"])
        .run()
        .success()
        .stdout_contains("clear");
    Test::new()
        .args(&["clear", "--help"])
        .run()
        .success()
        .stdout_contains("Every profile that has a long-term section");
    Test::new()
        .args(&["--version"])
        .run()
        .success()
        .stdout(&format!("stsmfa {}\n", env!("CARGO_PKG_VERSION")));
    Test::new().args(&["--bogus"]).run().code(2);
    Test::new().args(&["clear", "--all", "dev"]).run().code(2);
    // No command is `refresh` of the default profile, which does not exist yet.
    Test::new()
        .run()
        .code(1)
        .stderr_contains("error: there is no profile default: ")
        .stderr_contains("credentials does not exist")
        .stderr_contains("hint: stsmfa setup default writes it");
}
