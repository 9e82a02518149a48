// SPDX-License-Identifier: GPL-2.0
/*
 * The ksym tracer: hardware watchpoints on kernel symbols, one trace line
 * per access.
 *
 *   echo 'panic_timeout:-w-' > ksym_trace_filter
 *   echo ksym_tracer > current_tracer
 *   echo 0 > /proc/sys/kernel/panic
 *   cat trace                       # who wrote panic_timeout, from where
 *   cat trace_stat/ksym_profile     # how often each entry was hit
 *
 * Each entry of ksym_trace_filter is a wide breakpoint (every CPU,
 * including CPUs that come online later; hw_breakpoint_wide.c).  Its
 * debug registers are reserved when the entry is written, so a full
 * machine answers ENOSPC to the write, and armed only while ksym_tracer is
 * the current tracer.  Entries live in the top-level trace instance.
 *
 * Locking
 * -------
 * - ksym_write_mutex serialises the writers (the filter file, module
 *   unload): they create and destroy breakpoints, which takes perf's
 *   context mutexes.
 * - ksym_mutex guards the entry list and ksym_tr, the trace array of the
 *   running tracer, and is never held across a call that takes a perf
 *   mutex: tracer init/reset take it under trace_types_lock, which perf
 *   can reach with its own mutexes held (event_mutex sits between them).
 *   Arming and disarming a wide breakpoint take no mutex.
 * - Writers change the list under both, so under ksym_write_mutex alone
 *   they may walk it.
 * - The hit handler runs in the breakpoint exception, on any CPU.  It
 *   only reads its own entry (the breakpoint's context) and ksym_tr; an
 *   entry is freed only after its wide breakpoint is destroyed, which
 *   waits for handlers in flight.
 */

#include <linux/fs.h>
#include <linux/hw_breakpoint.h>
#include <linux/kallsyms.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "trace.h"
#include "trace_output.h"
#include "trace_stat.h"
#include "trace_ksym.h"

/* Longest ksym_trace_filter write we take in one go. */
#define KSYM_WRITE_MAX		PAGE_SIZE

struct ksym_entry {
	struct list_head list;
	struct ksym_spec spec;
	unsigned long addr;
	unsigned int len;
	struct wide_hw_breakpoint *wbp;
	atomic_long_t hits;
};

/* One trace record per hit. */
struct ksym_trace_entry {
	struct trace_entry ent;
	unsigned long addr;	/* first byte the entry watches */
	unsigned long ip;	/* the code that made the access */
	u32 type;
};

static DEFINE_MUTEX(ksym_write_mutex);
static DEFINE_MUTEX(ksym_mutex);
static LIST_HEAD(ksym_entries);
static struct trace_array *ksym_tr;	/* non-NULL while the tracer runs */

/* --- hits -------------------------------------------------------------- */

static struct trace_event ksym_trace_event;

static void ksym_record(struct trace_array *tr, struct ksym_entry *e,
			struct pt_regs *regs)
{
	struct trace_buffer *buffer = tr->array_buffer.buffer;
	struct ring_buffer_event *event;
	struct ksym_trace_entry *rec;

	event = trace_buffer_lock_reserve(buffer, ksym_trace_event.type,
					  sizeof(*rec), tracing_gen_ctx());
	if (!event)
		return;
	rec = ring_buffer_event_data(event);
	rec->addr = e->addr;
	rec->ip = instruction_pointer(regs);
	rec->type = e->spec.type;
	trace_buffer_unlock_commit_nostack(buffer, event);
}

static void ksym_hit(struct perf_event *bp, struct perf_sample_data *data,
		     struct pt_regs *regs)
{
	struct ksym_entry *e = bp->overflow_handler_context;
	struct trace_array *tr = READ_ONCE(ksym_tr);

	if (!tr)
		return;
	atomic_long_inc(&e->hits);
	ksym_record(tr, e, regs);
}

/* "panic_timeout -w- from proc_dointvec_minmax+0x3c/0x60" */
static enum print_line_t ksym_trace_output(struct trace_iterator *iter,
					   int flags, struct trace_event *event)
{
	struct ksym_trace_entry *rec = (struct ksym_trace_entry *)iter->ent;
	unsigned long size, offset = 0;

	kallsyms_lookup_size_offset(rec->addr, &size, &offset);
	trace_seq_printf(&iter->seq, "%ps", (void *)(rec->addr - offset));
	if (offset)
		trace_seq_printf(&iter->seq, "+0x%lx", offset);
	trace_seq_printf(&iter->seq, " %s from %pS\n",
			 ksym_ops_string(rec->type), (void *)rec->ip);
	return trace_handle_return(&iter->seq);
}

