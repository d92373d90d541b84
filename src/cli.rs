//! The command line as clap parses it. Each flag's doc comment is its help text. Values are
//! checked and combined with the environment in the run's context (`context.rs`), not here.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::error::{Error, Usage};
use crate::output::ColorWhen;
use crate::settings::{self, Flags};
use crate::shell::Shell;

const EXAMPLES: &str = "\
Examples:
  stsmfa -p dev                    Refresh [dev] from [dev-long-term] if needed, asking for the code
  stsmfa refresh dev prod          Refresh two profiles (each needs its own code)
  stsmfa --token 123456            Refresh the default profile with this code
  stsmfa --no-input --token-command 'ykman oath accounts code -s aws' refresh --all
                                   Unattended: fetch codes from a YubiKey, never prompt
  stsmfa clear dev                 Remove the session from [dev], keep [dev-long-term]

Files: --credentials-file, else AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.
Profile: --profile, else AWS_PROFILE, else default.";

/// Short-term AWS session credentials from long-term keys and an MFA code, kept in
/// ~/.aws/credentials without losing a byte of it.
#[derive(Debug, Parser)]
#[command(
    name = "stsmfa",
    version,
    after_help = EXAMPLES,
    // The two forms that work: profiles to refresh, or a command (never profiles, then a
    // command, which clap's own line suggests).
    override_usage = "stsmfa [OPTIONS] [PROFILE]...\n       stsmfa [OPTIONS] <COMMAND> ..."
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(flatten)]
    pub settings: SettingFlags,

    /// With no command: the profiles to refresh (`stsmfa dev prod`, `stsmfa --all`)
    #[command(flatten)]
    pub refresh: RefreshArgs,

    /// The command; none means `refresh`
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags that choose how sessions are made; they go before or after the command.
#[derive(Debug, Args, Default)]
pub(crate) struct SettingFlags {
    #[command(flatten)]
    pub session: Flags,

    /// The MFA code, or `-` to read one line from stdin
    #[arg(long, global = true, value_name = "CODE", help_heading = "MFA code")]
    pub token: Option<String>,

