// cgo_client calls libpfring from Go the way cgo bindings do (gopacket's
// pfring package is the model): pfring.h and <linux/pf_ring.h> included,
// the enums and flags taken from C, Go byte slices passed to pfring_send
// as *C.char (cgo converts no pointer types, so the declaration must say
// char * as PF_RING 5.x's did), strings as *C.char, the packet header read
// as a Go struct. Built and run by tests/install/run.sh against the
// installed tree:
//
//	cgo_client pcap:FILE FILTER EXPECTED
//
// counts the packets of FILE that FILTER passes (EXPECTED: what tcpdump -r
// counts), then sends frames over a userspace: pipe and reads them back.
package main

/*
#cgo pkg-config: libpfring
#include <stdlib.h>
#include <pfring.h>
#include <stdint.h>
#include <linux/pf_ring.h>
*/
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"unsafe"
)

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "cgo_client: "+format+"\n", a...)
	os.Exit(1)
}

func open(name string, flags C.u_int32_t) *C.pfring {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	ring, err := C.pfring_open(cname, 1518, flags)
	if ring == nil {
		fail("pfring_open(%s): %v", name, err)
	}
	return ring
}

func count(dev, filter string) (n uint64, bytes uint64) {
	ring := open(dev, C.PF_RING_PROMISC|C.PF_RING_LONG_HEADER)
	defer C.pfring_close(ring)
	cfilter := C.CString(filter)
	defer C.free(unsafe.Pointer(cfilter))
	if rv := C.pfring_set_bpf_filter(ring, cfilter); rv != 0 {
		fail("pfring_set_bpf_filter(%q) = %d", filter, rv)
	}
	if rv := C.pfring_set_direction(ring, C.rx_and_tx_direction); rv != 0 {
		fail("pfring_set_direction = %d", rv)
	}
	if rv := C.pfring_set_socket_mode(ring, C.recv_only_mode); rv != 0 {
		fail("pfring_set_socket_mode = %d", rv)
	}
	if rv := C.pfring_enable_ring(ring); rv != 0 {
		fail("pfring_enable_ring = %d", rv)
	}
	var buf *C.u_char
	var hdr C.struct_pfring_pkthdr
	for {
		rv := C.pfring_recv(ring, &buf, 0, &hdr, 1)
		if rv != 1 {
			if rv != C.PF_RING_ERROR_END_OF_FILE {
				fail("pfring_recv = %d", rv)
			}
			break
		}
		if hdr.caplen == 0 || hdr.caplen > hdr.len || buf == nil {
			fail("packet %d: caplen %d len %d", n, hdr.caplen, hdr.len)
		}
		n++
		bytes += uint64(hdr.len)
	}
	var stats C.pfring_stat
	if rv := C.pfring_stats(ring, &stats); rv != 0 || uint64(stats.recv) != n {
		fail("pfring_stats = %d, recv %d, counted %d", rv, stats.recv, n)
	}
	return n, bytes
}

func sendAndReceive() {
	name := fmt.Sprintf("userspace:cgo%d", os.Getpid())
	a := open(name, 0)
	b := open(name, 0)
	defer C.pfring_close(a)
	defer C.pfring_close(b)
	for i := 0; i < 3; i++ {
		data := make([]byte, 60+i)
		data[0] = byte(i + 1)
		buf := (*C.char)(unsafe.Pointer(&data[0]))
		if rv := C.pfring_send(b, buf, C.u_int(len(data)), 1); rv != C.int(len(data)) {
			fail("pfring_send = %d", rv)
		}
	}
	var pkt *C.u_char
	var hdr C.struct_pfring_pkthdr
	for i := 0; i < 3; i++ {
		if rv := C.pfring_recv(a, &pkt, 0, &hdr, 1); rv != 1 {
			fail("pfring_recv on the pipe = %d", rv)
		}
		first := *(*byte)(unsafe.Pointer(pkt))
		if int(hdr.caplen) != 60+i || first != byte(i+1) {
			fail("frame %d came back as %d bytes starting %d", i, hdr.caplen, first)
		}
	}
}

func main() {
	if len(os.Args) != 4 {
		fail("usage: cgo_client pcap:FILE FILTER EXPECTED")
	}
	want, err := strconv.ParseUint(os.Args[3], 10, 64)
	if err != nil {
		fail("EXPECTED: %v", err)
	}
	n, _ := count(os.Args[1], os.Args[2])
	if n != want {
		fail("%q counted %d packets, tcpdump %d", os.Args[2], n, want)
	}
	sendAndReceive()
	var version C.u_int32_t
	ring := open(os.Args[1], 0)
	if rv := C.pfring_version(ring, &version); rv != 0 || version != C.RING_VERSION_NUM {
		fail("pfring_version = %d, %x", rv, version)
	}
	C.pfring_close(ring)
	fmt.Printf("cgo_client: %q %d packets, as tcpdump; the pipe carried 3 frames\n", os.Args[2], n)
}
