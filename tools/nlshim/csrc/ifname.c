/*
 * ifname.c - interface name/index lookups answered by the daemon.
 *
 * iproute2 resolves names with its own RTM_GETLINK first and, when that
 * fails, falls back to if_nametoindex()/if_indextoname(). glibc answers
 * those from the host kernel (ioctl, or netlink through internal calls we
 * cannot interpose), which would leak the host's devices into the
 * daemon's namespace. So with NETSCHED_SOCKET set they ask the daemon, on
 * a private connection, the same RTM_GETLINK question.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nlshim.h"

#define REQ_SEQ 1

struct link {
	unsigned int index;
	char name[IF_NAMESIZE];
};

/* Called for every RTM_NEWLINK of the answer; nonzero stops the walk. */
typedef int (*link_fn)(const struct link *l, void *arg);

static int parse_link(const struct nlmsghdr *h, struct link *l)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *rta;
	int len;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -1;
	memset(l, 0, sizeof(*l));
	l->index = ifi->ifi_index;
	len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type != IFLA_IFNAME)
			continue;
		size_t n = strnlen(RTA_DATA(rta), RTA_PAYLOAD(rta));
		if (n == 0 || n >= sizeof(l->name))
			return -1;
		memcpy(l->name, RTA_DATA(rta), n);
		return 0;
	}
	return -1; /* a link without a name is no answer */
}

/*
 * Sends one RTM_GETLINK (by index, by name, or a dump when both are
 * unset) and walks the answer until NLMSG_DONE, NLMSG_ERROR or, for a
 * plain get, the first link. Returns 0, or -1 with errno (the daemon's
 * error, or the connection's).
 */
static int getlink(unsigned int index, const char *name, link_fn fn, void *arg)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
		char attrs[RTA_SPACE(IF_NAMESIZE)];
	} req;
	int dump = index == 0 && name == NULL;
	uint32_t portid;
	int fd, done = 0, rc = -1, err = 0;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
	req.h.nlmsg_seq = REQ_SEQ;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = index;
	if (name) {
		struct rtattr *rta = (struct rtattr *)req.attrs;
		size_t n = strlen(name) + 1; /* callers checked n <= IF_NAMESIZE */
		rta->rta_type = IFLA_IFNAME;
		rta->rta_len = RTA_LENGTH(n);
		memcpy(RTA_DATA(rta), name, n);
		req.h.nlmsg_len += RTA_ALIGN(rta->rta_len);
	}

	fd = shim_open(1, &portid);
	if (fd < 0)
		return -1;
	if (real.send(fd, &req, req.h.nlmsg_len, MSG_NOSIGNAL) < 0) {
		err = errno;
		goto out;
	}
	while (!done) {
		char *buf;
		ssize_t n = shim_recv_whole(fd, &buf);
		int len = (int)n;
		struct link l;

		if (n < 0) {
			err = errno;
			goto out;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; !done && NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != REQ_SEQ)
				continue; /* not ours (a notification) */
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				done = 1;
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					err = EPROTO;
				else if (e->error < 0)
					err = -e->error;
			} else if (h->nlmsg_type == RTM_NEWLINK) {
				if (parse_link(h, &l) == 0 && fn(&l, arg))
					done = 1;
				if (!dump)
					done = 1;
			}
		}
		free(buf);
	}
	rc = err ? -1 : 0;
out:
	real.close(fd);
	if (err)
		errno = err;
	return rc;
}

static int keep_first(const struct link *l, void *arg)
{
	*(struct link *)arg = *l;
	return 1;
}

unsigned int if_nametoindex(const char *name)
{
	struct link l = { 0 };

	if (!shim_path())
		return real.if_nametoindex(name);
	if (!name || !*name || strlen(name) >= IF_NAMESIZE) {
		errno = ENODEV;
		return 0;
	}
	if (getlink(0, name, keep_first, &l) < 0)
		return 0;
	if (l.index == 0) /* an answer without a link: treat as unknown */
		errno = ENODEV;
	return l.index;
}

char *if_indextoname(unsigned int index, char buf[IF_NAMESIZE])
{
	struct link l = { 0 };

	if (!shim_path())
		return real.if_indextoname(index, buf);
	/* Index 0 would be read as a dump request; no device has it anyway. */
	if (index == 0 || getlink(index, NULL, keep_first, &l) < 0 || !l.name[0]) {
		/* POSIX (and glibc) say ENXIO for "no such interface". */
		if (index == 0 || errno == ENODEV || !l.name[0])
			errno = ENXIO;
		return NULL;
	}
	memcpy(buf, l.name, IF_NAMESIZE);
	return buf;
}

struct list {
	struct if_nameindex *v;
	size_t n, cap;
	int failed;
};

static int append(const struct link *l, void *arg)
{
	struct list *ls = arg;

	/* Keep room for the {0, NULL} terminator. */
	if (ls->n + 1 >= ls->cap) {
		size_t cap = ls->cap ? 2 * ls->cap : 16;
		struct if_nameindex *v = realloc(ls->v, cap * sizeof(*v));
		if (!v) {
			ls->failed = 1;
			return 1;
		}
		ls->v = v;
		ls->cap = cap;
	}
	ls->v[ls->n].if_index = l->index;
	ls->v[ls->n].if_name = strdup(l->name);
	if (!ls->v[ls->n].if_name) {
		ls->failed = 1;
		return 1;
	}
	ls->n++;
	return 0;
}

/* Same layout as glibc's: malloc'ed array and names, ending in {0, NULL}. */
void if_freenameindex(struct if_nameindex *ifn)
{
	if (!shim_path()) {
		real.if_freenameindex(ifn);
		return;
	}
	if (!ifn)
		return;
	for (struct if_nameindex *p = ifn; p->if_index || p->if_name; p++)
		free(p->if_name);
	free(ifn);
}

struct if_nameindex *if_nameindex(void)
{
	struct list ls = { 0 };

	if (!shim_path())
		return real.if_nameindex();
	if (getlink(0, NULL, append, &ls) < 0 || ls.failed) {
		int err = ls.failed ? ENOBUFS : errno;
		if (ls.v) {
			ls.v[ls.n].if_index = 0;
			ls.v[ls.n].if_name = NULL;
			if_freenameindex(ls.v);
		}
		errno = err;
		return NULL;
	}
	if (!ls.v && !(ls.v = calloc(1, sizeof(*ls.v)))) {
		errno = ENOBUFS;
		return NULL;
	}
	ls.v[ls.n].if_index = 0;
	ls.v[ls.n].if_name = NULL;
	return ls.v;
}