static struct trace_event_functions ksym_trace_funcs = {
	.trace = ksym_trace_output,
};

static struct trace_event ksym_trace_event = {
	.funcs = &ksym_trace_funcs,
};

/* --- entries ----------------------------------------------------------- */

static void ksym_log_err(const char *cmd, enum ksym_parse_error err,
			 unsigned int pos)
{
	tracing_log_err(NULL, "ksym_trace_filter", cmd, ksym_error_text, err,
			pos);
}

/* The error the wide breakpoint gave, as a message for error_log. */
static void ksym_log_arm_err(const char *cmd, int ret)
{
	ksym_log_err(cmd, ret == -ENOSPC ? KSYM_ERR_NOSPC : KSYM_ERR_ARCH, 0);
}

static struct ksym_entry *ksym_find(const struct ksym_spec *spec)
{
	struct ksym_entry *e;

	list_for_each_entry(e, &ksym_entries, list) {
		if (ksym_same_place(&e->spec, spec))
			return e;
	}
	return NULL;
}

/* Armed, if the tracer runs, once it is on the list. */
static struct wide_hw_breakpoint *ksym_watch(struct ksym_entry *e)
{
	return ksym_watch_create(e->addr, e->len, e->spec.type, ksym_hit, e);
}

static int ksym_add(const char *cmd, const struct ksym_spec *spec,
		    unsigned long addr, unsigned int len)
{
	struct ksym_entry *e = kzalloc(sizeof(*e), GFP_KERNEL);
	struct wide_hw_breakpoint *wbp;

	if (!e)
		return -ENOMEM;
	e->spec = *spec;
	e->spec.len = len;
	e->addr = addr;
	e->len = len;
	wbp = ksym_watch(e);
	if (IS_ERR(wbp)) {
		ksym_log_arm_err(cmd, PTR_ERR(wbp));
		kfree(e);
		return PTR_ERR(wbp);
	}
	e->wbp = wbp;

	mutex_lock(&ksym_mutex);
	list_add_tail(&e->list, &ksym_entries);
	if (ksym_tr) {
		WARN_ON_ONCE(wide_hw_breakpoint_arm(wbp, addr, len, spec->type));
		wide_hw_breakpoint_sync(wbp);
	}
	mutex_unlock(&ksym_mutex);
	return 0;
}

static void ksym_remove(struct ksym_entry *e)
{
	mutex_lock(&ksym_mutex);
	list_del(&e->list);
	mutex_unlock(&ksym_mutex);
	wide_hw_breakpoint_destroy(e->wbp);
	kfree(e);
}

/*
 * A new length or access type for an existing entry.  Within one slot
 * class the breakpoint is simply moved; across classes (data to execute)
 * a new one is made first, so a failure leaves the old entry as it was.
 */
static int ksym_change(const char *cmd, struct ksym_entry *e,
		       const struct ksym_spec *spec, unsigned int len)
{
	struct ksym_entry next = *e;
	struct wide_hw_breakpoint *old = NULL;
	int ret;

	next.spec.type = spec->type;
	next.spec.len = len;
	next.len = len;

	mutex_lock(&ksym_mutex);
	ret = wide_hw_breakpoint_modify(e->wbp, e->addr, len, spec->type,
					ksym_tr);
	mutex_unlock(&ksym_mutex);
	if (ret) {
		/* The handler's context is @e, which is kept. */
		next.wbp = ksym_watch(&next);
		if (IS_ERR(next.wbp)) {
			ksym_log_arm_err(cmd, PTR_ERR(next.wbp));
			return PTR_ERR(next.wbp);
		}
		old = e->wbp;
	}

	mutex_lock(&ksym_mutex);
	e->spec = next.spec;
	e->len = next.len;
	e->wbp = next.wbp;
	if (old && ksym_tr)
		WARN_ON_ONCE(wide_hw_breakpoint_arm(e->wbp, e->addr, len,
						    spec->type));
	wide_hw_breakpoint_sync(e->wbp);
	mutex_unlock(&ksym_mutex);
	wide_hw_breakpoint_destroy(old);
	return 0;
}

static void ksym_clear(void)
{
	struct ksym_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, &ksym_entries, list)
		ksym_remove(e);
}

