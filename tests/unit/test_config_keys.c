/* test_config_keys.c -- ph-config's list of known keys (links tools/config). */
#include "check.h"
#include "known_keys.h"

TEST(known_and_unknown)
{
    EXPECT(ph_known_config_key("photometry.phrosty.kerpolyorder"));
    EXPECT(ph_known_config_key("photometry.phrosty.psf.params.sigmax"));
    EXPECT(ph_known_config_key("ph.skysub.back_size"));
    EXPECT(ph_known_config_key("system.ou24.images"));
    EXPECT(!ph_known_config_key("photometry.phrosty.kerpolyordr"));
    EXPECT(!ph_known_config_key("photometry.phrosty.sfft.radius"));
}

int main(void)
{
    RUN(known_and_unknown);
    return check_done();
}
