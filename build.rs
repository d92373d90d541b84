//! Generates one named test per case of the AWS SDK conformance suites in
//! `fixtures/conformance/`, so that `cargo test` lists every case by name.

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
