/*
 * bpf_vm.h - classic BPF: a validator and a bounded interpreter.
 *
 * libpcap compiles filter expressions (guide 8.10.3) and libpfring runs
 * the program in userland where a device has no kernel filter. libpcap's
 * own bpf_filter() runs whatever it is given; one of libpcap's own
 * programs loops: `ip6 protochain N` walks the extension headers with a
 * backward jump, and libpcap 1.10 loads an AH header's length as the next
 * offset instead of adding it, so one crafted IPv6 frame (an AH whose
 * length points at itself) keeps it in the loop forever, signals or not
 * (tcpdump -r hangs the same way).
 *
 * So every program is checked first (pfc_bpf_check: the kernel's rules,
 * except that a backward JA is allowed and reported), and a program with
 * a backward jump runs here with a step budget: a packet that exhausts it
 * does not match (and is counted by the caller). Programs without one
 * cannot loop (every jump goes forward) and may run anywhere.
 *
 * Semantics as libpcap's bpf_filter(): loads beyond the captured length,
 * division or modulo by zero end the program with 0; shifts by 32 or more
 * give 0.
 *
 * Freestanding C11 (src/core): no libc, no allocation.
 */
#ifndef PFC_BPF_VM_H
#define PFC_BPF_VM_H

#include "pfring_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* struct bpf_insn, field for field */
struct pfc_bpf_insn {
	u_int16_t code;
	u_int8_t jt;
	u_int8_t jf;
	u_int32_t k;
};

#define PFC_BPF_MEMWORDS 16
#define PFC_BPF_MAX_INSNS (1u << 20) /* userland; the kernel's own limit is 4096 */

/* pfc_bpf_check() results */
#define PFC_BPF_OK 0 /* forward jumps only: cannot loop */
#define PFC_BPF_LOOPS 1 /* valid, with a backward jump: run it with pfc_bpf_run_bounded */
#define PFC_BPF_EINVAL (-1) /* not a program to run (*bad_pc says where) */

/*
 * Checks n instructions: every opcode known, every jump inside the
 * program, memory words below 16, no division by a constant zero, the
 * last instruction a return, constant shifts below 32; and, given scratch
 * (n words of the caller's; NULL skips it) for a program without backward
 * jumps, that no memory word is read on a path where it was not written
 * (the kernel's rule: libpcap's bpf_filter() would read uninitialised
 * stack). Returns PFC_BPF_OK, PFC_BPF_LOOPS or PFC_BPF_EINVAL with
 * *bad_pc set to the first bad instruction.
 */
int pfc_bpf_check(const struct pfc_bpf_insn *prog, u_int32_t n, u_int16_t *scratch, u_int32_t *bad_pc);

/*
 * Runs a program pfc_bpf_check() accepted on a packet of wirelen bytes
 * of which caplen are at pkt. At most budget instructions execute; when
 * that is not enough the result is 0 and *exhausted is set to 1 (else 0).
 * Returns the program's return value (0: no match).
 */
u_int32_t pfc_bpf_run_bounded(const struct pfc_bpf_insn *prog, u_int32_t n, const u_int8_t *pkt,
			      u_int32_t wirelen, u_int32_t caplen, u_int32_t budget, int *exhausted);

#ifdef __cplusplus
}
#endif

#endif /* PFC_BPF_VM_H */
