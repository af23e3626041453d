/*
 * numparse.c - see numparse.h.
 */
#include "numparse.h"

int pfc_parse_decimal(const char *s, u_int64_t len, u_int64_t max, u_int64_t *out)
{
	u_int64_t v = 0;
	u_int64_t i;

	if (s == (const char *)0 || len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		u_int64_t d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (u_int64_t)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}
