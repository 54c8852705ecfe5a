#!/usr/bin/env python3
"""Compare `pelt energy` with LAMMPS (Debian's `lmp`) for one structure and potential.

    python3 scripts/lammps_compare.py POTENTIAL STRUCTURE.xyz [--pelt target/release/pelt]

Writes a LAMMPS data file of the isolated cluster (non-periodic box), evaluates it with the
pair style that matches the potential's format, and prints |dE| and max |dF| against pelt.
A developer's cross-check (needs `apt-get install lammps`); pelt never depends on LAMMPS.
"""
import argparse, json, os, subprocess, sys, tempfile

STYLE = {".alloy": "eam/alloy", ".fs": "eam/fs", ".eam": "eam"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("potential")
    ap.add_argument("structure")
    ap.add_argument("--pelt", default="target/release/pelt")
    ap.add_argument("--lmp", default="lmp")
    ap.add_argument("--json", help="also write the LAMMPS result as a reference case here")
    ap.add_argument("--description", default="")
    a = ap.parse_args()
    pot = os.path.abspath(a.potential)
    style = next(v for k, v in STYLE.items() if pot.endswith(k))
    lines = open(a.structure).read().split("\n")
    n = int(lines[0])
    pos = [list(map(float, l.split()[1:4])) for l in lines[2 : 2 + n]]
    mass = 26.9815385
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "data"), "w") as f:
            f.write(f"cluster\n\n{n} atoms\n1 atom types\n")
            f.write("-60 60 xlo xhi\n-60 60 ylo yhi\n-60 60 zlo zhi\n\nMasses\n\n")
            f.write(f"1 {mass}\n\nAtoms # atomic\n\n")
            for i, p in enumerate(pos):
                f.write(f"{i+1} 1 {p[0]:.17g} {p[1]:.17g} {p[2]:.17g}\n")
        coeff = f"* * {pot}" if style == "eam" else f"* * {pot} Al"
        inp = f"""units metal
boundary f f f
atom_style atomic
atom_modify map array sort 0 0
read_data {d}/data
pair_style {style}
pair_coeff {coeff}
neighbor 1.0 nsq
thermo_style custom pe
thermo_modify format float %.17g
dump d all custom 1 {d}/forces id fx fy fz
dump_modify d format float %.17g sort id
run 0
"""
        open(os.path.join(d, "in"), "w").write(inp)
        out = subprocess.run([a.lmp, "-in", os.path.join(d, "in"), "-log", os.path.join(d, "log")],
                             capture_output=True, text=True, cwd=d)
        if out.returncode != 0:
            sys.exit(out.stdout + out.stderr)
        log = open(os.path.join(d, "log")).read().split("\n")
        e_lmp = float(log[[i for i, l in enumerate(log) if l.strip() == "PotEng"][0] + 1])
        fl = open(os.path.join(d, "forces")).read().split("\n")
        f_lmp = [list(map(float, l.split()[1:4])) for l in fl[9 : 9 + n]]
    if a.json:
        ver = subprocess.run([a.lmp, "-h"], capture_output=True, text=True).stdout
        ver = next((l.strip() for l in ver.split("\n") if "Simulator - " in l), "LAMMPS")
        ver = "LAMMPS " + ver.split("Simulator - ")[-1]
        json.dump({"generator": f"scripts/lammps_compare.py with Debian's lmp: {ver}",
                   "potential_file": os.path.basename(pot), "pair_style": style,
                   "units": "metal (A, eV, eV/A, amu)", "description": a.description,
                   "natoms": n, "positions": pos, "energy": e_lmp, "forces": f_lmp},
                  open(a.json, "w"), indent=1)
    p = json.loads(subprocess.run([a.pelt, "energy", "--potential", pot, a.structure, "--json"],
                                  capture_output=True, text=True, check=True).stdout)
    de = abs(p["energy"] - e_lmp)
    df = max(abs(x - y) for fa, fb in zip(p["forces"], f_lmp) for x, y in zip(fa, fb))
    print(f"{os.path.basename(pot):18} {os.path.basename(a.structure):14} E_lammps = {e_lmp:.12f}  "
          f"E_pelt = {p['energy']:.12f}  |dE| = {de:.2e} eV  max|dF| = {df:.2e} eV/A")
    return 0 if de < 1e-9 and df < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
