/*
 * real.c - finding libc's functions, reading the environment, and talking
 * to the daemon at the level of whole datagrams (HELLO, control messages).
 *
 * This file needs _GNU_SOURCE for RTLD_NEXT; sock.c must not have it (see
 * there), which is why the dlsym work lives here.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "nlshim.h"

struct real_fns real;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char *sock_path; /* NULL: the shim does nothing at all */

static void init(void)
{
#define RESOLVE(name) (*(void **)&real.name = dlsym(RTLD_NEXT, #name))
	RESOLVE(socket);
	RESOLVE(bind);
	RESOLVE(connect);
	RESOLVE(getsockname);
	RESOLVE(getpeername);
	RESOLVE(setsockopt);
	RESOLVE(getsockopt);
	RESOLVE(send);
	RESOLVE(sendto);
	RESOLVE(sendmsg);
	RESOLVE(write);
	RESOLVE(writev);
	RESOLVE(recv);
	RESOLVE(recvfrom);
	RESOLVE(recvmsg);
	RESOLVE(read);
	RESOLVE(readv);
	RESOLVE(close);
	RESOLVE(dup);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(if_nametoindex);
	RESOLVE(if_indextoname);
	RESOLVE(if_nameindex);
	RESOLVE(if_freenameindex);
#undef RESOLVE

	/* Copied: the program may change its environment later. */
	const char *p = getenv("NETSCHED_SOCKET");
	if (p && *p)
		sock_path = strdup(p);
}


/* Resolve early, before the program starts threads of its own. */
__attribute__((constructor)) static void nlshim_ctor(void)
{
	pthread_once(&once, init);
}

const char *shim_path(void)
{
	pthread_once(&once, init);
	return sock_path;
}

int shim_send_ctl(int fd, uint16_t type, const void *payload, size_t len)
{
	static const char pad[NLMSG_ALIGNTO];
	struct nlmsghdr h = {
		.nlmsg_len = NLMSG_LENGTH(len),
		.nlmsg_type = type,
		.nlmsg_flags = NLM_F_REQUEST,
	};
	struct iovec iov[3] = {
		{ &h, sizeof(h) },
		{ (void *)payload, len },
		{ (void *)pad, NLMSG_ALIGN(len) - len },
	};
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 3 };
	ssize_t n;

	do
		n = real.sendmsg(fd, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

ssize_t shim_recv_whole(int fd, char **out)
{
	ssize_t n, got;
	char *buf;

	/* PEEK|TRUNC on a seqpacket socket tells the record's full size. */
	do
		n = real.recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		errno = ECONNRESET;
		return -1;
	}
	if (n < 0)
		return -1;
	buf = malloc(n);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	do
		got = real.recv(fd, buf, n, 0);
	while (got < 0 && errno == EINTR);
	if (got <= 0) {
		if (got == 0)
			errno = ECONNRESET;
		free(buf);
		return -1;
	}
	*out = buf;
	return got;
}

/* Reads the daemon's answer to HELLO: NSCHED_HELLO with the port id. */
static int read_hello(int fd, uint32_t *portid)
{
	const struct nlmsghdr *h;
	char *buf;
	ssize_t n = shim_recv_whole(fd, &buf);
	int ok = 0;

	if (n < 0)
		return -1;
	h = (const struct nlmsghdr *)buf;
	errno = EPROTO;
	if (NLMSG_OK(h, n) && h->nlmsg_type == NSCHED_HELLO &&
	    h->nlmsg_len >= NLMSG_LENGTH(sizeof(*portid))) {
		memcpy(portid, NLMSG_DATA(h), sizeof(*portid));
		ok = 1;
	} else if (NLMSG_OK(h, n) && h->nlmsg_type == NLMSG_ERROR &&
		   h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		/* e.g. an unknown namespace: pass the daemon's reason on. */
		const struct nlmsgerr *e = NLMSG_DATA(h);
		if (e->error < 0)
			errno = -e->error;
	}
	free(buf);
	return ok ? 0 : -1;
}

int shim_open(int cloexec, uint32_t *portid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = shim_path();
	const char *ns = getenv("NETSCHED_NETNS");
	int fd, err;

	if (!path) {
		errno = ENOENT;
		return -1;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (!ns)
		ns = "";

	fd = real.socket(AF_UNIX, SOCK_SEQPACKET | (cloexec ? SOCK_CLOEXEC : 0), 0);
	if (fd < 0)
		return -1;
	if (real.connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    shim_send_ctl(fd, NSCHED_HELLO, ns, strlen(ns) + 1) < 0 ||
	    read_hello(fd, portid) < 0) {
		err = errno;
		real.close(fd);
		errno = err;
		return -1;
	}
	return fd;
}
