//! A whole run, killed inside a flush and resumed, driven in-process through the library's
//! run driver (`pelt::run::execute`) on a one-rank MPI world. MPI starts once per process,
//! so this file holds a single test.

mod common;

use common::{assert_same_physics, repo, scratch_dir};
use pelt::run::{execute, Ending, Options, RunError};

#[test]
fn a_run_killed_in_a_flush_resumes_to_the_uninterrupted_file() {
    let universe = mpi::initialize().expect("MPI initialises once");
    let world = universe.world();
    let dir = scratch_dir("inproc", "run");
    std::fs::write(
        dir.join("run.toml"),
        format!(
            r#"[system]
structure = "{}"
[potential]
file = "{}"
[landscape]
epsilon = 2e-4
phi0 = "-2.58 eV"
m = 4
[tempering]
t_min = "300 K"
t_max = "600 K"
replicas = 3
steps = 2000
equilibration = 200
swap_interval = 20
seed = 9
[quench]
interval = 100
[output]
energy_interval = 10
positions_interval = 10
velocities = true
checkpoint_interval = 3
"#,
            repo("inputs/structures/al13_ih.xyz").display(),
            repo("inputs/potentials/Al_EA.eam.alloy").display()
        ),
    )
    .unwrap();
    let options = |out: &str, resume: bool| Options {
        input: dir.join("run.toml"),
        output: Some(dir.join(out)),
        force: false,
        resume,
        steps: None,
        progress_every: 30.0,
    };
    let mut never = || false;

    let whole = execute(&world, &options("whole", false), &mut never).unwrap();
    assert!(matches!(whole, Ending::Finished { .. }));

    // The 9th flush dies halfway through its datasets (some rows written, some not).
    pelt::fault::arm(Some(("flush-mid", 9)));
    let e = execute(&world, &options("killed", false), &mut never).unwrap_err();
    assert!(
        matches!(e, RunError::File { .. } | RunError::Fault(_)),
        "{e}"
    );
    assert!(e.to_string().contains("flush-mid"), "{e}");
    pelt::fault::arm(None);
    let c = pelt::output::Checkpoint::read(&dir.join("killed/checkpoint.json")).unwrap();
    // Flushes at steps 0, 60, 120, …: the 9th is that of step 480, so 420 is saved.
    assert_eq!(c.tempering.step, 420);

    let resumed = execute(&world, &options("killed", true), &mut never).unwrap();
    let Ending::Finished { report } = resumed else {
        panic!("the resumed run did not finish")
    };
    assert!(report.contains("averages after step 200"), "{report}");
    assert_same_physics(&dir.join("whole/run.h5"), &dir.join("killed/run.h5"));

    // A stop request ends the run after the next exchange, with a checkpoint.
    let mut asked = 0;
    let mut stop_soon = || {
        asked += 1;
        asked > 40
    };
    let stopped = execute(&world, &options("stopped", false), &mut stop_soon).unwrap();
    let Ending::Stopped { step, .. } = stopped else {
        panic!("a stop request did not stop the run")
    };
    assert_eq!(step, 41 * 20);
    execute(&world, &options("stopped", true), &mut never).unwrap();
    assert_same_physics(&dir.join("whole/run.h5"), &dir.join("stopped/run.h5"));
}
