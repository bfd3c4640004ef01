"""verify/fourier_features: the network's NTK tends to the analytic one; its training speed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from specbias.derive.lfp.features import deterministic_features, ff_ntk
from specbias.verify.empirical_ntk import empirical_ntk
from specbias.verify.fourier_features import FourierFeatureNet, feature_run


def test_empirical_ntk_approaches_the_analytic_one():
    B, a = deterministic_features(1.0)
    v = np.arange(8)[:, None] / 8
    K = ff_ntk(v, v, B, a)
    errs = []
    for width in (64, 1024):
        seeds = [np.linalg.norm(empirical_ntk(FourierFeatureNet(B, a, width, seed=s), torch.tensor(v)).numpy() - K)
                 / np.linalg.norm(K) for s in range(3)]
        errs.append(np.mean(seeds))
    # Monte Carlo over the weights: the error falls like width^(-1/2), a factor 4 over these widths
    assert errs[1] < errs[0] / 2


@pytest.mark.slow
def test_training_speed_follows_the_spectrum():
    run = feature_run(1.0, 512, 0)
    assert np.corrcoef(np.argsort(np.argsort(run.measured)), np.argsort(np.argsort(run.analytic)))[0, 1] > 0.9
