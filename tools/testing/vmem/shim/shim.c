// SPDX-License-Identifier: GPL-2.0-only
/*
 * The userspace shim's run-time half: tasks, printk and splats, slab and
 * kmalloc with fault injection and leak counters, per-CPU allocations,
 * wait queues, the system workqueue, random numbers and module
 * parameters.  What it models and what it cannot is said in
 * include/shim.h and at the top of each shim header.
 */
#include <execinfo.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <malloc.h>
#include <valgrind/valgrind.h>

#include <linux/kernel.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <shim.h>

__thread struct task_struct shim_task = { .comm = "main" };

unsigned long shim_nr_warnings;
unsigned long shim_nr_bugs;
unsigned long shim_nr_alloc_atomic;
bool shim_panic_on_warn;
unsigned int shim_failslab_probability;
bool shim_failslab_ignore_reclaim = true;
unsigned long shim_nr_injected;
int shim_console_loglevel = 7;

#define shim_inc(counter) __atomic_fetch_add(&(counter), 1, __ATOMIC_RELAXED)

/* ---- tasks and CPUs */

void shim_thread_init(const char *comm, int cpu)
{
	shim_task.pid = gettid();
	strscpy(shim_task.comm, comm, sizeof(shim_task.comm));
	shim_set_cpu(cpu);
}

static long shim_percpu_count;

void shim_kill(struct task_struct *t)
{
	/* Sleepers poll for it: see schedule(). */
	WRITE_ONCE(t->shim_fatal, 1);
}

static __thread bool shim_hardirq_saved_irqs;

void shim_hardirq_enter(void)
{
	if (shim_task.shim_hardirq++ == 0) {
		shim_hardirq_saved_irqs = shim_task.shim_irqs_off;
		shim_task.shim_irqs_off = true;
	}
}

void shim_hardirq_exit(void)
{
	if (--shim_task.shim_hardirq == 0)
		shim_task.shim_irqs_off = shim_hardirq_saved_irqs;
}

void shim_softirq_enter(void)
{
	shim_task.shim_softirq++;
}

void shim_softirq_exit(void)
{
	shim_task.shim_softirq--;
}

/*
 * The core's directory, as the Makefile names its sources: a lock whose
 * spin_lock_init() is in a file there belongs to the core.  Without it,
 * every lock counts as the core's.
 */
bool shim_lock_class_core(const char *file)
{
#ifdef SHIM_CORE_DIR
	return !strncmp(file, SHIM_CORE_DIR, strlen(SHIM_CORE_DIR));
#else
	return true;
#endif
}

static unsigned long shim_exp_warnings, shim_exp_bugs;

void shim_splats_expected(unsigned long warnings, unsigned long bugs)
{
	__atomic_fetch_add(&shim_exp_warnings, warnings, __ATOMIC_RELAXED);
	__atomic_fetch_add(&shim_exp_bugs, bugs, __ATOMIC_RELAXED);
}

void shim_splats_expected_take(unsigned long *warnings, unsigned long *bugs)
{
	*warnings = __atomic_exchange_n(&shim_exp_warnings, 0, __ATOMIC_RELAXED);
	*bugs = __atomic_exchange_n(&shim_exp_bugs, 0, __ATOMIC_RELAXED);
}

/* ---- printk, WARN, BUG */

#define SHIM_LOG_LINES	128
#define SHIM_LOG_LEN	256

static pthread_mutex_t shim_log_lock = PTHREAD_MUTEX_INITIALIZER;
static char shim_log_ring[SHIM_LOG_LINES][SHIM_LOG_LEN];
static unsigned int shim_log_next;
static unsigned long shim_log_levels[8];

static void shim_log_record(int level, const char *msg)
{
	pthread_mutex_lock(&shim_log_lock);
	strscpy(shim_log_ring[shim_log_next % SHIM_LOG_LINES], msg,
		SHIM_LOG_LEN);
	shim_log_next++;
	shim_log_levels[level & 7]++;
	pthread_mutex_unlock(&shim_log_lock);
}

bool shim_log_find(const char *needle)
{
	unsigned int i, n;
	bool found = false;

	pthread_mutex_lock(&shim_log_lock);
	n = min(shim_log_next, (unsigned int)SHIM_LOG_LINES);
	for (i = 0; i < n && !found; i++)
		found = strstr(shim_log_ring[i], needle) != NULL;
	pthread_mutex_unlock(&shim_log_lock);
	return found;
}

