//! SIGTERM, SIGUSR1 (what SLURM sends before a time limit) and SIGINT (Ctrl-C) ask the run to
//! stop cleanly: finish the current exchange interval, checkpoint, close the file and exit 0.
//! A second SIGINT ends the process at once (the run file and checkpoint stay consistent:
//! docs/FORMAT.md, "Crash consistency").

use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

static SIGNAL: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

/// Install the handlers for SIGTERM, SIGUSR1 and SIGINT.
pub fn install() -> std::io::Result<()> {
    let flag = SIGNAL.get_or_init(|| Arc::new(AtomicUsize::new(0)));
    let interrupted = Arc::new(AtomicBool::new(false));
    // The second SIGINT exits at once (registered first: it looks at the flag before the
    // one below sets it).
    signal_hook::flag::register_conditional_shutdown(SIGINT, 130, Arc::clone(&interrupted))?;
    signal_hook::flag::register(SIGINT, interrupted)?;
    for s in [SIGTERM, SIGUSR1, SIGINT] {
        signal_hook::flag::register_usize(s, Arc::clone(flag), s as usize)?;
    }
    Ok(())
}

/// The signal received so far, if any: "SIGTERM", "SIGUSR1" or "SIGINT".
pub fn received() -> Option<&'static str> {
    match SIGNAL.get()?.load(Ordering::SeqCst) {
        0 => None,
        s if s == SIGTERM as usize => Some("SIGTERM"),
        s if s == SIGUSR1 as usize => Some("SIGUSR1"),
        s if s == SIGINT as usize => Some("SIGINT"),
        _ => Some("a signal"),
    }
}
