/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim: CPUs 0 .. nr_cpu_ids - 1 are possible and online. */
#ifndef _SHIM_LINUX_CPUMASK_H
#define _SHIM_LINUX_CPUMASK_H

#include <linux/kconfig.h>
#include <linux/smp.h>

extern unsigned int nr_cpu_ids;

#define NR_CPUS				CONFIG_NR_CPUS
#define for_each_possible_cpu(cpu)	\
	for ((cpu) = 0; (cpu) < (int)nr_cpu_ids; (cpu)++)
#define for_each_online_cpu(cpu)	for_each_possible_cpu(cpu)
#define for_each_present_cpu(cpu)	for_each_possible_cpu(cpu)
#define num_possible_cpus()		(nr_cpu_ids)
#define num_online_cpus()		(nr_cpu_ids)
#define cpu_online(cpu)			((unsigned int)(cpu) < nr_cpu_ids)
#define cpu_possible(cpu)		cpu_online(cpu)

#endif /* _SHIM_LINUX_CPUMASK_H */
