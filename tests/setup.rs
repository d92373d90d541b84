//! `stsmfa setup`: by flags, by prompts through a pseudo-terminal, and moving long-term keys
//! out of `[NAME]`, with the whole file compared.

use crate::common::Test;

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DEVICE: &str = "arn:aws:iam::123456789012:mfa/alice";

#[test]
fn setup_by_flags_writes_the_long_term_section() {
    Test::new()
        .credentials_file("# mine\n[other]\nregion = x\n")
        .args(&[
            "setup",
            "dev",
            "--access-key-id",
            KEY,
            "--secret-access-key-stdin",
            "--device",
            DEVICE,
            "--duration",
            "8h",
            "--region",
            "eu-west-1",
        ])
        .stdin(format!("{SECRET}\n"))
        .run()
        .success()
        .stderr_contains("dev: saved [dev-long-term]; run `stsmfa -p dev` to start a session")
        .expect_credentials(format!(
            "# mine\n[other]\nregion = x\n\n[dev-long-term]\naws_access_key_id = {KEY}\n\
             aws_secret_access_key = {SECRET}\naws_mfa_device = {DEVICE}\n\
             duration_seconds = 28800\nregion = eu-west-1\n"
        ));
}

#[test]
fn setup_updates_an_existing_section_in_place() {
    let before = format!(
        "[dev-long-term]\n# rotated 2026-01\naws_access_key_id = {KEY}\n\
         aws_secret_access_key = {SECRET}\nmfa_serial = {DEVICE}\n"
    );
    Test::new()
        .credentials_file(&before)
        .args(&[
            "setup",
            "dev",
            "--device",
            "arn:aws:iam::123456789012:mfa/phone",
        ])
        .run()
        .success()
        .expect_credentials(before.replace("mfa/alice", "mfa/phone"));
}

#[test]
fn long_term_keys_in_the_short_term_section_move_in_one_write() {
    let before = format!(
        "# work\n[dev]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n\
         region = eu-west-1\n\n[prod]\nregion = us-east-1\n"
    );
    Test::new()
        .credentials_file(&before)
        .args(&["setup", "dev", "--device", DEVICE, "--yes"])
        .run()
        .success()
        .stderr_contains("dev: moved the long-term keys of [dev] to [dev-long-term]")
        .expect_credentials(format!(
            "# work\n[dev]\nregion = eu-west-1\n\n[prod]\nregion = us-east-1\n\n\
             [dev-long-term]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n\
             aws_mfa_device = {DEVICE}\n"
        ));
}

#[test]
fn a_section_left_empty_by_the_move_goes() {
    Test::new()
        .credentials_file(format!(
            "[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"
        ))
        .args(&["setup", "--device", DEVICE, "-y"])
        .run()
        .success()
        .expect_credentials(format!(
            "[default-long-term]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n\
             aws_mfa_device = {DEVICE}\n"
        ));
}

#[test]
fn moving_needs_confirmation_or_yes() {
    let before = format!("[dev]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n");
    Test::new()
        .credentials_file(&before)
        .args(&["setup", "dev", "--device", DEVICE])
        .run()
        .code(6)
        .stderr_contains("[dev] holds long-term keys, which a refresh would overwrite")
        .stderr_contains(
            "hint: run again with --yes to answer \"Move them to [dev-long-term]?\" with yes",
        )
        .expect_credentials(&before);
}

/// `[lt]` and `[lt-long-term]` both holding the keys was a circle: setup said "saved" and
/// changed nothing, refresh kept sending the user to setup. Now setup offers to take them out
/// of `[lt]`, and says "saved" only when something was written.
#[test]
fn keys_in_both_sections_are_taken_out_of_the_session_section() {
    let long = format!(
        "[lt-long-term]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n\
         aws_mfa_device = {DEVICE}\n"
    );
    let copy = format!(
        "{long}\n# the CLI's copy\n[lt]\naws_access_key_id = {KEY}\n\
         aws_secret_access_key = {SECRET}\nregion = eu-west-1\n"
    );
    let t = Test::new().credentials_file(&copy).args(&["setup", "lt"]);
    let run = t
        .run()
        .code(6)
        .stderr_contains("[lt] holds a copy of [lt-long-term]'s long-term keys")
        .stderr_contains("--yes to answer \"Remove the copy from [lt]?\" with yes")
        .stderr_lacks("saved")
        .expect_credentials(&copy);
    let run = run
        .test
        .again()
        .args(&["setup", "lt", "--yes"])
        .run()
        .success()
        .stderr_contains("lt: removed the copy of [lt-long-term]'s keys from [lt]")
        .stderr_contains("lt: [lt-long-term] already says this; run `stsmfa -p lt`")
        .stderr_lacks("saved")
        .expect_credentials(format!(
            "{long}\n# the CLI's copy\n[lt]\nregion = eu-west-1\n"
        ));
    // Nothing left to do: said so, still not "saved".
    run.test
        .again()
        .args(&["setup", "lt"])
        .run()
        .success()
        .stderr_contains("lt: [lt-long-term] already says this")
        .stderr_lacks("saved");

    // Other keys in [lt]: they replace [lt-long-term]'s, with --yes.
    const NEW_KEY: &str = "AKIAI44QH8DHBEXAMPLE";
    const NEW_SECRET: &str = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
    let other = format!(
        "{long}\n[lt]\naws_access_key_id = {NEW_KEY}\naws_secret_access_key = {NEW_SECRET}\n"
    );
    Test::new()
        .credentials_file(&other)
        .args(&["setup", "lt", "--yes"])
        .run()
        .success()
        .stderr_contains(
            "lt: replaced the keys of [lt-long-term] with those of [lt], and removed them from [lt]",
        )
        .stderr_contains("lt: saved [lt-long-term]")
        .expect_credentials(format!(
            "[lt-long-term]\naws_access_key_id = {NEW_KEY}\naws_secret_access_key = {NEW_SECRET}\n\
             aws_mfa_device = {DEVICE}\n"
        ));
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["--access-key-id", "AKIA123", "--device", DEVICE],
            "\"AKIA123\" is not a long-term access key id",
        ),
        (
            &[
                "--access-key-id",
                "ASIAIOSFODNN7EXAMPLE",
                "--device",
                DEVICE,
            ],
            "that is a session key",
        ),
        (
            &["--access-key-id", KEY, "--device", "arn:aws:iam::1:mfa/x"],
            "the MFA device \"arn:aws:iam::1:mfa/x\" (from --device) is not valid",
        ),
        (
            &[
                "--access-key-id",
                KEY,
                "--secret-access-key",
                SECRET,
                "--device",
                DEVICE,
            ],
            "a secret access key on the command line ends up in shell history",
        ),
        (&["--device", DEVICE], "no access key id"),
    ];
    for (args, message) in cases {
        let mut all = vec!["setup", "dev", "--secret-access-key-stdin"];
        all.extend(args);
        let run = Test::new()
            .args(&all)
            .stdin(SECRET)
            .run()
            .code(2)
            .stderr_contains(message)
            .expect_no_file(".aws/credentials");
        assert!(
            !run.stderr_text().contains(SECRET),
            "the secret was printed"
        );
    }
}

