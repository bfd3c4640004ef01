"""The symbols of the NTK derivations, printed the way the slides write them.

Inputs are vectors ``x`` and ``x'``; formulas about them use their norms and inner product.
:class:`Norm` and :class:`Dot` are SymPy functions that print through the project's printer
(:mod:`specbias.notation`) by SymPy's ``_latex`` hook, as ``\\left\\Vert x \\right\\Vert``
and ``x^{T} x'``: never a Symbol whose name is a formula. Layer kernels are SymPy functions of
``(x, x')`` named by their LaTeX (``\\Sigma^{(h)}``, ``\\dot{\\Sigma}^{(h)}``, ``\\Theta^{(h)}``),
in the indexing of Arora et al. (NeurIPS 2019, Eq. (4)-(6)), which the slides use.
"""

from __future__ import annotations

from functools import lru_cache

import sympy

#: The two input vectors of a kernel.
x, x_prime = sympy.symbols("x x'")
#: The input dimension.
DIM = sympy.Symbol("d", positive=True)


class Norm(sympy.Function):
    """The Euclidean norm of a vector symbol, printed as ``\\left\\Vert x \\right\\Vert``."""

    nargs = 1
    is_real = True
    is_positive = True

    def _latex(self, printer, exp=None):
        body = rf"\left\Vert {printer._print(self.args[0])} \right\Vert"
        return body if exp is None else f"{body}^{{{exp}}}"


class Dot(sympy.Function):
    """The inner product of two vector symbols, printed as ``x^{T} x'``."""

    nargs = 2
    is_real = True

    def _latex(self, printer, exp=None):
        a, b = (printer._print(v) for v in self.args)
        body = f"{a}^{{T}} {b}"
        return body if exp is None else rf"\left({body}\right)^{{{exp}}}"


def layer_kernel(name: str, h: int | str) -> type:
    """The kernel ``name`` of layer ``h`` as an undefined SymPy function of (x, x').

    ``name`` is ``"Sigma"``, ``"Sigmadot"``, ``"Theta"``, printed ``\\Sigma^{(h)}(x, x')``,
    ``\\dot{\\Sigma}^{(h)}(x, x')``, ``\\Theta^{(h)}(x, x')`` (a power as
    ``\\Sigma^{(h)}(x, x')^{2}``).
    """
    head = {"Sigma": r"\Sigma", "Sigmadot": r"\dot{\Sigma}", "Theta": r"\Theta"}[name]
    return _named_function(f"{head}^{{({h})}}")


def kernel_function(name: str = "k") -> type:
    """A kernel as an undefined SymPy function printed ``k(x, x')`` (``name`` is its LaTeX)."""
    return _named_function(name)


@lru_cache(maxsize=None)
def _named_function(latex: str) -> type:
    """An undefined SymPy function printed as ``latex(args)`` (one class per name)."""

    def _latex(self, printer, exp=None):
        body = rf"{latex}\left({', '.join(printer._print(a) for a in self.args)}\right)"
        return body if exp is None else f"{body}^{{{exp}}}"

    return type(latex, (sympy.Function,), {"_latex": _latex})


def layer_angle(h: int | str) -> sympy.Symbol:
    """The angle of the covariance ``Lambda^(h)`` (printed ``\\theta^{(h)}``)."""
    return sympy.Symbol(rf"\theta^{{({h})}}", positive=True)


__all__ = ["DIM", "Dot", "Norm", "kernel_function", "layer_angle", "layer_kernel", "x", "x_prime"]
