//! Hostile files, planted links, other users and odd paths: each refused or read as it should
//! be, with nothing written, no secret printed and no panic (SPEC §6, §10).

use std::fs;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _, symlink};
use std::process::Command;

use crate::common::{BIN, Test, assert_file, under_strace};
use crate::safety::{give_home_to_nobody, is_root, original, skip, text, with_stub};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const REFRESH: &[&str] = &["-p", "dev", "--token", "123456"];

// ----- files the AWS CLI reads differently -----

/// A carriage return that does not end its line: the AWS CLI ends the line there, the SDK rules
/// do not. Refused with its line number before a code is spent; nothing written.
#[test]
fn a_lone_carriage_return_is_refused_with_its_line() {
    let file = original().replace(
        "[ops-long-term]\n",
        "[ops-long-term]\nregion = eu-west-1\r[dev]\n",
    );
    let (t, stub) = with_stub(&file);
    let run = t
        .args(REFRESH)
        .run()
        .code(6)
        .stderr_contains("line 12: holds a carriage return (\\r) that does not end the line")
        .expect_credentials(&file);
    assert!(stub.requests().is_empty());
    // CRLF line ends are no such thing.
    let crlf = original().replace('\n', "\r\n");
    let (t, _stub) = with_stub(&crlf);
    drop(run);
    t.args(REFRESH).run().success();
}

// ----- links planted for root, other users, world-writable files -----

/// The file's owner makes the lock a symlink to a file of root's: root's run refuses it and
/// neither follows nor gives away what it points to.
#[test]
fn root_refuses_a_lock_that_is_a_symlink() {
    if !is_root() {
        skip(
            "root_refuses_a_lock_that_is_a_symlink",
            "needs root to be the one the link is planted for",
        );
        return;
    }
    let (t, stub) = with_stub(&original());
    let victim = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
    fs::write(victim.path(), "root's\n").unwrap_or_else(|e| panic!("{e}"));
    give_home_to_nobody(&t);
    let lock = stsmfa::store::lock_path(&t.credentials());
    symlink(victim.path(), &lock).unwrap_or_else(|e| panic!("{e}"));
    for args in [REFRESH, &["clear", "dev"][..]] {
        let out = t
            .command()
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(6), "{err}");
        assert!(
            err.contains("credentials.lock is a symbolic link, not a lock file"),
            "{err}"
        );
        let m = fs::metadata(victim.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((m.uid(), m.gid()), (0, 0), "the linked file was given away");
        assert_eq!(fs::read(victim.path()).unwrap_or_default(), b"root's\n");
    }
    assert!(stub.requests().is_empty());
    assert_file(&t.credentials(), original().as_bytes());
}

/// A lock planted by a user who owns neither the file nor the run is refused by name.
#[test]
fn a_lock_planted_by_another_user_is_refused_by_name() {
    if !is_root() {
        skip(
            "a_lock_planted_by_another_user_is_refused_by_name",
            "needs root to make a file of another user's",
        );
        return;
    }
    let (t, stub) = with_stub(&original());
    let lock = stsmfa::store::lock_path(&t.credentials());
    fs::write(&lock, "").unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::chown(&lock, Some(65534), Some(65534)).unwrap_or_else(|e| panic!("{e}"));
    t.args(REFRESH)
        .run()
        .code(6)
        .stderr_contains("credentials.lock belongs to user nobody (uid 65534)")
        .stderr_contains("hint: stsmfa makes its lock file itself; remove this one")
        .expect_credentials(original());
    assert!(stub.requests().is_empty());
}

