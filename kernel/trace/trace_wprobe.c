// SPDX-License-Identifier: GPL-2.0
/*
 * w: dynamic events: trace events fired by a hardware watchpoint.
 *
 *   echo 'w:pt w@panic_timeout value=$value:s32' >> dynamic_events
 *   echo 1 > events/wprobes/pt/enable
 *
 * Syntax, in the style of kprobe events:
 *   w[:[GROUP/]EVENT] [r|w|rw|x]@SYMBOL[+OFFSET]|ADDR[:LEN] [FETCHARGS]
 * FETCHARGS are those of kprobe events that make sense without a probed
 * function (%REG, $stackN, $comm, @SYM, @ADDR, +OFF(...), :TYPE, NAME=),
 * plus $addr (the watched address) and $value (the watched memory when
 * the hit is reported).  The event records the code address that made the
 * access as __probe_ip.
 *
 * Each event owns a wide breakpoint (hw_breakpoint_wide.c), created when
 * the event is defined: the debug registers are reserved then, so a full
 * machine answers ENOSPC to the definition.  Enabling the event (ftrace or
 * perf) arms it; disabling the last user disarms it.
 *
 * Locking
 * -------
 * - Definitions run under dyn_event_ops_mutex; registration, removal and
 *   the reg() callback under event_mutex.
 * - perf takes event_mutex inside its own context mutexes, so nothing
 *   here creates or destroys a breakpoint under event_mutex: removal
 *   disarms at once and destroys from a work item
 *   (wide_hw_breakpoint_destroy_deferred()), which also frees the event
 *   once no handler can run.  Arming and disarming take no mutex.
 * - The hit handler runs in the breakpoint exception with interrupts off,
 *   which is what the RCU walk of the event's files needs.
 */

#include <linux/hw_breakpoint.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "trace_dynevent.h"
#include "trace_probe.h"
#include "trace_probe_kernel.h"
#include "trace_probe_tmpl.h"
#include "trace_ksym.h"

#define WPROBE_DEFAULT_GROUP	"wprobes"
/* Room for "NAME=@0x<16 hex digits>:TYPE" built from "$value" and kin. */
#define WPROBE_ARG_MAX		(MAX_ARGSTR_LEN + 32)

struct trace_wprobe {
	struct dyn_event devent;
	struct wide_hw_breakpoint *wbp;
	struct ksym_spec spec;		/* the target as written */
	unsigned long addr;
	unsigned int len;
	char **argv;			/* the fetch args as written */
	int argc;
	struct trace_probe tp;		/* last: ends in a flexible array */
};

/* What each hit records ahead of the fetch args. */
struct wprobe_entry_head {
	struct trace_entry ent;
	unsigned long ip;		/* the code that made the access */
};

static int wprobe_create(const char *raw_command);
static int wprobe_show(struct seq_file *m, struct dyn_event *ev);
static bool wprobe_is_busy(struct dyn_event *ev);
static int wprobe_release(struct dyn_event *ev);
static bool wprobe_match(const char *system, const char *event, int argc,
			 const char **argv, struct dyn_event *ev);

static struct dyn_event_operations wprobe_ops = {
	.create = wprobe_create,
	.show = wprobe_show,
	.is_busy = wprobe_is_busy,
	.free = wprobe_release,
	.match = wprobe_match,
};

static struct trace_wprobe *to_wprobe(struct dyn_event *ev)
{
	return container_of(ev, struct trace_wprobe, devent);
}

static struct trace_wprobe *wprobe_of_call(struct trace_event_call *call)
{
	struct trace_probe *tp = trace_probe_primary_from_call(call);

	return tp ? container_of(tp, struct trace_wprobe, tp) : NULL;
}

/* --- fetching -------------------------------------------------------------- */

/*
 * The value a fetch that starts from the hit's registers names: a
 * register, a stack slot or the stack pointer.  False for the other
 * first steps, which the common code knows.
 */
