/* test_import.c -- ph-import's planes (tools/import/import.c). */
#include "check.h"
#include "import.h"
#include "base/log.h"
#include "io/image.h"

TEST(planes_from_noise_masks_and_detection)
{
    double img[6] = {1, NAN, 3, 4, 5, 6}, noise[6] = {2, 2, 0, 2, 4, 2};
    double bad[6] = {0, 0, 0, 0, 0, 1}, det[6] = {1, 1, 1, 0, 1, 1};
    import_planes in = {3, 2, img, noise, NULL, bad, det, 0, 0, 0};
    import_out o;
    EXPECT(import_build(&in, &o) == PH_OK);
    uint8_t em[6] = {1, 2, 2, 0, 1, 2};
    float ev[6] = {4, 4, 0, 4, 16, 4};
    for (int i = 0; i < 6; i++) {
        EXPECT(o.mask[i] == em[i]);
        EXPECT(o.var[i] == ev[i]);
    }
    EXPECT(o.sci[1] == 0 && o.sci[4] == 5);
    EXPECT(o.nbad == 3 && o.ndet == 2);
    EXPECT_NEAR(o.skyrms, 2, 0); /* median of 2, 2, 4 */
    import_out_free(&o);
    in.nan_outside = 1;
    in.noise = NULL;
    in.skyrms = 3;
    EXPECT(import_build(&in, &o) == PH_OK);
    EXPECT(o.mask[1] == PH_MASK_OUTSIDE && o.var[0] == 9 && o.var[2] == 9);
    import_out_free(&o);
}

TEST(no_usable_pixel_is_an_error)
{
    double img[4] = {NAN, NAN, NAN, NAN};
    import_planes in = {2, 2, img, NULL, NULL, NULL, NULL, 1, 0, 0};
    import_out o;
    EXPECT(import_build(&in, &o) == PH_EFAIL);
    EXPECT(strstr(ph_error_message(), "no usable pixel"));
    ph_error_clear();
}

TEST(crop_keeps_the_centre)
{
    double in[25], out[9];
    for (int i = 0; i < 25; i++)
        in[i] = i;
    import_crop(in, 5, 3, out);
    EXPECT(out[0] == 6 && out[4] == 12 && out[8] == 18);
}

int main(void)
{
    ph_verbosity = 0;
    RUN(planes_from_noise_masks_and_detection);
    RUN(no_usable_pixel_is_an_error);
    RUN(crop_keeps_the_centre);
    return check_done();
}
