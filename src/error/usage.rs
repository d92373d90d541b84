//! Usage errors: the command line, or a setting, asks for something impossible (exit 2). Each
//! carries its data; its sentence and its hint are written here.

use std::fmt;

/// What is impossible about what was asked.
#[derive(Debug)]
pub enum Usage {
    /// `--long-term-suffix` and `--short-term-suffix` name the same section.
    SameSuffixes,
    /// `clear --all` finds profiles by their long-term suffix, and there is none.
    AllWithoutSuffix,
    /// There is no STS endpoint for the region with the variants asked for (`variant` says
    /// which: ` with FIPS`, ` with dual-stack`, both, or nothing).
    NoEndpoint {
        region: String,
        variant: &'static str,
        why: String,
    },
    /// The CA bundle (from `source`) cannot be used, and why.
    CaBundle {
        path: String,
        source: String,
        why: String,
    },
    /// A setting's value (from `source`) does not have the shape `shape`.
    Invalid {
        what: String,
        value: String,
        source: String,
        shape: String,
    },
    /// A duration (from `source`) outside what AWS allows for `what`.
    Duration {
        seconds: u32,
        source: String,
        what: &'static str,
        min: u32,
        max: u32,
        range: &'static str,
    },
    /// An MFA code (from `from`) that is not six digits.
    Code { from: String },
    /// `rotate` of a chained role, which has no key of its own.
    RotateChained { profile: String, base: String },
    /// `rotate` of a profile whose sessions are role sessions.
    RotateRole { profile: String },
    /// `exec` without a command.
    NoCommand { profile: String },
    /// `man` of a command that does not exist.
    NoManualPage { name: String, choices: Vec<String> },
    /// The first word of `stsmfa WORD ...` is no profile of the files but one typo away from
    /// the command `suggestion`.
    UnknownCommand { given: String, suggestion: String },
    /// The proxy the environment names is not an HTTP proxy.
    ProxyScheme {
        variable: &'static str,
        proxy: String,
    },
    /// `console` of a profile whose sessions come from GetSessionToken.
    ConsoleNeedsRole { profile: String },
    /// `console` for a region whose partition has no public sign-in endpoint.
    NoConsole { region: String },
    /// `$SHELL` names a shell `env` cannot write for, and no `--shell` was given.
    ShellUnknown { name: String },
    /// `env` cannot write a value safely for the shell.
    UnsafeForShell {
        variable: &'static str,
        shell: String,
        profile: String,
    },
    /// `setup` was given the secret access key as an argument.
    SecretOnCommandLine,
    /// `setup` needs `what` and cannot ask for it; `how` says how to give it.
    Missing {
        what: &'static str,
        how: &'static str,
    },
    /// Not a long-term access key id: `quoted` when it is plainly a key id (else it may be a
    /// secret and is named by `source`); `session_key` when it is a session's (ASIA...).
    NotKeyId {
        quoted: Option<String>,
        source: String,
        session_key: bool,
    },
    /// A secret access key that is empty or has blanks in it.
    BadSecret,
    /// An MFA device that is neither an ARN nor a hardware serial.
    BadDevice { value: String },
    /// `setup --source-profile` without the role to assume.
    NoRoleToAssume { profile: String, base: String },
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Usage::SameSuffixes => {
                f.write_str("the long-term and short-term sections would have the same name")
            }
            Usage::AllWithoutSuffix => f.write_str(
                "--all finds profiles by their long-term sections, but the long-term suffix is \
                 none",
            ),
            Usage::NoEndpoint {
                region,
                variant,
                why,
            } => write!(
                f,
                "there is no STS endpoint for region {region}{variant}: {why}"
            ),
            Usage::CaBundle { path, source, why } => {
                write!(f, "the CA bundle {path} (from {source}) {why}")
            }
            Usage::Invalid {
                what,
                value,
                source,
                ..
            } => write!(f, "the {what} {value:?} (from {source}) is not valid"),
            Usage::Duration {
                seconds,
                source,
                what,
                ..
            } => write!(
                f,
                "the duration {seconds} s (from {source}) is outside what AWS allows for {what}"
            ),
            Usage::Code { from } => write!(f, "the MFA code from {from} is not 6 digits"),
            Usage::RotateChained { profile, .. } => write!(
                f,
                "{profile} is a chained role: it has no long-term key of its own"
            ),
            Usage::RotateRole { profile } => write!(
                f,
                "{profile}'s sessions are role sessions (assume_role), and IAM changes the \
                 user's keys only with the user's own MFA session"
            ),
            Usage::NoCommand { .. } => f.write_str("no command to run"),
            Usage::NoManualPage { name, .. } => write!(f, "there is no command {name:?}"),
            Usage::UnknownCommand { given, suggestion } => {
                write!(f, "unknown command '{given}'; did you mean '{suggestion}'?")
            }
            Usage::ProxyScheme { variable, proxy } => write!(
                f,
                "{variable} names the proxy {proxy}, which stsmfa cannot use: the AWS SDK's \
                 HTTP client speaks only to HTTP proxies"
            ),
            Usage::ConsoleNeedsRole { profile } => write!(
                f,
                "{profile}'s session comes from GetSessionToken, and AWS lets only role and \
                 federation sessions into the console"
            ),
            Usage::NoConsole { region } => write!(
                f,
                "the partition of region {region} has no public console sign-in endpoint"
            ),
            Usage::ShellUnknown { name } => write!(
                f,
                "$SHELL is {name}, whose syntax stsmfa env does not write"
            ),
            Usage::UnsafeForShell {
                variable, shell, ..
            } => write!(
                f,
                "the value of {variable} cannot be written safely for {shell}"
            ),
            Usage::SecretOnCommandLine => f.write_str(
                "a secret access key on the command line ends up in shell history and in `ps`",
            ),
            Usage::Missing { what, .. } => write!(f, "no {what}"),
            Usage::NotKeyId {
                quoted: Some(id), ..
            } => write!(f, "{id:?} is not a long-term access key id"),
            Usage::NotKeyId { source, .. } => write!(
                f,
                "{source} (not shown: it may be a secret) is not a long-term access key id"
            ),
            Usage::BadSecret => f.write_str("the secret access key is empty or has blanks in it"),
            Usage::BadDevice { value } => write!(f, "the MFA device {value:?} is not valid"),
            Usage::NoRoleToAssume { .. } => f.write_str("a chained role needs the role to assume"),
        }
    }
}

