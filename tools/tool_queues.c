/*
 * tool_queues.c - one counting thread per RX queue; see tool_queues.h.
 */
#define _DEFAULT_SOURCE 1

#include "tool_queues.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tool_util.h"

struct queue_counter {
	const char *prog, *device;
	pfring *ring;
	int queue, verbose, failed;
	uint64_t pkts, bytes;
};

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void *count_queue(void *arg)
{
	struct queue_counter *q = arg;
	struct pfring_pkthdr hdr;
	u_char *pkt;
	int rc;

	while ((rc = tu_recv_next(q->prog, q->device, q->ring, &pkt, &hdr, q->verbose ? 5 : 0)) > 0) {
		q->pkts++;
		q->bytes += hdr.len;
		if (q->verbose) {
			pthread_mutex_lock(&print_lock);
			printf("[queue %d] ", q->queue);
			tu_print_pkt_line(stdout, &hdr, 0);
			pthread_mutex_unlock(&print_lock);
		}
	}
	q->failed = rc < 0;
	return NULL;
}

int tq_count_queues(const char *prog, const char *device, pfring **rings, int n, int json, int verbose,
		    const char *extra_json)
{
	static struct queue_counter q[MAX_NUM_RX_CHANNELS];
	pthread_t threads[MAX_NUM_RX_CHANNELS];
	int started[MAX_NUM_RX_CHANNELS];
	uint64_t total = 0;
	char num[TU_NUM_BUF];
	int i, exit_code = TU_EXIT_OK;

	tu_install_stop_signals();
	for (i = 0; i < n; i++) {
		memset(&q[i], 0, sizeof(q[i]));
		q[i].prog = prog;
		q[i].device = device;
		q[i].ring = rings[i];
		q[i].queue = i;
		q[i].verbose = verbose && !json;
		tu_watch_ring(i, rings[i]); /* slots 0..3; the others see tu_stop within 100 ms */
		pfring_enable_ring(rings[i]);
		started[i] = pthread_create(&threads[i], NULL, count_queue, &q[i]) == 0;
		if (!started[i]) {
			fprintf(stderr, "%s: cannot start a thread for queue %d\n", prog, i);
			q[i].failed = 1;
		}
	}
	for (i = 0; i < n; i++)
		if (started[i])
			pthread_join(threads[i], NULL);
	if (json) {
		printf("{\"summary\":{\"device\":");
		tu_json_string(stdout, device);
		printf(",\"queues\":[");
	}
	for (i = 0; i < n; i++) {
		total += q[i].pkts;
		if (q[i].failed)
			exit_code = TU_EXIT_ERROR;
		if (json)
			printf("%s{\"queue\":%d,\"received\":%llu,\"bytes\":%llu}", i ? "," : "", i,
			       (unsigned long long)q[i].pkts, (unsigned long long)q[i].bytes);
		else
			printf("queue %d: %s packets\n", i, tu_fmt_u64(q[i].pkts, num, sizeof(num)));
	}
	if (json)
		printf("],\"received\":%llu%s%s}}\n", (unsigned long long)total, *extra_json ? "," : "", extra_json);
	else
		printf("total: %s packets\n", tu_fmt_u64(total, num, sizeof(num)));
	for (i = 0; i < n; i++)
		tu_close_ring(rings[i]);
	return exit_code;
}
