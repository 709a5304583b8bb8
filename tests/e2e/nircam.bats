#!/usr/bin/env bats
# Real data from another telescope through the subtraction core: SFFT's JWST
# NIRCam F200W test (sfft-nircam), plain FITS images with separate noise,
# mask and PSF files, already on one grid. ph-import -> ph-subtract ->
# ph-decorr, and the decorrelated SNR map compared with SFFT's own
# (tests/fixtures/nircam_compare.py says how and why).
load ../cli/helpers

@test "NIRCam: decorrelated SNR map matches SFFT's (correlation >= 0.9, unit noise) and ph-decorr matches numpy" {
  need_shared sfft-nircam
  N="$PH_SHARED_DATA/sfft-nircam"
  R=jw01324001001-01324-o001_t001_nircam_clear-f200w_i2d_stamp
  S=jw02561001002-02561-o001_t003_nircam_clear-f200w_i2d_stamp
  # Parameters, recorded: SFFT's notebook ran its B-spline variant with
  # GKerHW 11; we run the polynomial flow phrosty uses with w 11, kernel
  # order 2, background order 0, constant photometric ratio, SFFT's fit mask
  # (mask4sfft) as the detection mask of both images, the ERR maps as noise,
  # the WebbPSF models, sky rms = median ERR (ph-import), decorrelation
  # without the matching kernel (phrosty's default).
  ph-import -q "$N/input_data/$R.fits" --noise "$N/auxiliary/$R.noise.fits" \
    --detmask "$N/auxiliary/$S.mask4sfft.fits" --psf "$N/auxiliary/$R.WebbPSF.fits" -o ref.fits
  ph-import -q "$N/input_data/$S.fits" --noise "$N/auxiliary/$S.noise.fits" \
    --detmask "$N/auxiliary/$S.mask4sfft.fits" --psf "$N/auxiliary/$S.WebbPSF.fits" \
    --psf-out sci_psf.fits -o sci.fits
  ph-subtract -q --device cpu --method sfft --kernel-halfwidth 11 --kernel-order 2 --bg-order 0 \
    --science sci.fits --science-psf sci_psf.fits --template ref.fits -o diff.fits
  ph-decorr -q diff.fits -o decorr.fits
  run pypeer "$PH_TOP/tests/fixtures/nircam_compare.py" diff.fits decorr.fits \
    "$N/4check/$S.crossConvd.sfftdiff.DeCorrelated.SNR.fits" --border 25 --min-corr 0.9 --noise-tol 0.05
  echo "$output"
  assert_success
}
