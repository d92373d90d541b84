//! The long-term secret in the OS keychain (SPEC §10): moved in and out by `setup`, read by
//! refresh and `rotate`, shown by `status`, and a clear exit 6 when there is no keychain.
//! The tests with a keychain run against a real Secret Service (GNOME Keyring in a D-Bus
//! session of their own) and are `#[ignore]`d in a plain `cargo test`; scripts/test installs
//! what they need and runs them.

use std::fs;

use crate::common::keychain::Keychain;
use crate::common::sts_stub::{self, Stub};
use crate::common::{Test, assert_file};
use crate::interop;

const ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DEVICE: &str = "arn:aws:iam::123456789012:mfa/alice";

/// A file with comments and other profiles around `[dev-long-term]`, its secret in the file.
fn in_file() -> String {
    format!(
        "# my keys\n[default]\nregion = eu-west-1\n\n[dev-long-term]\n# alice\n\
         aws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n\
         aws_mfa_device = {DEVICE}\n\n[other]\naws_access_key_id = AKIAOTHEROTHEREXAMPL\n\
         aws_secret_access_key = otherSECRET\n"
    )
}

/// The same file with the secret in the keychain: the one line changed, in its place.
fn in_keychain() -> String {
    in_file().replace(
        &format!("aws_secret_access_key = {SECRET}\n"),
        "secret_access_key = keychain\n",
    )
}

/// A test whose stsmfa runs see the keychain.
fn with_keychain(test: Test) -> (Test, Keychain) {
    let keychain = Keychain::start(test.home());
    let test = test.env("DBUS_SESSION_BUS_ADDRESS", &keychain.address);
    (test, keychain)
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring, dbus, libsecret-tools): run scripts/test"]
fn setup_by_flags_puts_the_secret_in_the_keychain_and_never_in_the_file() {
    let (t, keychain) = with_keychain(Test::new());
    let run = t
        .args(&[
            "setup",
            "dev",
            "--access-key-id",
            ID,
            "--secret-access-key-stdin",
            "--device",
            DEVICE,
            "--keychain",
        ])
        .stdin(format!("{SECRET}\n"))
        .run()
        .success()
        .stderr_contains(
            "dev: saved [dev-long-term] (its secret access key is in the OS keychain, service \
             stsmfa, account ****MPLE; not in the file)",
        )
        .stderr_lacks(SECRET)
        .expect_credentials(format!(
            "[dev-long-term]\naws_access_key_id = {ID}\nsecret_access_key = keychain\n\
             aws_mfa_device = {DEVICE}\n"
        ));
    assert_eq!(keychain.lookup(ID).as_deref(), Some(SECRET));
    // status says where the secret is, without asking the keychain.
    let status = run
        .test
        .again()
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .args(&["status", "--json"])
        .run()
        .code(1);
    let rows: serde_json::Value =
        serde_json::from_str(&status.stdout_text()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows[0]["secret"], "keychain");
    drop(keychain);
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring, dbus, libsecret-tools): run scripts/test"]
fn moving_the_secret_in_and_out_changes_that_line_only_and_gives_the_file_back() {
    let (t, keychain) = with_keychain(Test::new().credentials_file(in_file()));
    let run = t
        .args(&["setup", "dev", "--keychain"])
        .run()
        .success()
        .stderr_lacks(SECRET)
        .expect_credentials(in_keychain());
    assert_eq!(keychain.lookup(ID).as_deref(), Some(SECRET));
    // Again: nothing to change, and the entry is still there.
    let run = run
        .test
        .again()
        .args(&["setup", "dev", "--keychain"])
        .run()
        .success()
        .stderr_contains("[dev-long-term] already says this")
        .expect_credentials(in_keychain());
    // Without a flag the secret stays where it is, and is not even read: no keychain needed.
    let run = run
        .test
        .again()
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .args(&["setup", "dev", "--duration", "3600"])
        .run()
        .success();
    let with_duration = in_keychain().replace(
        &format!("aws_mfa_device = {DEVICE}\n"),
        &format!("aws_mfa_device = {DEVICE}\nduration_seconds = 3600\n"),
    );
    assert_file(&run.test.credentials(), with_duration.as_bytes());
    // Back into the file: the line is written before the entry goes.
    let run = run
        .test
        .again()
        .env("DBUS_SESSION_BUS_ADDRESS", &keychain.address)
        .args(&["setup", "dev", "--no-keychain"])
        .run()
        .success()
        .stderr_contains("the secret access key is in the file again")
        .stderr_lacks(SECRET);
    let back = in_file().replace(
        &format!("aws_mfa_device = {DEVICE}\n"),
        &format!("aws_mfa_device = {DEVICE}\nduration_seconds = 3600\n"),
    );
    assert_file(&run.test.credentials(), back.as_bytes());
    assert_eq!(keychain.lookup(ID), None, "the entry was not deleted");
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring, dbus, libsecret-tools): run scripts/test"]
fn keys_moved_out_of_the_short_term_section_go_to_the_keychain_in_the_same_write() {
    let (t, keychain) = with_keychain(Test::new().credentials_file(format!(
        "[dev]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\nregion = eu-west-1\n"
    )));
    let _home = t
        .args(&["setup", "dev", "--keychain", "--yes", "--device", DEVICE])
        .run()
        .success()
        .stderr_contains("dev: moved the long-term keys of [dev] to [dev-long-term]")
        .expect_credentials(format!(
            "[dev]\nregion = eu-west-1\n\n[dev-long-term]\naws_access_key_id = {ID}\n\
             secret_access_key = keychain\naws_mfa_device = {DEVICE}\n"
        ));
    assert_eq!(keychain.lookup(ID).as_deref(), Some(SECRET));
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring, dbus, libsecret-tools): run scripts/test"]
fn a_refresh_signs_with_the_secret_from_the_keychain() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let (t, keychain) = with_keychain(Test::new().credentials_file(in_keychain()));
    keychain.store(ID, SECRET);
    let run = t
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .args(&["-v", "-p", "dev", "--token", "123456"])
        .run()
        .success()
        .stderr_contains("dev: the secret access key of [dev-long-term] comes from the OS keychain")
        .stderr_lacks(SECRET);
    assert_eq!(stub.only_request().signed_by(), Some(ID));
    let text = fs::read_to_string(run.test.credentials()).unwrap_or_default();
    assert!(text.starts_with(&in_keychain()), "{text}");
    assert!(
        !text.contains(SECRET),
        "the long-term secret went into the file"
    );
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring, dbus, libsecret-tools): run scripts/test"]
fn an_entry_that_is_gone_stops_the_refresh_before_a_code_is_asked_for() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let (t, _keychain) = with_keychain(Test::new().credentials_file(in_keychain()));
    refresh_that_must_not_start(t, &stub)
        .stderr_contains(
            "error: cannot read [dev-long-term]'s secret access key (****MPLE) from the OS \
             keychain: the keychain has no entry for it (service stsmfa, account ****MPLE)",
        )
        .stderr_contains(
            "hint: store it again: stsmfa setup dev --keychain --secret-access-key-stdin < FILE",
        )
        .expect_credentials(in_keychain());
}

