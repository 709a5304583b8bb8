/* interp.c -- see interp.h. Keys (1981), "Cubic convolution interpolation
 * for digital image processing", for the bicubic kernel. */
#include "sci/interp.h"

#include <math.h>
#include <string.h>

int ph_interp_parse(const char *name, ph_interp *out)
{
    if (!strcmp(name, "bilinear"))
        *out = PH_INTERP_BILINEAR;
    else if (!strcmp(name, "bicubic"))
        *out = PH_INTERP_BICUBIC;
    else if (!strcmp(name, "lanczos3"))
        *out = PH_INTERP_LANCZOS3;
    else
        return -1;
    return 0;
}

const char *ph_interp_name(ph_interp k)
{
    return k == PH_INTERP_BICUBIC ? "bicubic" : k == PH_INTERP_LANCZOS3 ? "lanczos3" : "bilinear";
}

int ph_interp_radius(ph_interp k) { return k == PH_INTERP_BICUBIC ? 2 : k == PH_INTERP_LANCZOS3 ? 3 : 1; }

static double keys(double u)
{
    const double a = -0.5;
    u = fabs(u);
    if (u < 1)
        return ((a + 2) * u - (a + 3)) * u * u + 1;
    if (u < 2)
        return ((a * u - 5 * a) * u + 8 * a) * u - 4 * a;
    return 0;
}

static double sinc(double u) { return u == 0 ? 1.0 : sin(M_PI * u) / (M_PI * u); }

void ph_interp_weights(ph_interp k, double t, double *w)
{
    int r = ph_interp_radius(k);
    if (k == PH_INTERP_BILINEAR) {
        w[0] = 1 - t;
        w[1] = t;
        return;
    }
    double s = 0;
    for (int i = 0; i < 2 * r; i++) {
        double u = t - (i - r + 1); /* distance from tap floor(x) - r + 1 + i */
        w[i] = k == PH_INTERP_BICUBIC ? keys(u) : (fabs(u) < 3 ? sinc(u) * sinc(u / 3) : 0);
        s += w[i];
    }
    if (k == PH_INTERP_LANCZOS3)
        for (int i = 0; i < 2 * r; i++)
            w[i] /= s;
}

double ph_interp_sample(const double *img, long nx, long ny, double x0, double y0, ph_interp k,
                        double fill)
{
    int r = ph_interp_radius(k);
    double fx = floor(x0), fy = floor(y0);
    double wx[6], wy[6];
    ph_interp_weights(k, x0 - fx, wx);
    ph_interp_weights(k, y0 - fy, wy);
    long bx = (long)fx - r + 1, by = (long)fy - r + 1;
    double s = 0;
    for (int j = 0; j < 2 * r; j++) {
        long y = by + j;
        double row = 0;
        for (int i = 0; i < 2 * r; i++) {
            long x = bx + i;
            double v = (x < 0 || x >= nx || y < 0 || y >= ny) ? fill : img[y * nx + x];
            row += wx[i] * v;
        }
        s += wy[j] * row;
    }
    return s;
}
