phot_GPU = 1
