//! Other programs writing the credentials file while stsmfa changes it, each the way a real
//! one does (SPEC §6.3): a writer that truncates and writes in several pieces, an editor's
//! rename-save, a program renaming its own file over it, an appender, two writers one after
//! the other. Each race is made to land every time by holding stsmfa's rename back with strace.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::common::{Test, assert_file, temp_files, under_strace};
use crate::safety::{finish, original, session, setup_by_flags, spawn, text, with_stub};

/// Runs stsmfa with `args` in `t`'s environment under strace, holding every rename back
/// `delay_ms` milliseconds.
fn with_renames_held(t: &Test, delay_ms: u64, args: &[&str]) -> Child {
    let inject = format!(
        "inject=rename,renameat,renameat2:delay_enter={}",
        delay_ms * 1000
    );
    spawn(under_strace(t, &["-e", &inject], args))
}

/// Waits until stsmfa holds the lock of `path` (it has read the file and is about to write).
fn wait_for_lock(path: &Path) {
    let lock = stsmfa::store::lock_path(path);
    let deadline = Instant::now() + Duration::from_secs(15);
    while !fs::File::open(&lock).is_ok_and(|f| f.try_lock().is_err()) {
        assert!(Instant::now() < deadline, "stsmfa never took the lock");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until the file at `path` is another one than `ino` (it was replaced).
fn wait_for_replacement(path: &Path, ino: u64) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while fs::metadata(path).is_ok_and(|m| m.ino() == ino) || !path.exists() {
        assert!(Instant::now() < deadline, "the file was never replaced");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn ino(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.ino()).unwrap_or_default()
}

const REFRESH: &[&str] = &["-p", "dev", "--token", "123456"];

/// A writer that truncates the file and writes it in two pieces, the first ending at a line
/// end (a shell script, `cat a b > credentials`, configparser on a file over 8 KiB), is read
/// between its two writes: stsmfa waits until it has closed the file, and loses nothing.
#[test]
fn a_file_still_being_written_is_not_taken_as_whole() {
    let full = format!("{}\n[ops]\nregion = us-east-1\noutput = json\n", original());
    let (t, stub) = with_stub(&full);
    let cut = full.find("\n; the other account").unwrap_or(0) + 1;
    let mut writer = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(t.credentials())
        .unwrap_or_else(|e| panic!("{e}"));
    writer
        .write_all(&full.as_bytes()[..cut])
        .unwrap_or_else(|e| panic!("{e}"));
    let refresh = spawn({
        let mut c = t.command();
        c.args(REFRESH);
        c
    });
    std::thread::sleep(Duration::from_millis(1500));
    writer
        .write_all(&full.as_bytes()[cut..])
        .unwrap_or_else(|e| panic!("{e}"));
    drop(writer);
    let out = finish(refresh, Duration::from_secs(20), "refresh");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_file(
        &t.credentials(),
        format!("{full}\n{}", session()).as_bytes(),
    );
    assert_eq!(stub.token_codes(), vec!["123456"]);
}

/// A writer caught in the old file (it writes into it while stsmfa's rename is held back),
/// then a second writer that changes the new file while the merge's own rename is held back:
/// the merge is built from what is at the path, so both changes stay.
#[test]
fn a_merge_is_built_from_what_is_at_the_path_now() {
    let (t, _stub) = with_stub(&original());
    let path = t.credentials();
    let refresh = with_renames_held(&t, 1500, REFRESH);
    wait_for_lock(&path);
    let first = ino(&path);
    std::thread::sleep(Duration::from_millis(300));
    let one = format!("{}\n[one]\nregion = us-west-1\n", original());
    fs::write(&path, &one).unwrap_or_else(|e| panic!("{e}"));
    wait_for_replacement(&path, first);
    std::thread::sleep(Duration::from_millis(300));
    let now = fs::read_to_string(&path).unwrap_or_default();
    let two = format!("{now}\n[two]\nregion = us-west-2\n");
    fs::write(&path, &two).unwrap_or_else(|e| panic!("{e}"));
    let out = finish(refresh, Duration::from_secs(30), "refresh");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let end = fs::read_to_string(&path).unwrap_or_default();
    for part in ["[one]\nregion = us-west-1\n", "[two]\nregion = us-west-2\n"] {
        assert!(end.contains(part), "{part:?} lost:\n{end}");
    }
    assert!(end.contains(&session()), "the session is missing:\n{end}");
    assert!(temp_files(&t.home().join(".aws")).is_empty());
}

/// An editor's save (vim's way: rename the file to `credentials~`, write a new one, delete the
/// backup) that `setup` read in the middle of: setup creates the file only if it is still
/// missing at the rename, and otherwise merges into the editor's file.
#[test]
fn setup_during_an_editors_save_keeps_the_editors_file() {
    let t = Test::new().credentials_file(original());
    let path = t.credentials();
    let backup = t.home().join(".aws/credentials~");
    fs::rename(&path, &backup).unwrap_or_else(|e| panic!("{e}"));
    let t = setup_by_flags(t);
    let setup = {
        let mut cmd = under_strace(
            &t,
            &["-e", "inject=rename,renameat,renameat2:delay_enter=1500000"],
            &[],
        );
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
                .unwrap_or_else(|e| panic!("{e}"));
        }
        child
    };
    wait_for_lock(&path);
    std::thread::sleep(Duration::from_millis(300));
    let edited = format!("{}\n[edited]\nregion = ap-south-1\n", original());
    fs::write(&path, &edited).unwrap_or_else(|e| panic!("{e}"));
    fs::remove_file(&backup).unwrap_or_else(|e| panic!("{e}"));
    let out = finish(setup, Duration::from_secs(30), "setup");
    let end = fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(out.status.code(), Some(0), "{}\n{end}", text(&out.stderr));
    assert!(
        end.starts_with(&edited),
        "the editor's file was lost:\n{end}"
    );
    assert!(end.contains("[ops-long-term]"), "{end}");
}

/// A program that renames its own file over the credentials file while stsmfa's rename is
/// held back: on Linux the files are swapped and the swap undone, and the change is made
/// again on that program's file.
#[test]
fn a_file_renamed_over_it_at_the_last_moment_is_kept() {
    let (t, _stub) = with_stub(&original());
    let path = t.credentials();
    let refresh = with_renames_held(&t, 1500, REFRESH);
    wait_for_lock(&path);
    std::thread::sleep(Duration::from_millis(300));
    let theirs = format!("{}\n[renamed]\nregion = eu-north-1\n", original());
    let own = t.home().join(".aws/their-new-file");
    fs::write(&own, &theirs).unwrap_or_else(|e| panic!("{e}"));
    fs::rename(&own, &path).unwrap_or_else(|e| panic!("{e}"));
    let out = finish(refresh, Duration::from_secs(30), "refresh");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_file(&path, format!("{theirs}\n{}", session()).as_bytes());
    assert!(temp_files(&t.home().join(".aws")).is_empty());
}

/// A program that opened the file to append before the rename and appends after it: stsmfa
/// waits for it to close the replaced file and adds what it appended.
#[test]
fn what_is_appended_to_the_replaced_file_is_merged_in() {
    let (t, _stub) = with_stub(&original());
    let path = t.credentials();
    let refresh = with_renames_held(&t, 1000, REFRESH);
    wait_for_lock(&path);
    let first = ino(&path);
    let mut appender = OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for_replacement(&path, first);
    std::thread::sleep(Duration::from_millis(100));
    appender
        .write_all(b"\n[appended]\nregion = sa-east-1\n")
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(100));
    drop(appender);
    let out = finish(refresh, Duration::from_secs(30), "refresh");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let end = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        end.contains("[appended]\nregion = sa-east-1\n") && end.contains(&session()),
        "{end}"
    );
}