/// `~/.aws` swapped for a symlink to a directory of root's while root's run creates it: the
/// ownership is given through the directory it made, never through the link.
#[test]
fn root_never_gives_away_what_a_planted_directory_link_points_to() {
    if !is_root() {
        skip(
            "root_never_gives_away_what_a_planted_directory_link_points_to",
            "needs root to give directories away",
        );
        return;
    }
    let t = Test::new();
    give_home_to_nobody(&t);
    let victim = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let aws = t.home().join(".aws");
    let home = t.home().to_path_buf();
    let inner = crate::safety::setup_by_flags(t);
    let mut strace = under_strace(
        &inner,
        &["-e", "inject=mkdir,mkdirat:delay_exit=800000"],
        &[],
    );
    strace
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = strace.spawn().unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write as _;
        let _ = stdin.write_all(format!("{SECRET}\n").as_bytes());
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !aws.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "~/.aws never appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    fs::rename(&aws, home.join(".aws-made")).unwrap_or_else(|e| panic!("{e}"));
    symlink(victim.path(), &aws).unwrap_or_else(|e| panic!("{e}"));
    let out = crate::safety::finish(child, std::time::Duration::from_secs(20), "setup");
    let m = fs::metadata(victim.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (m.uid(), m.gid()),
        (0, 0),
        "root's directory was given away: {}",
        text(&out.stderr)
    );
}

/// When root cannot give a new file back to its owner, the run fails before the rename
/// rather than leave the owner a file only root can read.
#[test]
fn root_that_cannot_give_the_file_back_writes_nothing() {
    if !is_root() {
        skip(
            "root_that_cannot_give_the_file_back_writes_nothing",
            "needs root to give files away",
        );
        return;
    }
    let (t, _stub) = with_stub(&original());
    give_home_to_nobody(&t);
    let out = under_strace(&t, &["-e", "inject=fchown,fchownat:error=EPERM"], REFRESH)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("cannot give its owner"), "{err}");
    let m = fs::metadata(t.credentials()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((m.uid(), m.gid()), (65534, 65534));
    assert_file(&t.credentials(), original().as_bytes());
}

/// A credentials file or `~/.aws` that every user may write: `status` and every write warn.
#[test]
fn world_writable_files_and_directories_are_warned_about() {
    let file = format!("{}\n{}", original(), crate::safety::session());
    let t = Test::new().credentials_file(&file);
    let aws = t.home().join(".aws");
    fs::set_permissions(t.credentials(), fs::Permissions::from_mode(0o646))
        .unwrap_or_else(|e| panic!("{e}"));
    fs::set_permissions(&aws, fs::Permissions::from_mode(0o777)).unwrap_or_else(|e| panic!("{e}"));
    let run = t
        .args(&["status"])
        .run()
        .stderr_contains("credentials can be written by every user on this machine")
        .stderr_contains(".aws can be written by every user on this machine");
    run.test
        .again()
        .args(&["clear", "dev"])
        .run()
        .success()
        .stderr_contains("credentials can be written by every user on this machine, who could replace your keys; run: chmod o-w");
}

// ----- secrets -----

/// A secret that ends up where a key id is read (an indented line is a continuation of the
/// empty `aws_access_key_id =` above it), given as --access-key-id, or typed after
/// --secret-access-key-stdin: never printed.
#[test]
fn a_secret_in_the_wrong_place_is_never_printed() {
    let file = format!(
        "[dev-long-term]\naws_access_key_id =\n  aws_secret_access_key = {SECRET}\n\
         aws_mfa_device = arn:aws:iam::123456789012:mfa/alice\n"
    );
    let runs = [
        Test::new()
            .credentials_file(&file)
            .args(&["setup", "dev", "--keychain", "--no-input"])
            .run()
            .code(2),
        Test::new()
            .args(&["setup", "dev", "--access-key-id", SECRET, "--no-input"])
            .run()
            .code(2),
        Test::new()
            .args(&[
                "setup",
                "dev",
                "--access-key-id",
                "AKIAIOSFODNN7EXAMPLE",
                "--secret-access-key-stdin",
                SECRET,
            ])
            .stdin("x\n")
            .run()
            .code(2),
    ];
    for run in runs {
        let out = format!("{}{}", run.stdout_text(), run.stderr_text());
        assert!(!out.contains(SECRET), "the secret was printed:\n{out}");
        assert!(out.contains("not shown: it may be a secret"), "{out}");
    }
}

