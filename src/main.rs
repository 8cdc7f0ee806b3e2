//! The `misura` binary: parse, run, exit code. Everything else is in the library.

/// mimalloc instead of the system allocator: DataFusion allocates many small buffers on
/// every thread; mimalloc is faster at it and gives freed memory back to the system sooner.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    misura::cli::main()
}
