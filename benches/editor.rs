//! The editor on a generated credentials file of 10,000 profiles (a long-term section and a
//! session each): parsing alone, one edit with rendering, and everything `store::update` does
//! in memory (parse, read the SDK view, edit, render, re-read and verify).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use stsmfa::ini::{Document, DocumentMut, FileKind, Read as _};

const CRED: FileKind = FileKind::Credentials;

/// A credentials file with `n` profiles, about 450 bytes each.
pub fn generate(n: usize) -> String {
    let mut s = String::from("# generated for benchmarks\n");
    for i in 0..n {
        s.push_str(&format!(
            "\n[p{i:05}-long-term]\naws_access_key_id = AKIA{i:016}\n\
             aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY{i:010}\n\
             aws_mfa_device = arn:aws:iam::123456789012:mfa/user{i}\n\
             \n[p{i:05}]\naws_access_key_id = ASIA{i:016}\n\
             aws_secret_access_key = sessionsecret{i:027}\n\
             aws_session_token = FwoGZXIvYXdzEXAMPLETOKEN{i:040}\n\
             expiration = 2026-11-25T21:50:53Z\n"
        ));
    }
    s
}

const SESSION: &[(&str, &str)] = &[
    ("aws_access_key_id", "ASIAIOSFODNN7EXAMPLE"),
    (
        "aws_secret_access_key",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    ),
    ("aws_session_token", "FwoGZXIvYXdzEXAMPLETOKEN"),
    ("expiration", "2026-11-26T09:50:53Z"),
];

fn editor(c: &mut Criterion) {
    let text = generate(10_000);
    // Reading is lazy: what a read costs is the check (one scan of every line) and the
    // section index; building every line is what the form that edits costs.
    c.bench_function("parse + check + index 10k profiles", |b| {
        b.iter(|| {
            let doc = Document::parse(black_box(&text));
            let checked = doc.check().is_ok();
            (checked, doc.plain_sections().len())
        })
    });
    c.bench_function("parse + every line 10k profiles", |b| {
        b.iter(|| DocumentMut::parse(black_box(&text)).lines().len())
    });
    let doc = Document::parse(&text);
    c.bench_function("view 10k profiles", |b| {
        b.iter(|| doc.view(CRED).map(|v| v.profiles.len()))
    });
    c.bench_function("parse + set + render 10k profiles", |b| {
        b.iter(|| {
            let mut doc = DocumentMut::parse(black_box(&text));
            let _ = doc.set(CRED, "p05000", SESSION);
            doc.render()
        })
    });
    c.bench_function("parse + view + set + verify + render 10k profiles", |b| {
        b.iter(|| {
            let original = Document::parse(black_box(&text));
            let Ok(before) = original.view(CRED) else {
                return String::new();
            };
            let mut doc = original.clone().into_mut();
            let _ = doc.set(CRED, "p05000", SESSION);
            let rendered = doc.render();
            let _ = doc.verify(CRED, &before, &rendered);
            rendered
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = editor
}
criterion_main!(benches);