    /// Refresh when the session has less than this left [default: 15m, at most a quarter of
    /// the session]
    #[arg(long, global = true, value_name = "DURATION", help_heading = "Session",
          value_parser = settings::duration_arg)]
    pub min_remaining: Option<Duration>,

    /// Refresh even when the session is still valid
    #[arg(long, global = true, help_heading = "Session")]
    pub force: bool,

    /// How long to wait for STS to answer, retries included [default: 30s]
    #[arg(long, global = true, value_name = "DURATION", help_heading = "Session",
          value_parser = settings::duration_arg)]
    pub timeout: Option<Duration>,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub(crate) struct Global {
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
        alias = "long-suffix",
        global = true,
        value_name = "SUFFIX",
        default_value = "long-term"
    )]
    pub long_term_suffix: String,

    /// Suffix of the section with the session: [NAME-SUFFIX] instead of [NAME]
    #[arg(long, alias = "short-suffix", global = true, value_name = "SUFFIX")]
    pub short_term_suffix: Option<String>,

    /// Say nothing but errors: no notes, no warnings, no status table
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say what is done and why, step by step (never a secret)
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// When to colour messages (NO_COLOR is respected with `auto`)
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: ColorWhen,

    /// Never prompt (automatic when stdin is not a terminal); exit 3 when a code is needed
    #[arg(long, global = true)]
    pub no_input: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Refresh sessions that are missing or about to expire (the default command)
    ///
    /// For each profile, gets a new session from STS with the long-term keys of
    /// [NAME-long-term] and an MFA code, and writes it into [NAME]: when [NAME] is missing or
    /// incomplete, was made for another role, or expires within --min-remaining. Otherwise it
    /// says how long the session is still valid and asks for nothing.
    Refresh(RefreshArgs),

    /// Show every managed profile: kind, expiry, time left, state, device (never a secret)
    ///
    /// Exit code 0 when every profile shown is valid, 1 otherwise, so `stsmfa -q status dev`
    /// works in a shell prompt or a script. The table goes to stderr; --json prints a stable
    /// array on stdout.
    Status(StatusArgs),

    /// Print shell lines that export the session (refreshing it first if needed)
    ///
    /// Sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
    /// AWS_CREDENTIAL_EXPIRATION and unsets AWS_PROFILE: eval "$(stsmfa env dev)".
    Env(EnvArgs),

    /// Run a command with the session in its environment (refreshing it first if needed)
    ///
    /// Exits with the command's exit code (128+N when signal N ended it); SIGTERM and SIGHUP
    /// are passed on to it: stsmfa exec prod -- aws s3 ls. With --server, the command gets no
    /// keys but the URL and token of a credential server that its AWS SDK asks, and that
    /// re-assumes a role whenever its session runs low: stsmfa exec --server admin --
    /// terraform apply.
    Exec(ExecArgs),

    /// Open the AWS console signed in with a role session (refreshing it first if needed)
    ///
    /// For a role: chained (--source-profile), assumed with the profile's own keys, or a
    /// role_arn in ~/.aws/config. Opens the sign-in URL with $BROWSER, xdg-open or open, or
    /// prints it on stdout with --print (or when there is no opener). The URL holds a sign-in
    /// token, never the session's keys.
    Console(ConsoleArgs),

    /// Print the session as AWS credential_process JSON (refreshing it first if needed)
    ///
    /// For a config profile with: credential_process = stsmfa credential-process dev. A prompt,
    /// when needed, goes to the terminal (/dev/tty), never to stdout.
    CredentialProcess(CredentialProcessArgs),

    /// Save long-term keys and the MFA device in [NAME-long-term]
    ///
    /// Asks only for what is missing (or takes everything from flags, for scripts). When [NAME]
    /// holds long-term keys, offers to move them to [NAME-long-term] in one atomic write.
    Setup(SetupArgs),

    /// Replace the long-term access key with a new one (IAM), then delete the old one
    ///
    /// With the profile's MFA session (a code is asked when it has none): creates a key for
    /// the IAM user, writes it into [NAME-long-term], checks it works, then deletes the old key
    /// (--keep-old deactivates it instead). Any failure leaves a working key in the file and
    /// says which keys exist in AWS.
    Rotate(RotateArgs),

    /// Print a completion script for a shell (bash, zsh, fish, powershell, elvish)
    Completions(CompletionsArgs),

    /// Print a manual page (roff), or write every page into a directory
    ///
    /// stsmfa man --dir ~/.local/share/man/man1 writes stsmfa.1 and stsmfa-COMMAND.1 for
    /// every command (creating the directory); stsmfa man status prints stsmfa-status.1.
    Man(ManArgs),
    /// Remove the session from short-term sections, keeping everything else
    ///
    /// Removes the session keys (aws_access_key_id, aws_secret_access_key, aws_session_token,
    /// aws_security_token, expiration, assumed_role, assumed_role_arn) from [NAME]. The section
    /// itself goes only when nothing else is left in it: a region, an output or a comment you
    /// wrote keeps it. A long-term section, or a section without an aws_session_token, is never
    /// touched (exit 6).
    Clear(ClearArgs),
}

/// `stsmfa status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Profiles to show [default: every profile with a long-term or a session section]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Print a JSON array on stdout instead of the table
    #[arg(long)]
    pub json: bool,
}

/// `stsmfa env`.
#[derive(Debug, Args)]
pub(crate) struct EnvArgs {
    /// Profile [default: --profile]
    #[arg(id = "profile_arg", value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Shell to write for [default: from $SHELL, else sh]
    #[arg(long, value_enum)]
    pub shell: Option<Shell>,
}

/// `stsmfa exec`.
#[derive(Debug, Args)]
pub(crate) struct ExecArgs {
    /// Profile [default: --profile]
    #[arg(id = "profile_arg", value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Give COMMAND no keys but a credential server on 127.0.0.1 that keeps the session fresh
    /// (AWS_CONTAINER_CREDENTIALS_FULL_URI), for work that outlasts a session
    #[arg(long)]
    pub server: bool,

    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// `stsmfa console`.
#[derive(Debug, Args)]
pub(crate) struct ConsoleArgs {
    /// Profile [default: --profile]
    #[arg(id = "profile_arg", value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Print the sign-in URL on stdout instead of opening it
    #[arg(long)]
    pub print: bool,

