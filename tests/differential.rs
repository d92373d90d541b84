//! Differential test against botocore, the AWS CLI's reader: hundreds of generated valid,
//! nasty credentials files are refreshed and cleared through the binary, and botocore's
//! `raw_config_parse` must read the new session exactly, every other profile as before, and
//! every profile it read like the SDK rules before the same way after. Seeds are printed on
//! failure; `STSMFA_DIFF_SEED` reruns one.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::nasty::{self, Options};
use crate::common::sts_stub::{self, EXPIRATION, SESSION_KEY, SESSION_SECRET, SESSION_TOKEN, Stub};
use crate::common::{Test, sdk_profiles};

const CASES: u64 = 300;

fn venv() -> PathBuf {
    match std::env::var_os("STSMFA_TEST_VENV") {
        Some(v) => PathBuf::from(v),
        None => panic!("STSMFA_TEST_VENV is not set: run these tests with scripts/test"),
    }
}

type Profiles = BTreeMap<String, Value>;

/// What botocore reads from each of `paths`, in one Python process.
fn botocore_read_all(paths: &[PathBuf]) -> Vec<Result<Profiles, String>> {
    let script = "import sys, json, botocore.configloader as c\n\
                  out = []\n\
                  for p in sys.argv[1:]:\n\
                  \x20   try: out.append({'ok': c.raw_config_parse(p)})\n\
                  \x20   except Exception as e: out.append({'error': repr(e)})\n\
                  print(json.dumps(out))\n";
    let out = Command::new(venv().join("bin/python"))
        .env("PYTHONUTF8", "1")
        .arg("-c")
        .arg(script)
        .args(paths)
        .output()
        .unwrap_or_else(|e| panic!("python: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all: Vec<Value> =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("botocore output: {e}"));
    all.into_iter()
        .map(|v| match v.get("ok") {
            Some(Value::Object(m)) => Ok(m.clone().into_iter().collect()),
            _ => Err(v.to_string()),
        })
        .collect()
}

/// What the SDK rules read, in botocore's shape (strings only).
fn sdk_read(path: &Path) -> Profiles {
    sdk_profiles(path)
        .unwrap_or_else(|| panic!("{} does not parse", path.display()))
        .into_iter()
        .map(|(name, props)| {
            let props = props
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            (name, Value::Object(props))
        })
        .collect()
}

/// One generated case and the snapshots taken of it.
struct Case {
    seed: u64,
    _test: Test,
    input: PathBuf,
    refreshed: PathBuf,
    cleared: PathBuf,
}

fn run_case(seed: u64, stub: &Stub) -> Case {
    let (text, _) = nasty::file(
        seed,
        Options {
            bom: false,
            disagreements: true,
        },
    );
    let t = Test::new()
        .credentials_file(&text)
        .env("AWS_ENDPOINT_URL_STS", &stub.url);
    let snapshot = |name: &str| {
        let to = t.home().join(name);
        fs::copy(t.credentials(), &to).unwrap_or_else(|e| panic!("{e}"));
        to
    };
    let input = snapshot("input.ini");
    for (args, then) in [
        (
            &["-q", "-p", "dev", "--force", "--token", "123456"][..],
            "refreshed.ini",
        ),
        (&["-q", "clear", "dev"][..], "cleared.ini"),
    ] {
        let out = t
            .command()
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "seed {seed}: {args:?} failed: {}\n--- file ---\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
        snapshot(then);
    }
    Case {
        seed,
        refreshed: t.home().join("refreshed.ini"),
        cleared: t.home().join("cleared.ini"),
        input,
        _test: t,
    }
}

/// Checks one step (input -> output) of a case; `session` is what `[dev]` must hold for
/// botocore after it (`None`: no session key at all).
fn check_step(
    case: &Case,
    step: &str,
    (bc_before, bc_after): (&Profiles, &Profiles),
    (sdk_before, sdk_after): (&Profiles, &Profiles),
    session: Option<&[(&str, &str)]>,
) -> Result<(), String> {
    let fail = |what: String| {
        Err(format!(
            "seed {} ({step}): {what}\n--- before ---\n{}\n--- after ---\n{}",
            case.seed,
            fs::read_to_string(&case.input).unwrap_or_default(),
            fs::read_to_string(if step == "refresh" {
                &case.refreshed
            } else {
                &case.cleared
            })
            .unwrap_or_default()
        ))
    };
    let dev = bc_after.get("dev");
    match session {
        Some(keys) => {
            for (k, v) in keys {
                let got = dev.and_then(|d| d.get(*k));
                if got != Some(&Value::String((*v).to_owned())) {
                    return fail(format!("botocore reads {k} of [dev] as {got:?}, not {v:?}"));
                }
            }
        }
        None => {
            for k in stsmfa::profile::SESSION_KEYS {
                if let Some(v) = dev.and_then(|d| d.get(*k)) {
                    return fail(format!("botocore still reads {k} = {v} in [dev]"));
                }
            }
        }
    }
    for (name, before) in bc_before {
        if name != "dev" && bc_after.get(name) != Some(before) {
            return fail(format!("botocore reads [{name}] differently now"));
        }
    }
    for (name, before) in sdk_before {
        if name != "dev" && sdk_after.get(name) != Some(before) {
            return fail(format!("the SDK rules read [{name}] differently now"));
        }
    }
    for (name, after) in bc_after {
        let agreed = bc_before.get(name).is_some() && bc_before.get(name) == sdk_before.get(name);
        let new = bc_before.get(name).is_none() && sdk_before.get(name).is_none();
        if (agreed || new) && sdk_after.get(name) != Some(after) {
            return fail(format!(
                "botocore and the SDK rules read [{name}] alike before, but not after: \
                 {after} / {:?}",
                sdk_after.get(name)
            ));
        }
    }
    Ok(())
}

#[test]
#[ignore = "needs the AWS CLI: run scripts/test"]
fn botocore_reads_refreshed_and_cleared_generated_files_as_intended() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let seeds: Vec<u64> = match std::env::var("STSMFA_DIFF_SEED") {
        Ok(s) => vec![
            s.parse()
                .unwrap_or_else(|e| panic!("STSMFA_DIFF_SEED: {e}")),
        ],
        Err(_) => (0..CASES).collect(),
    };
    let cases: Vec<Case> = seeds.iter().map(|&s| run_case(s, &stub)).collect();
    let paths: Vec<PathBuf> = cases
        .iter()
        .flat_map(|c| [c.input.clone(), c.refreshed.clone(), c.cleared.clone()])
        .collect();
    let read = botocore_read_all(&paths);
    let session = [
        ("aws_access_key_id", SESSION_KEY),
        ("aws_secret_access_key", SESSION_SECRET),
        ("aws_session_token", SESSION_TOKEN),
        ("expiration", EXPIRATION.as_str()),
    ];
    let mut failures = Vec::new();
    let mut unreadable_inputs = 0;
    for (case, bc) in cases.iter().zip(read.chunks(3)) {
        let [input, refreshed, cleared] = bc else {
            continue;
        };
        let input = match input {
            Ok(i) => i,
            Err(e) => {
                // botocore cannot read the input at all (none of our doing): skip, but count.
                if unreadable_inputs < 3 {
                    println!(
                        "seed {}: botocore cannot read the input: {e}\n{}",
                        case.seed,
                        fs::read_to_string(&case.input).unwrap_or_default()
                    );
                }
                unreadable_inputs += 1;
                continue;
            }
        };
        let (Ok(refreshed), Ok(cleared)) = (refreshed, cleared) else {
            failures.push(format!(
                "seed {}: botocore cannot read what we wrote",
                case.seed
            ));
            continue;
        };
        let sdk = [&case.input, &case.refreshed, &case.cleared].map(|p| sdk_read(p));
        let steps = [
            check_step(
                case,
                "refresh",
                (input, refreshed),
                (&sdk[0], &sdk[1]),
                Some(&session),
            ),
            check_step(
                case,
                "clear",
                (refreshed, cleared),
                (&sdk[1], &sdk[2]),
                None,
            ),
        ];
        failures.extend(steps.into_iter().filter_map(Result::err));
    }
    println!(
        "{} generated files refreshed and cleared; botocore could not read {unreadable_inputs} \
         inputs; {} failures",
        cases.len(),
        failures.len()
    );
    assert!(
        unreadable_inputs * 10 < cases.len(),
        "too many inputs botocore cannot read"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
