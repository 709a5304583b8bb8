# pipeline.mk -- phrosty's pipeline for one object and band as make targets.
#
#   make -f pipeline.mk PLAN=RUN/plan.mk -j N [sky|psf|align|subtract|decorr|phot|lc]
#
# The recipes are the by-hand chain of the man pages (examples/by-hand.sh)
# with the file names below: ph-pipeline adds no option that changes a
# measurement.
#
# ph-pipeline writes the plan (object, band, position, directories, the
# images with their list entries) and runs this file; `make list-GOAL`
# prints the files a goal makes. One target per step:
#
#   per image I:  RUN/sky_I.fits   ph-skysub (sky-subtracted ph image + detection mask)
#                 RUN/psf_I.fits   ph-psf at the object (centred stamp + PHASED_PSF, the
#                                  stamp at the object's sub-pixel phase)
#                 DIA/zpt_S.csv    science images with a catalogue (CAT_S): ph-phot's
#                                  field-star zero point over the whole image
#   per pair S-T: DIA/aligned_S-T.fits  ph-align   template onto the science grid
#                 DIFFDIR/diff_S-T.fits ph-subtract  SFFT difference (+ CSCI, CREF, kernel,
#                                       PHASED_PSF), the transient kept out of the kernel fit
#                 DIA/decorr_S-T.fits   ph-decorr  decorrelated difference, variance, PSF
#                                       (at the transient's phase; PHASED 0: --centred-psf)
#                 DIA/phot_S-T.csv      ph-phot    the light-curve row (+ stamps in DIA/stamps)
#   per object:   LTCV/data/OID/OID_BAND_all.csv  ph-lc (+ .meta.yaml, .png), remade
#                 when DIA/pairs_BAND.txt (the pairs, rewritten when they change) is newer
#
# Settings: each step's targets also depend on its stamp SETTINGS/STEP
# (DIA/settings_BAND/: sky psf zpt align subtract decorr phot lc), which
# ph-pipeline rewrites only when the step's settings change (the tool's
# version and config values, the position, the device, the catalogue, ...):
# a changed setting remakes exactly the targets it affects, and what
# depends on them.
#
# LAYOUT phrosty: ph-decorr also writes phrosty's single-image files and
# ph-phot phrosty's seven stamp kinds into PHROSTY_DIR (dia_out_dir) under
# phrosty's names (<prefix><science name>-<template name>); side products of
# the decorr and phot targets.
#
# Recipes go through `ph-pipeline __step`, which records a failed step in
# RUN/fail/ instead of failing make; a step whose input is missing (an
# earlier step failed) is skipped, and the pair's row is then written with
# success False. Every tool writes atomically, so a killed run leaves no
# half-written target and a re-run redoes only what is missing.
#
# Sky-subtracted images and PSFs are secondary: removed with the run
# directory (remove_temp_dir), they are not remade unless a new pair needs
# them. The difference files are intermediate without keep_intermediate:
# make deletes them once the decorrelated file is made.

ifndef PLAN
  $(error PLAN=plan.mk is required; ph-pipeline writes it)
endif
include $(PLAN)

.DEFAULT_GOAL := lc
.PHONY: sky psf align subtract decorr phot lc
.DELETE_ON_ERROR:

STEP = $(PHP) __step
SKY = $(RUN)/sky_$(1).fits
PSF = $(RUN)/psf_$(1).fits
ZPT = $(DIA)/zpt_$(1).csv
ALIGNED = $(DIA)/aligned_$(1)-$(2).fits
DIFF = $(DIFFDIR)/diff_$(1)-$(2).fits
DECORR = $(DIA)/decorr_$(1)-$(2).fits
ROW = $(DIA)/phot_$(1)-$(2).csv
LC := $(LTCV)/data/$(OID)/$(OID)_$(BAND)_all.csv
STAMPS := $(DIA)/stamps

IMAGES := $(SCIENCE) $(TEMPLATES)
pairs = $(foreach s,$(SCIENCE),$(foreach t,$(TEMPLATES),$(call $(1),$(s),$(t))))
ALL_SKY := $(foreach i,$(IMAGES),$(call SKY,$(i)))
ALL_PSF := $(foreach i,$(IMAGES),$(call PSF,$(i)))
# The field-star zero point, once per science image that has a catalogue.
ALL_ZPT := $(foreach s,$(SCIENCE),$(if $(CAT_$(s)),$(call ZPT,$(s))))
ALL_ALIGNED := $(call pairs,ALIGNED)
ALL_DIFF := $(call pairs,DIFF)
ALL_DECORR := $(call pairs,DECORR)
ALL_ROW := $(call pairs,ROW)

sky: $(ALL_SKY)
psf: $(ALL_PSF)
align: $(ALL_ALIGNED)
subtract: $(ALL_DIFF)
decorr: $(ALL_DECORR)
phot: $(ALL_ZPT) $(ALL_ROW)
lc: $(LC)

