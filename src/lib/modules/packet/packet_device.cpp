// packet_device.cpp - socket filter program, fanout mapping and device
// queries of the "packet" module (see packet_module.h).
#include <dirent.h>
#include <linux/filter.h>
#include <net/if_arp.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "modules/packet/packet_module.h"

namespace pfr {
namespace packet {

namespace {

FilterInsn stmt(uint16_t code, uint32_t k) { return FilterInsn{code, 0, 0, k}; }
FilterInsn jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return FilterInsn{code, jt, jf, k}; }

constexpr uint16_t kLoadAbsWord = BPF_LD | BPF_W | BPF_ABS;
constexpr uint16_t kJumpEq = BPF_JMP | BPF_JEQ | BPF_K;
constexpr uint16_t kReturn = BPF_RET | BPF_K;

uint32_t ancillary(int what) { return static_cast<uint32_t>(SKF_AD_OFF + what); }

}  // namespace

std::vector<FilterInsn> socket_filter(int queue, bool queue_absent, uint32_t caplen,
                                      const std::vector<FilterInsn> *user, bool tags_to_software) {
  std::vector<FilterInsn> p;
  if (queue_absent) {
    p.push_back(stmt(kReturn, 0));
    return p;
  }
  // Layout: [queue checks] VLAN-check ACCEPT DROP BODY. Jumps are forward
  // only, so the checks jump ahead to ACCEPT/DROP; the offsets are fixed
  // once the prefix length is known.
  size_t outgoing = 0, wrong_queue = 0;
  if (queue >= 0) {
    p.push_back(stmt(kLoadAbsWord, ancillary(SKF_AD_PKTTYPE)));
    outgoing = p.size();
    p.push_back(jump(kJumpEq, PACKET_OUTGOING, 0, 0));  // jt -> DROP
    p.push_back(stmt(kLoadAbsWord, ancillary(SKF_AD_QUEUE)));
    if (queue == 0) p.push_back(jump(kJumpEq, 0, 1, 0));  // not recorded: queue 0
    wrong_queue = p.size();
    p.push_back(jump(kJumpEq, static_cast<uint32_t>(queue) + 1, 0, 0));  // jf -> DROP
  }
  // Without the VLAN check: ACCEPT DROP BODY, ACCEPT jumped over.
  size_t drop = p.size() + (tags_to_software ? 3 : 1);
  if (queue >= 0) {
    p[outgoing].jt = static_cast<uint8_t>(drop - outgoing - 1);
    p[wrong_queue].jf = static_cast<uint8_t>(drop - wrong_queue - 1);
  }
  if (tags_to_software) {
    p.push_back(stmt(kLoadAbsWord, ancillary(SKF_AD_VLAN_TAG_PRESENT)));
    p.push_back(jump(kJumpEq, 0, 2, 0));  // no tag taken out: BODY
    p.push_back(stmt(kReturn, caplen));   // ACCEPT
  } else {
    p.push_back(FilterInsn{BPF_JMP | BPF_JA, 0, 0, 1});  // over DROP
  }
  p.push_back(stmt(kReturn, 0));        // DROP
  if (user && !user->empty()) p.insert(p.end(), user->begin(), user->end());
  else p.push_back(stmt(kReturn, caplen));
  if (p.size() > BPF_MAXINSNS) p.clear();
  return p;
}

int attach_socket_filter(int fd, std::vector<FilterInsn> &prog) {
  static_assert(sizeof(FilterInsn) == sizeof(struct sock_filter), "classic BPF instruction layout");
  struct sock_fprog fp;
  fp.len = static_cast<unsigned short>(prog.size());
  fp.filter = reinterpret_cast<struct sock_filter *>(prog.data());
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
}

int fanout_mode(cluster_type type, std::string &why) {
  switch (type) {
    case cluster_round_robin:
      return PACKET_FANOUT_LB;
    case cluster_per_flow:
    case cluster_per_flow_5_tuple:
      return PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG;
    case cluster_per_flow_2_tuple:
    case cluster_per_flow_4_tuple:
    case cluster_per_flow_tcp_5_tuple:
      why = "AF_PACKET fanout hashes {protocol, addresses, ports}; it cannot keep this cluster type's flows "
            "together (cluster_per_flow, cluster_per_flow_5_tuple and cluster_round_robin work)";
      return -1;
    default:
      why = "AF_PACKET fanout cannot balance on tunnelled (inner) headers chosen by the caller; "
            "use cluster_per_flow, cluster_per_flow_5_tuple or cluster_round_robin";
      return -1;
  }
}

int fanout_group(uint32_t cluster_id) { return cluster_id <= 0xffff ? static_cast<int>(cluster_id) : -1; }

int rx_queue_count(const std::string &dev) {
  if (dev.empty() || dev.find('/') != std::string::npos) return 1;
  std::string path = "/sys/class/net/" + dev + "/queues";
  DIR *d = opendir(path.c_str());
  if (!d) return 1;
  int n = 0;
  while (struct dirent *e = readdir(d))
    if (std::strncmp(e->d_name, "rx-", 3) == 0) n++;
  closedir(d);
  return n > 0 ? n : 1;
}

bool device_hw_address(const std::string &dev, uint8_t mac[6], int *hatype) {
  if (dev.size() >= IFNAMSIZ) return false;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof(ifr));
  std::memcpy(ifr.ifr_name, dev.c_str(), dev.size());
  bool ok = ioctl(fd, SIOCGIFHWADDR, &ifr) == 0;
  ::close(fd);
  if (!ok) return false;
  std::memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
  if (hatype) *hatype = ifr.ifr_hwaddr.sa_family;
  return true;
}

void list_devices(std::vector<DeviceInfo> &out) {
  DeviceInfo any;
  any.name = "any";
  any.description = "AF_PACKET TPACKET_V3: every interface of this network namespace";
  any.ifindex = 0;
  out.push_back(any);
  struct if_nameindex *names = if_nameindex();
  if (!names) return;
  for (struct if_nameindex *i = names; i->if_index != 0 && i->if_name; i++) {
    DeviceInfo d;
    d.name = i->if_name;
    d.ifindex = static_cast<int>(i->if_index);
    int hatype = -1;
    device_hw_address(d.name, d.mac, &hatype);
    d.rx_channels = rx_queue_count(d.name);
    d.description = std::string("AF_PACKET TPACKET_V3 on ") + i->if_name +
                    (hatype == ARPHRD_ETHER || hatype == ARPHRD_LOOPBACK ? "" : " (not Ethernet: cannot be opened)");
    out.push_back(d);
  }
  if_freenameindex(names);
}

}  // namespace packet
}  // namespace pfr
