//! Generates one named test per case of the AWS SDK conformance suites in
//! `fixtures/conformance/`, so that `cargo test` lists every case by name, and records what
//! `stsmfa --version -v` tells about the build: the commit, the target, the compiler.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=fixtures/conformance");
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    let mut code = String::new();
    for (suite, file) in [
        ("parser", "profile-parser-tests.json"),
        ("location", "file-location-tests.json"),
    ] {
        let path = Path::new("fixtures/conformance").join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
            panic!("{} is not valid JSON", path.display());
        };
        let cases = json["tests"].as_array().cloned().unwrap_or_default();
        for (i, case) in cases.iter().enumerate() {
            let name = slug(case["name"].as_str().unwrap_or("case"));
            let _ = writeln!(
                code,
                "#[test]\nfn {suite}_{i:02}_{name}() {{ run_{suite}_case({i}); }}"
            );
        }
    }
    let _ = std::fs::write(Path::new(&out).join("conformance_cases.rs"), code);
    build_facts();
}

/// The commit (`unknown` outside a git checkout, `-dirty` with uncommitted changes), the
/// target triple and the compiler's version, as `STSMFA_BUILD_*` variables of the crate.
fn build_facts() {
    for watched in [".git/HEAD", ".git/index"] {
        if Path::new(watched).exists() {
            println!("cargo::rerun-if-changed={watched}");
        }
    }
    let run = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    // A packaged crate (`cargo install stsmfa`, a crate from `cargo package`) has no .git but
    // the commit it was packaged from, in .cargo_vcs_info.json.
    let commit = if Path::new(".git").exists() {
        run("git", &["describe", "--always", "--dirty", "--abbrev=12"])
    } else {
        std::fs::read_to_string(".cargo_vcs_info.json")
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| {
                let sha = v["git"]["sha1"].as_str()?.get(..12)?.to_owned();
                let dirty = v["git"]["dirty"].as_bool().unwrap_or(false);
                Some(if dirty { format!("{sha}-dirty") } else { sha })
            })
    };
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let facts = [
        ("COMMIT", commit.unwrap_or_else(|| "unknown".into())),
        ("TARGET", std::env::var("TARGET").unwrap_or_default()),
        ("RUSTC", run(&rustc, &["--version"]).unwrap_or_default()),
        ("PROFILE", std::env::var("PROFILE").unwrap_or_default()),
    ];
    for (name, value) in facts {
        println!("cargo::rustc-env=STSMFA_BUILD_{name}={value}");
    }
}

fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('_') {
            s.push('_');
        }
    }
    s.trim_matches('_')
        .chars()
        .take(70)
        .collect::<String>()
        .trim_end_matches('_')
        .to_owned()
}