/* Apply one line of ksym_trace_filter.  Called with ksym_write_mutex held. */
static int ksym_apply(char *line)
{
	struct ksym_spec spec;
	struct ksym_entry *e;
	unsigned long addr;
	unsigned int err, len;

	if (ksym_parse_filter(line, &spec, &err)) {
		ksym_log_err(line, ksym_err_code(err), ksym_err_pos(err));
		return -EINVAL;
	}
	if (ksym_resolve(&spec, &addr, &len)) {
		ksym_log_err(line, KSYM_ERR_UNKNOWN, 0);
		return -EINVAL;
	}

	e = ksym_find(&spec);
	if (!spec.type) {
		if (!e) {
			ksym_log_err(line, KSYM_ERR_NOENT, 0);
			return -EINVAL;
		}
		ksym_remove(e);
		return 0;
	}
	if (e)
		return ksym_change(line, e, &spec, len);
	return ksym_add(line, &spec, addr, len);
}

/* Arm or disarm every entry; for tracer init and reset. */
static void ksym_arm_all(bool armed)
{
	struct ksym_entry *e;

	list_for_each_entry(e, &ksym_entries, list) {
		if (armed)
			WARN_ON_ONCE(wide_hw_breakpoint_arm(e->wbp, e->addr,
							    e->len,
							    e->spec.type));
		else
			wide_hw_breakpoint_disarm(e->wbp);
	}
	list_for_each_entry(e, &ksym_entries, list)
		wide_hw_breakpoint_sync(e->wbp);
}

/* --- ksym_trace_filter ------------------------------------------------- */

static void *ksym_seq_start(struct seq_file *m, loff_t *pos)
{
	mutex_lock(&ksym_mutex);
	return seq_list_start(&ksym_entries, *pos);
}

static void *ksym_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	return seq_list_next(v, &ksym_entries, pos);
}

static void ksym_seq_stop(struct seq_file *m, void *v)
{
	mutex_unlock(&ksym_mutex);
}

static int ksym_seq_show(struct seq_file *m, void *v)
{
	struct ksym_entry *e = list_entry(v, struct ksym_entry, list);
	char buf[KSYM_SPEC_NAME_LEN + 32];

	ksym_format_spec(buf, sizeof(buf), &e->spec, e->len);
	seq_printf(m, "%s\n", buf);
	return 0;
}

static const struct seq_operations ksym_seq_ops = {
	.start	= ksym_seq_start,
	.next	= ksym_seq_next,
	.stop	= ksym_seq_stop,
	.show	= ksym_seq_show,
};

static int ksym_filter_open(struct inode *inode, struct file *file)
{
	int ret = tracing_check_open_get_tr(NULL);

	if (ret)
		return ret;
	if ((file->f_mode & FMODE_WRITE) && (file->f_flags & O_TRUNC)) {
		mutex_lock(&ksym_write_mutex);
		ksym_clear();
		mutex_unlock(&ksym_write_mutex);
	}
	if (file->f_mode & FMODE_READ)
		return seq_open(file, &ksym_seq_ops);
	return 0;
}

static int ksym_filter_release(struct inode *inode, struct file *file)
{
	if (file->f_mode & FMODE_READ)
		return seq_release(inode, file);
	return 0;
}

/*
 * Each line is one entry; a write with no entry at all (only blanks)
 * clears the list.  Lines are applied in order and the first error stops
 * the write: the lines before it stay applied, as with any other
 * line-by-line tracefs file.
 */
static ssize_t ksym_filter_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char *buf, *cur, *line;
	bool any = false;
	int ret = 0;

	if (count >= KSYM_WRITE_MAX)
		return -E2BIG;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	mutex_lock(&ksym_write_mutex);
	cur = buf;
	while (!ret && (line = strsep(&cur, "\n")) != NULL) {
		line = strim(line);
		if (!*line)
			continue;
		any = true;
		ret = ksym_apply(line);
	}
	if (!any)
		ksym_clear();
	mutex_unlock(&ksym_write_mutex);

	kfree(buf);
	if (ret)
		return ret;
	*ppos += count;
	return count;
}

static const struct file_operations ksym_filter_fops = {
	.open		= ksym_filter_open,
	.read		= seq_read,
	.write		= ksym_filter_write,
	.llseek		= seq_lseek,
	.release	= ksym_filter_release,
};

/* --- the tracer -------------------------------------------------------- */

