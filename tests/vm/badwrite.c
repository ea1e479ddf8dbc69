// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw-badwrite: exact writes for tests/vm/badinput.sh, which the shell
 * cannot make: any byte string (NUL included), 1 MiB in one write(), several
 * write()s on one open file, buffers the kernel cannot read, many writers at
 * once, a module load with any parameter string, and file descriptors that
 * change hands (to another user, from another user namespace). Each result
 * is printed as the byte count write() returned or the errno's name. And one
 * read the shell cannot measure: what opening /proc/tcptw charges to the
 * reader's memory cgroup (cgread).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SPEC_BYTES	(64 << 20)
#define MAX_WRITERS	64
#define READ_CHUNK	65536

static const char usage_text[] =
	"usage: tcptw-badwrite write FILE SPEC...     one open(O_WRONLY), one write() per SPEC\n"
	"       tcptw-badwrite pwrite FILE OFFSET SPEC\n"
	"       tcptw-badwrite hammer WRITERS ROUNDS FILE SPEC [FILE SPEC...]\n"
	"       tcptw-badwrite insmod MODULE PARAMS   finit_module(MODULE, PARAMS)\n"
	"       tcptw-badwrite open FILE r|w\n"
	"       tcptw-badwrite dropuid UID FILE SPEC  open, setuid(UID), then write\n"
	"       tcptw-badwrite passfd FILE SPEC       FILE opened in a new user namespace\n"
	"                                             (uid 0 -> 0), written here\n"
	"       tcptw-badwrite runas UID PROG ARGS... PROG as UID (and gid UID), no groups\n"
	"       tcptw-badwrite cgread CGROUP FILE      FILE opened and read from CGROUP\n"
	"\n"
	"SPEC is the bytes to write, with \\n \\r \\t \\\\ \\0 and \\xHH escapes, or:\n"
	"  @rep:COUNT:TEXT   TEXT (escapes allowed) repeated COUNT times\n"
	"  @pad:SIZE:TEXT    TEXT, then NULs up to SIZE bytes\n"
	"  @fault:COUNT      COUNT bytes from an address that is not mapped\n"
	"  @edge:TEXT        TEXT ends a mapped page, the write asks one byte more\n"
	"  @empty            nothing: write(fd, \"\", 0)\n"
	"  @read             (hammer) open read-only and read to the end instead\n"
	"\n"
	"write prints one result per write(), space separated: the count it\n"
	"returned or an errno name (EINVAL ...); open:ERRNO when open() failed.\n"
	"hammer forks WRITERS processes released at once; writer i writes the\n"
	"(FILE, SPEC) pair i modulo the number of pairs, ROUNDS times, each time\n"
	"open, write, close; it prints \"RESULT COUNT\" lines summed over writers.\n"
	"insmod prints ok or the errno; open prints ok or the errno.\n"
	"cgread touches its buffer, joins the cgroup v2 directory CGROUP, opens and\n"
	"reads FILE there, goes back to the root cgroup and prints FILE's bytes on\n"
	"stdout; on stderr \"cgread before B held H after A\" (CGROUP's memory.current\n"
	"before open(), with FILE open, after close()) or \"cgread open ERRNO\".\n";

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("tcptw-badwrite: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

#define E(name) [name] = #name
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT),
	E(EBUSY), E(EEXIST), E(ENODEV), E(EISDIR), E(EINVAL), E(ENOSPC),
	E(ESPIPE), E(EROFS), E(EPIPE), E(ERANGE), E(ENOSYS), E(EKEYREJECTED),
	E(EOPNOTSUPP), E(EMSGSIZE), E(EOVERFLOW),
};

static const char *errno_name(int err)
{
	static char buf[16];

	if (err > 0 && (size_t)err < sizeof(errno_names) / sizeof(errno_names[0]) &&
	    errno_names[err])
		return errno_names[err];
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

struct spec {
	const char *buf;	/* what write() is given */
	size_t len;
	int read;		/* @read: read the file instead */
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescape @s into a new buffer; returns its length. */
static size_t unescape(const char *s, char **out)
{
	char *buf = malloc(strlen(s) + 1);
	size_t n = 0;

	if (!buf)
		die("out of memory");
	while (*s) {
		if (*s != '\\') {
			buf[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': buf[n++] = '\n'; s++; break;
		case 'r': buf[n++] = '\r'; s++; break;
		case 't': buf[n++] = '\t'; s++; break;
		case '0': buf[n++] = '\0'; s++; break;
		case '\\': buf[n++] = '\\'; s++; break;
		case 'x':
			if (hexval(s[1]) < 0 || hexval(s[2]) < 0)
				die("bad \\x escape");
			buf[n++] = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
			break;
		default:
			die("bad escape \\%c", *s ? *s : '0');
		}
	}
	*out = buf;
	return n;
}

/* A page that is mapped, followed by one that is not. */
static char *guarded_page(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + page, page, PROT_NONE))
		die("mmap: %s", strerror(errno));
	return p;
}

static size_t parse_count(const char *s, size_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || (*end && *end != ':') || v > max)
		die("bad count '%s'", s);
	return v;
}

