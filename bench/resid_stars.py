#!/usr/bin/python3
"""resid_stars.py -- static-star residuals of one pair for bench/compare.sh.

  resid_stars.py NAME DIR TRUTH.txt

DIR holds the case's outputs (diff_psf/decorr_psf, diff_sfft/decorr_sfft,
hp_diff/hp_noise from HOTPANTS, hp_sci/hp_tpl for "no kernel"); TRUTH the
science image's OpenUniverse2024-format truth catalogue (x, y 1-based).

Stars: obj_type star, 2e4 <= realized_flux <= 1.5e5 e-, no other truth
object brighter than a tenth of it within 6 px, their 9x9 box inside the
image and free of BAD and OUTSIDE pixels (the difference's MASK), not within
20 px of the transient. Per star: the residual fraction, max |difference|
over 7x7 divided by the star's peak in the cross-convolved science image
(CSCI; for HOTPANTS and none, the science image), and max |z| over 5x5 (z:
DECORR_DIFF / sqrt(DIFF_VAR), or HOTPANTS's difference / its noise image).
Prints one line per method: stars, median residual fraction, median and
90th percentile of max |z|.
"""
import os
import sys

import numpy as np
from astropy.io import fits


def stars(truth, shape, mask, excl):
    rows = [l.split() for l in open(truth) if not l.startswith("#") and l.strip()]
    x = np.array([float(r[3]) - 1 for r in rows])
    y = np.array([float(r[4]) - 1 for r in rows])
    f = np.array([float(r[5]) for r in rows])
    t = np.array([r[8] for r in rows])
    ny, nx = shape
    out = []
    for i in np.where((t == "star") & (f >= 2e4) & (f <= 1.5e5))[0]:
        ix, iy = int(round(x[i])), int(round(y[i]))
        if ix < 6 or iy < 6 or ix >= nx - 6 or iy >= ny - 6:
            continue
        if excl is not None and np.hypot(x[i] - excl[0], y[i] - excl[1]) < 20:
            continue
        if (mask[iy - 4:iy + 5, ix - 4:ix + 5] & 6).any():
            continue
        d2 = (x - x[i]) ** 2 + (y - y[i]) ** 2
        if ((d2 > 0) & (d2 < 36) & (f > 0.1 * f[i])).any():
            continue
        out.append((ix, iy))
    return out


def measure(pos, diff, peak_img, z):
    fr, zz = [], []
    for ix, iy in pos:
        p = np.abs(peak_img[iy - 3:iy + 4, ix - 3:ix + 4]).max()
        fr.append(np.abs(diff[iy - 3:iy + 4, ix - 3:ix + 4]).max() / p if p > 0 else np.nan)
        if z is not None:
            zz.append(np.abs(z[iy - 2:iy + 3, ix - 2:ix + 3]).max())
    return np.array(fr), np.array(zz)


def main():
    name, d, truth = sys.argv[1:4]
    with fits.open(f"{d}/diff_psf.fits") as f:
        mask = f["MASK"].data
        h = f["DIFF"].header
        excl = (h["EXCLX"], h["EXCLY"]) if "EXCLX" in h else None
        pos = stars(truth, mask.shape, mask, excl)
    for m in ("psf", "sfft", "hotpants", "none"):
        z = None
        if m in ("psf", "sfft"):
            with fits.open(f"{d}/diff_{m}.fits") as f:
                diff, peak = f["DIFF"].data, f["CSCI"].data
            with fits.open(f"{d}/decorr_{m}.fits") as f:
                dd, v = f["DECORR_DIFF"].data.astype(float), f["DIFF_VAR"].data.astype(float)
            z = np.where(v > 0, dd / np.sqrt(np.where(v > 0, v, 1)), 0)
        elif m == "hotpants":
            if not os.path.exists(f"{d}/hp_diff.fits"):
                continue
            diff = fits.getdata(f"{d}/hp_diff.fits").astype(float)
            peak = fits.getdata(f"{d}/hp_sci.fits").astype(float)
            noise = fits.getdata(f"{d}/hp_noise.fits").astype(float)
            z = np.where(noise > 0, diff / np.where(noise > 0, noise, 1), 0)
        else:
            peak = fits.getdata(f"{d}/hp_sci.fits").astype(float)
            t = fits.getdata(f"{d}/hp_tpl.fits").astype(float)
            diff = peak - np.where(t > -1e5, t, 0)
        fr, zz = measure(pos, diff, peak, z)
        zs = (f", max|z| median {np.median(zz):.2f} p90 {np.percentile(zz, 90):.2f}"
              if len(zz) else "")
        print(f"{name} {m:8s} stars {len(fr):3d}: residual {np.nanmedian(fr):.4f}{zs}"
              if len(fr) else f"{name} {m:8s} no star")


if __name__ == "__main__":
    main()
