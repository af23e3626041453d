// pfring_print.cpp - the 5.x library's text helpers: pfring_print_parsed_pkt,
// pfring_print_pkt, gmt_to_local and in6toa (pfring.h says what each returns).
#include <arpa/inet.h>
#include <time.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "api_util.h"

namespace {

// Appends with snprintf semantics: *used grows by what the whole text
// needs, the buffer holds what fits (always NUL-terminated when len > 0).
void add(char *buf, size_t len, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void add(char *buf, size_t len, size_t *used, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *at = *used < len ? buf + *used : nullptr;
  int n = vsnprintf(at, at ? len - *used : 0, fmt, ap);
  va_end(ap);
  if (n > 0) *used += static_cast<size_t>(n);
}

void add_ip(char *buf, size_t len, size_t *used, const ip_addr &a, uint8_t version) {
  char s[INET6_ADDRSTRLEN] = "?";
  if (version == 4) {
    uint32_t be = htonl(a.v4);
    inet_ntop(AF_INET, &be, s, sizeof s);
  } else if (version == 6) {
    inet_ntop(AF_INET6, &a.v6, s, sizeof s);
  }
  add(buf, len, used, version == 6 ? "[%s]" : "%s", s);
}

bool looks_parsed(const struct pfring_pkthdr *h) {
  const auto &p = h->extended_hdr.parsed_pkt;
  return p.eth_type != 0 || p.offset.l3_offset != 0;
}

}  // namespace

PFR_EXPORT int pfring_print_parsed_pkt(char *buff, u_int buff_len, const u_char *p, const struct pfring_pkthdr *h) {
  if (!buff || !h) return PF_RING_ERROR_INVALID_ARGUMENT;
  struct pfring_pkthdr local = *h;
  if (!looks_parsed(&local) && p) {
    std::memset(&local.extended_hdr.parsed_pkt, 0, sizeof local.extended_hdr.parsed_pkt);
    pfring_parse_pkt(const_cast<u_char *>(p), &local, 4, 0, 0);
  }
  const auto &x = local.extended_hdr.parsed_pkt;
  size_t used = 0;
  if (buff_len) buff[0] = '\0';
  add(buff, buff_len, &used, "[%02x:%02x:%02x:%02x:%02x:%02x -> %02x:%02x:%02x:%02x:%02x:%02x]", x.smac[0],
      x.smac[1], x.smac[2], x.smac[3], x.smac[4], x.smac[5], x.dmac[0], x.dmac[1], x.dmac[2], x.dmac[3], x.dmac[4],
      x.dmac[5]);
  if (x.vlan_id != NO_VLAN && x.vlan_id != 0) add(buff, buff_len, &used, "[vlan %u]", x.vlan_id);
  add(buff, buff_len, &used, "[eth_type=0x%04x]", x.eth_type);
  if (x.ip_version == 4 || x.ip_version == 6) {
    add(buff, buff_len, &used, "[IPv%u][l3_proto=%u]", x.ip_version, x.l3_proto);
    add(buff, buff_len, &used, "[");
    add_ip(buff, buff_len, &used, x.ip_src, x.ip_version);
    if (x.l4_src_port || x.l4_dst_port) add(buff, buff_len, &used, ":%u", x.l4_src_port);
    add(buff, buff_len, &used, " -> ");
    add_ip(buff, buff_len, &used, x.ip_dst, x.ip_version);
    if (x.l4_src_port || x.l4_dst_port) add(buff, buff_len, &used, ":%u", x.l4_dst_port);
    add(buff, buff_len, &used, "]");
    if (x.l3_proto == 6) add(buff, buff_len, &used, "[tcp flags=0x%02x]", x.tcp.flags);
  }
  if (x.tunnel.tunnel_id != NO_TUNNEL_ID && x.tunnel.tunneled_ip_version)
    add(buff, buff_len, &used, "[tunnel 0x%08x]", x.tunnel.tunnel_id);
  add(buff, buff_len, &used, "[caplen=%u][len=%u]", local.caplen, local.len);
  return static_cast<int>(used > 0x7fffffff ? 0x7fffffff : used);
}

PFR_EXPORT int pfring_print_pkt(char *buff, u_int buff_len, const u_char *p, u_int len, u_int caplen) {
  if (!buff || !p) return PF_RING_ERROR_INVALID_ARGUMENT;
  struct pfring_pkthdr h;
  std::memset(&h, 0, sizeof h);
  h.len = len;
  h.caplen = caplen;
  pfring_parse_pkt(const_cast<u_char *>(p), &h, 4, 0, 0);
  return pfring_print_parsed_pkt(buff, buff_len, p, &h);
}

PFR_EXPORT int32_t gmt_to_local(time_t t) {
  if (t == 0) t = time(nullptr);
  struct tm local;
  if (!localtime_r(&t, &local)) return 0;
  return static_cast<int32_t>(local.tm_gmtoff);
}

PFR_EXPORT char *in6toa(struct in6_addr addr6) {
  static thread_local char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(AF_INET6, &addr6, buf, sizeof buf)) buf[0] = '\0';
  return buf;
}
