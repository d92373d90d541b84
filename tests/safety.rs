//! The credentials file survives everything else that touches it (SPEC §6.3–§6.6): programs
//! that write it in place without a lock, special files, a file the user protected, a run as
//! root, killed runs, broken STS answers, and outputs that cannot be written.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::sts_stub::{
    self, Answer, EXPIRATION, SESSION_KEY, SESSION_SECRET, SESSION_TOKEN, Stub,
};
use crate::common::{
    BIN, Test, assert_file, clear_under_strace, mode, sdk_profiles, temp_files, under_strace,
};

const DEVICE: &str = "arn:aws:iam::123456789012:mfa/alice";

/// A file with comments, several accounts and the long-term keys of `dev`.
pub(crate) fn original() -> String {
    format!(
        "# team accounts; keep this comment\n[default]\nregion = eu-west-1\n\n\
         [dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
         aws_mfa_device = {DEVICE}\n\n\
         ; the other account\n[ops-long-term]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\n\
         aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n"
    )
}

pub(crate) fn session() -> String {
    format!(
        "[dev]\naws_access_key_id = {SESSION_KEY}\naws_secret_access_key = {SESSION_SECRET}\n\
         aws_session_token = {SESSION_TOKEN}\nexpiration = {exp}\nassumed_role = False\n\
         session_duration_seconds = 43200\n",
        exp = *EXPIRATION
    )
}

pub(crate) fn with_stub(file: &str) -> (Test, Stub) {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let t = Test::new()
        .credentials_file(file)
        .env("AWS_ENDPOINT_URL_STS", &stub.url);
    (t, stub)
}

pub(crate) fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Says loudly that a test did not run, and why.
pub(crate) fn skip(test: &str, why: &str) {
    println!("SKIPPED {test}: {why}");
}

/// Waits for `child` at most `limit`; kills it and fails the test when it takes longer.
pub(crate) fn finish(mut child: Child, limit: Duration, what: &str) -> std::process::Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait: {e}"))
}