static bool wprobe_regs_value(const struct fetch_insn *code,
			      struct pt_regs *regs, unsigned long *val)
{
	if (code->op == FETCH_OP_STACKP)
		*val = kernel_stack_pointer(regs);
	else if (code->op == FETCH_OP_STACK)
		*val = regs_get_kernel_stack_nth(regs, code->param);
	else if (code->op == FETCH_OP_REG)
		*val = regs_get_register(regs, code->param);
	else
		return false;
	return true;
}

NOKPROBE_SYMBOL(wprobe_regs_value);

/* trace_probe_tmpl.h's hook: the first step of a fetch, then the rest. */
static int process_fetch_insn(struct fetch_insn *code, void *rec, void *edata,
			      void *dest, void *base)
{
	unsigned long val;
	int err;

	/* @SYM placeholders: resolved when the event was defined. */
	while (code->op == FETCH_NOP_SYMBOL)
		code++;
	if (!wprobe_regs_value(code, rec, &val)) {
		err = process_common_fetch_insn(code, &val);
		if (err < 0)
			return err;
	}
	return process_fetch_insn_bottom(code + 1, val, dest, base);
}

NOKPROBE_SYMBOL(process_fetch_insn);

/* --- hits ------------------------------------------------------------------ */

static void wprobe_to_file(struct trace_wprobe *tw, struct pt_regs *regs,
			   struct trace_event_file *file)
{
	struct wprobe_entry_head *head;
	struct trace_event_buffer fbuffer;
	int dsize;

	if (trace_trigger_soft_disabled(file))
		return;

	dsize = __get_data_size(&tw->tp, regs, NULL);
	head = trace_event_buffer_reserve(&fbuffer, file,
					  sizeof(*head) + tw->tp.size + dsize);
	if (!head)
		return;
	/* For the stacktrace trigger; reserve() cleared it. */
	fbuffer.regs = regs;
	head->ip = instruction_pointer(regs);
	store_trace_args(&head[1], &tw->tp, regs, NULL, sizeof(*head), dsize);
	trace_event_buffer_commit(&fbuffer);
}

#ifdef CONFIG_PERF_EVENTS
static void wprobe_to_perf(struct trace_wprobe *tw, struct pt_regs *regs)
{
	struct trace_event_call *call = trace_probe_event_call(&tw->tp);
	struct hlist_head *listeners = this_cpu_ptr(call->perf_events);
	struct wprobe_entry_head *head;
	int dsize, size, rctx;

	if (hlist_empty(listeners))
		return;

	dsize = __get_data_size(&tw->tp, regs, NULL);
	/* perf adds a u32 size in front and wants u64 alignment after it. */
	size = ALIGN(sizeof(*head) + tw->tp.size + dsize + sizeof(u32),
		     sizeof(u64)) - sizeof(u32);
	head = perf_trace_buf_alloc(size, NULL, &rctx);
	if (!head)
		return;
	head->ip = instruction_pointer(regs);
	memset(&head[1], 0, dsize);
	store_trace_args(&head[1], &tw->tp, regs, NULL, sizeof(*head), dsize);
	perf_trace_buf_submit(head, size, rctx, call->event.type, 1, regs,
			      listeners, NULL);
}
#else
static void wprobe_to_perf(struct trace_wprobe *tw, struct pt_regs *regs) { }
#endif

static void wprobe_hit(struct perf_event *bp, struct perf_sample_data *data,
		       struct pt_regs *regs)
{
	struct trace_wprobe *tw = bp->overflow_handler_context;
	unsigned int users = trace_probe_load_flag(&tw->tp);
	struct event_file_link *link;

	if (users & TP_FLAG_TRACE) {
		trace_probe_for_each_link_rcu(link, &tw->tp)
			wprobe_to_file(tw, regs, link->file);
	}
	if (users & TP_FLAG_PROFILE)
		wprobe_to_perf(tw, regs);
}

/* "w_panic_timeout: (do_proc_dointvec_conv+0x1f/0x50) value=5" */
static enum print_line_t wprobe_print(struct trace_iterator *iter, int flags,
				      struct trace_event *event)
{
	struct trace_event_call *call =
		container_of(event, struct trace_event_call, event);
	struct wprobe_entry_head *head = (struct wprobe_entry_head *)iter->ent;
	struct trace_wprobe *tw = wprobe_of_call(call);
	struct trace_seq *s = &iter->seq;

