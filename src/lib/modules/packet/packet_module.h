// packet_module.h - the pieces of the "packet" module (AF_PACKET
// TPACKET_V3, DESIGN.md decision 3) that do not need a socket: the socket
// filter program, the cluster-type mapping and device queries. Kept apart
// so unit tests can check them without root.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "module.h"

namespace pfr {
namespace packet {

// One classic BPF instruction; the layout of both libpcap's bpf_insn and
// the kernel's sock_filter.
struct FilterInsn {
  uint16_t code;
  uint8_t jt, jf;
  uint32_t k;
};

// The program attached with SO_ATTACH_FILTER. In order:
//  - queue >= 0: outgoing packets are dropped and received ones are kept
//    only when the driver recorded RX queue `queue` (SKF_AD_QUEUE holds
//    queue+1; 0 means "not recorded", which single-queue drivers give and
//    which counts as queue 0);
//  - tags_to_software: a packet whose VLAN tag the kernel took out of the
//    frame (802.1Q offload, SKF_AD_VLAN_TAG_PRESENT) is accepted whole: the
//    user program was compiled for frames with the tag in place (a program
//    handed over already compiled), so the handle runs it in software after
//    the module puts the tag back. Without it every packet goes through the
//    user program, which was compiled for the live device
//    (compile_live_filter: the tag in metadata, as tcpdump -i sees it);
//  - the user program (libpcap's, compiled with snaplen = caplen), or
//    "accept caplen bytes" without one: the kernel copies at most caplen
//    bytes into the ring.
// queue_absent: the device has no such queue; the program drops everything
// (guide 8.3: a queue that does not exist captures nothing).
// Returns an empty vector when the result would exceed BPF_MAXINSNS.
std::vector<FilterInsn> socket_filter(int queue, bool queue_absent, uint32_t caplen,
                                      const std::vector<FilterInsn> *user, bool tags_to_software = true);

// Compiles expr the way libpcap compiles it for a live capture on dev
// (tcpdump -i dev expr): libpcap opens dev for a moment, and on Linux
// Ethernet devices it compiles `vlan` to the kernel's VLAN metadata and
// every other test against the frame as the kernel holds it, tag taken
// out. So `udp` matches 802.1Q-tagged UDP as live tcpdump does, where a
// capture file's semantics (the tag in the frame) would not. The real
// libpcap's own functions are used even when the libpcap shim is
// preloaded. Returns true with the program in out (returning snaplen for
// accepted packets); false with why (dev not Ethernet, libpcap could not
// open it, the expression does not compile).
bool compile_live_filter(const std::string &dev, uint32_t snaplen, const char *expr, std::vector<FilterInsn> &out,
                         std::string &why);

// SO_ATTACH_FILTER of prog on fd (replacing the previous filter). 0 or -1 with errno.
int attach_socket_filter(int fd, std::vector<FilterInsn> &prog);

// PACKET_FANOUT mode and flags for a cluster type, or -1 with why.
// The kernel's fanout hash (__skb_get_hash_symmetric) covers {IP protocol,
// the two addresses, the two ports}, ordered so both directions hash the
// same, VLAN ids left out, and tunnelled traffic (GRE, IP-in-IP) on its
// inner headers. So every packet of a cluster_per_flow (6-tuple) or
// cluster_per_flow_5_tuple flow reaches one member; the 2-tuple, 4-tuple,
// TCP-5-tuple and inner-flow types would need a different key, and are
// refused. With PACKET_FANOUT_FLAG_DEFRAG IPv4 fragments are reassembled
// before hashing (the member then receives the whole datagram).
int fanout_mode(cluster_type type, std::string &why);

// Kernel fanout group id for a cluster id (16 bits), or -1.
int fanout_group(uint32_t cluster_id);

// Number of RX queues of a device (/sys/class/net/DEV/queues/rx-*); 1 when unknown.
int rx_queue_count(const std::string &dev);

// Hardware address and ARPHRD_* type of a device (SIOCGIFHWADDR). false when it has none.
bool device_hw_address(const std::string &dev, uint8_t mac[6], int *hatype);

// Network interfaces for pfring_findalldevs(): "any" and every interface.
void list_devices(std::vector<DeviceInfo> &out);

}  // namespace packet
}  // namespace pfr
