skysub_LIBS = -lz
