//! Lines that set and unset environment variables, quoted safely for each shell, so that
//! `eval "$(stsmfa env dev)"` (or the shell's equivalent) sets exactly the values given.

use clap::ValueEnum;

use crate::env::Env;

/// A shell `env` can write for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// POSIX sh, bash, zsh, dash, ksh
    Sh,
    Fish,
    Powershell,
    /// Windows cmd.exe
    Cmd,
}

impl Shell {
    /// The shell from `$SHELL` (by its file name), else sh.
    pub fn from_env(env: &Env) -> Shell {
        let name = env
            .get("SHELL")
            .and_then(|s| s.rsplit('/').next())
            .unwrap_or("sh");
        match name {
            "fish" => Shell::Fish,
            "pwsh" | "powershell" | "pwsh.exe" | "powershell.exe" => Shell::Powershell,
            "cmd" | "cmd.exe" => Shell::Cmd,
            _ => Shell::Sh,
        }
    }

    /// A line that sets `name` to `value`; `None` when this shell cannot hold the value safely.
    pub fn set(self, name: &str, value: &str) -> Option<String> {
        Some(match self {
            Shell::Sh => format!("export {name}={}", sh_quote(value)),
            Shell::Fish => format!("set -gx {name} {}", fish_quote(value)),
            Shell::Powershell => format!("$env:{name} = {}", powershell_quote(value)),
            Shell::Cmd => {
                // cmd.exe has no quoting that protects every character: refuse the few it
                // would reinterpret rather than set something else.
                if value.contains(['"', '%', '\n', '\r', '!', '^']) {
                    return None;
                }
                format!("set \"{name}={value}\"")
            }
        })
    }

    /// A line that removes `name` from the environment.
    pub fn unset(self, name: &str) -> String {
        match self {
            Shell::Sh => format!("unset {name}"),
            Shell::Fish => format!("set -e {name}"),
            Shell::Powershell => {
                format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue")
            }
            Shell::Cmd => format!("set {name}="),
        }
    }
}

/// `'...'` with each `'` written as `'\''`: nothing inside single quotes is special to sh.
fn sh_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// Fish single quotes: only `\` and `'` need escaping.
fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// PowerShell single quotes: `'` (and its typographic variants) doubled.
fn powershell_quote(value: &str) -> String {
    let mut out = String::from("'");
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sh_single_quotes_everything() {
        assert_eq!(
            Shell::Sh.set("A", "it's $HOME `x` \\ \""),
            Some(r#"export A='it'\''s $HOME `x` \ "'"#.to_owned())
        );
    }

    #[test]
    fn fish_escapes_backslash_and_quote() {
        assert_eq!(
            Shell::Fish.set("A", r"a\b'c$d"),
            Some(r"set -gx A 'a\\b\'c$d'".to_owned())
        );
    }

    #[test]
    fn powershell_doubles_quotes() {
        assert_eq!(
            Shell::Powershell.set("A", "it's $x"),
            Some("$env:A = 'it''s $x'".to_owned())
        );
    }

    #[test]
    fn cmd_refuses_what_it_cannot_quote() {
        assert_eq!(
            Shell::Cmd.set("A", "abc/+="),
            Some("set \"A=abc/+=\"".to_owned())
        );
        assert_eq!(Shell::Cmd.set("A", "100%"), None);
    }

    #[test]
    fn shell_from_its_path() {
        let env = |s: &str| Env::from_pairs([("SHELL", s)]);
        assert_eq!(Shell::from_env(&env("/usr/bin/fish")), Shell::Fish);
        assert_eq!(Shell::from_env(&env("/bin/zsh")), Shell::Sh);
        assert_eq!(Shell::from_env(&env("/usr/bin/pwsh")), Shell::Powershell);
        assert_eq!(Shell::from_env(&Env::default()), Shell::Sh);
    }
}
