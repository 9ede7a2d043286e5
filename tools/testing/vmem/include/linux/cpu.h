/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: CPU hotplug from a test, as lib/test_*.c and KUnit
 * cases do it with remove_cpu() and add_cpu().  What a CPU going down
 * does here is said in shim/cpu.c: its threads move at their next
 * migration point, then the hotplug states' teardown callbacks run.
 * CPU 0 cannot go offline (-EPERM), as on x86.
 */
#ifndef _SHIM_LINUX_CPU_H
#define _SHIM_LINUX_CPU_H

#include <linux/cpumask.h>
#include <linux/cpuhotplug.h>

/*
 * Return: 0 once @cpu is offline (or online), 1 if it already was,
 * -EPERM for CPU 0, -ENODEV for no such CPU, -EBUSY if a thread stayed on
 * it (migration disabled) for 30 s.  Context: may sleep.
 */
int remove_cpu(unsigned int cpu);
int add_cpu(unsigned int cpu);

#endif /* _SHIM_LINUX_CPU_H */
