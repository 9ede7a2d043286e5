// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_debugfs: the files of /sys/kernel/debug/vmem, read as
 * a user reads them: filp_open() and the file's read() into a user
 * buffer that kunit_vm_mmap() maps for the case's kernel thread
 * (kernel_read() wants a read_iter, which debugfs's wrapper of a file's
 * operations does not have; kunit_vm_mmap() is from Linux 6.10, as the
 * test kernel).  debugfs must be mounted at
 * /sys/kernel/debug.
 *
 * What the files say against the arena's own state; directory names,
 * duplicates and modes; the "arenas" tree; "segments" on an arena of a
 * million tags, read in batches behind a marker that moves with the
 * reader and never runs far ahead of it; readers racing an arena that
 * changes; and files held open across vmem_destroy(), which must fail
 * with -EIO (KASAN watches for a use after free).
 */
#include <kunit/test.h>

#include "vmem_kunit.h"

/* Kernel only: the userspace harness has no debugfs (or these headers). */
#ifdef CONFIG_DEBUG_FS
#include <linux/dcache.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define K	0x1000UL
#define B	0x100000UL

#define VKT_DEBUGFS	"/sys/kernel/debug/vmem"
#define VKT_CHUNK	65536

static const char *vkt_dirname(struct vmem *vm)
{
	return vm->vm_debugfs ? (const char *)vm->vm_debugfs->d_name.name :
				"(none)";
}

/* Each case gets a user buffer of VKT_CHUNK bytes to read into. */
static int vkt_dfs_init(struct kunit *test)
{
	unsigned long ubuf = kunit_vm_mmap(test, NULL, 0, VKT_CHUNK,
					   PROT_READ | PROT_WRITE,
					   MAP_ANONYMOUS | MAP_PRIVATE, 0);

	if (!ubuf || ubuf >= TASK_SIZE)
		return -ENOMEM;
	test->priv = (void *)ubuf;
	return 0;
}

/* read() at most @len <= VKT_CHUNK bytes of @f into @buf, as read(2). */
static ssize_t vkt_read(struct kunit *test, struct file *f, char *buf,
			size_t len)
{
	char __user *ubuf = (char __user *)(unsigned long)test->priv;
	ssize_t n;

	n = f->f_op->read(f, ubuf, min_t(size_t, len, VKT_CHUNK), &f->f_pos);
	if (n > 0 && copy_from_user(buf, ubuf, n))
		return -EFAULT;
	return n;
}

/*
 * Files are closed at once, not by the delayed work that closes a kernel
 * thread's files (fput()), so that the release has run when the close
 * returns; and by the end of the case at the latest, even when it fails
 * (an open debugfs file holds a reference to vmem.ko).
 */
static void vkt_fput_action(void *f)
{
	__fput_sync(f);
}

static struct file *vkt_filp_open(struct kunit *test, const char *path)
{
	struct file *f = filp_open(path, O_RDONLY, 0);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "open %s: %d", path,
			       PTR_ERR_OR_ZERO(f));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vkt_fput_action,
							f), 0);
	return f;
}

static void vkt_close(struct kunit *test, struct file *f)
{
	kunit_release_action(test, vkt_fput_action, f);
}

static struct file *vkt_open(struct kunit *test, struct vmem *vm,
			     const char *file)
{
	char path[128];

	snprintf(path, sizeof(path), VKT_DEBUGFS "/%s/%s", vkt_dirname(vm),
		 file);
	return vkt_filp_open(test, path);
}

/*
 * Read @f from where it is to its end, a chunk at a time, handing each
 * whole line (without its newline) to @line; returns the read's error.
 */
static int vkt_read_lines(struct kunit *test, struct file *f, size_t chunk,
			  void (*line)(void *arg, char *s), void *arg)
{
	char *buf = kmalloc(chunk + 1, GFP_KERNEL);
	size_t have = 0;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = vkt_read(test, f, buf + have, chunk - have);
		char *s, *nl;

		if (n < 0) {
			err = n;
			break;
		}
		if (!n)
			break;
		have += n;
		buf[have] = '\0';
		for (s = buf; (nl = strchr(s, '\n')); s = nl + 1) {
			*nl = '\0';
			line(arg, s);
		}
		have -= s - buf;
		memmove(buf, s, have);
		if (have == chunk) {	/* a line longer than a chunk */
			err = -E2BIG;
			break;
		}
	}
	kfree(buf);
	return err;
}

/* ---- "key: value" files ---- */

struct vkt_kv {
	char	text[4096];
	size_t	len;
};

static void vkt_kv_line(void *arg, char *s)
{
	struct vkt_kv *kv = arg;

	kv->len += scnprintf(kv->text + kv->len, sizeof(kv->text) - kv->len,
			     "%s\n", s);
}

static struct vkt_kv *vkt_read_kv(struct kunit *test, struct vmem *vm,
				  const char *file)
{
	struct vkt_kv *kv = kunit_kzalloc(test, sizeof(*kv), GFP_KERNEL);
	struct file *f = vkt_open(test, vm, file);

	KUNIT_ASSERT_NOT_NULL(test, kv);
	KUNIT_EXPECT_EQ(test, vkt_read_lines(test, f, 256, vkt_kv_line, kv), 0);
	vkt_close(test, f);
	return kv;
}

