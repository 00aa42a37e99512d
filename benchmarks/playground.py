"""Frames per second of the playground (training + a full heatmap), server and browser together.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/playground.py

Starts ``glassnet playground --no-browser`` in a child process (the real server: uvicorn,
one BLAS thread), opens the page in Debian's headless chromium through Playwright, presses
play and counts the frames the page draws over a window. Each frame is
``steps_per_frame`` (5) mini-batch steps of 10 rows, the full 64 x 64 heatmap, every
hidden unit's map, the weights, the gradients and the scores. The server's CPU share is
its process's user + system time over the window (100% = one core). The figures go to
``benchmarks/playground.md``. Targets (issue 19): 30 frames/s for 2-8-8-1 on 500 points,
15 for six hidden layers of 16.
"""

import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from chromium import launched  # Debian's chromium and its flags, as the tests launch it

WARMUP_SECONDS = 3.0
WINDOW_SECONDS = 10.0
CASES = {
    "2-8-8-1, moons, 500 points": "#data=moons&points=500&hidden=8,8&activations=relu,relu",
    "2-16x6-1, moons, 500 points": "#data=moons&points=500&hidden=16,16,16,16,16,16"
    "&activations=relu,relu,relu,relu,relu,relu",
}
TARGETS = {"2-8-8-1, moons, 500 points": 30, "2-16x6-1, moons, 500 points": 15}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(page, url: str, server_pid: int) -> tuple[float, float, float]:
    """(frames per second, server CPU share of one core, steps per second) of one case."""
    page.goto(url)
    page.wait_for_function("() => globalThis.glassnetPlayground?.state.frame")
    page.get_by_test_id("play").click()
    time.sleep(WARMUP_SECONDS)
    state = "globalThis.glassnetPlayground.state"
    frames0, steps0 = page.evaluate(f"() => [{state}.frames, {state}.frame.header.step]")
    cpu0, start = cpu_seconds(server_pid), time.perf_counter()
    time.sleep(WINDOW_SECONDS)
    frames1, steps1 = page.evaluate(f"() => [{state}.frames, {state}.frame.header.step]")
    cpu1, seconds = cpu_seconds(server_pid), time.perf_counter() - start
    page.get_by_test_id("pause").click()
    return (frames1 - frames0) / seconds, (cpu1 - cpu0) / seconds, (steps1 - steps0) / seconds


def main() -> None:
    port = free_port()
    command = [sys.executable, "-m", "glassnet", "playground", "--no-browser", "--port", str(port)]
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    rows = []
    try:
        time.sleep(3.0)
        with launched() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            for name, hash_ in CASES.items():
                fps, cpu, steps = measure(page, f"http://127.0.0.1:{port}/{hash_}", server.pid)
                rows.append((name, fps, cpu, steps))
                print(
                    f"{name}: {fps:.1f} frames/s, server CPU {100 * cpu:.0f}% of a core, "
                    f"{steps:.0f} steps/s",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(10)
    write_report(rows)


def write_report(rows: list[tuple[str, float, float, float]]) -> None:
    blas = [
        f"{pool['internal_api']} {pool.get('version')} ({pool.get('architecture')}, "
        f"{pool['num_threads']} threads here; the server runs with 1)"
        for pool in threadpool_info()
        if pool["user_api"] == "blas"
    ]  # the BLAS NumPy (version {np.__version__}) loaded, as the server's
    blas.append(f"NumPy {np.__version__}")
    load = os.getloadavg()
    lines = [
        "# The playground's frame rate",
        "",
        "`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/playground.py`: the real",
        "server (`glassnet playground --no-browser`, a child process) and Debian's headless",
        "chromium on the same machine; the page plays for "
        f"{WARMUP_SECONDS:.0f} s, then frames are counted for {WINDOW_SECONDS:.0f} s.",
        "A frame is 5 mini-batch steps (batch 10, Adam, train part 50%), the full 64 x 64",
        "heatmap, every hidden unit's 16 x 16 map, W, dW, dZ and the scores, drawn by the page,",
        "which then acknowledges it. Server CPU: its process's user + system time over the",
        "window (100% = one core).",
        "",
        "| network | frames/s | target | steps/s | server CPU |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, fps, cpu, steps in rows:
        lines.append(f"| {name} | {fps:.1f} | {TARGETS[name]} | {steps:.0f} | {100 * cpu:.0f}% |")
    lines += [
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {load[0]:.1f} at the end (cores shared with other work); "
        f"Python {platform.python_version()}; BLAS: {'; '.join(blas)}.",
        "",
    ]
    Path(__file__).with_suffix(".md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