static struct spec parse_spec(const char *s)
{
	long page = sysconf(_SC_PAGESIZE);
	struct spec sp = { 0 };
	char *text;
	size_t len;

	if (!strcmp(s, "@read")) {
		sp.read = 1;
	} else if (!strcmp(s, "@empty")) {
		sp.buf = "";
	} else if (!strncmp(s, "@rep:", 5)) {
		const char *colon = strchr(s + 5, ':');
		size_t count = parse_count(s + 5, MAX_SPEC_BYTES), i;
		char *buf;

		if (!colon)
			die("@rep:COUNT:TEXT");
		len = unescape(colon + 1, &text);
		if (!len || count > MAX_SPEC_BYTES / len)
			die("@rep too large");
		buf = malloc(count * len + 1);
		if (!buf)
			die("out of memory");
		for (i = 0; i < count; i++)
			memcpy(buf + i * len, text, len);
		free(text);
		sp.buf = buf;
		sp.len = count * len;
	} else if (!strncmp(s, "@pad:", 5)) {
		const char *colon = strchr(s + 5, ':');
		size_t size = parse_count(s + 5, MAX_SPEC_BYTES);
		char *buf;

		if (!colon)
			die("@pad:SIZE:TEXT");
		len = unescape(colon + 1, &text);
		if (len > size)
			die("@pad text longer than SIZE");
		buf = calloc(1, size + 1);
		if (!buf)
			die("out of memory");
		memcpy(buf, text, len);
		free(text);
		sp.buf = buf;
		sp.len = size;
	} else if (!strncmp(s, "@fault:", 7)) {
		char *p = guarded_page();

		sp.len = parse_count(s + 7, page);
		sp.buf = p + page;	/* the unmapped one */
	} else if (!strncmp(s, "@edge:", 6)) {
		char *p = guarded_page();

		len = unescape(s + 6, &text);
		if (len >= (size_t)page)
			die("@edge text too long");
		memcpy(p + page - len, text, len);
		free(text);
		sp.buf = p + page - len;
		sp.len = len + 1;
	} else if (s[0] == '@') {
		die("unknown spec '%s'", s);
	} else {
		sp.len = unescape(s, &text);
		sp.buf = text;
	}
	return sp;
}

static void print_result(ssize_t ret, int err, int first)
{
	if (!first)
		putchar(' ');
	if (ret < 0)
		fputs(errno_name(err), stdout);
	else
		printf("%zd", ret);
}

/* FILE opened for writing, or -1 after printing "open:ERRNO". */
static int open_for_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		printf("open:%s\n", errno_name(errno));
	return fd;
}

static int cmd_write(int argc, char **argv)
{
	int fd, i;

	if (argc < 2)
		usage();
	fd = open_for_write(argv[0]);
	if (fd < 0)
		return 0;
	for (i = 1; i < argc; i++) {
		struct spec sp = parse_spec(argv[i]);
		ssize_t ret = write(fd, sp.buf, sp.len);

		print_result(ret, errno, i == 1);
	}
	putchar('\n');
	close(fd);
	return 0;
}

static int cmd_pwrite(int argc, char **argv)
{
	struct spec sp;
	ssize_t ret;
	int fd;

	if (argc != 3)
		usage();
	fd = open_for_write(argv[0]);
	if (fd < 0)
		return 0;
	sp = parse_spec(argv[2]);
	ret = pwrite(fd, sp.buf, sp.len, (off_t)parse_count(argv[1], 1 << 30));
	print_result(ret, errno, 1);
	putchar('\n');
	close(fd);
	return 0;
}

