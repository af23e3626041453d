// SPDX-License-Identifier: GPL-2.0
/* src/core/parse_fast.c compiled into pf_ring.ko (DESIGN.md decision 1). */
#include "parse_fast.c"