/// A refresh of `[dev]` with a token command; it must stop (exit 6) before the command runs or
/// STS is called.
fn refresh_that_must_not_start(t: Test, stub: &Stub) -> crate::common::Run {
    let marker = t.home().join("token-command-ran");
    let run = t
        .env("AWS_ENDPOINT_URL_STS", &stub.url)
        .env(
            "MFA_TOKEN_COMMAND",
            &format!("touch {} && echo 123456", marker.display()),
        )
        .args(&["-p", "dev"])
        .run()
        .code(6);
    assert!(!marker.exists(), "the token command ran");
    assert!(stub.requests().is_empty(), "STS was called");
    run
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring, dbus, libsecret-tools): run scripts/test"]
fn an_entry_two_profiles_share_stays_until_the_last_one_moves_out() {
    let two = format!(
        "[a-long-term]\naws_access_key_id = {ID}\nsecret_access_key = keychain\n\
         aws_mfa_device = {DEVICE}\n\n[b-long-term]\naws_access_key_id = {ID}\n\
         secret_access_key = keychain\naws_mfa_device = {DEVICE}\n"
    );
    let (t, keychain) = with_keychain(Test::new().credentials_file(&two));
    keychain.store(ID, SECRET);
    let run = t
        .args(&["setup", "a", "--no-keychain"])
        .run()
        .success()
        .expect_credentials(two.replacen(
            "secret_access_key = keychain",
            &format!("aws_secret_access_key = {SECRET}"),
            1,
        ));
    assert_eq!(
        keychain.lookup(ID).as_deref(),
        Some(SECRET),
        "b still needs it"
    );
    run.test
        .again()
        .args(&["setup", "b", "--no-keychain"])
        .run()
        .success()
        .expect_credentials(two.replace(
            "secret_access_key = keychain",
            &format!("aws_secret_access_key = {SECRET}"),
        ));
    assert_eq!(keychain.lookup(ID), None);
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring, dbus, libsecret-tools): run scripts/test"]
fn setup_by_prompts_puts_the_typed_secret_in_the_keychain() {
    let (t, keychain) = with_keychain(Test::new());
    let mut cmd = t.command();
    cmd.args(["setup", "dev", "--keychain"]).env("TERM", "dumb");
    let rest = crate::common::converse(
        cmd,
        &[
            ("AWS access key id", ID),
            ("AWS secret access key", SECRET),
            ("MFA device ARN", DEVICE),
        ],
    );
    assert!(rest.contains("in the OS keychain"), "{rest}");
    assert!(!rest.contains(SECRET), "the secret was echoed:\n{rest}");
    assert_file(
        &t.credentials(),
        format!(
            "[dev-long-term]\naws_access_key_id = {ID}\nsecret_access_key = keychain\n\
             aws_mfa_device = {DEVICE}\n"
        )
        .as_bytes(),
    );
    assert_eq!(keychain.lookup(ID).as_deref(), Some(SECRET));
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring, dbus, libsecret-tools) and the AWS CLI: run scripts/test"]
fn botocore_reads_the_moved_section_as_the_same_keys_without_the_secret() {
    let (t, _keychain) = with_keychain(Test::new().credentials_file(in_file()));
    let before = interop::botocore_read(&t.credentials());
    let run = t.args(&["setup", "dev", "--keychain"]).run().success();
    let after = interop::botocore_read(&run.test.credentials());
    let mut expected = before.clone();
    if let Some(dev) = expected.get_mut("dev-long-term") {
        dev.remove("aws_secret_access_key");
        dev.insert("secret_access_key".into(), "keychain".into());
    }
    assert_eq!(after, expected);
}