	if (WARN_ON_ONCE(!tw))
		return trace_handle_return(s);
	trace_seq_printf(s, "%s: (", trace_probe_name(&tw->tp));
	if (seq_print_ip_sym(s, head->ip, flags | TRACE_ITER_SYM_OFFSET))
		trace_seq_putc(s, ')');
	if (trace_probe_print_args(s, tw->tp.args, tw->tp.nr_args,
				   (u8 *)&head[1], head) >= 0)
		trace_seq_putc(s, '\n');
	return trace_handle_return(s);
}

static struct trace_event_functions wprobe_funcs = {
	.trace = wprobe_print,
};

static int wprobe_define_fields(struct trace_event_call *event_call)
{
	struct trace_wprobe *tw = wprobe_of_call(event_call);
	struct wprobe_entry_head field;
	int ret;

	if (!tw)
		return -ENOENT;
	DEFINE_FIELD(unsigned long, ip, FIELD_STRING_IP, 0);

	return traceprobe_define_arg_fields(event_call, sizeof(field), &tw->tp);
}

static struct trace_event_fields wprobe_fields[] = {
	{ .type = TRACE_FUNCTION_TYPE, .define_fields = wprobe_define_fields },
	{}
};

/* --- enabling -------------------------------------------------------------- */

/*
 * @file is the ftrace instance's event file, or NULL for perf.  Arming
 * the first time anyone listens; it takes no mutex, so it is fine under
 * event_mutex.
 */
static int wprobe_enable(struct trace_wprobe *tw,
			 struct trace_event_file *file)
{
	bool armed = trace_probe_is_enabled(&tw->tp);
	int ret = 0;

	if (file)
		ret = trace_probe_add_file(&tw->tp, file);
	else
		trace_probe_set_flag(&tw->tp, TP_FLAG_PROFILE);
	if (ret || armed)
		return ret;

	ret = wide_hw_breakpoint_arm(tw->wbp, tw->addr, tw->len,
				     tw->spec.type);
	if (ret) {
		if (file)
			trace_probe_remove_file(&tw->tp, file);
		else
			trace_probe_clear_flag(&tw->tp, TP_FLAG_PROFILE);
		return ret;
	}
	wide_hw_breakpoint_sync(tw->wbp);
	return 0;
}

static int wprobe_disable(struct trace_wprobe *tw,
			  struct trace_event_file *file)
{
	if (file) {
		if (!trace_probe_get_file_link(&tw->tp, file))
			return -ENOENT;
		/* Other instances still listen: only this file goes. */
		if (trace_probe_has_single_file(&tw->tp))
			trace_probe_clear_flag(&tw->tp, TP_FLAG_TRACE);
	} else {
		trace_probe_clear_flag(&tw->tp, TP_FLAG_PROFILE);
	}
	if (!trace_probe_is_enabled(&tw->tp)) {
		wide_hw_breakpoint_disarm(tw->wbp);
		wide_hw_breakpoint_sync(tw->wbp);
	}
	if (file)
		trace_probe_remove_file(&tw->tp, file);
	return 0;
}

static int wprobe_reg(struct trace_event_call *call, enum trace_reg type,
		      void *data)
{
	struct trace_wprobe *tw = wprobe_of_call(call);

	if (!tw)
		return -ENODEV;
	switch (type) {
	case TRACE_REG_REGISTER:
		return wprobe_enable(tw, data);
	case TRACE_REG_UNREGISTER:
		return wprobe_disable(tw, data);
#ifdef CONFIG_PERF_EVENTS
	case TRACE_REG_PERF_REGISTER:
		return wprobe_enable(tw, NULL);
	case TRACE_REG_PERF_UNREGISTER:
		return wprobe_disable(tw, NULL);
	case TRACE_REG_PERF_OPEN:
	case TRACE_REG_PERF_CLOSE:
	case TRACE_REG_PERF_ADD:
	case TRACE_REG_PERF_DEL:
		return 0;
#endif
	}
	return 0;
}

