subtract_GPU = 1
