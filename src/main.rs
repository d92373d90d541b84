use std::process::ExitCode;

fn main() -> ExitCode {
    stsmfa::main()
}