    /// The console page to open [default: the console home in the profile's region]
    #[arg(long, value_name = "URL")]
    pub destination: Option<String>,
}

/// `stsmfa credential-process`.
#[derive(Debug, Args)]
pub(crate) struct CredentialProcessArgs {
    /// Profile [default: --profile]
    #[arg(id = "profile_arg", value_name = "PROFILE")]
    pub profile: Option<String>,
}

/// `stsmfa setup`.
#[derive(Debug, Args)]
pub(crate) struct SetupArgs {
    /// Profile [default: --profile]
    #[arg(id = "profile_arg", value_name = "PROFILE")]
    pub profile: Option<String>,

    /// The long-term access key id (AKIA...)
    #[arg(long, value_name = "ID")]
    pub access_key_id: Option<String>,

    /// Read the secret access key from stdin (a secret never goes on the command line)
    #[arg(long)]
    pub secret_access_key_stdin: bool,

    /// Refused: a secret on the command line ends up in shell history and `ps`
    #[arg(long, hide = true, value_name = "SECRET")]
    pub secret_access_key: Option<String>,

    /// Move long-term keys found in [NAME] without asking
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Make PROFILE a chained role: its sessions come from AssumeRole (--assume-role ARN)
    /// signed with BASE's MFA session, so they need no code of their own
    #[arg(long, value_name = "BASE", conflicts_with_all = ["keychain", "no_keychain"])]
    pub source_profile: Option<String>,

    /// Keep the secret access key in the OS keychain, not in the file (moves it there)
    #[arg(long, conflicts_with = "no_keychain")]
    pub keychain: bool,

    /// Keep the secret access key in the file (moves it out of the OS keychain)
    #[arg(long)]
    pub no_keychain: bool,
}

/// `stsmfa rotate`.
#[derive(Debug, Args)]
pub(crate) struct RotateArgs {
    /// Profile [default: --profile]
    #[arg(id = "profile_arg", value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Deactivate the old key instead of deleting it (delete it later in IAM)
    #[arg(long)]
    pub keep_old: bool,
}

/// `stsmfa man`.
#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// The command whose page to print [default: stsmfa's own page]
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,

    /// Write every page (stsmfa.1, stsmfa-COMMAND.1) into this directory instead
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<std::path::PathBuf>,
}

/// `stsmfa completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum, required_unless_present = "list_profiles")]
    pub shell: Option<clap_complete::Shell>,

    /// Print the profile names to complete, one a line (the scripts call this)
    #[arg(long, hide = true)]
    pub list_profiles: bool,
}

/// `stsmfa refresh`.
#[derive(Debug, Args, Default)]
pub(crate) struct RefreshArgs {
    /// Profiles to refresh [default: --profile]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Every profile that has a long-term section
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,
}

/// `stsmfa clear`.
#[derive(Debug, Args)]
pub(crate) struct ClearArgs {
    /// Profiles whose sessions to remove [default: --profile]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Every profile that has a long-term section
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,
}

/// The session settings flags (ids), which go before or after any command.
const SETTINGS: [&str; 13] = [
    "device",
    "duration",
    "assume_role",
    "role_session_name",
    "external_id",
    "region",
    "endpoint_url",
    "ca_bundle",
    "token_command",
    "token",
    "min_remaining",
    "force",
    "timeout",
];

/// The settings flags a command uses: the commands that may refresh take them all.
fn settings_of(command: &str) -> &'static [&'static str] {
    match command {
        "refresh" | "env" | "exec" | "credential-process" | "rotate" | "console" => &SETTINGS,
        "setup" => &["device", "duration", "region", "assume_role"],
        "status" => &["min_remaining"],
        _ => &[],
    }
}

/// The command line: [`Cli`] as clap derives it, with each command's help showing only the
/// settings flags that command uses (they are global, so clap would list them everywhere).
pub(crate) fn command() -> clap::Command {
    // A command that has its own copy of a global flag keeps it (clap propagates only what a
    // command lacks): the copies of the flags it does not use are hidden.
    per_command(<Cli as clap::CommandFactory>::command(), |used, arg| {
        (!used).then(|| arg.hide(true))
    })
}

/// The names of the commands a user can type.
pub(crate) fn command_names() -> Vec<String> {
    command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_owned())
        .collect()
}

