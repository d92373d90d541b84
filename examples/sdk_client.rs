//! A program that uses the Rust AWS SDK as any program would: the default credential chain
//! and STS GetCallerIdentity, `COUNT` times, `PAUSE` seconds apart, printing the account of each
//! answer. `stsmfa exec --server PROFILE -- sdk_client 4 3` shows the chain taking the
//! credential server's sessions.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let count: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let pause: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0.0);
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        eprintln!("cannot start the async runtime");
        return ExitCode::FAILURE;
    };
    runtime.block_on(async {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await;
        let sts = aws_sdk_sts::Client::new(&config);
        for i in 0..count {
            if i > 0 {
                tokio::time::sleep(Duration::from_secs_f64(pause)).await;
            }
            match sts.get_caller_identity().send().await {
                Ok(who) => println!("{}", who.account().unwrap_or_default()),
                Err(e) => {
                    eprintln!(
                        "GetCallerIdentity failed: {}",
                        aws_sdk_sts::error::DisplayErrorContext(&e)
                    );
                    return ExitCode::FAILURE;
                }
            }
        }
        ExitCode::SUCCESS
    })
}
