//! Values that can come from a flag, the environment or a file, parsed once into types that
//! hold only valid values. Each `FromStr` serves clap's value parser and the settings resolver
//! alike, so a value is judged the same wherever it was given.

use std::fmt;
use std::str::FromStr;

use super::validate::{
    MFA_SERIAL_SHAPE, REGION_SHAPE, ROLE_ARN_SHAPE, is_mfa_serial, is_region, is_role_arn,
};

/// A value that does not have the shape its setting needs: what the setting is called in a
/// message, and what a valid value looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Invalid {
    pub(crate) what: &'static str,
    pub(crate) shape: &'static str,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a valid {}: give {}", self.what, self.shape)
    }
}

impl std::error::Error for Invalid {}

/// Defines a newtype over `String` that only a valid value becomes.
macro_rules! checked_string {
    ($(#[$doc:meta])* $name:ident, $what:literal, $valid:path, $shape:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub(crate) struct $name(String);

        impl $name {
            /// The value as given.
            pub(crate) fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = Invalid;

            fn from_str(s: &str) -> Result<Self, Invalid> {
                if $valid(s) {
                    Ok($name(s.to_owned()))
                } else {
                    let shape: fn(&str) -> &'static str = $shape;
                    Err(Invalid {
                        what: $what,
                        shape: shape(s),
                    })
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

checked_string!(
    /// An MFA device: an IAM ARN (`arn:aws:iam::123456789012:mfa/NAME`, any partition) or a
    /// hardware device's serial.
    MfaSerial,
    "MFA device",
    is_mfa_serial,
    |s| {
        // A FIDO security key has an ARN too, but AWS takes codes only from TOTP devices.
        if s.starts_with("arn:") && s.contains(":u2f/") {
            U2F_SHAPE
        } else {
            MFA_SERIAL_SHAPE
        }
    }
);

/// What a FIDO security key's ARN is told.
const U2F_SHAPE: &str = "a virtual or hardware TOTP device's ARN or serial: AWS accepts only \
                         those for MFA on API calls (STS), not a FIDO security key (u2f); add a \
                         virtual MFA device to your IAM user for the CLI";

checked_string!(
    /// The ARN of an IAM role (`arn:aws:iam::123456789012:role/PATH/NAME`, any partition).
    RoleArn,
    "role ARN",
    is_role_arn,
    |_| ROLE_ARN_SHAPE
);

checked_string!(
    /// An AWS region's name (`us-east-1`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`).
    Region,
    "region",
    is_region,
    |_| REGION_SHAPE
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_valid_values_become_the_types() {
        assert_eq!(
            "arn:aws:iam::123456789012:mfa/alice"
                .parse::<MfaSerial>()
                .map(|s| s.to_string()),
            Ok("arn:aws:iam::123456789012:mfa/alice".to_owned())
        );
        assert!("GAHT12345678".parse::<MfaSerial>().is_ok());
        assert_eq!(
            "arn:aws:iam::123456789012:u2f/user/alice/fidosecuritykey-ABCDEFGHIJKLMNOP"
                .parse::<MfaSerial>(),
            Err(Invalid {
                what: "MFA device",
                shape: U2F_SHAPE
            })
        );
        assert_eq!(
            "arn:aws:iam::1234:mfa/me".parse::<MfaSerial>(),
            Err(Invalid {
                what: "MFA device",
                shape: MFA_SERIAL_SHAPE
            })
        );
        assert!(
            "arn:aws:iam::123456789012:role/admin"
                .parse::<RoleArn>()
                .is_ok()
        );
        assert!(
            "arn:aws:iam::123456789012:rol/admin"
                .parse::<RoleArn>()
                .is_err()
        );
        assert!("eu-central-2".parse::<Region>().is_ok());
        assert_eq!(
            "bogus".parse::<Region>().map_err(|e| e.to_string()),
            Err("not a valid region: give a region like us-east-1 or eu-central-2".to_owned())
        );
    }
}
