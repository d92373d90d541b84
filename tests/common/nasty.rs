//! A generator of valid, nasty credentials files from a seed: everything the SDK rules accept
//! (comments everywhere, inline comments, odd spacing, mixed-case keys, continuation lines and
//! sub-properties, CRLF, no final newline, trailing blank lines) around a `[dev-long-term]`
//! section and at most one `[dev]` section, so that every generated file parses and can be
//! refreshed and cleared.

#![allow(dead_code)]

/// SplitMix64: small, fast, and the same sequence for a seed everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// What to put in a generated file.
#[derive(Clone, Copy)]
pub struct Options {
    /// Allow a UTF-8 BOM (the AWS CLI cannot read a file with one).
    pub bom: bool,
    /// Allow inline comments and sub-properties in sections other than `[dev]`'s session keys
    /// (the AWS CLI reads those differently from the SDK rules, though not because of us).
    pub disagreements: bool,
}

const OTHER_NAMES: &[&str] = &[
    "default",
    "ops",
    "ops-long-term",
    "prod",
    "a.b",
    "x_y",
    "team/1",
    "p@q",
    "Mixed-Case",
    "k:8",
];

const SESSION_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "expiration",
    "assumed_role",
];

const VALUES: &[&str] = &[
    "eu-west-1",
    "json",
    "a=b",
    "x#y",
    "with inner spaces",
    "arn:aws:iam::123456789012:role/x",
    "3600",
    "True",
    "semi;colon",
    "üñí",
];

/// The file for `seed`, and whether it has a `[dev]` section.
pub fn file(seed: u64, options: Options) -> (String, bool) {
    let mut r = Rng::new(seed);
    let crlf = r.chance(20);
    let mut lines: Vec<String> = Vec::new();
    for _ in 0..r.below(3) {
        lines.push(comment(&mut r));
    }
    if r.chance(30) {
        lines.push(String::new());
    }
    let mut sections: Vec<&str> = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    for _ in 0..r.below(5) {
        let name = r.pick(OTHER_NAMES);
        if !used.contains(&name) {
            used.push(name);
            sections.push(name);
        }
    }
    let at = r.below(sections.len() + 1);
    sections.insert(at, "dev-long-term");
    let has_dev = r.chance(75);
    if has_dev {
        let at = r.below(sections.len() + 1);
        sections.insert(at, "dev");
    }
    for name in sections {
        section(&mut r, &mut lines, name, options);
    }
    for _ in 0..r.below(3) {
        lines.push(if r.chance(50) {
            String::new()
        } else {
            " \t".into()
        });
    }
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut text = String::new();
    if options.bom && r.chance(10) {
        text.push('\u{feff}');
    }
    text.push_str(&lines.join(eol));
    if !lines.is_empty() && r.chance(85) {
        text.push_str(eol);
    }
    (text, has_dev)
}

fn comment(r: &mut Rng) -> String {
    let mark = r.pick(&["#", ";", "# ", "; ", "##"]);
    let body = r.pick(&["note", "keep me", "", "[not a header]", "key = value", "ü"]);
    format!("{mark}{body}")
}

fn spacing(r: &mut Rng) -> &'static str {
    r.pick(&[" = ", "=", " =", "= ", "  =\t", " = "])
}

fn key_case(r: &mut Rng, key: &str) -> String {
    match r.below(6) {
        0 => key.to_ascii_uppercase(),
        1 => {
            let mut k = key.to_owned();
            k[..1].make_ascii_uppercase();
            k
        }
        _ => key.to_owned(),
    }
}

fn header(r: &mut Rng, name: &str) -> String {
    match r.below(8) {
        0 => format!("[{name}] # section"),
        1 => format!("[{name}];x"),
        _ => format!("[{name}]"),
    }
}

fn section(r: &mut Rng, lines: &mut Vec<String>, name: &str, options: Options) {
    if !lines.is_empty() && r.chance(80) {
        lines.push(String::new());
    }
    if r.chance(20) {
        lines.push(comment(r));
    }
    lines.push(header(r, name));
    let mut props: Vec<(String, String)> = Vec::new();
    match name {
        "dev-long-term" => {
            props.push(("aws_access_key_id".into(), "AKIAIOSFODNN7EXAMPLE".into()));
            props.push((
                "aws_secret_access_key".into(),
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            ));
            props.push((
                "aws_mfa_device".into(),
                "arn:aws:iam::123456789012:mfa/alice".into(),
            ));
        }
        "dev" => {
            for key in SESSION_KEYS {
                if *key == "aws_session_token" || r.chance(60) {
                    props.push(((*key).into(), format!("old{}", r.below(1000))));
                }
            }
        }
        _ => {}
    }
    // The long-term section's settings must stay valid, so it gets only harmless keys.
    let keys: &[&str] = if name == "dev-long-term" {
        &["output", "note", "x.y"]
    } else {
        &["region", "output", "duration_seconds", "note", "x.y"]
    };
    for _ in 0..r.below(4) {
        let key = r.pick(keys);
        // A key given twice is valid to the SDK rules (the last wins), but the AWS CLI
        // refuses the whole file: nothing to compare.
        if !props.iter().any(|(k, _)| k == key) {
            props.push((key.into(), r.pick(VALUES).into()));
        }
    }
    // Shuffle a little, so that keys are in no particular order.
    for i in (1..props.len()).rev() {
        if r.chance(50) {
            let j = r.below(i + 1);
            props.swap(i, j);
        }
    }
    let is_session_key = |k: &str| name == "dev" && SESSION_KEYS.contains(&k);
    for (key, value) in props {
        if r.chance(10) {
            lines.push(comment(r));
        }
        if r.chance(5) {
            lines.push(String::new());
        }
        let sep = spacing(r);
        let spelled = key_case(r, &key);
        let inline = (is_session_key(&key) || options.disagreements) && r.chance(20);
        // The long-term keys must read as single values, or the refresh cannot use them.
        let plain = name == "dev-long-term" && key.starts_with("aws_");
        let sub = options.disagreements && !is_session_key(&key) && !plain && r.chance(8);
        if sub {
            lines.push(format!("{spelled}{}", sep.trim_end()));
            lines.push(format!("  nested{sep}{value}"));
            continue;
        }
        let mut line = format!("{spelled}{sep}{value}");
        if inline {
            line.push_str(r.pick(&[" # note", "\t; note", "  #x"]));
        }
        lines.push(line);
        if !plain && r.chance(8) {
            lines.push(format!("  more {value}"));
        }
        if is_session_key(&key) && r.chance(15) {
            lines.push(format!("  {}", comment(r)));
        }
    }
}
