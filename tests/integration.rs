//! The one integration test target: every module below runs in a single binary.

mod common;
mod conformance;
mod editor;
