#!/usr/bin/python3
"""phot_peer.py -- an independent forced photometry beside ph-phot (bench only).

  phot_peer.py DECORR_FILE --diff DIFF --sci-epsf EPSF --ra RA --dec DEC
               [--catalog TRUTH.txt] -o row.csv
  phot_peer.py DECORR_FILE --diff DIFF --sci-epsf EPSF --positions INJ.txt -o fits.csv

Forced PSF photometry with numpy on a ph-decorr file, written as the
"Photometry row" of HACKING.md (phrosty's 20 columns, then zpt_source,
zpt_nstars, zpt_scatter) so that ph-lc collates it. bench/run measures the
injected sources with it and the transient again beside ph-phot.

- Position: RA/Dec through the DECORR_DIFF WCS (astropy, SIP included).
- PSF: DECORR_PSF moved to the sub-pixel phase by a Fourier phase ramp.
- Flux: weighted linear fit of the PSF over a BOX x BOX box (default 7),
  weights 1 / DIFF_VAR, no background term (the decorrelated difference
  has no sky); flux_err = (sum P^2 / V)^-1/2, from the variance only.
- aperture_sum: r = 3 px, 5 x 5 sub-pixel sampling.
- zpt: the header ZPT, or with --catalog (OpenUniverse2024 truth text) the
  median of (mag + ZPTMAG + 2.5 log10 flux) over stars with
  19 < mag + ZPTMAG < 21.5 fitted the same way on DECORR_SCI.
"""
import argparse
import math
import sys

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
from scipy.ndimage import map_coordinates
from scipy.signal import fftconvolve

COLS = ("mjd,flux,flux_err,zpt,NEA,sky_rms,observation_id,sca,pix_x,pix_y,"
        "science_name,template_name,science_id,template_id,template_observation_id,"
        "template_sca,aperture_sum,mag,mag_err,success,zpt_source,zpt_nstars,zpt_scatter")


class Model:
    """PSF of the decorrelated images at any sub-pixel phase:
    DECORR_KERNEL (*) REF_PSF (*) science ePSF at that phase, the last
    interpolated (bicubic) in the oversampled model file of the science
    image (ph-sim psf layout). Shifting the native DECORR_PSF instead is
    wrong in the undersampled blue bands (aliasing)."""

    def __init__(self, epsf_file, ref_psf, dkernel, n=41):
        with fits.open(epsf_file) as f:
            self.ov = int(f[0].header["OVERSAMP"])
            self.e = f[0].data.astype(float)
        self.c = (self.e.shape[0] - 1) / 2.0
        self.other = fftconvolve(ref_psf, dkernel)
        self.n = n

    def __call__(self, dx, dy):
        h = self.n // 2
        j = np.arange(-h, h + 1, dtype=float)
        yy = self.c + (j[:, None] - dy) * self.ov + 0 * j[None, :]
        xx = self.c + (j[None, :] - dx) * self.ov + 0 * j[:, None]
        s = map_coordinates(self.e, [yy, xx], order=3, mode="constant", cval=0.0)
        m = fftconvolve(s, self.other, mode="same")
        return m


def fit(img, var, model, x0, y0, box):
    """Forced fit at 0-based (x0, y0): flux, flux_err."""
    ix, iy = int(round(x0)), int(round(y0))
    p = model(x0 - ix, y0 - iy)
    c = p.shape[0] // 2
    h = box // 2
    ny, nx = img.shape
    if ix - h < 0 or iy - h < 0 or ix + h >= nx or iy + h >= ny:
        return math.nan, math.nan
    d = img[iy - h:iy + h + 1, ix - h:ix + h + 1].astype(float)
    v = var[iy - h:iy + h + 1, ix - h:ix + h + 1].astype(float)
    pp = p[c - h:c + h + 1, c - h:c + h + 1]
    ok = np.isfinite(d) & np.isfinite(v) & (v > 0)
    if ok.sum() < 3:
        return math.nan, math.nan
    a = np.sum(pp[ok] ** 2 / v[ok])
    return float(np.sum(pp[ok] * d[ok] / v[ok]) / a), float(a ** -0.5)


