// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shim's shrinkers, and the memory pressure a test applies with
 * shim_shrink(): see linux/shrinker.h.  The registered shrinkers are
 * called under a mutex, which unregistering takes too, so that a
 * shrinker is not freed under a scan, as the kernel guarantees.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <shim.h>

static pthread_mutex_t shim_shrinker_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(shim_shrinkers);

static void shim_shrinker_lock_sleeping(void)
{
	if (pthread_mutex_trylock(&shim_shrinker_lock)) {
		shim_cpu_sleep_begin();
		pthread_mutex_lock(&shim_shrinker_lock);
		shim_cpu_sleep_end();
	}
}

static void shim_shrinker_add(struct shrinker *s)
{
	shim_shrinker_lock_sleeping();
	list_add_tail(&s->shim_list, &shim_shrinkers);
	pthread_mutex_unlock(&shim_shrinker_lock);
}

/* Unregister @s; waits for a scan in progress. */
static void shim_shrinker_del(struct shrinker *s)
{
	might_sleep();
	shim_shrinker_lock_sleeping();
	if (!list_empty(&s->shim_list))
		list_del_init(&s->shim_list);
	pthread_mutex_unlock(&shim_shrinker_lock);
}

#ifdef SHIM_SHRINKER_REGISTER
int register_shrinker(struct shrinker *s, const char *fmt, ...)
{
	va_list ap;

	might_sleep();
	INIT_LIST_HEAD(&s->shim_list);
	va_start(ap, fmt);
	vsnprintf(s->shim_name, sizeof(s->shim_name), fmt, ap);
	va_end(ap);
	shim_shrinker_add(s);
	return 0;
}

void unregister_shrinker(struct shrinker *s)
{
	shim_shrinker_del(s);
}
#else
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
	shim_shrinker_add(s);
}

void shrinker_free(struct shrinker *s)
{
	if (!s)
		return;
	shim_shrinker_del(s);
	kfree(s);
}
#endif

unsigned long shim_shrink(unsigned long nr)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long freed = 0, count, got;
	struct shrinker *s;

	might_sleep();
	shim_shrinker_lock_sleeping();
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