/* One round of a hammer writer: the result as text. */
static const char *hammer_once(const char *file, const struct spec *sp)
{
	static char buf[READ_CHUNK], res[32];
	ssize_t ret;
	int fd;

	fd = open(file, (sp->read ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	if (fd < 0) {
		snprintf(res, sizeof(res), "open:%s", errno_name(errno));
		return res;
	}
	if (sp->read) {
		do {
			ret = read(fd, buf, sizeof(buf));
		} while (ret > 0);
		snprintf(res, sizeof(res), "%s",
			 ret < 0 ? errno_name(errno) : "read");
	} else {
		ret = write(fd, sp->buf, sp->len);
		if (ret < 0)
			snprintf(res, sizeof(res), "%s", errno_name(errno));
		else
			snprintf(res, sizeof(res), "%zd", ret);
	}
	close(fd);
	return res;
}

static int cmd_hammer(int argc, char **argv)
{
	int writers, rounds, pairs, i, go[2], out[2], status, bad = 0;
	char line[128], names[16][32];
	long counts[16];
	int nnames = 0;
	FILE *in;

	if (argc < 4 || (argc - 2) % 2)
		usage();
	writers = (int)parse_count(argv[0], MAX_WRITERS);
	rounds = (int)parse_count(argv[1], 1000000);
	pairs = (argc - 2) / 2;
	if (!writers || pipe(go) || pipe(out))
		die("pipe: %s", strerror(errno));
	for (i = 0; i < writers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			const char *file = argv[2 + 2 * (i % pairs)];
			struct spec sp = parse_spec(argv[3 + 2 * (i % pairs)]);
			char last[32] = "", msg[64];
			long same = 0;
			int r, n;

			close(go[1]);
			close(out[0]);
			/* All start together: the pipe's end closing is the signal. */
			if (read(go[0], msg, 1) < 0)
				_exit(1);
			/* Results summed per run of equal ones, one line each. */
			for (r = 0; r < rounds; r++) {
				const char *res = hammer_once(file, &sp);

				if (same && strcmp(res, last)) {
					n = snprintf(msg, sizeof(msg), "%s %ld\n", last, same);
					if (write(out[1], msg, n) != n)
						_exit(1);
					same = 0;
				}
				snprintf(last, sizeof(last), "%s", res);
				same++;
			}
			n = snprintf(msg, sizeof(msg), "%s %ld\n", last, same);
			_exit(write(out[1], msg, n) != n);
		}
	}
	close(go[0]);
	close(out[1]);
	close(go[1]);
	in = fdopen(out[0], "r");
	if (!in)
		die("fdopen: %s", strerror(errno));
	while (fgets(line, sizeof(line), in)) {
		char name[32];
		long c;
		int k;

		if (sscanf(line, "%31s %ld", name, &c) != 2)
			continue;
		for (k = 0; k < nnames && strcmp(names[k], name); k++)
			;
		if (k == nnames) {
			if (nnames == 16)
				die("too many distinct results");
			snprintf(names[nnames], sizeof(names[0]), "%s", name);
			counts[nnames++] = 0;
		}
		counts[k] += c;
	}
	fclose(in);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	for (i = 0; i < nnames; i++)
		printf("%s %ld\n", names[i], counts[i]);
	if (bad)
		die("a writer died");
	return 0;
}

static int cmd_insmod(int argc, char **argv)
{
	int fd;

	if (argc != 2)
		usage();
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", argv[0], strerror(errno));
	if (syscall(SYS_finit_module, fd, argv[1], 0))
		printf("%s\n", errno_name(errno));
	else
		printf("ok\n");
	close(fd);
	return 0;
}

static int cmd_open(int argc, char **argv)
{
	int fd;

	if (argc != 2 || (strcmp(argv[1], "r") && strcmp(argv[1], "w")))
		usage();
	fd = open(argv[0], (argv[1][0] == 'r' ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	if (fd < 0) {
		printf("%s\n", errno_name(errno));
		return 0;
	}
	printf("ok\n");
	close(fd);
	return 0;
}

static int cmd_dropuid(int argc, char **argv)
{
	struct spec sp;
	ssize_t ret;
	int fd;

	if (argc != 3)
		usage();
	sp = parse_spec(argv[2]);
	fd = open_for_write(argv[1]);
	if (fd < 0)
		return 0;
	if (setgroups(0, NULL) || setgid((gid_t)parse_count(argv[0], 1 << 30)) ||
	    setuid((uid_t)parse_count(argv[0], 1 << 30)))
		die("setuid: %s", strerror(errno));
	ret = write(fd, sp.buf, sp.len);
	print_result(ret, errno, 1);
	putchar('\n');
	return 0;
}

static int cmd_runas(int argc, char **argv)
{
	uid_t uid;

	if (argc < 2)
		usage();
	uid = (uid_t)parse_count(argv[0], 1 << 30);
	if (setgroups(0, NULL) || setgid((gid_t)uid) || setuid(uid))
		die("setuid: %s", strerror(errno));
	execvp(argv[1], argv + 1);
	die("%s: %s", argv[1], strerror(errno));
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(text);

	if (fd < 0 || write(fd, text, len) != len)
		die("%s: %s", path, strerror(errno));
	close(fd);
}

/* In a child: a new user namespace mapping uid and gid 0 to themselves. */
static int opener_in_userns(const char *file, int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "f", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (unshare(CLONE_NEWUSER))
		die("unshare(CLONE_NEWUSER): %s", strerror(errno));
	write_file("/proc/self/setgroups", "deny");
	write_file("/proc/self/uid_map", "0 0 1");
	write_file("/proc/self/gid_map", "0 0 1");
	fd = open_for_write(file);
	if (fd < 0) {
		iov.iov_base = "e";
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
		fflush(stdout);
		return sendmsg(sock, &msg, 0) != 1;
	}
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) != 1;
}

static int cmd_passfd(int argc, char **argv)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, tag = 0;
	struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	struct spec sp;
	int sv[2], fd, status;
	ssize_t ret;
	pid_t pid;

	if (argc != 2)
		usage();
	sp = parse_spec(argv[1]);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		die("socketpair: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(opener_in_userns(argv[0], sv[1]));
	close(sv[1]);
	if (recvmsg(sv[0], &msg, 0) != 1)
		die("recvmsg: %s", strerror(errno));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("the opener failed");
	if (tag != 'f')
		return 0;	/* it printed open:ERRNO */
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		die("no file descriptor received");
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	ret = write(fd, sp.buf, sp.len);
	print_result(ret, errno, 1);
	putchar('\n');
	return 0;
}

#define CGREAD_MAX	(16 << 20)

/* memory.current of cgroup directory @dir. */
static unsigned long long cg_current(const char *dir)
{
	char path[4096], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/memory.current", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		die("%s: %s", path, n ? strerror(errno) : "empty");
	close(fd);
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

/* Move this process into cgroup directory @dir. */
static void cg_join(const char *dir)
{
	char path[4096], pid[32];
	int fd, len;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	len = snprintf(pid, sizeof(pid), "%d\n", getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, pid, len) != len)
		die("%s: %s", path, strerror(errno));
	close(fd);
}

/*
 * Everything this process needs is allocated and touched before it joins the
 * cgroup, so the cgroup's memory.current moves only with what open() and
 * read() of FILE make the kernel allocate; it leaves before writing out (a
 * pipe's pages would be charged to the cgroup too).
 */
static int cmd_cgread(int argc, char **argv)
{
	unsigned long long before, held, after;
	char root[4096], *slash;
	size_t len = 0;
	ssize_t n = 0;
	char *buf;
	int fd;

	if (argc != 2)
		usage();
	snprintf(root, sizeof(root), "%s", argv[0]);
	slash = strrchr(root, '/');
	if (!slash || slash == root)
		die("%s: not a cgroup below the root", argv[0]);
	*slash = '\0';
	buf = malloc(CGREAD_MAX);
	if (!buf)
		die("out of memory");
	memset(buf, 0, CGREAD_MAX);
	cg_current(argv[0]);
	cg_join(argv[0]);
	before = cg_current(argv[0]);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		cg_join(root);
		fprintf(stderr, "cgread open %s\n", errno_name(err));
		return 1;
	}
	held = cg_current(argv[0]);
	while (len < CGREAD_MAX &&
	       (n = read(fd, buf + len, CGREAD_MAX - len)) > 0)
		len += n;
	if (n < 0)
		die("%s: %s", argv[1], strerror(errno));
	if (len == CGREAD_MAX)
		die("%s: larger than %d bytes", argv[1], CGREAD_MAX);
	close(fd);
	after = cg_current(argv[0]);
	cg_join(root);
	fprintf(stderr, "cgread before %llu held %llu after %llu\n",
		before, held, after);
	if (fwrite(buf, 1, len, stdout) != len)
		die("stdout: %s", strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "write"))
		return cmd_write(argc - 2, argv + 2);
	if (!strcmp(argv[1], "pwrite"))
		return cmd_pwrite(argc - 2, argv + 2);
	if (!strcmp(argv[1], "hammer"))
		return cmd_hammer(argc - 2, argv + 2);
	if (!strcmp(argv[1], "insmod"))
		return cmd_insmod(argc - 2, argv + 2);
	if (!strcmp(argv[1], "open"))
		return cmd_open(argc - 2, argv + 2);
	if (!strcmp(argv[1], "dropuid"))
		return cmd_dropuid(argc - 2, argv + 2);
	if (!strcmp(argv[1], "passfd"))
		return cmd_passfd(argc - 2, argv + 2);
	if (!strcmp(argv[1], "runas"))
		return cmd_runas(argc - 2, argv + 2);
	if (!strcmp(argv[1], "cgread"))
		return cmd_cgread(argc - 2, argv + 2);
	if (!strcmp(argv[1], "--help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	usage();
}
