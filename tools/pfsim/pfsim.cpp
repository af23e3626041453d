// pfsim.cpp - runs a named testbed of software NICs (README "pfsim
// testbeds") until SIGINT/SIGTERM, or until it is idle with -x.
//
//   pfsim [-n NAME] [-x] [-q] TESTBED_FILE
//
// Clients open sim:NAME:NIC[@QUEUE]. At start pfsim prints one line
// "pfsim: testbed NAME ready (pid P)" on stdout; at exit the NIC counters
// as one JSON line, and it removes the shared memory.
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "testbed.h"

namespace {

volatile sig_atomic_t g_stop = 0;

// The first SIGINT/SIGTERM stops the testbed cleanly; a second ends pfsim at once.
void on_signal(int sig) {
  if (g_stop) {
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  g_stop = 1;
}

void usage() {
  std::fprintf(stderr,
               "usage: pfsim [-n NAME] [-g GROUP] [-x] [-q] TESTBED_FILE\n"
               "  -n NAME  testbed name (default: the file name without directory and extension)\n"
               "  -g GROUP share the testbed with GROUP (mode 0660; clients open sim:NAME:NIC,group=GROUP);\n"
               "           without it only this user's processes (and root with user=) may join\n"
               "  -x       exit once every source is done and every client has left\n"
               "  -q       do not print the counters at exit\n"
               "Clients open sim:NAME:NIC[@QUEUE]; SIGINT or SIGTERM stops the testbed.\n");
}

std::string default_name(const std::string &path) {
  std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  return base.substr(0, base.find('.'));
}

}  // namespace

int main(int argc, char **argv) {
  std::string name;
  bool exit_idle = false, quiet = false;
  sim::shm::Access access;
  std::string err;
  int c;
  while ((c = getopt(argc, argv, "n:g:xqh")) != -1) {
    switch (c) {
      case 'n': name = optarg; break;
      case 'g':
        if (!sim::shm::parse_group(optarg, &access.gid, err)) {
          std::fprintf(stderr, "pfsim: -g: %s\n", err.c_str());
          return 2;
        }
        access.has_gid = true;
        break;
      case 'x': exit_idle = true; break;
      case 'q': quiet = true; break;
      default: usage(); return c == 'h' ? 0 : 2;
    }
  }
  if (optind != argc - 1) {
    usage();
    return 2;
  }
  std::string path = argv[optind];
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "pfsim: cannot read testbed file %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  sim::TestbedConfig cfg;
  if (!sim::parse_testbed(text.str(), cfg, err)) {
    std::fprintf(stderr, "pfsim: %s: %s\n", path.c_str(), err.c_str());
    return 1;
  }
  if (name.empty()) name = default_name(path);

  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto tb = pfsim::Testbed::create(name, cfg, access, err);
  if (!tb) {
    std::fprintf(stderr, "pfsim: %s\n", err.c_str());
    return 1;
  }
  std::printf("pfsim: testbed %s ready (pid %d)\n", name.c_str(), static_cast<int>(getpid()));
  std::fflush(stdout);

  unsigned idle_passes = 0;
  while (!g_stop && !tb->damaged()) {
    if (tb->step()) {
      idle_passes = 0;
      continue;
    }
    if (exit_idle && tb->idle() && tb->attached_clients() == 0) break;
    // nothing to do: sleep a little, longer the longer it stays idle
    struct timespec ts = {0, idle_passes++ < 1000 ? 20000 : 500000};
    nanosleep(&ts, nullptr);
  }
  tb->stop();
  if (!quiet) std::printf("%s\n", tb->counters_json().c_str());
  if (!tb->error().empty()) {
    std::fprintf(stderr, "pfsim: %s\n", tb->error().c_str());
    return 1;
  }
  return 0;
}
