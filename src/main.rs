//! The `pelt` command: parse the command line, start logging, run, map errors to exit codes.

mod cli;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format(|buf, record| {
            // Under mpirun with more than one rank, every line names its rank.
            let prefix = pelt::parallel::log_prefix();
            writeln!(buf, "[{}{}] {}", prefix, record.level(), record.args())
        })
        .init();
    match cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<cli::Reported>().is_some() => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
