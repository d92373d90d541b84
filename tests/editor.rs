//! The editor, byte for byte: golden files for every fixture in `fixtures/editor/` (set with
//! `STSMFA_BLESS=1` to rewrite them, then review the diff), focused cases with the expected
//! bytes inline, and property tests over random documents.

use std::fs;
use std::path::PathBuf;

use proptest::prelude::*;
use stsmfa::ini::{Document, DocumentMut, EditError, FileKind, Read as _};
use stsmfa::store::{self, Baseline};
use stsmfa::timeouts::Timeouts;

use crate::common::nasty;
use crate::common::{Test, assert_bytes, fixtures};

const CRED: FileKind = FileKind::Credentials;

/// A session as `refresh` writes it (fake values).
const SESSION: &[(&str, &str)] = &[
    ("aws_access_key_id", "ASIAIOSFODNN7EXAMPLE"),
    (
        "aws_secret_access_key",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    ),
    ("aws_session_token", "FwoGZXIvYXdzEXAMPLETOKEN"),
    ("expiration", "2026-11-25T21:50:53Z"),
    ("assumed_role", "False"),
];

fn fixture(name: &str) -> PathBuf {
    fixtures().join("editor").join(name)
}

fn input(name: &str) -> Option<Vec<u8>> {
    fs::read(fixture(name).join("input.ini")).ok()
}

/// Compares `actual` with `<fixture>/<edit>.expected`, or writes it under `STSMFA_BLESS`.
fn golden(name: &str, edit: &str, actual: &[u8]) {
    let path = fixture(name).join(format!("{edit}.expected"));
    if std::env::var_os("STSMFA_BLESS").is_some() {
        fs::write(&path, actual).unwrap_or_else(|e| panic!("bless {}: {e}", path.display()));
    }
    let expected = fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with STSMFA_BLESS=1 and review",
            path.display()
        )
    });
    assert_bytes(&path.display().to_string(), &expected, actual);
}

/// A HOME holding the fixture as its credentials file (`missing` has `~/.aws` but no file,
/// `missing-dir` not even the directory).
fn home_with(name: &str) -> Test {
    match (input(name), name) {
        (Some(bytes), _) => Test::new().credentials_file(bytes),
        (None, "missing-dir") => Test::new(),
        (None, _) => {
            let t = Test::new();
            fs::create_dir_all(t.home().join(".aws")).unwrap_or_else(|e| panic!("{e}"));
            t
        }
    }
}

