/* fuzz_config.c -- the YAML config (common/base/config.h) with a preload: the
 * input up to a line "#--" is the preload pre.yaml, the rest the config
 * (which may name pre.yaml in replaceable_preloads). Then every lookup a
 * tool makes. */
#include "base/config.h"
#include "fuzz.h"

static void leaf(const char *key, const char *value, void *ctx)
{
    (void)value;
    const ph_config *cfg = ctx;
    const char *v;
    double d;
    long l;
    int b;
    ph_config_get_value(cfg, key, &v);
    ph_config_get_double(cfg, key, 0, &d);
    ph_config_get_long(cfg, key, 0, &l);
    ph_config_get_bool(cfg, key, 0, &b);
    ph_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = NULL;
    for (size_t i = 0; i + 4 <= size && !sep; i++)
        if (!memcmp(data + i, "#--\n", 4) && (i == 0 || data[i - 1] == '\n'))
            sep = data + i;
    const char *main_path;
    if (sep) {
        fuzz_file("pre.yaml", data, (size_t)(sep - data));
        main_path = fuzz_file("config.yaml", sep + 4, size - (size_t)(sep - data) - 4);
    } else {
        char pre[160];
        snprintf(pre, sizeof pre, "%s/pre.yaml", fuzz_dir());
        unlink(pre);
        main_path = fuzz_file("config.yaml", data, size);
    }
    ph_config *cfg = ph_config_new();
    if (!cfg)
        abort();
    if (!ph_config_load(cfg, main_path)) {
        ph_config_foreach_leaf(cfg, leaf, cfg);
        ph_config_set(cfg, "photometry.phrosty.kerpolyorder=1");
        ph_config_set(cfg, "a.b.c=");
        FILE *null = fopen("/dev/null", "w");
        ph_config_dump(cfg, "", null);
        fclose(null);
        const char *items[8];
        ph_config_list(cfg, "replaceable_preloads", items, 8);
        ph_config_keys(cfg, "photometry", items, 8);
    }
    ph_config_free(cfg);
    ph_error_clear();
    return 0;
}