pub(crate) fn spawn(mut cmd: Command) -> Child {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"))
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ----- other writers (SPEC §6.3) -----

/// The slow in-place writer of the issue: it truncates the file 0.5 s into a refresh whose
/// code command takes 1 s, holds it empty for 2 s, then writes the text back. The refresh
/// waits for it and loses nothing.
#[test]
fn a_writer_that_truncates_the_file_and_writes_it_back_loses_nothing() {
    for round in 0..2 {
        let (t, stub) = with_stub(&original());
        let mut cmd = t.command();
        cmd.args([
            "-p",
            "dev",
            "--token-command",
            "sleep 1; echo 123456",
            "--no-input",
        ]);
        let refresh = spawn(cmd);
        std::thread::sleep(Duration::from_millis(500));
        let mut file = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(t.credentials())
            .unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(Duration::from_secs(2));
        file.write_all(original().as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        drop(file);
        let out = finish(refresh, Duration::from_secs(20), "refresh");
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: {}",
            text(&out.stderr)
        );
        assert_file(
            &t.credentials(),
            format!("{}\n{}", original(), session()).as_bytes(),
        );
        assert_eq!(stub.token_codes(), vec!["123456"]);
    }
}

/// A writer that never writes the text back: after waiting, nothing is written (exit 6) and
/// the message says what happened.
#[test]
fn a_file_left_empty_by_another_program_is_not_written_over() {
    let (t, stub) = with_stub(&original());
    let t = t.env("STSMFA_SETTLE_TIMEOUT", "2");
    let mut cmd = t.command();
    cmd.args(["-p", "dev", "--token-command", "sleep 1; echo 123456"]);
    let refresh = spawn(cmd);
    std::thread::sleep(Duration::from_millis(500));
    fs::write(t.credentials(), "").unwrap_or_else(|e| panic!("{e}"));
    let out = finish(refresh, Duration::from_secs(20), "refresh");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(
        err.contains("changed while stsmfa was running and did not settle within 2 s")
            && err.contains("it is empty now")
            && err.contains("nothing was written"),
        "{err}"
    );
    assert_file(&t.credentials(), b"");
    assert_eq!(stub.requests().len(), 1);
}

/// The long-term section the session was made with changed under the run: not written.
#[test]
fn a_long_term_section_changed_under_the_run_is_not_written_over() {
    let (t, _stub) = with_stub(&original());
    let t = t.env("STSMFA_SETTLE_TIMEOUT", "1");
    let mut cmd = t.command();
    cmd.args(["-p", "dev", "--token-command", "sleep 1; echo 123456"]);
    let refresh = spawn(cmd);
    std::thread::sleep(Duration::from_millis(500));
    let changed = original().replace("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN8EXAMPLE");
    fs::write(t.credentials(), &changed).unwrap_or_else(|e| panic!("{e}"));
    let out = finish(refresh, Duration::from_secs(20), "refresh");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(
        err.contains("[dev-long-term] is no longer as it was"),
        "{err}"
    );
    assert_file(&t.credentials(), changed.as_bytes());
}

/// Sections removed on purpose (here by another stsmfa run clearing the last section) are no
/// reason to refuse or to wait.
#[test]
fn a_section_removed_by_another_run_is_no_reason_to_wait() {
    let file = format!(
        "{}\n[ops]\naws_access_key_id = ASIAX\naws_secret_access_key = s\naws_session_token = t\nexpiration = 2020-01-01T00:00:00Z\n",
        original()
    );
    let (t, _stub) = with_stub(&file);
    let mut cmd = t.command();
    cmd.args(["-p", "dev", "--token-command", "sleep 1; echo 123456"]);
    let refresh = spawn(cmd);
    std::thread::sleep(Duration::from_millis(300));
    let cleared = t.command().args(["clear", "ops"]).output();
    assert!(cleared.is_ok_and(|o| o.status.success()));
    let started = Instant::now();
    let out = finish(refresh, Duration::from_secs(20), "refresh");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_file(
        &t.credentials(),
        format!("{}\n{}", original(), session()).as_bytes(),
    );
}

/// A writer caught in the act: it still has the old file open and writes into it after the
/// refresh read it and before the new file is renamed over it (the rename is held back 1.5 s
/// with strace). Its change is merged, not lost.
#[test]
fn a_writer_caught_in_the_act_is_merged_again() {
    let (t, _stub) = with_stub(&original());
    let lock = stsmfa::store::lock_path(&t.credentials());
    let mut cmd = Command::new("strace");
    cmd.args([
        "-f",
        "-qq",
        "-o",
        "/dev/null",
        "-e",
        "inject=rename,renameat,renameat2:delay_enter=1500000",
    ]);
    let inner = t.command();
    cmd.arg(BIN)
        .args(["-v", "-p", "dev", "--token", "123456"])
        .env_clear()
        .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .current_dir(t.home());
    let refresh = spawn(cmd);
    // Wait until the refresh holds the lock: it has read the file and is about to rename.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let held = fs::File::open(&lock).is_ok_and(|f| f.try_lock().is_err());
        if held {
            break;
        }
        assert!(Instant::now() < deadline, "the refresh never took the lock");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(300));
    let theirs = format!("{}\n[other]\nregion = us-west-2\n", original());
    fs::write(t.credentials(), &theirs).unwrap_or_else(|e| panic!("{e}"));
    let out = finish(refresh, Duration::from_secs(30), "refresh");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("its change was kept"), "{err}");
    assert_file(
        &t.credentials(),
        format!("{theirs}\n{}", session()).as_bytes(),
    );
    assert!(temp_files(&t.home().join(".aws")).is_empty());
}

pub(crate) fn venv() -> std::path::PathBuf {
    match std::env::var_os("STSMFA_TEST_VENV") {
        Some(v) => std::path::PathBuf::from(v),
        None => panic!("STSMFA_TEST_VENV is not set: run these tests with scripts/test"),
    }
}

/// What the SDK rules read from the credentials file, as plain strings.
pub(crate) fn profiles(path: &Path) -> crate::common::Plain {
    sdk_profiles(path).unwrap_or_default()
}

