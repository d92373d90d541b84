//! `stsmfa completions SHELL`: clap_complete's script, taught to complete profile names (for
//! `-p`/`--profile` and the commands' PROFILE arguments) from the files as they are when you
//! press TAB: the script asks `stsmfa completions --list-profiles`.

use clap_complete::Shell;

use crate::cli::CompletionsArgs;
use crate::error::Error;
use crate::session::{Files, Texts};

use super::Context;

/// What the scripts run to learn the profile names: a function each script defines, which
/// passes on the options of the line being completed that say where the profiles are.
const LIST: &str = "_stsmfa_list_profiles";

/// The options that say where profiles are and how their sections are named.
const WHERE: &str = "--credentials-file --config-file --long-term-suffix --short-term-suffix";

pub(super) fn run(args: &CompletionsArgs, ctx: &Context<'_>) -> Result<u8, Error> {
    let Some(shell) = args.shell.filter(|_| !args.list_profiles) else {
        return list_profiles(ctx);
    };
    let mut cmd = crate::cli::completion_command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "stsmfa", &mut script);
    let script = String::from_utf8_lossy(&script);
    let script = without_hidden(shell, &script, &crate::cli::hidden_options(&cmd));
    ctx.out.print(&with_profiles(shell, &script))?;
    Ok(0)
}

