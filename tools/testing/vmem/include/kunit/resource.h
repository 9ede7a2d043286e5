/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: KUnit's deferred actions (include/kunit/resource.h of
 * Linux 6.12).  An action registered with kunit_add_action() runs when
 * the case ends, after .exit, newest first, whether the case passed,
 * failed or was ended by an assertion; kunit_release_action() runs one
 * early and kunit_remove_action() forgets it.  Test-managed memory
 * (kunit_kmalloc() and friends) is memory with a kfree() action.  The
 * named-resource API (kunit_alloc_resource() ...) is not modelled: the
 * vmem suites do not use it.
 */
#ifndef _SHIM_KUNIT_RESOURCE_H
#define _SHIM_KUNIT_RESOURCE_H

#include <kunit/test.h>

typedef void (kunit_action_t)(void *ctx);

/* Return: 0, or -ENOMEM (and the action is not registered). */
int kunit_add_action(struct kunit *test, kunit_action_t *action, void *ctx);
/* As kunit_add_action(), but on failure run @action(@ctx) at once. */
int kunit_add_action_or_reset(struct kunit *test, kunit_action_t *action,
			      void *ctx);
void kunit_remove_action(struct kunit *test, kunit_action_t *action,
			 void *ctx);
void kunit_release_action(struct kunit *test, kunit_action_t *action,
			  void *ctx);

#endif /* _SHIM_KUNIT_RESOURCE_H */
