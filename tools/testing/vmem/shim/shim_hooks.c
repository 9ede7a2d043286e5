// SPDX-License-Identifier: GPL-2.0-only
/*
 * The userspace shim's hooks into the kernel's machinery of time, CPUs
 * and memory pressure, for the quantum caches: delayed work (armed, and
 * queued when a test says so), CPU hotplug states with instances (a test
 * makes a CPU "die"), and shrinkers (a test applies pressure).  See the
 * headers linux/workqueue.h, linux/cpuhotplug.h and linux/shrinker.h.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/cpuhotplug.h>
#include <linux/list.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <shim.h>

/* ---- delayed work */

static pthread_mutex_t shim_timer_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(shim_timers);

/* Disarm; true if it was armed.  shim_timer_lock held. */
static bool shim_disarm_locked(struct delayed_work *dwork)
{
	if (!dwork->armed)
		return false;
	list_del_init(&dwork->timer);
	WRITE_ONCE(dwork->armed, false);
	return true;
}

bool queue_delayed_work(struct workqueue_struct *wq,
			struct delayed_work *dwork, unsigned long delay)
{
	bool queued = false;

	pthread_mutex_lock(&shim_timer_lock);
	if (!dwork->armed && !work_pending(&dwork->work)) {
		if (delay) {
			WRITE_ONCE(dwork->armed, true);
			list_add_tail(&dwork->timer, &shim_timers);
			queued = true;
		}
	}
	pthread_mutex_unlock(&shim_timer_lock);
	if (!queued && !delay)
		queued = queue_work(wq, &dwork->work);
	return queued;
}

bool mod_delayed_work(struct workqueue_struct *wq,
		      struct delayed_work *dwork, unsigned long delay)
{
	bool was;

	pthread_mutex_lock(&shim_timer_lock);
	was = shim_disarm_locked(dwork) || work_pending(&dwork->work);
	pthread_mutex_unlock(&shim_timer_lock);
	if (delay && !work_pending(&dwork->work))
		queue_delayed_work(wq, dwork, delay);
	else if (!delay)
		queue_work(wq, &dwork->work);
	return was;
}

bool cancel_delayed_work_sync(struct delayed_work *dwork)
{
	bool was;

	pthread_mutex_lock(&shim_timer_lock);
	was = shim_disarm_locked(dwork);
	pthread_mutex_unlock(&shim_timer_lock);
	return cancel_work_sync(&dwork->work) || was;
}

bool flush_delayed_work(struct delayed_work *dwork)
{
	bool armed;

	pthread_mutex_lock(&shim_timer_lock);
	armed = shim_disarm_locked(dwork);
	pthread_mutex_unlock(&shim_timer_lock);
	if (armed)
		queue_work(system_wq, &dwork->work);
	return flush_work(&dwork->work);
}

bool delayed_work_pending(struct delayed_work *dwork)
{
	return READ_ONCE(dwork->armed) || work_pending(&dwork->work);
}

unsigned int shim_fire_delayed_work(void)
{
	struct delayed_work *dwork;
	unsigned int n = 0, armed = 0;

	pthread_mutex_lock(&shim_timer_lock);
	list_for_each_entry(dwork, &shim_timers, timer)
		armed++;
	pthread_mutex_unlock(&shim_timer_lock);
	/* one at a time: an item that rearms as it runs waits its turn */
	while (armed--) {
		pthread_mutex_lock(&shim_timer_lock);
		dwork = list_first_entry_or_null(&shim_timers,
						 struct delayed_work, timer);
		if (dwork)
			shim_disarm_locked(dwork);
		pthread_mutex_unlock(&shim_timer_lock);
		if (!dwork)
			break;
		n += queue_work(system_wq, &dwork->work);
	}
	return n;
}

/* ---- CPU hotplug states */

#define SHIM_CPUHP_MAX	8

struct shim_cpuhp {
	bool			used;
	const char		*name;
	shim_cpuhp_multi_fn	teardown;
	struct hlist_head	instances;
};

static pthread_mutex_t shim_cpuhp_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_cpuhp shim_cpuhp_states[SHIM_CPUHP_MAX];

static struct shim_cpuhp *shim_cpuhp_find(int state)
{
	int i = state - CPUHP_BP_PREPARE_DYN;

	if (i < 0 || i >= SHIM_CPUHP_MAX || !shim_cpuhp_states[i].used)
		shim_report_bug("no such CPU hotplug state", __FILE__, __LINE__);
	return &shim_cpuhp_states[i];
}

