"""Hidden check of lab2's vectorised feedforward (grade cell test_vectorised, 2 points).

The time is measured inside the kernel (no transfer counted): a network with 2 inputs and 4 hidden neurons,
the default sigmoid, on 100,000 samples, after a warm-up; a run over the limit is repeated (best of up to 3)
unless it is far over, so a noisy moment does not fail a vectorised feedforward and a loop costs one run. A
small hidden layer keeps the matrix work cheap, so the time is dominated by how the samples are visited.
Measured on a busy 2-core machine: the answer key 9-15 ms, the same code with a Python loop over the samples
(examples/lab2_ann.py, samir) 1.4-1.5 s. The limit, 0.3 s, leaves a margin of about 20x on one side and 5x
on the other.
"""

import pytest

pytestmark = pytest.mark.grade_cell("test_vectorised")

SAMPLES = 100_000
LIMIT_SECONDS = 0.3

TIMING = f"""
def _ag_time_feedforward():
    import time
    import numpy
    network = TwoLayerNetwork(2, 4, seed=0)
    X = numpy.random.default_rng(0).normal(size=({SAMPLES}, 2))
    network.feedforward(X[:10])
    best, out = float("inf"), None
    for _ in range(3):
        start = time.perf_counter()
        out = network.feedforward(X)
        best = min(best, time.perf_counter() - start)
        if best < {LIMIT_SECONDS} or best > {3 * LIMIT_SECONDS:g}:
            break
    return best, int(numpy.size(out)), bool(numpy.all(numpy.isfinite(numpy.asarray(out, dtype=float))))
"""


@pytest.mark.points(2)
@pytest.mark.time_limit(30)
def test_feedforward_is_vectorised(sub):
    """feedforward on a batch of 100,000 samples takes under 0.3 s (no Python loop over the samples)"""
    sub.exec(TIMING)
    seconds, size, finite = sub.call("_ag_time_feedforward")
    assert size == SAMPLES, f"feedforward on {SAMPLES:,} samples should return {SAMPLES:,} outputs, got {size:,}"
    assert finite, f"feedforward on {SAMPLES:,} samples returned values that are not finite numbers"
    assert seconds < LIMIT_SECONDS, (
        f"feedforward took {seconds:.2f} s for {SAMPLES:,} samples (2 inputs, 4 hidden neurons); it should take "
        f"under {LIMIT_SECONDS} s: compute the whole batch with matrix products, without a Python loop over the samples"
    )
