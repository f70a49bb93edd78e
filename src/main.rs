//! The `tracker` command: parse the command line, run the command, turn the
//! outcome into an exit code. Everything else lives in the library.

use tracker::{cli::Cli, cmd};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse_args();
    let code = match cmd::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprint!("{}", error.render());
            error.kind.exit_code()
        }
    };
    std::process::ExitCode::from(code.code() as u8)
}