/// No core file while waiting for a token command: the process's core size limit is zero
/// (it is non-dumpable on Linux too), and `exec` gives its command the limit back.
#[test]
fn no_core_dump_holds_the_secret() {
    let (t, _stub) = with_stub(&original());
    let inner = t.command();
    // Started with a core limit, as on a machine where cores are kept.
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "ulimit -c 1234 && exec \"$0\" -p dev --token-command 'sleep 2; echo 123456'",
        BIN,
    ])
    .env_clear()
    .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
    // Once the shell has become stsmfa (it waits for its token command for 2 s).
    let comm = format!("/proc/{}/comm", child.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while fs::read_to_string(&comm).unwrap_or_default().trim() != "stsmfa" {
        assert!(std::time::Instant::now() < deadline, "stsmfa never started");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    let limits = fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap_or_default();
    let _ = child.wait();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_default()
        .split_whitespace()
        .nth(4)
        .unwrap_or_default()
        .to_owned();
    assert_eq!(core, "0", "{limits}");
    // A command that exec runs has its limit as it was.
    let file = format!("{}\n{}", original(), crate::safety::session());
    let t = Test::new().credentials_file(&file);
    let out = Command::new("sh")
        .args([
            "-c",
            "ulimit -c 1234 && exec \"$0\" exec dev -- sh -c 'ulimit -c'",
            BIN,
        ])
        .env_clear()
        .env("HOME", t.home())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text(&out.stdout).trim(), "1234", "{}", text(&out.stderr));
}

// ----- no panic, every value checked -----

/// A control character in the access key id (or a session token) is refused before anything
/// is sent, naming the key and section (exit 6), instead of a panic in the SDK.
#[test]
fn a_control_character_in_a_key_is_refused_before_anything_is_sent() {
    let file = original().replace("AKIAIOSFODNN7EXAMPLE", "AKIAIOSF\u{1}DNN7EXAMPLE");
    let (t, stub) = with_stub(&file);
    t.args(REFRESH)
        .run()
        .code(6)
        .stderr_contains(
            "aws_access_key_id in [dev-long-term] holds a control character, which no AWS key \
             has; nothing was sent",
        )
        .expect_credentials(&file);
    assert!(stub.requests().is_empty());
}

/// Closing a directory that fails (an injected EIO) is no reason to panic.
#[test]
fn a_failing_closedir_does_not_panic() {
    let file = format!("{}\n{}", original(), crate::safety::session());
    let t = Test::new().credentials_file(&file);
    // Only the descriptors of `~/.aws` itself: the directory listings.
    let aws = t.home().join(".aws");
    let out = under_strace(
        &t,
        &[
            "-P".as_ref(),
            aws.as_os_str(),
            "-e".as_ref(),
            "inject=close:error=EIO".as_ref(),
        ],
        &["clear", "dev"],
    )
    .output()
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, err) = (out.status.code(), text(&out.stderr));
    assert!(!err.contains("panicked"), "{err}");
    assert!(matches!(code, Some(0 | 6)), "{code:?}: {err}");
}

/// `clear` when looking at `~/.aws` fails with an I/O error: an error, not "already clear".
#[test]
fn clear_says_an_io_error_and_not_already_clear() {
    let file = format!("{}\n{}", original(), crate::safety::session());
    let t = Test::new().credentials_file(&file);
    let aws = t.home().join(".aws");
    let inject = "inject=stat,lstat,newfstatat,statx:error=EIO";
    let out = under_strace(
        &t,
        &[
            "-P".as_ref(),
            aws.as_os_str(),
            "-e".as_ref(),
            inject.as_ref(),
        ],
        &["clear", "dev"],
    )
    .output()
    .unwrap_or_else(|e| panic!("{e}"));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("Input/output error"), "{err}");
    assert!(!err.contains("already clear"), "{err}");
    assert_file(&t.credentials(), file.as_bytes());
}

// ----- names and answers -----

