"""The page's values at build: what Python hands the evaluator is what the page decodes."""

import numpy as np
import pytest

from gradclip.widgets import encoding


@pytest.mark.parametrize("quantum,log", [(None, False), (0.01, False), (1e-3, True), (1.0, False)])
def test_encode_and_decode_gives_the_page_values(quantum, log):
    """The values Python hands the evaluator at build equal what the page decodes, bit for bit."""
    rng = np.random.default_rng(3)
    a = rng.lognormal(size=(7, 50)) * (1 if log else rng.choice([-1, 1], size=(7, 50)))
    a[2, 10:14] = np.nan
    a[4, :3] = np.inf
    a[5] *= 1e6
    spec, page = encoding.encode_and_decode(a, quantum=quantum, log=log)
    assert spec == encoding.encode_array(a, quantum=quantum, log=log)
    decoded = encoding.decode_array(spec)
    assert page.dtype == decoded.dtype == np.float32
    assert np.array_equal(page, decoded, equal_nan=True)
