//! The IAM calls of `stsmfa rotate` and the STS GetCallerIdentity it checks keys with, through
//! the same HTTP client, proxy, CA bundle, timeouts and retries as the session calls. Every
//! call is signed with credentials given by the caller; key ids are shown masked.

use aws_sdk_iam::types::StatusType;
use aws_sdk_sts::config::{BehaviorVersion, Region, SharedHttpClient};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use chrono::{DateTime, Utc};

use super::http::{http_client, retries, root_cause, timeouts};
use super::{Network, Signer, Trust};
use crate::error::Error;
use crate::secret::{Secret, mask};

/// An access key of the user, as IAM lists it.
#[derive(Debug)]
pub(crate) struct Key {
    pub id: String,
    pub active: bool,
}

/// A new access key.
pub(crate) struct NewKey {
    pub id: String,
    pub secret: Secret,
    pub created: DateTime<Utc>,
}

/// What the calls share: the profile's network, the endpoints the user gave and an HTTP
/// client.
pub(crate) struct Aws<'a> {
    network: &'a Network,
    /// The STS URL, for messages.
    sts_url: &'a str,
    /// Whether the user gave that URL (else the SDK resolves it again, to sign for it).
    sts_given: bool,
    /// An IAM endpoint the user gave; `None` lets the SDK's resolver choose.
    iam_url: Option<String>,
    http: SharedHttpClient,
    runtime: tokio::runtime::Runtime,
}

