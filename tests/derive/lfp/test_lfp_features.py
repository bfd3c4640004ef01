"""Fourier-feature NTKs: stationarity and the circulant spectrum."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import circulant

from specbias.derive.lfp import features as FF
from specbias.errors import InvalidArgument


def test_symbolic_stationarity():
    d = FF.stationarity()
    assert [s.exprs[0] for s in d.steps[1:3]] == [0, 0]


def test_circulant_spectrum_is_the_eigenvalues_of_the_circulant_matrix():
    B, a = FF.deterministic_features(1.0)
    v = np.arange(16)[:, None] / 16
    row = FF.ff_ntk(v[:1], v, B, a)[0]
    spec = FF.circulant_spectrum(row)
    eig = np.sort(np.linalg.eigvalsh(circulant(row)))
    expected = np.sort(np.concatenate([spec, spec[1:-1]]))
    assert np.allclose(eig, expected, rtol=1e-10, atol=1e-12)


def test_shift_invariance_with_gaussian_features():
    B, a = FF.gaussian_features(3.0, 32, 1)
    v = np.random.default_rng(0).uniform(0, 1, (10, 1))
    K = FF.ff_ntk(v, v, B, a)
    assert np.abs(FF.ff_ntk(v + 0.37, v + 0.37, B, a) - K).max() < 1e-12 * np.abs(K).max()


def test_feature_arguments_are_checked():
    assert FF.deterministic_features(np.inf)[1].tolist() == [1.0] + [0.0] * 15
    with pytest.raises(InvalidArgument, match="sigma"):
        FF.gaussian_features(-1.0, 4, 0)
    with pytest.raises(InvalidArgument, match="power p"):
        FF.deterministic_features(-1.0)
    with pytest.raises(InvalidArgument, match="dimension"):
        FF.features(np.zeros((3, 2)), np.zeros((4, 1)), np.ones(4))
