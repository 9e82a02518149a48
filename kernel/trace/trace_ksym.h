/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Watch specifications shared by the ksym tracer (trace_ksym.c) and the
 * w: dynamic events (trace_wprobe.c).  The parsers are pure functions of
 * their input string, so KUnit (trace_ksym_kunit.c) can test every rule
 * without hardware; resolving a symbol is a separate step.
 */
#ifndef _KERNEL_TRACE_TRACE_KSYM_H
#define _KERNEL_TRACE_TRACE_KSYM_H

#include <linux/perf_event.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/types.h>

/* "module:symbol" fits in here. */
#define KSYM_SPEC_NAME_LEN	(MODULE_NAME_LEN + KSYM_NAME_LEN)

/**
 * struct ksym_spec - what to watch, as the user wrote it
 * @name: symbol, possibly "module:symbol"; empty when @addr is given
 * @addr: absolute address, when no symbol is given
 * @offset: bytes past the symbol
 * @len: bytes to watch: 1, 2, 4 or 8; 0 for the default
 * @type: HW_BREAKPOINT_R, _W, _RW or _X; 0 means "remove" (ksym "---")
 */
struct ksym_spec {
	char name[KSYM_SPEC_NAME_LEN];
	unsigned long addr;
	unsigned long offset;
	unsigned int len;
	u32 type;
};

/* Parse errors: the message index and where in the input it points. */
enum ksym_parse_error {
	KSYM_ERR_NONE,
	KSYM_ERR_SYNTAX,
	KSYM_ERR_NAME,
	KSYM_ERR_OFFSET,
	KSYM_ERR_LEN,
	KSYM_ERR_OPS,
	KSYM_ERR_TYPE,
	/* Not parse errors, but reported the same way. */
	KSYM_ERR_UNKNOWN,
	KSYM_ERR_NOSPC,
	KSYM_ERR_ARCH,
	KSYM_ERR_NOENT,
	KSYM_ERR_MAX
};

/* Indexed by enum ksym_parse_error; the form tracing_log_err() takes. */
extern const char *ksym_error_text[KSYM_ERR_MAX];

/* A parse failure is reported as (position << 8) | enum ksym_parse_error. */
static inline unsigned int ksym_err_pos(unsigned int err)
{
	return err >> 8;
}

static inline enum ksym_parse_error ksym_err_code(unsigned int err)
{
	return err & 0xff;
}

int ksym_parse_filter(const char *str, struct ksym_spec *spec,
		      unsigned int *err_pos);
int wprobe_parse_target(const char *str, struct ksym_spec *spec,
			unsigned int *err_pos);
const char *ksym_ops_string(u32 type);
int ksym_format_spec(char *buf, size_t size, const struct ksym_spec *spec,
		     unsigned int len);
unsigned int ksym_default_len(unsigned long symbol_size, u32 type);
bool ksym_same_place(const struct ksym_spec *a, const struct ksym_spec *b);

int ksym_resolve(const struct ksym_spec *spec, unsigned long *addr,
		 unsigned int *len);

struct wide_hw_breakpoint *
ksym_watch_create(unsigned long addr, unsigned int len, u32 type,
		  perf_overflow_handler_t handler, void *context);

#endif /* _KERNEL_TRACE_TRACE_KSYM_H */
