/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: signals, as far as vmem's sleeps can see them: SIGKILL
 * makes fatal_signal_pending() true in its target (no host signal is
 * sent).  A kernel thread takes it only after kernel_sigaction(SIGKILL,
 * SIG_DFL); other signals are ignored.
 */
#ifndef _SHIM_LINUX_SIGNAL_H
#define _SHIM_LINUX_SIGNAL_H

#include <signal.h>
#include <linux/sched.h>

int send_sig(int sig, struct task_struct *p, int priv);
void kernel_sigaction(int sig, __sighandler_t action);

static inline void allow_signal(int sig)
{
	kernel_sigaction(sig, SIG_DFL);
}

#endif /* _SHIM_LINUX_SIGNAL_H */
