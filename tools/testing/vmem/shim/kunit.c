// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shim's KUnit: the runtime of include/kunit/test.h and a runner that
 * stands in for loading the test module.
 *
 * The runner runs every registered suite (or those -g selects) the way
 * lib/kunit/test.c does, and prints the same KTAP v1, so that the
 * kernel's tools/testing/kunit/kunit.py parse reads it: a "1..N" plan of
 * suites, each a subtest with its cases, parameterized cases a level
 * deeper, "# Totals" per suite.  It then prints one more line, "N passed,
 * M failed", counting every case and every parameter (skips are neither,
 * and are listed before it).
 *
 * Around every case it also does what the test kernel and the VM runner
 * do around a boot: a WARN, a BUG report ("sleeping function called from
 * invalid context", "scheduling while atomic") or memory left allocated
 * fails the case, as a splat or a kmemleak report fails the run there.
 * A case must also leave no work queued, no delayed work armed, every CPU
 * online.  And one thing only the shim can: the vmem core must not
 * allocate while holding one of its own spinlocks.  A test that causes a splat on
 * purpose says so with shim_splats_expected().
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kunit/test.h>
#include <kunit/resource.h>
#include <linux/kernel.h>
#include <linux/cpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <shim.h>

/* ---- output: the KTAP stream */

static pthread_mutex_t shim_kunit_out_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *shim_kunit_out;
static bool shim_kunit_verbose;

void shim_kunit_log(const char *fmt, ...)
{
	char *line;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (len < 0)
		abort();
	/* printk ends a line that does not end itself */
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	pthread_mutex_lock(&shim_kunit_out_lock);
	fprintf(shim_kunit_out ? shim_kunit_out : stdout, "%s\n", line);
	fflush(shim_kunit_out ? shim_kunit_out : stdout);
	pthread_mutex_unlock(&shim_kunit_out_lock);
	free(line);
}

/* ---- the registry */

static struct kunit_suite **shim_kunit_suites;
static size_t shim_kunit_nsuites;

void shim_kunit_register(struct kunit_suite *const *suites, size_t n)
{
	struct kunit_suite **s;
	size_t i;

	s = realloc(shim_kunit_suites,
		    (shim_kunit_nsuites + n) * sizeof(*s));
	if (!s)
		abort();
	for (i = 0; i < n; i++)
		s[shim_kunit_nsuites++] = suites[i];
	shim_kunit_suites = s;
}

/* ---- failures, as lib/kunit/assert.c words them */

struct shim_sbuf {
	char	*s;
	size_t	len;
};

static void __printf(2, 0) sbuf_vadd(struct shim_sbuf *b, const char *fmt,
				     va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		abort();
	b->s = realloc(b->s, b->len + n + 1);
	if (!b->s)
		abort();
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	b->len += n;
}

static void __printf(2, 3) sbuf_add(struct shim_sbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vadd(b, fmt, ap);
	va_end(ap);
}

static void shim_kunit_prologue(struct shim_sbuf *b,
				const struct kunit_loc *loc,
				enum kunit_assert_type type)
{
	sbuf_add(b, "%s FAILED at %s:%d\n",
		 type == KUNIT_ASSERTION ? "ASSERTION" : "EXPECTATION",
		 loc->file, loc->line);
}

/* The user's message, on a line of its own, if there is one. */
static void __printf(2, 0) shim_kunit_msg(struct shim_sbuf *b, const char *fmt,
					  va_list ap)
{
	if (!fmt)
		return;
	sbuf_add(b, "\n");
	sbuf_vadd(b, fmt, ap);
}

static void shim_kunit_report(struct kunit *test, struct shim_sbuf *b)
{
	WRITE_ONCE(test->status, KUNIT_FAILURE);
	kunit_err(test, "%s", b->s ? b->s : "");
	free(b->s);
}

void __shim_kunit_fail(struct kunit *test, const struct kunit_loc *loc,
		       enum kunit_assert_type type, const char *fmt, ...)
{
	struct shim_sbuf b = { 0 };
	va_list ap;

	shim_kunit_prologue(&b, loc, type);
	if (fmt) {
		va_start(ap, fmt);
		sbuf_vadd(&b, fmt, ap);
		va_end(ap);
	}
	shim_kunit_report(test, &b);
}

void __shim_kunit_fail_unary(struct kunit *test, const struct kunit_loc *loc,
			     enum kunit_assert_type type, const char *condition,
			     bool expected_true, const char *fmt, ...)
{
	struct shim_sbuf b = { 0 };
	va_list ap;

	shim_kunit_prologue(&b, loc, type);
	sbuf_add(&b, KUNIT_SUBTEST_INDENT "Expected %s to be %s, but is %s\n",
		 condition, expected_true ? "true" : "false",
		 expected_true ? "false" : "true");
	va_start(ap, fmt);
	shim_kunit_msg(&b, fmt, ap);
	va_end(ap);
	shim_kunit_report(test, &b);
}

/* Is @text the literal of @value ("5" and 5)?  Then it is not repeated. */
static bool shim_is_literal(const char *text, long long value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", value);
	return !strcmp(buf, text);
}

void __shim_kunit_fail_binary(struct kunit *test, const struct kunit_loc *loc,
			      enum kunit_assert_type type,
			      const struct kunit_binary_assert_text *text,
			      long long left, long long right,
			      const char *fmt, ...)
{
	struct shim_sbuf b = { 0 };
	va_list ap;

	shim_kunit_prologue(&b, loc, type);
	sbuf_add(&b, KUNIT_SUBTEST_INDENT "Expected %s %s %s, but\n",
		 text->left_text, text->operation, text->right_text);
	if (!shim_is_literal(text->left_text, left))
		sbuf_add(&b, KUNIT_SUBSUBTEST_INDENT "%s == %lld (0x%llx)\n",
			 text->left_text, left, left);
	if (!shim_is_literal(text->right_text, right))
		sbuf_add(&b, KUNIT_SUBSUBTEST_INDENT "%s == %lld (0x%llx)",
			 text->right_text, right, right);
	va_start(ap, fmt);
	shim_kunit_msg(&b, fmt, ap);
	va_end(ap);
	shim_kunit_report(test, &b);
}

void __shim_kunit_fail_ptr(struct kunit *test, const struct kunit_loc *loc,
			   enum kunit_assert_type type,
			   const struct kunit_binary_assert_text *text,
			   const void *left, const void *right,
			   const char *fmt, ...)
{
	int w = 2 * sizeof(void *);
	struct shim_sbuf b = { 0 };
	va_list ap;

	shim_kunit_prologue(&b, loc, type);
	sbuf_add(&b, KUNIT_SUBTEST_INDENT "Expected %s %s %s, but\n",
		 text->left_text, text->operation, text->right_text);
	sbuf_add(&b, KUNIT_SUBSUBTEST_INDENT "%s == %0*lx\n", text->left_text,
		 w, (unsigned long)left);
	sbuf_add(&b, KUNIT_SUBSUBTEST_INDENT "%s == %0*lx", text->right_text,
		 w, (unsigned long)right);
	va_start(ap, fmt);
	shim_kunit_msg(&b, fmt, ap);
	va_end(ap);
	shim_kunit_report(test, &b);
}

/* Is @text the literal of @value ("\"abc\"" and "abc")? */
static bool shim_is_str_literal(const char *text, const char *value)
{
	size_t len = strlen(text);

	if (!value || len < 2 || text[0] != '"' || text[len - 1] != '"')
		return false;
	return strlen(value) == len - 2 && !strncmp(text + 1, value, len - 2);
}

void __shim_kunit_fail_str(struct kunit *test, const struct kunit_loc *loc,
			   enum kunit_assert_type type,
			   const struct kunit_binary_assert_text *text,
			   const char *left, const char *right,
			   const char *fmt, ...)
{
	struct shim_sbuf b = { 0 };
	va_list ap;

	shim_kunit_prologue(&b, loc, type);
	sbuf_add(&b, KUNIT_SUBTEST_INDENT "Expected %s %s %s, but\n",
		 text->left_text, text->operation, text->right_text);
	if (!shim_is_str_literal(text->left_text, left))
		sbuf_add(&b, KUNIT_SUBSUBTEST_INDENT "%s == \"%s\"\n",
			 text->left_text, left ? left : "(null)");
	if (!shim_is_str_literal(text->right_text, right))
		sbuf_add(&b, KUNIT_SUBSUBTEST_INDENT "%s == \"%s\"",
			 text->right_text, right ? right : "(null)");
	va_start(ap, fmt);
	shim_kunit_msg(&b, fmt, ap);
	va_end(ap);
	shim_kunit_report(test, &b);
}

/* Bytes of @buf, those that differ from @other's marked <xx>. */
static void shim_kunit_hexdump(struct shim_sbuf *b, const u8 *buf,
			       const u8 *other, size_t len)
{
	size_t i;

	sbuf_add(b, KUNIT_SUBSUBTEST_INDENT);
	for (i = 0; i < len; i++) {
		if (i && !(i % 16))
			sbuf_add(b, "\n" KUNIT_SUBSUBTEST_INDENT);
		sbuf_add(b, buf[i] != other[i] ? "<%02x>" : " %02x ", buf[i]);
	}
}

void __shim_kunit_fail_mem(struct kunit *test, const struct kunit_loc *loc,
			   enum kunit_assert_type type,
			   const struct kunit_binary_assert_text *text,
			   const void *left, const void *right, size_t size,
			   const char *fmt, ...)
{
	struct shim_sbuf b = { 0 };
	va_list ap;

	shim_kunit_prologue(&b, loc, type);
	if (!left || !right) {
		sbuf_add(&b, KUNIT_SUBTEST_INDENT "Expected %s is not null, but is\n",
			 left ? text->right_text : text->left_text);
	} else {
		sbuf_add(&b, KUNIT_SUBTEST_INDENT "Expected %s %s %s, but\n",
			 text->left_text, text->operation, text->right_text);
		sbuf_add(&b, KUNIT_SUBSUBTEST_INDENT "%s ==\n", text->left_text);
		shim_kunit_hexdump(&b, left, right, size);
		sbuf_add(&b, "\n" KUNIT_SUBSUBTEST_INDENT "%s ==\n",
			 text->right_text);
		shim_kunit_hexdump(&b, right, left, size);
		va_start(ap, fmt);
		shim_kunit_msg(&b, fmt, ap);
		va_end(ap);
	}
	shim_kunit_report(test, &b);
}

void __shim_kunit_fail_not_err(struct kunit *test, const struct kunit_loc *loc,
			       enum kunit_assert_type type, const char *text,
			       const void *value, const char *fmt, ...)
{
	struct shim_sbuf b = { 0 };
	va_list ap;

	shim_kunit_prologue(&b, loc, type);
	if (!value)
		sbuf_add(&b, KUNIT_SUBTEST_INDENT "Expected %s is not null, but is\n",
			 text);
	else
		sbuf_add(&b, KUNIT_SUBTEST_INDENT "Expected %s is not error, but is: %ld\n",
			 text, PTR_ERR(value));
	va_start(ap, fmt);
	shim_kunit_msg(&b, fmt, ap);
	va_end(ap);
	shim_kunit_report(test, &b);
}

/* ---- ending a case: its thread exits, as the kernel's kthread does */

void __noreturn __kunit_abort(struct kunit *test)
{
	/*
	 * The kernel ends whatever kthread calls it; a test that asserts
	 * on a thread of its own would leave its case running unseen.
	 */
	if (current->kunit_test != test)
		shim_report_bug("KUnit assertion or skip outside the case's thread",
				__FILE__, __LINE__);
	pthread_exit(NULL);
}

/* ---- deferred actions and test-managed memory */

struct shim_kunit_action {
	struct list_head	node;
	kunit_action_t		*action;
	void			*ctx;
};

/* Guards every case's resources: cases add them from any thread. */
static pthread_mutex_t shim_kunit_res_lock = PTHREAD_MUTEX_INITIALIZER;

int kunit_add_action(struct kunit *test, kunit_action_t *action, void *ctx)
{
	struct shim_kunit_action *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->action = action;
	a->ctx = ctx;
	pthread_mutex_lock(&shim_kunit_res_lock);
	list_add(&a->node, &test->resources);
	pthread_mutex_unlock(&shim_kunit_res_lock);
	return 0;
}

int kunit_add_action_or_reset(struct kunit *test, kunit_action_t *action,
			      void *ctx)
{
	int ret = kunit_add_action(test, action, ctx);

	if (ret)
		action(ctx);
	return ret;
}

/* Unlink the newest matching action. */
static struct shim_kunit_action *shim_kunit_take(struct kunit *test,
						 kunit_action_t *action,
						 void *ctx)
{
	struct shim_kunit_action *a, *found = NULL;

	pthread_mutex_lock(&shim_kunit_res_lock);
	list_for_each_entry(a, &test->resources, node) {
		if (a->action == action && a->ctx == ctx) {
			list_del(&a->node);
			found = a;
			break;
		}
	}
	pthread_mutex_unlock(&shim_kunit_res_lock);
	return found;
}

void kunit_remove_action(struct kunit *test, kunit_action_t *action,
			 void *ctx)
{
	free(shim_kunit_take(test, action, ctx));
}

void kunit_release_action(struct kunit *test, kunit_action_t *action,
			  void *ctx)
{
	struct shim_kunit_action *a = shim_kunit_take(test, action, ctx);

	if (a) {
		a->action(a->ctx);
		free(a);
	}
}

static void shim_kunit_cleanup(struct kunit *test)
{
	struct shim_kunit_action *a;

	for (;;) {
		pthread_mutex_lock(&shim_kunit_res_lock);
		a = list_first_entry_or_null(&test->resources,
					     struct shim_kunit_action, node);
		if (a)
			list_del(&a->node);
		pthread_mutex_unlock(&shim_kunit_res_lock);
		if (!a)
			return;
		a->action(a->ctx);
		free(a);
	}
}

static void shim_kunit_kfree_action(void *ptr)
{
	kfree(ptr);
}

void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size,
			  gfp_t gfp)
{
	void *p = kmalloc_array(n, size, gfp);

	if (!p)
		return NULL;
	if (kunit_add_action_or_reset(test, shim_kunit_kfree_action, p))
		return NULL;
	return p;
}