/* --- definitions ----------------------------------------------------------- */

static const char *const wprobe_type_names[] = {
	[HW_BREAKPOINT_R] = "r",
	[HW_BREAKPOINT_W] = "w",
	[HW_BREAKPOINT_RW] = "rw",
	[HW_BREAKPOINT_X] = "x",
};

/* "w@panic_timeout+0x8:4" or "rw@0xffff...:8", as the definition reads. */
static void wprobe_show_target(struct seq_file *m, struct trace_wprobe *tw)
{
	seq_printf(m, "%s@", wprobe_type_names[tw->spec.type]);
	if (tw->spec.name[0])
		seq_printf(m, "%s", tw->spec.name);
	else
		seq_printf(m, "0x%lx", tw->addr);
	if (tw->spec.offset)
		seq_printf(m, "+0x%lx", tw->spec.offset);
	seq_printf(m, ":%u", tw->len);
}

static int wprobe_show(struct seq_file *m, struct dyn_event *ev)
{
	struct trace_wprobe *tw = to_wprobe(ev);
	int i;

	seq_printf(m, "w:%s/%s ", trace_probe_group_name(&tw->tp),
		   trace_probe_name(&tw->tp));
	wprobe_show_target(m, tw);
	for (i = 0; i < tw->argc; i++)
		seq_printf(m, " %s", tw->argv[i]);
	seq_putc(m, '\n');
	return 0;
}

static bool wprobe_is_busy(struct dyn_event *ev)
{
	return trace_probe_is_enabled(&to_wprobe(ev)->tp);
}

static bool wprobe_match(const char *system, const char *event, int argc,
			 const char **argv, struct dyn_event *ev)
{
	struct trace_wprobe *tw = to_wprobe(ev);
	int i;

	if (event[0] && strcmp(trace_probe_name(&tw->tp), event))
		return false;
	if (system && strcmp(trace_probe_group_name(&tw->tp), system))
		return false;
	/* "-:EVENT ARGS..." must repeat the fetch args as written. */
	if (argc > tw->argc + 1)
		return false;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], tw->argv[i - 1]))
			return false;
	}
	return true;
}

static void wprobe_free(struct trace_wprobe *tw)
{
	int i;

	trace_probe_cleanup(&tw->tp);
	for (i = 0; i < tw->argc; i++)
		kfree(tw->argv[i]);
	kfree(tw->argv);
	kfree(tw);
}

static void wprobe_free_deferred(void *arg)
{
	wprobe_free(arg);
}

/* dyn_event's ->free: the removal of a definition, under event_mutex. */
static int wprobe_release(struct dyn_event *ev)
{
	struct trace_wprobe *tw = to_wprobe(ev);
	int ret;

	if (trace_probe_is_enabled(&tw->tp) ||
	    trace_event_dyn_busy(trace_probe_event_call(&tw->tp)))
		return -EBUSY;
	ret = trace_probe_unregister_event_call(&tw->tp);
	if (ret)
		return ret;
	dyn_event_remove(&tw->devent);
	/* Not under event_mutex: perf's mutexes nest outside it. */
	wide_hw_breakpoint_destroy_deferred(tw->wbp, wprobe_free_deferred, tw);
	return 0;
}

/*
 * Report a definition error in error_log, where trace_probe's own errors
 * go, with our messages.  @index is the word of @argv, @offset the byte in
 * it.
 */
static void wprobe_log_err(int argc, const char **argv, int index,
			   unsigned int offset, enum ksym_parse_error err)
{
	unsigned int pos = 0, len = 0;
	char *cmd, *p;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	cmd = kzalloc(len + 1, GFP_KERNEL);
	if (!cmd)
		return;
	for (i = 0, p = cmd; i < argc; i++) {
		if (i == index)
			pos = p - cmd + offset;
		p += sprintf(p, "%s%s", argv[i], i + 1 < argc ? " " : "");
	}
	tracing_log_err(NULL, "trace_wprobe", cmd, ksym_error_text, err, pos);
	kfree(cmd);
}

