/* test_config_keys.c -- ph-config's list of known keys (links tools/config). */
#include "check.h"
#include "known_keys.h"

TEST(known_and_unknown)
{
    EXPECT(config_known_key("photometry.phrosty.kerpolyorder"));
    EXPECT(config_known_key("photometry.phrosty.psf.params.sigmax"));
    EXPECT(config_known_key("ph.skysub.back_size"));
    EXPECT(config_known_key("system.ou24.images"));
    EXPECT(!config_known_key("photometry.phrosty.kerpolyordr"));
    EXPECT(!config_known_key("photometry.phrosty.sfft.radius"));
}

int main(void)
{
    RUN(known_and_unknown);
    return check_done();
}