void kunit_kfree(struct kunit *test, const void *ptr)
{
	if (ptr)
		kunit_release_action(test, shim_kunit_kfree_action,
				     (void *)ptr);
}

/* ---- running one case, on threads of its own */

struct shim_kunit_try {
	struct kunit		*test;
	struct kunit_suite	*suite;
	struct kunit_case	*test_case;
	bool			cleanup;	/* .exit and actions, not the case */
	bool			finished;	/* returned rather than aborted */
	bool			atomic_at_end;	/* left preemption or irqs off */
};

static unsigned int shim_kunit_timeout = 300;	/* seconds, as the kernel */

static void *shim_kunit_try_fn(void *arg)
{
	struct shim_kunit_try *t = arg;
	struct kunit *test = t->test;
	int ret = 0;

	shim_thread_init("kunit_try_catch", 0);
	current->kunit_test = test;
	if (t->cleanup) {
		if (t->suite->exit)
			t->suite->exit(test);
		shim_kunit_cleanup(test);
	} else {
		if (t->suite->init)
			ret = t->suite->init(test);
		if (ret) {
			kunit_err(test, "failed to initialize: %d\n", ret);
			WRITE_ONCE(test->status, KUNIT_FAILURE);
		} else {
			t->test_case->run_case(test);
		}
	}
	t->atomic_at_end = shim_task.shim_preempt || shim_task.shim_irqs_off ||
			   shim_task.shim_migrate;
	t->finished = true;
	return NULL;
}