void shim_log_clear(void)
{
	pthread_mutex_lock(&shim_log_lock);
	memset(shim_log_ring, 0, sizeof(shim_log_ring));
	memset(shim_log_levels, 0, sizeof(shim_log_levels));
	shim_log_next = 0;
	pthread_mutex_unlock(&shim_log_lock);
}

void shim_log_dump(FILE *f)
{
	unsigned int i, n;

	pthread_mutex_lock(&shim_log_lock);
	n = min(shim_log_next, (unsigned int)SHIM_LOG_LINES);
	for (i = shim_log_next - n; i != shim_log_next; i++)
		fputs(shim_log_ring[i % SHIM_LOG_LINES], f);
	pthread_mutex_unlock(&shim_log_lock);
}

unsigned long shim_log_count(int level)
{
	unsigned long n;

	pthread_mutex_lock(&shim_log_lock);
	n = shim_log_levels[level & 7];
	pthread_mutex_unlock(&shim_log_lock);
	return n;
}

static void shim_vlog(int level, const char *fmt, va_list ap)
{
	char buf[SHIM_LOG_LEN];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	shim_log_record(level, buf);
	if (level < shim_console_loglevel)
		fputs(buf, stderr);
}

static void shim_log(int level, const char *fmt, ...) __printf(2, 3);
static void shim_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	shim_vlog(level, fmt, ap);
	va_end(ap);
}

int shim_printk(const char *fmt, ...)
{
	/* Messages without a level get the kernel's default, 4. */
	static __thread int last_level = 4;
	int level = 4;
	va_list ap;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		if (fmt[1] == 'c')
			level = last_level;
		else if (fmt[1] >= '0' && fmt[1] <= '7')
			level = fmt[1] - '0';
		fmt += 2;
	}
	last_level = level;
	va_start(ap, fmt);
	shim_vlog(level, fmt, ap);
	va_end(ap);
	return 0;
}

void shim_dump_stack(void)
{
	void *frames[32];
	int n = backtrace(frames, ARRAY_SIZE(frames));

	if (shim_console_loglevel > 4)
		backtrace_symbols_fd(frames, n, STDERR_FILENO);
}