impl Usage {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            Usage::SameSuffixes => {
                "give --long-term-suffix and --short-term-suffix different values".into()
            }
            Usage::AllWithoutSuffix => "name the profiles to clear instead".into(),
            Usage::NoEndpoint { .. } => {
                "choose another region, or turn off use_fips_endpoint / use_dualstack_endpoint"
                    .into()
            }
            Usage::CaBundle { .. } => "give a PEM file of the certificate authorities to trust \
                                       (--ca-bundle, AWS_CA_BUNDLE or ca_bundle)"
                .into(),
            Usage::Invalid { shape, .. } => format!("give {shape}"),
            Usage::Duration {
                min, max, range, ..
            } => format!("give {min} to {max} seconds ({range})"),
            Usage::Code { .. } => {
                "give the 6-digit code your MFA device shows now, e.g. --token 123456".into()
            }
            Usage::RotateChained { base, .. } => {
                format!("rotate the key of its base: stsmfa rotate {base}")
            }
            Usage::RotateRole { .. } => {
                "rotate through a profile that holds the same keys without assume_role".into()
            }
            Usage::NoCommand { profile } => format!("stsmfa exec {profile} -- COMMAND [ARGS...]"),
            Usage::UnknownCommand { given, .. } => {
                format!("no profile is named {given} either; `stsmfa --help` lists the commands")
            }
            Usage::ProxyScheme { variable, .. } => format!(
                "set {variable} to an HTTP proxy (http://HOST:PORT), or add the STS host to \
                 NO_PROXY"
            ),
            Usage::ConsoleNeedsRole { profile } => format!(
                "chain a role to it: stsmfa setup ROLE --source-profile {profile} --assume-role \
                 arn:aws:iam::ACCOUNT:role/NAME (or a role_arn with source_profile = {profile} \
                 in ~/.aws/config), then stsmfa console ROLE"
            ),
            Usage::NoConsole { .. } => {
                "set AWS_ENDPOINT_URL_SIGNIN to the partition's sign-in endpoint".into()
            }
            Usage::ShellUnknown { .. } => "name the shell whose lines you want with --shell \
                 (sh, bash, zsh, ksh, dash, fish, powershell, pwsh, cmd), or run \
                 stsmfa exec PROFILE -- COMMAND instead"
                .into(),
            Usage::NoManualPage { choices, .. } => {
                format!("choose one of: {}", choices.join(", "))
            }
            Usage::UnsafeForShell { profile, .. } => {
                format!("use `stsmfa exec {profile} -- COMMAND` instead")
            }
            Usage::SecretOnCommandLine => {
                "pipe it in instead: stsmfa setup --secret-access-key-stdin < file".into()
            }
            Usage::Missing { how, .. } => (*how).into(),
            Usage::NotKeyId {
                session_key: true, ..
            } => "that is a session key; give the long-term key of your IAM user (AKIA...)".into(),
            Usage::NotKeyId { .. } => {
                "a long-term access key id is AKIA followed by 16 capital letters and digits".into()
            }
            Usage::BadSecret => "give the 40-character secret of the key".into(),
            Usage::BadDevice { .. } => {
                "give an ARN like arn:aws:iam::123456789012:mfa/NAME, or a hardware serial".into()
            }
            Usage::NoRoleToAssume { profile, base } => {
                format!("stsmfa setup {profile} --source-profile {base} --assume-role ARN")
            }
        }
    }
}
