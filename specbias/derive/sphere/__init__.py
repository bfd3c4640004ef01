"""Kernels on the circle S¹ and the sphere S^(d−1) and the spectra of their integral operators.

* :mod:`.density`: piecewise-constant densities on S¹ (public API).
* :mod:`.circle`: the two-layer NTK with bias on S¹ in angles (B2) under each initialization
  convention, its Fourier coefficients and the uniform-density eigenvalues in closed form.
* :mod:`.assembly`: the exact Galerkin matrix in piecewise Legendre polynomials.
* :mod:`.galerkin`: eigenvalues and eigenfunctions of f ↦ ∫ k(x − z) p(z) f(z) dz for any
  piecewise-constant p, by Rayleigh–Ritz in piecewise Legendre polynomials, with certificates.
* :mod:`.refine`: high-precision symmetric eigenvalues from LAPACK's float64 ones (python-flint).
* :mod:`.ode`: the exact sixth-order differential-delay equation and matching conditions that
  eigenfunctions satisfy (B4), derived from the kernel's singularities.
* :mod:`.local`: local frequencies of eigenfunctions on each piece of the density (B5).
* :mod:`.duals`, :mod:`.funk_hecke`: Gaussian duals of any activation (Hermite coefficients) and
  Funk–Hecke spectra of deep NNGP/NTK kernels on S^(d−1).
"""
