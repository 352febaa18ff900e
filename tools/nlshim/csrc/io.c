/*
 * io.c - sending and receiving on shim fds.
 *
 * No _GNU_SOURCE here, for the same reason as in sock.c.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "nlshim.h"

/* ---- sending ---------------------------------------------------------- */

/*
 * The netlink destination address means nothing here (and a connected
 * seqpacket socket rejects one), so it is dropped, as is any control data.
 * A seqpacket sendmsg gathers the whole iovec into one record: that is
 * the one datagram the daemon reads, exactly what netlink would carry.
 */
static ssize_t shim_sendmsg(int fd, const struct iovec *iov, size_t iovlen,
			    int flags)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov, .msg_iovlen = iovlen };
	size_t total = 0;
	ssize_t n;

	for (size_t i = 0; i < iovlen; i++)
		total += iov[i].iov_len;
	/* An empty record would read as EOF on the daemon side; netlink ignores it. */
	if (total == 0)
		return 0;
	n = real.sendmsg(fd, &m, (flags & MSG_DONTWAIT) | MSG_NOSIGNAL);
	if (n < 0 && errno == EPIPE)
		errno = ECONNRESET;
	return n;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct nlsock s;

	if (!msg || !shim_lookup(fd, &s))
		return real.sendmsg(fd, msg, flags);
	return shim_sendmsg(fd, msg->msg_iov, msg->msg_iovlen, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *addr, socklen_t alen)
{
	struct iovec iov = { (void *)buf, len };
	struct nlsock s;

	if (!shim_lookup(fd, &s))
		return real.sendto(fd, buf, len, flags, addr, alen);
	return shim_sendmsg(fd, &iov, 1, flags);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct iovec iov = { (void *)buf, len };
	struct nlsock s;

	if (!shim_lookup(fd, &s))
		return real.send(fd, buf, len, flags);
	return shim_sendmsg(fd, &iov, 1, flags);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	struct nlsock s;

	if (!shim_lookup(fd, &s))
		return real.write(fd, buf, len);
	return shim_sendmsg(fd, &iov, 1, 0);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct nlsock s;

	if (iovcnt < 0 || !shim_lookup(fd, &s))
		return real.writev(fd, iov, iovcnt);
	return shim_sendmsg(fd, iov, iovcnt, 0);
}

/* ---- receiving -------------------------------------------------------- */


/*
 * Receives one datagram into msg's iovec with netlink's answers:
 * - msg_name becomes the kernel's address {AF_NETLINK, pid 0, groups 0}
 *   with msg_namelen = sizeof(struct sockaddr_nl); iproute2 exits on any
 *   other length and drops replies whose sender pid is not 0.
 * - MSG_TRUNC in flags returns the real length, MSG_TRUNC in msg_flags
 *   reports a cut datagram (unix seqpacket behaves like netlink here).
 * - A hung up daemon is ECONNRESET, never 0: a netlink socket has no
 *   EOF, so callers treat 0 as a (strange) empty message, not an end.
 * To tell EOF from a datagram we always ask the kernel for MSG_TRUNC.
 */
static ssize_t shim_recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct msghdr m = { .msg_iov = msg->msg_iov, .msg_iovlen = msg->msg_iovlen };
	int rflags = (flags & (MSG_PEEK | MSG_DONTWAIT | MSG_ERRQUEUE)) | MSG_TRUNC;
	size_t room = 0;
	ssize_t n;

	for (size_t i = 0; i < msg->msg_iovlen; i++)
		room += msg->msg_iov[i].iov_len;
	n = real.recvmsg(fd, &m, rflags);
	if (n == 0) {
		errno = ECONNRESET;
		return -1;
	}
	if (n < 0)
		return -1;
	if (msg->msg_name) {
		socklen_t len = msg->msg_namelen;
		shim_put_addr(msg->msg_name, &len, 0, 0);
		msg->msg_namelen = len;
	}
	msg->msg_controllen = 0; /* no NETLINK_PKTINFO and friends */
	msg->msg_flags = m.msg_flags;
	if (!(flags & MSG_TRUNC) && (size_t)n > room)
		n = room;
	return n;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct nlsock s;

	if (!msg || !shim_lookup(fd, &s))
		return real.recvmsg(fd, msg, flags);
	return shim_recvmsg(fd, msg, flags);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		 struct sockaddr *addr, socklen_t *alen)
{
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct nlsock s;
	ssize_t n;

	if (!shim_lookup(fd, &s))
		return real.recvfrom(fd, buf, len, flags, addr, alen);
	if (addr && alen) {
		m.msg_name = addr;
		m.msg_namelen = *alen;
	}
	n = shim_recvmsg(fd, &m, flags);
	if (n >= 0 && addr && alen)
		*alen = m.msg_namelen;
	return n;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	struct nlsock s;

	if (!shim_lookup(fd, &s))
		return real.recv(fd, buf, len, flags);
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t read(int fd, void *buf, size_t len)
{
	struct nlsock s;

	if (!shim_lookup(fd, &s))
		return real.read(fd, buf, len);
	return recvfrom(fd, buf, len, 0, NULL, NULL);
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov, .msg_iovlen = iovcnt };
	struct nlsock s;

	if (iovcnt < 0 || !shim_lookup(fd, &s))
		return real.readv(fd, iov, iovcnt);
	return shim_recvmsg(fd, &m, 0);
}

/*
 * Fortified builds (_FORTIFY_SOURCE) call these instead, and glibc's own
 * versions would go straight to the system call past the shim.
 */
extern void __chk_fail(void) __attribute__((noreturn));

ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	if (len > buflen)
		__chk_fail();
	return recv(fd, buf, len, flags);
}

ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
		       struct sockaddr *addr, socklen_t *alen)
{
	if (len > buflen)
		__chk_fail();
	return recvfrom(fd, buf, len, flags, addr, alen);
}

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return read(fd, buf, len);
}
