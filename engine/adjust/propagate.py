"""Edge-aware spreading of sparse values over a photo, guided by its luminance.

The fast global smoother of Min et al. (2014, "Fast global image smoothing based on weighted least
squares"): the weighted-least-squares problem of optimization-based colorization (Levin et al. 2004)
-- neighbours of similar gray should get similar values -- solved as alternating 1D problems along
rows and columns, each a symmetric tridiagonal system that LAPACK's ``?ptsv`` solves in linear time,
with a smoothing weight that falls over a few iterations so the separable passes do not streak.

Used as normalized convolution (Knutsson & Westin 1993): spreading seed values times a seed weight,
and the seed weight alone, the ratio is the edge-aware interpolation of the seeds and the spread
weight says how strongly each pixel belongs to them. Linear in the seeds: every hint at once costs
one spreading, whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.linalg import lapack


@dataclass(frozen=True)
class Propagation:
    """How far hints spread and how strongly luminance edges stop them.

    ``spread``: the smoothing length, as a fraction of the working grid's long side (a hint's weight
    falls by about e along that distance of flat gray). ``edge``: the gray step between neighbours
    (gray in 0..1) at which their coupling falls to 1/e, and to 1/e^4 at twice that. ``prior``: the model's prediction weight,
    relative to a one-pixel hint's weight at its own pixel. ``iterations``: of the separable solve.
    Chosen on photos of broad/train (``bench/bench_hints.py --tune``), not on the measured set.
    """

    spread: float = 0.2
    edge: float = 0.04
    prior: float = 0.02
    iterations: int = 3

    def lambdas(self, long_side: int) -> list[float]:
        """The smoothing weight of each iteration (Min et al., eq. 9): larger first, summing to 1.5x."""
        lam = (self.spread * long_side) ** 2
        t = self.iterations
        return [lam * 1.5 * 4 ** (t - 1 - i) / (4**t - 1) for i in range(t)]


class EdgeAwareSpreader:
    """Spreads values over a ``h x w`` grid, edges taken from ``guide`` (float32 ``hxw``, gray in 0..1)."""

    def __init__(self, guide: np.ndarray, propagation: Propagation = Propagation()) -> None:
        guide = np.asarray(guide, dtype=np.float32)
        self.shape = guide.shape
        self.lambdas = propagation.lambdas(max(self.shape))
        # Coupling of each pixel with its right / lower neighbour; zero past the last column / row so
        # that the rows (columns) laid end to end form independent chains.
        right = np.zeros(self.shape, np.float32)
        right[:, :-1] = _coupling(_steps(guide), propagation.edge)
        down = np.zeros(self.shape[::-1], np.float32)
        down[:, :-1] = _coupling(_steps(guide.T), propagation.edge)
        self._couplings = (right.ravel(), down.ravel())
        self.peak = one_pixel_peak(tuple(self.lambdas))

    def spread(self, seeds: np.ndarray) -> np.ndarray:
        """float32 ``Cxhxw`` -> float32 ``Cxhxw``: each channel smoothed edge-aware (a linear map)."""
        channels = seeds.shape[0]
        h, w = self.shape
        # Channels first, so each pass's right-hand sides (pixels x channels) are already the
        # column-major block LAPACK wants: no copies but one transpose per direction.
        out = np.array(seeds, dtype=np.float32)
        for lam in self.lambdas:
            rows = _solve_chains(self._couplings[0], lam, out.reshape(channels, h * w).T)
            cols = np.ascontiguousarray(rows.T.reshape(channels, h, w).transpose(0, 2, 1))
            cols = _solve_chains(self._couplings[1], lam, cols.reshape(channels, w * h).T)
            out = np.ascontiguousarray(cols.T.reshape(channels, w, h).transpose(0, 2, 1))
        return out


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


def _solve_chains(coupling: np.ndarray, lam: float, values: np.ndarray) -> np.ndarray:
    """Solve (I + lam * L) x = values for chains with edge weights ``coupling`` (L: their Laplacian)."""
    off = coupling[:-1] * np.float32(lam)
    diag = np.ones_like(coupling)
    diag[:-1] += off
    diag[1:] += off
    _, _, x, info = lapack.sptsv(diag, -off, values, overwrite_d=1, overwrite_e=1, overwrite_b=1)
    if info != 0:  # the matrix is diagonally dominant with a unit diagonal: this cannot happen
        raise ArithmeticError(f"tridiagonal solve failed (LAPACK info {info})")
    return x


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