void shim_warn(const char *file, int line, const char *func,
	       const char *fmt, ...)
{
	char msg[SHIM_LOG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	shim_inc(shim_nr_warnings);
	shim_log(4, "WARNING: CPU: %d PID: %d at %s:%d %s: %s\n",
		 shim_task.shim_cpu, shim_task.pid, file, line, func, msg);
	shim_dump_stack();
	if (shim_panic_on_warn) {
		fprintf(stderr, "Kernel panic - not syncing: panic_on_warn set\n");
		abort();
	}
}

void shim_bug(const char *file, int line, const char *func)
{
	fprintf(stderr, "kernel BUG at %s:%d (%s)!\n", file, line, func);
	shim_dump_stack();
	abort();
}

/* Misuse the kernel would oops or deadlock on: stop here. */
void shim_report_bug(const char *what, const char *file, int line)
{
	fprintf(stderr, "BUG: %s at %s:%d, task %s/%d\n", what, file, line,
		shim_task.comm, shim_task.pid);
	shim_dump_stack();
	abort();
}

static bool shim_atomic_context(void)
{
	return shim_task.shim_preempt || shim_task.shim_irqs_off ||
	       shim_task.shim_hardirq || shim_task.shim_softirq;
}

/* The kernel's CONFIG_DEBUG_ATOMIC_SLEEP report; counted, not fatal. */
void shim_might_sleep(const char *file, int line)
{
	if (likely(!shim_atomic_context())) {
		shim_migration_point();
		return;
	}
	shim_inc(shim_nr_bugs);
	shim_log(3, "BUG: sleeping function called from invalid context at %s:%d\n"
		 "in_atomic(): %d, irqs_disabled(): %d, pid: %d, name: %s\n",
		 file, line, in_atomic(), irqs_disabled(), shim_task.pid,
		 shim_task.comm);
	shim_dump_stack();
}

void shim_cond_resched(const char *file, int line)
{
	shim_might_sleep(file, line);
}

void shim_spin_lock_contended(int *slock)
{
	unsigned int spins = 0;

	do {
		while (__atomic_load_n(slock, __ATOMIC_RELAXED)) {
			/* valgrind runs one thread at a time: let the holder run. */
			if (++spins % 64 == 0)
				sched_yield();
			else
				cpu_relax();
		}
	} while (__atomic_exchange_n(slock, 1, __ATOMIC_ACQUIRE));
}

void shim_spin_lock_queued(int *slock, unsigned int *next,
			   unsigned int *serving)
{
	unsigned int me = __atomic_fetch_add(next, 1, __ATOMIC_SEQ_CST);
	unsigned int spins = 0;

	while (__atomic_load_n(serving, __ATOMIC_ACQUIRE) != me) {
		if (++spins % 64 == 0)
			sched_yield();
		else
			cpu_relax();
	}
	/* a fast path that saw no waiter may still hold it, briefly */
	if (__atomic_exchange_n(slock, 1, __ATOMIC_ACQUIRE))
		shim_spin_lock_contended(slock);
	__atomic_fetch_add(serving, 1, __ATOMIC_RELEASE);
}

void shim_local_lock_acquire(local_lock_t *l)
{
	if (READ_ONCE(l->owner) == &shim_task)
		shim_report_bug("local_lock recursion", __FILE__, __LINE__);
	if (__atomic_exchange_n(&l->slock, 1, __ATOMIC_ACQUIRE))
		shim_spin_lock_contended(&l->slock);
	WRITE_ONCE(l->owner, &shim_task);
}

void shim_local_lock_release(local_lock_t *l)
{
	if (READ_ONCE(l->owner) != &shim_task)
		shim_report_bug("local_unlock by non-owner", __FILE__, __LINE__);
	WRITE_ONCE(l->owner, NULL);
	__atomic_store_n(&l->slock, 0, __ATOMIC_RELEASE);
}

void msleep(unsigned int msecs)
{
	shim_might_sleep(__FILE__, __LINE__);
	shim_cpu_sleep_begin();
	usleep(msecs * 1000U);
	shim_cpu_sleep_end();
}

void usleep_range(unsigned long min, unsigned long max)
{
	shim_might_sleep(__FILE__, __LINE__);
	shim_cpu_sleep_begin();
	usleep(min);
	shim_cpu_sleep_end();
}

void udelay(unsigned long usecs)
{
	usleep(usecs);
}

/* ---- random numbers: splitmix64, one shared counter */

static u64 shim_random_state = 0x9e3779b97f4a7c15ull;
static u64 shim_failslab_state = 0x2545f4914f6cdd1dull;

static u64 splitmix64(u64 *state)
{
	u64 z = __atomic_add_fetch(state, 0x9e3779b97f4a7c15ull,
				   __ATOMIC_RELAXED);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void shim_random_seed(u64 seed)
{
	WRITE_ONCE(shim_random_state, seed);
}

void shim_failslab_seed(u64 seed)
{
	WRITE_ONCE(shim_failslab_state, seed);
}

u64 get_random_u64(void)
{
	return splitmix64(&shim_random_state);
}

void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		u64 r = get_random_u64();
		size_t n = min(len, sizeof(r));

		memcpy(p, &r, n);
		p += n;
		len -= n;
	}
}

/* ---- slab, kmalloc, fault injection */

struct kmem_cache {
	char			name[32];
	unsigned int		size;
	unsigned int		align;
	long			live;		/* objects allocated, not freed */
	struct list_head	list;
};

static pthread_mutex_t shim_slab_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(shim_slab_caches);
static long shim_kmalloc_count;

long shim_kmalloc_live(void)
{
	return READ_ONCE(shim_kmalloc_count);
}

long shim_slab_live_total(void)
{
	struct kmem_cache *s;
	long live = 0;

	pthread_mutex_lock(&shim_slab_lock);
	list_for_each_entry(s, &shim_slab_caches, list)
		live += READ_ONCE(s->live);
	pthread_mutex_unlock(&shim_slab_lock);
	return live;
}

long shim_slab_live(const char *cache_name)
{
	struct kmem_cache *s;
	long live = -1;

	pthread_mutex_lock(&shim_slab_lock);
	list_for_each_entry(s, &shim_slab_caches, list) {
		if (!strcmp(s->name, cache_name)) {
			live = READ_ONCE(s->live);
			break;
		}
	}
	pthread_mutex_unlock(&shim_slab_lock);
	return live;
}

