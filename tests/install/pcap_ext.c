/*
 * pcap_ext.c - a program written against PF_RING's libpcap: plain libpcap
 * calls plus the ones pfring_pcap.h adds, linked with -lpfring-pcap (no
 * preload). On a PF_RING device: the settings made before activation,
 * the ring behind the handle, and the ns_pcaphdr header.
 *
 * usage: pcap_ext CAPTURE_FILE   (opened as the device pcap:CAPTURE_FILE)
 */
#include <pfring_pcap.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what, pcap_t *p)
{
	fprintf(stderr, "pcap_ext: %s: %s\n", what, p ? pcap_geterr(p) : "");
	return 1;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE], dev[4096], name[64];
	pcap_t *p, *file;
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned n = 0;

	if (argc != 2)
		return 2;
	snprintf(dev, sizeof(dev), "pcap:%s", argv[1]);
	p = pcap_create(dev, errbuf);
	if (p == NULL) {
		fprintf(stderr, "pcap_ext: %s\n", errbuf);
		return 1;
	}
	strcpy(name, "pcap_ext-test");
	if (pcap_set_application_name(p, name) != 0)
		return fail("pcap_set_application_name", p);
	if (pcap_set_watermark(p, 8) != 0)
		return fail("pcap_set_watermark", p);
	if (pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) != 0)
		return fail("precision", p);
	if (pcap_get_pfring_handle(p) != NULL)
		return fail("a ring before activation", NULL);
	if (pcap_activate(p) != 0)
		return fail("pcap_activate", p);
	if (pcap_get_pfring_handle(p) == NULL)
		return fail("pcap_get_pfring_handle", p);
	/* a capture file is no cluster: refused with a reason, the handle stays usable */
	if (pcap_set_cluster(p, 5) == 0)
		return fail("pcap_set_cluster on a file device succeeded", NULL);
	while (pcap_next_ex(p, &h, &data) == 1) {
		const struct ns_pcaphdr *ns = (const struct ns_pcaphdr *)h;

		if (ns->ns != (u_int64_t)h->ts.tv_sec * 1000000000ull + (u_int64_t)h->ts.tv_usec)
			return fail("ns_pcaphdr.ns is not the header's timestamp", NULL);
		n++;
	}
	pcap_close(p);
	/* a handle that is not PF_RING's */
	file = pcap_open_offline(argv[1], errbuf);
	if (file == NULL || pcap_set_cluster(file, 1) == 0 || pcap_get_pfring_handle(file) != NULL ||
	    strstr(pcap_geterr(file), "not a PF_RING device") == NULL)
		return fail("a file handle", file);
	pcap_close(file);
	printf("pcap_ext: %u packets, PF_RING's pcap calls work\n", n);
	return n > 0 ? 0 : 1;
}
