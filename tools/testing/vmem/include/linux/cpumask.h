/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: CPUs 0 .. nr_cpu_ids - 1 are possible and present; the
 * online ones are those of cpu_online_mask, all of them until a test
 * takes one down with remove_cpu() (linux/cpu.h, shim/cpu.c).  The
 * online mask changes under running threads, as in the kernel: it is
 * read and written with atomics, word by word.
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
extern struct cpumask shim_cpu_possible_mask;
#define cpu_online_mask		((const struct cpumask *)&shim_cpu_online_mask)
#define cpu_possible_mask	((const struct cpumask *)&shim_cpu_possible_mask)
#define cpu_present_mask	cpu_possible_mask
#define cpumask_bits(maskp)	((maskp)->bits)

/* Word @i of @mask, read atomically: the online mask changes under us. */
static inline unsigned long shim_cpumask_word(const struct cpumask *mask,
					      unsigned int i)
{
	return __atomic_load_n(&mask->bits[i], __ATOMIC_RELAXED);
}

static inline bool cpumask_test_cpu(int cpu, const struct cpumask *mask)
{
	return (unsigned int)cpu < nr_cpu_ids &&
	       (shim_cpumask_word(mask, BIT_WORD(cpu)) & BIT_MASK(cpu));
}

/* The first CPU of @mask above @n, or nr_cpu_ids if none. */
static inline unsigned int cpumask_next(int n, const struct cpumask *mask)
{
	unsigned int cpu;

	for (cpu = n + 1; cpu < nr_cpu_ids; cpu++)
		if (cpumask_test_cpu(cpu, mask))
			return cpu;
	return nr_cpu_ids;
}

/* The first CPU of @mask, or nr_cpu_ids if none. */
static inline unsigned int cpumask_first(const struct cpumask *mask)
{
	return cpumask_next(-1, mask);
}

/* The last CPU of @mask, or nr_cpu_ids if none. */
static inline unsigned int cpumask_last(const struct cpumask *mask)
{
	unsigned int cpu;

	for (cpu = nr_cpu_ids; cpu-- > 0;)
		if (cpumask_test_cpu(cpu, mask))
			return cpu;
	return nr_cpu_ids;
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

static inline unsigned int cpumask_weight(const struct cpumask *mask)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		n += cpumask_test_cpu(cpu, mask);
	return n;
}

#define for_each_cpu(cpu, mask)						\
	for ((cpu) = cpumask_first(mask); (cpu) < nr_cpu_ids;		\
	     (cpu) = cpumask_next((cpu), (mask)))
#define for_each_possible_cpu(cpu)	\
	for ((cpu) = 0; (cpu) < (int)nr_cpu_ids; (cpu)++)
#define for_each_present_cpu(cpu)	for_each_possible_cpu(cpu)
#define for_each_online_cpu(cpu)	for_each_cpu(cpu, cpu_online_mask)
#define num_possible_cpus()		(nr_cpu_ids)
#define num_present_cpus()		(nr_cpu_ids)
#define num_online_cpus()		cpumask_weight(cpu_online_mask)
#define cpu_online(cpu)			cpumask_test_cpu((cpu), cpu_online_mask)
#define cpu_possible(cpu)		((unsigned int)(cpu) < nr_cpu_ids)
#define cpu_present(cpu)		cpu_possible(cpu)

#endif /* _SHIM_LINUX_CPUMASK_H */
