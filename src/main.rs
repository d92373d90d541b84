use std::process::ExitCode;

use stsmfa::{cli, commands, env::Env, output::Output};

fn main() -> ExitCode {
    stsmfa::secret::disable_core_dumps();
    let cli = cli::parse_from(std::env::args_os()).unwrap_or_else(|e| e.exit());
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
