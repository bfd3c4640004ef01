"""Mathematics behind the training-dynamics and sampling claims (no torch).

* :mod:`.rashomon`: the Poisson problem Δg = f with g ∈ C²₀(−1, 1), κ = sup |∫_{w·x=b} g|, the
  Gram integrals of ReLU ridges σ(wx − b) and the Rashomon bound of Z11.
* :mod:`.monte_carlo`: var(g) of product integrands and RKHS norms of random-feature targets (E2).
* :mod:`.stability`: the mean-square multiplier of SGD on a quadratic (E4).
"""
