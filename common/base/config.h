/* config.h -- phrosty's YAML configuration (libyaml).
 *
 * The config is a tree of mappings, sequences and scalars, read from the
 * file given with -c or in $SNPIT_CONFIG, in phrosty's layout
 * (system.paths.*, photometry.phrosty.*). Keys are looked up with dots:
 * "photometry.phrosty.kerpolyorder". Files named in a top-level
 * `replaceable_preloads:` list are loaded first and the file itself is merged
 * over them (mappings merge key by key, anything else replaces); a preload
 * that does not exist is skipped with a warning, since phrosty's example
 * configs name container paths. `--set key=value` overrides any leaf.
 *
 * Options of our own tools live under `ph.<tool>.<option>` (the option's
 * long name with '-' written '_'), e.g. ph.skysub.back_size: 64.
 *
 * Ownership: the config owns every string it returns; they live until
 * ph_config_free().
 */
#ifndef PH_CONFIG_H
#define PH_CONFIG_H

#include <stdio.h>

typedef struct ph_config ph_config;

ph_config *ph_config_new(void);
void ph_config_free(ph_config *cfg);

/* Merge the YAML file `path` (and its preloads) over `cfg`. Errors name the
 * file, line and column. */
int ph_config_load(ph_config *cfg, const char *path);
/* Merge YAML text (for tests and --set); `name` is used in messages. */
int ph_config_load_string(ph_config *cfg, const char *yaml, const char *name);

/* The file the config came from (the last one loaded), or NULL. */
const char *ph_config_path(const ph_config *cfg);

/* Apply "dotted.key=value" (value taken as a YAML scalar; empty = null). */
int ph_config_set(ph_config *cfg, const char *assignment);

/* Lookups. ph_config_get returns the scalar text of `key`, or NULL when the
 * key is absent, null, or not a scalar -- except a null where phrosty gives
 * None a meaning (ph_config_null_meaning): then that meaning. The typed getters return 0 and set
 * *out (to `def` when the key is absent or null), or record an error naming
 * the config file and key when the value has the wrong type. */
const char *ph_config_get(const ph_config *cfg, const char *key);
int ph_config_has(const ph_config *cfg, const char *key);
/* A value that must be a single scalar: *out is its text, or NULL when
 * absent or null; a list or mapping there is an error naming the file,
 * line and column (a tool must never fall back to its default in silence). */
int ph_config_get_value(const ph_config *cfg, const char *key, const char **out);
int ph_config_get_str(const ph_config *cfg, const char *key, const char *def, const char **out);
int ph_config_get_double(const ph_config *cfg, const char *key, double def, double *out);
int ph_config_get_long(const ph_config *cfg, const char *key, long def, long *out);
int ph_config_get_bool(const ph_config *cfg, const char *key, int def, int *out);

/* What a YAML null (phrosty's None) means at a phrosty key, as text the
 * tools parse: "none" for photometry.phrosty.sfft.radius_cut_detmask (every
 * segment goes into the detection mask), "false" for phrosty's flags
 * (keep_intermediate, remove_temp_dir, mem_trace, force_sky_subtract);
 * NULL where phrosty does not allow None. */
const char *ph_config_null_meaning(const char *key);
/* 1 if `key` is present and null. */
int ph_config_is_null(const ph_config *cfg, const char *key);

/* Child keys of the mapping at `key` ("" = top level): returns their count
 * and, if names != NULL, up to `max` pointers to their names. -1 if `key` is
 * absent or not a mapping. */
int ph_config_keys(const ph_config *cfg, const char *key, const char **names, int max);

/* Scalar items of the sequence at `key`: count, and up to `max` items. */
int ph_config_list(const ph_config *cfg, const char *key, const char **items, int max);

/* Every leaf as "dotted.key", call fn(key, value-or-NULL, ctx). */
void ph_config_foreach_leaf(const ph_config *cfg,
                            void (*fn)(const char *key, const char *value, void *ctx),
                            void *ctx);

/* Write the config (or the subtree at `key`, "" = all) as YAML. */
void ph_config_dump(const ph_config *cfg, const char *key, FILE *out);

/* The config named by `path` if not NULL, else by $SNPIT_CONFIG if set,
 * else an empty config. NULL on error (recorded). */
ph_config *ph_config_open(const char *path);

#endif