/* mm/failslab.c + lib/fault-inject.c, as far as vmem can observe them. */
static bool shim_should_failslab(gfp_t gfp)
{
	if (gfp & __GFP_NOFAIL)
		return false;
	if (shim_failslab_ignore_reclaim && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	if (in_task() && shim_task.fail_nth) {
		if (--shim_task.fail_nth == 0)
			goto fail;
		return false;
	}
	if (READ_ONCE(shim_failslab_probability) &&
	    splitmix64(&shim_failslab_state) % 1000 <
	    READ_ONCE(shim_failslab_probability))
		goto fail;
	return false;
fail:
	shim_inc(shim_nr_injected);
	return true;
}

void shim_alloc_check(gfp_t gfp)
{
	if (gfpflags_allow_blocking(gfp))
		shim_might_sleep(__FILE__, __LINE__);
	if (shim_task.shim_spinlocks)
		shim_inc(shim_nr_alloc_atomic);
}

static __thread void (*shim_alloc_hook_fn)(void *arg);
static __thread void *shim_alloc_hook_arg;

void shim_alloc_hook_set(void (*fn)(void *arg), void *arg)
{
	shim_alloc_hook_fn = fn;
	shim_alloc_hook_arg = arg;
}

static void *shim_alloc(size_t size, size_t align, gfp_t gfp)
{
	void (*hook)(void *arg) = shim_alloc_hook_fn;
	void *p;

	if (unlikely(hook)) {
		shim_alloc_hook_fn = NULL;
		hook(shim_alloc_hook_arg);
	}
	shim_alloc_check(gfp);
	if (shim_should_failslab(gfp))
		return NULL;
	if (align > sizeof(void *))
		p = aligned_alloc(align, round_up(size, align));
	else
		p = malloc(size);
	if (!p)
		return NULL;
	if (gfp & __GFP_ZERO)
		memset(p, 0, size);
	else if (!RUNNING_ON_VALGRIND)
		memset(p, 0xa5, size);
	return p;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s;

	shim_might_sleep(__FILE__, __LINE__);
	if (ctor)
		shim_report_bug("kmem_cache ctor not supported by the shim",
				__FILE__, __LINE__);
	s = calloc(1, sizeof(*s));
	if (!s) {
		if (flags & SLAB_PANIC)
			shim_report_bug("kmem_cache_create failed", __FILE__,
					__LINE__);
		return NULL;
	}
	strscpy(s->name, name, sizeof(s->name));
	s->size = size;
	s->align = (flags & SLAB_HWCACHE_ALIGN) ? max(align, 64U) : align;
	pthread_mutex_lock(&shim_slab_lock);
	list_add_tail(&s->list, &shim_slab_caches);
	pthread_mutex_unlock(&shim_slab_lock);
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	if (!s)
		return;
	shim_might_sleep(__FILE__, __LINE__);
	if (READ_ONCE(s->live)) {
		shim_log(3, "kmem_cache_destroy %s: Slab cache still has objects (%ld)\n",
			 s->name, READ_ONCE(s->live));
		WARN(1, "kmem_cache_destroy %s with objects", s->name);
	}
	pthread_mutex_lock(&shim_slab_lock);
	list_del(&s->list);
	pthread_mutex_unlock(&shim_slab_lock);
	free(s);
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	void *p = shim_alloc(s->size, s->align, gfp);

	if (p)
		__atomic_fetch_add(&s->live, 1, __ATOMIC_RELAXED);
	return p;
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	if (WARN_ON(!obj))
		return;
	if (__atomic_sub_fetch(&s->live, 1, __ATOMIC_RELAXED) < 0)
		shim_report_bug("kmem_cache_free: more frees than allocations",
				__FILE__, __LINE__);
	free(obj);
}

#define ZERO_SIZE_PTR	((void *)16)

void *kmalloc(size_t size, gfp_t gfp)
{
	void *p;

	if (!size)
		return ZERO_SIZE_PTR;
	p = shim_alloc(size, 0, gfp);
	if (p)
		__atomic_fetch_add(&shim_kmalloc_count, 1, __ATOMIC_RELAXED);
	return p;
}

void kfree(const void *obj)
{
	if (!obj || obj == ZERO_SIZE_PTR)
		return;
	if (__atomic_sub_fetch(&shim_kmalloc_count, 1, __ATOMIC_RELAXED) < 0)
		shim_report_bug("kfree: more frees than allocations",
				__FILE__, __LINE__);
	free((void *)obj);
}

/*
 * kvmalloc() falls back to vmalloc only for blocking requests, which
 * failslab ignores by default.  With shim_failslab_ignore_reclaim off, an
 * injected failure here stands for the slab attempt and the vmalloc
 * fallback failing together (failslab plus fail_page_alloc, in the
 * kernel's terms).
 */
void *kvmalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp);
}

