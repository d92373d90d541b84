//! The import rules of the code's layout (README, "Where things are"), read from the code's own
//! `crate::` and `super::` paths: commands → session → (settings, token, aws, store) → ini →
//! base, no file-level cycle, no file over 600 lines before its tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Modules of the base, which import nothing above them.
const BASE: &[&str] = &[
    "ask", "env", "error", "hash", "keys", "output", "secret", "shell", "timeouts",
];

/// Each source file's module path (`store::read`, `store` for `store/mod.rs`, `` for the
/// crate root) and its text up to its tests.
fn sources() -> BTreeMap<String, (PathBuf, String)> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).unwrap();
                let before_tests = match text.find("#[cfg(test)]") {
                    Some(i) => text[..i].to_owned(),
                    None => text,
                };
                out.insert(module_of(&path), (path, before_tests));
            }
        }
    }
    out
}

fn module_of(path: &Path) -> String {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let rel = path.strip_prefix(&src).unwrap().with_extension("");
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [one] if one == "lib" || one == "main" => String::new(),
        [rest @ .., last] if last == "mod" => rest.join("::"),
        all => all.join("::"),
    }
}

fn parent(module: &str) -> String {
    module
        .rsplit_once("::")
        .map_or(String::new(), |(p, _)| p.to_owned())
}

fn join(base: &str, rest: &str) -> String {
    match (base.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (_, true) => base.to_owned(),
        _ => format!("{base}::{rest}"),
    }
}

/// The modules a path names, starting at `base` (the crate root or a `super`): `a::b::C`
/// names the longest module prefix; `{a, b::c}` names each item.
fn named(base: &str, text: &str, modules: &BTreeSet<String>, into: &mut BTreeSet<String>) {
    let text = text.trim_start();
    if let Some(inner) = text.strip_prefix('{') {
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    named(base, &inner[start..i], modules, into);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    named(base, &inner[start..i], modules, into);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let mut current = base.to_owned();
    let mut found = base.to_owned();
    let mut rest = text;
    loop {
        let end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        let candidate = join(&current, &rest[..end]);
        if !modules.contains(&candidate) {
            break;
        }
        current = candidate;
        found = current.clone();
        match rest[end..].strip_prefix("::") {
            Some(next) if next.starts_with('{') => {
                named(&current, next, modules, into);
                return;
            }
            Some(next) => rest = next,
            None => break,
        }
    }
    into.insert(found);
}

/// Every module each module's code names.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let sources = sources();
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    let mut out = BTreeMap::new();
    for (module, (_, text)) in &sources {
        let mut deps = BTreeSet::new();
        for (i, _) in text.match_indices("crate::") {
            named("", &text[i + "crate::".len()..], &modules, &mut deps);
        }
        for (i, _) in text.match_indices("super::") {
            if text[..i].ends_with("super::") {
                continue;
            }
            // `super` is the enclosing module: a file's folder, a folder's parent for mod.rs.
            let mut base = parent(module);
            let mut rest = &text[i + "super::".len()..];
            while let Some(r) = rest.strip_prefix("super::") {
                base = parent(&base);
                rest = r;
            }
            named(&base, rest, &modules, &mut deps);
        }
        deps.remove(module);
        deps.remove("");
        out.insert(module.clone(), deps);
    }
    out
}

/// How far down a module is: the command line 4, the session core 3, settings, token, AWS,
/// store and what they share 2, the INI document 1, the base 0. The arrows point down.
fn layer(module: &str) -> u8 {
    match top(module) {
        "" | "main" | "cli" | "commands" => 4,
        "session" => 3,
        "ini" => 1,
        m if BASE.contains(&m) => 0,
        _ => 2,
    }
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or("")
}

#[test]
fn no_command_imports_ini_store_the_aws_code_or_another_command() {
    let mut wrong = Vec::new();
    for (module, deps) in imports() {
        let Some(command) = module.strip_prefix("commands::") else {
            continue;
        };
        for dep in deps {
            let other_command = dep.starts_with("commands::") && dep != module;
            if other_command || ["ini", "store", "aws"].contains(&top(&dep)) {
                wrong.push(format!("commands::{command} imports {dep}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_base_and_the_lower_layers_import_nothing_above_them() {
    let allowed = |module: &str, dep: &str| layer(module) >= layer(dep);
    let mut wrong = Vec::new();
    for (module, deps) in imports() {
        for dep in deps {
            if !allowed(&module, &dep) {
                wrong.push(format!("{module} imports {dep}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn no_file_is_part_of_an_import_cycle() {
    let graph = imports();
    // Tarjan's strongly connected components over the files' imports.
    struct Walk<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        cycles: Vec<Vec<&'g str>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.cycles.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph: &graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        cycles: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    assert!(walk.cycles.is_empty(), "import cycles: {:?}", walk.cycles);
}

#[test]
fn no_file_is_over_600_lines_before_its_tests() {
    let long: Vec<String> = sources()
        .values()
        .filter(|(_, text)| text.lines().count() > 600)
        .map(|(path, text)| format!("{}: {} lines", path.display(), text.lines().count()))
        .collect();
    assert!(long.is_empty(), "{long:#?}");
}

#[test]
fn the_import_reader_sees_every_form_of_path() {
    let modules: BTreeSet<String> = ["a", "a::b", "c", "c::d"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut found = BTreeSet::new();
    named("", "a::b::Thing;", &modules, &mut found);
    named("", "{c::d::{self, X}, a::Y};", &modules, &mut found);
    named("c", "d::f(1)", &modules, &mut found);
    let found: Vec<&str> = found.iter().map(String::as_str).collect();
    assert_eq!(found, ["a", "a::b", "c::d"]);
}