/*
 * Rewrite our own fetch args into ones trace_probe parses: $addr is the
 * watched address as an immediate, $value a read of it typed after the
 * watched length.  NAME= and :TYPE are kept; anything else is returned
 * as it is.
 */
static const char *wprobe_expand_arg(struct trace_wprobe *tw, const char *arg,
				     char *buf, size_t size)
{
	const char *eq = strchr(arg, '=');
	const char *body = eq ? eq + 1 : arg;
	const char *type = strchr(body, ':');
	size_t body_len = type ? type - body : strlen(body);
	int name_len = eq ? eq - arg : 0;
	bool is_addr = body_len == 5 && !strncmp(body, "$addr", 5);
	bool is_value = body_len == 6 && !strncmp(body, "$value", 6);
	char deftype[8];

	if (!is_addr && !is_value)
		return arg;
	if (!name_len) {
		arg = is_addr ? "addr" : "value";
		name_len = strlen(arg);
	}
	snprintf(deftype, sizeof(deftype), ":u%u", tw->len * 8);
	if (is_addr)
		snprintf(buf, size, "%.*s=\\0x%lx%s", name_len, arg, tw->addr,
			 type ? type : ":x64");
	else
		snprintf(buf, size, "%.*s=@0x%lx%s", name_len, arg, tw->addr,
			 type ? type : deftype);
	return buf;
}

static int wprobe_parse_args(struct trace_wprobe *tw, int argc,
			     const char **argv)
{
	struct traceprobe_parse_context ctx = { .flags = TPARG_FL_KERNEL };
	char *buf = kmalloc(WPROBE_ARG_MAX, GFP_KERNEL);
	int i, ret = 0;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < argc && !ret; i++) {
		const char *arg = wprobe_expand_arg(tw, argv[i], buf,
						    WPROBE_ARG_MAX);

		trace_probe_log_set_index(i + 2);
		ctx.offset = 0;
		ret = traceprobe_parse_probe_arg(&tw->tp, i, arg, &ctx);
	}
	traceprobe_finish_parse(&ctx);
	/* @SYM args: look the symbols up once, now. */
	for (i = 0; i < tw->tp.nr_args && !ret; i++)
		ret = traceprobe_update_arg(&tw->tp.args[i]);
	kfree(buf);
	return ret;
}

static int wprobe_keep_argv(struct trace_wprobe *tw, int argc,
			    const char **argv)
{
	int i;

	tw->argv = kcalloc(argc, sizeof(*tw->argv), GFP_KERNEL);
	if (!tw->argv && argc)
		return -ENOMEM;
	for (i = 0; i < argc; i++) {
		tw->argv[i] = kstrdup(argv[i], GFP_KERNEL);
		if (!tw->argv[i])
			return -ENOMEM;
		tw->argc = i + 1;
	}
	return 0;
}

/* Room for any default name; only those under MAX_EVENT_NAME_LEN are used. */
#define WPROBE_NAME_ROOM	(KSYM_SPEC_NAME_LEN + 24)

/*
 * The default event name: w_SYMBOL_OFFSET, or w_0xADDR.
 *
 * Return: 0, or -E2BIG if it is too long for an event name.
 */
static int wprobe_default_name(char *buf, const struct ksym_spec *spec,
			       unsigned long addr)
{
	if (spec->name[0])
		snprintf(buf, WPROBE_NAME_ROOM, "w_%s_%lu", spec->name,
			 spec->offset);
	else
		snprintf(buf, WPROBE_NAME_ROOM, "w_0x%lx", addr);
	if (strlen(buf) >= MAX_EVENT_NAME_LEN)
		return -E2BIG;
	sanitize_event_name(buf);
	return 0;
}

/* Armed when the event is enabled. */
static struct wide_hw_breakpoint *wprobe_reserve(struct trace_wprobe *tw)
{
	return ksym_watch_create(tw->addr, tw->len, tw->spec.type, wprobe_hit,
				 tw);
}