/* The value of @key, as a string; NULL when there is no such line. */
static const char *vkt_kv_get(struct vkt_kv *kv, const char *key,
			      char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = kv->text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':' &&
		    p[klen + 1] == ' ') {
			const char *v = p + klen + 2, *e = strchr(v, '\n');

			strscpy(out, v, min_t(size_t, len, e - v + 1));
			return out;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static void vkt_expect_kv(struct kunit *test, struct vkt_kv *kv,
			  const char *key, u64 want)
{
	char val[64];
	u64 got;

	KUNIT_ASSERT_NOT_NULL_MSG(test, vkt_kv_get(kv, key, val, sizeof(val)),
				  "no %s line in:\n%s", key, kv->text);
	KUNIT_ASSERT_EQ_MSG(test, kstrtou64(val, 10, &got), 0, "%s: %s", key,
			    val);
	KUNIT_EXPECT_EQ_MSG(test, got, want, "%s", key);
}

static void vkt_expect_kv_str(struct kunit *test, struct vkt_kv *kv,
			      const char *key, const char *want)
{
	char val[64];

	KUNIT_ASSERT_NOT_NULL_MSG(test, vkt_kv_get(kv, key, val, sizeof(val)),
				  "no %s line in:\n%s", key, kv->text);
	KUNIT_EXPECT_STREQ_MSG(test, val, want, "%s", key);
}

/* "stats" shows every counter as the arena holds it. */
static void vmem_debugfs_stats_file(struct kunit *test)
{
	struct vmem *src = vkt_create(test, "vkt_dfs_src", B, 64 * K, K, 0);
	struct vmem *vm = vkt_create_child(test, "vkt_dfs_stats", K, src, 0);
	unsigned long a, b;
	struct vkt_kv *kv;

	vkt_quiet(vm);
	a = vkt_alloc(test, vm, 2 * K, VMEM_SLEEP);
	b = vkt_alloc(test, vm, K, VMEM_SLEEP);
	vmem_free(vm, b, K);
	vmem_free(vm, b, K);		/* a bad free */
	KUNIT_EXPECT_TRUE(test, vmem_contains(vm, a, K));
	kv = vkt_read_kv(test, vm, "stats");

	vkt_expect_kv_str(test, kv, "name", "vkt_dfs_stats");
	vkt_expect_kv(test, kv, "quantum", K);
	vkt_expect_kv_str(test, kv, "unit", "bytes");
	vkt_expect_kv_str(test, kv, "source", "vkt_dfs_src");
	vkt_expect_kv(test, kv, "mem_inuse", 2 * K);
	vkt_expect_kv(test, kv, "mem_free", 0);
	vkt_expect_kv(test, kv, "mem_cached", 0);
	vkt_expect_kv(test, kv, "mem_total", 2 * K);
	vkt_expect_kv(test, kv, "mem_import", 2 * K);
	vkt_expect_kv(test, kv, "alloc", vm->vm_kstat.nalloc);
	vkt_expect_kv(test, kv, "alloc", 2);
	vkt_expect_kv(test, kv, "free", 1);
	vkt_expect_kv(test, kv, "wait", 0);
	vkt_expect_kv(test, kv, "fail", 0);
	vkt_expect_kv(test, kv, "lookup", vm->vm_kstat.nlookup);
	vkt_expect_kv(test, kv, "search", vm->vm_kstat.nsearch);
	vkt_expect_kv(test, kv, "populate_fail", 0);
	vkt_expect_kv(test, kv, "contains", 1);
	vkt_expect_kv(test, kv, "contains_search", 1);
	vkt_expect_kv(test, kv, "live", 1);
	vkt_expect_kv(test, kv, "free_segments", 0);
	vkt_expect_kv(test, kv, "spans", 1);
	vkt_expect_kv(test, kv, "segments", 2);
	vkt_expect_kv(test, kv, "bad_free", 1);
	vkt_expect_kv(test, kv, "import", 2);
	vkt_expect_kv(test, kv, "release", 1);
	vkt_expect_kv(test, kv, "hash_buckets", 16);
	vkt_expect_kv(test, kv, "hash_rescales", 0);
	vkt_expect_kv(test, kv, "reserve_refills", vm->vm_kstat.nrefill);
	vkt_expect_kv(test, kv, "tags_reserved", vm->vm_nreserve);
	vkt_expect_kv(test, kv, "big_tags_reserved", vm->vm_nireserve);
	vkt_expect_kv(test, kv, "indexed", 0);
	vkt_expect_kv(test, kv, "unindexed", 0);
	vkt_expect_kv(test, kv, "size_tree", 0);
	vkt_expect_kv(test, kv, "qcache_max", 0);
	vkt_expect_kv(test, kv, "qcaches", 0);
	vkt_expect_kv_str(test, kv, "qcache_hit_permille", "-");

	kv = vkt_read_kv(test, src, "stats");
	vkt_expect_kv_str(test, kv, "source", "-");
	vkt_expect_kv(test, kv, "mem_inuse", 2 * K);
	vkt_expect_kv(test, kv, "alloc", 2);
	vkt_expect_kv(test, kv, "free", 1);
	vkt_expect_kv(test, kv, "live", 1);
	vkt_expect_kv(test, kv, "free_segments", 1);
	vmem_free(vm, a, 2 * K);
}

/* ---- "segments" ---- */

struct vkt_segs {
	struct kunit	*test;
	unsigned long	lines;
	unsigned long	last_start;
	unsigned long	bad;
	char		first_bad[128];
	/* the exact lines wanted, or NULL to check only the form */
	const char * const *want;
	unsigned long	nwant;
};

static void vkt_segs_line(void *arg, char *s)
{
	struct vkt_segs *c = arg;
	unsigned long start, last, size;
	char type[8];

	if (c->want) {
		if (c->lines >= c->nwant || strcmp(s, c->want[c->lines]))
			goto bad;
		c->lines++;
		return;
	}
	if (!c->lines++) {
		if (s[0] != '#')
			goto bad;
		return;
	}
	if (sscanf(s, "%lx %lx %lu %7s", &start, &last, &size, type) != 4 ||
	    last - start != size - 1 ||
	    (strcmp(type, "span") && strcmp(type, "import") &&
	     strcmp(type, "alloc") && strcmp(type, "free")))
		goto bad;
	c->last_start = start;
	return;
bad:
	if (!c->bad++)
		strscpy(c->first_bad, s, sizeof(c->first_bad));
}

/* Every span and segment, in address order, with its type. */
static void vmem_debugfs_segments_file(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "vkt_dfs_segs", B, 8 * K, K, 0);
	struct vmem *src = vkt_create(test, "vkt_dfs_segsrc", 0, 64 * K, K, 0);
	struct vmem *child = vkt_create_child(test, "vkt_dfs_segchild", K, src,
					      0);
	static const char * const want[] = {
		"#            start                end                 size type",
		"0x0000000000100000 0x0000000000107fff                32768 span",
		"0x0000000000100000 0x0000000000101fff                 8192 alloc",
		"0x0000000000102000 0x0000000000102fff                 4096 free",
		"0x0000000000103000 0x0000000000103fff                 4096 alloc",
		"0x0000000000104000 0x0000000000107fff                16384 free",
		"0x0000000000200000 0x0000000000200fff                 4096 span",
		"0x0000000000200000 0x0000000000200fff                 4096 free",
	};
	struct vkt_segs c = { .test = test, .want = want,
			      .nwant = ARRAY_SIZE(want) };
	unsigned long a, b, x;
	struct file *f;

	if (BITS_PER_LONG != 64)
		kunit_skip(test, "the expected lines are for 64-bit");
	a = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP);
	x = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	b = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	vmem_free(vm, x, K);
	KUNIT_ASSERT_EQ(test, vmem_add(vm, 2 * B, K, VMEM_SLEEP), 0);

	f = vkt_open(test, vm, "segments");
	KUNIT_EXPECT_EQ(test, vkt_read_lines(test, f, 100, vkt_segs_line, &c), 0);
	vkt_close(test, f);
	KUNIT_EXPECT_EQ_MSG(test, c.bad, 0UL, "first bad line: %s",
			    c.first_bad);
	KUNIT_EXPECT_EQ(test, c.lines, (unsigned long)ARRAY_SIZE(want));

	/* an imported span says so */
	x = vkt_alloc(test, child, K, VMEM_SLEEP);
	f = vkt_open(test, child, "segments");
	{
		static const char * const want_child[] = {
			"#            start                end                 size type",
			"0x0000000000000000 0x0000000000000fff                 4096 import",
			"0x0000000000000000 0x0000000000000fff                 4096 alloc",
		};
		struct vkt_segs cc = { .test = test, .want = want_child,
				       .nwant = ARRAY_SIZE(want_child) };

		KUNIT_EXPECT_EQ(test, vkt_read_lines(test, f, 4096, vkt_segs_line,
						     &cc), 0);
		KUNIT_EXPECT_EQ_MSG(test, cc.bad, 0UL, "first bad line: %s",
				    cc.first_bad);
		KUNIT_EXPECT_EQ(test, cc.lines, 3UL);
	}
	vkt_close(test, f);
	vmem_free(child, x, K);
	vmem_free(vm, a, 2 * K);
	vmem_free(vm, b, K);
}

