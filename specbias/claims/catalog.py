"""The claims catalog: every statement under audit, keyed by its stable id.

The statements come from lecture slides (plain text extracted from PDFs, some formulas wrong);
each entry cites its lecture and the paper behind it. A statement here is what is *audited*,
never an expected answer. Statements are prose with inline math in ``$...$``, so that the
reports and the PDF typeset them as mathematics; ``CLAIMS.md`` at the top of the repository
is generated from this module (:func:`catalog_markdown`; a test keeps them equal).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A lecture and the paper(s) behind its claims."""

    letter: str
    lecture: str
    papers: tuple[str, ...]


SOURCES = {
    "Z": Source("Z", 'H. Zhao, "Numerical Analysis 101 for Neural Networks" (lecture slides, '
                     "joint work with S. Zhang, H. Zhou and Y. Zhong)",
                ("S. Zhang, H. Zhao, Y. Zhong, H. Zhou, \"Why Shallow Networks Struggle to "
                 "Approximate and Learn High Frequencies\", arXiv:2306.17301",)),
    "E": Source("E", 'W. E, "Towards a Mathematical Theory of Machine Learning" (lecture slides, '
                     "joint work with C. Ma, S. Wojtowytsch and L. Wu)",
                ("W. E, C. Ma, L. Wu, \"A comparative analysis of optimization and generalization "
                 "properties of two-layer neural network and random feature models under gradient "
                 "descent dynamics\", Sci. China Math. 63 (2020), arXiv:1904.04326",
                 "L. Wu, C. Ma, W. E, \"How SGD Selects the Global Minima in Over-parameterized "
                 "Learning: A Dynamical Stability Perspective\", NeurIPS 2018")),
    "B": Source("B", 'A. Lucchi, "Frequency Bias in Neural Networks for Input of Non-Uniform '
                     'Density" (lecture slides)',
                ("R. Basri, M. Galun, A. Geifman, D. Jacobs, Y. Kasten, S. Kritchman, \"Frequency "
                 "Bias in Neural Networks for Input of Non-Uniform Density\", ICML 2020, "
                 "arXiv:2003.04560",
                 "S. Arora, S. Du, W. Hu, Z. Li, R. Wang, \"Fine-Grained Analysis of Optimization "
                 "and Generalization for Overparameterized Two-Layer Neural Networks\", ICML 2019")),
    "L": Source("L", 'Y. Zhang, "Frequency Principle / Spectral Bias" (FAU MoD course slides, 2025)',
                ("Z.-Q. J. Xu, Y. Zhang, T. Luo, Y. Xiao, Z. Ma, \"Frequency Principle: Fourier "
                 "Analysis Sheds Light on Deep Neural Networks\", Commun. Comput. Phys. 28 (2020), "
                 "arXiv:1901.06523",
                 "Y. Zhang, T. Luo, Z. Ma, Z.-Q. J. Xu, \"A linear frequency principle model to "
                 "understand the absence of overfitting in neural networks\", Chinese Phys. Lett. "
                 "38 (2021), arXiv:1905.10264",
                 "T. Luo, Z. Ma, Z.-Q. J. Xu, Y. Zhang, \"On the exact computation of linear "
                 "frequency principle dynamics and its generalization\", SIAM J. Math. Data Sci. 4 "
                 "(2022), arXiv:2010.08153")),
    "P": Source("P", 'P. Perdikaris, "Spectral bias", Lecture 20 of ENM 531 (2021)',
                ("A. Jacot, F. Gabriel, C. Hongler, \"Neural Tangent Kernel\", NeurIPS 2018",
                 "N. Rahaman et al., \"On the Spectral Bias of Neural Networks\", ICML 2019",
                 "M. Tancik et al., \"Fourier Features Let Networks Learn High Frequency Functions "
                 "in Low Dimensional Domains\", NeurIPS 2020, arXiv:2006.10739")),
}


@dataclass(frozen=True)
class Claim:
    """One claim: its id, its topic (a few words) and its statement (prose with ``$...$``)."""

    id: str
    topic: str
    statement: str

    @property
    def source(self) -> Source:
        return SOURCES[self.id[0]]


