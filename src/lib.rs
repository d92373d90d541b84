//! stsmfa: short-term AWS session credentials from long-term keys and an MFA code, kept in the
//! shared credentials file without losing a byte of it.

pub mod aws;
pub mod cli;
pub mod commands;
pub mod credentials;
pub mod env;
pub mod error;
pub mod hash;
pub mod ini;
pub mod keychain;
pub mod keys;
pub mod output;
pub mod profile;
pub mod secret;
pub mod session;
pub mod settings;
pub mod shell;
pub mod store;
pub mod timeouts;
pub mod token;
