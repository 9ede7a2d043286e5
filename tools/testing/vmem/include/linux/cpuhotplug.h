/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: CPU hotplug states, the multi-instance API a module
 * uses (a dynamic state, instances added and removed without calls).
 * No CPU ever goes down by itself: shim_cpu_dead(cpu) runs the teardown
 * callback of every instance of every state, as the kernel does after a
 * CPU died.  The test must keep its threads off that CPU meanwhile.
 */
#ifndef _SHIM_LINUX_CPUHOTPLUG_H
#define _SHIM_LINUX_CPUHOTPLUG_H

#include <linux/types.h>
#include <linux/list.h>

enum cpuhp_state {
	CPUHP_INVALID = -1,
	CPUHP_OFFLINE = 0,
	CPUHP_BP_PREPARE_DYN = 100,
	CPUHP_BP_PREPARE_DYN_END = CPUHP_BP_PREPARE_DYN + 20,
	CPUHP_AP_ONLINE_DYN = 200,
	CPUHP_AP_ONLINE_DYN_END = CPUHP_AP_ONLINE_DYN + 40,
};

typedef int (*shim_cpuhp_multi_fn)(unsigned int cpu, struct hlist_node *node);

/* Returns the dynamic state allocated (> 0), or -ENOSPC. */
int cpuhp_setup_state_multi(enum cpuhp_state state, const char *name,
			    shim_cpuhp_multi_fn startup,
			    shim_cpuhp_multi_fn teardown);
void cpuhp_remove_multi_state(enum cpuhp_state state);
int cpuhp_state_add_instance_nocalls(enum cpuhp_state state,
				     struct hlist_node *node);
int cpuhp_state_remove_instance_nocalls(enum cpuhp_state state,
					struct hlist_node *node);

/* Run every teardown callback for @cpu, as after the CPU died. */
void shim_cpu_dead(unsigned int cpu);

#endif /* _SHIM_LINUX_CPUHOTPLUG_H */
