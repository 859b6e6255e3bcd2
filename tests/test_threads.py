"""blas_threads: the OpenBLAS thread count is limited inside the block and restored after."""

import numpy as np
import pytest

from gradclip import threads
from gradclip.threads import blas_threads, set_blas_threads


def _counts():
    return [get() for _, get in threads._openblas()]


def test_limits_and_restores_the_openblas_threads():
    if "openblas" not in str(np.show_config(mode="dicts")).lower():
        pytest.fail("numpy here is expected to use OpenBLAS (numpy's wheels)")
    assert _counts(), "the OpenBLAS numpy loaded was not found in /proc/self/maps"
    was = set_blas_threads(2)          # a count the block must change and restore
    try:
        before = _counts()
        assert before == [2] * len(before)
        with blas_threads(1):
            assert _counts() == [1] * len(before)
        assert _counts() == before
    finally:
        for c in set(was):
            set_blas_threads(c)


def test_products_inside_the_block_are_right():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(40, 700)), rng.normal(size=(700, 30))
    with blas_threads(1):
        got = a @ b
    want = np.array([[sum(a[i, k] * b[k, j] for k in range(700)) for j in range(30)] for i in range(40)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-11)


def test_restored_after_an_error():
    before = _counts()
    with pytest.raises(ZeroDivisionError):
        with blas_threads(1):
            1 / 0
    assert _counts() == before


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "2"])
def test_rejects_a_bad_count(n):
    with pytest.raises(ValueError, match="n must be a positive integer"):
        with blas_threads(n):
            pass


def test_set_blas_threads_sets_the_count_and_returns_the_previous_one():
    before = _counts()
    assert set_blas_threads(1) == before
    assert _counts() == [1] * len(before)
    for c in set(before):
        set_blas_threads(c)
    assert _counts() == before
    with pytest.raises(ValueError, match="n must be a positive integer"):
        set_blas_threads(0)