int cpuhp_setup_state_multi(enum cpuhp_state state, const char *name,
			    shim_cpuhp_multi_fn startup,
			    shim_cpuhp_multi_fn teardown)
{
	int i, ret = -ENOSPC;

	if (state != CPUHP_BP_PREPARE_DYN || startup)
		shim_report_bug("the shim has dynamic teardown-only states only",
				__FILE__, __LINE__);
	shim_might_sleep(__FILE__, __LINE__);
	pthread_mutex_lock(&shim_cpuhp_lock);
	for (i = 0; i < SHIM_CPUHP_MAX; i++) {
		struct shim_cpuhp *sp = &shim_cpuhp_states[i];

		if (sp->used)
			continue;
		sp->used = true;
		sp->name = name;
		sp->teardown = teardown;
		INIT_HLIST_HEAD(&sp->instances);
		ret = CPUHP_BP_PREPARE_DYN + i;
		break;
	}
	pthread_mutex_unlock(&shim_cpuhp_lock);
	return ret;
}

void cpuhp_remove_multi_state(enum cpuhp_state state)
{
	struct shim_cpuhp *sp;

	pthread_mutex_lock(&shim_cpuhp_lock);
	sp = shim_cpuhp_find(state);
	if (!hlist_empty(&sp->instances))
		WARN(1, "cpuhp state %s removed with instances", sp->name);
	sp->used = false;
	pthread_mutex_unlock(&shim_cpuhp_lock);
}

int cpuhp_state_add_instance_nocalls(enum cpuhp_state state,
				     struct hlist_node *node)
{
	shim_might_sleep(__FILE__, __LINE__);
	pthread_mutex_lock(&shim_cpuhp_lock);
	hlist_add_head(node, &shim_cpuhp_find(state)->instances);
	pthread_mutex_unlock(&shim_cpuhp_lock);
	return 0;
}

int cpuhp_state_remove_instance_nocalls(enum cpuhp_state state,
					struct hlist_node *node)
{
	shim_might_sleep(__FILE__, __LINE__);
	pthread_mutex_lock(&shim_cpuhp_lock);
	shim_cpuhp_find(state);
	hlist_del(node);
	pthread_mutex_unlock(&shim_cpuhp_lock);
	return 0;
}

void shim_cpu_dead(unsigned int cpu)
{
	struct hlist_node *node;
	int i;

	pthread_mutex_lock(&shim_cpuhp_lock);
	for (i = 0; i < SHIM_CPUHP_MAX; i++) {
		struct shim_cpuhp *sp = &shim_cpuhp_states[i];

		if (!sp->used)
			continue;
		hlist_for_each(node, &sp->instances)
			sp->teardown(cpu, node);
	}
	pthread_mutex_unlock(&shim_cpuhp_lock);
}

/* ---- shrinkers */

static pthread_mutex_t shim_shrinker_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(shim_shrinkers);

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct shrinker *s = kzalloc(sizeof(*s), GFP_KERNEL);
	va_list ap;

	if (!s)
		return NULL;
	s->flags = flags | SHRINKER_ALLOCATED;
	INIT_LIST_HEAD(&s->shim_list);
	va_start(ap, fmt);
	vsnprintf(s->shim_name, sizeof(s->shim_name), fmt, ap);
	va_end(ap);
	return s;
}

void shrinker_register(struct shrinker *s)
{
	pthread_mutex_lock(&shim_shrinker_lock);
	list_add_tail(&s->shim_list, &shim_shrinkers);
	pthread_mutex_unlock(&shim_shrinker_lock);
}

void shrinker_free(struct shrinker *s)
{
	if (!s)
		return;
	shim_might_sleep(__FILE__, __LINE__);
	pthread_mutex_lock(&shim_shrinker_lock);
	if (!list_empty(&s->shim_list))
		list_del(&s->shim_list);
	pthread_mutex_unlock(&shim_shrinker_lock);
	kfree(s);
}

unsigned long shim_shrink(unsigned long nr)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long freed = 0, count, got;
	struct shrinker *s;

	shim_might_sleep(__FILE__, __LINE__);
	pthread_mutex_lock(&shim_shrinker_lock);
	list_for_each_entry(s, &shim_shrinkers, shim_list) {
		count = s->count_objects(s, &sc);
		if (!count || count == SHRINK_EMPTY)
			continue;
		sc.nr_to_scan = min(count, nr);
		sc.nr_scanned = sc.nr_to_scan;
		got = s->scan_objects(s, &sc);
		if (got != SHRINK_STOP)
			freed += got;
	}
	pthread_mutex_unlock(&shim_shrinker_lock);
	return freed;
}
