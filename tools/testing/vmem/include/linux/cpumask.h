/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: CPUs 0 .. nr_cpu_ids - 1 are possible and online, and
 * stay so (no hotplug).  cpu_online_mask and cpu_possible_mask are one
 * mask, kept by shim_set_nr_cpus().
 */
#ifndef _SHIM_LINUX_CPUMASK_H
#define _SHIM_LINUX_CPUMASK_H

#include <linux/kconfig.h>
#include <linux/bitops.h>
#include <linux/smp.h>

extern unsigned int nr_cpu_ids;

#define NR_CPUS				CONFIG_NR_CPUS

struct cpumask {
	unsigned long bits[BITS_TO_LONGS(NR_CPUS)];
};

extern struct cpumask shim_cpu_online_mask;
#define cpu_online_mask		((const struct cpumask *)&shim_cpu_online_mask)
#define cpu_possible_mask	cpu_online_mask
#define cpu_present_mask	cpu_online_mask
#define cpumask_bits(maskp)	((maskp)->bits)

#define for_each_possible_cpu(cpu)	\
	for ((cpu) = 0; (cpu) < (int)nr_cpu_ids; (cpu)++)
#define for_each_online_cpu(cpu)	for_each_possible_cpu(cpu)
#define for_each_present_cpu(cpu)	for_each_possible_cpu(cpu)
#define num_possible_cpus()		(nr_cpu_ids)
#define num_online_cpus()		(nr_cpu_ids)
#define cpu_online(cpu)			((unsigned int)(cpu) < nr_cpu_ids)
#define cpu_possible(cpu)		cpu_online(cpu)

/* The first CPU of @mask, or nr_cpu_ids if none. */
static inline unsigned int cpumask_first(const struct cpumask *mask)
{
	return find_first_bit(mask->bits, nr_cpu_ids);
}

/* The first CPU of @mask above @n, or nr_cpu_ids if none. */
static inline unsigned int cpumask_next(int n, const struct cpumask *mask)
{
	return find_next_bit(mask->bits, nr_cpu_ids, n + 1);
}

/* A CPU of @mask other than @cpu, or nr_cpu_ids if none. */
static inline unsigned int cpumask_any_but(const struct cpumask *mask,
					   unsigned int cpu)
{
	unsigned int i = cpumask_first(mask);

	if (i != cpu)
		return i;
	return cpumask_next(cpu, mask);
}

static inline bool cpumask_test_cpu(int cpu, const struct cpumask *mask)
{
	return cpu_online(cpu) && test_bit(cpu, mask->bits);
}

static inline unsigned int cpumask_weight(const struct cpumask *mask)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		n += test_bit(cpu, mask->bits);
	return n;
}

#endif /* _SHIM_LINUX_CPUMASK_H */
