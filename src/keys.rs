//! The names of the keys stsmfa reads and writes in the shared files, in one place (as the
//! AWS SDK's own profile code names them). Keys are lower case: the files' reader lower-cases
//! them.

/// The access key id, long-term (`AKIA…`) or of a session (`ASIA…`).
pub(crate) const ACCESS_KEY_ID: &str = "aws_access_key_id";
/// The secret access key.
pub(crate) const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";
/// A session's token.
pub(crate) const SESSION_TOKEN: &str = "aws_session_token";
/// The older name of the session token, which aws-mfa writes beside it.
pub(crate) const SECURITY_TOKEN: &str = "aws_security_token";
/// When a session ends.
pub(crate) const EXPIRATION: &str = "expiration";
/// Whether a session is a role's (written in aws-mfa's form, `True`/`False`).
pub(crate) const ASSUMED_ROLE: &str = "assumed_role";
/// The MFA device in a long-term section (aws-mfa's name).
pub(crate) const MFA_DEVICE: &str = "aws_mfa_device";
/// The MFA device in a config profile (the AWS CLI's name).
pub(crate) const MFA_SERIAL: &str = "mfa_serial";
/// The base profile of a chained role.
pub(crate) const SOURCE_PROFILE: &str = "source_profile";
/// The role to assume (stsmfa's and aws-mfa's name).
pub(crate) const ASSUME_ROLE: &str = "assume_role";
/// The role to assume (the AWS CLI's name).
pub(crate) const ROLE_ARN: &str = "role_arn";
/// How long sessions last.
pub(crate) const DURATION_SECONDS: &str = "duration_seconds";
/// How long a session was made for, in seconds, beside it in `[NAME]` (stsmfa's own key, which
/// the AWS tools ignore): its refresh margin is a quarter of it at most, however it was asked
/// for.
pub(crate) const SESSION_SECONDS: &str = "session_duration_seconds";
/// The region.
pub(crate) const REGION: &str = "region";
/// When the long-term key in the file was made (written by `rotate`, read by `status`).
pub(crate) const KEY_CREATED: &str = "aws_access_key_created";
/// Where the long-term secret is when it is not in the file (`keychain`).
pub(crate) const SECRET_PLACE: &str = "secret_access_key";
