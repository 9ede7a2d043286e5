// SPDX-License-Identifier: GPL-2.0-only
/*
 * The benchmark's output: one JSON object a line on the kernel log,
 * prefixed "vmem_bench: ", which scripts/bench-report.py collects from
 * the serial console.  An object is built a field at a time into one
 * buffer, so only one object may be under construction at a time; the
 * driver and every workload run in the loading thread (workload 6's
 * kthreads print nothing).  A line longer than the buffer is cut short
 * and marked "truncated" (and will not parse), so the report notices.
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/string.h>
#include "vmem_bench.h"

static char bench_json_buf[900];
static size_t bench_json_len;
static bool bench_json_full;

static __printf(1, 2) void bench_json_add(const char *fmt, ...)
{
	size_t room = sizeof(bench_json_buf) - bench_json_len;
	va_list args;
	int n;

	if (bench_json_full)
		return;
	va_start(args, fmt);
	n = vsnprintf(bench_json_buf + bench_json_len, room, fmt, args);
	va_end(args);
	if (n >= room - 24) {	/* keep room for the truncation mark */
		bench_json_full = true;
		return;
	}
	bench_json_len += n;
}

void bench_json_start(const char *type)
{
	bench_json_len = 0;
	bench_json_full = false;
	bench_json_add("{\"t\":\"%s\"", type);
}

/* Our strings are names and messages: '"' and '\\' are replaced. */
void bench_json_str(const char *key, const char *val)
{
	size_t start = bench_json_len, i;

	bench_json_add(",\"%s\":\"%s", key, val);
	for (i = start + strlen(key) + 5; i < bench_json_len; i++)
		if (bench_json_buf[i] == '"' || bench_json_buf[i] == '\\')
			bench_json_buf[i] = '\'';
	bench_json_add("\"");
}

void bench_json_u64(const char *key, u64 val)
{
	bench_json_add(",\"%s\":%llu", key, val);
}

void bench_json_s64(const char *key, s64 val)
{
	bench_json_add(",\"%s\":%lld", key, val);
}

void bench_json_end(void)
{
	if (bench_json_full) {
		bench_json_full = false;
		bench_json_add(",\"truncated\":1");
	}
	pr_info("vmem_bench: %.*s}\n", (int)bench_json_len, bench_json_buf);
}
