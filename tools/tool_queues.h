/*
 * tool_queues.h - counting every RX queue of a device at once, one thread
 * per ring, for pfcount_multichannel and pfcount_82599.
 */
#ifndef PFRING_TOOL_QUEUES_H
#define PFRING_TOOL_QUEUES_H

#include "pfring.h"

/*
 * Enables rings[0..n), counts each in its own thread until its device ends
 * or a stop signal (tu_install_stop_signals), then prints one line per
 * queue and the total, or with json one {"summary": {...}} line with
 * "device", "queues": [{"queue", "received", "bytes"}...], "received" and
 * extra_json (a string of further members, "" for none). verbose prints a
 * line per packet (tu_print_pkt_line, parsed), prefixed by its queue.
 * Closes the rings. Returns TU_EXIT_OK, or TU_EXIT_ERROR when a receive
 * failed.
 */
int tq_count_queues(const char *prog, const char *device, pfring **rings, int n, int json, int verbose,
		    const char *extra_json);

#endif /* PFRING_TOOL_QUEUES_H */
