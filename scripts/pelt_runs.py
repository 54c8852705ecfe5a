"""What the study scripts share (scripts/calibrate_errors.py, scripts/ladder_study.py,
scripts/tg_protocol.py): where pelt is, the environment Open MPI needs as root on a small
machine, and one run followed by its analysis, each skipped when already there."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PELT = os.environ.get("PELT", os.path.join(ROOT, "target", "release", "pelt"))
MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")


def run_and_analyze(folder, input_text, ranks, label, analysis=True):
    """In `folder`: write `input.toml`, `pelt run` it under mpirun into `run/` (unless
    `run/run.h5` is there) and `pelt analyze --no-plots` it into `analysis/` (unless
    `analysis/analysis.json` is there); output to `folder/log`. Returns the run file."""
    run_file = os.path.join(folder, "run", "run.h5")
    done = os.path.join(folder, "analysis", "analysis.json")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "log"), "a") as log:
        if not os.path.exists(run_file):
            inp = os.path.join(folder, "input.toml")
            with open(inp, "w") as f:
                f.write(input_text)
            print(f"== {label}", flush=True)
            cmd = [PELT, "run", inp, "--output", os.path.join(folder, "run")]
            if ranks > 1:
                cmd = ["mpirun", "-np", str(ranks)] + cmd
            subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT, env=MPI_ENV)
        if analysis and not os.path.exists(done):
            subprocess.run([PELT, "analyze", run_file, "-o", os.path.join(folder, "analysis"),
                            "--no-plots", "--force"], check=True, stdout=log,
                           stderr=subprocess.STDOUT)
    return run_file