#[test]
fn setup_asks_for_what_is_missing_on_the_terminal() {
    let t = Test::new();
    let mut cmd = t.command();
    cmd.args(["setup", "dev"]).env("TERM", "dumb");
    let rest = crate::common::converse(
        cmd,
        &[
            ("AWS access key id", "AKIA123"),
            ("AKIA followed by 16 capital letters and digits", KEY),
            ("AWS secret access key", SECRET),
            ("MFA device ARN", DEVICE),
        ],
    );
    assert!(rest.contains("dev: saved [dev-long-term]"), "{rest}");
    assert!(!rest.contains(SECRET), "the secret was echoed:\n{rest}");
    crate::common::assert_file(
        &t.credentials(),
        format!(
            "[dev-long-term]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n\
             aws_mfa_device = {DEVICE}\n"
        )
        .as_bytes(),
    );
}

/// The creation time `rotate` records belongs to one key: setting up another key drops it, the
/// same key keeps it.
#[test]
fn another_key_drops_the_recorded_creation_time() {
    const NEW_KEY: &str = "AKIAI44QH8DHBEXAMPLE";
    let before = format!(
        "[dev-long-term]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n\
         aws_mfa_device = {DEVICE}\naws_access_key_created = 2026-01-01T00:00:00Z\n"
    );
    Test::new()
        .credentials_file(&before)
        .args(&[
            "setup",
            "dev",
            "--access-key-id",
            NEW_KEY,
            "--secret-access-key-stdin",
        ])
        .stdin(format!("{SECRET}\n"))
        .run()
        .success()
        .expect_credentials(format!(
            "[dev-long-term]\naws_access_key_id = {NEW_KEY}\naws_secret_access_key = {SECRET}\n\
             aws_mfa_device = {DEVICE}\n"
        ));
    Test::new()
        .credentials_file(&before)
        .args(&[
            "setup",
            "dev",
            "--access-key-id",
            KEY,
            "--secret-access-key-stdin",
        ])
        .stdin(format!("{SECRET}\n"))
        .run()
        .success()
        .stderr_contains("already says this")
        .expect_credentials(&before);
}

#[test]
fn a_fido_security_key_is_told_aws_takes_only_totp_devices() {
    const U2F: &str = "arn:aws:iam::123456789012:u2f/user/alice/fidosecuritykey-ABCDEFGHIJKLMNOP";
    let hint = "AWS accepts only those for MFA on API calls (STS), not a FIDO security key (u2f)";
    Test::new()
        .args(&[
            "setup",
            "dev",
            "--access-key-id",
            KEY,
            "--device",
            U2F,
            "--no-input",
        ])
        .run()
        .code(2)
        .stderr_contains(hint);
    // In the file: said before a code is asked for.
    let file = format!(
        "[dev-long-term]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n\
         aws_mfa_device = {U2F}\n"
    );
    Test::new()
        .credentials_file(&file)
        .args(&["-p", "dev", "--no-input"])
        .run()
        .code(2)
        .stderr_contains(hint)
        .expect_credentials(&file);
}

#[test]
fn the_device_comes_from_mfa_serial_in_the_config_file_and_is_not_asked_for() {
    let t = Test::new().file(
        ".aws/config",
        format!("[profile dev]\nmfa_serial = {DEVICE}\nregion = eu-west-1\n"),
    );
    let run = t
        .args(&[
            "setup",
            "dev",
            "--access-key-id",
            KEY,
            "--secret-access-key-stdin",
            "--no-input",
        ])
        .stdin(format!("{SECRET}\n"))
        .run()
        .success()
        .stderr_contains(&format!(
            "dev: the MFA device is {DEVICE}, from mfa_serial in "
        ))
        .stderr_contains("dev: saved [dev-long-term]");
    // The device stays where it is (the AWS CLI reads it there too); nothing is copied.
    let run = run.expect_credentials(format!(
        "[dev-long-term]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"
    ));
    // And a refresh finds it there.
    let stub =
        crate::common::sts_stub::Stub::start(vec![crate::common::sts_stub::session_answer()]);
    run.test
        .again()
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["-p", "dev", "--token", "123456"])
        .run()
        .success();
    assert_eq!(stub.only_request().param("SerialNumber"), Some(DEVICE));
}
