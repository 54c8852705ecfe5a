#!/usr/bin/env python3
"""The T_g protocol study (docs/REPRODUCTION.md, "Where the paper's T_g comes from").

Runs one case of inputs/paper/ three ways and applies the paper's T_g recipe to each:

  fixed      every temperature of the ladder on its own, no swaps, each started from the
             ground state (the structure of the input), observed for NS ns after 50 ps;
  ramp       stepwise heating: one temperature after the other, coldest first, each started
             from the last configuration of the one below, observed for NS ns after 50 ps;
  tempering  parallel tempering (equilibrium), NS ns per replica after NS ns dropped.

For every protocol it writes <out>/<case>/<protocol>_<NS>ns/table.csv (T, <phi>, Delta R and
their standard errors, from the run file with h5py) and adds a row to <out>/tg_table.csv:
T_g from <phi> and from Delta R by pelt's two-line rule (docs/ANALYSIS.md), the bootstrap
95 % interval, and the window range (T_g over fit windows dropping up to two temperatures at
either end). Runs that finished are not run again, so the study can be extended.

    python3 scripts/tg_protocol.py al43_eps0 --ns 1 10 --protocols fixed ramp tempering
    python3 scripts/tg_protocol.py --plot            # figures from <out>/*/*/table.csv

Needs a python with h5py and numpy, and matplotlib for --plot: the project's .venv/bin/python
(scripts/setup.sh) has them all; the Debian python3 has h5py and numpy. Also mpirun and a release
build of pelt (cargo build --release).
"""
import argparse
import csv
import os
import re
import subprocess
import sys

import h5py
import numpy as np

from pelt_runs import MPI_ENV, PELT, ROOT
THERMALISE_PS = 50.0
MIN_POINTS = 3  # pelt's stats::MIN_POINTS_PER_LINE


def set_key(text, key, value):
    """Replace the line `key = ...` of a TOML text (the paper inputs have unique keys)."""
    new, n = re.subn(rf"^{key}\s*=.*$", f"{key} = {value}", text, flags=re.M)
    if n != 1:
        sys.exit(f"tg_protocol: key {key!r} found {n} times in the input")
    return new


def make_input(case, out, **keys):
    """The case's input with `keys` replaced, paths made absolute, written to out/input.toml."""
    text = open(os.path.join(ROOT, "inputs", "paper", case + ".toml")).read()
    text = text.replace('"../', '"' + os.path.join(ROOT, "inputs") + "/")
    if "temperatures" in keys:
        for k in ("t_min", "t_max", "replicas"):
            text = re.sub(rf"^{k}\s*=.*\n", "", text, flags=re.M)
        text = text.replace("[tempering]\n", "[tempering]\ntemperatures = %s\n" % keys.pop("temperatures"))
    for k, v in keys.items():
        text = set_key(text, k, v)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "input.toml")
    with open(path, "w") as f:
        f.write(text)
    return path


def timestep_fs(case):
    text = open(os.path.join(ROOT, "inputs", "paper", case + ".toml")).read()
    return float(re.search(r'^timestep\s*=\s*"([0-9.eE+-]+) fs"', text, re.M).group(1))


def ladder(case):
    """The case's 24 temperatures, from the input's geometric ladder."""
    text = open(os.path.join(ROOT, "inputs", "paper", case + ".toml")).read()
    lo = float(re.search(r'^t_min\s*=\s*"([0-9.]+) K"', text, re.M).group(1))
    hi = float(re.search(r'^t_max\s*=\s*"([0-9.]+) K"', text, re.M).group(1))
    k = int(re.search(r"^replicas\s*=\s*(\d+)", text, re.M).group(1))
    return [lo * (hi / lo) ** (i / (k - 1)) for i in range(k)]


def run(inp, out, ranks, log):
    cmd = [PELT, "run", inp, "--output", os.path.join(out, "run"), "--progress-every", "120"]
    if ranks > 1:
        cmd = ["mpirun", "-np", str(ranks)] + cmd
    with open(log, "w") as f:
        subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.STDOUT, env=MPI_ENV)


