// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and printing of watch specifications for the ksym tracer and
 * the w: dynamic events.  Everything here but ksym_resolve() and
 * ksym_watch_create() is a pure function of its arguments (see
 * trace_ksym_kunit.c).
 *
 * ksym_trace_filter lines:   [MODULE:]SYMBOL[+OFFSET][/LEN]:OPS
 *   OPS is three characters, "rw-", "-w-", "r--", "--x", or "---" to
 *   remove the entry.
 * w: event targets:          [r|w|rw|x]@SYMBOL[+OFFSET][:LEN]
 *                            [r|w|rw|x]@ADDR[:LEN]
 *   SYMBOL may also be "module:symbol"; a last ":" part is LEN only if it
 *   is a number.
 */

#include <linux/ctype.h>
#include <linux/hw_breakpoint.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "trace_ksym.h"

const char *ksym_error_text[KSYM_ERR_MAX] = {
	[KSYM_ERR_NONE]		= "No error",
	[KSYM_ERR_SYNTAX]	= "Expected [r|w|rw|x]@SYMBOL[+OFFSET]|ADDR[:LEN]",
	[KSYM_ERR_NAME]		= "Invalid symbol name or address",
	[KSYM_ERR_OFFSET]	= "Invalid offset",
	[KSYM_ERR_LEN]		= "Length must be 1, 2, 4 or 8",
	[KSYM_ERR_OPS]		= "Access must be rw-, -w-, r--, --x or ---",
	[KSYM_ERR_TYPE]		= "Access type must be r, w, rw or x",
	[KSYM_ERR_UNKNOWN]	= "Unknown symbol",
	[KSYM_ERR_NOSPC]	= "No debug register left for this watch",
	[KSYM_ERR_ARCH]		= "This architecture cannot watch that",
	[KSYM_ERR_NOENT]	= "No such entry",
};

/* Set *err_pos and return -EINVAL: the one way parse errors leave. */
static int ksym_bad(unsigned int *err_pos, const char *start,
		    const char *where, enum ksym_parse_error err)
{
	*err_pos = (where - start) << 8 | err;
	return -EINVAL;
}

static bool ksym_name_char(char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '$';
}

/*
 * A symbol, or "module:symbol": one optional colon with a non-empty word
 * on each side.
 */
static bool ksym_valid_name(const char *name, size_t n)
{
	bool colon_seen = false;
	size_t i;

	if (!n || n >= KSYM_SPEC_NAME_LEN)
		return false;
	for (i = 0; i < n; i++) {
		if (ksym_name_char(name[i]))
			continue;
		if (name[i] != ':' || colon_seen || i == 0 || i == n - 1)
			return false;
		colon_seen = true;
	}
	return true;
}

/* Parse the number in [s, s + n) with kstrtoul()'s base detection. */
static int ksym_number(const char *s, size_t n, unsigned long *val)
{
	char buf[24];

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return kstrtoul(buf, 0, val);
}

static bool ksym_valid_len(unsigned long len)
{
	return len == 1 || len == 2 || len == 4 || len == 8;
}

/*
 * Parse "NAME[+OFFSET]" or, if @allow_addr, "ADDR", from [s, s + n) into
 * @spec.  @start is the whole input, for error positions.
 */
static int ksym_parse_place(const char *start, const char *s, size_t n,
			    bool allow_addr, struct ksym_spec *spec,
			    unsigned int *err_pos)
{
	const char *plus = memchr(s, '+', n);
	size_t name_len = plus ? plus - s : n;

	if (allow_addr && n && isdigit(*s)) {
		if (ksym_number(s, n, &spec->addr) || !spec->addr)
			return ksym_bad(err_pos, start, s, KSYM_ERR_NAME);
		return 0;
	}
	if (!ksym_valid_name(s, name_len))
		return ksym_bad(err_pos, start, s, KSYM_ERR_NAME);
	memcpy(spec->name, s, name_len);
	spec->name[name_len] = '\0';

	if (plus && ksym_number(plus + 1, s + n - plus - 1, &spec->offset))
		return ksym_bad(err_pos, start, plus + 1, KSYM_ERR_OFFSET);
	return 0;
}

