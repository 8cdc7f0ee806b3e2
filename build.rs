//! Rebuild when the embedded directories change: `include_dir!` cannot tell Cargo on stable.

fn main() {
    println!("cargo:rerun-if-changed=queries");
    println!("cargo:rerun-if-changed=datasets/sample");
}
