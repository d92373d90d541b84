//! The store on a real file system: modes, symlinks, the lock, concurrent writers, bad files,
//! and faults injected with strace (a failed rename, a failed fsync, a full disk, a kill).

use std::fs;
use std::os::unix::fs::{PermissionsExt as _, symlink};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use stsmfa::ini::{Document, FileKind, Read as _};
use stsmfa::store::{self, Baseline, Outcome};
use stsmfa::timeouts::Timeouts;

use crate::common::{
    BIN, Test, assert_file, clear_under_strace, mode, run_all_at_once, temp_files,
};

const CRED: FileKind = FileKind::Credentials;

const FILE: &str = "\
# keys
[dev-long-term]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[dev]
aws_access_key_id = ASIAIOSFODNN7EXAMPLE
aws_secret_access_key = sessionsecretEXAMPLE
aws_session_token = tokenEXAMPLE
expiration = 2026-11-25T09:50:53Z
";

const CLEARED: &str = "\
# keys
[dev-long-term]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

/// Sets `pairs` in `profile` through the store; a failure is its message.
fn set(path: &Path, profile: &str, pairs: &[(&str, &str)]) -> Result<Outcome, String> {
    store::update(
        path,
        CRED,
        &Timeouts::default(),
        &Baseline::default(),
        |doc| {
            doc.set(CRED, profile, pairs)
                .map_err(|e| store::edit_error(path, e))
        },
    )
    .map(|u| u.outcome)
    .map_err(|e| e.to_string())
}

#[test]
fn new_file_is_0600_in_a_new_0700_directory() {
    let t = Test::new();
    let path = t.credentials();
    assert_eq!(
        set(&path, "dev", &[("k", "v")]).ok(),
        Some(Outcome::Created)
    );
    assert_file(&path, b"[dev]\nk = v\n");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&t.home().join(".aws")), 0o700);
    assert_eq!(mode(&store::lock_path(&path)), 0o600);
}

#[test]
fn existing_file_keeps_its_mode() {
    for m in [0o600, 0o640, 0o644] {
        let t = Test::new().credentials_file(FILE);
        fs::set_permissions(t.credentials(), fs::Permissions::from_mode(m)).ok();
        let run = t.args(&["clear", "dev"]).run().success();
        assert_eq!(mode(&run.test.credentials()), m);
    }
}

#[test]
fn unchanged_file_is_not_rewritten() {
    let t = Test::new().credentials_file("[dev]\nk = v\n");
    let path = t.credentials();
    let before = fs::metadata(&path).and_then(|m| m.modified()).ok();
    assert_eq!(
        set(&path, "dev", &[("k", "v")]).ok(),
        Some(Outcome::Unchanged)
    );
    assert_eq!(fs::metadata(&path).and_then(|m| m.modified()).ok(), before);
}

#[test]
fn symlinked_file_stays_a_symlink() {
    let t = Test::new().file("dotfiles/credentials", FILE);
    fs::create_dir_all(t.home().join(".aws")).ok();
    symlink("../dotfiles/credentials", t.credentials()).ok();
    let run = t.args(&["clear", "dev"]).run().success();
    let link = run.test.credentials();
    assert!(fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));
    assert_file(
        &run.test.home().join("dotfiles/credentials"),
        CLEARED.as_bytes(),
    );
    assert!(run.test.home().join("dotfiles/credentials.lock").exists());
}

#[test]
fn symlinked_directory_stays_a_symlink() {
    let t = Test::new().file("dotfiles/aws/credentials", FILE);
    symlink("dotfiles/aws", t.home().join(".aws")).ok();
    let run = t.args(&["clear", "dev"]).run().success();
    assert!(
        fs::symlink_metadata(run.test.home().join(".aws"))
            .is_ok_and(|m| m.file_type().is_symlink())
    );
    assert_file(
        &run.test.home().join("dotfiles/aws/credentials"),
        CLEARED.as_bytes(),
    );
}

#[test]
fn dangling_symlink_creates_its_target() {
    let t = Test::new();
    fs::create_dir_all(t.home().join(".aws")).ok();
    fs::create_dir_all(t.home().join("vault")).ok();
    symlink("../vault/credentials", t.credentials()).ok();
    assert!(set(&t.credentials(), "dev", &[("k", "v")]).is_ok());
    assert!(fs::symlink_metadata(t.credentials()).is_ok_and(|m| m.file_type().is_symlink()));
    assert_file(&t.home().join("vault/credentials"), b"[dev]\nk = v\n");
}

