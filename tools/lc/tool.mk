# ph-lc draws its plots with cairo (PNG, SVG and PDF surfaces); fontconfig
# only to release its caches at the end (clean under LeakSanitizer).
lc_CFLAGS = $(shell pkg-config --cflags cairo fontconfig)
lc_LIBS = $(shell pkg-config --libs cairo fontconfig)