/// The real AWS CLI writing the file (`aws configure set` on an existing section truncates
/// it, then writes) while three loops of refreshes run next to it: every original section
/// survives every round.
#[test]
#[ignore = "needs the AWS CLI: run scripts/test"]
fn aws_configure_set_next_to_refreshes_loses_nothing() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let file = format!(
        "{}\n[scratch]\naws_access_key_id = AKIASCRATCHEXAMPLE00\n",
        original()
    );
    let (t, stub) = with_stub(&file);
    let mut before = profiles(&t.credentials());
    before.remove("scratch");
    let aws = venv().join("bin/aws");
    let refreshes = AtomicUsize::new(0);
    let rounds = 20;
    // The AWS CLI may be between its truncation and its write right now: a loss is what stays.
    let check = |round: usize| {
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut now = profiles(&t.credentials());
        while now.is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
            now = profiles(&t.credentials());
        }
        for (name, props) in &before {
            assert_eq!(now.get(name), Some(props), "round {round}: [{name}] lost");
        }
        assert!(now.contains_key("scratch"), "round {round}: [scratch] lost");
        now
    };
    let mut kept = 0;
    for round in 0..rounds {
        let mut configure = Command::new(&aws);
        configure
            .args(["configure", "set", "aws_access_key_id"])
            .arg(format!("AKIASCRATCHEXAMPLE{round:02}"))
            .args(["--profile", "scratch"])
            .env_clear()
            .env("HOME", t.home())
            .env("PATH", std::env::var("PATH").unwrap_or_default());
        let mut configure = spawn(configure);
        let done = AtomicBool::new(false);
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    while !done.load(Ordering::Relaxed) {
                        let out = t
                            .command()
                            .args(["-q", "-p", "dev", "--force", "--token", "123456"])
                            .output()
                            .unwrap_or_else(|e| panic!("{e}"));
                        // Exit 6 (the file did not settle) is allowed, and so is exit 1 when
                        // the first read found the file empty for longer than it waits (the
                        // check below then shows the keys are all there); a loss is not.
                        let err = text(&out.stderr);
                        let empty_at_first = out.status.code() == Some(1)
                            && (err.contains("there is no [dev-long-term]")
                                || err.contains("there is no profile dev"));
                        assert!(
                            matches!(out.status.code(), Some(0 | 6)) || empty_at_first,
                            "round {round}: {}\nnow:\n{}",
                            text(&out.stderr),
                            fs::read_to_string(t.credentials()).unwrap_or_default()
                        );
                        refreshes.fetch_add(1, Ordering::Relaxed);
                        check(round);
                    }
                });
            }
            while configure.try_wait().ok().flatten().is_none() {
                std::thread::sleep(Duration::from_millis(5));
            }
            done.store(true, Ordering::Relaxed);
        });
        assert!(
            finish(configure, Duration::from_secs(60), "aws")
                .status
                .success()
        );
        let written = format!("AKIASCRATCHEXAMPLE{round:02}");
        if check(round)["scratch"].get("aws_access_key_id") == Some(&written) {
            kept += 1;
        }
    }
    println!(
        "{} refreshes next to {rounds} `aws configure set`; {kept} of their writes kept; \
         {} STS calls",
        refreshes.load(Ordering::Relaxed),
        stub.requests().len()
    );
    assert!(refreshes.load(Ordering::Relaxed) > rounds);
}

// ----- special files (SPEC §6.4) -----

fn mknod_char_device(path: &Path) -> bool {
    Command::new("mknod")
        .arg(path)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_character_device_reads_as_empty_and_is_never_replaced() {
    if !is_root() {
        skip(
            "a_character_device_reads_as_empty_and_is_never_replaced",
            "mknod needs root",
        );
        return;
    }
    let t = Test::new();
    fs::create_dir_all(t.home().join(".aws")).unwrap_or_else(|e| panic!("{e}"));
    let dev = t.credentials();
    assert!(mknod_char_device(&dev), "mknod failed");
    let is_device = |p: &Path| {
        use std::os::unix::fs::FileTypeExt as _;
        fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_char_device())
    };
    let run = setup_by_flags(t)
        .run()
        .code(6)
        .stderr_contains("is a character device, not a regular file")
        .stderr_contains("hint: stsmfa only replaces regular files");
    assert!(is_device(&dev), "the device was replaced");
    assert!(!store_lock_exists(&dev));
    let run = run
        .test
        .again()
        .args(&["clear", "dev"])
        .run()
        .code(6)
        .stderr_contains("is a character device");
    assert!(is_device(&dev));
    // Reading it is fine: it holds nothing.
    run.test
        .again()
        .args(&["status", "--json"])
        .run()
        .stdout("[]\n");
}