# Every file a goal makes (with what it needs), for ph-pipeline's progress count.
list-sky: ; @printf '%s\n' $(ALL_SKY)
list-psf: ; @printf '%s\n' $(ALL_SKY) $(ALL_PSF)
list-align: ; @printf '%s\n' $(ALL_SKY) $(ALL_PSF) $(ALL_ALIGNED)
list-subtract: ; @printf '%s\n' $(ALL_SKY) $(ALL_PSF) $(ALL_ALIGNED) $(ALL_DIFF)
list-decorr: ; @printf '%s\n' $(ALL_SKY) $(ALL_PSF) $(ALL_ALIGNED) $(ALL_DIFF) $(ALL_DECORR)
list-phot: ; @printf '%s\n' $(ALL_SKY) $(ALL_PSF) $(ALL_ALIGNED) $(ALL_DIFF) $(ALL_DECORR) $(ALL_ZPT) $(ALL_ROW)
list-lc: ; @printf '%s\n' $(ALL_SKY) $(ALL_PSF) $(ALL_ALIGNED) $(ALL_DIFF) $(ALL_DECORR) $(ALL_ZPT) $(ALL_ROW) $(LC)

.SECONDARY: $(ALL_SKY) $(ALL_PSF)
ifeq ($(KEEP),1)
  .SECONDARY: $(ALL_DIFF)
else ifneq ($(filter lc phot decorr,$(or $(MAKECMDGOALS),lc)),)
  .INTERMEDIATE: $(ALL_DIFF)
endif

# A missing input image is not a target: its sky step fails and the pairs
# that need it get success False rows. (DEP: the image file, PATH_image.fits
# for phrosty's threefile PATH.)
img_dep = $(wildcard $(DEP_$(1)))
SET = $(SETTINGS)/$(1)
$(SETTINGS)/%: ;
PHROSTY = $(filter phrosty,$(LAYOUT))
# phrosty's names: file names of the images, science-template
PNAME = $(NAME_$(1))-$(NAME_$(2))

define IMAGE_RULES
$(call SKY,$(1)): $(call img_dep,$(1)) $(call SET,sky)
	@$(STEP) sky_subtract $$@ -- ph-skysub $(SETS) $(IMG_$(1)) -o $$@
$(call PSF,$(1)): $(call SKY,$(1)) $(call SET,psf)
	@$(STEP) get_psfs $$@ $$< -- ph-psf $(SETS) $$< --ra $(RA) --dec $(DEC) -o $$@
$(call ZPT,$(1)): $(call SKY,$(1)) $(call PSF,$(1)) $(CAT_$(1)) $(call SET,zpt)
	@$(STEP) zero_point $$@ $$^ -- ph-phot $(SETS) $(DEVICE) $(call SKY,$(1)) \
	    --science-psf $(call PSF,$(1)) --catalog $(CAT_$(1)) --star-table $(DIA)/zpt_$(1)_stars.csv -o $$@
endef

define PAIR_RULES
$(call ALIGNED,$(1),$(2)): $(call SKY,$(2)) $(call PSF,$(2)) $(call SKY,$(1)) $(call SET,align)
	@$(STEP) align_and_preconvolve $$@ $$^ -- ph-align $(SETS) -j $(THREADS) \
	    --science $(call SKY,$(1)) --template $(call SKY,$(2)) --template-psf $(call PSF,$(2)) -o $$@
$(call DIFF,$(1),$(2)): $(call SKY,$(1)) $(call PSF,$(1)) $(call ALIGNED,$(1),$(2)) $(call SET,subtract)
	@$(STEP) subtract $$@ $$^ -- ph-subtract $(SETS) $(DEVICE) -j $(THREADS) \
	    --science $(call SKY,$(1)) --science-psf $(call PSF,$(1)) --template $(call ALIGNED,$(1),$(2)) \
	    --ra $(RA) --dec $(DEC) -o $$@
$(call DECORR,$(1),$(2)): $(call DIFF,$(1),$(2)) $(call SET,decorr)
	@$(STEP) decorrelate $$@ $$^ -- ph-decorr $(SETS) -j $(THREADS) $$< \
	    $(if $(filter 1,$(PHASED)),,--centred-psf) \
	    $(if $(PHROSTY),--phrosty-dir $(PHROSTY_DIR)) -o $$@
$(call ROW,$(1),$(2)): $(call DECORR,$(1),$(2)) $(if $(CAT_$(1)),$(call ZPT,$(1))) $(call SET,phot)
	@$(PHP) __phot $$@ $$< $(1) $(2) $(MJD_$(1)) $(OBS_$(1)) $(SCA_$(1)) $(NAME_$(1)) \
	    $(OBS_$(2)) $(SCA_$(2)) $(NAME_$(2)) -- \
	    ph-phot $(SETS) $(DEVICE) $$< --ra $(RA) --dec $(DEC) -o $$@ \
	    $(if $(CAT_$(1)),--zpt $(call ZPT,$(1))) \
	    --aligned $(call ALIGNED,$(1),$(2)) \
	    $(if $(PHROSTY),--stamps $(PHROSTY_DIR) --diff $(PHROSTY_DIR)/diff_$(call PNAME,$(1),$(2)) \
	        --science-image $(IMG_$(1)) --template-image $(IMG_$(2)),--stamps $(STAMPS)/$(1)-$(2))
endef

$(foreach i,$(IMAGES),$(eval $(call IMAGE_RULES,$(i))))
$(foreach s,$(SCIENCE),$(foreach t,$(TEMPLATES),$(eval $(call PAIR_RULES,$(s),$(t)))))

$(DIA)/pairs_$(BAND).txt: ;
$(LC): $(ALL_ROW) $(DIA)/pairs_$(BAND).txt $(call SET,lc)
	@$(PHP) __lc $@ -- ph-lc $(SETS) --ltcv-dir $(LTCV) --oid $(OID) -b $(BAND) -r $(RA) -d $(DEC) \
	    --plot $(LTCV)/data/$(OID)/$(OID)_$(BAND)_all.png $(ALL_ROW)
