/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: KUnit (include/kunit/test.h of Linux 6.12), the part
 * the vmem suites use, with the kernel's semantics and output:
 *
 *  - suites and cases: KUNIT_CASE(), KUNIT_CASE_SLOW(), KUNIT_CASE_PARAM()
 *    with KUNIT_ARRAY_PARAM() or KUNIT_ARRAY_PARAM_DESC(); a suite's
 *    .suite_init/.suite_exit run once around its cases, .init/.exit
 *    around each case; kunit_test_suites() registers them (a constructor
 *    here, an ELF section in the kernel), in link order;
 *  - each case runs on a thread of its own, as the kernel runs it in a
 *    kthread: a failed KUNIT_ASSERT_*() or kunit_skip() ends that thread
 *    (the case), a failed KUNIT_EXPECT_*() marks the case failed and
 *    goes on; then .exit and the deferred actions run on another thread;
 *  - a failure prints "EXPECTATION FAILED at file:line" and the values
 *    compared, as lib/kunit/assert.c formats them; results are KTAP.
 *
 * The runtime, the runner and the checks the runner adds to every case
 * (no WARN or BUG, no leak) are in shim/kunit.c.
 */
#ifndef _SHIM_KUNIT_TEST_H
#define _SHIM_KUNIT_TEST_H

#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>

#define KUNIT_PARAM_DESC_SIZE		128
#define KUNIT_STATUS_COMMENT_SIZE	256
#define KUNIT_INDENT_LEN		4
#define KUNIT_SUBTEST_INDENT		"    "
#define KUNIT_SUBSUBTEST_INDENT		"        "

enum kunit_status {
	KUNIT_SUCCESS,
	KUNIT_FAILURE,
	KUNIT_SKIPPED,
};

enum kunit_speed {
	KUNIT_SPEED_UNSET,
	KUNIT_SPEED_VERY_SLOW,
	KUNIT_SPEED_SLOW,
	KUNIT_SPEED_NORMAL,
	KUNIT_SPEED_MAX = KUNIT_SPEED_NORMAL,
};

struct kunit_attributes {
	enum kunit_speed speed;
};

struct kunit;

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
	struct kunit_attributes attr;

	/* private: internal use only. */
	enum kunit_status status;
	char *module_name;
};

struct kunit_suite {
	const char name[256];
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
	struct kunit_attributes attr;

	/* private: internal use only */
	char status_comment[KUNIT_STATUS_COMMENT_SIZE];
	int suite_init_err;
};

struct kunit_loc {
	int line;
	const char *file;
};

#define KUNIT_CURRENT_LOC { .file = __FILE__, .line = __LINE__ }

enum kunit_assert_type {
	KUNIT_ASSERTION,
	KUNIT_EXPECTATION,
};

struct kunit {
	void *priv;

	/* private: internal use only. */
	const char *name;
	const void *param_value;
	int param_index;
	spinlock_t lock;		/* unused: the runtime has its own */
	enum kunit_status status;
	struct list_head resources;	/* deferred actions, newest first */
	char status_comment[KUNIT_STATUS_COMMENT_SIZE];
	struct kunit_loc last_seen;
};

#define KUNIT_CASE(test_name)						\
	{ .run_case = test_name, .name = #test_name,			\
	  .module_name = KBUILD_MODNAME }

#define KUNIT_CASE_ATTR(test_name, attributes)				\
	{ .run_case = test_name, .name = #test_name,			\
	  .attr = attributes, .module_name = KBUILD_MODNAME }

#define KUNIT_CASE_SLOW(test_name)					\
	{ .run_case = test_name, .name = #test_name,			\
	  .attr.speed = KUNIT_SPEED_SLOW, .module_name = KBUILD_MODNAME }

#define KUNIT_CASE_PARAM(test_name, gen_params)				\
	{ .run_case = test_name, .name = #test_name,			\
	  .generate_params = gen_params, .module_name = KBUILD_MODNAME }

#define KUNIT_CASE_PARAM_ATTR(test_name, gen_params, attributes)	\
	{ .run_case = test_name, .name = #test_name,			\
	  .generate_params = gen_params, .attr = attributes,		\
	  .module_name = KBUILD_MODNAME }

#define kunit_suite_for_each_test_case(suite, test_case)		\
	for (test_case = (suite)->test_cases; test_case->run_case; test_case++)

