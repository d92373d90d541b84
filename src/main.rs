use std::process::ExitCode;

use clap::Parser as _;
use stsmfa::{cli::Cli, commands, env::Env, output::Output};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = Env::capture();
    let g = &cli.global;
    let out = Output::new(g.quiet, g.verbose, g.color, &env);
    match commands::run(&cli, &env, out) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            out.error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
