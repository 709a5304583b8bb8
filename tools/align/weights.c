/* weights.c -- see weights.h. */
#define _GNU_SOURCE /* sincos */
#include "weights.h"

#include <math.h>

static void lanczos3(double t, double *w)
{
    /* Taps i = 0..5 sit at offsets u = t - (i - 2), i.e. k = i - 2 in -2..3. */
    static const double ck[6] = {-0.5, 0.5, 1.0, 0.5, -0.5, -1.0}; /* cos(pi k/3) */
    static const double sk[6] = {-0.86602540378443865, -0.86602540378443865, 0.0,
                                 0.86602540378443865, 0.86602540378443865, 0.0}; /* sin(pi k/3) */
    double s3, c3;
    sincos(M_PI * t / 3, &s3, &c3);
    double s1 = s3 * (3 - 4 * s3 * s3); /* sin(3a) = 3 sin a - 4 sin^3 a */
    double sum = 0;
    for (int i = 0; i < 6; i++) {
        int k = i - 2;
        double u = t - k;
        if (u == 0) {
            w[i] = 1;
        } else if (fabs(u) >= 3) {
            w[i] = 0;
        } else {
            double sa = (k & 1) ? -s1 : s1;          /* sin(pi u) */
            double sb = s3 * ck[i] - c3 * sk[i];      /* sin(pi u / 3) */
            w[i] = 3 * sa * sb / (M_PI * M_PI * u * u);
        }
        sum += w[i];
    }
    for (int i = 0; i < 6; i++)
        w[i] /= sum;
}

void align_weights(ph_interp k, double t, double *w)
{
    if (k == PH_INTERP_LANCZOS3)
        lanczos3(t, w);
    else
        ph_interp_weights(k, t, w); /* bilinear and Keys: already cheap */
}
