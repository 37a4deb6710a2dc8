"""Timing shared by the peer benchmarks (peers_mlp.py, peers_cnn.py)."""
import time


def rounds_of(step, rounds):
    """Best and median seconds per call of `step` over `rounds` rounds of
    about 0.5 s each, after two warm-up calls (compiles, caches), and the
    seconds the first call took over the best (the first call's tracing
    and compiling)."""
    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    step()
    t0 = time.perf_counter()
    step()
    per = max(time.perf_counter() - t0, 1e-6)
    n = max(3, int(0.5 / per))
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        times.append((time.perf_counter() - t0) / n)
    times.sort()
    return times[0], times[len(times) // 2], max(first - times[0], 0.0)