#[test]
fn lock_held_elsewhere_times_out_with_exit_6() {
    let t = Test::new()
        .credentials_file(FILE)
        .env("STSMFA_LOCK_TIMEOUT", "1");
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(store::lock_path(&t.credentials()))
        .unwrap_or_else(|e| panic!("{e}"));
    lock.lock().unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let run = t.args(&["clear", "dev"]).run().code(6);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "gave up too early"
    );
    run.stderr_contains("gave up after 1 s waiting for the lock")
        .stderr_contains("hint: another stsmfa is changing the file")
        .expect_credentials(FILE);
    drop(lock);
}

#[test]
fn directory_in_place_of_the_file_is_exit_6() {
    let t = Test::new();
    fs::create_dir_all(t.credentials()).ok();
    t.args(&["clear", "dev"])
        .run()
        .code(6)
        .stderr_contains("credentials is a directory, not a file");
}

#[test]
fn file_that_is_not_utf8_is_exit_6_with_its_line() {
    let mut bytes = b"[dev]\naws_session_token = t\nname = caf".to_vec();
    bytes.extend([0xe9, b'\n']);
    let t = Test::new().credentials_file(&bytes);
    t.args(&["clear", "dev"])
        .run()
        .code(6)
        .stderr_contains("credentials, line 3: not valid UTF-8 text")
        .stderr_contains("hint: save the file as UTF-8")
        .expect_credentials(&bytes);
}

#[test]
fn malformed_file_is_exit_6_with_its_line() {
    let text = "[dev]\naws_session_token = t\nthis line has no equals sign\n";
    Test::new()
        .credentials_file(text)
        .args(&["clear", "dev"])
        .run()
        .code(6)
        .stderr_contains("line 3: Expected an '=' sign defining a property")
        .stderr_contains("hint: fix line 3")
        .expect_credentials(text);
}