/* ---- "freelists" and "hash" ---- */

struct vkt_text {
	char	text[2048];
	size_t	len;
};

static void vkt_text_line(void *arg, char *s)
{
	struct vkt_text *t = arg;

	t->len += scnprintf(t->text + t->len, sizeof(t->text) - t->len,
			    "%s\n", s);
}

static void vkt_expect_text(struct kunit *test, struct vmem *vm,
			    const char *file, const char *want)
{
	struct vkt_text *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct file *f;

	KUNIT_ASSERT_NOT_NULL(test, t);
	f = vkt_open(test, vm, file);
	KUNIT_EXPECT_EQ(test, vkt_read_lines(test, f, 4096, vkt_text_line, t), 0);
	vkt_close(test, f);
	KUNIT_EXPECT_STREQ(test, t->text, want);
}

/*
 * Free segments per list, as the arena keeps them: a free segment goes on
 * list ilog2(size) and stays there while it grows below four times the
 * list's bound.  Pages 1, 3-4 and 12 free: list 12 (the 2-page segment
 * 3-4 grew from page 3, on list 12, and stays); pages 6-10, freed one at
 * a time, grew from list 12 past 16 KiB and moved to list 14.  Then
 * everything: one segment of 16 pages, list 16.
 */
static void vmem_debugfs_freelists_file(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "vkt_dfs_fl", B, 16 * K, K, 0);
	unsigned int i;

	for (i = 0; i < 16; i++)
		vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	vmem_free(vm, B + 1 * K, K);
	vmem_free(vm, B + 3 * K, K);
	vmem_free(vm, B + 4 * K, K);
	for (i = 6; i < 11; i++)
		vmem_free(vm, B + i * K, K);
	vmem_free(vm, B + 12 * K, K);
	vkt_expect_text(test, vm, "freelists",
			"# list             min_size     segments                bytes\n"
			"    12                 4096            3                16384\n"
			"    14                16384            1                20480\n"
			"   all                    -            4                36864\n");
	vmem_free(vm, B, K);
	vmem_free(vm, B + 2 * K, K);
	vmem_free(vm, B + 5 * K, K);
	vmem_free(vm, B + 11 * K, K);
	for (i = 13; i < 16; i++)
		vmem_free(vm, B + i * K, K);
	vkt_expect_text(test, vm, "freelists",
			"# list             min_size     segments                bytes\n"
			"    16                65536            1                65536\n"
			"   all                    -            1                65536\n");
}

/*
 * The hash: buckets, entries, and the longest chain, against chains
 * counted from the addresses' buckets (hash_long() of the start in
 * quanta, as vmem/vmem_hash.c defines the bucket).
 */
