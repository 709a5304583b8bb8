/* known_keys.h -- the config keys phrosty-c reads (for `ph-config check`). */
#ifndef PH_KNOWN_KEYS_H
#define PH_KNOWN_KEYS_H

/* 1 if phrosty-c reads `key` (a dotted leaf key), or if it belongs to a part
 * of phrosty's config that only phrosty's database or simulation lookups
 * use (system.ou24.*, system.db.* ...), which we accept silently. */
int config_known_key(const char *key);

/* 1 if phrosty-c reads `key` as a single value (not a list or mapping):
 * every ph.<tool>.<option> and phrosty's scalar keys. */
int config_known_scalar(const char *key);

#endif