_ENTRIES = (
    # --- Zhao -----------------------------------------------------------------------------
    ("Z1", "Gram entries of the ReLU basis",
     r"Setting: $h(x) = \sum_i a_i \sigma(x - b_i)$ on $D = (-1, 1)$, $\sigma = \mathrm{ReLU}$. "
     r"The Gram entries are $G_{ij} = \int_D \sigma(x - b_i)\,\sigma(x - b_j)\,dx"
     r" = \frac{\left\vert b_i - b_j \right\vert^{3}}{12}$ "
     r"$+ \frac{(2 - b_i - b_j)\left(2(1 - b_i)(1 - b_j) - (b_i - b_j)^{2}\right)}{12}$, "
     r"and the continuous kernel $\mathcal{G}(x, y)$ has the same form."),
    ("Z2", "Eigen-ODE of the continuous Gram operator",
     r"The eigenpairs of $\mathcal{G}$ satisfy $\varphi'''' = \mu^{-1} \varphi$ on $(-1, 1)$ with "
     r"$\varphi(1) = \varphi'(1) = \varphi''(-1) = \varphi'''(-1) = 0$; $\mu_k = O(k^{-4})$; the "
     r"leading eigenfunctions mix exponentials and Fourier modes, later ones are essentially "
     r"Fourier modes."),
    ("Z3", "Discrete vs continuous spectrum, quasi-even biases",
     r"For quasi-evenly spaced $b_i = -1 + 2(i - 1)/n + o(1/n)$, the Gram matrix eigenvalues "
     r"satisfy $\left\vert \lambda_k - \frac{n}{2}\mu_k \right\vert \le C = O(1)$."),
    ("Z4", "Discrete vs continuous spectrum, random biases",
     r"For $b_i$ i.i.d. with a density $\rho$ bounded above and below, "
     r"$\left\vert \lambda_k - \frac{n}{2}\mu_k \right\vert \le \frac{C n}{k^{4}}"
     r"\sqrt{\frac{k}{n}} \log\frac{1}{p}$ with probability $1 - p$."),
    ("Z5", "Eigenvalue decay in $d$ dimensions",
     r"For the kernel of $\sigma(w \cdot x - b)$, $w \in S^{d-1}$: "
     r"$c_1 k^{-(d+3)/d} \le \lambda_k \le c_2 k^{-(d+3)/d}$; for $\sigma^k$ (ReLU to the power "
     r"$k$) $\lambda_k = O(k^{-(d+k+2)/d})$; for analytic activations ($\tanh$, sigmoid) the decay "
     r"is faster than any polynomial."),
    ("Z6", "Precision cutoff",
     r"With machine precision $\varepsilon$ the eigenvalue threshold is $n \varepsilon "
     r"\lambda_1$; about $\varepsilon^{-d/(d+3)}$ eigenmodes, i.e. Fourier modes up to "
     r"$k_d = \varepsilon^{-1/(d+3)}$, can be resolved. Table: single precision "
     r"$\varepsilon = 2^{-23}$: $k_1 \simeq 54$, $k_2 \simeq 25$, $k_3 \simeq 14$, $k_{10} = 4$; "
     r"double precision $\varepsilon = 2^{-52}$: $k_1 \simeq 8192$, $k_2 \simeq 1351$, "
     r"$k_3 \simeq 411$, $k_{10} = 16$. Widening the network does not help once the $b_i$ "
     r"reach a certain density."),
    ("Z7", "Table 1: least squares for $\\arctan(25x)$",
     r"Least-squares errors (MAX, MSE) for $f(x) = \arctan(25x)$ with sufficient samples, NN "
     r"(ReLU basis) vs FEM (hat basis), uniform vs adaptive biases, float32 vs float64, "
     r"$n = 100$ and $1000$ (the numbers are in Table 1 of the slides). Adaptive biases: "
     r"$F(x) = \int_{-1}^{x} \left\vert f' \right\vert / \int_{-1}^{1} \left\vert f' "
     r"\right\vert$, $F(b_i) = (i - 1)/(n - 1)$."),
    ("Z8", "Stability of the least-squares fit",
     r"The two-layer ReLU least-squares fit is stable to noise in the data and to "
     r"over-parametrization (1000 samples, 1500 biases)."),
    ("Z9", "Training dynamics per Fourier mode",
     r"Under the gradient flow of $E = \frac{1}{2}\left\Vert h - f \right\Vert^{2}$ ($a$ and $b$ "
     r"trained) it takes at least $O(m)$ time steps to halve the initial error in Fourier mode "
     r"$m$; $O(m^{2})$ under mild conditions; $O(m^{3})$ with fixed biases; smoother activations "
     r"are slower; Adam behaves similarly at first."),
    ("Z10", "Distributional identities",
     r"$\partial_x^{2} \sigma(x - b) = \partial_b^{2} \sigma(x - b) = \delta(x - b)$; in $d$ "
     r"dimensions $\Delta_x \sigma(w \cdot x - b) = \delta(w \cdot x - b)$ for "
     r"$\left\vert w \right\vert = 1$."),
    ("Z11", "Rashomon set",
     r"$P(R_\varepsilon) \le \exp\left(-\frac{n (1 - \varepsilon)^{2} \left\Vert f "
     r"\right\Vert^{4}}{2 A^{2} \kappa^{2}}\right)$ with $\kappa = \sup \int_{w \cdot x = b} g "
     r"\, dH^{d-1}$, $\Delta g = f$; for $f$ oscillating with frequency $\nu$ in all directions "
     r"$\kappa \approx \nu^{-2}$."),
    # --- E ------------------------------------------------------------------------------------
    ("E1", "Random-feature kernel",
     r"$k(x, x') = \mathbb{E}_{w \sim \pi_0}[\sigma(w^{T} x) \sigma(w^{T} x')]$; for ReLU and "
     r"Gaussian $w$ this is the degree-1 arc-cosine kernel (derived in closed form with the "
     r"slides' scaling $w \sim N(0, I/d)$)."),
    ("E2", "Monte Carlo and random-feature rates",
     r"$\mathbb{E}(I(g) - I_m(g))^{2} = \mathrm{var}(g)/m$; the random-feature approximation "
     r"error is $\lesssim \left\Vert f \right\Vert_{H_k}/\sqrt{m}$."),
    ("E3", "Conventional scaling and the NTK-regime bound",
     r"The Gram matrix $K_{ij} = \frac{1}{n} \mathbb{E}_{w \sim N(0, I/d)}[\sigma(w^{T} x_i) "
     r"\sigma(w^{T} x_j)]$ and the bound $\hat{R}_n(t) \le e^{-m \lambda_n t} \hat{R}_n(0)$ in "
     r"the NTK regime."),
    ("E4", "Linear stability of gradient descent",
     r"A minimum is stable for GD only if $\lambda_1(H) \le 2/\eta$ (edge of stability: the "
     r"sharpness settles near $2/\eta$); for SGD, $(1 - \eta a)^{2} + \eta^{2} s^{2}/B \le 1$."),
    # --- Basri et al. ------------------------------------------------------------------------
    ("B1", "Two-layer ReLU NTK (Eq. 7 of the slides)",
     r"First layer trained, $w(0) \sim N(0, I)$, unit-norm inputs: $k(x_i, x_j) = "
     r"\mathbb{E}_{w \sim N(0, I)}[x_i^{T} x_j \, 1\{w^{T} x_i \ge 0, w^{T} x_j \ge 0\}] = "
     r"\frac{x_i^{T} x_j (\pi - \arccos(x_i^{T} x_j))}{4\pi}$ (the second equality is said to "
     r"follow from the rotation invariance of the Gaussian)."),
    ("B2", "NTK on the circle with bias",
     r"On $S^{1}$ with bias, in angles: $k(x, z) = \frac{(\cos(x - z) + 1)(\pi - \left\vert x - z "
     r"\right\vert)}{4\pi}$."),
    ("B3", "Deep NTK recursion",
     r"The recursion for $\Sigma^{(h)}$, $\Lambda^{(h)}$, $\dot{\Sigma}^{(h)}$ and "
     r"$\langle b^{(h)}(x), b^{(h)}(x') \rangle \to \prod_{h'} \dot{\Sigma}^{(h')}(x, x')$ "
     r"(Lee et al., Arora et al.)."),
    ("B4", "Eigen-ODE for piecewise-constant densities",
     r"For a piecewise-constant density $p$ on $S^{1}$ the eigenfunctions of "
     r"$\int k(x, z) p(z) f(z) \, dz = \lambda f(x)$ satisfy $f'' = -\frac{p(x)}{\pi \lambda} f$."),
    ("B5", "Eigenfunctions for piecewise-constant densities",
     r"$f(x) = a(p(x)) \cos\left(\frac{q}{Z} \Psi(x) + b(p(x))\right)$ with $\Psi(x) = "
     r"\int_{-\pi}^{x} \sqrt{p}$, $Z = \Psi(\pi)/(2\pi)$; on a region of constant $p_j$ the local "
     r"frequency is $q \sqrt{p_j}/Z$."),
    ("B6", "Eigenvalues for piecewise-constant densities",
     r"$\lambda = Z^{2}\left(\frac{1}{2\pi^{2}} + \frac{1}{8}\right)$ for $q = 0$; "
     r"$Z^{2}\left(\frac{1}{\pi^{2}} + \frac{1}{8}\right)$ for $q = 1$; "
     r"$\frac{Z^{2}(q^{2} + 1)}{\pi^{2}(q^{2} - 1)^{2}}$ for even $q \ge 2$; "
     r"$\frac{Z^{2}}{\pi^{2} q^{2}}$ for odd $q \ge 2$; one eigenfunction for $q = 0$, two for "
     r"each $q > 0$."),
    ("B7", "Convergence time on the circle",
     r"Learning $\cos(\kappa x)$ to accuracy $\delta$ takes $\tilde{O}(\kappa^{2}/p^{*})$ GD "
     r"iterations, $p^{*} = \min p$."),
    ("B8", "Residual dynamics in the NTK eigenbasis (Arora et al.)",
     r"$\left\Vert y - u(t) \right\Vert = \sqrt{\sum_i (1 - \eta \lambda_i)^{2t} (v_i^{T} "
     r"y)^{2}} \pm \varepsilon$ for the NTK Gram matrix $H^{\infty}$."),
    ("B9", "Decay and convergence on the sphere",
     r"On $S^{2}$: eigenvalues decay as $O(\kappa^{-d})$ and convergence takes "
     r"$O(\kappa^{d}/p^{*})$; measured median ratios 1.76, 2.45, 2.99 for density ratios 1:2, "
     r"1:3, 1:4."),
    # --- Zhang --------------------------------------------------------------------------------
    ("L1", "Tanh network in Fourier space",
     r"For $h(x) = \sum_j a_j \tanh(w_j x + b_j)$, $\hat{h}(k) \approx \sum_j a_j "
     r"\exp(i b_j / w_j) \exp(-\left\vert \pi k / (2 w_j) \right\vert)$ (up to constants: "
     r"derive the exact transform)."),
    ("L2", "LFP dynamics in one dimension",
     r"For the two-layer ReLU network $h(x) = \sum_i w_i \mathrm{ReLU}(r_i (x + l_i))$ in the "
     r"NTK regime with widely spread $l_i$: $\partial_t \hat{h}(\xi) = "
     r"-\left[\frac{4\pi^{2} \langle r^{2} w^{2} \rangle}{\xi^{2}} + \frac{\langle r^{2} "
     r"\rangle + \langle w^{2} \rangle}{\xi^{4}}\right] (\hat{h}_p - \hat{f}_p)(\xi)$."),
    ("L3", "LFP in $d$ dimensions",
     r"The multiplier is $\frac{\langle \left\vert r \right\vert^{2} \rangle + \langle w^{2} "
     r"\rangle}{\left\vert \xi \right\vert^{d+3}} + \frac{4\pi^{2} \langle \left\vert r "
     r"\right\vert^{2} w^{2} \rangle}{\left\vert \xi \right\vert^{d+1}}$."),
    ("L4", "Implicit bias of the LFP model",
     r"The long-time LFP solution minimizes $\int \gamma(\xi)^{-1} \left\vert \hat{h} - "
     r"\hat{h}_{\mathrm{ini}} \right\vert^{2}$ subject to $h(X) = Y$; $\xi^{-2}$ dominant gives "
     r"the linear spline, $\xi^{-4}$ dominant the cubic spline; the regime is set by the "
     r"initialization."),
    ("L5", "FP-norm generalization bound",
     r"$L(h_n) \le \left(\left\Vert f \right\Vert_\infty + 2 \left\Vert f \right\Vert_\gamma "
     r"\left\Vert \gamma \right\Vert_{\ell^{2}}\right)\left(\frac{2}{\sqrt{n}} + 4 "
     r"\sqrt{\frac{2 \log(4/\delta)}{n}}\right)$."),
    ("L6", "Initialization bias",
     r"$h_k(\cdot; h_{\mathrm{ini}}, X, Y) = h_k(\cdot; 0, X, Y) + h_{\mathrm{ini}} - "
     r"h_k(\cdot; 0, X, h_{\mathrm{ini}}(X))$, and its expected-risk decomposition."),
    ("L7", "Anti-symmetrical initialization",
     r"$h_{\mathrm{ASI}} = \frac{\sqrt{2}}{2}(h(x, \theta) - h(x, \theta'))$ with "
     r"$\theta'(0) = \theta(0)$ is zero at initialization and has the same NTK."),
    ("L8", "Limit of the linearized gradient flow",
     r"The linearized gradient flow converges to $\mathrm{argmin} \left\Vert \theta - \theta_0 "
     r"\right\Vert$ subject to $h(X, \theta) = Y$."),
    ("L9", "Frequency principle",
     r"Deep networks fit training data from low to high frequency (a tanh network "
     r"200-100-100-50; filtered errors $e_{\mathrm{low}}$ and $e_{\mathrm{high}}$ in high "
     r"dimension)."),
    # --- Perdikaris -----------------------------------------------------------------------------
    ("P1", "NTK training-error decomposition",
     r"As the slide writes it: with $K = Q^{T} \Lambda Q$, $Q^{T}(f(X, \theta(t)) - Y) = "
     r"-e^{\Lambda t} Q^{T} Y$, hence $f(X, \theta(t)) - Y = \sum_i (e^{-\lambda_i t} q_i^{T} Y) "
     r"q_i$; larger eigenvalues are learned faster."),
    ("P2", "Rahaman et al.: lower frequencies first",
     r"Target: a sum of sinusoids with $\kappa = 5, 10, \ldots, 50$, equal amplitudes and random "
     r"phases; lower frequencies are learned first, also when higher ones have larger "
     r"amplitudes."),
    ("P3", "Fourier features",
     r"Fourier features $\gamma(v) = [\cos(2\pi B v), \sin(2\pi B v)]$ make the NTK stationary, "
     r"with a spectrum tuned by the scale of $B$."),
    ("P4", "Kernel regression and the GP posterior mean",
     r"$f(x) = \sum_i (K^{-1} y)_i \, k(x_i, x)$."),
)

