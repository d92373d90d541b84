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