#[test]
#[ignore = "needs a Secret Service, moto and the AWS CLI: run scripts/test"]
fn rotate_keeps_the_new_secret_in_the_keychain_and_forgets_the_old_one() {
    let (old_id, old_secret) = interop::iam_user("rotate-keychain");
    let file = format!(
        "[dev-long-term]\naws_access_key_id = {old_id}\nsecret_access_key = keychain\n\
         aws_mfa_device = {DEVICE}\n"
    );
    let (t, keychain) = with_keychain(
        Test::new()
            .credentials_file(&file)
            .env("AWS_ENDPOINT_URL", &interop::moto()),
    );
    keychain.store(&old_id, &old_secret);
    let run = t
        .args(&["rotate", "dev", "--token", "123456"])
        .run()
        .success()
        .stderr_contains("dev: rotated: [dev-long-term] holds the new key ****")
        .stderr_lacks(&old_secret);
    let get = |k: &str| interop::value_of(&run.test, "dev-long-term", k);
    let new_id = get("aws_access_key_id");
    assert_ne!(new_id, old_id);
    assert_eq!(get("secret_access_key"), "keychain");
    assert_eq!(
        get("aws_secret_access_key"),
        "",
        "a secret went into the file"
    );
    assert_eq!(
        interop::iam_keys("rotate-keychain"),
        [format!("{new_id} Active")]
    );
    assert_eq!(
        keychain.lookup(&old_id),
        None,
        "the old entry is still there"
    );
    let new_secret = keychain.lookup(&new_id).unwrap_or_default();
    assert_eq!(new_secret.len(), 40, "no new secret in the keychain");
    // The new key works: a session signed with it from the keychain.
    run.test
        .again()
        .args(&["-p", "dev", "--force", "--token", "123456"])
        .run()
        .success();
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring, dbus, libsecret-tools): run scripts/test"]
fn a_locked_keychain_is_exit_6_saying_to_unlock_it() {
    let (t, keychain) = with_keychain(Test::new().credentials_file(in_keychain()));
    keychain.store(ID, SECRET);
    keychain.lock();
    t.args(&["-p", "dev", "--token", "123456"])
        .run()
        .code(6)
        .stderr_starts_with(
            "error: cannot read [dev-long-term]'s secret access key (****MPLE) from the OS \
             keychain: the keychain is locked and was not unlocked (",
        )
        .stderr_contains("hint: unlock it")
        // No terminal: the keychain was not let show its own unlock prompt.
        .stderr_contains("was not let ask to be unlocked")
        .stderr_lacks("SS ")
        .expect_credentials(in_keychain());
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring, dbus, libsecret-tools): run scripts/test"]
fn a_secret_service_without_a_default_keyring_is_said_as_such() {
    let (t, keychain) = with_keychain(Test::new().credentials_file(in_file()));
    keychain.no_default_collection();
    t.args(&["setup", "dev", "--keychain"])
        .run()
        .code(6)
        .stderr_contains(
            "in the OS keychain: the Secret Service has no default keyring (collection) to keep \
             it in",
        )
        .stderr_contains("hint: create a keyring and make it the default")
        .stderr_lacks("locked")
        .stderr_lacks("SS API")
        .expect_credentials(in_file());
}