/// `setup dev` with the keys and device given by flags (the secret on stdin).
pub(crate) fn setup_by_flags(t: Test) -> Test {
    t.args(&[
        "setup",
        "dev",
        "--access-key-id",
        "AKIAIOSFODNN7EXAMPLE",
        "--secret-access-key-stdin",
        "--device",
        DEVICE,
    ])
    .stdin("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
}

fn store_lock_exists(target: &Path) -> bool {
    stsmfa::store::lock_path(target).exists()
}

#[test]
fn dev_null_as_config_file_reads_as_empty() {
    let (t, _stub) = with_stub(&original());
    t.env("AWS_CONFIG_FILE", "/dev/null")
        .args(&["-p", "dev", "--token", "123456"])
        .run()
        .success()
        .expect_credentials(format!("{}\n{}", original(), session()));
}

#[test]
fn a_fifo_is_never_waited_on_nor_written() {
    let t = Test::new();
    fs::create_dir_all(t.home().join(".aws")).unwrap_or_else(|e| panic!("{e}"));
    let fifo = t.credentials();
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
    );
    for (args, code) in [
        (&["status"][..], 0),
        (&["-p", "dev", "--token", "123456"][..], 1),
        (&["clear", "dev"][..], 6),
        (&["env", "dev"][..], 1),
    ] {
        let mut cmd = t.command();
        cmd.args(args);
        let out = finish(spawn(cmd), Duration::from_secs(10), &format!("{args:?}"));
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let mut cmd = t.command();
    cmd.args(["clear", "dev"]);
    let out = finish(spawn(cmd), Duration::from_secs(10), "clear");
    assert!(
        text(&out.stderr).contains("is a FIFO (named pipe), not a regular file"),
        "{}",
        text(&out.stderr)
    );
    use std::os::unix::fs::FileTypeExt as _;
    assert!(fs::metadata(&fifo).is_ok_and(|m| m.file_type().is_fifo()));
}

/// A FIFO with a writer (`--credentials-file <(...)`) is read: status shows what it sent.
#[test]
fn a_fifo_with_a_writer_is_read() {
    let t = Test::new();
    let fifo = t.home().join("creds");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
    );
    let file = format!("{}\n{}", original(), session());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            if let Ok(mut f) = OpenOptions::new().write(true).open(&fifo) {
                let _ = f.write_all(file.as_bytes());
            }
        })
    };
    let mut cmd = t.command();
    cmd.arg("--credentials-file")
        .arg(&fifo)
        .args(["status", "--json", "dev"]);
    let out = finish(spawn(cmd), Duration::from_secs(10), "status");
    // Should stsmfa not have read it, the writer still waits for a reader: release it.
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        let _release = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo);
        let _ = writer.join();
    }
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("\"state\":\"valid\""),
        "{}",
        text(&out.stdout)
    );
}

// ----- check before spending a code (SPEC §6.5) -----

#[test]
fn a_read_only_file_is_refused_before_any_code_is_spent() {
    let (t, stub) = with_stub(&original());
    fs::set_permissions(t.credentials(), fs::Permissions::from_mode(0o400))
        .unwrap_or_else(|e| panic!("{e}"));
    let run = t
        .args(&[
            "-p",
            "dev",
            "--token-command",
            "echo 123456 > ran; echo 123456",
        ])
        .run()
        .code(6)
        .stderr_contains("is read-only (its owner may not write it), so stsmfa leaves it alone")
        .stderr_contains("hint: if stsmfa may change it, make it writable again: chmod u+w");
    assert!(stub.requests().is_empty());
    assert!(
        !run.test.home().join("ran").exists(),
        "the code command ran"
    );
    assert_file(&run.test.credentials(), original().as_bytes());
    assert_eq!(mode(&run.test.credentials()), 0o400);
    // clear and setup refuse it too.
    run.test
        .again()
        .args(&["clear", "dev"])
        .run()
        .code(6)
        .stderr_contains("is read-only");
}