/// The command line for completion scripts: the settings flags only where they are used
/// (completion generators list hidden flags too, so they are left out, not hidden).
/// `man`'s COMMAND completes as the names of the commands.
pub(crate) fn completion_command() -> clap::Command {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    for id in SETTINGS {
        cmd = cmd.mut_arg(id, |a| a.global(false));
    }
    let names = command_names();
    per_command(cmd, |used, arg| used.then_some(arg)).mut_subcommand("man", |man| {
        man.mut_arg("command", |a| {
            a.value_parser(clap::builder::PossibleValuesParser::new(names))
        })
    })
}

/// The long names of the options no completion offers (hidden: refused or for the scripts).
pub(crate) fn hidden_options(cmd: &clap::Command) -> Vec<String> {
    let mut out: Vec<String> = cmd
        .get_arguments()
        .filter(|a| a.is_hide_set())
        .filter_map(|a| a.get_long().map(str::to_owned))
        .collect();
    for sub in cmd.get_subcommands() {
        out.extend(hidden_options(sub));
    }
    out.sort();
    out.dedup();
    out
}

/// `cmd` with, in each command, the copies `copy(used, flag)` makes of the settings flags.
fn per_command(
    cmd: clap::Command,
    copy: impl Fn(bool, clap::Arg) -> Option<clap::Arg>,
) -> clap::Command {
    let settings: Vec<clap::Arg> = cmd
        .get_arguments()
        .filter(|a| SETTINGS.contains(&a.get_id().as_str()))
        .cloned()
        .collect();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    names.iter().fold(cmd, |cmd, name| {
        let used = settings_of(name);
        cmd.mut_subcommand(name, |sub| {
            sub.args(
                settings
                    .iter()
                    .filter_map(|a| copy(used.contains(&a.get_id().as_str()), a.clone())),
            )
        })
    })
}

/// Parses the command line; a settings flag given to a command that does not use it is a
/// usage error.
pub(crate) fn parse_from<I, T>(args: I) -> Result<Cli, Refused>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::FromArgMatches as _;
    let mut cmd = command();
    let matches = cmd
        .try_get_matches_from_mut(args)
        .map_err(|e| refused(e, &mut cmd))?;
    if let Some((name, sub)) = matches.subcommand() {
        let used = settings_of(name);
        for id in SETTINGS.iter().filter(|id| !used.contains(id)) {
            if sub.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
                return Err(Refused::Clap(cmd.error(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!("`stsmfa {name}` does not use --{}", id.replace('_', "-")),
                )));
            }
        }
    }
    Cli::from_arg_matches(&matches).map_err(Refused::Clap)
}

/// Whether the command line asks for detail (`-v`, `--verbose`, or `-v` among short flags),
/// for `--version -v`, which clap answers before the rest of the line is read.
pub(crate) fn asks_verbose() -> bool {
    std::env::args().skip(1).take_while(|a| a != "--").any(|a| {
        a == "--verbose"
            || (a.starts_with('-')
                && !a.starts_with("--")
                && a[1..].chars().all(|c| c.is_ascii_alphabetic())
                && a.contains('v'))
    })
}

/// What `stsmfa --version -v` prints: the version, then the build: commit, target, compiler,
/// and what is built in.
pub(crate) fn long_version() -> String {
    format!(
        "stsmfa {}\ncommit: {}\ntarget: {}\ncompiler: {}\nbuild: {}\n\
         built in: OS keychain (keyring 4: Secret Service, macOS Keychain, Windows Credential \
         Manager), TLS (rustls with aws-lc), HTTP and HTTPS proxies, key rotation (IAM)\n",
        env!("CARGO_PKG_VERSION"),
        env!("STSMFA_BUILD_COMMIT"),
        env!("STSMFA_BUILD_TARGET"),
        env!("STSMFA_BUILD_RUSTC"),
        env!("STSMFA_BUILD_PROFILE"),
    )
}

/// Why a command line was refused.
#[derive(Debug)]
pub(crate) enum Refused {
    /// What clap says (and prints, with help and version).
    Clap(clap::Error),
    /// A value without its setting's shape (`--device`, `--assume-role`, `--region`), said as
    /// the same value from the environment or a file would be.
    Setting(Error),
}