static void vmem_debugfs_hash_file(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "vkt_dfs_hash", B, 64 * K, K, 0);
	unsigned int count[16] = { }, hist[9] = { };
	unsigned int i, longest = 0;
	struct vkt_kv *kv;
	char name[32];

	for (i = 0; i < 40; i++) {
		unsigned long a = vkt_alloc(test, vm, K, VMEM_NOSLEEP);

		count[hash_long(a / K, VMEM_HASH_MIN_SHIFT)]++;
	}
	for (i = 0; i < 16; i++) {
		longest = max(longest, count[i]);
		hist[min(count[i], 8U)]++;
	}
	kv = vkt_read_kv(test, vm, "hash");
	vkt_expect_kv(test, kv, "buckets", 16);
	vkt_expect_kv(test, kv, "entries", 40);
	vkt_expect_kv(test, kv, "longest_chain", longest);
	vkt_expect_kv(test, kv, "rescales", 0);
	vkt_expect_kv(test, kv, "lookup", 0);
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "chains_%u", i);
		vkt_expect_kv(test, kv, name, hist[i]);
	}
	vkt_expect_kv(test, kv, "chains_8_or_more", hist[8]);
	for (i = 0; i < 40; i++)
		vmem_free(vm, B + i * K, K);
}

/* ---- "arenas" ---- */

struct vkt_arenas {
	struct kunit	*test;
	unsigned long	lines;
	const char	*names[3];	/* to find, in this order */
	int		indent[3];	/* their indentation, -1: not found */
	unsigned long	row[3];		/* their line numbers */
	char		rows[3][256];
	bool		version_ok;
};

static void vkt_arenas_line(void *arg, char *s)
{
	struct vkt_arenas *c = arg;
	unsigned int i;
	int indent;

	if (!c->lines++) {
		c->version_ok = !strcmp(s, "vmem arenas - version: 1");
		return;
	}
	indent = strspn(s, " ");
	for (i = 0; i < ARRAY_SIZE(c->names); i++) {
		size_t n = strlen(c->names[i]);

		if (!strncmp(s + indent, c->names[i], n) &&
		    s[indent + n] == ' ') {
			c->indent[i] = indent;
			c->row[i] = c->lines;
			strscpy(c->rows[i], s + indent, sizeof(c->rows[i]));
		}
	}
}

static void vkt_expect_arena_row(struct kunit *test, const char *row,
				 struct vmem *vm, const char *want_hit)
{
	unsigned long quantum, inuse, total, imported, live, freesegs;
	unsigned long long alloc, nfree, wait, fail;
	char name[64], hit[16];
	struct vmem_stats st;
	int n;

	vmem_get_stats(vm, &st);
	n = sscanf(row, "%63s %lu %lu %lu %lu %llu %llu %llu %llu %lu %lu %15s",
		   name, &quantum, &inuse, &total, &imported, &alloc, &nfree,
		   &wait, &fail, &live, &freesegs, hit);
	KUNIT_ASSERT_EQ_MSG(test, n, 12, "row: %s", row);
	KUNIT_EXPECT_EQ(test, quantum, vm->vm_quantum);
	KUNIT_EXPECT_EQ(test, inuse, st.mem_inuse);
	KUNIT_EXPECT_EQ(test, total, st.mem_total);
	KUNIT_EXPECT_EQ(test, imported, st.mem_import);
	KUNIT_EXPECT_EQ(test, alloc, st.nalloc);
	KUNIT_EXPECT_EQ(test, nfree, st.nfree);
	KUNIT_EXPECT_EQ(test, wait, st.nwait);
	KUNIT_EXPECT_EQ(test, fail, st.nfail);
	KUNIT_EXPECT_EQ(test, live, vmem_nlive(vm));
	KUNIT_EXPECT_EQ(test, freesegs,
			vm->vm_nsegs - vm->vm_nspans - vm->vm_nbusy);
	KUNIT_EXPECT_STREQ(test, hit, want_hit);
}

/* A row per arena; an importer under its source, indented by two. */
static void vmem_debugfs_arenas_file(struct kunit *test)
{
	struct vmem *top = vkt_create(test, "vkt_dfs_top", B, 64 * K, K, 0);
	struct vmem *mid = vkt_create_child(test, "vkt_dfs_mid", K, top, 0);
	struct vmem *leaf = vkt_create_child(test, "vkt_dfs_leaf", K, mid, 0);
	struct vkt_arenas c = { .test = test,
				.names = { "vkt_dfs_top", "vkt_dfs_mid",
					   "vkt_dfs_leaf" },
				.indent = { -1, -1, -1 } };
	unsigned long a;
	struct file *f;

	a = vkt_alloc(test, leaf, 3 * K, VMEM_SLEEP);
	f = vkt_filp_open(test, VKT_DEBUGFS "/arenas");
	KUNIT_EXPECT_EQ(test, vkt_read_lines(test, f, 4096, vkt_arenas_line, &c), 0);
	vkt_close(test, f);
	KUNIT_EXPECT_TRUE(test, c.version_ok);
	KUNIT_ASSERT_GE(test, c.indent[0], 0);
	KUNIT_ASSERT_GE(test, c.indent[1], 0);
	KUNIT_ASSERT_GE(test, c.indent[2], 0);
	KUNIT_EXPECT_EQ(test, c.indent[1], c.indent[0] + 2);
	KUNIT_EXPECT_EQ(test, c.indent[2], c.indent[0] + 4);
	KUNIT_EXPECT_EQ(test, c.row[1], c.row[0] + 1);
	KUNIT_EXPECT_EQ(test, c.row[2], c.row[0] + 2);
	vkt_expect_arena_row(test, c.rows[0], top, "-");
	vkt_expect_arena_row(test, c.rows[1], mid, "-");
	vkt_expect_arena_row(test, c.rows[2], leaf, "-");
	vmem_free(leaf, a, 3 * K);
}