/// Runs `args` as nobody (when root) on a HOME given to nobody, else as ourselves.
pub(crate) fn as_owner(t: &Test, args: &[&str]) -> std::process::Output {
    let inner = t.command();
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    cmd.args(args)
        .env_clear()
        .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .current_dir("/")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Gives HOME and everything in it to nobody (when root).
pub(crate) fn give_home_to_nobody(t: &Test) {
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(t.home())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "chown failed");
    }
}

#[test]
fn a_directory_that_cannot_be_written_is_refused_before_any_code_is_spent() {
    let (t, stub) = with_stub(&original());
    give_home_to_nobody(&t);
    let aws = t.home().join(".aws");
    fs::set_permissions(&aws, fs::Permissions::from_mode(0o500)).unwrap_or_else(|e| panic!("{e}"));
    let out = as_owner(&t, &["-p", "dev", "--token", "123456"]);
    fs::set_permissions(&aws, fs::Permissions::from_mode(0o700)).ok();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("cannot write into the directory"), "{err}");
    assert!(err.contains("Permission denied"), "{err}");
    assert!(stub.requests().is_empty(), "a code was sent to STS");
    assert_file(&t.credentials(), original().as_bytes());
}

#[test]
fn a_header_the_aws_cli_reads_differently_is_refused_before_any_code_is_spent() {
    let file = format!("{}\n[ dev ]\nregion = eu-west-1\n", original());
    let (t, stub) = with_stub(&file);
    t.args(&["-p", "dev", "--token", "123456"])
        .run()
        .code(6)
        .stderr_contains("line 15: the header of [dev] has blanks inside the brackets")
        .stderr_contains("hint: write line 15 as [dev], without blanks inside the brackets")
        .expect_credentials(&file);
    assert!(stub.requests().is_empty());
}

#[test]
fn other_hard_links_are_announced_and_keep_the_old_text() {
    let file = format!("{}\n{}", original(), session());
    let t = Test::new().credentials_file(&file);
    let link = t.home().join("backup-of-credentials");
    fs::hard_link(t.credentials(), &link).unwrap_or_else(|e| panic!("{e}"));
    let run = t
        .args(&["clear", "dev"])
        .run()
        .success()
        .stderr_contains("has 1 other name (hard link); it will keep the old text")
        .expect_credentials(original());
    assert_file(&link, file.as_bytes());
    drop(run);
}

// ----- owners, temporary files (SPEC §6.6) -----

