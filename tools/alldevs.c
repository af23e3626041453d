/*
 * alldevs - lists the devices every PF_RING module can open
 * (pfring_findalldevs()): name, module, MAC, interface index, RX channels
 * and description, one device a line.
 *
 *   alldevs [-h]
 *
 * Exit status: 0 (also when there are no devices), 1 when the list cannot
 * be built, 2 on a bad command line.
 */
#define _DEFAULT_SOURCE 1

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfring.h"
#include "tool_util.h"

#define PROG "alldevs"

static void usage(FILE *f)
{
	fputs("Usage: " PROG " [-h]\n"
	      "Lists the devices PF_RING can open (pfring_findalldevs()).\n"
	      "\n"
	      "  -h, --help      this help\n",
	      f);
}

static const char *or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	pfring_if_t *list, *d;
	char mac[TU_MAC_BUF];
	unsigned n = 0;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return TU_EXIT_OK;
		}
		tu_getopt_error(PROG, usage, c, argv);
	}
	if (optind < argc)
		tu_usage_error(PROG, usage, "unexpected argument '%s'", argv[optind]);

	errno = 0;
	list = pfring_findalldevs();
	if (list == NULL) {
		if (errno != 0) {
			fprintf(stderr, PROG ": cannot list devices: %s\n", strerror(errno));
			return TU_EXIT_ERROR;
		}
		printf("No devices found\n");
		return TU_EXIT_OK;
	}
	printf("%-24s %-12s %-17s %7s %11s  %s\n", "NAME", "MODULE", "MAC", "IFINDEX",
	       "RX_CHANNELS", "DESCRIPTION");
	for (d = list; d != NULL; d = d->next) {
		printf("%-24s %-12s %-17s %7d %11u  %s\n", or_dash(d->name), or_dash(d->module),
		       tu_fmt_mac(d->mac, mac, sizeof(mac)), d->ifindex,
		       (unsigned)d->num_rx_channels, or_dash(d->description));
		n++;
	}
	printf("%u device%s\n", n, n == 1 ? "" : "s");
	pfring_freealldevs(list);
	return TU_EXIT_OK;
}