def aperture(img, x0, y0, r=3.0, sub=5):
    ix, iy = int(round(x0)), int(round(y0))
    h = int(math.ceil(r)) + 1
    s = 0.0
    off = (np.arange(sub) + 0.5) / sub - 0.5
    for y in range(iy - h, iy + h + 1):
        for x in range(ix - h, ix + h + 1):
            dx = x + off[None, :] - x0
            dy = y + off[:, None] - y0
            frac = np.mean(dx * dx + dy * dy <= r * r)
            if frac > 0:
                s += frac * float(img[y, x])
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("decorr")
    ap.add_argument("--ra", type=float)
    ap.add_argument("--dec", type=float)
    ap.add_argument("--positions", help="ra dec flux [object_id] list: fit each, write "
                    "object_id,ra,dec,x,y,true_flux,flux,flux_err")
    ap.add_argument("--catalog")
    ap.add_argument("--diff", required=True, help="the ph-subtract file (REF_PSF)")
    ap.add_argument("--sci-epsf", required=True, help="oversampled ePSF model of the science image")
    ap.add_argument("--box", type=int, default=7)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    with fits.open(a.decorr, memmap=True) as f:
        h = f["DECORR_DIFF"].header
        diff = f["DECORR_DIFF"].data
        var = f["DIFF_VAR"].data
        psf = f["DECORR_PSF"].data.astype(float)
        model = Model(a.sci_epsf, fits.getdata(a.diff, "REF_PSF").astype(float),
                      f["DECORR_KERNEL"].data.astype(float), psf.shape[0])
        w = WCS(h)
        if a.positions:
            ny, nx = diff.shape
            with open(a.positions) as fp, open(a.output, "w") as fo:
                head = fp.readline().split()
                fo.write("object_id,ra,dec,x,y,true_flux,flux,flux_err\n")
                for i, line in enumerate(fp):
                    v = dict(zip(head, line.split()))
                    ra, dec, tf = float(v["ra"]), float(v["dec"]), float(v["flux"])
                    x, y = (float(q) for q in w.all_world2pix(ra, dec, 0))
                    m = min(50, nx // 8, ny // 8)
                    if not (m < x < nx - m and m < y < ny - m):
                        continue
                    fl, er = fit(diff, var, model, x, y, a.box)
                    fo.write(f"{v.get('object_id', i)},{ra!r},{dec!r},{x:.3f},{y:.3f},{tf!r},"
                             f"{fl!r},{er!r}\n")
            return
        if a.ra is None or a.dec is None:
            ap.error("--ra and --dec are required without --positions")
        x0, y0 = (float(v) for v in w.all_world2pix(a.ra, a.dec, 0))
        flux, err = fit(diff, var, model, x0, y0, a.box)
        apsum = aperture(diff, x0, y0)
        zpt, src, nst, scat = float(h["ZPT"]), "header", 0, math.nan
        if a.catalog:
            sci = f["DECORR_SCI"].data
            zmag = float(h["ZPTMAG"])
            cat = []
            with open(a.catalog) as fc:
                head = fc.readline().lstrip("#").split()
                for line in fc:
                    v = dict(zip(head, line.split()))
                    if v.get("obj_type") == "star" and 19 < float(v["mag"]) + zmag < 21.5:
                        cat.append((float(v["ra"]), float(v["dec"]), float(v["mag"])))
            zs = []
            ny, nx = sci.shape
            for sra, sdec, smag in cat:
                sx, sy = (float(v) for v in w.all_world2pix(sra, sdec, 0))
                if not (30 < sx < nx - 30 and 30 < sy < ny - 30):
                    continue
                ix, iy = int(round(sx)), int(round(sy))
                if np.any(f["MASK"].data[iy - 3:iy + 4, ix - 3:ix + 4] & 2):
                    continue  # saturated or bad
                fl, _ = fit(sci, var, model, sx, sy, a.box)
                if fl > 0:
                    zs.append(smag + zmag + 2.5 * math.log10(fl))
            if zs:
                zs = np.array(zs)
                zpt, src, nst = float(np.median(zs)), "catalog", len(zs)
                scat = float(1.4826 * np.median(np.abs(zs - zpt)))
    npsf = 1.0 / np.sum(psf ** 2)
    ok = math.isfinite(flux)
    mag = -2.5 * math.log10(flux) if ok and flux > 0 else math.nan
    magerr = 1.0857 * abs(err / flux) if ok and flux > 0 else math.nan
    num = lambda v: "nan" if isinstance(v, float) and math.isnan(v) else repr(float(v))
    sname, tname = h["PH_NAME"], h["TPLNAME"]
    row = [num(h["MJD-OBS"]), num(flux), num(err), num(zpt), num(npsf), num(h["SKYRMS"]),
           str(h["OBSID"]), str(h["SCA_NUM"]), num(x0), num(y0), sname, tname,
           h["PH_ID"], h["TPLID"], str(h["TPLOBSID"]), str(h["TPLSCA"]), num(apsum),
           num(mag), num(magerr), "True" if ok else "False", src, str(nst), num(scat)]
    with open(a.output, "w") as f:
        f.write(COLS + "\n" + ",".join(row) + "\n")
    if not ok:
        print(f"phot_peer.py: {a.decorr}: position off the image", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