static int ksym_trace_init(struct trace_array *tr)
{
	/* So that trace lines name the task, not "<...>". */
	tracing_start_cmdline_record();
	mutex_lock(&ksym_mutex);
	WRITE_ONCE(ksym_tr, tr);
	ksym_arm_all(true);
	mutex_unlock(&ksym_mutex);
	return 0;
}

static void ksym_trace_reset(struct trace_array *tr)
{
	mutex_lock(&ksym_mutex);
	ksym_arm_all(false);
	WRITE_ONCE(ksym_tr, NULL);
	mutex_unlock(&ksym_mutex);
	tracing_stop_cmdline_record();
}

static void ksym_print_header(struct seq_file *m)
{
	seq_puts(m, "#           TASK-PID     CPU#  |||||  TIMESTAMP  SYMBOL ACCESS from CODE\n"
		    "#              | |         |   |||||     |         |      |         |\n");
}

static struct tracer ksym_tracer __read_mostly = {
	.name		= "ksym_tracer",
	.init		= ksym_trace_init,
	.reset		= ksym_trace_reset,
	.print_header	= ksym_print_header,
};

/* --- trace_stat/ksym_profile ------------------------------------------- */

/*
 * The stat code keeps the rows it is given until the next read, so it
 * gets copies, which it frees through ->stat_release; entries can then go
 * away at any time.  Rows come in the order the places were written.
 */
struct ksym_profile_row {
	char place[KSYM_SPEC_NAME_LEN + 24];
	u32 type;
	long hits;
	int index;
};

static void *ksym_profile_row(int index)
{
	struct ksym_profile_row *row;
	struct ksym_entry *e;
	int i = 0;

	guard(mutex)(&ksym_mutex);
	list_for_each_entry(e, &ksym_entries, list) {
		if (i++ != index)
			continue;
		row = kzalloc(sizeof(*row), GFP_KERNEL);
		if (!row)
			return NULL;
		if (e->spec.offset)
			snprintf(row->place, sizeof(row->place), "%s+0x%lx",
				 e->spec.name, e->spec.offset);
		else
			strscpy(row->place, e->spec.name);
		row->type = e->spec.type;
		row->hits = atomic_long_read(&e->hits);
		row->index = index;
		return row;
	}
	return NULL;
}

static void *ksym_profile_start(struct tracer_stat *trace)
{
	return ksym_profile_row(0);
}

static void *ksym_profile_next(void *prev, int idx)
{
	return ksym_profile_row(((struct ksym_profile_row *)prev)->index + 1);
}

static int ksym_profile_headers(struct seq_file *m)
{
	seq_printf(m, "  %-12s %-40s %s\n", "Access type", "Symbol", "Counts");
	return 0;
}

static int ksym_profile_show(struct seq_file *m, void *p)
{
	struct ksym_profile_row *row = p;

	seq_printf(m, "  %-12s %-40s %ld\n", ksym_ops_string(row->type),
		   row->place, row->hits);
	return 0;
}

static void ksym_profile_release(void *p)
{
	kfree(p);
}

static struct tracer_stat ksym_profile = {
	.name		= "ksym_profile",
	.stat_start	= ksym_profile_start,
	.stat_next	= ksym_profile_next,
	.stat_headers	= ksym_profile_headers,
	.stat_show	= ksym_profile_show,
	/* Rows are copies, so that entries can go while a reader holds one. */
	.stat_release	= ksym_profile_release,
};

/* --- modules ----------------------------------------------------------- */

/* Entries on a module's symbols go with the module. */
static int ksym_module_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct module *mod = data;
	struct ksym_entry *e, *tmp;

	if (action != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	guard(mutex)(&ksym_write_mutex);
	list_for_each_entry_safe(e, tmp, &ksym_entries, list) {
		if (within_module(e->addr, mod))
			ksym_remove(e);
	}
	return NOTIFY_DONE;
}

static struct notifier_block ksym_module_nb = {
	.notifier_call = ksym_module_notify,
};

static __init int ksym_tracer_init(void)
{
	int ret;

	if (!register_trace_event(&ksym_trace_event))
		return -ENOMEM;
	ret = register_tracer(&ksym_tracer);
	if (ret)
		return ret;
	if (!tracing_init_dentry())
		trace_create_file("ksym_trace_filter", TRACE_MODE_WRITE, NULL,
				  NULL, &ksym_filter_fops);
	if (register_stat_tracer(&ksym_profile))
		pr_warn("ksym tracer: no trace_stat/ksym_profile\n");
	return register_module_notifier(&ksym_module_nb);
}
fs_initcall(ksym_tracer_init);