/// A program that keeps emptying the file: every command gives up after a bounded wait
/// (exit 6, naming why), instead of waiting for ever.
#[test]
fn a_file_that_keeps_being_emptied_is_waited_for_a_bounded_time() {
    let (t, stub) = with_stub(&original());
    let t = t.env("STSMFA_SETTLE_TIMEOUT", "2");
    let path = t.credentials();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let deadline = Instant::now() + Duration::from_secs(20);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < deadline {
                let _ = fs::write(&path, "");
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        for args in [&["status"][..], REFRESH] {
            let mut cmd = t.command();
            cmd.args(args);
            let started = Instant::now();
            let out = finish(spawn(cmd), Duration::from_secs(15), "stsmfa");
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(6), "{args:?}: {err}");
            assert!(err.contains("did not settle within 2 s"), "{err}");
            assert!(started.elapsed() < Duration::from_secs(6));
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(stub.requests().is_empty());
}

/// The lock held by another process past the lock timeout: the run says so before a code is
/// asked for (the token command never runs, STS is never called).
#[test]
fn a_busy_lock_is_found_before_a_code_is_spent() {
    let (t, stub) = with_stub(&original());
    let t = t.env("STSMFA_LOCK_TIMEOUT", "1");
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(stsmfa::store::lock_path(&t.credentials()))
        .unwrap_or_else(|e| panic!("{e}"));
    lock.lock().unwrap_or_else(|e| panic!("{e}"));
    let marker = t.home().join("code-asked");
    let command = format!("touch {}; echo 123456", marker.display());
    let run = t
        .args(&["-p", "dev", "--token-command", &command])
        .run()
        .code(6)
        .stderr_contains("waiting for the lock");
    assert!(!marker.exists(), "the token command ran");
    assert!(stub.requests().is_empty());
    assert_file(&run.test.credentials(), original().as_bytes());
}

/// An immutable file (`chattr +i`) is found before a code is spent.
#[test]
fn an_immutable_file_is_found_before_a_code_is_spent() {
    let (t, stub) = with_stub(&original());
    let path = t.credentials();
    let set = Command::new("chattr").arg("+i").arg(&path).status();
    if !set.is_ok_and(|s| s.success()) {
        crate::safety::skip(
            "an_immutable_file_is_found_before_a_code_is_spent",
            "chattr +i is not possible here (needs root and a file system with attributes)",
        );
        return;
    }
    let out = t
        .command()
        .args(REFRESH)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = Command::new("chattr").arg("-i").arg(&path).status();
    let err = text(&out.stderr);
    assert!(stub.requests().is_empty(), "a code was sent: {err}");
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("is immutable (chattr +i)"), "{err}");
    assert!(err.contains("chattr -i -a"), "{err}");
    assert_file(&path, original().as_bytes());
}

