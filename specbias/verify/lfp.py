"""Wide two-layer networks in the LFP parametrization, trained and measured frequency by frequency.

* :class:`LFPNet`: h(x) = sum_i w_i sigma(r_i (x + l_i)) in one dimension (the lecture's
  form, seeds/003) and sum_i w_i sigma(r_i . x + |r_i| l_i) in d dimensions, with
  r ~ N(0, s_r^2 I), w ~ N(0, s_w^2), l ~ U[-L, L], all trained; :data:`REGIMES` are the
  initializations that put it in the cubic or linear regime of claim L4.
* :class:`AntiSymmetric`: h_ASI = (sqrt(2)/2)(h(x, theta) - h(x, theta')), theta'(0) = theta(0)
  (claim L7): zero output at initialization, the same NTK.
* :func:`train`: full-batch GD (optionally heavy-ball momentum) on (1/2n) sum (h - y)^2 (or a
  log-cosh loss), recording the residual on the training points.
* :func:`nudft`, :func:`efold_times`: the non-uniform DFT of the residual on the training points
  (seeds/003) and the time at which each frequency has decayed by 1/e.
* :func:`neuron_ntk`: the NTK as a mean of per-neuron terms with its Monte Carlo standard error.

The experiments built on them are in :mod:`specbias.verify.lfp_runs`.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
import torch

from specbias.derive.lfp import options
from specbias.derive.lfp.multiplier import check_activation
from specbias.errors import InvalidArgument, require
from specbias.verify.models import check_dtype, check_width

#: (s_r, s_w) of each regime: cubic has <r^2> + <w^2> >> 4 pi^2 <r^2 w^2> xi^2 up to xi ~ 16,
#: linear has the opposite down to xi ~ 0.1 (see specbias.derive.lfp.variational.crossover).
REGIMES = dict(zip(options.REGIMES, ((10.0, 0.01), (3.0, 3.0))))
LOSSES = ("mse", "logcosh")


def check_regime(name: object) -> str:
    if name not in REGIMES:
        raise InvalidArgument(f"regime {name!r} is unknown: use one of {', '.join(REGIMES)}")
    return str(name)


def check_data(X, y=None) -> None:
    """Training data must be finite (and of matching length)."""
    X = np.asarray(X, float)
    require(np.all(np.isfinite(X)), "the inputs contain NaN or inf: pass finite data")
    if y is not None:
        y = np.asarray(y, float)
        require(np.all(np.isfinite(y)), "the targets contain NaN or inf: pass finite data")
        require(len(y) == len(X), f"{len(X)} inputs but {len(y)} targets: pass one target per input")


class LFPNet(torch.nn.Module):
    """h(x) = sum_i w_i sigma(z_i), z_i = r_i (x + l_i) (d = 1) or r_i . x + |r_i| l_i (d > 1).

    As the lecture writes it, without a 1/sqrt(m) factor (``normalized=True`` adds one): the NTK
    is then m times the mean over neurons, and with O(1) parameters each one moves O(1/m) during
    training (lazy training, Chizat, Oyallon, Bach 2019), against O(1/sqrt(m)) with the factor.
    Its large output at initialization is what the anti-symmetrical initialization removes.
    """

    def __init__(self, dim: int, width: int, r_std: float, w_std: float, l_range: float,
                 activation: str = "relu", seed: int = 0, dtype="float64", device="cpu",
                 normalized: bool = False):
        super().__init__()
        width = check_width(width)
        require(isinstance(dim, int) and not isinstance(dim, bool) and dim >= 1,
                f"dimension {dim!r} must be an integer >= 1")
        for what, v in (("r_std", r_std), ("w_std", w_std), ("l_range", l_range)):
            require(isinstance(v, (int, float)) and math.isfinite(v) and v > 0,
                    f"{what} {v!r} must be a finite number > 0")
        self.activation = check_activation(activation)
        self.dim, self.l_range = dim, float(l_range)
        g = torch.Generator(device="cpu").manual_seed(seed)
        kw = dict(dtype=check_dtype(dtype), device=device)
        r = torch.randn(width, dim, generator=g, dtype=torch.float64) * r_std
        w = torch.randn(width, generator=g, dtype=torch.float64) * w_std
        l = (2 * torch.rand(width, generator=g, dtype=torch.float64) - 1) * l_range
        self.r = torch.nn.Parameter(r.to(**kw))
        self.w = torch.nn.Parameter(w.to(**kw))
        self.l = torch.nn.Parameter(l.to(**kw))
        self.scale = 1 / math.sqrt(width) if normalized else 1.0
        self.lr_scales: dict[str, float] = {}
        self.closed_form = True      # train() may use gd_step

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        if self.dim == 1:
            return self.r[:, 0] * (x[:, :1] + self.l)
        return x @ self.r.T + torch.linalg.norm(self.r, dim=1) * self.l

    def _parts(self, x: torch.Tensor):
        """(sigma(z), sigma'(z)) for the pre-activations z of ``x`` (n, m)."""
        z = self.pre_activation(x)
        if self.activation == "relu":
            return torch.relu(z), (z > 0).to(z.dtype)
        act = torch.tanh(z)
        return act, 1 - act ** 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.pre_activation(x)
        act = torch.relu(z) if self.activation == "relu" else torch.tanh(z)
        return self.scale * act @ self.w

    @torch.no_grad()
    def _gradients(self, x, act, der, c) -> tuple:
        """Gradients of sum_i c_i h(x_i) with respect to (w, r, l) in closed form.

        d/dw = sigma(z), d/dr = w sigma'(z) dz/dr, d/dl = w sigma'(z) dz/dl with dz/dr = x + l
        (d = 1) or x + l rhat, and dz/dl = r (d = 1) or |r|. Tests compare with autograd.
        """
        colsum = der.T @ c                                     # sum_i c_i sigma'(z_ij)
        sw = self.scale * self.w
        g_w = self.scale * (act.T @ c)
        if self.dim == 1:
            g_r = (sw * (der.T @ (c * x[:, 0]) + self.l * colsum))[:, None]
            return g_w, g_r, sw * self.r[:, 0] * colsum
        norm = torch.linalg.norm(self.r, dim=1)
        g_r = sw[:, None] * (der.T @ (c[:, None] * x) + (colsum * self.l / norm)[:, None] * self.r)
        return g_w, g_r, sw * norm * colsum

    @torch.no_grad()
    def coefficient_gradients(self, x: torch.Tensor, c: torch.Tensor) -> tuple:
        """Gradients of sum_i c_i h(x_i) with respect to (w, r, l) (no autograd)."""
        act, der = self._parts(x)
        return self._gradients(x, act, der, c)

    @torch.no_grad()
    def descend(self, grads: tuple, lr: float, momentum: float = 0.0) -> None:
        """theta -= lr v with v = momentum v + grad (torch.optim.SGD's heavy ball; v = grad if 0)."""
        if momentum:
            vel = getattr(self, "_velocity", None) or [torch.zeros_like(g) for g in grads]
            grads = self._velocity = [momentum * v + g for v, g in zip(vel, grads)]
        for p, g in zip((self.w, self.r, self.l), grads):
            p -= lr * g

    @torch.no_grad()
    def gd_step(self, x: torch.Tensor, y: torch.Tensor, lr: float, momentum: float = 0.0) -> torch.Tensor:
        """One GD step on (1/2n) sum (h - y)^2; returns the residual h - y before the step."""
        act, der = self._parts(x)
        r = self.scale * act @ self.w - y
        self.descend(self._gradients(x, act, der, r / x.shape[0]), lr, momentum)
        return r

    def moments(self) -> dict[str, float]:
        """The slides' <r^2>, <w^2>, <r^2 w^2> of the current parameters (|r|^2 in d dimensions)."""
        r2 = (self.r.detach() ** 2).sum(1).double()
        w2 = self.w.detach().double() ** 2
        return {"r2": float(r2.mean()), "w2": float(w2.mean()), "r2w2": float((r2 * w2).mean())}


class AntiSymmetric(torch.nn.Module):
    """h_ASI = (sqrt(2)/2)(h(x, theta) - h(x, theta')) with theta'(0) = theta(0) (seeds/003, ASI)."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.a = model
        self.b = copy.deepcopy(model)
        self.lr_scales = {f"{half}.{k}": v for half in "ab" for k, v in getattr(model, "lr_scales", {}).items()}
        self.closed_form = isinstance(model, LFPNet)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (math.sqrt(2) / 2) * (self.a(x) - self.b(x))

    @torch.no_grad()
    def coefficient_gradients(self, x: torch.Tensor, c: torch.Tensor) -> tuple:
        half = math.sqrt(2) / 2
        return self.a.coefficient_gradients(x, half * c), self.b.coefficient_gradients(x, -half * c)

    @torch.no_grad()
    def descend(self, grads: tuple, lr: float, momentum: float = 0.0) -> None:
        self.a.descend(grads[0], lr, momentum)
        self.b.descend(grads[1], lr, momentum)

    @torch.no_grad()
    def gd_step(self, x: torch.Tensor, y: torch.Tensor, lr: float, momentum: float = 0.0) -> torch.Tensor:
        """One GD step of both copies on (1/2n) sum (h_ASI - y)^2; returns h_ASI - y before it."""
        half = math.sqrt(2) / 2
        (act_a, der_a), (act_b, der_b) = self.a._parts(x), self.b._parts(x)
        r = half * (self.a.scale * act_a @ self.a.w - self.b.scale * act_b @ self.b.w) - y
        c = half * r / x.shape[0]
        self.a.descend(self.a._gradients(x, act_a, der_a, c), lr, momentum)
        self.b.descend(self.b._gradients(x, act_b, der_b, -c), lr, momentum)
        return r


def regime_model(regime: str, width: int, l_range: float = 1.5, seed: int = 0, dim: int = 1,
                 antisymmetric: bool = True, dtype="float64", device="cpu") -> torch.nn.Module:
    """An LFPNet initialized in ``regime`` (wrapped in ASI unless ``antisymmetric`` is False)."""
    s_r, s_w = REGIMES[check_regime(regime)]
    net = LFPNet(dim, width, s_r, s_w, l_range, seed=seed, dtype=dtype, device=device)
    return AntiSymmetric(net) if antisymmetric else net


@dataclass
class Trace:
    """Residuals h(x_i, t) - y_i (rows) at gradient-flow times t = lr * step, and final predictions."""

    times: np.ndarray
    residuals: np.ndarray
    predictions: np.ndarray | None = None
    losses: list = field(default_factory=list)


def train(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, lr: float, steps: int,
          record_every: int = 1, momentum: float = 0.0, loss: str = "mse",
          X_eval: torch.Tensor | None = None, progress=None) -> Trace:
    """Full-batch GD on (1/2n) sum (h - y)^2 ('mse') or (1/n) sum log cosh(h - y) ('logcosh')."""
    require(loss in LOSSES, f"loss {loss!r} is unknown: use one of {', '.join(LOSSES)}")
    require(lr > 0 and math.isfinite(lr), f"learning rate {lr!r} must be a finite number > 0")
    require(isinstance(steps, int) and steps >= 0, f"steps {steps!r} must be an integer >= 0")
    check_data(X.detach().cpu().numpy(), y.detach().cpu().numpy())
    closed_form = getattr(model, "closed_form", False) and loss == "mse"
    opt = None if closed_form else torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    n = X.shape[0]
    times, res, losses = [], [], []
    for t in range(steps + 1):
        record = t % record_every == 0 or t == steps
        if closed_form and t < steps:     # the same GD step with closed-form gradients (faster)
            r = model.gd_step(X, y, lr, momentum)
            value = 0.5 * (r ** 2).sum() / n if record else None
        else:
            with torch.set_grad_enabled(t < steps):
                r = model(X) - y
                value = 0.5 * (r ** 2).sum() / n if loss == "mse" else torch.log(torch.cosh(r)).sum() / n
        if record:
            times.append(t * lr)
            res.append(r.detach().cpu().numpy().copy())
            losses.append(float(value.detach()))
        if t == steps:
            break
        if not closed_form:
            opt.zero_grad()
            value.backward()
            opt.step()
        if progress is not None:
            progress()
    preds = None
    if X_eval is not None:
        with torch.no_grad():
            preds = model(X_eval).cpu().numpy()
    return Trace(np.array(times), np.array(res), preds, losses)


def nudft(values: np.ndarray, x: np.ndarray, xis) -> np.ndarray:
    """(1/n) sum_i v_i exp(-2 pi i xi x_i) for each xi (rows of ``values`` are times)."""
    x = np.asarray(x, float).reshape(-1)
    E = np.exp(-2j * np.pi * np.outer(x, np.asarray(xis, float))) / len(x)
    return np.asarray(values) @ E


def efold_times(times: np.ndarray, amplitudes: np.ndarray) -> np.ndarray:
    """First time each column of |amplitudes| falls below 1/e of its start (log-linear interpolation).

    NaN for a column that never does.
    """
    out = []
    for a in np.abs(np.asarray(amplitudes)).T:
        ratio = np.log(a / a[0])
        below = np.nonzero(ratio <= -1)[0]
        if len(below) == 0:
            out.append(np.nan)
            continue
        k = below[0]
        t0, t1, r0, r1 = times[k - 1], times[k], ratio[k - 1], ratio[k]
        out.append(float(t0 + (-1 - r0) * (t1 - t0) / (r1 - r0)))
    return np.array(out)


def neuron_ntk(net: LFPNet, X: np.ndarray, Y: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(mean over neurons of the NTK terms, its standard error) for a ReLU LFPNet, in NumPy.

    Per neuron: ReLU(z)ReLU(z') + g_r . g_r' + g_l g_l' with g_r = w (x + l rhat) H(z) (d > 1) or
    w (x + l) H(z) (d = 1), g_l = w |r| H(z) (or w r H(z)). The NTK of the network is this mean
    divided by m (times scale^2); the standard error is the spread of the terms over sqrt(m).
    """
    require(net.activation == "relu", "neuron_ntk covers ReLU networks only")
    r = net.r.detach().cpu().double().numpy()
    w = net.w.detach().cpu().double().numpy()
    l = net.l.detach().cpu().double().numpy()
    X = np.asarray(X, float)
    Y = X if Y is None else np.asarray(Y, float)

    def grads(Z):
        if net.dim == 1:
            shift = Z[:, :1] + l[None, :]                     # (n, m)
            z = r[None, :, 0] * shift
            h = (z > 0).astype(float)
            return np.maximum(z, 0), (w * shift * h)[..., None], w * r[:, 0] * h
        norm = np.linalg.norm(r, axis=1)
        z = Z @ r.T + norm * l
        h = (z > 0).astype(float)
        vec = Z[:, None, :] + (l / norm)[None, :, None] * r[None, :, :]
        return np.maximum(z, 0), w[None, :, None] * vec * h[..., None], w * norm * h

    a1, v1, b1 = grads(X)
    a2, v2, b2 = grads(Y)
    terms = a1[:, None, :] * a2[None, :, :] + np.einsum("imk,jmk->ijm", v1, v2) + b1[:, None, :] * b2[None, :, :]
    m = terms.shape[-1]
    return terms.mean(-1), terms.std(-1, ddof=1) / math.sqrt(m)


def heavy_ball(H: np.ndarray) -> tuple[float, float, int]:
    """Polyak's heavy-ball (lr, momentum) for the quadratic with Hessian H (here NTK / n), the step
    10 % inside the stable range, and the steps for about e^-13 of the slowest mode: 14 sqrt(kappa) + 200."""
    lam = np.linalg.eigvalsh(H)
    big, small = float(lam.max()), float(lam.min())
    require(small > 0, "the NTK on the training points is singular: use distinct points")
    kappa = big / small
    lr = 0.9 * 4 / (math.sqrt(big) + math.sqrt(small)) ** 2
    beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    return lr, beta, int(14 * math.sqrt(kappa)) + 200
