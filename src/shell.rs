//! Lines that set and unset environment variables, quoted safely for each shell, so that
//! `eval "$(stsmfa env dev)"` (or the shell's equivalent) sets exactly the values given.

use clap::ValueEnum;

use crate::env::Env;

/// A shell `env` can write for, by the name people call it (the POSIX family shares one
/// syntax, as do the two PowerShells; `cmd` is Windows cmd.exe).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Shell {
    Sh,
    Bash,
    Zsh,
    Ksh,
    Dash,
    Fish,
    Powershell,
    Pwsh,
    Cmd,
}

/// The ways of setting a variable `env` writes.
enum Syntax {
    Posix,
    Fish,
    Powershell,
    Cmd,
}

impl Shell {
    /// The shell from `$SHELL` (by its file name), else sh. Another shell of the POSIX family
    /// (mksh, ash, yash, busybox) reads sh's lines; any other (tcsh, nu, elvish) is `Err`
    /// with its name: lines in sh's syntax would not set its variables.
    pub(crate) fn from_env(env: &Env) -> Result<Shell, String> {
        let name = env
            .get("SHELL")
            .filter(|s| !s.is_empty())
            .and_then(|s| s.rsplit('/').next())
            .unwrap_or("sh");
        let name = name.strip_suffix(".exe").unwrap_or(name);
        if let Ok(shell) = Shell::from_str(name, true) {
            return Ok(shell);
        }
        const POSIX: [&str; 9] = [
            "ash", "mksh", "oksh", "pdksh", "loksh", "lksh", "yash", "posh", "busybox",
        ];
        if POSIX.contains(&name) {
            Ok(Shell::Sh)
        } else {
            Err(name.to_owned())
        }
    }

    /// The syntax this shell reads.
    fn syntax(self) -> Syntax {
        match self {
            Shell::Sh | Shell::Bash | Shell::Zsh | Shell::Ksh | Shell::Dash => Syntax::Posix,
            Shell::Fish => Syntax::Fish,
            Shell::Powershell | Shell::Pwsh => Syntax::Powershell,
            Shell::Cmd => Syntax::Cmd,
        }
    }

    /// A line that sets `name` to `value`; `None` when this shell cannot hold the value safely.
    pub(crate) fn set(self, name: &str, value: &str) -> Option<String> {
        Some(match self.syntax() {
            Syntax::Posix => format!("export {name}={}", sh_quote(value)),
            Syntax::Fish => format!("set -gx {name} {}", fish_quote(value)),
            Syntax::Powershell => format!("$env:{name} = {}", powershell_quote(value)),
            Syntax::Cmd => {
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
    pub(crate) fn unset(self, name: &str) -> String {
        match self.syntax() {
            Syntax::Posix => format!("unset {name}"),
            Syntax::Fish => format!("set -e {name}"),
            Syntax::Powershell => {
                format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue")
            }
            Syntax::Cmd => format!("set {name}="),
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
        assert_eq!(Shell::from_env(&env("/usr/bin/fish")), Ok(Shell::Fish));
        assert_eq!(Shell::from_env(&env("/bin/zsh")), Ok(Shell::Zsh));
        assert_eq!(Shell::from_env(&env("/bin/mksh")), Ok(Shell::Sh));
        assert_eq!(Shell::from_env(&env("/usr/bin/pwsh")), Ok(Shell::Pwsh));
        assert_eq!(Shell::from_env(&env("/bin/tcsh")), Err("tcsh".into()));
        assert_eq!(Shell::from_env(&env("")), Ok(Shell::Sh));
        assert_eq!(
            Shell::from_env(&env("C:/x/powershell.exe")),
            Ok(Shell::Powershell)
        );
        assert_eq!(Shell::from_env(&Env::default()), Ok(Shell::Sh));
    }
}