// ----- stress: each kind of writer in a loop beside every kind of change -----

/// How a writer that takes no lock writes the whole file.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Writer {
    /// Truncates, then writes a line at a time with pauses (a shell script).
    Lines,
    /// Truncates, then writes 8 KiB at a time (Python's configparser, which aws-mfa uses).
    ConfigParser,
    /// Renames the file to `credentials~`, writes a new one, deletes the backup (vim).
    Editor,
    /// Appends a new section through a descriptor of its own (`echo ... >> credentials`).
    Appender,
}

/// The counter line each rewriting writer keeps in `[writer]`.
pub(crate) fn counter(text: &str) -> Option<u64> {
    let start = text.find("[writer]\ncount = ")? + "[writer]\ncount = ".len();
    text[start..].lines().next()?.parse().ok()
}

/// Waits until no stsmfa holds the lock, so that what the file holds is what they left.
pub(crate) fn quiet(path: &Path) {
    let lock = stsmfa::store::lock_path(path);
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        match fs::File::open(&lock) {
            Ok(f) if f.try_lock().is_ok() => return,
            Err(_) => return,
            _ => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    panic!("the lock was never free");
}

/// One write of `writer`, number `n`; the text it wrote.
pub(crate) fn write_once(writer: Writer, path: &Path, n: u64) {
    let text = fs::read_to_string(path).unwrap_or_default();
    let old = counter(&text).unwrap_or_default();
    let text = text.replace(
        &format!("[writer]\ncount = {old}\n"),
        &format!("[writer]\ncount = {n}\n"),
    );
    match writer {
        Writer::Lines | Writer::ConfigParser => {
            let mut f = OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)
                .unwrap_or_else(|e| panic!("{e}"));
            let pieces: Vec<&[u8]> = match writer {
                Writer::Lines => text.split_inclusive('\n').map(str::as_bytes).collect(),
                _ => text.as_bytes().chunks(8192).collect(),
            };
            for (i, piece) in pieces.into_iter().enumerate() {
                f.write_all(piece).unwrap_or_else(|e| panic!("{e}"));
                if matches!(writer, Writer::Lines) && i % 50 == 49 {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
        Writer::Editor => {
            let backup = path.with_file_name("credentials~");
            fs::rename(path, &backup).unwrap_or_else(|e| panic!("{e}"));
            fs::write(path, &text).unwrap_or_else(|e| panic!("{e}"));
            let _ = fs::remove_file(&backup);
        }
        Writer::Appender => {
            let mut f = OpenOptions::new()
                .append(true)
                .open(path)
                .unwrap_or_else(|e| panic!("{e}"));
            f.write_all(format!("\n[appended-{n}]\nregion = us-east-1\n").as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// Writes with `writer` until `stop` says so, a little slower than a person could save a file;
/// returns how many writes it made and how many of them are lost: for a rewriting writer, each
/// write is checked once no stsmfa holds the lock; for the appender, every appended section at
/// the end.
pub(crate) fn keep_writing(writer: Writer, path: &Path, stop: impl Fn() -> bool) -> (u64, u64) {
    let (mut writes, mut lost) = (0u64, 0u64);
    while !stop() {
        writes += 1;
        write_once(writer, path, writes);
        if !matches!(writer, Writer::Appender) {
            quiet(path);
            let now = counter(&fs::read_to_string(path).unwrap_or_default());
            lost += u64::from(now != Some(writes));
        }
        // Faster than any person or script saves a file, slow enough for a change to get
        // through between two saves.
        std::thread::sleep(Duration::from_millis(20 + writes % 40));
    }
    quiet(path);
    if matches!(writer, Writer::Appender) {
        let end = fs::read_to_string(path).unwrap_or_default();
        lost = (1..=writes)
            .filter(|n| !end.contains(&format!("[appended-{n}]\n")))
            .count() as u64;
    }
    (writes, lost)
}

/// The commands run beside a writer, in turn: each one writes the file.
fn commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["-q", "-p", "dev", "--force", "--token", "123456"],
        vec!["-q", "clear", "dev"],
        vec!["-q", "--all", "--force", "--token", "123456"],
        vec!["-q", "clear", "--all"],
        vec!["-q", "setup", "ops", "--duration", "3600", "--no-input"],
        vec!["-q", "setup", "ops", "--duration", "7200", "--no-input"],
    ]
}

/// Each kind of writer in a loop for a few seconds beside refreshes, `--all`, `clear` and
/// `setup`: no write of the writer is lost, no long-term section is lost, and every run ends
/// with 0 or with 6 (the file did not settle in time).
#[test]
fn writers_beside_every_change_lose_nothing() {
    let padding: String = (0..250)
        .map(|i| format!("\n[pad{i:03}]\nregion = eu-west-1\noutput = json\n"))
        .collect();
    let ops_key = "aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n";
    let file = format!(
        "[writer]\ncount = 0\n\n{}{padding}",
        original().replace(
            ops_key,
            &format!("{ops_key}aws_mfa_device = arn:aws:iam::123456789012:mfa/ops\n")
        ),
    );
    assert!(file.len() > 8192);
    let mut report = Vec::new();
    for writer in [
        Writer::Lines,
        Writer::ConfigParser,
        Writer::Editor,
        Writer::Appender,
    ] {
        let (t, _stub) = with_stub(&file);
        let path = t.credentials();
        let done = std::sync::atomic::AtomicBool::new(false);
        let (writes, lost, runs) = std::thread::scope(|s| {
            let stsmfa = s.spawn(|| {
                let (mut runs, mut unsettled) = (0u64, 0u64);
                for args in commands().iter().cycle() {
                    if done.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let mut cmd = t.command();
                    cmd.args(args);
                    let out = finish(spawn(cmd), Duration::from_secs(30), "stsmfa");
                    assert!(
                        matches!(out.status.code(), Some(0 | 6)),
                        "{writer:?} {args:?}: {}",
                        text(&out.stderr)
                    );
                    runs += 1;
                    unsettled += u64::from(out.status.code() == Some(6));
                }
                (runs, unsettled)
            });
            let deadline = Instant::now() + Duration::from_secs(5);
            let (writes, lost) = keep_writing(writer, &path, || Instant::now() >= deadline);
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            let runs = stsmfa
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (writes, lost, runs)
        });
        let end = fs::read_to_string(&path).unwrap_or_default();
        for section in ["[dev-long-term]", "[ops-long-term]", "[pad249]", "[writer]"] {
            assert!(end.contains(section), "{writer:?}: {section} lost:\n{end}");
        }
        report.push(format!(
            "{writer:?}: {writes} writes beside {} stsmfa runs ({} of them exit 6), {lost} lost",
            runs.0, runs.1
        ));
        assert_eq!(lost, 0, "{}", report.join("; "));
    }
    println!("{}", report.join("; "));
}
