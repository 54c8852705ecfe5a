//! Named fault-injection points in the paths that write the run file and the checkpoint,
//! for crash tests in the manner of SQLite's: a test arms one point, the run reaches it, and
//! the process dies there as a `SIGKILL` would leave it (no destructor, no flush, no close).
//!
//! Arming: the environment variable `PELT_FAULT=<point>[:<n>]` makes the `n`-th arrival
//! (default 1) at `<point>` abort the process (`std::process::abort`), on every rank that
//! reaches it. In-process tests call [`arm`] instead, which makes the arrival return an
//! error that unwinds the run driver without any of its closing work. Unarmed, a point costs
//! one relaxed atomic load.
//!
//! The points, in the order a checkpoint reaches them, are listed in [`POINTS`]
//! (docs/RELIABILITY.md says what each one interrupts).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Every fault-injection point, in the order one checkpoint of a run reaches them.
pub const POINTS: [&str; 10] = [
    "create-before-rename",
    "flush-start",
    "flush-mid",
    "flush-data-written",
    "flush-before-sync",
    "checkpoint-tmp-written",
    "checkpoint-renamed",
    "marker-written",
    "rebuild-mid-copy",
    "rebuild-before-rename",
];

/// A fault fired in error mode (in-process tests): the run stopped at `point`.
#[derive(Debug, thiserror::Error)]
#[error("fault injected at {0} (a test's simulated crash)")]
pub struct Fault(pub &'static str);

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Abort,
    Error,
}

struct Armed {
    point: String,
    remaining: u64,
    mode: Mode,
}

static ANY: AtomicBool = AtomicBool::new(false);
static ARMED: Mutex<Option<Armed>> = Mutex::new(None);
static FROM_ENV: std::sync::Once = std::sync::Once::new();

fn from_env() {
    FROM_ENV.call_once(|| {
        let Ok(spec) = std::env::var("PELT_FAULT") else {
            return;
        };
        let (point, n) = match spec.split_once(':') {
            Some((p, n)) => (p.to_string(), n.parse().unwrap_or(1)),
            None => (spec.clone(), 1),
        };
        if !POINTS.contains(&point.as_str()) {
            eprintln!(
                "pelt: PELT_FAULT={spec}: no such fault point (known: {})",
                POINTS.join(", ")
            );
            std::process::exit(2);
        }
        *ARMED.lock().unwrap_or_else(|e| e.into_inner()) = Some(Armed {
            point,
            remaining: n.max(1),
            mode: Mode::Abort,
        });
        ANY.store(true, Ordering::SeqCst);
    });
}

/// Arm `point` to fire (in error mode) at its `n`-th arrival in this process; `None`
/// disarms. For in-process tests.
pub fn arm(point: Option<(&'static str, u64)>) {
    from_env();
    let mut a = ARMED.lock().unwrap_or_else(|e| e.into_inner());
    *a = point.map(|(p, n)| Armed {
        point: p.to_string(),
        remaining: n.max(1),
        mode: Mode::Error,
    });
    ANY.store(a.is_some(), Ordering::SeqCst);
}

/// Arrive at `point`: nothing unless it is armed and this is the arrival it waits for.
pub fn point(point: &'static str) -> Result<(), Fault> {
    debug_assert!(POINTS.contains(&point), "unlisted fault point {point}");
    from_env();
    if !ANY.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut a = ARMED.lock().unwrap_or_else(|e| e.into_inner());
    let Some(armed) = a.as_mut() else {
        return Ok(());
    };
    if armed.point != point {
        return Ok(());
    }
    armed.remaining -= 1;
    if armed.remaining > 0 {
        return Ok(());
    }
    let mode = armed.mode;
    *a = None;
    ANY.store(false, Ordering::SeqCst);
    match mode {
        Mode::Abort => {
            eprintln!("pelt: PELT_FAULT: aborting at {point}");
            std::process::abort()
        }
        Mode::Error => Err(Fault(point)),
    }
}