/* ---- "qcache" and "qcache_cpus" ---- */

struct vkt_rows {
	struct kunit	*test;
	unsigned long	lines;
	char		first[2][192];	/* the version and header lines */
	unsigned int	nrows;
	unsigned int	ncols;		/* numbers a row must have */
	unsigned int	bad;
	u64		row[64][17];
};

/* A table's rows, every column a decimal number. */
static void vkt_rows_line(void *arg, char *s)
{
	struct vkt_rows *r = arg;
	unsigned int n = 0;
	char *tok;

	if (r->lines < 2) {
		strscpy(r->first[r->lines++], s, sizeof(r->first[0]));
		return;
	}
	r->lines++;
	if (r->nrows == ARRAY_SIZE(r->row)) {
		r->bad++;
		return;
	}
	while ((tok = strsep(&s, " ")) != NULL) {
		if (!*tok)
			continue;
		if (n == r->ncols ||
		    kstrtou64(tok, 10, &r->row[r->nrows][n])) {
			r->bad++;
			return;
		}
		n++;
	}
	if (n != r->ncols) {
		r->bad++;
		return;
	}
	r->nrows++;
}

static struct vkt_rows *vkt_read_rows(struct kunit *test, struct vmem *vm,
				      const char *file, unsigned int ncols)
{
	struct vkt_rows *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct file *f;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->test = test;
	r->ncols = ncols;
	f = vkt_open(test, vm, file);
	KUNIT_EXPECT_EQ(test, vkt_read_lines(test, f, 4096, vkt_rows_line, r),
			0);
	vkt_close(test, f);
	KUNIT_EXPECT_EQ_MSG(test, r->bad, 0U, "%s: malformed rows", file);
	return r;
}

/* The columns of "qcache", in order (Documentation/vmem.rst). */
enum { QC_SIZE, QC_MAGSIZE, QC_ALLOC, QC_FREE, QC_ALLOC_HITS,
	QC_ALLOC_MISSES, QC_FREE_HITS, QC_FREE_MISSES, QC_DEPOT_GETS,
	QC_DEPOT_PUTS, QC_CONTENTION, QC_RESIZES, QC_CPU_MAGS, QC_CPU_ROUNDS,
	QC_DEPOT_FULL, QC_DEPOT_EMPTY, QC_DEPOT_ROUNDS, QC_NCOLS };

/* ... and of "qcache_cpus". */
enum { QCC_SIZE, QCC_CPU, QCC_ALLOC_HITS, QCC_ALLOC_MISSES, QCC_FREE_HITS,
	QCC_FREE_MISSES, QCC_MAGS, QCC_ROUNDS, QCC_NCOLS };

static void vkt_expect_row(struct kunit *test, const char *file,
			   const u64 *got, const u64 *want, unsigned int n,
			   unsigned int row)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, got[i], want[i], "%s row %u column %u",
				    file, row, i);
}

/*
 * A caching arena of two caches (one and two pages), on one CPU with
 * migration off, as the vmem_qcache suite counts: m + 1 allocations of a
 * page are a miss that refills a magazine of m (m the magazine size),
 * m - 1 hits and a second miss and refill (the emptied magazine goes to
 * the depot); the m + 1 frees are m hits and a miss that loads the
 * depot's empty magazine.  Every column of "qcache", "qcache_cpus" and the
 * caches' lines of "stats" and "arenas" are then known exactly; and again
 * after vmem_qcache_flush(), which leaves the two emptied magazines in
 * the depot.
 */