/* "rw-", "-w-", "r--", "--x" or "---" (remove: type 0). */
static int ksym_parse_ops(const char *ops, u32 *type)
{
	static const struct {
		const char *ops;
		u32 type;
	} table[] = {
		{ "rw-", HW_BREAKPOINT_RW },
		{ "-w-", HW_BREAKPOINT_W },
		{ "r--", HW_BREAKPOINT_R },
		{ "--x", HW_BREAKPOINT_X },
		{ "---", 0 },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(table); i++) {
		if (!strcmp(ops, table[i].ops)) {
			*type = table[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * ksym_parse_filter - parse one ksym_trace_filter line
 * @str: the line, without its newline
 * @spec: filled in on success; @spec->len is 0 when no /LEN was given
 * @err_pos: on failure, (offset in @str << 8) | enum ksym_parse_error
 *
 * Return: 0 or -EINVAL.
 */
int ksym_parse_filter(const char *str, struct ksym_spec *spec,
		      unsigned int *err_pos)
{
	const char *colon = strrchr(str, ':');
	const char *slash, *end;
	unsigned long len;

	memset(spec, 0, sizeof(*spec));
	if (!colon)
		return ksym_bad(err_pos, str, str + strlen(str), KSYM_ERR_OPS);
	if (ksym_parse_ops(colon + 1, &spec->type))
		return ksym_bad(err_pos, str, colon + 1, KSYM_ERR_OPS);

	end = colon;
	slash = memchr(str, '/', end - str);
	if (slash) {
		if (ksym_number(slash + 1, end - slash - 1, &len) ||
		    !ksym_valid_len(len))
			return ksym_bad(err_pos, str, slash + 1, KSYM_ERR_LEN);
		spec->len = len;
		end = slash;
	}
	return ksym_parse_place(str, str, end - str, false, spec, err_pos);
}

/* "r", "w", "rw", "x"; nothing at all means "rw". */
static int wprobe_parse_type(const char *s, size_t n, u32 *type)
{
	if (n == 0 || (n == 2 && !strncmp(s, "rw", 2)))
		*type = HW_BREAKPOINT_RW;
	else if (n == 1 && *s == 'r')
		*type = HW_BREAKPOINT_R;
	else if (n == 1 && *s == 'w')
		*type = HW_BREAKPOINT_W;
	else if (n == 1 && *s == 'x')
		*type = HW_BREAKPOINT_X;
	else
		return -EINVAL;
	return 0;
}

/* Whether [s, s + n) is a non-empty run of decimal digits. */
static bool ksym_all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdigit(s[i]))
			return false;
	}
	return n > 0;
}

/**
 * wprobe_parse_target - parse the target word of a w: event
 * @str: e.g. "w@jiffies+8:4" or "rw@0xffffffff81000000"
 * @spec: filled in on success; @spec->len is 0 when no :LEN was given
 * @err_pos: as for ksym_parse_filter()
 *
 * Return: 0 or -EINVAL.
 */
int wprobe_parse_target(const char *str, struct ksym_spec *spec,
			unsigned int *err_pos)
{
	const char *at = strchr(str, '@');
	const char *place, *end, *colon;
	unsigned long len;

	memset(spec, 0, sizeof(*spec));
	if (!at)
		return ksym_bad(err_pos, str, str, KSYM_ERR_SYNTAX);
	if (wprobe_parse_type(str, at - str, &spec->type))
		return ksym_bad(err_pos, str, str, KSYM_ERR_TYPE);

	place = at + 1;
	end = place + strlen(place);
	colon = strrchr(place, ':');
	if (colon && ksym_all_digits(colon + 1, end - colon - 1)) {
		if (ksym_number(colon + 1, end - colon - 1, &len) ||
		    !ksym_valid_len(len))
			return ksym_bad(err_pos, str, colon + 1, KSYM_ERR_LEN);
		spec->len = len;
		end = colon;
	}
	return ksym_parse_place(str, place, end - place, true, spec, err_pos);
}

/**
 * ksym_ops_string - the ksym tracer's name of an access type
 * @type: HW_BREAKPOINT_R, _W, _RW, _X, or 0
 *
 * Return: "r--", "-w-", "rw-", "--x", or "---" for anything else.
 */
const char *ksym_ops_string(u32 type)
{
	switch (type) {
	case HW_BREAKPOINT_R:
		return "r--";
	case HW_BREAKPOINT_W:
		return "-w-";
	case HW_BREAKPOINT_RW:
		return "rw-";
	case HW_BREAKPOINT_X:
		return "--x";
	default:
		return "---";
	}
}

/**
 * ksym_format_spec - print @spec the way ksym_trace_filter reads it
 * @buf: output
 * @size: size of @buf
 * @spec: the entry
 * @len: the length in use (the default resolved)
 *
 * Return: what snprintf() returns.
 */
int ksym_format_spec(char *buf, size_t size, const struct ksym_spec *spec,
		     unsigned int len)
{
	if (spec->offset)
		return snprintf(buf, size, "%s+0x%lx/%u:%s", spec->name,
				spec->offset, len, ksym_ops_string(spec->type));
	return snprintf(buf, size, "%s/%u:%s", spec->name, len,
			ksym_ops_string(spec->type));
}

/**
 * ksym_default_len - bytes to watch when the user gave no length
 * @symbol_size: size of the symbol, 0 if unknown
 * @type: access type
 *
 * A variable of 1, 2, 4 or 8 bytes is watched whole; anything else from
 * its first 4 bytes.  An execute breakpoint takes the length its
 * architecture expects: x86 encodes it as sizeof(long), arm64 watches one
 * 4-byte instruction (powerpc has none).
 *
 * Return: 1, 2, 4 or 8.
 */
unsigned int ksym_default_len(unsigned long symbol_size, u32 type)
{
	if (type == HW_BREAKPOINT_X)
		return IS_ENABLED(CONFIG_X86) ? sizeof(long) : 4;
	if (ksym_valid_len(symbol_size))
		return symbol_size;
	return 4;
}

/**
 * ksym_same_place - whether two specs name the same first byte
 * @a: one spec
 * @b: another
 *
 * Return: true if both give the same symbol and offset, or address.
 */
bool ksym_same_place(const struct ksym_spec *a, const struct ksym_spec *b)
{
	return !strcmp(a->name, b->name) && a->offset == b->offset &&
	       a->addr == b->addr;
}

/**
 * ksym_resolve - find the address and default length of @spec
 * @spec: a parsed spec
 * @addr: the first byte to watch
 * @len: @spec->len, or the default for the symbol
 *
 * Return: 0, or -EINVAL for an unknown symbol.
 */
int ksym_resolve(const struct ksym_spec *spec, unsigned long *addr,
		 unsigned int *len)
{
	unsigned long base = spec->addr, size = 0, offset;

	if (spec->name[0]) {
		base = kallsyms_lookup_name(spec->name);
		if (!base)
			return -EINVAL;
		kallsyms_lookup_size_offset(base, &size, &offset);
	}
	*addr = base + spec->offset;
	*len = spec->len ? spec->len : ksym_default_len(size, spec->type);
	return 0;
}

/**
 * ksym_watch_create - reserve a disarmed wide watch for a tracer
 * @addr: first byte
 * @len: bytes
 * @type: access kind
 * @handler: called on each hit
 * @context: the handler's ->overflow_handler_context
 *
 * Return: the wide breakpoint or an ERR_PTR(): -ENOSPC when a CPU has no
 * slot left; -EINVAL for what the machine cannot watch, including a kind
 * of breakpoint it has none of (execute on powerpc, which perf reports as
 * -EOPNOTSUPP: to a user writing a watch, that watch is invalid).
 */
struct wide_hw_breakpoint *
ksym_watch_create(unsigned long addr, unsigned int len, u32 type,
		  perf_overflow_handler_t handler, void *context)
{
	struct wide_hw_breakpoint *wbp;
	struct perf_event_attr attr;

	hw_breakpoint_init(&attr);
	attr.bp_addr = addr;
	attr.bp_len = len;
	attr.bp_type = type;
	attr.disabled = 1;	/* armed by the tracer when it runs */
	wbp = wide_hw_breakpoint_create(&attr, handler, context);
	if (PTR_ERR_OR_ZERO(wbp) == -EOPNOTSUPP)
		return ERR_PTR(-EINVAL);
	return wbp;
}