static unsigned long shim_kunit_passed, shim_kunit_failed, shim_kunit_skipped;

/* Run @t on a thread of its own; if it hangs, the run is over. */
static void shim_kunit_try(struct shim_kunit_try *t)
{
	struct timespec deadline;
	pthread_t tid;

	if (pthread_create(&tid, NULL, shim_kunit_try_fn, t))
		shim_report_bug("cannot start a test case", __FILE__, __LINE__);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += shim_kunit_timeout;
	if (pthread_timedjoin_np(tid, NULL, &deadline)) {
		/* As the kernel, leave it; unlike it, nothing can go on. */
		kunit_err(t->test, "test case %stimed out after %u s\n",
			  t->cleanup ? "cleanup " : "", shim_kunit_timeout);
		shim_kunit_log("%lu passed, %lu failed", shim_kunit_passed,
			       shim_kunit_failed + 1);
		_exit(1);
	}
	if (t->atomic_at_end) {
		kunit_err(t->test, "%s with preemption, migration or interrupts disabled\n",
			  t->cleanup ? "cleanup ended" : "the case ended");
		WRITE_ONCE(t->test->status, KUNIT_FAILURE);
	}
}

/* The counters of the splats and leaks the runner checks. */
struct shim_kunit_counts {
	unsigned long	warnings;
	unsigned long	bugs;
	unsigned long	alloc_atomic;
	long		kmalloc;
	long		slab;
	long		percpu;
	long		kthreads;
};

