#!/usr/bin/env python3
"""Write inputs/paper/*.toml: the study's ten cases (Al43 at five epsilon <= 0, m = 6;
Al55 at five epsilon >= 0, m = 4), 24 temperatures 200-1000 K each. Run once; the files
are committed. Python standard library only."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "inputs", "paper")

CASES = [
    # (name, structure, atoms, m, epsilon, timestep fs)
    ("al43_eps0", "al43_gm.xyz", 43, 6, "0.0", 2),
    ("al43_eps-1e-5", "al43_gm.xyz", 43, 6, "-1e-5", 2),
    ("al43_eps-2e-5", "al43_gm.xyz", 43, 6, "-2e-5", 2),
    ("al43_eps-3.4e-5", "al43_gm.xyz", 43, 6, "-3.4e-5", 1),
    ("al43_eps-4e-5", "al43_gm.xyz", 43, 6, "-4e-5", 1),
    ("al55_eps0", "al55_ih.xyz", 55, 4, "0.0", 2),
    ("al55_eps1e-4", "al55_ih.xyz", 55, 4, "1e-4", 2),
    ("al55_eps1.2e-4", "al55_ih.xyz", 55, 4, "1.2e-4", 2),
    ("al55_eps2e-4", "al55_ih.xyz", 55, 4, "2e-4", 2),
    ("al55_eps2.8e-4", "al55_ih.xyz", 55, 4, "2.8e-4", 2),
]

TEMPLATE = """\
# The paper's study, {title}: parallel tempering on 24 temperatures 200-1000 K.
# Written by scripts/make_paper_inputs.py; run all ten with scripts/slurm/paper-array.sbatch
# (24 ranks each), or shortened on a workstation with scripts/paper_short.sh.
# Results, figures and what agrees with the paper: docs/REPRODUCTION.md.
{note}
[system]
structure = "../structures/{structure}"
atoms = {atoms}

[potential]
file = "../potentials/Al_EA.eam.alloy"   # Ercolessi-Adams glue potential

[landscape]
epsilon = {epsilon}                # eV^(1-m)
phi0 = "-2.58 eV"                  # per atom (the paper's value)
m = {m}
allow_force_inversion = {allow}

[dynamics]
timestep = "{dt} fs"{dtnote}
thermostat = "bussi"
tau = "200 fs"                     # gentle: dynamics stays close to Newtonian

[tempering]
t_min = "200 K"                    # geometric ladder, ratio 1.0725
t_max = "1000 K"
replicas = 24
schedule = "deo"
swap_interval = 100
steps = {steps}                 # {ns} ns per replica
equilibration = {eq}            # {eqns} ns
seed = {seed}

[quench]
interval = 10000                   # an inherent structure every {qps} ps
minimizer = "lbfgs"
fmax = "1e-4 eV/A"

[output]
directory = "{name}.out"
energy_interval = 100
positions_interval = 1000          # every {pps} ps (convex hulls); D and hops need swap_interval = 0
velocities = false
checkpoint_interval = 1000
"""

for i, (name, structure, atoms, m, eps, dt) in enumerate(CASES):
    e = float(eps)
    n_steps = 50_000_000 if dt == 2 else 100_000_000  # 100 ns per replica
    note = ""
    allow = "false"
    if atoms == 55 and e > 1.22e-4:
        allow = "true"
        note = ("#\n# epsilon > 1.22e-4: phi_s lies above the icosahedron's energy, so forces reverse\n"
                "# (s <= 0) in the low-energy basin. The paper's Al55 \"glass\" lives in this regime;\n"
                "# the run is allowed on purpose and `pelt analyze` reports the time spent at s <= 0.\n")
    dtnote = ""
    if dt == 1:
        dtnote = "                 # forces near the ground state scaled 2-6x: 1 fs"
    print(name)
    with open(os.path.join(OUT, name + ".toml"), "w") as f:
        f.write(TEMPLATE.format(
            title=f"Al{atoms} at epsilon = {eps}, m = {m}", note=note, structure=structure,
            atoms=atoms, epsilon=eps, m=m, allow=allow, dt=dt, dtnote=dtnote,
            steps=n_steps, ns=n_steps * dt // 1_000_000, eq=n_steps // 10,
            eqns=n_steps * dt // 10_000_000, seed=100 + i, qps=10 * dt, pps=dt, name=name))
