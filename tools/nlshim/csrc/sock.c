/*
 * sock.c - the socket interposers.
 *
 * A "shim fd" is a real AF_UNIX SOCK_SEQPACKET socket connected to the
 * daemon that the program believes is an AF_NETLINK/NETLINK_ROUTE socket.
 * Because it is a real fd, poll/select/epoll/fcntl need no help; only the
 * calls whose answers differ between the two kinds of socket are shadowed.
 *
 * No _GNU_SOURCE here: with it glibc declares the sockaddr arguments as
 * transparent unions and our definitions would not match the prototypes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "nlshim.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct entry {
	int fd;
	struct nlsock *s;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct entry *tab;
static size_t ntab, cap;
/* Lets read()/write() on ordinary fds skip the lock while no shim fd exists. */
static atomic_size_t nlive;

static struct entry *find_locked(int fd)
{
	for (size_t i = 0; i < ntab; i++)
		if (tab[i].fd == fd)
			return &tab[i];
	return NULL;
}

static void drop_locked(int fd)
{
	struct entry *e = find_locked(fd);

	if (!e)
		return;
	if (--e->s->refs == 0)
		free(e->s);
	*e = tab[--ntab];
	atomic_store(&nlive, ntab);
}

static int add_locked(int fd, struct nlsock *s)
{
	if (ntab == cap) {
		size_t ncap = cap ? 2 * cap : 8;
		struct entry *t = realloc(tab, ncap * sizeof(*t));
		if (!t)
			return -1;
		tab = t;
		cap = ncap;
	}
	s->refs++;
	tab[ntab].fd = fd;
	tab[ntab].s = s;
	ntab++;
	atomic_store(&nlive, ntab);
	return 0;
}

/*
 * Copies the state of fd into *out if fd is a shim fd. An fd can be closed
 * behind our back (fclose of an fdopen'ed stream, close_range, a raw
 * syscall) and its number reused, so a hit is confirmed against the unix
 * socket's inode; a stale entry is dropped.
 */
int shim_lookup(int fd, struct nlsock *out)
{
	struct nlsock *s = NULL;
	struct stat st;

	if (!shim_path() || atomic_load(&nlive) == 0 || fd < 0)
		return 0;
	pthread_mutex_lock(&mu);
	struct entry *e = find_locked(fd);
	if (e) {
		s = e->s;
		*out = *s;
	}
	pthread_mutex_unlock(&mu);
	if (!s)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_dev == out->dev && st.st_ino == out->ino)
		return 1;
	pthread_mutex_lock(&mu);
	e = find_locked(fd);
	if (e && e->s == s)
		drop_locked(fd);
	pthread_mutex_unlock(&mu);
	return 0;
}

/* Makes newfd share oldfd's state (after a successful dup). */
static void carry(int oldfd, int newfd)
{
	pthread_mutex_lock(&mu);
	drop_locked(newfd);
	struct entry *e = find_locked(oldfd);
	if (e)
		add_locked(newfd, e->s);
	pthread_mutex_unlock(&mu);
}

int socket(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct nlsock *s;
	struct stat st;
	uint32_t portid;
	int fd, ok;

	if (!shim_path() || domain != AF_NETLINK || protocol != NETLINK_ROUTE ||
	    (base != SOCK_RAW && base != SOCK_DGRAM))
		return real.socket(domain, type, protocol);

	/* Connect failures keep connect's errno, so the program reports them. */
	fd = shim_open(type & SOCK_CLOEXEC, &portid);
	if (fd < 0)
		return -1;
	/* Nonblocking only now: the HELLO exchange above must wait. */
	if (type & SOCK_NONBLOCK)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

	s = calloc(1, sizeof(*s));
	if (!s || fstat(fd, &st) < 0) {
		free(s);
		real.close(fd);
		errno = ENOMEM;
		return -1;
	}
	s->type = base;
	s->portid = portid;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	pthread_mutex_lock(&mu);
	drop_locked(fd); /* a stale entry for a reused number */
	ok = add_locked(fd, s) == 0;
	pthread_mutex_unlock(&mu);
	if (!ok) {
		free(s);
		real.close(fd);
		errno = ENOMEM;
		return -1;
	}
	return fd;
}

int close(int fd)
{
	/* Forget first: once closed, the number may be handed out again. */
	if (shim_path() && atomic_load(&nlive) > 0) {
		pthread_mutex_lock(&mu);
		drop_locked(fd);
		pthread_mutex_unlock(&mu);
	}
	return real.close(fd);
}

int dup(int fd)
{
	struct nlsock s;
	int nfd;

	shim_path(); /* resolves real.* if nothing else has yet */
	nfd = real.dup(fd);
	if (nfd >= 0 && shim_lookup(fd, &s))
		carry(fd, nfd);
	return nfd;
}

int dup2(int fd, int nfd)
{
	struct nlsock s;
	int r;

	shim_path();
	r = real.dup2(fd, nfd);
	if (r >= 0 && fd != nfd && shim_path() && atomic_load(&nlive) > 0) {
		if (shim_lookup(fd, &s))
			carry(fd, nfd);
		else {
			pthread_mutex_lock(&mu);
			drop_locked(nfd); /* nfd was closed by dup2 */
			pthread_mutex_unlock(&mu);
		}
	}
	return r;
}

