/*
 * numparse.h - the one decimal number parser of option values (device
 * names, pfsim testbed files): digits only, no sign, no spaces, no
 * overflow. Freestanding C11 like the rest of src/core.
 */
#ifndef PFC_NUMPARSE_H
#define PFC_NUMPARSE_H

#include "pfring_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Parses the len characters at s as a decimal number of at most max.
 * Returns 0 with *out set, or -1 (empty, a character that is not a digit,
 * or a value above max).
 */
int pfc_parse_decimal(const char *s, u_int64_t len, u_int64_t max, u_int64_t *out);

#ifdef __cplusplus
}
#endif

#endif /* PFC_NUMPARSE_H */
