//! Panics are bugs: each one is logged (with `tracing`, where the operator
//! looks) and, when `ROOMLINK_PANIC_LOG` names a file, also appended to it
//! with its backtrace,
//! so that a test run can fail when a server under test panicked even
//! though tokio kept the server going (scripts/test.sh checks the file).

use std::{io::Write, panic::PanicHookInfo};

/// Installs the panic hook, keeping the default one (the message and
/// backtrace on stderr) in front of it. Panics for which `counts` is false
/// are left to the default hook alone (the tests' own assertions). Call once.
pub fn install(counts: fn(&PanicHookInfo<'_>) -> bool) {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        if !counts(info) {
            return;
        }
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(%location, %message, "panic");
        if let Some(path) = std::env::var_os("ROOMLINK_PANIC_LOG").filter(|p| !p.is_empty()) {
            if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
                // With where it came from: a panic inside a library (a
                // disposed signal, say) names only the library's line.
                let trace = std::backtrace::Backtrace::force_capture();
                let _ = writeln!(file, "panicked at {location}: {message}\n{trace}");
            }
        }
    }));
}
