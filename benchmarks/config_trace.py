"""Follow a run's RunConfig through run_training: which frames hold it, in which modules.

Not a speed benchmark: the count issue #18 asked for (``python benchmarks/config_trace.py``).

A frame "holds the config" when one of its local variables is the RunConfig object
(or a later copy of it: any RunConfig instance). Counts frames (stops) per module,
"climbs" (a return from a config-holding frame into another config-holding frame of
another module) and the calls of the functions that validate or build from it.
"""

import collections
import os
import sys
from types import FrameType
from typing import Any

import palmerpenguins

from glassnet.runs.config import RunConfig
from glassnet.runs.run import run_training

WATCHED = {"check_run", "make_run_optimizer", "training_callbacks"}


def trace(config: RunConfig) -> None:
    stops: collections.Counter[str] = collections.Counter()
    calls: collections.Counter[str] = collections.Counter()
    climbs = 0

    def holds(frame: FrameType) -> bool:
        return any(isinstance(v, RunConfig) for v in frame.f_locals.values())

    def profiler(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal climbs
        if event not in ("call", "return"):
            return
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("glassnet"):
            return
        if event == "call":
            if frame.f_code.co_name in WATCHED:
                calls[frame.f_code.co_name] += 1
            if holds(frame):
                stops[module] += 1
        elif event == "return" and holds(frame):
            back = frame.f_back
            if back is not None and back.f_globals.get("__name__", "") != module and holds(back):
                climbs += 1

    sys.setprofile(profiler)
    try:
        run_training(config)
    finally:
        sys.setprofile(None)
    print(f"modules: {len(stops)}, stops: {sum(stops.values())}, climbs: {climbs}")
    for module, count in sorted(stops.items()):
        print(f"  {module}: {count}")
    print("calls:", dict(calls))


if __name__ == "__main__":
    print("moons, 20 epochs:")
    trace(RunConfig(data="moons", epochs=20))
    csv = os.path.join(os.path.dirname(palmerpenguins.__file__), "data", "penguins.csv")
    print("penguins.csv, target species, the tutorial recipe (RunConfig's default), 5 epochs:")
    trace(RunConfig(data=csv, target="species", epochs=5))
    print("penguins.csv, target species, recipe auto (glassnet train's default for a file):")
    trace(RunConfig(data=csv, target="species", recipe="auto"))
