"""Fourier-domain theory of the frequency principle (claims L1-L8, P3).

Every transform here uses the convention of the lecture (seeds/003,
$\\hat f(k) = \\int f(x) e^{-i 2\\pi k x} dx$):

    F[f](xi) = integral of f(x) exp(-2 pi i xi x) dx,    F^{-1}[g](x) = integral of g(xi) exp(2 pi i xi x) dxi,

so that F[f'](xi) = 2 pi i xi F[f](xi) and F[x f](xi) = (i / 2 pi) d/dxi F[f](xi).

* :mod:`~specbias.derive.lfp.transforms`: transforms of |x|^a, ReLU, the Heaviside step,
  sech^2 and tanh (as distributions, stated away from xi = 0), with numeric references;
* :mod:`~specbias.derive.lfp.multiplier`: the LFP multiplier of h(x) = sum_i w_i sigma(r_i (x + l_i))
  derived from its NTK (ReLU and tanh), the exact NTK for uniform l, and the comparison with
  Luo et al. (arXiv:2010.08153);
* :mod:`~specbias.derive.lfp.ddim`: the same network in d dimensions (claim L3);
* :mod:`~specbias.derive.lfp.variational`: the long-time limit as a variational problem and its
  two spline limits (L4);
* :mod:`~specbias.derive.lfp.fpnorm`: the FP-norm and the a priori bound (L5);
* :mod:`~specbias.derive.lfp.kernel_flow`: identities of kernel gradient flow (L6-L8);
* :mod:`~specbias.derive.lfp.features`: Fourier-feature NTKs (P3).
"""
