# ph-decorr draws its quick-look PNG with cairo; fontconfig only to release
# its caches at the end (clean under LeakSanitizer).
decorr_CFLAGS = $(shell pkg-config --cflags cairo fontconfig)
decorr_LIBS = $(shell pkg-config --libs cairo fontconfig)
