/*
 * bpf_vm.c - classic BPF check and bounded run (bpf_vm.h says why).
 */
#include "bpf_vm.h"

/* Opcode fields of classic BPF (linux/filter.h, pcap/bpf.h). */
#define C_CLASS(c) ((c) & 0x07)
#define C_SIZE(c) ((c) & 0x18)
#define C_MODE(c) ((c) & 0xe0)
#define C_OP(c) ((c) & 0xf0)
#define C_SRC(c) ((c) & 0x08)
#define C_RVAL(c) ((c) & 0x18)
#define C_MISCOP(c) ((c) & 0xf8)

enum { CL_LD = 0x00, CL_LDX = 0x01, CL_ST = 0x02, CL_STX = 0x03, CL_ALU = 0x04, CL_JMP = 0x05, CL_RET = 0x06,
       CL_MISC = 0x07 };
enum { SZ_W = 0x00, SZ_H = 0x08, SZ_B = 0x10 };
enum { MD_IMM = 0x00, MD_ABS = 0x20, MD_IND = 0x40, MD_MEM = 0x60, MD_LEN = 0x80, MD_MSH = 0xa0 };
enum { OP_ADD = 0x00, OP_SUB = 0x10, OP_MUL = 0x20, OP_DIV = 0x30, OP_OR = 0x40, OP_AND = 0x50, OP_LSH = 0x60,
       OP_RSH = 0x70, OP_NEG = 0x80, OP_MOD = 0x90, OP_XOR = 0xa0 };
enum { J_JA = 0x00, J_JEQ = 0x10, J_JGT = 0x20, J_JGE = 0x30, J_JSET = 0x40 };
enum { SRC_K = 0x00, SRC_X = 0x08 };
enum { RV_K = 0x00, RV_A = 0x10 };
enum { MISC_TAX = 0x00, MISC_TXA = 0x80 };

static int check_load(u_int16_t c, u_int32_t k, int ldx)
{
	u_int32_t mode = C_MODE(c), size = C_SIZE(c);

	if (ldx) {
		if (size == SZ_W && (mode == MD_IMM || mode == MD_LEN))
			return 1;
		if (size == SZ_W && mode == MD_MEM)
			return k < PFC_BPF_MEMWORDS;
		return size == SZ_B && mode == MD_MSH;
	}
	if (mode == MD_ABS || mode == MD_IND)
		return size == SZ_W || size == SZ_H || size == SZ_B;
	if (size == SZ_W && (mode == MD_IMM || mode == MD_LEN))
		return 1;
	return size == SZ_W && mode == MD_MEM && k < PFC_BPF_MEMWORDS;
}

static int check_alu(u_int16_t c, u_int32_t k)
{
	u_int32_t op = C_OP(c);

	if (op == OP_NEG)
		return C_SRC(c) == SRC_K;
	if (op > OP_XOR)
		return 0;
	if ((op == OP_DIV || op == OP_MOD) && C_SRC(c) == SRC_K && k == 0)
		return 0;
	if ((op == OP_LSH || op == OP_RSH) && C_SRC(c) == SRC_K && k >= 32)
		return 0; /* as the kernel: a constant shift must be below 32 */
	return 1;
}

/* Words of M[] a load reads, or -1. */
static int mem_read(u_int16_t c, u_int32_t k)
{
	if ((C_CLASS(c) == CL_LD || C_CLASS(c) == CL_LDX) && C_MODE(c) == MD_MEM)
		return (int)k;
	return -1;
}

/*
 * Forward programs only: valid[pc] is the set of memory words written on
 * every path to pc (the AND over its predecessors, all of which come
 * before it).
 */
static int check_memory(const struct pfc_bpf_insn *prog, u_int32_t n, u_int16_t *valid, u_int32_t *bad_pc)
{
	u_int32_t pc;

	for (pc = 0; pc < n; pc++)
		valid[pc] = 0xffff;
	valid[0] = 0;
	for (pc = 0; pc < n; pc++) {
		const struct pfc_bpf_insn *p = &prog[pc];
		u_int16_t m = valid[pc];
		int r = mem_read(p->code, p->k);

		if (r >= 0 && !(m & (1u << r))) {
			*bad_pc = pc;
			return -1;
		}
		if (C_CLASS(p->code) == CL_ST || C_CLASS(p->code) == CL_STX)
			m = (u_int16_t)(m | (1u << (p->k & 15)));
		if (C_CLASS(p->code) == CL_RET)
			continue;
		if (C_CLASS(p->code) == CL_JMP && C_OP(p->code) == J_JA) {
			valid[pc + 1 + p->k] &= m;
		} else if (C_CLASS(p->code) == CL_JMP) {
			valid[pc + 1 + p->jt] &= m;
			valid[pc + 1 + p->jf] &= m;
		} else {
			valid[pc + 1] &= m;
		}
	}
	return 0;
}