CLAIMS: dict[str, Claim] = {cid: Claim(cid, topic, st) for cid, topic, st in _ENTRIES}


def _anchor(cid: str) -> str:
    return cid.lower()


def catalog_markdown() -> str:
    """``CLAIMS.md``: every claim with its lecture and papers (generated; do not edit by hand)."""
    out = ["# The claims catalog", "",
           "Generated from `specbias/claims/catalog.py` (`specbias claims --markdown`); do not edit "
           "by hand.", "",
           "Every statement below comes from lecture slides whose text was extracted from PDFs: "
           "formulas may carry extraction typos and the slides themselves may carry mistakes. "
           "`specbias audit` derives each claim independently, computes references, checks trained "
           "networks where the claim speaks of training, and gives a verdict: `confirmed` (holds "
           "as stated), `corrected` (wrong as stated; the corrected form is given), `approximate` "
           "(holds up to a measured error, asymptotically or over the range measured), "
           "`refuted`, or `unverified` (with the reason). Ids are stable.", ""]
    for letter, src in SOURCES.items():
        out += [f"## {letter}: {src.lecture}", "", "Papers behind the claims:", ""]
        out += [f"- {p}" for p in src.papers] + [""]
        for c in CLAIMS.values():
            if c.id[0] == letter:
                out += [f'<a name="{_anchor(c.id)}"></a>', "",
                        f"**{c.id}. {c.topic}.** {c.statement}", ""]
    return "\n".join(out)


def claim_link(cid: str, prefix: str = "") -> str:
    """Relative link to a claim's entry in ``CLAIMS.md`` (``prefix`` is the path to the repo root)."""
    return f"{prefix}CLAIMS.md#{_anchor(cid)}"


__all__ = ["CLAIMS", "Claim", "SOURCES", "Source", "catalog_markdown", "claim_link"]