void kvfree(const void *obj)
{
	kfree(obj);
}

size_t ksize(const void *obj)
{
	return obj && obj != ZERO_SIZE_PTR ? malloc_usable_size((void *)obj) : 0;
}

char *kstrdup(const char *s, gfp_t gfp)
{
	return s ? kmemdup(s, strlen(s) + 1, gfp) : NULL;
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strnlen(s, max);
	p = kmalloc(len + 1, gfp);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p && len)
		memcpy(p, src, len);
	return p;
}

/* ---- per-CPU allocations: one zeroed unit per CPU */

void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp)
{
	void *p;

	if (size > SHIM_PCPU_UNIT || align > SHIM_PCPU_UNIT)
		shim_report_bug("per-CPU object larger than the shim's unit",
				__FILE__, __LINE__);
	shim_alloc_check(gfp);
	p = aligned_alloc(4096, nr_cpu_ids * SHIM_PCPU_UNIT);
	if (!p)
		return NULL;
	memset(p, 0, nr_cpu_ids * SHIM_PCPU_UNIT);
	__atomic_fetch_add(&shim_percpu_count, 1, __ATOMIC_RELAXED);
	return p;
}

long shim_percpu_live(void)
{
	return READ_ONCE(shim_percpu_count);
}

void free_percpu(void __percpu *ptr)
{
	if (!ptr)
		return;
	__atomic_fetch_sub(&shim_percpu_count, 1, __ATOMIC_RELAXED);
	free(ptr);
}

/* ---- wait queues */

void init_waitqueue_head(struct wait_queue_head *wq)
{
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->cond, NULL);
	wq->seq = 0;
	wq->sleepers = 0;
}

static void shim_wait_dequeue(struct wait_queue_head *wq,
			      struct wait_queue_entry *wait)
{
	if (wait->queued) {
		wait->queued = false;
		WRITE_ONCE(wq->sleepers, wq->sleepers - 1);
	}
}

long prepare_to_wait_event(struct wait_queue_head *wq,
			   struct wait_queue_entry *wait, int state)
{
	long ret = 0;

	pthread_mutex_lock(&wq->lock);
	if (signal_pending_state(state, current)) {
		/* As the kernel does: leave the queue, report the signal. */
		shim_wait_dequeue(wq, wait);
		ret = -ERESTARTSYS;
	} else {
		if (!wait->queued) {
			wait->queued = true;
			WRITE_ONCE(wq->sleepers, wq->sleepers + 1);
		}
		shim_task.shim_wait_wq = wq;
		shim_task.shim_wait_seq = wq->seq;
		set_current_state(state);
	}
	pthread_mutex_unlock(&wq->lock);
	return ret;
}

void prepare_to_wait(struct wait_queue_head *wq,
		     struct wait_queue_entry *wait, int state)
{
	pthread_mutex_lock(&wq->lock);
	if (!wait->queued) {
		wait->queued = true;
		WRITE_ONCE(wq->sleepers, wq->sleepers + 1);
	}
	shim_task.shim_wait_wq = wq;
	shim_task.shim_wait_seq = wq->seq;
	set_current_state(state);
	pthread_mutex_unlock(&wq->lock);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *wait)
{
	__set_current_state(TASK_RUNNING);
	pthread_mutex_lock(&wq->lock);
	shim_wait_dequeue(wq, wait);
	pthread_mutex_unlock(&wq->lock);
	shim_task.shim_wait_wq = NULL;
}

