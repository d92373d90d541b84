//! The command line as clap parses it. Each flag's doc comment is its help text. Values are
//! checked and combined with the environment in [`crate::commands::Context`], not here.

use clap::{Args, Parser, Subcommand};

use crate::output::ColorWhen;

const EXAMPLES: &str = "\
Examples:
  stsmfa clear dev                 Remove the session from [dev], keep [dev-long-term]
  stsmfa clear --all               Remove every session stsmfa manages
  stsmfa -q clear dev prod         Same for two profiles, saying nothing on success

Files: --credentials-file, else AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.
Profile: --profile, else AWS_PROFILE, else default.";

/// Short-term AWS session credentials from long-term keys and an MFA code, kept in
/// ~/.aws/credentials without losing a byte of it.
#[derive(Debug, Parser)]
#[command(name = "stsmfa", version, after_help = EXAMPLES)]
#[command(subcommand_required = true, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Profile to work on when a command names none [default: AWS_PROFILE, else `default`]
    #[arg(short, long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Credentials file [default: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials]
    #[arg(long, global = true, value_name = "PATH")]
    pub credentials_file: Option<String>,

    /// Config file [default: AWS_CONFIG_FILE, else ~/.aws/config]
    #[arg(long, global = true, value_name = "PATH")]
    pub config_file: Option<String>,

    /// Suffix of the section with the long-term keys: [NAME-SUFFIX] (`none` for [NAME])
    #[arg(
        long,
        global = true,
        value_name = "SUFFIX",
        default_value = "long-term"
    )]
    pub long_term_suffix: String,

    /// Suffix of the section with the session: [NAME-SUFFIX] instead of [NAME]
    #[arg(long, global = true, value_name = "SUFFIX")]
    pub short_term_suffix: Option<String>,

    /// Say nothing on success; errors and warnings still go to stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say what is done and why, step by step (never a secret)
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// When to colour messages (NO_COLOR is respected with `auto`)
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: ColorWhen,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Remove the session from short-term sections, keeping everything else
    ///
    /// Removes the session keys (aws_access_key_id, aws_secret_access_key, aws_session_token,
    /// aws_security_token, expiration, assumed_role, assumed_role_arn) from [NAME]. The section
    /// itself goes only when nothing else is left in it: a region, an output or a comment you
    /// wrote keeps it. A long-term section, or a section without an aws_session_token, is never
    /// touched (exit 6).
    Clear(ClearArgs),
}

/// `stsmfa clear`.
#[derive(Debug, Args)]
pub struct ClearArgs {
    /// Profiles whose sessions to remove [default: --profile]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Every profile that has a long-term section
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn clear_all_conflicts_with_names() {
        assert!(Cli::try_parse_from(["stsmfa", "clear", "--all", "dev"]).is_err());
    }

    #[test]
    fn global_options_go_after_the_command_too() {
        let cli = Cli::try_parse_from(["stsmfa", "clear", "dev", "-q", "--profile", "x"]);
        assert!(cli.is_ok_and(|c| c.global.quiet && c.global.profile.as_deref() == Some("x")));
    }

    #[test]
    fn quiet_and_verbose_conflict() {
        assert!(Cli::try_parse_from(["stsmfa", "-q", "-v", "clear"]).is_err());
    }
}
