//! The `misura` binary: parse, run, exit code. Everything else is in the library.

fn main() -> std::process::ExitCode {
    misura::cli::main()
}
