#!/usr/bin/env python3
"""Read a pelt run file with nothing but h5py and numpy.

    python3 scripts/read_example.py quickstart.out/run.h5

Prints the mean untransformed potential energy <phi> and kinetic temperature per ladder
temperature (samples after the equilibration steps, as pelt's own summary), then the swap
acceptance of every neighbour pair and the round trips. The layout is in docs/FORMAT.md.
Every series is allocated for the whole run: only rows of steps up to
/parameters/steps_done hold data (all of them once the run has finished).
(On Debian the h5py of scripts/setup.sh belongs to /usr/bin/python3.)
"""

import sys

import h5py
import numpy as np


def main(path):
    with h5py.File(path, "r") as f:
        creator = f["h5md/creator"].attrs
        p = f["parameters"]
        temperatures = f["tempering/temperature"][()]
        equilibration = int(p["equilibration"][()])
        done = int(p["steps_done"][()])
        natoms = int(p["atoms"][()])
        print(
            f"{path}: {creator['name']} {creator['version']}, {len(temperatures)} temperatures, "
            f"{natoms} atoms, epsilon = {p['epsilon'][()]:g}, m = {int(p['m'][()])}"
        )
        print(f"averages over samples after step {equilibration}, up to step {done}")
        # The energies per temperature (pelt 0.6: /pelt/observables; 0.5: /observables).
        observables = f["pelt/observables"] if "pelt" in f else f["observables"]
        unit = observables["T00/potential_energy/value"].attrs["unit"]
        print(f"{'T (K)':>9} {'samples':>8} {'<phi> (' + unit + ')':>16} {'<T_kin> (K)':>12}")
        for name in sorted(observables):
            group = observables[name]
            t = group.attrs["temperature"]
            step = group["potential_energy/step"][()]
            keep = (step > equilibration) & (step <= done)
            phi = group["potential_energy/value"][()][keep]
            tkin = group["temperature/value"][()][keep]
            print(f"{t:9.2f} {keep.sum():8d} {phi.mean():16.6f} {tkin.mean():12.2f}")

        tp = f["tempering"]
        accepted = tp["accepted"][()]
        attempted = tp["attempted"][()]
        print("swap acceptance per neighbour pair:")
        for k in range(len(accepted)):
            rate = accepted[k] / attempted[k] if attempted[k] else float("nan")
            print(
                f"  {temperatures[k]:8.2f} K <-> {temperatures[k + 1]:8.2f} K: "
                f"acceptance {rate:.3f} ({accepted[k]}/{attempted[k]})"
            )
        index_step = tp["index_process/step"][()]
        index = tp["index_process/value"][()][(index_step > 0) & (index_step <= done)]
        print(
            f"{int(tp['exchanges'][()])} exchanges, {index.shape[0]} rows of the index process; "
            f"round trips per replica: {tp['round_trips'][()].tolist()}"
        )
        return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