/// Turns clap's refusal into ours: a value a setting's type refused becomes that setting's
/// usage error, naming the flag; anything else stays clap's, without secrets.
fn refused(e: clap::Error, cmd: &mut clap::Command) -> Refused {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    use std::error::Error as _;
    if e.kind() == ErrorKind::ValueValidation
        && let Some(invalid) = e
            .source()
            .and_then(|s| s.downcast_ref::<settings::Invalid>())
        && let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg)
        && let Some(ContextValue::String(value)) = e.get(ContextKind::InvalidValue)
    {
        let flag = arg.split_whitespace().next().unwrap_or(arg);
        return Refused::Setting(Error::Usage(Usage::Invalid {
            what: invalid.what.to_owned(),
            value: value.clone(),
            source: flag.to_owned(),
            shape: invalid.shape.to_owned(),
        }));
    }
    Refused::Clap(without_secrets(e, cmd))
}

/// A usage error that would quote an argument that may be a secret (a secret key typed after
/// `--secret-access-key-stdin`, say) says where it was instead. Option names and short words
/// are shown as clap shows them.
fn without_secrets(e: clap::Error, cmd: &mut clap::Command) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let may_be_secret = |v: &str| {
        let option = v.starts_with('-')
            && v.len() <= 40
            && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        !option && v.len() > 12
    };
    // Only an unexpected argument is the user's own text; other errors name options.
    if e.kind() != ErrorKind::UnknownArgument {
        return e;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return e;
    };
    if !may_be_secret(arg) {
        return e;
    }
    cmd.error(
        e.kind(),
        format!(
            "the command line has an unexpected argument ({} characters, not shown: it may be \
             a secret); a secret key is given on stdin with --secret-access-key-stdin, never as \
             an argument",
            arg.chars().count()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn each_command_shows_and_takes_only_the_settings_it_uses() {
        let mut cmd = command();
        cmd.build();
        let help = |cmd: &mut clap::Command, name: &str| {
            cmd.find_subcommand_mut(name)
                .map(|c| c.render_long_help().to_string())
                .unwrap_or_default()
        };
        let clear = help(&mut cmd, "clear");
        assert!(!clear.contains("--token"), "{clear}");
        assert!(!clear.contains("--duration"), "{clear}");
        assert!(clear.contains("--credentials-file"), "{clear}");
        let setup = help(&mut cmd, "setup");
        assert!(
            setup.contains("--device") && !setup.contains("--token-command"),
            "{setup}"
        );
        let refresh = help(&mut cmd, "refresh");
        assert!(
            refresh.contains("--token") && refresh.contains("--ca-bundle"),
            "{refresh}"
        );
        assert!(parse_from(["stsmfa", "clear", "dev", "--token", "123456"]).is_err());
        assert!(parse_from(["stsmfa", "--duration", "1h", "clear", "dev"]).is_err());
        assert!(parse_from(["stsmfa", "refresh", "dev", "--token", "123456"]).is_ok());
        assert!(parse_from(["stsmfa", "--token", "123456", "env", "dev"]).is_ok());
        assert!(parse_from(["stsmfa", "setup", "dev", "--device", "GAHT12345678"]).is_ok());
        assert!(parse_from(["stsmfa", "setup", "dev", "--device", "x"]).is_err());
    }

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

    #[test]
    fn no_command_is_refresh_with_settings_anywhere() {
        let cli = Cli::try_parse_from(["stsmfa", "-p", "dev", "--token", "123456"]);
        assert!(cli.is_ok_and(|c| c.command.is_none() && c.settings.token.is_some()));
        let cli = Cli::try_parse_from(["stsmfa", "refresh", "a", "b", "--duration", "1h"]);
        assert!(cli.is_ok_and(|c| c.settings.session.duration == Some(3600)));
        assert!(Cli::try_parse_from(["stsmfa", "--min-remaining", "99999999999999999h"]).is_err());
        assert!(Cli::try_parse_from(["stsmfa", "--duration", "12x"]).is_err());
        let cli = Cli::try_parse_from(["stsmfa", "dev", "prod", "--token", "123456"]);
        assert!(cli.is_ok_and(|c| c.command.is_none() && c.refresh.profiles == ["dev", "prod"]));
        let cli = Cli::try_parse_from(["stsmfa", "--all", "--no-input"]);
        assert!(cli.is_ok_and(|c| c.command.is_none() && c.refresh.all));
        let cli = Cli::try_parse_from(["stsmfa", "status", "dev"]);
        assert!(cli.is_ok_and(|c| matches!(c.command, Some(Command::Status(_)))));
    }
}