static int wprobe_register_event(struct trace_wprobe *tw)
{
	struct trace_event_call *call = trace_probe_event_call(&tw->tp);
	int ret;

	call->event.funcs = &wprobe_funcs;
	call->class->fields_array = wprobe_fields;
	call->class->reg = wprobe_reg;
	call->flags = 0;

	guard(mutex)(&event_mutex);
	ret = trace_probe_register_event_call(&tw->tp);
	if (ret)
		return ret;
	return dyn_event_add(&tw->devent, call);
}

static int wprobe_define(int argc, const char **argv)
{
	const char *event = NULL, *group = WPROBE_DEFAULT_GROUP;
	char gbuf[MAX_EVENT_NAME_LEN], nbuf[WPROBE_NAME_ROOM];
	struct ksym_spec spec;
	struct trace_wprobe *tw;
	struct wide_hw_breakpoint *wbp;
	unsigned int err, len;
	unsigned long addr;
	int ret;

	if (argv[0][0] != 'w' || (argv[0][1] && argv[0][1] != ':'))
		return -ECANCELED;

	if (argv[0][1] == ':') {
		event = &argv[0][2];
		ret = traceprobe_parse_event_name(&event, &group, gbuf,
						  event - argv[0]);
		if (ret)
			return ret;
	}
	if (argc < 2) {
		wprobe_log_err(argc, argv, argc, 0, KSYM_ERR_SYNTAX);
		return -EINVAL;
	}
	if (wprobe_parse_target(argv[1], &spec, &err)) {
		wprobe_log_err(argc, argv, 1, ksym_err_pos(err),
			       ksym_err_code(err));
		return -EINVAL;
	}
	if (ksym_resolve(&spec, &addr, &len)) {
		wprobe_log_err(argc, argv, 1, 0, KSYM_ERR_UNKNOWN);
		return -EINVAL;
	}
	if (!event) {
		if (wprobe_default_name(nbuf, &spec, addr)) {
			trace_probe_log_set_index(0);
			trace_probe_log_err(0, EVENT_TOO_LONG);
			return -EINVAL;
		}
		event = nbuf;
	}

	tw = kzalloc(struct_size(tw, tp.args, argc - 2), GFP_KERNEL);
	if (!tw)
		return -ENOMEM;
	tw->spec = spec;
	tw->addr = addr;
	tw->len = len;
	ret = trace_probe_init(&tw->tp, event, group, false, argc - 2);
	if (ret) {
		kfree(tw);
		return ret;
	}
	dyn_event_init(&tw->devent, &wprobe_ops);

	ret = wprobe_keep_argv(tw, argc - 2, argv + 2);
	if (!ret)
		ret = wprobe_parse_args(tw, argc - 2, argv + 2);
	if (!ret)
		ret = traceprobe_set_print_fmt(&tw->tp, PROBE_PRINT_NORMAL);
	if (ret)
		goto fail;

	wbp = wprobe_reserve(tw);
	if (IS_ERR(wbp)) {
		ret = PTR_ERR(wbp);
		wprobe_log_err(argc, argv, 1, 0, ret == -ENOSPC ?
			       KSYM_ERR_NOSPC : KSYM_ERR_ARCH);
		goto fail;
	}
	tw->wbp = wbp;

	ret = wprobe_register_event(tw);
	if (ret) {
		if (ret == -EEXIST)
			trace_probe_log_err(0, EVENT_EXIST);
		wide_hw_breakpoint_destroy(tw->wbp);
		goto fail;
	}
	return 0;

fail:
	wprobe_free(tw);
	return ret;
}

static int wprobe_create_argv(int argc, const char **argv)
{
	int ret;

	if (argv[0][0] != 'w')
		return -ECANCELED;
	trace_probe_log_init("trace_wprobe", argc, argv);
	ret = wprobe_define(argc, argv);
	trace_probe_log_clear();
	return ret;
}

static int wprobe_create(const char *raw_command)
{
	if (raw_command[0] != 'w')
		return -ECANCELED;
	return trace_probe_create(raw_command, wprobe_create_argv);
}

static __init int wprobe_events_init(void)
{
	return dyn_event_register(&wprobe_ops);
}
core_initcall(wprobe_events_init);