/// A `--short-term-suffix` that makes dev's session section the profile `dev-prod` (which has
/// long-term keys of its own) is refused by refresh and clear; nothing is written.
#[test]
fn a_suffix_that_makes_a_session_another_profile_is_refused() {
    let file = format!(
        "{}\n[dev-prod-long-term]\naws_access_key_id = AKIAI44QH8DHBEXAMPL2\n\
         aws_secret_access_key = x\n\n[dev-prod]\naws_access_key_id = ASIAPRODPRODPRODPROD\n\
         aws_secret_access_key = s\naws_session_token = t\nexpiration = 2099-01-01T00:00:00Z\n",
        original()
    );
    let (t, stub) = with_stub(&file);
    let run = t
        .args(&[
            "-p",
            "dev",
            "--short-term-suffix",
            "prod",
            "--token",
            "123456",
        ])
        .run()
        .code(6)
        .stderr_contains(
            "the session of dev would go into [dev-prod], which is the profile dev-prod",
        )
        .expect_credentials(&file);
    run.test
        .again()
        .args(&["clear", "dev", "--short-term-suffix", "prod"])
        .run()
        .code(6)
        .expect_credentials(&file);
    assert!(stub.requests().is_empty());
}

// ----- paths that are descriptors -----

/// `--credentials-file <(...)` and `/dev/stdin` fed by a pipe are read; `/dev/stdin`
/// redirected from the real file is read and never rewritten.
#[test]
fn descriptors_are_read_and_never_replaced() {
    let file = format!("{}\n{}", original(), crate::safety::session());
    let t = Test::new().credentials_file(&file);
    let real = t.credentials();
    let sh = |script: &str| {
        let mut cmd = Command::new("bash");
        cmd.args(["-c", script])
            .env_clear()
            .env("HOME", t.home())
            .env("BIN", BIN)
            .env("REAL", &real);
        let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (code, out, err) = sh(r#""$BIN" status dev --credentials-file <(cat "$REAL")"#);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("dev") && out.contains("valid") || err.contains("valid"),
        "{out}{err}"
    );
    let (code, out, err) = sh(r#"cat "$REAL" | "$BIN" status dev --credentials-file /dev/stdin"#);
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, _, err) = sh(r#""$BIN" clear dev --credentials-file /dev/stdin < "$REAL""#);
    assert_eq!(code, Some(6), "{err}");
    assert!(
        err.contains("/dev/stdin is a descriptor of this process"),
        "{err}"
    );
    assert_file(&real, file.as_bytes());
}

/// Expirations other tools write (no zone, fractions of a second, aws-mfa's form) are read as
/// the times they are, not as "missing".
#[test]
fn expirations_other_tools_write_are_read() {
    let later = chrono::Utc::now() + chrono::Duration::hours(3);
    for written in [
        later.format("%Y-%m-%dT%H:%M:%S").to_string(),
        later.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        later.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
    ] {
        let file = format!(
            "{}\n[dev]\naws_access_key_id = ASIAVALIDVALIDEXAMPL\naws_secret_access_key = s\n\
             aws_session_token = t\nexpiration = {written}\n",
            original()
        );
        let shown = crate::common::sts_stub::shown(&later.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        Test::new()
            .credentials_file(&file)
            .args(&["-p", "dev", "--no-input"])
            .run()
            .success()
            .stderr_contains(&format!("dev: valid until {shown}"))
            .expect_credentials(&file);
    }
}

/// `rotate` through a profile whose key another section also holds: refused naming that
/// section before a code is spent, since rotating would leave it with a deleted key.
#[test]
fn rotate_refuses_a_key_another_section_also_holds() {
    let file = format!(
        "{}\n[ci-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = {SECRET}\n",
        original()
    );
    let (t, stub) = with_stub(&file);
    t.args(&["rotate", "dev", "--token", "123456"])
        .run()
        .code(6)
        .stderr_contains("the key ****MPLE of [dev-long-term] is also in [ci-long-term]")
        .stderr_lacks(SECRET)
        .expect_credentials(&file);
    assert!(stub.requests().is_empty());
}
