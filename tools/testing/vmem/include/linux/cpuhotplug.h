/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: CPU hotplug states, the multi-instance API a module
 * uses (a dynamic "prepare" state with a teardown callback, instances
 * added and removed without calls).  The teardown callbacks run when a
 * test takes a CPU down with remove_cpu() (linux/cpu.h), after no thread
 * runs on it any more, as the kernel runs them once the CPU is dead.
 * Startup callbacks are not modelled: the shim refuses them.
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

#endif /* _SHIM_LINUX_CPUHOTPLUG_H */