static void vmem_debugfs_qcache_file(struct kunit *test)
{
	struct vmem *vm = vmem_create("vkt_dfs_qc", B, 1024 * K, K, NULL, NULL,
				      NULL, 2 * K, 0);
	struct vkt_arenas c = { .test = test,
				.names = { "vkt_dfs_qc", "-", "-" },
				.indent = { -1, -1, -1 } };
	unsigned int m, m2, i, cpu, ncpus = 0, row;
	struct vmem_qcache_stats qs;
	struct vkt_rows *r;
	struct vkt_kv *kv;
	unsigned long *a;
	char hit[16];
	struct file *f;
	int err = 0;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	KUNIT_ASSERT_EQ(test, vmem_qcache_get_stats(vm, 0, -1, &qs), 0);
	m = qs.magsize;
	KUNIT_ASSERT_GE(test, m, 2U);
	KUNIT_ASSERT_EQ(test, vmem_qcache_get_stats(vm, 1, -1, &qs), 0);
	m2 = qs.magsize;
	a = kunit_kcalloc(test, m + 1, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	for_each_possible_cpu(i)
		ncpus++;

	migrate_disable();
	cpu = smp_processor_id();
	for (i = 0; i <= m; i++)
		err |= vmem_alloc(vm, K, VMEM_NOSLEEP, &a[i]);
	for (i = 0; i <= m; i++)
		vmem_free(vm, a[m - i], K);
	migrate_enable();
	KUNIT_ASSERT_EQ(test, err, 0);

	r = vkt_read_rows(test, vm, "qcache", QC_NCOLS);
	KUNIT_EXPECT_STREQ(test, r->first[0], "vmem qcache - version: 1");
	KUNIT_EXPECT_EQ(test, r->first[1][0], '#');
	KUNIT_ASSERT_EQ(test, r->nrows, 2U);
	{
		const u64 one[QC_NCOLS] = {
			[QC_SIZE] = K, [QC_MAGSIZE] = m,
			[QC_ALLOC] = m + 1, [QC_FREE] = m + 1,
			[QC_ALLOC_HITS] = m - 1, [QC_ALLOC_MISSES] = 2,
			[QC_FREE_HITS] = m, [QC_FREE_MISSES] = 1,
			[QC_CPU_MAGS] = 2, [QC_CPU_ROUNDS] = 2 * m,
		};
		const u64 two[QC_NCOLS] = {
			[QC_SIZE] = 2 * K,
			[QC_MAGSIZE] = m2,
		};

		vkt_expect_row(test, "qcache", r->row[0], one, QC_NCOLS, 0);
		vkt_expect_row(test, "qcache", r->row[1], two, QC_NCOLS, 1);
	}

	r = vkt_read_rows(test, vm, "qcache_cpus", QCC_NCOLS);
	KUNIT_EXPECT_STREQ(test, r->first[0], "vmem qcache_cpus - version: 1");
	KUNIT_EXPECT_EQ(test, r->first[1][0], '#');
	KUNIT_ASSERT_EQ(test, r->nrows, 2 * ncpus);
	row = 0;
	for (i = 0; i < 2; i++) {
		unsigned int c2;

		for_each_possible_cpu(c2) {
			u64 want[QCC_NCOLS] = { [QCC_SIZE] = (i + 1) * K,
						[QCC_CPU] = c2 };

			if (i == 0 && c2 == cpu) {
				want[QCC_ALLOC_HITS] = m - 1;
				want[QCC_ALLOC_MISSES] = 2;
				want[QCC_FREE_HITS] = m;
				want[QCC_FREE_MISSES] = 1;
				want[QCC_MAGS] = 2;
				want[QCC_ROUNDS] = 2 * m;
			}
			vkt_expect_row(test, "qcache_cpus", r->row[row], want,
				       QCC_NCOLS, row);
			row++;
		}
	}

	kv = vkt_read_kv(test, vm, "stats");
	vkt_expect_kv(test, kv, "mem_inuse", 0);
	vkt_expect_kv(test, kv, "mem_free", 1024 * K);
	vkt_expect_kv(test, kv, "mem_cached", 2 * m * K);
	vkt_expect_kv(test, kv, "alloc", 2 * m);
	vkt_expect_kv(test, kv, "free", 0);
	vkt_expect_kv(test, kv, "live", 2 * m);
	vkt_expect_kv(test, kv, "qcache_max", 2 * K);
	vkt_expect_kv(test, kv, "qcaches", 2);
	/* hits per thousand allocations, rounded down */
	vkt_expect_kv(test, kv, "qcache_hit_permille",
		      (m - 1) * 1000 / (m + 1));

	f = vkt_filp_open(test, VKT_DEBUGFS "/arenas");
	KUNIT_EXPECT_EQ(test, vkt_read_lines(test, f, 4096, vkt_arenas_line,
					     &c), 0);
	vkt_close(test, f);
	KUNIT_ASSERT_GE(test, c.indent[0], 0);
	snprintf(hit, sizeof(hit), "%u.%u", (m - 1) * 1000 / (m + 1) / 10,
		 (m - 1) * 1000 / (m + 1) % 10);
	vkt_expect_arena_row(test, c.rows[0], vm, hit);

	KUNIT_EXPECT_EQ(test, vmem_qcache_flush(vm), 2 * m * K);
	r = vkt_read_rows(test, vm, "qcache", QC_NCOLS);
	KUNIT_ASSERT_EQ(test, r->nrows, 2U);
	{
		/* the counters stay; the rounds are gone; two empties */
		const u64 one[QC_NCOLS] = {
			[QC_SIZE] = K, [QC_MAGSIZE] = m,
			[QC_ALLOC] = m + 1, [QC_FREE] = m + 1,
			[QC_ALLOC_HITS] = m - 1, [QC_ALLOC_MISSES] = 2,
			[QC_FREE_HITS] = m, [QC_FREE_MISSES] = 1,
			[QC_DEPOT_EMPTY] = 2,
		};

		vkt_expect_row(test, "qcache", r->row[0], one, QC_NCOLS, 0);
	}
	kv = vkt_read_kv(test, vm, "stats");
	vkt_expect_kv(test, kv, "mem_cached", 0);
	vkt_expect_kv(test, kv, "free", 2 * m);
	vkt_expect_kv(test, kv, "live", 0);
}

/* ---- names and modes ---- */

static void vkt_expect_mode(struct kunit *test, struct vmem *vm,
			    const char *file)
{
	struct file *f = vkt_open(test, vm, file);

	KUNIT_EXPECT_EQ_MSG(test, file_inode(f)->i_mode & 0777, 0400, "%s",
			    file);
	vkt_close(test, f);
}

/*
 * A directory per arena, named after it; a name taken gets "-<n>"; '/'
 * becomes '_'; the directory goes with its arena.  Files are 0400.
 */
static void vmem_debugfs_names(struct kunit *test)
{
	struct vmem *a = vkt_create(test, "vkt_dfs_dup", B, K, K, 0);
	struct vmem *b = vkt_create(test, "vkt_dfs_dup", B, K, K, 0);
	struct vmem *c = vkt_create(test, "arenas", B, K, K, 0);
	struct vmem *d = vkt_create(test, "vkt/dfs/slash", B, K, K, 0);
	struct vmem *e = vkt_create(test, "..", B, K, K, 0);
	static const char * const files[] = { "stats", "segments",
					      "freelists", "hash", "qcache",
					      "qcache_cpus" };
	char path[128];
	struct file *f;
	unsigned int i;

	KUNIT_EXPECT_STREQ(test, vkt_dirname(a), "vkt_dfs_dup");
	KUNIT_EXPECT_EQ(test, strncmp(vkt_dirname(b), "vkt_dfs_dup-", 12), 0);
	KUNIT_EXPECT_EQ(test, strncmp(vkt_dirname(c), "arenas-", 7), 0);
	KUNIT_EXPECT_STREQ(test, vkt_dirname(d), "vkt_dfs_slash");
	KUNIT_EXPECT_STREQ(test, vkt_dirname(e), "_..");
	for (i = 0; i < ARRAY_SIZE(files); i++)
		vkt_expect_mode(test, b, files[i]);

	snprintf(path, sizeof(path), VKT_DEBUGFS "/%s/stats", vkt_dirname(b));
	vkt_destroy_now(test, b);
	f = filp_open(path, O_RDONLY, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(f), -ENOENT);
	if (!IS_ERR(f))
		__fput_sync(f);
	/* the other one of the name is still there */
	vkt_expect_mode(test, a, "stats");
}

/* ---- many tags ---- */

/*
 * Pages of the big arena, every other one allocated: a span and as many
 * segments.  The test kernel (KASAN, lockdep) makes about a thousand
 * allocations a second under TCG, so this is far from the million tags
 * of the guest script's test on Debian's kernels (scripts/guest-init.sh,
 * vmem_bigarena), but large enough to show a reader's marker following
 * it a batch at a time.
 */
#define VKT_BIG_PAGES	16384UL

/* The tags before the walker marker on @vm's list, or -1 without one. */
static long vkt_marker_pos(struct vmem *vm, unsigned int *nmarkers)
{
	unsigned long flags;
	struct vmem_seg *vs;
	long pos = 0, found = -1;

	*nmarkers = 0;
	spin_lock_irqsave(&vm->vm_lock, flags);
	list_for_each_entry(vs, &vm->vm_seg0.vs_seglist, vs_seglist) {
		if (vs->vs_type == VMEM_SEG_WALKER) {
			(*nmarkers)++;
			found = pos;
		} else if (!vmem_seg_is_marker(vs)) {
			pos++;
		}
	}
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return found;
}

static void vkt_count_line(void *arg, char *s)
{
	(*(unsigned long *)arg)++;
}

/*
 * "segments" of an arena of many tags reads whole and in order, in
 * batches behind a marker that follows the reader: after the first 4 KiB
 * the marker is a few batches in, not at the end; at the end it is gone.
 */
static void vmem_debugfs_big(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "vkt_dfs_big", B,
				     VKT_BIG_PAGES * K, K, 0);
	struct vkt_segs c = { .test = test };
	ktime_t t0 = ktime_get();
	unsigned int nmarkers;
	unsigned long i, ntags;
	struct file *f;
	char *buf;
	long mpos;

	for (i = 0; i < VKT_BIG_PAGES; i++) {
		vkt_alloc(test, vm, K, VMEM_NOSLEEP);
		if (!(i % 4096))
			cond_resched();
	}
	for (i = 0; i < VKT_BIG_PAGES; i += 2) {
		vmem_free(vm, B + i * K, K);
		if (!(i % 4096))
			cond_resched();
	}
	ntags = vm->vm_nsegs;
	KUNIT_ASSERT_EQ(test, ntags, VKT_BIG_PAGES + 1);
	kunit_info(test, "%lu tags, made in %lld ms", ntags,
		   ktime_ms_delta(ktime_get(), t0));
	t0 = ktime_get();

	/* the first 4 KiB: the marker is a few batches in, not further */
	buf = kunit_kmalloc(test, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = vkt_open(test, vm, "segments");
	KUNIT_ASSERT_GT(test, vkt_read(test, f, buf, 4096), 0L);
	mpos = vkt_marker_pos(vm, &nmarkers);
	KUNIT_EXPECT_EQ(test, nmarkers, 1U);
	KUNIT_EXPECT_GT(test, mpos, 0L);
	/* a page of lines of 60 bytes or more, and a batch ahead at most */
	KUNIT_EXPECT_LE_MSG(test, mpos, 4096L / 60 + 64,
			    "the reader ran %ld tags ahead", mpos);
	/* a second read moves it on by about as much */
	KUNIT_ASSERT_GT(test, vkt_read(test, f, buf, 4096), 0L);
	KUNIT_EXPECT_GT(test, vkt_marker_pos(vm, &nmarkers), mpos);
	KUNIT_EXPECT_LE(test, vkt_marker_pos(vm, &nmarkers),
			2 * 4096L / 60 + 64);
	/* closing the file takes the marker out */
	vkt_close(test, f);
	KUNIT_EXPECT_EQ(test, vkt_marker_pos(vm, &nmarkers), -1L);

	/* all of it, 64 KiB a read: every tag, in order */
	f = vkt_open(test, vm, "segments");
	KUNIT_EXPECT_EQ(test, vkt_read_lines(test, f, VKT_CHUNK, vkt_segs_line, &c),
			0);
	KUNIT_EXPECT_EQ_MSG(test, c.bad, 0UL, "first bad line: %s",
			    c.first_bad);
	KUNIT_EXPECT_EQ(test, c.lines, ntags + 1);	/* and the header */
	KUNIT_EXPECT_EQ(test, c.last_start, B + (VKT_BIG_PAGES - 1) * K);
	kunit_info(test, "read in %lld ms", ktime_ms_delta(ktime_get(), t0));
	/* at the end the marker is off the list, the file still open */
	KUNIT_EXPECT_EQ(test, vkt_marker_pos(vm, &nmarkers), -1L);
	KUNIT_EXPECT_EQ(test, nmarkers, 0U);
	vkt_close(test, f);
	VKT_EXPECT_CHECK(test, vm);
	for (i = 1; i < VKT_BIG_PAGES; i += 2) {
		vmem_free(vm, B + i * K, K);
		if (!(i % 4096))
			cond_resched();
	}
}

/* ---- readers racing a changing arena ---- */

struct vkt_churn {
	struct vmem	*vm;
	unsigned long	ops;
	bool		stop;
	u64		state;
};

/* Allocate and free pages at random until told to stop. */
static int vkt_churn_fn(void *arg)
{
	struct vkt_churn *ch = arg;
	unsigned long held[128] = { };
	unsigned int i;

	while (!READ_ONCE(ch->stop)) {
		ch->state = ch->state * 6364136223846793005ULL + 1442695040888963407ULL;
		i = (ch->state >> 33) % ARRAY_SIZE(held);
		if (held[i]) {
			vmem_free(ch->vm, held[i], K);
			held[i] = 0;
		} else if (vmem_alloc(ch->vm, K, VMEM_NOSLEEP, &held[i])) {
			held[i] = 0;
		}
		ch->ops++;
		if (!(ch->ops % 64))
			cond_resched();
	}
	for (i = 0; i < ARRAY_SIZE(held); i++)
		if (held[i])
			vmem_free(ch->vm, held[i], K);
	return 0;
}

/*
 * "segments", "freelists", "hash" and "stats" read again and again while
 * another thread allocates and frees: every read ends, the lines keep
 * their form, and the arena stays consistent.
 */
static void vmem_debugfs_race(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "vkt_dfs_race", B, 1024 * K, K, 0);
	struct vkt_churn ch = { .vm = vm, .state = 1 };
	static const char * const files[] = { "freelists", "hash", "stats",
					      "qcache", "qcache_cpus" };
	struct vkt_thread *t;
	unsigned int round, i;

	for (i = 0; i < 512; i++)
		vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	t = vkt_thread_start(test, vkt_churn_fn, &ch, -1, "vmem_dfs_churn");
	for (round = 0; round < 5; round++) {
		struct vkt_segs c = { .test = test };
		unsigned long lines = 0;
		struct file *f;

		f = vkt_open(test, vm, "segments");
		KUNIT_EXPECT_EQ(test, vkt_read_lines(test, f, 512, vkt_segs_line,
						     &c), 0);
		vkt_close(test, f);
		KUNIT_EXPECT_EQ_MSG(test, c.bad, 0UL, "first bad line: %s",
				    c.first_bad);
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			f = vkt_open(test, vm, files[i]);
			KUNIT_EXPECT_EQ(test, vkt_read_lines(test, f, 4096,
							     vkt_count_line,
							     &lines), 0);
			vkt_close(test, f);
		}
	}
	WRITE_ONCE(ch.stop, true);
	KUNIT_ASSERT_TRUE(test, vkt_thread_wait(t, 30000));
	vkt_thread_put(t);
	kunit_info(test, "%lu operations ran against the readers", ch.ops);
	KUNIT_EXPECT_GT(test, ch.ops, 0UL);
	VKT_EXPECT_CHECK(test, vm);
	for (i = 0; i < 512; i++)
		vmem_free(vm, B + i * K, K);
}