def block_error(x, blocks=20):
    """Standard error of the mean from `blocks` contiguous blocks."""
    n = len(x) // blocks
    if n < 1:
        return float("nan")
    m = x[: n * blocks].reshape(blocks, n).mean(axis=1)
    return float(m.std(ddof=1) / np.sqrt(blocks))


def series(h5, k):
    """phi and Delta R at temperature k of a run file, after its equilibration (as
    `pelt analyze` drops it) and up to steps_done."""
    done = int(h5["parameters/steps_done"][()])
    drop = int(h5["parameters/equilibration"][()])
    g = h5[f"pelt/observables/T{k:02d}" if f"pelt/observables/T{k:02d}" in h5 else f"pelt/observables/T{k:03d}"]
    step = g["potential_energy/step"][:]
    keep = (step > drop) & (step <= done) & (step >= 0)
    phi = g["potential_energy/value"][:][keep]
    r = g["radii_of_gyration/value"][:][keep]
    return phi, r[:, 2] - r[:, 0]


def row(t, phi, dr, atoms):
    return {"T": t, "phi": phi.mean() / atoms, "phi_err": block_error(phi) / atoms,
            "dR": dr.mean(), "dR_err": block_error(dr), "samples": len(phi)}


def last_frame(path, xyz):
    with h5py.File(path, "r") as h5:
        p = h5["particles/T00/position/value"]
        done = int(h5["parameters/steps_done"][()])
        steps = h5["particles/T00/position/step"][:]
        i = int(np.nonzero((steps >= 0) & (steps <= done))[0][-1])
        x = p[i]
    with open(xyz, "w") as f:
        f.write(f"{len(x)}\nlast frame of {path}\n")
        for a in x:
            f.write(f"Al {a[0]:.10f} {a[1]:.10f} {a[2]:.10f}\n")


def two_lines(x, y):
    """pelt's stats::two_lines: the split with least total squared residual; the crossing."""
    best = None
    for s in range(MIN_POINTS, len(x) - MIN_POINTS + 1):
        a = np.polyfit(x[:s], y[:s], 1)
        b = np.polyfit(x[s:], y[s:], 1)
        sse = ((np.polyval(a, x[:s]) - y[:s]) ** 2).sum() + ((np.polyval(b, x[s:]) - y[s:]) ** 2).sum()
        if best is None or sse < best[0]:
            cross = (b[1] - a[1]) / (a[0] - b[0]) if a[0] != b[0] else float("nan")
            best = (sse, cross)
    if best is None:
        return float("nan")
    c = best[1]
    return c if x[0] <= c <= x[-1] else float("nan")