/// The tests below need no keychain: they show what happens without one.
fn no_bus(t: Test) -> Test {
    t.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
}

#[test]
fn setup_without_a_keychain_is_exit_6_and_writes_nothing() {
    no_bus(Test::new().credentials_file(in_file()))
        .args(&["setup", "dev", "--keychain"])
        .run()
        .code(6)
        .stderr_lacks("zbus error")
        .stderr_starts_with(
            "error: cannot store [dev-long-term]'s secret access key (****MPLE) in the OS \
             keychain: the keychain cannot be reached (",
        )
        .stderr_contains("hint: run in a desktop session with an unlocked Secret Service")
        .stderr_contains(
            "or put the secret back in the file: stsmfa setup dev --no-keychain \
             --secret-access-key-stdin < FILE; nothing was written",
        )
        .stderr_lacks(SECRET)
        .expect_credentials(in_file());
}

#[test]
fn a_refresh_without_the_keychain_stops_before_a_code_is_asked_for() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    refresh_that_must_not_start(no_bus(Test::new().credentials_file(in_keychain())), &stub)
        .stderr_starts_with(
            "error: cannot read [dev-long-term]'s secret access key (****MPLE) from the OS \
             keychain: the keychain cannot be reached (",
        )
        .expect_credentials(in_keychain());
}

#[test]
fn status_shows_where_each_secret_lives_without_a_keychain() {
    let file = format!(
        "{}\n[role-long-term]\nsource_profile = dev\nassume_role = \
         arn:aws:iam::123456789012:role/admin\n",
        in_keychain()
    );
    let run = no_bus(Test::new().credentials_file(file))
        .args(&["status", "--json"])
        .run()
        .code(1);
    let rows: serde_json::Value =
        serde_json::from_str(&run.stdout_text()).unwrap_or_else(|e| panic!("{e}"));
    let secrets: Vec<(&str, &serde_json::Value)> = rows
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| (r["profile"].as_str().unwrap_or_default(), &r["secret"]))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        secrets,
        [
            ("dev", &serde_json::json!("keychain")),
            ("role", &serde_json::Value::Null)
        ]
    );
    let table = Test::new()
        .credentials_file(in_keychain())
        .args(&["status"])
        .run()
        .code(1)
        .stdout_text();
    assert!(
        table
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains(" keychain ")),
        "{table}"
    );
}

#[test]
fn keychain_flags_are_refused_for_a_chained_role_and_together() {
    Test::new()
        .args(&["setup", "dev", "--keychain", "--no-keychain"])
        .run()
        .code(2)
        .stderr_contains("cannot be used with");
    Test::new()
        .args(&[
            "setup",
            "r",
            "--source-profile",
            "dev",
            "--assume-role",
            "arn:aws:iam::123456789012:role/admin",
            "--keychain",
        ])
        .run()
        .code(2)
        .stderr_contains("cannot be used with");
}

#[test]
#[ignore = "needs a Secret Service, moto and the AWS CLI: run scripts/test"]
fn sts_that_checks_signatures_sees_the_secret_from_the_keychain() {
    // Two free actions make a user with a key (and no permission); then signatures count.
    let moto = interop::CheckingMoto::start(2);
    let (id, secret) = interop::iam_user_at(&moto.url, "alice");
    let file = format!(
        "[dev-long-term]\naws_access_key_id = {id}\nsecret_access_key = keychain\n\
         aws_mfa_device = {DEVICE}\n"
    );
    let (t, keychain) = with_keychain(Test::new().credentials_file(&file));
    let t = t.env("AWS_ENDPOINT_URL_STS", &moto.url);
    keychain.store(&id, "wrongSECRETwrongSECRETwrongSECRETwrong1");
    let t = t
        .args(&["-p", "dev", "--token", "123456"])
        .run()
        .code(4)
        .stderr_contains("does not match")
        .test
        .again();
    // The right secret signs correctly: what is refused now is the user's permission.
    keychain.store(&id, &secret);
    t.args(&["-p", "dev", "--token", "123456"])
        .run()
        .code(4)
        .stderr_contains("error: STS refused the request: AccessDenied: ")
        .stderr_lacks(&secret)
        .expect_credentials(&file);
}