/* ---- files open across vmem_destroy() ---- */

/*
 * Open @file of a fresh arena, read @before bytes of it (0: none, -1: all),
 * destroy the arena, read again: -EIO, and the close touches nothing.
 */
static void vkt_read_across_destroy(struct kunit *test, const char *file,
				    long before)
{
	/* caching, so that "qcache" and "qcache_cpus" have rows */
	struct vmem *vm = vmem_create("vkt_dfs_gone", B, 64 * K, K, NULL, NULL,
				      NULL, 2 * K, 0);
	unsigned long a[8];
	unsigned long lines = 0;
	char buf[64];
	struct file *f;
	unsigned int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	vmem_free(vm, a[3], K);
	f = vkt_open(test, vm, file);
	if (before < 0)
		KUNIT_EXPECT_EQ(test, vkt_read_lines(test, f, 512, vkt_count_line,
						     &lines), 0);
	else if (before > 0)
		KUNIT_EXPECT_EQ(test, vkt_read(test, f, buf, before),
				(ssize_t)before);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		if (i != 3)
			vmem_free(vm, a[i], K);
	vmem_destroy(vm);
	KUNIT_EXPECT_EQ_MSG(test, vkt_read(test, f, buf, sizeof(buf)),
			    (ssize_t)-EIO, "%s", file);
	vkt_close(test, f);
}