/// The profiles stsmfa manages (a long-term section) and the other profiles of the
/// credentials file, in file order, once each. Files that cannot be read give nothing.
fn list_profiles(ctx: &Context<'_>) -> Result<u8, Error> {
    let Ok(texts) = Texts::read(ctx) else {
        return Ok(0);
    };
    let Ok(files) = Files::parse(&texts, ctx) else {
        return Ok(0);
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for (name, _) in files.plain_sections() {
        let profile = ctx
            .naming
            .profile_of_long_term(name)
            .unwrap_or(name.as_ref());
        if seen.insert(profile.to_owned()) {
            out.push_str(profile);
            out.push('\n');
        }
    }
    ctx.out.print(&out)?;
    Ok(0)
}

/// Whether the bash case `block` is a command that takes PROFILE arguments (stsmfa itself:
/// `stsmfa dev prod` refreshes).
fn takes_profiles(block: &str) -> bool {
    matches!(
        block,
        "stsmfa"
            | "stsmfa__subcmd__refresh"
            | "stsmfa__subcmd__status"
            | "stsmfa__subcmd__env"
            | "stsmfa__subcmd__exec"
            | "stsmfa__subcmd__console"
            | "stsmfa__subcmd__credential__subcmd__process"
            | "stsmfa__subcmd__setup"
            | "stsmfa__subcmd__rotate"
            | "stsmfa__subcmd__clear"
    )
}

/// The script without the hidden options (the generators list them like any other).
fn without_hidden(shell: Shell, script: &str, hidden: &[String]) -> String {
    let is_hidden = |word: &str| {
        word.strip_prefix("--")
            .is_some_and(|w| hidden.iter().any(|h| h == w))
    };
    let mut out = String::with_capacity(script.len());
    for line in script.lines() {
        let trimmed = line.trim_start();
        let keep = match shell {
            Shell::Zsh => !hidden.iter().any(|h| {
                trimmed.starts_with(&format!("'--{h}=["))
                    || trimmed.starts_with(&format!("'--{h}["))
            }),
            Shell::Fish => !hidden.iter().any(|h| {
                line.contains(&format!(" -l {h} ")) || line.ends_with(&format!(" -l {h}"))
            }),
            _ => true,
        };
        if !keep {
            continue;
        }
        if shell == Shell::Bash && trimmed.starts_with("opts=\"") {
            let kept: Vec<&str> = line.split(' ').filter(|w| !is_hidden(w)).collect();
            out.push_str(&kept.join(" "));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The script with profile names completed where a profile is asked for.
fn with_profiles(shell: Shell, script: &str) -> String {
    match shell {
        Shell::Bash => {
            let mut out = String::with_capacity(script.len() + 1024);
            out.push_str(&format!(
                "{LIST}() {{\n    local i w args=()\n    \
                 for ((i = 1; i < ${{#COMP_WORDS[@]}}; i++)); do\n        \
                 w=\"${{COMP_WORDS[i]}}\"\n        \
                 case \" {WHERE} \" in\n            *\" $w \"*)\n                \
                 # bash splits --opt=value into three words.\n                \
                 if [[ \"${{COMP_WORDS[i+1]}}\" == \"=\" ]]; then ((i++)); fi\n                \
                 args+=(\"$w\" \"${{COMP_WORDS[i+1]}}\"); ((i++)) ;;\n        \
                 esac\n    done\n    \
                 stsmfa \"${{args[@]}}\" completions --list-profiles 2>/dev/null\n}}\n\n"
            ));
            let mut after_profile_flag = false;
            let mut block = "";
            for line in script.lines() {
                let trimmed = line.trim();
                if let Some(label) = trimmed.strip_suffix(')')
                    && label.starts_with("stsmfa")
                    && !label.contains(',')
                {
                    block = label;
                }
                if after_profile_flag && trimmed == r#"COMPREPLY=($(compgen -f "${cur}"))"# {
                    let indent = &line[..line.len() - line.trim_start().len()];
                    out.push_str(&format!(
                        "{indent}COMPREPLY=($(compgen -W \"$({LIST})\" -- \"${{cur}}\"))\n"
                    ));
                } else if trimmed.starts_with("opts=\"") && takes_profiles(block) {
                    // The words after the command: its options, and profile names.
                    out.push_str(&format!(
                        "{}$({LIST})\"\n",
                        line.trim_end_matches('"').to_owned() + " "
                    ));
                } else {
                    out.push_str(line);
                    out.push('\n');
                }
                after_profile_flag = trimmed == "--profile)" || trimmed == "-p)";
            }
            out
        }
        Shell::Zsh => {
            let function = format!(
                "(( $+functions[{LIST}] )) ||\n{LIST}() {{\n    \
                 local i w\n    local -a args line\n    \
                 # The whole line: inside a command's arguments, $words starts at the command.\n    \
                 line=(${{(z)BUFFER}})\n    \
                 for ((i = 2; i <= $#line; i++)); do\n        w=$line[i]\n        \
                 if [[ \" {WHERE} \" == *\" ${{w%%=*}} \"* ]]; then\n            \
                 if [[ $w == *=* ]]; then args+=(\"$w\")\n            \
                 else args+=(\"$w\" \"$line[i+1]\"); ((i++)); fi\n        fi\n    done\n    \
                 stsmfa \"${{args[@]}}\" completions --list-profiles 2>/dev/null\n}}\n\n\
                 (( $+functions[_stsmfa_profiles] )) ||\n_stsmfa_profiles() {{\n    \
                 local -a profiles\n    profiles=(${{(f)\"$({LIST})\"}})\n    \
                 compadd -a profiles\n}}\n\n\
                 (( $+functions[_stsmfa_commands_or_profiles] )) ||\n\
                 _stsmfa_commands_or_profiles() {{\n    _stsmfa_commands\n    \
                 _stsmfa_profiles\n}}\n\n"
            );
            let script = zsh_first_word(script);
            let body = script
                .lines()
                .map(|l| {
                    let profile_option = l.starts_with("'-p+[") || l.starts_with("'--profile=[");
                    let profile_argument =
                        l.starts_with("'::profile") || l.starts_with("'*::profile");
                    if (profile_option || profile_argument) && l.contains(":_default'") {
                        l.replace(":_default'", ":_stsmfa_profiles'")
                    } else {
                        l.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            match body.rfind("if [ \"$funcstack[1]\" = \"_stsmfa\" ]") {
                Some(i) => format!("{}{function}{}\n", &body[..i], &body[i..]),
                None => format!("{body}\n{function}"),
            }
        }
        // The generated rules apply only where the script's own argument parsing succeeds,
        // which it does not while an option waits for its value: these apply everywhere.
        Shell::Fish => format!(
            "{script}function {LIST}\n    set -l words (commandline -opc)\n    set -l args\n    \
             set -l i 2\n    while test $i -le (count $words)\n        \
             set -l w $words[$i]\n        set -l name (string split -m1 = -- $w)[1]\n        \
             if contains -- $name {WHERE}\n            \
             if string match -q -- '*=*' $w\n                set -a args $w\n            \
             else\n                set -a args $w $words[(math $i + 1)]\n                \
             set i (math $i + 1)\n            end\n        end\n        \
             set i (math $i + 1)\n    end\n    \
             stsmfa $args completions --list-profiles 2>/dev/null\nend\n\
             complete -c stsmfa -s p -l profile -r -f -a \"({LIST})\"\n\
             complete -c stsmfa -n \"__fish_seen_subcommand_from refresh status env exec \
             console credential-process setup rotate clear\" -f -a \"({LIST})\"\n\
             complete -c stsmfa -n \"not __fish_seen_subcommand_from {commands} help\" -f \
             -a \"({LIST})\"\n",
            // Before any command, and after a profile: `stsmfa dev prod` refreshes both.
            commands = crate::cli::command_names().join(" ")
        ),
        _ => script.to_owned(),
    }
}

/// The zsh script with its first word completed as a command or a profile (`stsmfa status`,
/// `stsmfa dev`), and profiles after a first word that is a profile (`stsmfa dev prod`). As
/// generated, the top level's optional PROFILE arguments come before the command, so zsh takes
/// a command's name for a profile and never completes the command's own arguments.
fn zsh_first_word(script: &str) -> String {
    let mut out = String::with_capacity(script.len() + 64);
    let (mut dropped, mut commands, mut dispatch) = (false, false, 0);
    for line in script.lines() {
        if !dropped && line.starts_with("'::profiles -- ") {
            dropped = true;
            continue;
        }
        if dropped && !commands && line == "\":: :_stsmfa_commands\" \\" {
            commands = true;
            out.push_str("\":: :_stsmfa_commands_or_profiles\" \\\n");
            continue;
        }
        // The top level's dispatch: the command is now the first word on the line.
        if commands && dispatch < 3 && line.contains("$line[2]") {
            dispatch += 1;
            out.push_str(&line.replace("$line[2]", "$line[1]"));
            out.push('\n');
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    // A first word that is no command is a profile, and more profiles may follow it (`stsmfa
    // dev prod`): the top-level dispatch's last arm.
    const TOP_END: &str = "        esac\n    ;;\nesac\n}";
    if let Some(at) = out.rfind(TOP_END) {
        // Only past the first word, which `_stsmfa_commands_or_profiles` completes.
        out.insert_str(
            at,
            "(*)\n(( $#line > 1 )) && _stsmfa_profiles && ret=0\n;;\n",
        );
    }
    out
}
