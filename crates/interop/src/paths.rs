//! Where the installed peers live, relative to the workspace. A missing
//! peer is a loud failure that says how to install it, never a skip.

use std::path::{Path, PathBuf};

/// The workspace root (two levels above this crate).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// This crate's `peers/` folder (the scripts and their `node_modules`).
pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("peers")
}

/// Where each run writes its result lines: `target/interop-results`.
pub fn results_dir() -> PathBuf {
    workspace().join("target/interop-results")
}

const INSTALL: &str = "run ./scripts/install-peers (needs the PyPI, npm and Debian registries)";

/// The interop venv's python, with aiortc 1.16 in it.
pub fn aiortc_python() -> PathBuf {
    let python = workspace().join("target/interop-venv/bin/python");
    assert!(
        python.exists(),
        "aiortc is not installed: {} is missing; {INSTALL}",
        python.display()
    );
    python
}

/// `node`, with the peers' `node_modules` installed.
pub fn node() -> PathBuf {
    let modules = peers_dir().join("node_modules");
    for package in ["node-datachannel", "playwright-core"] {
        assert!(
            modules.join(package).exists(),
            "{package} is not installed in {}; {INSTALL}",
            modules.display()
        );
    }
    which("node").unwrap_or_else(|| panic!("node is not on PATH; {INSTALL}"))
}

/// Debian's Chromium.
pub fn chromium() -> PathBuf {
    which("chromium").unwrap_or_else(|| panic!("chromium is not on PATH; {INSTALL}"))
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}