static void vmem_debugfs_open_across_destroy(struct kunit *test)
{
	static const char * const files[] = { "stats", "segments",
					      "freelists", "hash", "qcache",
					      "qcache_cpus" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		vkt_read_across_destroy(test, files[i], 0);
		vkt_read_across_destroy(test, files[i], 10);
		vkt_read_across_destroy(test, files[i], -1);
	}
}

static struct kunit_case vmem_debugfs_cases[] = {
	KUNIT_CASE(vmem_debugfs_stats_file),
	KUNIT_CASE(vmem_debugfs_segments_file),
	KUNIT_CASE(vmem_debugfs_freelists_file),
	KUNIT_CASE(vmem_debugfs_hash_file),
	KUNIT_CASE(vmem_debugfs_qcache_file),
	KUNIT_CASE(vmem_debugfs_arenas_file),
	KUNIT_CASE(vmem_debugfs_names),
	KUNIT_CASE_SLOW(vmem_debugfs_open_across_destroy),
	KUNIT_CASE_SLOW(vmem_debugfs_race),
	KUNIT_CASE_SLOW(vmem_debugfs_big),
	{}
};

static struct kunit_suite vmem_debugfs_suite = {
	.name = "vmem_debugfs",
	.init = vkt_dfs_init,
	.test_cases = vmem_debugfs_cases,
};

kunit_test_suites(&vmem_debugfs_suite);

#endif /* CONFIG_DEBUG_FS */