void __wake_up(struct wait_queue_head *wq)
{
	pthread_mutex_lock(&wq->lock);
	wq->seq++;
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

void schedule(void)
{
	struct wait_queue_head *wq = shim_task.shim_wait_wq;
	unsigned int state = READ_ONCE(shim_task.__state);

	if (shim_atomic_context()) {
		shim_inc(shim_nr_bugs);
		shim_log(3, "BUG: scheduling while atomic: %s/%d\n",
			 shim_task.comm, shim_task.pid);
	}
	if (!wq || state == TASK_RUNNING) {
		sched_yield();
		return;
	}
	shim_cpu_sleep_begin();
	pthread_mutex_lock(&wq->lock);
	while (wq->seq == shim_task.shim_wait_seq &&
	       !signal_pending_state(state, current)) {
		struct timespec ts;

		/* Wake every 5 ms to notice a shim_kill(). */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 5 * 1000 * 1000;
		if (ts.tv_nsec >= 1000 * 1000 * 1000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&wq->cond, &wq->lock, &ts);
	}
	pthread_mutex_unlock(&wq->lock);
	shim_cpu_sleep_end();
	__set_current_state(TASK_RUNNING);
}

/* ---- the system workqueue */

struct workqueue_struct {
	const char *name;
};

static struct workqueue_struct shim_system_wq = { "events" };
struct workqueue_struct *system_wq = &shim_system_wq;
struct workqueue_struct *system_unbound_wq = &shim_system_wq;

static pthread_mutex_t shim_wq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t shim_wq_more = PTHREAD_COND_INITIALIZER;
static pthread_cond_t shim_wq_done = PTHREAD_COND_INITIALIZER;
static LIST_HEAD(shim_wq_queue);
static unsigned long shim_wq_npending;
/* Armed delayed work, by work->entry; their count. */
static LIST_HEAD(shim_wq_timers);
static unsigned long shim_wq_narmed;
static enum shim_wq_mode shim_wq_mode = SHIM_WQ_MANUAL;
static pthread_t shim_wq_worker;
static bool shim_wq_stop;

/* Put pending @work on the queue; shim_wq_lock held. */
static void shim_wq_enqueue_locked(struct work_struct *work)
{
	WRITE_ONCE(work->pending, true);
	list_add_tail(&work->entry, &shim_wq_queue);
	shim_wq_npending++;
	pthread_cond_signal(&shim_wq_more);
}

/* Take pending @work off the queue or the timers; shim_wq_lock held. */
static void shim_wq_dequeue_locked(struct work_struct *work)
{
	list_del_init(&work->entry);
	if (work->armed) {
		work->armed = false;
		shim_wq_narmed--;
	} else {
		shim_wq_npending--;
	}
	WRITE_ONCE(work->pending, false);
}

/* Arm @dwork to be queued @delay jiffies from now; shim_wq_lock held. */
static void shim_wq_arm_locked(struct delayed_work *dwork,
			       unsigned long delay)
{
	struct work_struct *work = &dwork->work;

	WRITE_ONCE(work->pending, true);
	work->armed = true;
	dwork->shim_expires = jiffies + delay;
	list_add_tail(&work->entry, &shim_wq_timers);
	shim_wq_narmed++;
	/* the worker waits until the first expiry: it may be this one */
	pthread_cond_signal(&shim_wq_more);
}

/* Queue an armed item: its time has come; shim_wq_lock held. */
static void shim_wq_fire_locked(struct work_struct *work)
{
	list_del_init(&work->entry);
	work->armed = false;
	shim_wq_narmed--;
	shim_wq_enqueue_locked(work);
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	bool queued = false;

	pthread_mutex_lock(&shim_wq_lock);
	if (!work->pending) {
		shim_wq_enqueue_locked(work);
		queued = true;
	}
	pthread_mutex_unlock(&shim_wq_lock);
	return queued;
}

bool work_pending(struct work_struct *work)
{
	return READ_ONCE(work->pending);
}

unsigned long shim_work_pending(void)
{
	unsigned long n;

	pthread_mutex_lock(&shim_wq_lock);
	n = shim_wq_npending;
	pthread_mutex_unlock(&shim_wq_lock);
	return n;
}

/* Dequeue @work (pending, not running) and run it; shim_wq_lock held. */
static void shim_wq_run_locked(struct work_struct *work)
{
	shim_wq_dequeue_locked(work);
	work->running = true;
	pthread_mutex_unlock(&shim_wq_lock);
	if (shim_atomic_context())
		shim_report_bug("work run in atomic context", __FILE__,
				__LINE__);
	work->func(work);
	pthread_mutex_lock(&shim_wq_lock);
	work->running = false;
	pthread_cond_broadcast(&shim_wq_done);
}

/* The first queued item not already running (no reentrance). */
static struct work_struct *shim_wq_next_locked(void)
{
	struct work_struct *work;

	list_for_each_entry(work, &shim_wq_queue, entry)
		if (!work->running)
			return work;
	return NULL;
}

unsigned int shim_run_work(void)
{
	struct work_struct *work;
	unsigned int n = 0;

	pthread_mutex_lock(&shim_wq_lock);
	if (shim_wq_mode == SHIM_WQ_THREAD) {
		while (shim_wq_npending)
			pthread_cond_wait(&shim_wq_done, &shim_wq_lock);
	} else {
		while ((work = shim_wq_next_locked())) {
			shim_wq_run_locked(work);
			n++;
		}
	}
	pthread_mutex_unlock(&shim_wq_lock);
	return n;
}

bool cancel_work_sync(struct work_struct *work)
{
	bool was_pending;

	shim_might_sleep(__FILE__, __LINE__);
	pthread_mutex_lock(&shim_wq_lock);
	was_pending = work->pending;
	if (was_pending)
		shim_wq_dequeue_locked(work);
	/*
	 * As the kernel, hold PENDING until the running instance has ended,
	 * so that it cannot queue (or arm) itself again.
	 */
	WRITE_ONCE(work->pending, true);
	while (work->running)
		pthread_cond_wait(&shim_wq_done, &shim_wq_lock);
	WRITE_ONCE(work->pending, false);
	pthread_mutex_unlock(&shim_wq_lock);
	return was_pending;
}

/*
 * Wait for @work to be neither queued nor running; shim_wq_lock held.  An
 * armed item is not waited for: an item that arms itself again as it
 * runs is flushed once it has run.
 */
static bool shim_wq_flush_locked(struct work_struct *work)
{
	bool waited = false;

	while ((work->pending && !work->armed) || work->running) {
		waited = true;
		if (shim_wq_mode == SHIM_WQ_MANUAL && work->pending &&
		    !work->running)
			shim_wq_run_locked(work);
		else
			pthread_cond_wait(&shim_wq_done, &shim_wq_lock);
	}
	return waited;
}

bool flush_work(struct work_struct *work)
{
	bool waited;

	shim_might_sleep(__FILE__, __LINE__);
	pthread_mutex_lock(&shim_wq_lock);
	waited = shim_wq_flush_locked(work);
	pthread_mutex_unlock(&shim_wq_lock);
	return waited;
}

bool queue_delayed_work(struct workqueue_struct *wq,
			struct delayed_work *dwork, unsigned long delay)
{
	bool queued = false;

	pthread_mutex_lock(&shim_wq_lock);
	if (!dwork->work.pending) {
		if (delay)
			shim_wq_arm_locked(dwork, delay);
		else
			shim_wq_enqueue_locked(&dwork->work);
		queued = true;
	}
	pthread_mutex_unlock(&shim_wq_lock);
	return queued;
}

bool mod_delayed_work(struct workqueue_struct *wq,
		      struct delayed_work *dwork, unsigned long delay)
{
	bool was_pending;

	pthread_mutex_lock(&shim_wq_lock);
	was_pending = dwork->work.pending;
	if (was_pending)
		shim_wq_dequeue_locked(&dwork->work);
	if (delay)
		shim_wq_arm_locked(dwork, delay);
	else
		shim_wq_enqueue_locked(&dwork->work);
	pthread_mutex_unlock(&shim_wq_lock);
	return was_pending;
}

bool cancel_delayed_work_sync(struct delayed_work *dwork)
{
	return cancel_work_sync(&dwork->work);
}

bool flush_delayed_work(struct delayed_work *dwork)
{
	bool waited;

	shim_might_sleep(__FILE__, __LINE__);
	pthread_mutex_lock(&shim_wq_lock);
	/* As the kernel: an armed item is queued now, then flushed. */
	if (dwork->work.armed)
		shim_wq_fire_locked(&dwork->work);
	waited = shim_wq_flush_locked(&dwork->work);
	pthread_mutex_unlock(&shim_wq_lock);
	return waited;
}

unsigned long shim_delayed_work_armed(void)
{
	unsigned long n;

	pthread_mutex_lock(&shim_wq_lock);
	n = shim_wq_narmed;
	pthread_mutex_unlock(&shim_wq_lock);
	return n;
}

/*
 * Queue the armed items whose time has come (all of them for @all), and
 * return how many; the earliest expiry of those left in *@next (jiffies),
 * if any.  shim_wq_lock held.
 */
static unsigned int shim_wq_fire_expired_locked(bool all, unsigned long *next,
						bool *have_next)
{
	struct work_struct *work, *tmp;
	unsigned long now = jiffies;
	unsigned int n = 0;

	*have_next = false;
	list_for_each_entry_safe(work, tmp, &shim_wq_timers, entry) {
		struct delayed_work *dwork = to_delayed_work(work);

		if (all || time_after_eq(now, dwork->shim_expires)) {
			shim_wq_fire_locked(work);
			n++;
		} else if (!*have_next ||
			   time_before(dwork->shim_expires, *next)) {
			*next = dwork->shim_expires;
			*have_next = true;
		}
	}
	return n;
}

unsigned int shim_fire_delayed_work(void)
{
	unsigned long next;
	unsigned int n;
	bool have_next;

	pthread_mutex_lock(&shim_wq_lock);
	n = shim_wq_fire_expired_locked(true, &next, &have_next);
	pthread_mutex_unlock(&shim_wq_lock);
	return n;
}

static void *shim_wq_worker_fn(void *arg)
{
	struct work_struct *work;
	unsigned long next, left;
	struct timespec ts;
	bool have_next;

	shim_thread_init("kworker", 0);
	pthread_mutex_lock(&shim_wq_lock);
	while (!shim_wq_stop) {
		/* the timers of delayed work, as the timer softirq would */
		shim_wq_fire_expired_locked(false, &next, &have_next);
		work = shim_wq_next_locked();
		if (work) {
			shim_wq_run_locked(work);
		} else if (have_next) {
			left = next - jiffies;
			if ((long)left <= 0)
				continue;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += left / MSEC_PER_SEC;
			ts.tv_nsec += (left % MSEC_PER_SEC) * NSEC_PER_MSEC;
			if (ts.tv_nsec >= NSEC_PER_SEC) {
				ts.tv_sec++;
				ts.tv_nsec -= NSEC_PER_SEC;
			}
			pthread_cond_timedwait(&shim_wq_more, &shim_wq_lock,
					       &ts);
		} else {
			pthread_cond_wait(&shim_wq_more, &shim_wq_lock);
		}
	}
	pthread_mutex_unlock(&shim_wq_lock);
	return NULL;
}

void shim_wq_set_mode(enum shim_wq_mode mode)
{
	pthread_mutex_lock(&shim_wq_lock);
	if (mode == shim_wq_mode) {
		pthread_mutex_unlock(&shim_wq_lock);
		return;
	}
	shim_wq_mode = mode;
	shim_wq_stop = mode == SHIM_WQ_MANUAL;
	pthread_mutex_unlock(&shim_wq_lock);
	if (mode == SHIM_WQ_THREAD) {
		if (pthread_create(&shim_wq_worker, NULL, shim_wq_worker_fn,
				   NULL))
			shim_report_bug("cannot start the worker", __FILE__,
					__LINE__);
	} else {
		pthread_mutex_lock(&shim_wq_lock);
		pthread_cond_broadcast(&shim_wq_more);
		pthread_mutex_unlock(&shim_wq_lock);
		pthread_join(shim_wq_worker, NULL);
	}
}

/* ---- module parameters */

static struct shim_param *shim_params;

void shim_param_register(struct shim_param *p)
{
	p->next = shim_params;
	shim_params = p;
}

int shim_module_param_set(const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	struct shim_param *p;
	size_t len;

	if (!eq)
		return -EINVAL;
	len = eq - assignment;
	for (p = shim_params; p; p = p->next)
		if (strlen(p->name) == len && !strncmp(p->name, assignment, len))
			return p->set(eq + 1, p->arg);
	return -ENOENT;
}

static int shim_parse_ull(const char *val, unsigned long long *out, bool sgn)
{
	char *end;

	errno = 0;
	*out = sgn ? (unsigned long long)strtoll(val, &end, 0) :
		     strtoull(val, &end, 0);
	return (errno || end == val || *end) ? -EINVAL : 0;
}

#define SHIM_PARAM_SETTER(type, ctype, sgn)				\
int shim_param_set_##type(const char *val, void *arg)			\
{									\
	unsigned long long v;						\
	int err = shim_parse_ull(val, &v, sgn);				\
									\
	if (!err)							\
		*(ctype *)arg = (ctype)v;				\
	return err;							\
}

SHIM_PARAM_SETTER(int, int, true)
SHIM_PARAM_SETTER(uint, unsigned int, false)
SHIM_PARAM_SETTER(long, long, true)
SHIM_PARAM_SETTER(ulong, unsigned long, false)
SHIM_PARAM_SETTER(ullong, unsigned long long, false)

int shim_param_set_bool(const char *val, void *arg)
{
	switch (val[0]) {
	case 'y': case 'Y': case '1':
		*(bool *)arg = true;
		return 0;
	case 'n': case 'N': case '0':
		*(bool *)arg = false;
		return 0;
	}
	return -EINVAL;
}

int shim_param_set_charp(const char *val, void *arg)
{
	/* Lives as long as the program, as a module's copy would. */
	*(char **)arg = strdup(val);
	return *(char **)arg ? 0 : -ENOMEM;
}