int pfc_bpf_check(const struct pfc_bpf_insn *prog, u_int32_t n, u_int16_t *scratch, u_int32_t *bad_pc)
{
	int loops = 0;
	u_int32_t pc;

	*bad_pc = 0;
	if (prog == (const struct pfc_bpf_insn *)0 || n == 0 || n > PFC_BPF_MAX_INSNS)
		return PFC_BPF_EINVAL;
	for (pc = 0; pc < n; pc++) {
		const struct pfc_bpf_insn *p = &prog[pc];
		u_int16_t c = p->code;
		int ok = 0;

		*bad_pc = pc;
		if (c > 0xff) /* classic opcodes are 8 bits */
			return PFC_BPF_EINVAL;
		switch (C_CLASS(c)) {
		case CL_LD:
			ok = check_load(c, p->k, 0);
			break;
		case CL_LDX:
			ok = check_load(c, p->k, 1);
			break;
		case CL_ST:
		case CL_STX:
			ok = (c & ~0x07u) == 0 && p->k < PFC_BPF_MEMWORDS;
			break;
		case CL_ALU:
			ok = check_alu(c, p->k);
			break;
		case CL_JMP:
			if (C_OP(c) == J_JA) {
				u_int32_t to = pc + 1 + p->k; /* 32-bit: a huge k is a backward jump */

				ok = C_SRC(c) == SRC_K && to < n;
				if (ok && to <= pc)
					loops = 1;
			} else {
				ok = C_OP(c) <= J_JSET && (u_int64_t)pc + 1 + p->jt < n &&
				     (u_int64_t)pc + 1 + p->jf < n;
			}
			break;
		case CL_RET:
			ok = c == (CL_RET | RV_K) || c == (CL_RET | RV_A);
			break;
		case CL_MISC:
			ok = c == (CL_MISC | MISC_TAX) || c == (CL_MISC | MISC_TXA);
			break;
		}
		if (!ok)
			return PFC_BPF_EINVAL;
	}
	if (C_CLASS(prog[n - 1].code) != CL_RET) {
		*bad_pc = n - 1;
		return PFC_BPF_EINVAL;
	}
	if (loops)
		return PFC_BPF_LOOPS;
	if (scratch && check_memory(prog, n, scratch, bad_pc) != 0)
		return PFC_BPF_EINVAL;
	return PFC_BPF_OK;
}

/* size bytes at off, big-endian, when inside caplen (else 0 and *ok = 0). */
static u_int32_t load_be(const u_int8_t *pkt, u_int32_t caplen, u_int32_t off, u_int32_t size, int *ok)
{
	u_int32_t v = 0, i;

	if (off > caplen || size > caplen - off) {
		*ok = 0;
		return 0;
	}
	for (i = 0; i < size; i++)
		v = v << 8 | pkt[off + i];
	return v;
}

static u_int32_t size_bytes(u_int16_t c)
{
	return C_SIZE(c) == SZ_W ? 4u : C_SIZE(c) == SZ_H ? 2u : 1u;
}

static u_int32_t alu(u_int32_t op, u_int32_t a, u_int32_t v, int *ok)
{
	switch (op) {
	case OP_ADD: return a + v;
	case OP_SUB: return a - v;
	case OP_MUL: return a * v;
	case OP_DIV:
		if (v == 0) {
			*ok = 0;
			return 0;
		}
		return a / v;
	case OP_MOD:
		if (v == 0) {
			*ok = 0;
			return 0;
		}
		return a % v;
	case OP_OR: return a | v;
	case OP_AND: return a & v;
	case OP_XOR: return a ^ v;
	case OP_LSH: return v < 32 ? a << v : 0;
	case OP_RSH: return v < 32 ? a >> v : 0;
	case OP_NEG: return 0u - a;
	}
	*ok = 0;
	return 0;
}

u_int32_t pfc_bpf_run_bounded(const struct pfc_bpf_insn *prog, u_int32_t n, const u_int8_t *pkt,
			      u_int32_t wirelen, u_int32_t caplen, u_int32_t budget, int *exhausted)
{
	u_int32_t a = 0, x = 0, pc = 0, steps = 0;
	u_int32_t mem[PFC_BPF_MEMWORDS];
	int ok = 1, i;

	for (i = 0; i < PFC_BPF_MEMWORDS; i++)
		mem[i] = 0;
	*exhausted = 0;
	while (pc < n) {
		const struct pfc_bpf_insn *p = &prog[pc];
		u_int16_t c = p->code;

		if (steps++ >= budget) {
			*exhausted = 1;
			return 0;
		}
		pc++;
		switch (C_CLASS(c)) {
		case CL_LD:
			switch (C_MODE(c)) {
			case MD_ABS: a = load_be(pkt, caplen, p->k, size_bytes(c), &ok); break;
			case MD_IND:
				if (p->k > 0xffffffffu - x)
					ok = 0;
				else
					a = load_be(pkt, caplen, x + p->k, size_bytes(c), &ok);
				break;
			case MD_LEN: a = wirelen; break;
			case MD_MEM: a = mem[p->k & (PFC_BPF_MEMWORDS - 1)]; break;
			default: a = p->k; break;
			}
			break;
		case CL_LDX:
			switch (C_MODE(c)) {
			case MD_LEN: x = wirelen; break;
			case MD_MEM: x = mem[p->k & (PFC_BPF_MEMWORDS - 1)]; break;
			case MD_MSH: x = (load_be(pkt, caplen, p->k, 1, &ok) & 0xf) << 2; break;
			default: x = p->k; break;
			}
			break;
		case CL_ST: mem[p->k & (PFC_BPF_MEMWORDS - 1)] = a; break;
		case CL_STX: mem[p->k & (PFC_BPF_MEMWORDS - 1)] = x; break;
		case CL_ALU: a = alu(C_OP(c), a, C_SRC(c) == SRC_X ? x : p->k, &ok); break;
		case CL_JMP: {
			u_int32_t v = C_SRC(c) == SRC_X ? x : p->k;
			int t;

			switch (C_OP(c)) {
			case J_JA: pc += p->k; continue;
			case J_JEQ: t = a == v; break;
			case J_JGT: t = a > v; break;
			case J_JGE: t = a >= v; break;
			default: t = (a & v) != 0; break;
			}
			pc += t ? p->jt : p->jf;
			break;
		}
		case CL_RET: return C_RVAL(c) == RV_A ? a : p->k;
		default:
			if (C_MISCOP(c) == MISC_TAX)
				x = a;
			else
				a = x;
			break;
		}
		if (!ok)
			return 0;
	}
	return 0; /* pfc_bpf_check() makes this unreachable */
}