/// Applies `edit` to the fixture through the store and returns the file written.
fn through_store(
    name: &str,
    mut edit: impl FnMut(&mut DocumentMut) -> Result<(), EditError>,
) -> (Test, Vec<u8>) {
    let t = home_with(name);
    let path = t.credentials();
    store::update(
        &path,
        CRED,
        &Timeouts::default(),
        &Baseline::default(),
        |doc| edit(doc).map_err(|e| store::edit_error(&path, e)),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let bytes = fs::read(&path).unwrap_or_default();
    (t, bytes)
}

macro_rules! golden_tests {
    ($($test:ident: $fixture:literal,)*) => {
        mod set_session {
            $(#[test]
            fn $test() {
                let (_, bytes) = super::through_store($fixture, |d| {
                    d.set(super::CRED, "dev", super::SESSION)
                });
                super::golden($fixture, "set", &bytes);
            })*
        }
    };
}

golden_tests! {
    comments_everywhere: "comments-everywhere",
    inline_comments: "inline-comments",
    crlf: "crlf",
    bom: "bom",
    no_final_newline: "no-final-newline",
    continuation_and_sub_properties: "continuation",
    mixed_case_keys: "mixed-case-keys",
    three_accounts: "three-accounts",
    written_by_aws_mfa: "aws-mfa",
    empty_file: "empty",
    missing_file: "missing",
    missing_directory: "missing-dir",
}

macro_rules! clear_tests {
    ($($test:ident: $fixture:literal,)*) => {
        mod clear_dev {
            $(#[test]
            fn $test() {
                let run = super::home_with($fixture).args(&["clear", "dev"]).run().success();
                let bytes = std::fs::read(run.test.credentials()).unwrap_or_default();
                super::golden($fixture, "clear", &bytes);
            })*
        }
    };
}

clear_tests! {
    comments_everywhere: "comments-everywhere",
    inline_comments: "inline-comments",
    crlf: "crlf",
    bom: "bom",
    no_final_newline: "no-final-newline",
    continuation_and_sub_properties: "continuation",
    mixed_case_keys: "mixed-case-keys",
    three_accounts: "three-accounts",
    written_by_aws_mfa: "aws-mfa",
}

#[test]
fn remove_first_middle_and_last_sections() {
    for profile in ["dev-long-term", "staging", "prod"] {
        let (_, bytes) = through_store("three-accounts", |d| {
            d.remove_section(CRED, profile).map(|_| ())
        });
        golden("three-accounts", &format!("remove-{profile}"), &bytes);
    }
}

#[test]
fn move_default_keys_to_a_long_term_section() {
    let keys = ["aws_access_key_id", "aws_secret_access_key"];
    let (_, bytes) = through_store("aws-mfa", |d| {
        d.move_keys(CRED, "default", "default-long-term", &keys)
            .map(|_| ())
    });
    golden("aws-mfa", "move", &bytes);
}

#[test]
fn clear_leaves_empty_missing_and_foreign_files_alone() {
    for name in ["empty", "missing", "missing-dir"] {
        // No profile to clear is an error, and nothing is written.
        let run = home_with(name)
            .args(&["clear", "dev"])
            .run()
            .code(1)
            .stderr_contains("error: there is no profile dev");
        let after = fs::read(run.test.credentials()).ok();
        assert_eq!(after, input(name), "{name} changed");
        if name == "missing-dir" {
            assert!(
                !run.test.home().join(".aws").exists(),
                "clear created ~/.aws"
            );
        }
    }
}

// ----- focused cases -----

fn edited(before: &str, edit: impl FnOnce(&mut DocumentMut) -> Result<(), EditError>) -> String {
    let original = Document::parse(before);
    let view = original
        .view(CRED)
        .unwrap_or_else(|e| panic!("fixture does not parse: {e:?}"));
    let mut doc = original.clone().into_mut();
    edit(&mut doc).unwrap_or_else(|e| panic!("edit failed: {e:?}"));
    let out = doc.render();
    doc.verify(CRED, &view, &out)
        .unwrap_or_else(|e| panic!("verify failed: {e:?}"));
    out
}

fn set_one(
    key: &'static str,
    value: &'static str,
) -> impl FnOnce(&mut DocumentMut) -> Result<(), EditError> {
    move |d| d.set(CRED, "dev", &[(key, value)])
}

#[test]
fn rewritten_key_keeps_its_spacing_and_its_inline_comment_moves_above() {
    // The AWS CLI would read `new # note` as the value.
    let out = edited("[dev]\nkey  =   old # note\n", set_one("key", "new"));
    assert_eq!(out, "[dev]\n# note\nkey  =   new\n");
    let out = edited("[dev]\r\nkey = old ; note\r\n", set_one("key", "new"));
    assert_eq!(out, "[dev]\r\n; note\r\nkey = new\r\n");
}

#[test]
fn indented_comments_under_a_rewritten_value_are_kept_above_it() {
    // A continuation to the SDK rules, a comment to the AWS CLI: kept, as a comment.
    let out = edited(
        "[dev]\naws_session_token = old # a\n  # b\n\t; c\n  more\nexpiration = x\n",
        set_one("aws_session_token", "new"),
    );
    assert_eq!(
        out,
        "[dev]\n# a\n# b\n; c\naws_session_token = new\nexpiration = x\n"
    );
}

#[test]
fn removed_keys_leave_their_comments_in_place() {
    let out = edited(
        "[dev]\nregion = x\naws_session_token = old # a\n  # b\nexpiration = y\n",
        |d| {
            d.remove_keys(CRED, "dev", &["aws_session_token", "expiration"])
                .map(|_| ())
        },
    );
    assert_eq!(out, "[dev]\nregion = x\n# a\n# b\n");
}

#[test]
fn a_header_with_blanks_inside_the_brackets_is_not_edited() {
    for text in ["[ dev ]\nk = v\n", "[dev\t]\nk = v\n", "[x]\n[ dev]\n"] {
        let mut doc = DocumentMut::parse(text);
        let line = if text.starts_with("[x]") { 2 } else { 1 };
        let refused = Err(EditError::SpacedHeader {
            profile: "dev".into(),
            line,
        });
        assert_eq!(doc.set(CRED, "dev", &[("k", "w")]), refused);
        assert_eq!(doc.remove_keys(CRED, "dev", &["k"]).map(|_| ()), refused);
        assert_eq!(doc.render(), text);
    }
}

#[test]
fn rewritten_key_keeps_its_spelling_and_compact_style() {
    let out = edited(
        "[dev]\nAWS_Session_Token=old\n",
        set_one("aws_session_token", "new"),
    );
    assert_eq!(out, "[dev]\nAWS_Session_Token=new\n");
}

#[test]
fn rewriting_an_empty_value_adds_one_space() {
    let out = edited("[dev]\nkey =\n", set_one("key", "v"));
    assert_eq!(out, "[dev]\nkey = v\n");
}

#[test]
fn rewriting_an_empty_value_before_a_comment_keeps_them_apart() {
    let out = edited("[dev]\nkey = # c\n", set_one("key", "v"));
    assert_eq!(out, "[dev]\n# c\nkey = v\n");
}

#[test]
fn rewritten_value_drops_its_continuation_lines_only() {
    let out = edited(
        "[dev]\nkey = a\n  b\n# kept\n  c\nnext = 1\n",
        set_one("key", "v"),
    );
    assert_eq!(out, "[dev]\nkey = v\n# kept\nnext = 1\n");
}

#[test]
fn new_key_goes_after_the_last_property_before_trailing_comments() {
    let out = edited(
        "[dev]\n# mine\na = 1\n\n# about prod\n[prod]\n",
        set_one("b", "2"),
    );
    assert_eq!(out, "[dev]\n# mine\na = 1\nb = 2\n\n# about prod\n[prod]\n");
}

#[test]
fn new_key_follows_the_sections_spacing() {
    let out = edited("[dev]\na=1\n", set_one("b", "2"));
    assert_eq!(out, "[dev]\na=1\nb=2\n");
}

#[test]
fn new_key_in_empty_section_goes_after_the_header() {
    let out = edited("[dev]\n# note\n", set_one("b", "2"));
    assert_eq!(out, "[dev]\nb = 2\n# note\n");
}

#[test]
fn new_section_is_separated_by_one_blank_line() {
    assert_eq!(
        edited("[a]\nx = 1\n", set_one("k", "v")),
        "[a]\nx = 1\n\n[dev]\nk = v\n"
    );
    // Blank lines at the end of the file stay at the end (as the AWS CLI and aws-mfa write it).
    assert_eq!(
        edited("[a]\nx = 1\n\n\n", set_one("k", "v")),
        "[a]\nx = 1\n\n[dev]\nk = v\n\n\n"
    );
    assert_eq!(edited("", set_one("k", "v")), "[dev]\nk = v\n");
    assert_eq!(edited("\n", set_one("k", "v")), "\n[dev]\nk = v\n");
}

#[test]
fn adding_a_section_and_removing_it_gives_the_file_back() {
    for text in [
        "[a]\nx = 1\n",
        "[a]\nx = 1\n\n",
        "[a]\nx = 1\n\n\n",
        "[a]\nx = 1",
        "[a]\nx = 1\n# end\n\n",
        "[a]\r\nx = 1\r\n\r\n",
        "\n\n",
        "",
    ] {
        let added = edited(text, set_one("k", "v"));
        let removed = edited(&added, |d| {
            d.remove_keys(CRED, "dev", &["k"])?;
            assert_eq!(d.is_bare(CRED, "dev"), Ok(true));
            d.remove_section(CRED, "dev").map(|_| ())
        });
        assert_eq!(removed, text, "added:\n{added}");
    }
}

#[test]
fn a_comment_that_a_blank_line_parts_from_the_next_header_keeps_its_section() {
    let text = "[dev]\naws_session_token = t\n# mine\n\n# about b\n[b]\nk = v\n";
    let mut doc = DocumentMut::parse(text);
    assert!(doc.remove_keys(CRED, "dev", &["aws_session_token"]).is_ok());
    assert_eq!(doc.is_bare(CRED, "dev"), Ok(false));
    let text = "[dev]\naws_session_token = t\n\n# about b\n[b]\nk = v\n";
    let mut doc = DocumentMut::parse(text);
    assert!(doc.remove_keys(CRED, "dev", &["aws_session_token"]).is_ok());
    assert_eq!(doc.is_bare(CRED, "dev"), Ok(true));
    assert!(doc.remove_section(CRED, "dev").is_ok());
    assert_eq!(doc.render(), "# about b\n[b]\nk = v\n");
}

#[test]
fn new_lines_use_crlf_in_a_crlf_file() {
    let out = edited("[a]\r\nx = 1\r\n", set_one("k", "v"));
    assert_eq!(out, "[a]\r\nx = 1\r\n\r\n[dev]\r\nk = v\r\n");
}

#[test]
fn file_without_final_newline_keeps_lacking_one() {
    assert_eq!(
        edited("[dev]\na = 1", set_one("b", "2")),
        "[dev]\na = 1\nb = 2"
    );
    assert_eq!(
        edited("[a]\nx = 1", set_one("k", "v")),
        "[a]\nx = 1\n\n[dev]\nk = v"
    );
}

#[test]
fn setting_then_removing_a_section_restores_the_file() {
    let before = "# top\n[a]\nx = 1\n";
    let mut doc = DocumentMut::parse(before);
    assert!(doc.set(CRED, "dev", SESSION).is_ok());
    assert_eq!(doc.remove_section(CRED, "dev"), Ok(true));
    assert_eq!(doc.render(), before);
}

#[test]
fn removing_a_key_removes_every_occurrence() {
    let out = edited("[dev]\nk = 1\nx = 2\nK = 3\n", |d| {
        d.remove_keys(CRED, "dev", &["k"]).map(|_| ())
    });
    assert_eq!(out, "[dev]\nx = 2\n");
}

#[test]
fn section_with_header_comment_or_own_comment_is_not_bare() {
    let doc = DocumentMut::parse("[dev] # mine\n\n[b]\n");
    assert_eq!(doc.is_bare(CRED, "dev"), Ok(false));
    let doc = DocumentMut::parse("[dev]\n# mine\nregion = x\n");
    assert_eq!(doc.is_bare(CRED, "dev"), Ok(false));
    let doc = DocumentMut::parse("[dev]\n\n# about b\n[b]\n");
    assert_eq!(doc.is_bare(CRED, "dev"), Ok(true));
}

#[test]
fn duplicate_section_is_an_error_naming_both_lines() {
    let mut doc = DocumentMut::parse("[dev]\na = 1\n\n[ dev ]\nb = 2\n");
    assert_eq!(
        doc.set(CRED, "dev", SESSION),
        Err(EditError::Duplicate {
            profile: "dev".into(),
            lines: vec![1, 4]
        })
    );
    assert_eq!(doc.render(), "[dev]\na = 1\n\n[ dev ]\nb = 2\n");
}

#[test]
fn values_that_would_read_back_differently_are_refused() {
    for value in [
        "a\nb", " lead", "trail\t", "a #b", "a\t;b", "#x", ";x", "a\rb",
    ] {
        let mut doc = DocumentMut::parse("[dev]\n");
        let result = doc.set(CRED, "dev", &[("k", value)]);
        assert!(
            matches!(result, Err(EditError::BadValue { .. })),
            "{value:?} was accepted"
        );
        assert_eq!(doc.render(), "[dev]\n", "{value:?} changed the document");
    }
    let mut doc = DocumentMut::parse("[dev]\n");
    assert!(doc.set(CRED, "dev", &[("k", "a#b;c==")]).is_ok());
}

#[test]
fn bad_keys_and_names_are_refused() {
    let mut doc = DocumentMut::parse("");
    assert!(matches!(
        doc.set(CRED, "in valid", SESSION),
        Err(EditError::BadName { .. })
    ));
    assert!(matches!(
        doc.set(CRED, "dev", &[("a b", "v")]),
        Err(EditError::BadKey { .. })
    ));
}

#[test]
fn a_malformed_document_refuses_edits_naming_the_line() {
    let mut doc = DocumentMut::parse("[dev]\nok = 1\nnot a property\n");
    match doc.set(CRED, "dev", SESSION) {
        Err(EditError::Parse(e)) => {
            assert_eq!(e.line, 3);
            assert!(e.message.contains("Expected an '=' sign"), "{}", e.message);
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn moving_a_multi_line_value_is_refused() {
    let mut doc = DocumentMut::parse("[default]\naws_access_key_id = a\n  b\n");
    assert!(matches!(
        doc.move_keys(CRED, "default", "default-long-term", &["aws_access_key_id"]),
        Err(EditError::MultiLine { .. })
    ));
}

#[test]
fn config_files_get_profile_prefixed_sections() {
    let mut doc = DocumentMut::parse("[default]\nregion = x\n");
    assert!(doc.set(FileKind::Config, "dev", &[("region", "y")]).is_ok());
    assert!(
        doc.set(FileKind::Config, "default", &[("output", "json")])
            .is_ok()
    );
    assert_eq!(
        doc.render(),
        "[default]\nregion = x\noutput = json\n\n[profile dev]\nregion = y\n"
    );
}

#[test]
fn verification_catches_an_edit_that_changed_another_profile() {
    let before = Document::parse("[a]\nx = 1\n");
    let view = before.view(CRED).unwrap_or_default();
    // An edit made on a different document than the one verified against.
    let mut doc = DocumentMut::parse("[a]\nx = 2\n");
    assert!(doc.set(CRED, "dev", &[("k", "v")]).is_ok());
    assert_eq!(
        doc.verify(CRED, &view, &doc.render()),
        Err(EditError::Verify {
            profile: "a".into()
        })
    );
}

// ----- properties -----

/// One line of a random document: a mixture of everything the format allows and some of
/// what it does not.
fn any_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("  \t".to_owned()),
        "[#;] ?[a-z #;=]{0,12}",
        "\\[[ \t]?(dev|prod|profile dev|default|a b)[ \t]?\\]( ?[#;][a-z ]{0,5})?",
        "[a-zA-Z_]{1,10}[ \t]{0,2}=[ \t]{0,2}[a-zA-Z0-9/+=#;]{0,12}( [#;] ?[a-z]{0,5})?",
        "[ \t]{1,3}[a-z=# ]{1,10}",
        "[a-z ]{1,8}",
        "[^\n]{0,20}",
    ]
}

fn any_document() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        proptest::collection::vec((any_line(), prop_oneof!["\n", "\r\n"]), 0..24),
        any::<bool>(),
    )
        .prop_map(|(bom, lines, final_newline)| {
            let mut s = String::new();
            if bom {
                s.push('\u{feff}');
            }
            for (line, eol) in &lines {
                s.push_str(line);
                s.push_str(eol);
            }
            if !final_newline && let Some((_, eol)) = lines.last() {
                s.truncate(s.len() - eol.len());
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn rendering_an_unedited_document_returns_its_bytes(text in any_document()) {
        prop_assert_eq!(Document::parse(&text).render(), text);
    }

    #[test]
    fn rendering_returns_any_text_unchanged(text in "\\PC*[\r\n]?\\PC*") {
        prop_assert_eq!(Document::parse(&text).render(), text);
    }

    /// The SDK view and each section's properties are the same whichever way they are read:
    /// every section in the pass that scans the text, a section at a time after a scan, or
    /// from the built lines; and a section read twice after reading all reads the same.
    #[test]
    fn every_way_of_reading_a_document_reads_the_same(text in any_document()) {
        for kind in [CRED, FileKind::Config] {
            let one_pass = Document::parse(&text).view(kind);
            let scanned = Document::parse(&text);
            let _ = scanned.check();
            let built = DocumentMut::parse(&text);
            prop_assert_eq!(&one_pass, &scanned.view(kind));
            prop_assert_eq!(&one_pass, &built.view(kind));
        }
        let all = Document::parse(&text);
        all.read_all();
        let each = Document::parse(&text);
        for section in each.sections() {
            let expected = each.section_properties(section);
            prop_assert_eq!(&all.section_properties(section), &expected);
            prop_assert_eq!(&all.section_properties(section), &expected);
        }
    }

    #[test]
    fn setting_a_session_reads_back_and_keeps_other_sections(text in any_document()) {
        let original = Document::parse(&text);
        let Ok(view) = original.view(CRED) else { return Ok(()); };
        let mut doc = original.clone().into_mut();
        match doc.set(CRED, "dev", SESSION) {
            Ok(()) => prop_assert_eq!(doc.verify(CRED, &view, &doc.render()), Ok(())),
            Err(EditError::Duplicate { .. } | EditError::SpacedHeader { .. }) => {
                prop_assert_eq!(doc.render(), text)
            }
            Err(e) => prop_assert!(false, "unexpected {:?}", e),
        }
    }

    /// Every generated file parses and has at most one `[dev]`, so every case reaches the edit.
    #[test]
    fn a_session_set_and_cleared_in_any_generated_file_reads_back(seed in any::<u64>()) {
        let options = nasty::Options { bom: true, disagreements: true };
        let (text, _) = nasty::file(seed, options);
        let original = Document::parse(&text);
        let view = original.view(CRED);
        prop_assert!(view.is_ok(), "seed {}: {:?}\n{}", seed, view, text);
        let view = view.unwrap_or_default();
        let mut doc = original.clone().into_mut();
        prop_assert_eq!(doc.set(CRED, "dev", SESSION), Ok(()), "seed {}", seed);
        let rendered = doc.render();
        prop_assert_eq!(doc.verify(CRED, &view, &rendered), Ok(()), "seed {}", seed);
        let set = Document::parse(&rendered);
        let view = set.view(CRED).unwrap_or_default();
        let mut doc = set.clone().into_mut();
        let keys: Vec<&str> = SESSION.iter().map(|(k, _)| *k).collect();
        prop_assert!(doc.remove_keys(CRED, "dev", &keys).is_ok());
        if doc.is_bare(CRED, "dev") == Ok(true) {
            prop_assert_eq!(doc.remove_section(CRED, "dev"), Ok(true));
        }
        prop_assert_eq!(doc.verify(CRED, &view, &doc.render()), Ok(()), "seed {}", seed);
    }

    /// Moving the secret out of the file and back (what `setup --keychain` and
    /// `--no-keychain` do) reads back as intended in any generated file, both ways.
    #[test]
    fn a_key_replaced_and_back_in_any_generated_file_reads_back(seed in any::<u64>()) {
        let options = nasty::Options { bom: true, disagreements: true };
        let (text, _) = nasty::file(seed, options);
        let mut text = text;
        for (old, new, value) in [
            ("aws_secret_access_key", "secret_access_key", "keychain"),
            ("secret_access_key", "aws_secret_access_key", "wJalrXUtnFEMI/K7MDENG"),
        ] {
            let original = Document::parse(&text);
            let view = original.view(CRED);
            prop_assert!(view.is_ok(), "seed {}: {:?}\n{}", seed, view, text);
            let view = view.unwrap_or_default();
            let mut doc = original.clone().into_mut();
            prop_assert_eq!(
                doc.replace_key(CRED, "dev-long-term", old, new, value),
                Ok(()),
                "seed {}",
                seed
            );
            let rendered = doc.render();
            prop_assert_eq!(doc.verify(CRED, &view, &rendered), Ok(()), "seed {}", seed);
            text = rendered;
        }
    }

    #[test]
    fn replacing_a_key_reads_back_and_keeps_other_sections(text in any_document()) {
        let original = Document::parse(&text);
        let Ok(view) = original.view(CRED) else { return Ok(()); };
        let mut doc = original.clone().into_mut();
        match doc.replace_key(CRED, "dev", "k", "secret_access_key", "keychain") {
            Ok(()) => prop_assert_eq!(doc.verify(CRED, &view, &doc.render()), Ok(())),
            Err(EditError::Duplicate { .. } | EditError::SpacedHeader { .. }) => {
                prop_assert_eq!(doc.render(), text)
            }
            Err(e) => prop_assert!(false, "unexpected {:?}", e),
        }
    }

    #[test]
    fn clearing_reads_back_and_keeps_other_sections(text in any_document()) {
        let original = Document::parse(&text);
        let Ok(view) = original.view(CRED) else { return Ok(()); };
        let mut doc = original.clone().into_mut();
        let result = doc
            .remove_keys(CRED, "dev", &["aws_session_token", "k", "a"])
            .and_then(|_| doc.is_bare(CRED, "dev"))
            .and_then(|bare| if bare { doc.remove_section(CRED, "dev").map(|_| ()) } else { Ok(()) });
        match result {
            Ok(()) => prop_assert_eq!(doc.verify(CRED, &view, &doc.render()), Ok(())),
            Err(EditError::Duplicate { .. } | EditError::SpacedHeader { .. }) => {
                prop_assert_eq!(doc.render(), text)
            }
            Err(e) => prop_assert!(false, "unexpected {:?}", e),
        }
    }
}

/// `before` with `[dev]`'s `aws_secret_access_key` line replaced by the keychain marker.
fn to_keychain_marker(before: &str) -> String {
    edited(
        before,
        replace("aws_secret_access_key", "secret_access_key", "keychain"),
    )
}

fn replace(
    old: &'static str,
    new: &'static str,
    value: &'static str,
) -> impl FnOnce(&mut DocumentMut) -> Result<(), EditError> {
    move |d| d.replace_key(CRED, "dev", old, new, value)
}

#[test]
fn a_replaced_key_takes_the_old_ones_place_and_spacing() {
    let before = "# keys\n[dev]\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key  =\twJalr\nregion=x\n\n[other]\na = b\n";
    let out = to_keychain_marker(before);
    assert_eq!(
        out,
        "# keys\n[dev]\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\nsecret_access_key  =\tkeychain\nregion=x\n\n[other]\na = b\n"
    );
    // And back: the file as it was, byte for byte.
    let back = edited(
        &out,
        replace("secret_access_key", "aws_secret_access_key", "wJalr"),
    );
    assert_eq!(back, before);
}

#[test]
fn a_replaced_key_keeps_comments_and_drops_duplicates_and_continuations() {
    let out = to_keychain_marker(
        "[dev]\r\naws_secret_access_key = first\r\nsecret_access_key = stale\r\naws_secret_access_key = s # note\r\n  # kept\r\n  more\r\nregion = x",
    );
    assert_eq!(
        out,
        "[dev]\r\n# note\r\n# kept\r\nsecret_access_key = keychain\r\nregion = x"
    );
}

#[test]
fn replacing_a_key_that_is_not_there_sets_the_new_one() {
    let out = to_keychain_marker("[dev]\naws_access_key_id = A\n\n[x]\n");
    assert_eq!(
        out,
        "[dev]\naws_access_key_id = A\nsecret_access_key = keychain\n\n[x]\n"
    );
    let out = to_keychain_marker("[x]\n");
    assert_eq!(out, "[x]\n\n[dev]\nsecret_access_key = keychain\n");
}

#[test]
fn a_replaced_key_keeps_a_lopsided_separator() {
    let out = to_keychain_marker("[dev]\naws_secret_access_key =s\n");
    assert_eq!(out, "[dev]\nsecret_access_key =keychain\n");
}

#[test]
fn a_replaced_key_with_an_empty_value_gets_its_space() {
    let out = to_keychain_marker("[dev]\naws_secret_access_key =\n");
    assert_eq!(out, "[dev]\nsecret_access_key = keychain\n");
}
