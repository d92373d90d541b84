//! The one integration test target: every module below runs in a single binary.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod chained;
mod clear;
mod commands;
mod common;
mod conformance;
mod console;
mod differential;
mod editor;
mod hostile;
mod interop;
mod keychain;
mod layout;
mod network;
mod prompt;
mod readme;
mod refresh;
mod release;
mod safety;
mod sends;
mod server;
mod setup;
mod store;
mod writers;
