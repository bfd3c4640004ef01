"""PyTorch networks in exactly the parametrizations of :mod:`specbias.derive.ntk.kernels`.

Every model takes an explicit ``dtype``, ``device`` and ``seed``; its ``lr_scales`` say by how
much each parameter's gradient is weighted in the NTK (1 everywhere except the standard
parametrization, whose weights learn at rate 1/fan-in; Sohl-Dickstein et al. 2020).
"""

from __future__ import annotations

import contextlib
import math

import torch

from specbias.derive.ntk.arccos import check_activation
from specbias.derive.ntk.kernels import TWO_LAYER, check_depth, check_parametrization, check_variances
from specbias.errors import InvalidArgument, require


def activation_fn(name: str):
    """σ as a torch function (relu2 = ReLU squared; the step has zero gradient a.e.)."""
    name = check_activation(name)
    return {"relu": torch.relu, "relu2": lambda t: torch.relu(t) ** 2, "erf": torch.erf,
            "step": lambda t: (t > 0).to(t.dtype)}[name]


def check_width(width: object) -> int:
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise InvalidArgument(f"width {width!r} must be an integer >= 1")
    return width


@contextlib.contextmanager
def torch_threads(count: int = 1):
    """Run the block with ``count`` intra-op torch threads (restored after).

    Training runs of small networks (a few inputs, thousands of steps) are dominated by
    per-operation overhead: with more than one thread, workers spin between tiny operations
    and cost about ten times the CPU (measured here: 1000 steps of E3's network, 1.4 s of CPU
    with one thread, 14.7 s with two).
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def resolve_device(device: str | None) -> torch.device:
    """``None``/"auto" → CUDA when available, else CPU; "cuda" without CUDA is an error."""
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device not in ("cpu", "cuda"):
        raise InvalidArgument(f"device {device!r} is unknown: use cpu, cuda or auto")
    require(device == "cpu" or torch.cuda.is_available(), "device 'cuda' asked for but CUDA is "
            "not available here: use --device cpu")
    return torch.device(device)


def check_dtype(dtype: object) -> torch.dtype:
    table = {"float32": torch.float32, "float64": torch.float64, torch.float32: torch.float32,
             torch.float64: torch.float64}
    if dtype not in table:
        raise InvalidArgument(f"dtype {dtype!r} is not supported here: use float32 or float64")
    return table[dtype]


class TwoLayer(torch.nn.Module):
    """f(x) = scale Σ_r a_r σ(w_rᵀx [+ b_r]) in one of ``TWO_LAYER`` parametrizations.

    * arora: a_r = ±1 fixed, w_r ~ N(0, I) trained, scale m^(-1/2);
    * basri: as arora plus a bias b_r(0) = 0, trained;
    * random-features: w_r ~ N(0, I/d) frozen, a_r trained (a(0) = 0), scale m^(-1/2).

    ``symmetric=True`` pairs every neuron with a copy of opposite a_r (m must be even), so
    f ≡ 0 at initialization while the NTK keeps its law (Arora et al. 2019, Sec. 4; L7).
    """

    def __init__(self, dim: int, width: int, parametrization: str = "arora",
                 activation: str = "relu", seed: int = 0, dtype=torch.float64, device="cpu",
                 symmetric: bool = False):
        super().__init__()
        width = check_width(width)
        self.parametrization = check_parametrization(parametrization, TWO_LAYER)
        self.sigma = activation_fn(activation)
        require(not symmetric or width % 2 == 0, f"symmetric initialization needs an even width, "
                f"got {width}")
        g = torch.Generator(device="cpu").manual_seed(seed)
        half = width // 2 if symmetric else width
        std = 1 / math.sqrt(dim) if parametrization == "random-features" else 1.0
        w = torch.randn(half, dim, generator=g, dtype=torch.float64) * std
        a = torch.where(torch.rand(half, generator=g) < 0.5, -1.0, 1.0).to(torch.float64)
        if symmetric:
            w, a = torch.cat([w, w]), torch.cat([a, -a])
        kw = dict(dtype=check_dtype(dtype), device=device)
        self.scale = 1 / math.sqrt(width)
        if self.parametrization == "random-features":
            self.register_buffer("w", w.to(**kw))
            self.a = torch.nn.Parameter(torch.zeros(width, **kw))
        else:
            self.w = torch.nn.Parameter(w.to(**kw))
            self.register_buffer("a", a.to(**kw))
            if self.parametrization == "basri":
                self.b = torch.nn.Parameter(torch.zeros(width, **kw))
        self.lr_scales: dict[str, float] = {}

    def features(self, x: torch.Tensor) -> torch.Tensor:
        pre = x @ self.w.T
        if self.parametrization == "basri":
            pre = pre + self.b
        return self.sigma(pre)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.scale * self.features(x) @ self.a


class DeepFC(torch.nn.Module):
    """Fully connected network with ``depth`` hidden layers of ``width`` units, scalar output.

    ntk: h^(l+1) = σ_w n_l^(-1/2) W h + σ_b b with N(0, 1) entries;
    standard: h^(l+1) = W h + b with W ~ N(0, σ_w²/n_l), b ~ N(0, σ_b²), weights at rate 1/n_l.
    Biases exist when ``bias_var`` > 0.
    """

    def __init__(self, dim: int, width: int, depth: int, activation: str = "relu",
                 parametrization: str = "ntk", weight_var: float = 2.0, bias_var: float = 0.0,
                 seed: int = 0, dtype=torch.float64, device="cpu"):
        super().__init__()
        width, depth = check_width(width), check_depth(depth)
        self.parametrization = check_parametrization(parametrization)
        sw2, sb2 = check_variances(weight_var, bias_var)
        self.sigma = activation_fn(activation)
        self.sw, self.sb = math.sqrt(sw2), math.sqrt(sb2)
        g = torch.Generator(device="cpu").manual_seed(seed)
        kw = dict(dtype=check_dtype(dtype), device=device)
        fans = [dim] + [width] * depth
        outs = [width] * depth + [1]
        self.weights = torch.nn.ParameterList()
        self.biases = torch.nn.ParameterList()
        self.lr_scales = {}
        for i, (fan, out) in enumerate(zip(fans, outs)):
            w = torch.randn(out, fan, generator=g, dtype=torch.float64)
            b = torch.randn(out, generator=g, dtype=torch.float64)
            if self.parametrization == "standard":
                w, b = w * self.sw / math.sqrt(fan), b * self.sb
                self.lr_scales[f"weights.{i}"] = 1 / fan
            self.weights.append(torch.nn.Parameter(w.to(**kw)))
            if sb2 > 0:
                self.biases.append(torch.nn.Parameter(b.to(**kw)))
        self.fans = fans

    def forward(self, x: torch.Tensor, shifts: list | None = None) -> torch.Tensor:
        """f(x); ``shifts[l]`` (optional) is added to the pre-activation of hidden layer l + 1,
        so that ∂f/∂shifts[l] is the backward vector b^(l+1)(x) of Arora et al. (2019)."""
        h = x
        for i, w in enumerate(self.weights):
            if i > 0:
                if shifts is not None:
                    h = h + shifts[i - 1]
                h = self.sigma(h)
            if self.parametrization == "ntk":
                h = (self.sw / math.sqrt(self.fans[i])) * h @ w.T
                if len(self.biases):
                    h = h + self.sb * self.biases[i]
            else:
                h = h @ w.T + (self.biases[i] if len(self.biases) else 0)
        return h[..., 0]