#[test]
fn a_run_as_root_leaves_the_lock_file_and_the_file_to_their_owner() {
    if !is_root() {
        skip(
            "a_run_as_root_leaves_the_lock_file_and_the_file_to_their_owner",
            "needs root to run as root and as nobody",
        );
        return;
    }
    let (t, _stub) = with_stub(&original());
    give_home_to_nobody(&t);
    let run = t.args(&["-p", "dev", "--token", "123456"]).run().success();
    let t = run.test;
    let lock = stsmfa::store::lock_path(&t.credentials());
    for path in [&lock, &t.credentials()] {
        let m = fs::metadata(path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((m.uid(), m.gid()), (65534, 65534), "{}", path.display());
    }
    assert_eq!(mode(&lock), 0o600);
    // The owner can still change the file.
    let out = as_owner(&t, &["clear", "dev"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_file(&t.credentials(), original().as_bytes());
}

#[test]
fn a_new_file_made_by_root_belongs_to_the_owner_of_home() {
    if !is_root() {
        skip(
            "a_new_file_made_by_root_belongs_to_the_owner_of_home",
            "needs root to give files away",
        );
        return;
    }
    let t = Test::new();
    give_home_to_nobody(&t);
    let t = setup_by_flags(t).run().success().test;
    let aws = t.home().join(".aws");
    let lock = stsmfa::store::lock_path(&t.credentials());
    for path in [&aws, &t.credentials(), &lock] {
        let m = fs::metadata(path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((m.uid(), m.gid()), (65534, 65534), "{}", path.display());
    }
    assert_eq!(mode(&aws), 0o700);
    assert_eq!(mode(&t.credentials()), 0o600);
}

#[test]
fn temporary_files_of_dead_processes_are_removed_by_any_run() {
    let file = format!("{}\n{}", original(), session());
    let t = Test::new().credentials_file(&file);
    let aws = t.home().join(".aws");
    // A pid above any pid_max: no such process.
    let dead = aws.join(".credentials.stsmfa-2147483646-1.tmp");
    let alive = aws.join(format!(".credentials.stsmfa-{}-1.tmp", std::process::id()));
    fs::write(&dead, "aws_session_token = secret\n").unwrap_or_else(|e| panic!("{e}"));
    fs::write(&alive, "").unwrap_or_else(|e| panic!("{e}"));
    let _run = t.args(&["status", "dev"]).run().success();
    assert!(
        !dead.exists(),
        "the dead process's temporary file is still there"
    );
    assert!(
        alive.exists(),
        "a live process's temporary file was removed"
    );
}

// ----- what goes wrong after the rename, and outputs -----

#[test]
fn a_failed_directory_sync_after_the_rename_is_a_warning_not_a_failure() {
    let file = format!("{}\n{}", original(), session());
    let t = Test::new().credentials_file(&file);
    let (code, err) = clear_under_strace(&t, "inject=fsync:error=EIO:when=2");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("was replaced, but its directory could not be synced (Input/output error)"),
        "{err}"
    );
    assert_file(&t.credentials(), original().as_bytes());
}

#[test]
fn outputs_that_cannot_be_written_exit_1() {
    let file = format!("{}\n{}", original(), session());
    let t = Test::new().credentials_file(&file);
    for args in [
        &["env", "dev", "--shell", "sh"][..],
        &["credential-process", "dev"][..],
        &["status", "--json"][..],
    ] {
        let full = fs::File::create("/dev/full").unwrap_or_else(|e| panic!("{e}"));
        let out = t
            .command()
            .args(args)
            .stdout(full)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("cannot write to standard output: No space left on device"),
            "{err}"
        );
    }
}

// ----- STS answers (SPEC §7) -----

fn answer(body: String) -> Answer {
    Answer { status: 200, body }
}

#[test]
fn an_incomplete_or_stale_sts_answer_writes_nothing() {
    let good = sts_stub::session_answer().body;
    let cut = good[..good.find(SESSION_TOKEN).unwrap_or(0) + 8].to_owned();
    let cases = [
        (cut, "could not reach STS at"),
        (
            good.replace(SESSION_TOKEN, ""),
            "the answer was not what STS sends (no SessionToken in the answer)",
        ),
        (
            good.replace(SESSION_SECRET, ""),
            "(no SecretAccessKey in the answer)",
        ),
        (
            good.replace(EXPIRATION.as_str(), "2001-01-01T00:00:00Z"),
            "(an Expiration that has passed (2001-01-01T00:00:00Z) in the answer)",
        ),
        (
            good.replace(EXPIRATION.as_str(), "9999-12-31T23:59:59Z"),
            "(an Expiration of 9999-12-31T23:59:59Z for a session of 43200 s in the answer)",
        ),
    ];
    for (body, message) in cases {
        let stub = Stub::start(vec![answer(body)]);
        let t = Test::new()
            .credentials_file(original())
            .env("AWS_ENDPOINT_URL_STS", &stub.url);
        let run = t
            .args(&["-p", "dev", "--token", "123456"])
            .run()
            .code(5)
            .stderr_contains(message)
            .expect_credentials(original());
        assert!(!run.stderr_text().contains(SESSION_SECRET));
    }
}

#[test]
fn a_file_that_cannot_be_read_gets_a_hint_about_reading() {
    // Tests may run as root, whom a mode does not stop: the open is refused by strace instead.
    let t =
        Test::new().credentials_file("[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n");
    let path = t.credentials();
    let out = under_strace(
        &t,
        &[
            "-P",
            &path.display().to_string(),
            "-e",
            "inject=openat:error=EACCES",
        ],
        &["status"],
    )
    .output()
    .unwrap_or_else(|e| panic!("strace is needed for this test: {e}"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("Permission denied"), "{err}");
    assert!(
        err.contains(&format!(
            "hint: check that you may read {} and enter its directory",
            path.display()
        )),
        "{err}"
    );
    assert!(!err.contains("may write"), "{err}");
}