static void shim_kunit_counts(struct shim_kunit_counts *c)
{
	c->warnings = READ_ONCE(shim_nr_warnings);
	c->bugs = READ_ONCE(shim_nr_bugs);
	c->alloc_atomic = READ_ONCE(shim_nr_alloc_atomic);
	c->kmalloc = shim_kmalloc_live();
	c->slab = shim_slab_live_total();
	c->percpu = shim_percpu_live();
	c->kthreads = shim_kthreads_live();
}

/* The kernel log of the case, as KTAP diagnostics. */
static void shim_kunit_dump_log(struct kunit *test)
{
	char *buf = NULL, *line, *save;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	shim_log_dump(f);
	fclose(f);
	if (len)
		kunit_info(test, "kernel log (the last lines):");
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		kunit_info(test, "  %s", line);
	free(buf);
}

/*
 * What the test kernel would report around the case: splats, leaks.
 * The splats a test caused on purpose (shim_splats_expected()) are not
 * counted, but must all have happened.
 */
static void shim_kunit_post_checks(struct kunit *test,
				   const struct shim_kunit_counts *before)
{
	struct shim_kunit_counts after;
	unsigned long ew, eb, dw, db;
	bool bad = false;
	int i;

	/* A kernel thread that has returned may take a moment to exit. */
	for (i = 0; i < 100 && shim_kthreads_live() != before->kthreads; i++)
		usleep(10000);
	shim_kunit_counts(&after);
	shim_splats_expected_take(&ew, &eb);
	dw = after.warnings - before->warnings;
	db = after.bugs - before->bugs;
	if (dw != ew) {
		kunit_err(test, "%lu WARNING splats in the kernel log, %lu expected\n",
			  dw, ew);
		bad = true;
	}
	if (db != eb) {
		kunit_err(test, "%lu BUG splats (sleeping in atomic context) in the kernel log, %lu expected\n",
			  db, eb);
		bad = true;
	}
	if (after.alloc_atomic != before->alloc_atomic) {
		kunit_err(test, "%lu allocations under a spinlock of the vmem core\n",
			  after.alloc_atomic - before->alloc_atomic);
		bad = true;
	}
	if (after.kmalloc != before->kmalloc || after.slab != before->slab ||
	    after.percpu != before->percpu) {
		kunit_err(test, "memory leaked: %ld kmalloc, %ld slab, %ld per-CPU objects\n",
			  after.kmalloc - before->kmalloc,
			  after.slab - before->slab,
			  after.percpu - before->percpu);
		bad = true;
	}
	if (after.kthreads != before->kthreads) {
		kunit_err(test, "%ld kernel threads not reaped\n",
			  after.kthreads - before->kthreads);
		bad = true;
	}
	if (shim_work_pending() || shim_delayed_work_armed()) {
		kunit_err(test, "%lu work items left queued, %lu delayed ones armed\n",
			  shim_work_pending(), shim_delayed_work_armed());
		bad = true;
	}
	if (shim_cpus_offline()) {
		unsigned int cpu;

		kunit_err(test, "%u CPUs left offline\n", shim_cpus_offline());
		for (cpu = 1; cpu < nr_cpu_ids; cpu++)
			add_cpu(cpu);
		bad = true;
	}
	if (shim_failslab_probability || !shim_failslab_ignore_reclaim) {
		kunit_err(test, "failslab settings left changed\n");
		shim_failslab_probability = 0;
		shim_failslab_ignore_reclaim = true;
		bad = true;
	}
	if (bad)
		WRITE_ONCE(test->status, KUNIT_FAILURE);
}

