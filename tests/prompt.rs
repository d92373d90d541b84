//! The interactive path, driven through a pseudo-terminal: the prompt, a typo, and the note
//! that a second profile on the same device needs the next code.

use std::process::Command;

use rexpect::session::spawn_command;

use crate::common::Test;
use crate::common::sts_stub::{self, Stub};

const DEVICE: &str = "arn:aws:iam::123456789012:mfa/alice";

fn long_term(profile: &str) -> String {
    format!(
        "[{profile}-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
         aws_mfa_device = {DEVICE}\n"
    )
}

fn terminal_command(t: &Test, stub: &Stub, args: &[&str]) -> Command {
    let mut cmd = t.command();
    cmd.args(args)
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .env("TERM", "dumb");
    cmd
}

#[test]
fn the_prompt_asks_on_the_terminal_and_asks_again_after_a_typo() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let t = Test::new().credentials_file(long_term("dev"));
    let cmd = terminal_command(&t, &stub, &["-p", "dev"]);
    let mut p = spawn_command(cmd, Some(20_000)).unwrap_or_else(|e| panic!("{e}"));
    p.exp_string(&format!("MFA code for dev ({DEVICE})"))
        .unwrap_or_else(|e| panic!("no prompt: {e}"));
    p.send_line("12a456").unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("the code is the 6 digits your MFA device shows")
        .unwrap_or_else(|e| panic!("no re-ask: {e}"));
    p.send_line("123 456").unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("dev: refreshed, valid until")
        .unwrap_or_else(|e| panic!("not refreshed: {e}"));
    p.exp_eof().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stub.only_request().param("TokenCode"), Some("123456"));
}

#[test]
fn a_second_profile_on_the_same_device_is_asked_for_the_next_code() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let t = Test::new().credentials_file(format!("{}\n{}", long_term("dev"), long_term("prod")));
    let cmd = terminal_command(&t, &stub, &["refresh", "dev", "prod"]);
    let mut p = spawn_command(cmd, Some(20_000)).unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("MFA code for dev")
        .unwrap_or_else(|e| panic!("{e}"));
    p.send_line("111111").unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("prod uses the same MFA device as a profile refreshed just now")
        .unwrap_or_else(|e| panic!("no note: {e}"));
    p.exp_string("MFA code for prod")
        .unwrap_or_else(|e| panic!("{e}"));
    // The same code again is not sent to STS (it would refuse it): the prompt asks again.
    p.send_line("111 111").unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("that code was just used; wait for the next one")
        .unwrap_or_else(|e| panic!("no re-ask: {e}"));
    p.exp_string("MFA code for prod")
        .unwrap_or_else(|e| panic!("{e}"));
    p.send_line("222222").unwrap_or_else(|e| panic!("{e}"));
    // Both sessions are written in the run's one write, then reported.
    p.exp_string("dev: refreshed")
        .unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("prod: refreshed")
        .unwrap_or_else(|e| panic!("{e}"));
    p.exp_eof().unwrap_or_else(|e| panic!("{e}"));
    let codes = stub.token_codes();
    assert_eq!(codes, vec!["111111", "222222"]);
}

#[test]
fn no_input_never_prompts_even_on_a_terminal() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let t = Test::new().credentials_file(long_term("dev"));
    let cmd = terminal_command(&t, &stub, &["-p", "dev", "--no-input"]);
    let mut p = spawn_command(cmd, Some(20_000)).unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("an MFA code is needed for dev and no prompt can be shown")
        .unwrap_or_else(|e| panic!("{e}"));
    p.exp_eof().unwrap_or_else(|e| panic!("{e}"));
    assert!(stub.requests().is_empty());
}

/// `stsmfa ARGS` in `sh` on a pseudo-terminal, with echo on (the terminal a person has), the
/// terminal's settings printed before and after (`stty -g`) and then whatever is left on the
/// line for the shell (`read`): what a run leaves behind.
fn in_a_shell(t: &Test, stub: &Stub, args: &[&str]) -> rexpect::session::PtySession {
    let inner = terminal_command(t, stub, args);
    let quoted: Vec<String> = std::iter::once(inner.get_program())
        .chain(inner.get_args())
        .map(|a| format!("'{}'", a.to_string_lossy()))
        .collect();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "stty echo; echo \"shell:$$\"; echo \"before:$(stty -g)\"; trap : INT; {}; \
             echo \"exit:$?\"; \
             echo \"after:$(stty -g)\"; IFS= read -r rest; echo \"left:[$rest]\"",
            quoted.join(" ")
        ))
        .env_clear()
        .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .current_dir(t.home());
    spawn_command(cmd, Some(20_000)).unwrap_or_else(|e| panic!("{e}"))
}

/// The terminal settings printed before the run (call first) or after it.
fn settings(p: &mut rexpect::session::PtySession, when: &str) -> String {
    let (_, line) = p
        .exp_regex(&format!("{when}:[0-9a-f:]+"))
        .unwrap_or_else(|e| panic!("{e}"));
    line.trim_start_matches(&format!("{when}:")).to_owned()
}

fn two_keys() -> String {
    format!(
        "{}\n[dev]\naws_access_key_id = AKIAI44QH8DHBEXAMPL2\n\
         aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n",
        long_term("dev")
    )
}