def tg_with_uncertainty(t, y, err, seed=1, resamples=1000):
    """T_g, the bootstrap 95 % interval (means redrawn within their errors), and the range
    over fit windows that drop 0-2 temperatures at either end."""
    t, y, err = map(np.asarray, (t, y, err))
    tg = two_lines(t, y)
    rng = np.random.default_rng(seed)
    boot = [two_lines(t, y + err * rng.standard_normal(len(y))) for _ in range(resamples)]
    boot = np.array([b for b in boot if np.isfinite(b)])
    lo, hi = (np.percentile(boot, [2.5, 97.5]) if len(boot) > resamples // 2 else (np.nan, np.nan))
    win = [two_lines(t[a:len(t) - b], y[a:len(t) - b]) for a in range(3) for b in range(3)]
    win = [w for w in win if np.isfinite(w)]
    return tg, lo, hi, (min(win) if win else np.nan), (max(win) if win else np.nan)


def write_table(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def read_table(path):
    with open(path) as f:
        return [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f)]


def study(case, protocol, ns, out, ranks):
    dt = timestep_fs(case)
    steps = int(round(ns * 1e6 / dt))
    therm = int(round(THERMALISE_PS * 1e3 / dt))
    folder = os.path.join(out, case, f"{protocol}_{ns:g}ns")
    table = os.path.join(folder, "table.csv")
    if os.path.exists(table):
        return read_table(table)
    temps = ladder(case)
    rows = []
    if protocol == "fixed":
        inp = make_input(case, folder, swap_interval=0, steps=therm + steps, equilibration=therm,
                         checkpoint_interval=1000)
        run(inp, folder, ranks, os.path.join(folder, "log"))
        with h5py.File(os.path.join(folder, "run", "run.h5"), "r") as h5:
            atoms = int(h5["parameters/atoms"][()])
            rows = [row(t, *series(h5, k), atoms) for k, t in enumerate(temps)]
    elif protocol == "ramp":
        start = None
        for k, t in enumerate(temps):
            sub = os.path.join(folder, f"T{k:02d}")
            keys = dict(temperatures=f'["{t:.6f} K"]', swap_interval=0, steps=therm + steps,
                        equilibration=therm, checkpoint_interval=1000)
            if start:
                keys["structure"] = f'"{start}"'
            inp = make_input(case, sub, **keys)
            if not os.path.exists(os.path.join(sub, "done")):
                run(inp, sub, 1, os.path.join(sub, "log"))
                open(os.path.join(sub, "done"), "w").close()
            h5path = os.path.join(sub, "run", "run.h5")
            with h5py.File(h5path, "r") as h5:
                atoms = int(h5["parameters/atoms"][()])
                rows.append(row(t, *series(h5, 0), atoms))
            start = os.path.join(sub, "last.xyz")
            last_frame(h5path, start)
    elif protocol == "tempering":
        inp = make_input(case, folder, steps=2 * steps, equilibration=steps, checkpoint_interval=1000)
        run(inp, folder, ranks, os.path.join(folder, "log"))
        with h5py.File(os.path.join(folder, "run", "run.h5"), "r") as h5:
            atoms = int(h5["parameters/atoms"][()])
            rows = [row(t, *series(h5, k), atoms) for k, t in enumerate(temps)]
    else:
        sys.exit(f"tg_protocol: unknown protocol {protocol!r}")
    write_table(table, rows)
    return rows


def summarise(out):
    lines = []
    for case in sorted(os.listdir(out)):
        cdir = os.path.join(out, case)
        if not os.path.isdir(cdir) or case == "figures":
            continue
        for p in sorted(os.listdir(cdir)):
            table = os.path.join(cdir, p, "table.csv")
            if not os.path.exists(table):
                continue
            r = read_table(table)
            t = [x["T"] for x in r]
            e = tg_with_uncertainty(t, [x["phi"] for x in r], [x["phi_err"] for x in r])
            d = tg_with_uncertainty(t, [x["dR"] for x in r], [x["dR_err"] for x in r])
            protocol, ns = p.rsplit("_", 1)
            lines.append({"case": case, "protocol": protocol, "ns": ns.rstrip("ns"),
                          "tg_phi_K": e[0], "tg_phi_ci_lo": e[1], "tg_phi_ci_hi": e[2],
                          "tg_phi_window_lo": e[3], "tg_phi_window_hi": e[4],
                          "tg_dR_K": d[0], "tg_dR_ci_lo": d[1], "tg_dR_ci_hi": d[2],
                          "tg_dR_window_lo": d[3], "tg_dR_window_hi": d[4]})
    if lines:
        with open(os.path.join(out, "tg_table.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(lines[0]))
            w.writeheader()
            for x in lines:
                w.writerow({k: (f"{v:.1f}" if isinstance(v, float) else v) for k, v in x.items()})
        fmt = lambda v: "–" if not np.isfinite(v) else f"{v:.0f}"
        rng = lambda a, b: "–" if not (np.isfinite(a) and np.isfinite(b)) else f"{a:.0f}–{b:.0f}"
        print("| case | protocol | ns | T_g(φ) K | 95 % CI | window | T_g(ΔR) K | 95 % CI | window |")
        print("|---|---|---|---|---|---|---|---|---|")
        for x in lines:
            print(f"| {x['case']} | {x['protocol']} | {x['ns']} | {fmt(x['tg_phi_K'])} | "
                  f"{rng(x['tg_phi_ci_lo'], x['tg_phi_ci_hi'])} | "
                  f"{rng(x['tg_phi_window_lo'], x['tg_phi_window_hi'])} | {fmt(x['tg_dR_K'])} | "
                  f"{rng(x['tg_dR_ci_lo'], x['tg_dR_ci_hi'])} | "
                  f"{rng(x['tg_dR_window_lo'], x['tg_dR_window_hi'])} |")


def plot(out, figures):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(figures, exist_ok=True)
    for case in sorted(os.listdir(out)):
        cdir = os.path.join(out, case)
        if not os.path.isdir(cdir) or case == "figures":
            continue
        fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
        tables = {p: read_table(os.path.join(cdir, p, "table.csv")) for p in sorted(os.listdir(cdir))
                  if os.path.exists(os.path.join(cdir, p, "table.csv"))}
        # ⟨φ⟩ less the line through the three coldest points of the first table: the excess
        # over the (nearly harmonic) solid, where the protocols differ.
        ref = tables[sorted(tables)[0]]
        a, b = np.polyfit([x["T"] for x in ref[:3]], [x["phi"] for x in ref[:3]], 1)
        for p, r in tables.items():
            t = np.array([x["T"] for x in r])
            for axis, key in zip(ax, ("phi", "dR")):
                y = np.array([x[key] for x in r]) - (a * t + b if key == "phi" else 0.0)
                axis.errorbar(t, y, yerr=[x[key + "_err"] for x in r], marker="o", ms=3,
                              capsize=2, label=p.replace("_", ", "))
        ax[0].set_ylabel("⟨φ⟩ − solid line (eV/atom)")
        ax[1].set_ylabel("ΔR (Å)")
        for a in ax:
            a.set_xlabel("T (K)")
            if case.startswith("al43"):
                a.axvline(520, color="grey", ls=":", lw=1)
            a.legend(fontsize=7)
        fig.suptitle(f"{case}: protocols" + (" (dotted: the paper's T_g ≈ 520 K)"
                                             if case.startswith("al43") else ""))
        fig.tight_layout()
        fig.savefig(os.path.join(figures, f"tg_protocol_{case}.png"), dpi=110)
        plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help="cases of inputs/paper/ (without .toml)")
    ap.add_argument("--ns", type=float, nargs="+", default=[1.0], help="observation times (ns)")
    ap.add_argument("--protocols", nargs="+", default=["fixed", "ramp", "tempering"])
    ap.add_argument("--out", default=os.path.join(ROOT, "tg-protocol.out"))
    ap.add_argument("--ranks", type=int, default=os.cpu_count())
    ap.add_argument("--plot", metavar="FIGURES", nargs="?", const="", default=None,
                    help="write figures (default folder: <out>/figures)")
    a = ap.parse_args()
    if a.cases and not os.path.exists(PELT):
        sys.exit(f"tg_protocol: {PELT} missing: cargo build --release")
    for case in a.cases:
        if not os.path.exists(os.path.join(ROOT, "inputs", "paper", case + ".toml")):
            sys.exit(f"tg_protocol: no inputs/paper/{case}.toml")
        for ns in a.ns:
            for p in a.protocols:
                print(f"== {case} {p} {ns:g} ns", flush=True)
                study(case, p, ns, a.out, a.ranks)
    if os.path.isdir(a.out):
        summarise(a.out)
        if a.plot is not None:
            plot(a.out, a.plot or os.path.join(a.out, "figures"))


if __name__ == "__main__":
    main()