int dup3(int fd, int nfd, int flags)
{
	struct nlsock s;
	int r;

	shim_path();
	r = real.dup3(fd, nfd, flags);
	if (r >= 0 && shim_path() && atomic_load(&nlive) > 0) {
		if (shim_lookup(fd, &s))
			carry(fd, nfd);
		else {
			pthread_mutex_lock(&mu);
			drop_locked(nfd);
			pthread_mutex_unlock(&mu);
		}
	}
	return r;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_nl *nl = (const struct sockaddr_nl *)addr;
	struct nlsock s;
	uint32_t groups;

	if (!shim_lookup(fd, &s))
		return real.bind(fd, addr, len);
	/* The checks netlink_bind() makes. The port id is the daemon's. */
	if (!addr || len < sizeof(*nl) || nl->nl_family != AF_NETLINK) {
		errno = EINVAL;
		return -1;
	}
	groups = nl->nl_groups;
	pthread_mutex_lock(&mu);
	struct entry *e = find_locked(fd);
	if (e) /* bind replaces groups 1..32, keeps ADD_MEMBERSHIP above */
		e->s->groups = (e->s->groups & ~(uint64_t)0xffffffff) | groups;
	pthread_mutex_unlock(&mu);
	return shim_send_ctl(fd, NSCHED_BIND, &groups, sizeof(groups));
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct nlsock s;

	if (!shim_lookup(fd, &s))
		return real.connect(fd, addr, len);
	/* Only the kernel (the daemon) is reachable; accept as netlink does. */
	if (addr && len >= sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC)
		return 0;
	if (!addr || len < sizeof(struct sockaddr_nl) ||
	    addr->sa_family != AF_NETLINK) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int shim_put_addr(struct sockaddr *addr, socklen_t *len, uint32_t pid,
		  uint32_t groups)
{
	struct sockaddr_nl nl = {
		.nl_family = AF_NETLINK, .nl_pid = pid, .nl_groups = groups,
	};

	if (!addr || !len) {
		errno = EFAULT;
		return -1;
	}
	memcpy(addr, &nl, *len < sizeof(nl) ? *len : sizeof(nl));
	*len = sizeof(nl);
	return 0;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct nlsock s;

	if (!shim_lookup(fd, &s))
		return real.getsockname(fd, addr, len);
	/* iproute2 insists on addrlen == sizeof(struct sockaddr_nl). */
	return shim_put_addr(addr, len, s.portid, (uint32_t)s.groups);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct nlsock s;

	if (!shim_lookup(fd, &s))
		return real.getpeername(fd, addr, len);
	return shim_put_addr(addr, len, 0, 0);
}

static void set_bufsize(int fd, int name, int fallback, const void *val,
			socklen_t len)
{
	int err = errno;

	/* The *FORCE variants need CAP_NET_ADMIN; fall back silently. */
	if (real.setsockopt(fd, SOL_SOCKET, name, val, len) < 0 && fallback)
		real.setsockopt(fd, SOL_SOCKET, fallback, val, len);
	errno = err;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct nlsock s;
	int v;

	if (!shim_lookup(fd, &s))
		return real.setsockopt(fd, level, name, val, len);

	if (level == SOL_NETLINK) {
		if (!val || len < sizeof(int)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(&v, val, sizeof(v));
		pthread_mutex_lock(&mu);
		struct entry *e = find_locked(fd);
		if (e) {
			uint64_t bit = (v >= 1 && v <= 64) ? (uint64_t)1 << (v - 1) : 0;
			if (name == NETLINK_ADD_MEMBERSHIP)
				e->s->groups |= bit;
			else if (name == NETLINK_DROP_MEMBERSHIP)
				e->s->groups &= ~bit;
			else if (name >= 0 && name < NLOPT_MAX)
				e->s->opts[name] = v != 0;
		}
		pthread_mutex_unlock(&mu);
		uint32_t p[2] = { (uint32_t)name, (uint32_t)v };
		return shim_send_ctl(fd, NSCHED_SOCKOPT, p, sizeof(p));
	}
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_SNDBUF:
		case SO_RCVBUF:
			set_bufsize(fd, name, 0, val, len);
			break;
		case SO_SNDBUFFORCE:
			set_bufsize(fd, name, SO_SNDBUF, val, len);
			break;
		case SO_RCVBUFFORCE:
			set_bufsize(fd, name, SO_RCVBUF, val, len);
			break;
		}
	}
	/* Anything else (filters, timestamps, ...) is accepted and ignored. */
	return 0;
}

static int put_int(void *val, socklen_t *len, int v)
{
	if (!val || !len) {
		errno = EFAULT;
		return -1;
	}
	if (*len < sizeof(int)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct nlsock s;

	if (!shim_lookup(fd, &s))
		return real.getsockopt(fd, level, name, val, len);

	if (level == SOL_SOCKET) {
		/* Keep up the pretence for programs that check what they hold. */
		if (name == SO_DOMAIN)
			return put_int(val, len, AF_NETLINK);
		if (name == SO_PROTOCOL)
			return put_int(val, len, NETLINK_ROUTE);
		if (name == SO_TYPE)
			return put_int(val, len, s.type);
		return real.getsockopt(fd, level, name, val, len);
	}
	if (level != SOL_NETLINK)
		return real.getsockopt(fd, level, name, val, len);

	switch (name) {
	case NETLINK_LIST_MEMBERSHIPS: {
		uint32_t g[2] = { (uint32_t)s.groups, (uint32_t)(s.groups >> 32) };
		if (!val || !len) {
			errno = EFAULT;
			return -1;
		}
		memcpy(val, g, *len < sizeof(g) ? *len : sizeof(g));
		*len = sizeof(g);
		return 0;
	}
	case NETLINK_PKTINFO:
	case NETLINK_BROADCAST_ERROR:
	case NETLINK_NO_ENOBUFS:
	case NETLINK_LISTEN_ALL_NSID:
	case NETLINK_CAP_ACK:
	case NETLINK_EXT_ACK:
	case NETLINK_GET_STRICT_CHK:
		return put_int(val, len, s.opts[name]);
	}
	errno = ENOPROTOOPT;
	return -1;
}