#[test]
fn a_question_that_deletes_a_key_defaults_to_no_names_it_and_takes_a_whole_line() {
    let stub = Stub::start(vec![]);
    let t = Test::new().credentials_file(two_keys());
    // Enter: no. The key that would go is named, masked.
    let mut p = in_a_shell(&t, &stub, &["setup", "dev"]);
    p.exp_string("Replace [dev-long-term]'s key ****MPLE with ****MPL2 (the secret of ****MPLE is deleted from the file)? [y/N]")
        .unwrap_or_else(|e| panic!("{e}"));
    p.send_line("").unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("exit:6").unwrap_or_else(|e| panic!("{e}"));
    p.send_line("").unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("left:[]").unwrap_or_else(|e| panic!("{e}"));
    crate::common::assert_file(&t.credentials(), two_keys().as_bytes());
    // `yes`: answered by the whole word, nothing of it left for the shell.
    let mut p = in_a_shell(&t, &stub, &["setup", "dev"]);
    p.exp_string("[y/N]").unwrap_or_else(|e| panic!("{e}"));
    p.send_line("yes").unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("exit:0").unwrap_or_else(|e| panic!("{e}"));
    p.send_line("").unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("left:[]").unwrap_or_else(|e| panic!("{e}"));
    let now = std::fs::read_to_string(t.credentials()).unwrap_or_default();
    assert!(
        now.contains("aws_access_key_id = AKIAI44QH8DHBEXAMPL2"),
        "{now}"
    );
    assert!(!now.contains("AKIAIOSFODNN7EXAMPLE"), "{now}");
}

#[test]
fn ctrl_d_at_a_question_cancels_the_run() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let t = Test::new().credentials_file(format!("{}\n{}", long_term("dev"), long_term("prod")));
    let mut p = in_a_shell(&t, &stub, &["refresh", "dev", "prod"]);
    p.exp_string("MFA code for dev")
        .unwrap_or_else(|e| panic!("{e}"));
    p.send_control('d').unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("error: cancelled")
        .unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("exit:1").unwrap_or_else(|e| panic!("{e}"));
    p.send_line("").unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("left:[]").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        stub.requests().is_empty(),
        "prod was asked for after Ctrl-D"
    );
    // At the secret's question too (it used to ask again for ever).
    let t = Test::new();
    let mut p = in_a_shell(
        &t,
        &stub,
        &["setup", "dev", "--access-key-id", "AKIAIOSFODNN7EXAMPLE"],
    );
    let before = settings(&mut p, "before");
    p.exp_string("AWS secret access key")
        .unwrap_or_else(|e| panic!("{e}"));
    p.send_control('d').unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("exit:1").unwrap_or_else(|e| panic!("{e}"));
    let after = settings(&mut p, "after");
    assert_eq!(before, after, "the terminal was left changed");
    assert!(!t.credentials().exists());
}

#[test]
fn a_signal_at_a_question_leaves_the_terminal_as_it_was() {
    let stub = Stub::start(vec![]);
    // Ctrl-C at the secret's question (echo is off while it waits).
    let t = Test::new();
    let args = ["setup", "dev", "--access-key-id", "AKIAIOSFODNN7EXAMPLE"];
    let mut p = in_a_shell(&t, &stub, &args);
    let before = settings(&mut p, "before");
    p.exp_string("AWS secret access key")
        .unwrap_or_else(|e| panic!("{e}"));
    p.send_control('c').unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("exit:130").unwrap_or_else(|e| panic!("{e}"));
    let after = settings(&mut p, "after");
    assert_eq!(before, after, "Ctrl-C left the terminal changed");
    // SIGTERM and SIGHUP, sent to stsmfa alone.
    for signal in ["TERM", "HUP"] {
        let mut p = in_a_shell(&t, &stub, &args);
        let (_, shell) = p
            .exp_regex("shell:[0-9]+")
            .unwrap_or_else(|e| panic!("{e}"));
        let shell = shell.trim_start_matches("shell:").to_owned();
        let before = settings(&mut p, "before");
        p.exp_string("AWS secret access key")
            .unwrap_or_else(|e| panic!("{e}"));
        let killed = Command::new("pkill")
            .args([&format!("-{signal}"), "-P", &shell, "stsmfa"])
            .status()
            .unwrap_or_else(|e| panic!("pkill: {e}"));
        assert!(killed.success(), "no stsmfa under the shell");
        p.exp_regex("exit:1[0-9][0-9]")
            .unwrap_or_else(|e| panic!("{e}"));
        let after = settings(&mut p, "after");
        assert_eq!(before, after, "SIG{signal} left the terminal changed");
    }
    assert!(!t.credentials().exists());
}

#[test]
fn a_pasted_secret_is_trimmed_and_a_typo_asks_again() {
    let stub = Stub::start(vec![]);
    let t = Test::new();
    let mut p = in_a_shell(
        &t,
        &stub,
        &[
            "setup",
            "dev",
            "--access-key-id",
            "AKIAIOSFODNN7EXAMPLE",
            "--device",
            DEVICE,
        ],
    );
    p.exp_string("AWS secret access key")
        .unwrap_or_else(|e| panic!("{e}"));
    p.send_line("wJalrXUtnFEMI/K7MDENG")
        .unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("paste it again")
        .unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("AWS secret access key")
        .unwrap_or_else(|e| panic!("{e}"));
    p.send_line("  wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \t")
        .unwrap_or_else(|e| panic!("{e}"));
    p.exp_string("exit:0").unwrap_or_else(|e| panic!("{e}"));
    crate::common::assert_file(
        &t.credentials(),
        format!(
            "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
             aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
             aws_mfa_device = {DEVICE}\n"
        )
        .as_bytes(),
    );
}