/* kunit_run_case_catch_errors(): the case, then its cleanup. */
static void shim_kunit_run_case(struct kunit_suite *suite,
				struct kunit_case *test_case,
				struct kunit *test)
{
	struct shim_kunit_try t = {
		.test = test, .suite = suite, .test_case = test_case,
	};
	struct shim_kunit_counts before;
	struct timespec t0, t1;

	shim_log_clear();
	shim_kunit_counts(&before);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	shim_kunit_try(&t);
	t = (struct shim_kunit_try){
		.test = test, .suite = suite, .test_case = test_case,
		.cleanup = true,
	};
	shim_kunit_try(&t);
	if (!t.finished) {
		kunit_err(test, "test aborted during cleanup. continuing without cleaning up\n");
		WRITE_ONCE(test->status, KUNIT_FAILURE);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	shim_kunit_post_checks(test, &before);
	if (shim_kunit_verbose)
		kunit_info(test, "%.3f s", (t1.tv_sec - t0.tv_sec) +
			   (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (test->status == KUNIT_FAILURE && !shim_kunit_verbose)
		shim_kunit_dump_log(test);

	if (test->status == KUNIT_FAILURE)
		test_case->status = KUNIT_FAILURE;
	else if (test_case->status != KUNIT_FAILURE &&
		 test->status == KUNIT_SUCCESS)
		test_case->status = KUNIT_SUCCESS;
}

/* ---- suites, as kunit_run_tests() prints them */

struct shim_kunit_stats {
	unsigned long passed, skipped, failed, total;
};

static void shim_kunit_update_stats(struct shim_kunit_stats *s,
				    enum kunit_status status)
{
	if (status == KUNIT_SUCCESS)
		s->passed++;
	else if (status == KUNIT_SKIPPED)
		s->skipped++;
	else
		s->failed++;
	s->total++;
}

static void shim_kunit_print_ok(unsigned int level, enum kunit_status status,
				size_t number, const char *description,
				const char *directive)
{
	bool skip = status == KUNIT_SKIPPED;

	shim_kunit_log("%*s%s %zu %s%s%s", KUNIT_INDENT_LEN * level, "",
		       status == KUNIT_FAILURE ? "not ok" : "ok", number,
		       description, skip ? " # SKIP " : "",
		       skip ? directive : "");
}

static void shim_kunit_print_stats(unsigned int level, const char *name,
				   const struct shim_kunit_stats *s)
{
	if (s->total > 1)
		shim_kunit_log("%*s# %s: pass:%lu fail:%lu skip:%lu total:%lu",
			       KUNIT_INDENT_LEN * level, "", name, s->passed,
			       s->failed, s->skipped, s->total);
}

/* Selection: -g suite_glob[.case_glob], as kunit.filter_glob. */
static char **shim_kunit_globs;
static unsigned int shim_kunit_nglobs;
static bool shim_kunit_skip_slow;

static bool shim_kunit_selected(const struct kunit_suite *suite,
				const struct kunit_case *tc)
{
	unsigned int i;

	if (shim_kunit_skip_slow && tc->attr.speed != KUNIT_SPEED_UNSET &&
	    tc->attr.speed <= KUNIT_SPEED_SLOW)
		return false;
	if (!shim_kunit_nglobs)
		return true;
	for (i = 0; i < shim_kunit_nglobs; i++) {
		const char *g = shim_kunit_globs[i], *dot = strchr(g, '.');
		char suite_glob[256];

		if (!dot) {
			if (!fnmatch(g, suite->name, 0))
				return true;
			continue;
		}
		snprintf(suite_glob, sizeof(suite_glob), "%.*s",
			 (int)(dot - g), g);
		if (!fnmatch(suite_glob, suite->name, 0) &&
		    !fnmatch(dot + 1, tc->name, 0))
			return true;
	}
	return false;
}

static size_t shim_kunit_num_selected(const struct kunit_suite *suite)
{
	struct kunit_case *tc;
	size_t n = 0;

	kunit_suite_for_each_test_case(suite, tc)
		n += shim_kunit_selected(suite, tc);
	return n;
}

static enum kunit_status shim_kunit_suite_status(struct kunit_suite *suite)
{
	enum kunit_status status = KUNIT_SKIPPED;
	struct kunit_case *tc;

	if (suite->suite_init_err)
		return KUNIT_FAILURE;
	kunit_suite_for_each_test_case(suite, tc) {
		if (!shim_kunit_selected(suite, tc))
			continue;
		if (tc->status == KUNIT_FAILURE)
			return KUNIT_FAILURE;
		if (tc->status == KUNIT_SUCCESS)
			status = KUNIT_SUCCESS;
	}
	return status;
}

/* Leaf results not run because .suite_init failed count as failures. */
static void shim_kunit_count(enum kunit_status status)
{
	if (status == KUNIT_SUCCESS)
		shim_kunit_passed++;
	else if (status == KUNIT_SKIPPED)
		shim_kunit_skipped++;
	else
		shim_kunit_failed++;
}

static void shim_kunit_run_suite(struct kunit_suite *suite, size_t number)
{
	struct shim_kunit_stats suite_stats = { 0 }, total_stats = { 0 };
	char param_desc[KUNIT_PARAM_DESC_SIZE];
	struct kunit_case *tc;
	size_t n = 0;

	suite->status_comment[0] = '\0';
	suite->suite_init_err = 0;
	if (suite->suite_init) {
		suite->suite_init_err = suite->suite_init(suite);
		if (suite->suite_init_err) {
			shim_kunit_log(KUNIT_SUBTEST_INDENT "# failed to initialize (%d)",
				       suite->suite_init_err);
			shim_kunit_count(KUNIT_FAILURE);
			goto suite_end;
		}
	}
	shim_kunit_log(KUNIT_SUBTEST_INDENT "KTAP version 1");
	shim_kunit_log(KUNIT_SUBTEST_INDENT "# Subtest: %s", suite->name);
	shim_kunit_log(KUNIT_SUBTEST_INDENT "1..%zu",
		       shim_kunit_num_selected(suite));

	kunit_suite_for_each_test_case(suite, tc) {
		struct kunit test = { .param_value = NULL, .param_index = 0 };
		struct shim_kunit_stats param_stats = { 0 };

		if (!shim_kunit_selected(suite, tc))
			continue;
		n++;
		test.name = tc->name;
		INIT_LIST_HEAD(&test.resources);
		test.status = KUNIT_SUCCESS;
		tc->status = KUNIT_SKIPPED;
		if (!tc->generate_params) {
			shim_kunit_run_case(suite, tc, &test);
			shim_kunit_update_stats(&param_stats, test.status);
			shim_kunit_count(test.status);
		} else {
			param_desc[0] = '\0';
			test.param_value = tc->generate_params(NULL, param_desc);
			shim_kunit_log(KUNIT_SUBTEST_INDENT KUNIT_SUBTEST_INDENT
				       "KTAP version 1");
			shim_kunit_log(KUNIT_SUBTEST_INDENT KUNIT_SUBTEST_INDENT
				       "# Subtest: %s", tc->name);
			while (test.param_value) {
				shim_kunit_run_case(suite, tc, &test);
				if (param_desc[0] == '\0')
					snprintf(param_desc, sizeof(param_desc),
						 "param-%d", test.param_index);
				shim_kunit_print_ok(2, test.status,
						    test.param_index + 1,
						    param_desc,
						    test.status_comment);
				shim_kunit_update_stats(&param_stats,
							test.status);
				shim_kunit_count(test.status);
				param_desc[0] = '\0';
				test.param_value =
					tc->generate_params(test.param_value,
							    param_desc);
				test.param_index++;
				test.status = KUNIT_SUCCESS;
				test.status_comment[0] = '\0';
				test.priv = NULL;
			}
		}
		if (tc->attr.speed == KUNIT_SPEED_SLOW)
			shim_kunit_log(KUNIT_SUBTEST_INDENT "# %s.speed: slow",
				       tc->name);
		shim_kunit_print_stats(1, tc->name, &param_stats);
		shim_kunit_print_ok(1, tc->status, n, tc->name,
				    test.status_comment);
		shim_kunit_update_stats(&suite_stats, tc->status);
		total_stats.passed += param_stats.passed;
		total_stats.skipped += param_stats.skipped;
		total_stats.failed += param_stats.failed;
		total_stats.total += param_stats.total;
	}
	if (suite->suite_exit)
		suite->suite_exit(suite);
	shim_kunit_print_stats(0, suite->name, &suite_stats);
	if (total_stats.total > 1)
		shim_kunit_log("# Totals: pass:%lu fail:%lu skip:%lu total:%lu",
			       total_stats.passed, total_stats.failed,
			       total_stats.skipped, total_stats.total);
suite_end:
	shim_kunit_print_ok(0, shim_kunit_suite_status(suite), number,
			    suite->name, suite->status_comment);
}

/* ---- the runner */

unsigned long shim_kunit_seed_value;

void shim_kunit_run_apart(struct kunit_suite *suite, FILE *out,
			  unsigned long counts[3])
{
	unsigned long passed = shim_kunit_passed, failed = shim_kunit_failed;
	unsigned long skipped = shim_kunit_skipped;
	unsigned int nglobs = shim_kunit_nglobs;
	bool skip_slow = shim_kunit_skip_slow;
	FILE *saved_out = shim_kunit_out;

	shim_kunit_nglobs = 0;
	shim_kunit_skip_slow = false;
	shim_kunit_passed = shim_kunit_failed = shim_kunit_skipped = 0;
	shim_kunit_out = out;
	shim_kunit_run_suite(suite, 1);
	shim_kunit_out = saved_out;
	counts[0] = shim_kunit_passed;
	counts[1] = shim_kunit_failed;
	counts[2] = shim_kunit_skipped;
	shim_kunit_passed = passed;
	shim_kunit_failed = failed;
	shim_kunit_skipped = skipped;
	shim_kunit_nglobs = nglobs;
	shim_kunit_skip_slow = skip_slow;
}

static void shim_kunit_usage(const char *prog)
{
	printf("usage: %s [-l] [-v] [-S] [-s seed] [-g glob]... [-T seconds] [param=value]...\n"
	       "Runs the registered KUnit suites and prints KTAP, then \"N passed, M failed\".\n"
	       "  -l          list the cases (suite.case) and exit\n"
	       "  -g glob     run the suites (suite_glob) or cases (suite_glob.case_glob)\n"
	       "              that match, as kunit.filter_glob; repeatable\n"
	       "  -S          leave out the slow cases (KUNIT_CASE_SLOW), as\n"
	       "              kunit.filter=speed>slow\n"
	       "  -s seed     seed of get_random_*(), of failslab and of the\n"
	       "              randomized suites (default: random; also VMEM_SEED)\n"
	       "  -T seconds  time limit of a case (default 300, as the kernel's)\n"
	       "  -v          verbose: every kernel log line, the time of each case\n"
	       "  param=value a module parameter, as on the insmod command line\n",
	       prog);
}

static void shim_kunit_list(void)
{
	struct kunit_case *tc;
	size_t i;

	for (i = 0; i < shim_kunit_nsuites; i++)
		kunit_suite_for_each_test_case(shim_kunit_suites[i], tc)
			if (shim_kunit_selected(shim_kunit_suites[i], tc))
				printf("%s.%s\n", shim_kunit_suites[i]->name,
				       tc->name);
}

/* The seed: -s, else $VMEM_SEED, else the clock; it fits an unsigned long. */
static unsigned long shim_kunit_seed(const char *arg)
{
	unsigned long seed = 0;
	struct timespec ts;

	if (arg)
		seed = strtoul(arg, NULL, 0);
	else if (getenv("VMEM_SEED"))
		seed = strtoul(getenv("VMEM_SEED"), NULL, 0);
	while (!seed) {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (unsigned long)((u64)ts.tv_nsec * 1000003ULL ^
				       (u64)ts.tv_sec ^ (u64)getpid() << 20);
	}
	return seed;
}

int main(int argc, char **argv)
{
	const char *seed_arg = NULL;
	unsigned long seed;
	bool list = false;
	size_t i, nrun = 0, number = 0;
	char param[64];
	int opt, ret;

	shim_thread_init("kunit", 0);
	shim_kunit_globs = calloc(argc, sizeof(*shim_kunit_globs));
	if (!shim_kunit_globs)
		return 2;
	while ((opt = getopt(argc, argv, "lvSs:g:T:h")) != -1) {
		switch (opt) {
		case 'l':
			list = true;
			break;
		case 'v':
			shim_kunit_verbose = true;
			break;
		case 'S':
			shim_kunit_skip_slow = true;
			break;
		case 's':
			seed_arg = optarg;
			break;
		case 'g':
			shim_kunit_globs[shim_kunit_nglobs++] = optarg;
			break;
		case 'T':
			shim_kunit_timeout = strtoul(optarg, NULL, 0);
			break;
		default:
			shim_kunit_usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (list) {
		shim_kunit_list();
		return 0;
	}

	seed = shim_kunit_seed(seed_arg);
	shim_kunit_seed_value = seed;
	shim_random_seed(seed);
	shim_failslab_seed(seed);
	/* Quiet unless -v: a failing case prints its own log lines. */
	shim_console_loglevel = shim_kunit_verbose ? 8 : 0;
	/* The seed of the randomized suites, under either name it has. */
	snprintf(param, sizeof(param), "seed=%lu", seed);
	shim_module_param_set(param);
	snprintf(param, sizeof(param), "test_seed=%lu", seed);
	shim_module_param_set(param);
	for (; optind < argc; optind++) {
		ret = shim_module_param_set(argv[optind]);
		if (ret) {
			fprintf(stderr, "%s: bad parameter %s: %d\n", argv[0],
				argv[optind], ret);
			return 2;
		}
	}
	ret = shim_module_init ? shim_module_init() : 0;
	if (ret) {
		fprintf(stderr, "%s: module init failed: %d\n", argv[0], ret);
		return 1;
	}
	/* Work items run on their own, as the kernel's workqueues do. */
	shim_wq_set_mode(SHIM_WQ_THREAD);

	for (i = 0; i < shim_kunit_nsuites; i++)
		nrun += shim_kunit_num_selected(shim_kunit_suites[i]) != 0;
	shim_kunit_log("KTAP version 1");
	shim_kunit_log("1..%zu", nrun);
	shim_kunit_log("# %s: seed=%lu (rerun: %s -s %lu)", argv[0], seed,
		       argv[0], seed);
	for (i = 0; i < shim_kunit_nsuites; i++)
		if (shim_kunit_num_selected(shim_kunit_suites[i]))
			shim_kunit_run_suite(shim_kunit_suites[i], ++number);

	shim_wq_set_mode(SHIM_WQ_MANUAL);
	if (shim_module_exit)
		shim_module_exit();
	/* The module's own cache went away at exit; nothing may be left. */
	if (shim_kmalloc_live() != 0 || shim_slab_live_total() != 0) {
		shim_kunit_log("# %ld kmalloc and %ld slab objects leaked at exit",
			       shim_kmalloc_live(), shim_slab_live_total());
		shim_kunit_failed++;
	}
	shim_kunit_log("# skipped: %lu", shim_kunit_skipped);
	shim_kunit_log("%lu passed, %lu failed", shim_kunit_passed,
		       shim_kunit_failed);
	free(shim_kunit_globs);
	free(shim_kunit_suites);
	return shim_kunit_failed ? 1 : 0;
}
