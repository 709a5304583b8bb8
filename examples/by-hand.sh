#!/bin/sh
# examples/by-hand.sh -- one science x template pair through the tools
# chained by hand, in the order of their man pages, each given only what it
# needs: the light-curve row ph-pipeline writes for the same pair.
#
#   examples/by-hand.sh SCIENCE TEMPLATE RA DEC OUTDIR [CATALOG]
#
# SCIENCE, TEMPLATE: input images (OpenUniverse2024 layout, or any FITS
# image with a WCS); RA, DEC: the transient (degrees); OUTDIR: where every
# file goes (made if needed); CATALOG: the science image's star catalogue
# (OpenUniverse2024 truth file or CSV ra,dec,mag) for a field-star zero
# point, else the image's own zero point. The tools read their settings from
# $SNPIT_CONFIG, as ph-pipeline's do (e.g. ph.psf.model for PSF model
# files; examples/phrosty_config.yaml). The row is OUTDIR/row.csv.
#
# What ph-pipeline adds is only file names, make and the stamps: the PSF at
# the transient's sub-pixel phase travels by default (ph-psf writes it as
# PHASED_PSF beside the centred stamp, ph-subtract carries it, ph-decorr
# makes the photometry's PSF from it), and the zero point is measured once
# per science image (ph-phot on the sky-subtracted image, then --zpt).
set -eu
if [ $# -lt 5 ] || [ $# -gt 6 ]; then
    echo "usage: $0 SCIENCE TEMPLATE RA DEC OUTDIR [CATALOG]" >&2
    exit 2
fi
sci=$1 tpl=$2 ra=$3 dec=$4 out=$5 cat=${6:-}
mkdir -p "$out"
set -x

# per image: sky subtraction and detection mask; the PSF at the transient
ph-skysub "$sci" -o "$out/sky_sci.fits"
ph-skysub "$tpl" -o "$out/sky_tpl.fits"
ph-psf "$out/sky_sci.fits" --ra "$ra" --dec "$dec" -o "$out/psf_sci.fits"
ph-psf "$out/sky_tpl.fits" --ra "$ra" --dec "$dec" -o "$out/psf_tpl.fits"

# per pair: the template on the science grid, the difference, decorrelated
ph-align --science "$out/sky_sci.fits" --template "$out/sky_tpl.fits" \
    --template-psf "$out/psf_tpl.fits" -o "$out/aligned.fits"
ph-subtract --science "$out/sky_sci.fits" --science-psf "$out/psf_sci.fits" \
    --template "$out/aligned.fits" --ra "$ra" --dec "$dec" -o "$out/diff.fits"
ph-decorr "$out/diff.fits" -o "$out/decorr.fits"

# the zero point, once per science image; the transient's forced photometry
if [ -n "$cat" ]; then
    ph-phot "$out/sky_sci.fits" --science-psf "$out/psf_sci.fits" --catalog "$cat" -o "$out/zpt.csv"
    ph-phot "$out/decorr.fits" --ra "$ra" --dec "$dec" --zpt "$out/zpt.csv" -o "$out/row.csv"
else
    ph-phot "$out/decorr.fits" --ra "$ra" --dec "$dec" -o "$out/row.csv"
fi
