//! Gives libcommbox.so an SONAME carrying the major version, so programs linked against
//! one major version never load an incompatible one (wasmtime#2996, wasmer#2429).

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets it");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcommbox.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
