//! Shipping: the release archive that `scripts/dist` builds (as the release workflow does),
//! installed the way README says; the workflows checked by actionlint and zizmor; the crate's
//! package and its declared Rust version.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn venv_tool(name: &str) -> PathBuf {
    crate::interop::venv().join("bin").join(name)
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
#[ignore = "needs the archive scripts/dist builds: run with scripts/test"]
fn the_release_archive_installs_as_the_readme_says() {
    let archive = match std::env::var_os("STSMFA_TEST_ARCHIVE") {
        Some(a) => PathBuf::from(a),
        None => panic!("STSMFA_TEST_ARCHIVE is not set: run these tests with scripts/test"),
    };
    let name = archive
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    for file in [name.clone(), format!("{name}.sha256")] {
        std::fs::copy(archive.with_file_name(&file), downloads.join(&file)).unwrap();
    }
    // What the archive holds, each entry owned by root.
    let (ok, listing) = run(Command::new("tar").args(["tzvf"]).arg(&archive));
    assert!(ok, "{listing}");
    let stem = name.trim_end_matches(".tar.gz");
    for entry in [
        "stsmfa",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "completions/stsmfa.bash",
        "completions/_stsmfa",
        "completions/stsmfa.fish",
        "completions/_stsmfa.ps1",
        "completions/stsmfa.elv",
        "man/stsmfa.1",
        "man/stsmfa-console.1",
        "man/stsmfa-exec.1",
    ] {
        assert!(
            listing
                .lines()
                .any(|l| l.ends_with(&format!(" {stem}/{entry}"))),
            "{entry} is not in the archive:\n{listing}"
        );
    }
    assert!(
        listing.lines().all(|l| l.contains(" root/root ")),
        "{listing}"
    );
    // The README's block, as written, into a prefix of its own.
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let marker = "<!-- install: a test runs this block";
    let from = text.find(marker).expect("README has the install block");
    let start = from + text[from..].find("```sh\n").unwrap() + "```sh\n".len();
    let block = &text[start..start + text[start..].find("```").unwrap()];
    let prefix = dir.path().join("prefix");
    let (ok, out) = run(Command::new("/bin/sh")
        .args(["-e", "-c", block])
        .current_dir(&downloads)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir.path())
        .env("PREFIX", &prefix));
    assert!(ok, "the README's install block failed:\n{out}");
    assert!(out.contains(": OK"), "no checksum line:\n{out}");
    assert!(
        out.trim_end()
            .ends_with(&format!("stsmfa {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    for installed in [
        "bin/stsmfa",
        "share/man/man1/stsmfa.1",
        "share/man/man1/stsmfa-status.1",
        "share/bash-completion/completions/stsmfa",
        "share/zsh/site-functions/_stsmfa",
        "share/fish/vendor_completions.d/stsmfa.fish",
    ] {
        assert!(prefix.join(installed).is_file(), "{installed} missing");
    }
    // The installed completion loads in bash.
    let (ok, out) = run(Command::new("bash").args([
        "-c",
        &format!(
            "source {}/share/bash-completion/completions/stsmfa && complete -p stsmfa",
            prefix.display()
        ),
    ]));
    assert!(ok && out.contains("stsmfa"), "{out}");
    // A damaged archive fails the README's check.
    let damaged = downloads.join(&name);
    let mut bytes = std::fs::read(&damaged).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&damaged, bytes).unwrap();
    let (ok, out) = run(Command::new("/bin/sh")
        .args(["-e", "-c", block])
        .current_dir(&downloads)
        .env("PREFIX", dir.path().join("other")));
    assert!(!ok, "a damaged archive was installed:\n{out}");
}

#[test]
#[ignore = "needs actionlint and zizmor from the virtualenv: run with scripts/test"]
fn the_workflows_pass_actionlint_and_zizmor() {
    let workflows = root().join(".github/workflows");
    let files: Vec<PathBuf> = ["ci.yml", "release.yml"]
        .iter()
        .map(|f| workflows.join(f))
        .collect();
    let (ok, out) = run(Command::new(venv_tool("actionlint"))
        .args(&files)
        .current_dir(root()));
    assert!(ok, "actionlint:\n{out}");
    // Every audit, the pedantic ones included, offline (no GitHub API here).
    let (ok, out) = run(Command::new(venv_tool("zizmor"))
        .args(["--offline", "--persona=auditor", "--no-progress"])
        .arg(&workflows)
        .current_dir(root()));
    assert!(ok, "zizmor:\n{out}");
    assert!(out.contains("No findings to report"), "zizmor:\n{out}");
}

/// The standard output of a command that must succeed.
fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_declared_rust_version_is_what_the_dependencies_need() {
    let out = stdout_of(
        Command::new(env!("CARGO"))
            .args(["metadata", "--format-version", "1", "--locked", "--offline"])
            .current_dir(root()),
    );
    let meta: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("cargo metadata: {e}"));
    let version = |v: &str| -> Vec<u32> { v.split('.').filter_map(|p| p.parse().ok()).collect() };
    let mut ours = None;
    let mut needed: Vec<(Vec<u32>, String)> = Vec::new();
    for p in meta["packages"].as_array().unwrap() {
        let Some(rv) = p["rust_version"].as_str() else {
            continue;
        };
        if p["name"] == "stsmfa" {
            ours = Some(version(rv));
        } else {
            needed.push((version(rv), format!("{} {}", p["name"], p["version"])));
        }
    }
    let ours = ours.expect("Cargo.toml declares rust-version");
    needed.sort();
    let (most, who) = needed.last().cloned().unwrap_or_default();
    assert!(
        ours >= most,
        "rust-version {ours:?} is older than {who} needs ({most:?})"
    );
}

#[test]
fn the_package_holds_every_file_of_the_repository() {
    if !root().join(".git").exists() {
        println!("skipped: not a git checkout, so there is no list of files to compare with");
        return;
    }
    let tracked = stdout_of(Command::new("git").args(["ls-files"]).current_dir(root()));
    let packaged = stdout_of(
        Command::new(env!("CARGO"))
            .args([
                "package",
                "--list",
                "--locked",
                "--allow-dirty",
                "--offline",
            ])
            .current_dir(root()),
    );
    let packaged: std::collections::BTreeSet<&str> = packaged.lines().collect();
    let missing: Vec<&str> = tracked.lines().filter(|f| !packaged.contains(f)).collect();
    assert!(missing.is_empty(), "left out of the package: {missing:?}");
}