/* Registration: each kunit_test_suites() adds its array at startup. */
void shim_kunit_register(struct kunit_suite *const *suites, size_t n);

#define __kunit_test_suites(id, ...)					\
	static struct kunit_suite *const __shim_kunit_suites_##id[] =	\
		{ __VA_ARGS__ };					\
	static void __attribute__((__constructor__))			\
	__shim_kunit_register_##id(void)				\
	{								\
		shim_kunit_register(__shim_kunit_suites_##id,		\
				    ARRAY_SIZE(__shim_kunit_suites_##id)); \
	}								\
	extern int __shim_kunit_unused_##id
#define __kunit_test_suites_id(id, ...) __kunit_test_suites(id, __VA_ARGS__)
#define kunit_test_suites(__suites...)					\
	__kunit_test_suites_id(__COUNTER__, ##__suites)
#define kunit_test_suite(suite)		kunit_test_suites(&suite)

/* ---- logging */

void __printf(1, 2) shim_kunit_log(const char *fmt, ...);

/* printk to the KTAP stream (stdout here): one line, newline optional. */
#define kunit_log(lvl, test_or_suite, fmt, ...)				\
	shim_kunit_log(fmt, ##__VA_ARGS__)

#define kunit_printk(lvl, test, fmt, ...)				\
	kunit_log(lvl, test, KUNIT_SUBTEST_INDENT "# %s: " fmt,		\
		  (test)->name, ##__VA_ARGS__)

#define kunit_info(test, fmt, ...)					\
	kunit_printk(KERN_INFO, test, fmt, ##__VA_ARGS__)
#define kunit_warn(test, fmt, ...)					\
	kunit_printk(KERN_WARNING, test, fmt, ##__VA_ARGS__)
#define kunit_err(test, fmt, ...)					\
	kunit_printk(KERN_ERR, test, fmt, ##__VA_ARGS__)

/* ---- ending a case early */

/* Leave the case's thread; the runner then cleans up.  Never returns. */
void __noreturn __kunit_abort(struct kunit *test);

#define kunit_mark_skipped(test_or_suite, fmt, ...)			\
	do {								\
		WRITE_ONCE((test_or_suite)->status, KUNIT_SKIPPED);	\
		scnprintf((test_or_suite)->status_comment,		\
			  KUNIT_STATUS_COMMENT_SIZE,			\
			  fmt, ##__VA_ARGS__);				\
	} while (0)

#define kunit_skip(test_or_suite, fmt, ...)				\
	do {								\
		kunit_mark_skipped((test_or_suite), fmt, ##__VA_ARGS__);\
		__kunit_abort(test_or_suite);				\
	} while (0)

/* ---- assertions and expectations */

struct kunit_binary_assert_text {
	const char *operation;
	const char *left_text;
	const char *right_text;
};

/*
 * Report a failure: the prologue ("EXPECTATION FAILED at f:l"), the
 * assertion's own text, then the message (@fmt may be NULL).  The
 * assertion texts are those of lib/kunit/assert.c.
 */
void __printf(4, 5) __shim_kunit_fail(struct kunit *test,
				      const struct kunit_loc *loc,
				      enum kunit_assert_type type,
				      const char *fmt, ...);
void __printf(6, 7) __shim_kunit_fail_unary(struct kunit *test,
					    const struct kunit_loc *loc,
					    enum kunit_assert_type type,
					    const char *condition,
					    bool expected_true,
					    const char *fmt, ...);
void __printf(7, 8) __shim_kunit_fail_binary(struct kunit *test,
					     const struct kunit_loc *loc,
					     enum kunit_assert_type type,
					     const struct kunit_binary_assert_text *text,
					     long long left, long long right,
					     const char *fmt, ...);
void __printf(7, 8) __shim_kunit_fail_ptr(struct kunit *test,
					  const struct kunit_loc *loc,
					  enum kunit_assert_type type,
					  const struct kunit_binary_assert_text *text,
					  const void *left, const void *right,
					  const char *fmt, ...);
void __printf(7, 8) __shim_kunit_fail_str(struct kunit *test,
					  const struct kunit_loc *loc,
					  enum kunit_assert_type type,
					  const struct kunit_binary_assert_text *text,
					  const char *left, const char *right,
					  const char *fmt, ...);
void __printf(8, 9) __shim_kunit_fail_mem(struct kunit *test,
					   const struct kunit_loc *loc,
					   enum kunit_assert_type type,
					   const struct kunit_binary_assert_text *text,
					   const void *left, const void *right,
					   size_t size, const char *fmt, ...);
void __printf(6, 7) __shim_kunit_fail_not_err(struct kunit *test,
					      const struct kunit_loc *loc,
					      enum kunit_assert_type type,
					      const char *text,
					      const void *value,
					      const char *fmt, ...);

#define _KUNIT_SAVE_LOC(test) do {					\
	WRITE_ONCE((test)->last_seen.file, __FILE__);			\
	WRITE_ONCE((test)->last_seen.line, __LINE__);			\
} while (0)

/* Call @fail(test, &loc, type, args...), then end the case if ASSERT. */
#define _KUNIT_FAILED(test, assert_type, fail, ...) do {		\
	static const struct kunit_loc __loc = KUNIT_CURRENT_LOC;	\
	fail(test, &__loc, assert_type, __VA_ARGS__);			\
	if ((assert_type) == KUNIT_ASSERTION)				\
		__kunit_abort(test);					\
} while (0)

#define KUNIT_SUCCEED(test)	_KUNIT_SAVE_LOC(test)

#define KUNIT_FAIL_ASSERTION(test, assert_type, fmt, ...) do {		\
	_KUNIT_SAVE_LOC(test);						\
	_KUNIT_FAILED(test, assert_type, __shim_kunit_fail,		\
		      fmt, ##__VA_ARGS__);				\
} while (0)

#define KUNIT_FAIL(test, fmt, ...)					\
	KUNIT_FAIL_ASSERTION(test, KUNIT_EXPECTATION, fmt, ##__VA_ARGS__)

#define KUNIT_UNARY_ASSERTION(test, assert_type, condition_,		\
			      expected_true_, fmt, ...) do {		\
	_KUNIT_SAVE_LOC(test);						\
	if (likely(!!(condition_) == !!(expected_true_)))		\
		break;							\
	_KUNIT_FAILED(test, assert_type, __shim_kunit_fail_unary,	\
		      #condition_, expected_true_, fmt, ##__VA_ARGS__);	\
} while (0)

/*
 * Compared in their own types, printed as long long (or pointers, or
 * strings), as the kernel does.
 */
#define KUNIT_BASE_BINARY_ASSERTION(test, fail, assert_type, left, op,	\
				    right, fmt, ...) do {		\
	const typeof(left) __left = (left);				\
	const typeof(right) __right = (right);				\
	static const struct kunit_binary_assert_text __text = {		\
		.operation = #op,					\
		.left_text = #left,					\
		.right_text = #right,					\
	};								\
									\
	_KUNIT_SAVE_LOC(test);						\
	if (likely(__left op __right))					\
		break;							\
	_KUNIT_FAILED(test, assert_type, fail, &__text, __left,		\
		      __right, fmt, ##__VA_ARGS__);			\
} while (0)

#define KUNIT_BINARY_INT_ASSERTION(test, assert_type, left, op, right,	\
				   fmt, ...)				\
	KUNIT_BASE_BINARY_ASSERTION(test, __shim_kunit_fail_binary,	\
				    assert_type, left, op, right,	\
				    fmt, ##__VA_ARGS__)

#define KUNIT_BINARY_PTR_ASSERTION(test, assert_type, left, op, right,	\
				   fmt, ...)				\
	KUNIT_BASE_BINARY_ASSERTION(test, __shim_kunit_fail_ptr,	\
				    assert_type, left, op, right,	\
				    fmt, ##__VA_ARGS__)

#define KUNIT_BINARY_STR_ASSERTION(test, assert_type, left, op, right,	\
				   fmt, ...) do {			\
	const char *__left = (left);					\
	const char *__right = (right);					\
	static const struct kunit_binary_assert_text __text = {		\
		.operation = #op,					\
		.left_text = #left,					\
		.right_text = #right,					\
	};								\
									\
	_KUNIT_SAVE_LOC(test);						\
	if (likely(__left && __right && (strcmp(__left, __right) op 0)))	\
		break;							\
	_KUNIT_FAILED(test, assert_type, __shim_kunit_fail_str,		\
		      &__text, __left, __right, fmt, ##__VA_ARGS__);	\
} while (0)

#define KUNIT_MEM_ASSERTION(test, assert_type, left, op, right, size_,	\
			    fmt, ...) do {				\
	const void *__left = (left);					\
	const void *__right = (right);					\
	const size_t __size = (size_);					\
	static const struct kunit_binary_assert_text __text = {		\
		.operation = #op,					\
		.left_text = #left,					\
		.right_text = #right,					\
	};								\
									\
	_KUNIT_SAVE_LOC(test);						\
	if (likely(__left && __right &&					\
		   (memcmp(__left, __right, __size) op 0)))		\
		break;							\
	_KUNIT_FAILED(test, assert_type, __shim_kunit_fail_mem,		\
		      &__text, __left, __right, __size, fmt, ##__VA_ARGS__); \
} while (0)

#define KUNIT_PTR_NOT_ERR_OR_NULL_MSG_ASSERTION(test, assert_type, ptr,	\
						fmt, ...) do {		\
	const typeof(ptr) __ptr = (ptr);				\
									\
	_KUNIT_SAVE_LOC(test);						\
	if (!IS_ERR_OR_NULL(__ptr))					\
		break;							\
	_KUNIT_FAILED(test, assert_type, __shim_kunit_fail_not_err,	\
		      #ptr, __ptr, fmt, ##__VA_ARGS__);			\
} while (0)

/* The expectations: a failure is reported and the case goes on. */
#define KUNIT_EXPECT_TRUE(test, condition)				\
	KUNIT_EXPECT_TRUE_MSG(test, condition, NULL)
#define KUNIT_EXPECT_TRUE_MSG(test, condition, fmt, ...)		\
	KUNIT_UNARY_ASSERTION(test, KUNIT_EXPECTATION, condition, true,	\
			      fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_FALSE(test, condition)				\
	KUNIT_EXPECT_FALSE_MSG(test, condition, NULL)
#define KUNIT_EXPECT_FALSE_MSG(test, condition, fmt, ...)		\
	KUNIT_UNARY_ASSERTION(test, KUNIT_EXPECTATION, condition, false, \
			      fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_EQ(test, left, right)				\
	KUNIT_EXPECT_EQ_MSG(test, left, right, NULL)
#define KUNIT_EXPECT_EQ_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_EXPECTATION, left, ==,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NE(test, left, right)				\
	KUNIT_EXPECT_NE_MSG(test, left, right, NULL)
#define KUNIT_EXPECT_NE_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_EXPECTATION, left, !=,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LT(test, left, right)				\
	KUNIT_EXPECT_LT_MSG(test, left, right, NULL)
#define KUNIT_EXPECT_LT_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_EXPECTATION, left, <,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LE(test, left, right)				\
	KUNIT_EXPECT_LE_MSG(test, left, right, NULL)
#define KUNIT_EXPECT_LE_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_EXPECTATION, left, <=,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GT(test, left, right)				\
	KUNIT_EXPECT_GT_MSG(test, left, right, NULL)
#define KUNIT_EXPECT_GT_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_EXPECTATION, left, >,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GE(test, left, right)				\
	KUNIT_EXPECT_GE_MSG(test, left, right, NULL)
#define KUNIT_EXPECT_GE_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_EXPECTATION, left, >=,	\
				   right, fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_PTR_EQ(test, left, right)				\
	KUNIT_EXPECT_PTR_EQ_MSG(test, left, right, NULL)
#define KUNIT_EXPECT_PTR_EQ_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_PTR_ASSERTION(test, KUNIT_EXPECTATION, left, ==,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_PTR_NE(test, left, right)				\
	KUNIT_EXPECT_PTR_NE_MSG(test, left, right, NULL)
#define KUNIT_EXPECT_PTR_NE_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_PTR_ASSERTION(test, KUNIT_EXPECTATION, left, !=,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NULL(test, ptr)					\
	KUNIT_EXPECT_NULL_MSG(test, ptr, NULL)
#define KUNIT_EXPECT_NULL_MSG(test, ptr, fmt, ...)			\
	KUNIT_BINARY_PTR_ASSERTION(test, KUNIT_EXPECTATION, ptr, ==,	\
				   NULL, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_NULL(test, ptr)				\
	KUNIT_EXPECT_NOT_NULL_MSG(test, ptr, NULL)
#define KUNIT_EXPECT_NOT_NULL_MSG(test, ptr, fmt, ...)			\
	KUNIT_BINARY_PTR_ASSERTION(test, KUNIT_EXPECTATION, ptr, !=,	\
				   NULL, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL(test, ptr)				\
	KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, ptr, NULL)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, ptr, fmt, ...)		\
	KUNIT_PTR_NOT_ERR_OR_NULL_MSG_ASSERTION(test, KUNIT_EXPECTATION, \
						ptr, fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_STREQ(test, left, right)				\
	KUNIT_EXPECT_STREQ_MSG(test, left, right, NULL)
#define KUNIT_EXPECT_STREQ_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_STR_ASSERTION(test, KUNIT_EXPECTATION, left, ==,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_STRNEQ(test, left, right)				\
	KUNIT_EXPECT_STRNEQ_MSG(test, left, right, NULL)
#define KUNIT_EXPECT_STRNEQ_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_STR_ASSERTION(test, KUNIT_EXPECTATION, left, !=,	\
				   right, fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_MEMEQ(test, left, right, size)			\
	KUNIT_EXPECT_MEMEQ_MSG(test, left, right, size, NULL)
#define KUNIT_EXPECT_MEMEQ_MSG(test, left, right, size, fmt, ...)	\
	KUNIT_MEM_ASSERTION(test, KUNIT_EXPECTATION, left, ==, right,	\
			    size, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_MEMNEQ(test, left, right, size)			\
	KUNIT_EXPECT_MEMNEQ_MSG(test, left, right, size, NULL)
#define KUNIT_EXPECT_MEMNEQ_MSG(test, left, right, size, fmt, ...)	\
	KUNIT_MEM_ASSERTION(test, KUNIT_EXPECTATION, left, !=, right,	\
			    size, fmt, ##__VA_ARGS__)

/* The assertions: a failure is reported and ends the case. */
#define KUNIT_ASSERT_TRUE(test, condition)				\
	KUNIT_ASSERT_TRUE_MSG(test, condition, NULL)
#define KUNIT_ASSERT_TRUE_MSG(test, condition, fmt, ...)		\
	KUNIT_UNARY_ASSERTION(test, KUNIT_ASSERTION, condition, true,	\
			      fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_FALSE(test, condition)				\
	KUNIT_ASSERT_FALSE_MSG(test, condition, NULL)
#define KUNIT_ASSERT_FALSE_MSG(test, condition, fmt, ...)		\
	KUNIT_UNARY_ASSERTION(test, KUNIT_ASSERTION, condition, false,	\
			      fmt, ##__VA_ARGS__)

#define KUNIT_ASSERT_EQ(test, left, right)				\
	KUNIT_ASSERT_EQ_MSG(test, left, right, NULL)
#define KUNIT_ASSERT_EQ_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_ASSERTION, left, ==,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NE(test, left, right)				\
	KUNIT_ASSERT_NE_MSG(test, left, right, NULL)
#define KUNIT_ASSERT_NE_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_ASSERTION, left, !=,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_LT(test, left, right)				\
	KUNIT_ASSERT_LT_MSG(test, left, right, NULL)
#define KUNIT_ASSERT_LT_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_ASSERTION, left, <,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_LE(test, left, right)				\
	KUNIT_ASSERT_LE_MSG(test, left, right, NULL)
#define KUNIT_ASSERT_LE_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_ASSERTION, left, <=,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_GT(test, left, right)				\
	KUNIT_ASSERT_GT_MSG(test, left, right, NULL)
#define KUNIT_ASSERT_GT_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_ASSERTION, left, >,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_GE(test, left, right)				\
	KUNIT_ASSERT_GE_MSG(test, left, right, NULL)
#define KUNIT_ASSERT_GE_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_INT_ASSERTION(test, KUNIT_ASSERTION, left, >=,	\
				   right, fmt, ##__VA_ARGS__)

#define KUNIT_ASSERT_PTR_EQ(test, left, right)				\
	KUNIT_ASSERT_PTR_EQ_MSG(test, left, right, NULL)
#define KUNIT_ASSERT_PTR_EQ_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_PTR_ASSERTION(test, KUNIT_ASSERTION, left, ==,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_PTR_NE(test, left, right)				\
	KUNIT_ASSERT_PTR_NE_MSG(test, left, right, NULL)
#define KUNIT_ASSERT_PTR_NE_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_PTR_ASSERTION(test, KUNIT_ASSERTION, left, !=,	\
				   right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NULL(test, ptr)					\
	KUNIT_ASSERT_NULL_MSG(test, ptr, NULL)
#define KUNIT_ASSERT_NULL_MSG(test, ptr, fmt, ...)			\
	KUNIT_BINARY_PTR_ASSERTION(test, KUNIT_ASSERTION, ptr, ==,	\
				   NULL, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_NULL(test, ptr)				\
	KUNIT_ASSERT_NOT_NULL_MSG(test, ptr, NULL)
#define KUNIT_ASSERT_NOT_NULL_MSG(test, ptr, fmt, ...)			\
	KUNIT_BINARY_PTR_ASSERTION(test, KUNIT_ASSERTION, ptr, !=,	\
				   NULL, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ptr)				\
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, ptr, NULL)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, ptr, fmt, ...)		\
	KUNIT_PTR_NOT_ERR_OR_NULL_MSG_ASSERTION(test, KUNIT_ASSERTION,	\
						ptr, fmt, ##__VA_ARGS__)

#define KUNIT_ASSERT_MEMEQ(test, left, right, size)			\
	KUNIT_ASSERT_MEMEQ_MSG(test, left, right, size, NULL)
#define KUNIT_ASSERT_MEMEQ_MSG(test, left, right, size, fmt, ...)	\
	KUNIT_MEM_ASSERTION(test, KUNIT_ASSERTION, left, ==, right,	\
			    size, fmt, ##__VA_ARGS__)

#define KUNIT_ASSERT_STREQ(test, left, right)				\
	KUNIT_ASSERT_STREQ_MSG(test, left, right, NULL)
#define KUNIT_ASSERT_STREQ_MSG(test, left, right, fmt, ...)		\
	KUNIT_BINARY_STR_ASSERTION(test, KUNIT_ASSERTION, left, ==,	\
				   right, fmt, ##__VA_ARGS__)

/* ---- parameterized cases */

#define KUNIT_ARRAY_PARAM(name, array, get_desc)			\
	static const void *name##_gen_params(const void *prev, char *desc) \
	{								\
		typeof((array)[0]) *__next = prev ?			\
			((typeof(__next))prev) + 1 : (array);		\
		if (__next - (array) < ARRAY_SIZE((array))) {		\
			void (*__get_desc)(typeof(__next), char *) = get_desc; \
			if (__get_desc)					\
				__get_desc(__next, desc);		\
			return __next;					\
		}							\
		return NULL;						\
	}

#define KUNIT_ARRAY_PARAM_DESC(name, array, desc_member)		\
	static const void *name##_gen_params(const void *prev, char *desc) \
	{								\
		typeof((array)[0]) *__next = prev ?			\
			((typeof(__next))prev) + 1 : (array);		\
		if (__next - (array) < ARRAY_SIZE((array))) {		\
			strscpy(desc, __next->desc_member,		\
				KUNIT_PARAM_DESC_SIZE);			\
			return __next;					\
		}							\
		return NULL;						\
	}

/* ---- test-managed memory */

void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size,
			  gfp_t gfp);
void kunit_kfree(struct kunit *test, const void *ptr);

static inline void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	return kunit_kmalloc_array(test, 1, size, gfp);
}

static inline void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	return kunit_kmalloc(test, size, gfp | __GFP_ZERO);
}

static inline void *kunit_kcalloc(struct kunit *test, size_t n, size_t size,
				  gfp_t gfp)
{
	return kunit_kmalloc_array(test, n, size, gfp | __GFP_ZERO);
}

static inline char *kunit_kstrdup(struct kunit *test, const char *str,
				  gfp_t gfp)
{
	size_t len;
	char *buf;

	if (!str)
		return NULL;
	len = strlen(str) + 1;
	buf = kunit_kmalloc(test, len, gfp);
	if (buf)
		memcpy(buf, str, len);
	return buf;
}

#include <kunit/resource.h>

#endif /* _SHIM_KUNIT_TEST_H */
