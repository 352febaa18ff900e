/*
 * probe.c - exercises the parts of nlshim that tc and ip do not reach
 * (if_nameindex, dup, peeking, EOF, sockopt read-back). Built and run by
 * shim_test.go against its fake daemon, which knows one device: fake0,
 * index 7. Prints one line per check; the test compares the whole output.
 *
 * The test builds it with -D_FORTIFY_SOURCE=2, and the lengths marked
 * "runtime" below keep gcc from proving the buffers big enough, so those
 * calls go to glibc's __recv_chk/__read_chk, which the shim also covers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const char *errname(int e)
{
	switch (e) {
	case ENODEV: return "ENODEV";
	case ENXIO: return "ENXIO";
	case EAGAIN: return "EAGAIN";
	case ECONNRESET: return "ECONNRESET";
	default: return strerror(e);
	}
}

static int getint(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) < 0)
		return -errno;
	return v;
}

static void send_link_dump(int fd)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
	} req = {
		.h.nlmsg_len = sizeof(req),
		.h.nlmsg_type = RTM_GETLINK,
		.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.h.nlmsg_seq = 42,
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) != sizeof(req))
		printf("sendto failed: %s\n", strerror(errno));
}

int main(void)
{
	char name[IF_NAMESIZE];
	char buf[8192];
	volatile size_t one_byte = 1, room = sizeof(buf); /* runtime lengths */
	unsigned int idx;

	idx = if_nametoindex("fake0");
	printf("if_nametoindex fake0: %u\n", idx);
	errno = 0;
	idx = if_nametoindex("lo");
	printf("if_nametoindex lo: %u %s\n", idx, errname(errno));
	printf("if_indextoname 7: %s\n", if_indextoname(7, name) ? name : "NULL");
	errno = 0;
	const char *got = if_indextoname(1, name);
	printf("if_indextoname 1: %s %s\n", got ? got : "NULL", errname(errno));

	struct if_nameindex *ni = if_nameindex();
	for (struct if_nameindex *p = ni; p && p->if_index; p++)
		printf("if_nameindex: %u %s\n", p->if_index, p->if_name);
	if_freenameindex(ni);

	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		printf("socket: %s\n", strerror(errno));
		return 1;
	}
	struct sockaddr_nl local = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int one = 1, group = 5;
	bind(fd, (struct sockaddr *)&local, sizeof(local));
	/* As in the kernel, getsockname's nl_groups shows both: 0x1 | 1 << 4. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group));
	socklen_t alen = sizeof(local);
	memset(&local, 0, sizeof(local));
	getsockname(fd, (struct sockaddr *)&local, &alen);
	printf("getsockname: family %d pid>0 %d groups %u len %u\n", local.nl_family,
	       local.nl_pid > 0, local.nl_groups, alen);
	printf("getsockopt: ext_ack %d strict %d domain %d protocol %d\n",
	       getint(fd, SOL_NETLINK, NETLINK_EXT_ACK),
	       getint(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK),
	       getint(fd, SOL_SOCKET, SO_DOMAIN), getint(fd, SOL_SOCKET, SO_PROTOCOL));
	uint32_t groups[2] = { 0, 0 };
	alen = sizeof(groups);
	getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &alen);
	printf("memberships: %#x\n", groups[0]);

	/* A dup'ed fd is the same netlink socket, also after the original closes. */
	int fd2 = dup(fd);
	close(fd);
	char c;
	ssize_t n = recv(fd2, &c, one_byte, MSG_DONTWAIT);
	printf("recv empty: %zd %s\n", n, errname(errno));

	send_link_dump(fd2);
	struct sockaddr_nl from;
	struct iovec iov = { NULL, 0 };
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t full = recvmsg(fd2, &msg, MSG_PEEK | MSG_TRUNC);
	printf("peek: len>16 %d namelen %u family %d pid %u\n", full > 16,
	       msg.msg_namelen, from.nl_family, from.nl_pid);
	iov.iov_base = buf;
	iov.iov_len = 16;
	msg.msg_namelen = sizeof(from);
	n = recvmsg(fd2, &msg, 0);
	printf("short read: %zd trunc %d\n", n, !!(msg.msg_flags & MSG_TRUNC));

	send_link_dump(fd2);
	n = read(fd2, buf, room);
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	printf("read: same length %d type %d seq %u\n", n == full, h->nlmsg_type,
	       h->nlmsg_seq);

	/* dup2 carries the entry, and overwriting it forgets it. */
	int inet = socket(AF_INET, SOCK_DGRAM, 0);
	dup2(fd2, 100);
	alen = sizeof(local);
	getsockname(100, (struct sockaddr *)&local, &alen);
	printf("dup2 shim: family %d\n", local.nl_family);
	dup2(inet, 100);
	struct sockaddr_in sin;
	alen = sizeof(sin);
	getsockname(100, (struct sockaddr *)&sin, &alen);
	printf("dup2 inet: family %d\n", sin.sin_family);
	close(100);
	close(inet);
	close(fd2);

	/* The fake daemon hangs up right after HELLO for namespace "eof". */
	setenv("NETSCHED_NETNS", "eof", 1);
	fd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
	n = recv(fd, buf, sizeof(buf), 0);
	printf("hung up: %zd %s\n", n, errname(errno));
	close(fd);
	return 0;
}