#[test]
fn unreadable_file_is_exit_6_naming_the_file() {
    let t = Test::new().credentials_file(FILE);
    let aws = t.home().join(".aws");
    fs::set_permissions(t.home(), fs::Permissions::from_mode(0o755)).ok();
    fs::set_permissions(&aws, fs::Permissions::from_mode(0o777)).ok();
    fs::set_permissions(t.credentials(), fs::Permissions::from_mode(0o000)).ok();
    let mut cmd = t.command();
    if is_root() {
        // Root reads any file; run as nobody so the permission check applies.
        let mut as_nobody = Command::new("setpriv");
        as_nobody
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN])
            .args(["clear", "dev"])
            .env_clear()
            .env("HOME", t.home());
        cmd = as_nobody;
    } else {
        cmd.args(["clear", "dev"]);
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(stderr.contains("cannot read"), "{stderr}");
    assert!(stderr.contains("Permission denied"), "{stderr}");
    assert!(stderr.contains("hint: check that you may read"), "{stderr}");
    fs::set_permissions(t.credentials(), fs::Permissions::from_mode(0o600)).ok();
    assert_file(&t.credentials(), FILE.as_bytes());
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

// ----- concurrency -----

/// A file with `n` profiles, each with a long-term section and a session, and comments.
fn many_profiles(n: usize) -> (String, String) {
    let mut full = String::from("# team accounts\n[default]\nregion = eu-west-1\n");
    let mut cleared = full.clone();
    for i in 0..n {
        let lt = format!(
            "\n# account {i}\n[p{i:02}-long-term]\naws_access_key_id = AKIA{i:016}\n\
             aws_secret_access_key = secret{i}EXAMPLE\n"
        );
        let session = format!(
            "\n[p{i:02}]\naws_access_key_id = ASIA{i:016}\naws_secret_access_key = s{i}\n\
             aws_session_token = t{i}\nexpiration = 2026-11-25T09:50:53Z\n"
        );
        full.push_str(&lt);
        full.push_str(&session);
        cleared.push_str(&lt);
    }
    (full, cleared)
}

#[test]
fn twenty_processes_clearing_at_once_all_land() {
    let (full, cleared) = many_profiles(20);
    let t = Test::new().credentials_file(&full);
    run_all_at_once(
        (0..20)
            .map(|i| {
                let mut cmd = t.command();
                cmd.args(["-q", "clear", &format!("p{i:02}")]);
                cmd
            })
            .collect(),
    );
    assert_file(&t.credentials(), cleared.as_bytes());
    assert!(temp_files(&t.home().join(".aws")).is_empty());
}

#[test]
fn twenty_threads_setting_sections_at_once_all_land() {
    let t = Test::new().credentials_file("# shared\n[default]\nregion = us-east-1\n");
    let path = t.credentials();
    std::thread::scope(|s| {
        for i in 0..20 {
            let path = &path;
            s.spawn(move || {
                let value = format!("v{i}");
                let result = set(path, &format!("p{i:02}"), &[("k", &value), ("n", "x")]);
                assert!(result.is_ok(), "thread {i}: {result:?}");
            });
        }
    });
    let text = fs::read_to_string(&path).unwrap_or_default();
    assert!(text.starts_with("# shared\n[default]\nregion = us-east-1\n\n[p"));
    let doc = Document::parse(&text);
    let view = doc.view(CRED).unwrap_or_default();
    assert_eq!(view.profiles.len(), 21);
    for i in 0..20 {
        let props = &view.profiles[format!("p{i:02}").as_str()];
        assert_eq!(props.get("k"), Some(format!("v{i}").as_str()));
    }
}

// ----- faults -----

fn assert_untouched(t: &Test) {
    assert_file(&t.credentials(), FILE.as_bytes());
    assert_eq!(temp_files(&t.home().join(".aws")), Vec::<String>::new());
}

#[test]
fn failed_rename_leaves_the_old_file_and_no_temporary() {
    let t = Test::new().credentials_file(FILE);
    let (code, err) = clear_under_strace(&t, "inject=rename,renameat,renameat2:error=EIO");
    assert_eq!(code, Some(6), "{err}");
    assert!(
        err.contains("cannot replace") && err.contains("Input/output error"),
        "{err}"
    );
    assert_untouched(&t);
}

#[test]
fn failed_fsync_leaves_the_old_file_and_no_temporary() {
    let t = Test::new().credentials_file(FILE);
    let (code, err) = clear_under_strace(&t, "inject=fsync,fdatasync:error=EIO");
    assert_eq!(code, Some(6), "{err}");
    assert!(
        err.contains("cannot sync") && err.contains("Input/output error"),
        "{err}"
    );
    assert_untouched(&t);
}

#[test]
fn failed_write_leaves_the_old_file_and_no_temporary() {
    let t = Test::new().credentials_file(FILE);
    let (code, err) = clear_under_strace(&t, "inject=write,pwrite64,writev:error=ENOSPC:when=1");
    // The first write of the process is the temporary file's content.
    assert_eq!(code, Some(6), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert_untouched(&t);
}

#[test]
fn killed_before_the_rename_leaves_the_old_file_and_the_next_run_cleans_up() {
    let t = Test::new().credentials_file(FILE);
    let (code, _) = clear_under_strace(&t, "inject=rename,renameat,renameat2:signal=SIGKILL");
    assert_ne!(code, Some(0));
    assert_file(&t.credentials(), FILE.as_bytes());
    assert_eq!(
        temp_files(&t.home().join(".aws")).len(),
        1,
        "the kill left a temporary file"
    );
    let run = t.args(&["clear", "dev"]).run().success();
    assert_file(&run.test.credentials(), CLEARED.as_bytes());
    assert!(temp_files(&run.test.home().join(".aws")).is_empty());
}

/// A 64 KiB tmpfs mounted for the test and unmounted when dropped.
struct Tmpfs(std::path::PathBuf);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn full_disk_leaves_the_old_file_and_no_temporary() {
    if !is_root() {
        println!(
            "skipped full_disk_leaves_the_old_file_and_no_temporary: needs root to mount a tmpfs"
        );
        return;
    }
    let t = Test::new();
    let aws = t.home().join(".aws");
    fs::create_dir_all(&aws).ok();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs"])
        .arg(&aws)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        println!("skipped full_disk_leaves_the_old_file_and_no_temporary: mount was refused");
        return;
    }
    let _guard = Tmpfs(aws.clone());
    fs::write(t.credentials(), FILE).ok();
    fs::write(store::lock_path(&t.credentials()), "").ok();
    // Fill the rest of the file system.
    let filler = vec![b'x'; 4096];
    let mut f = fs::File::create(aws.join("filler")).unwrap_or_else(|e| panic!("{e}"));
    while std::io::Write::write_all(&mut f, &filler).is_ok() {}
    drop(f);
    let _run = t
        .args(&["clear", "dev"])
        .run()
        .code(6)
        .stderr_contains("No space left on device")
        .stderr_contains("hint: free some disk space");
    let left: Vec<String> = temp_files(&aws);
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_file(&aws.join("credentials"), FILE.as_bytes());
}
