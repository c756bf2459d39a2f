//! Panics are bugs: each one is logged (with `tracing`, where the operator
//! looks) and, when `ROOMLINK_PANIC_LOG` names a file, also appended to it
//! with its backtrace,
//! so that a test run can fail when a server under test panicked even
//! though tokio kept the server going (scripts/test.sh checks the file).
//!
//! One kind is kept apart: a *late read*. When a page load is cut off half
//! way (the browser went on to another page, as people and the browser
//! tests do), Leptos 0.8's `<Suspense>` may walk the page's view once more
//! after its reactive owner was disposed (its double-check effect,
//! `leptos::suspense_component`, see leptos-rs/leptos#4851 and #4673), and
//! any signal or router hook read there panics with "already been
//! disposed" or "outside a <Router>". Nobody receives that page any more.
//! The pages read with `try_get` where this was seen; what remains is
//! logged as a warning and appended to `<ROOMLINK_PANIC_LOG>.late-reads`,
//! which the test run counts and prints but does not fail on.

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
        let late = is_late_read(&message);
        match late {
            true => tracing::warn!(%location, %message, "a page's reactive value was read after its load was cut off"),
            false => tracing::error!(%location, %message, "panic"),
        }
        if let Some(path) = std::env::var_os("ROOMLINK_PANIC_LOG").filter(|p| !p.is_empty()) {
            let path = match late {
                true => {
                    let mut path = path;
                    path.push(".late-reads");
                    path
                }
                false => path,
            };
            if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
                // With where it came from: a panic inside a library (a
                // disposed signal, say) names only the library's line.
                let trace = std::backtrace::Backtrace::force_capture();
                let _ = writeln!(file, "panicked at {location}: {message}\n{trace}");
            }
        }
    }));
}

/// True for the messages of a late read (see the module): reactive_graph's
/// disposed value and leptos_router's missing router.
fn is_late_read(message: &str) -> bool {
    message.contains("has already been disposed") || message.contains("outside a <Router> component")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_leptos_disposal_messages_are_late_reads() {
        assert!(super::is_late_read("Tried to access a reactive value that has already been disposed."));
        assert!(super::is_late_read("Tried to access reactive URL outside a <Router> component."));
        assert!(!super::is_late_read("called `Option::unwrap()` on a `None` value"));
        assert!(!super::is_late_read("index out of bounds"));
    }
}
