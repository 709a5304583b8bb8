# ph-lc draws its plots with cairo (PNG, SVG and PDF surfaces).
lc_CFLAGS = $(shell pkg-config --cflags cairo)
lc_LIBS = $(shell pkg-config --libs cairo)