impl<'a> Aws<'a> {
    pub(crate) fn new(
        network: &'a Network,
        sts_url: &'a str,
        sts_given: bool,
        iam_url: Option<String>,
        trust: Option<&Trust>,
    ) -> Result<Aws<'a>, Error> {
        let runtime = super::runtime()?;
        Ok(Aws {
            network,
            sts_url,
            sts_given,
            iam_url,
            http: http_client(trust)?,
            runtime,
        })
    }

    fn sts(&self, signer: &Signer<'_>) -> aws_sdk_sts::Client {
        let net = self.network;
        let mut config = aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(net.region.clone()))
            .use_fips(net.fips)
            .use_dual_stack(net.dual_stack)
            .credentials_provider(signer.credentials())
            .timeout_config(timeouts(net.timeout))
            .retry_config(retries(net))
            .http_client(self.http.clone());
        if self.sts_given {
            config = config.endpoint_url(self.sts_url);
        }
        aws_sdk_sts::Client::from_conf(config.build())
    }

    fn iam(&self, signer: &Signer<'_>) -> aws_sdk_iam::Client {
        let net = self.network;
        let mut config = aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new(net.region.clone()))
            .use_fips(net.fips)
            .credentials_provider(signer.credentials())
            .timeout_config(timeouts(net.timeout))
            .retry_config(retries(net))
            .http_client(self.http.clone());
        if let Some(url) = &self.iam_url {
            config = config.endpoint_url(url);
        }
        aws_sdk_iam::Client::from_conf(config.build())
    }

    /// The IAM user name of the keys that sign (GetCallerIdentity): the last part of
    /// `arn:aws:iam::ACCOUNT:user/PATH/NAME`.
    pub(crate) fn user_of(&self, signer: &Signer<'_>) -> Result<String, Error> {
        let client = self.sts(signer);
        let out = self
            .runtime
            .block_on(client.get_caller_identity().send())
            .map_err(|e| self.failure(e, "GetCallerIdentity", signer.access_key_id))?;
        let arn = out.arn.unwrap_or_default();
        match arn.split_once(":user/") {
            Some((_, path)) => Ok(path.rsplit('/').next().unwrap_or(path).to_owned()),
            None => Err(Error::Aws {
                message: format!(
                    "the keys of this profile are not an IAM user's (they are {arn}), so \
                     stsmfa cannot rotate them"
                ),
                hint: "rotate root or role keys in the console".into(),
            }),
        }
    }

    /// Whether `signer` works now (GetCallerIdentity answers).
    pub(crate) fn works(&self, signer: &Signer<'_>) -> bool {
        let client = self.sts(signer);
        self.runtime
            .block_on(client.get_caller_identity().send())
            .is_ok()
    }

    pub(crate) fn keys(&self, signer: &Signer<'_>, user: &str) -> Result<Vec<Key>, Error> {
        let client = self.iam(signer);
        let out = self
            .runtime
            .block_on(client.list_access_keys().user_name(user).send())
            .map_err(|e| self.failure(e, "ListAccessKeys", signer.access_key_id))?;
        Ok(out
            .access_key_metadata
            .into_iter()
            .map(|k| Key {
                id: k.access_key_id.unwrap_or_default(),
                active: k.status == Some(StatusType::Active),
            })
            .collect())
    }

    pub(crate) fn create(&self, signer: &Signer<'_>, user: &str) -> Result<NewKey, Error> {
        let client = self.iam(signer);
        let out = self
            .runtime
            .block_on(client.create_access_key().user_name(user).send())
            .map_err(|e| self.failure(e, "CreateAccessKey", signer.access_key_id))?;
        let key = out.access_key.ok_or_else(|| Error::Aws {
            message: "IAM's answer to CreateAccessKey held no key".into(),
            hint: "run `aws iam list-access-keys` to see what exists".into(),
        })?;
        Ok(NewKey {
            id: key.access_key_id,
            secret: Secret::new(key.secret_access_key),
            created: key
                .create_date
                .and_then(|d| DateTime::<Utc>::from_timestamp(d.secs(), 0))
                .unwrap_or_else(Utc::now),
        })
    }

    pub(crate) fn delete(&self, signer: &Signer<'_>, user: &str, id: &str) -> Result<(), Error> {
        let client = self.iam(signer);
        self.runtime
            .block_on(
                client
                    .delete_access_key()
                    .user_name(user)
                    .access_key_id(id)
                    .send(),
            )
            .map(|_| ())
            .map_err(|e| self.failure(e, "DeleteAccessKey", signer.access_key_id))
    }

    pub(crate) fn deactivate(
        &self,
        signer: &Signer<'_>,
        user: &str,
        id: &str,
    ) -> Result<(), Error> {
        let client = self.iam(signer);
        self.runtime
            .block_on(
                client
                    .update_access_key()
                    .user_name(user)
                    .access_key_id(id)
                    .status(StatusType::Inactive)
                    .send(),
            )
            .map(|_| ())
            .map_err(|e| self.failure(e, "UpdateAccessKey", signer.access_key_id))
    }

    /// An SDK error as a sentence: what AWS said, or that it could not be reached.
    fn failure<E, R>(&self, e: SdkError<E, R>, action: &str, key: &str) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        match &e {
            SdkError::ServiceError(ctx) => {
                let code = ctx.err().code().unwrap_or("an error");
                let message = ctx.err().message().unwrap_or_default();
                Error::Aws {
                    message: format!(
                        "AWS refused {action} (signed with {}): {code}: {message}",
                        mask(key)
                    ),
                    hint: match code {
                        "AccessDenied" => "the IAM user needs permission to manage its own \
                                           access keys (iam:ListAccessKeys, \
                                           iam:CreateAccessKey, iam:DeleteAccessKey, \
                                           iam:UpdateAccessKey on its own ARN)"
                            .into(),
                        "LimitExceeded" => {
                            "an IAM user has at most two access keys: delete the one not in \
                             use, then rotate"
                                .into()
                        }
                        _ => "see AWS's message".into(),
                    },
                }
            }
            _ => Error::Unreachable {
                url: if action == "GetCallerIdentity" {
                    self.sts_url.to_owned()
                } else {
                    self.iam_url.clone().unwrap_or_else(|| "IAM".into())
                },
                cause: root_cause(&e),
                code_sent: false,
            },
        }
    }
}
