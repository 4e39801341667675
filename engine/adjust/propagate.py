"""Edge-aware spreading of sparse values over a photo, guided by its luminance.

The fast global smoother of Min et al. (2014, "Fast global image smoothing based on weighted least
squares"): the weighted-least-squares problem of optimization-based colorization (Levin et al. 2004)
-- neighbours of similar gray should get similar values -- solved as alternating 1D problems along
rows and columns, each a symmetric tridiagonal system solved in linear time, with a smoothing weight
that falls over a few iterations so the separable passes do not streak.

Used as normalized convolution (Knutsson & Westin 1993): spreading seed values times a seed weight,
and the seed weight alone, the ratio is the edge-aware interpolation of the seeds and the spread
weight says how strongly each pixel belongs to them. Linear in the seeds: every hint at once costs
one spreading, whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Propagation:
    """How far hints spread and how strongly luminance edges stop them.

    ``spread``: the smoothing length, as a fraction of the working grid's long side (a hint's weight
    falls by about e along that distance of flat gray). ``edge``: the gray step between neighbours
    (gray in 0..1) at which their coupling falls to 1/e, and to 1/e^4 at twice that. ``prior``: the
    model's prediction weight, relative to a one-pixel hint's weight at its own pixel. ``iterations``: of the
    separable solve.
    Chosen on photos of broad/train (``bench/bench_hints.py --tune``), not on the measured set.
    """

    spread: float = 0.2
    edge: float = 0.08
    prior: float = 0.2
    iterations: int = 3

    def lambdas(self, long_side: int) -> list[float]:
        """The smoothing weight of each iteration (Min et al., eq. 9): larger first, summing to 1.5x."""
        lam = (self.spread * long_side) ** 2
        t = self.iterations
        return [lam * 1.5 * 4 ** (t - 1 - i) / (4**t - 1) for i in range(t)]


class EdgeAwareSpreader:
    """Spreads values over a ``h x w`` grid, edges taken from ``guide`` (float32 ``hxw``, gray in 0..1).

    Each pass's tridiagonal systems depend on the guide alone, so they are factored here, once; a
    spreading is then two sweeps per pass along the grid's columns (rows), each step a few numpy
    operations on all rows (columns) at once: as fast as LAPACK's ``?ptsv`` here, without SciPy
    (which the app's bundle leaves out).
    """

    def __init__(self, guide: np.ndarray, propagation: Propagation) -> None:
        guide = np.asarray(guide, dtype=np.float32)
        self.shape = guide.shape
        self.lambdas = propagation.lambdas(max(self.shape))
        # The coupling of each pixel with its next one along the sweep: ``across[x, y]`` couples
        # (x, y) with (x + 1, y), ``down[y, x]`` couples (x, y) with (x, y + 1); the last ones unused.
        across = np.zeros(self.shape[::-1], np.float32)
        across[:-1] = _coupling(_steps(guide), propagation.edge).T
        down = np.zeros(self.shape, np.float32)
        down[:-1] = _coupling(_steps(guide.T), propagation.edge).T
        self._chains = [(_Chains(across, lam), _Chains(down, lam)) for lam in self.lambdas]
        self.peak = one_pixel_peak(tuple(self.lambdas))

    def spread(self, seeds: np.ndarray) -> np.ndarray:
        """float32 ``Cxhxw`` -> float32 ``Cxhxw``: each channel smoothed edge-aware (a linear map)."""
        out = np.ascontiguousarray(np.asarray(seeds, dtype=np.float32).transpose(2, 0, 1))  # w x C x h
        for rows, columns in self._chains:
            rows.solve(out)
            out = np.ascontiguousarray(out.transpose(2, 1, 0))  # h x C x w
            columns.solve(out)
            out = np.ascontiguousarray(out.transpose(2, 1, 0))
        return np.ascontiguousarray(out.transpose(1, 2, 0))


class _Chains:
    """(I + lam * L) x = b for k independent chains of length n at once, L the Laplacian of a chain
    with link weights ``coupling`` (``n x k``: row i links i and i + 1; the last row unused).

    Factored as L D L^T without pivoting, stable here: the matrix is symmetric and diagonally
    dominant with a unit margin.
    """

    def __init__(self, coupling: np.ndarray, lam: float) -> None:
        off = coupling[:-1] * np.float32(lam)
        diag = np.ones_like(coupling)
        diag[:-1] += off
        diag[1:] += off
        self.lower = np.zeros_like(coupling)  # forward: y_i = b_i - lower_i * y_(i-1)
        self.inv_pivot = np.empty_like(coupling)
        self.inv_pivot[0] = 1.0 / diag[0]
        for i in range(1, len(coupling)):
            self.lower[i] = -off[i - 1] * self.inv_pivot[i - 1]
            self.inv_pivot[i] = 1.0 / (diag[i] + self.lower[i] * off[i - 1])
        self.upper = np.zeros_like(coupling)  # backward: x_i = y_i / pivot_i - upper_i * x_(i+1)
        self.upper[:-1] = -off * self.inv_pivot[:-1]

    def solve(self, values: np.ndarray) -> None:
        """Solve in place for ``values`` ``n x C x k`` (C right-hand sides per chain)."""
        scratch = np.empty_like(values[0])
        for i in range(1, len(values)):
            np.multiply(self.lower[i], values[i - 1], out=scratch)
            values[i] -= scratch
        values[-1] *= self.inv_pivot[-1]
        for i in range(len(values) - 2, -1, -1):
            np.multiply(self.upper[i], values[i + 1], out=scratch)
            values[i] *= self.inv_pivot[i]
            values[i] -= scratch


def _steps(guide: np.ndarray) -> np.ndarray:
    """``hx(w-1)``: the gray step between each pixel and its right neighbour, taken as the larger of
    the step itself and the step over the four pixels around it, so an edge blurred over a few pixels
    (as most are at a working resolution) counts with its whole height, and a one-pixel line still
    counts."""
    near = np.abs(np.diff(guide, axis=1))
    padded = np.pad(guide, ((0, 0), (1, 1)), mode="edge")
    wide = np.abs(padded[:, 3:] - padded[:, :-3])
    return np.maximum(near, wide)


def _coupling(step: np.ndarray, edge: float) -> np.ndarray:
    """exp(-(step / edge)^2): Gaussian like Levin et al.'s affinity. With the large smoothing weights a
    long spread needs, an edge blocks only where lam * coupling << 1; the exponential weight of Min
    et al. (exp(-|step| / edge)) let hints through soft edges a few pixels wide."""
    return np.exp(-np.square(step / np.float32(edge)))


@lru_cache(maxsize=32)
def one_pixel_peak(lambdas: tuple[float, ...]) -> float:
    """What spreading leaves at a one-pixel unit seed on flat gray, far from the borders.

    On flat gray every pass is a shift-invariant filter with frequency response
    1 / (1 + 2 lam (1 - cos theta)), so the peak is the square (rows, then columns) of the mean of
    their product over all frequencies.
    """
    theta = np.linspace(-np.pi, np.pi, 1 << 16, endpoint=False)
    response = np.ones_like(theta)
    for lam in lambdas:
        response /= 1.0 + 2.0 * lam * (1.0 - np.cos(theta))
    return float(response.mean() ** 2)
