/*
 * nlshim: LD_PRELOAD library that turns rtnetlink sockets into connections
 * to the netsched daemon (see PROTOCOL.md). Declarations shared by the
 * source files:
 *   real.c   - resolving libc, the environment, the HELLO handshake
 *   sock.c   - the fd table; socket, close, dup, bind, sockopts, names
 *   io.c     - send and receive on shim fds
 *   ifname.c - if_nametoindex and friends answered by the daemon
 */
#ifndef NLSHIM_H
#define NLSHIM_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <net/if.h>

/*
 * Only the interposed libc names are exported; everything declared in
 * here stays inside the library so it cannot clash with the program.
 */
#pragma GCC visibility push(hidden)

/* Private message types of the daemon protocol (PROTOCOL.md). */
#define NSCHED_HELLO   0x7f00
#define NSCHED_SOCKOPT 0x7f01
#define NSCHED_BIND    0x7f02

/*
 * The libc functions we shadow, found with dlsym(RTLD_NEXT). Plain
 * pointer types are used on purpose: glibc's transparent sockaddr unions
 * have the same ABI.
 */
struct real_fns {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int,
			  const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*recvfrom)(int, void *, size_t, int,
			    struct sockaddr *, socklen_t *);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	int (*close)(int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	unsigned int (*if_nametoindex)(const char *);
	char *(*if_indextoname)(unsigned int, char *);
	struct if_nameindex *(*if_nameindex)(void);
	void (*if_freenameindex)(struct if_nameindex *);
};

extern struct real_fns real;

/*
 * Resolves `real` and reads NETSCHED_SOCKET, once. Returns the daemon
 * socket path, or NULL when the shim is switched off. Every interposer
 * calls this first, so it is also what makes `real` usable.
 */
const char *shim_path(void);

/*
 * Connects a new SOCK_SEQPACKET socket to the daemon and does the HELLO
 * exchange with NETSCHED_NETNS. Returns the fd and the port id, or -1
 * with errno set (from connect, or from the daemon's NLMSG_ERROR).
 */
int shim_open(int cloexec, uint32_t *portid);

/* Sends one NSCHED_* message (payload in host byte order). */
int shim_send_ctl(int fd, uint16_t type, const void *payload, size_t len);

/*
 * Receives one whole datagram into a malloc'd buffer (blocking). A hung
 * up daemon gives -1 with ECONNRESET.
 */
ssize_t shim_recv_whole(int fd, char **buf);

#define NLOPT_MAX 16 /* SOL_NETLINK flag options we remember, by optname */

/* Per socket state; dup'ed fds share it, as they share the socket. */
struct nlsock {
	int refs;
	int type;           /* SOCK_RAW or SOCK_DGRAM, as asked for */
	uint32_t portid;    /* from the daemon's HELLO answer */
	uint64_t groups;    /* bind() groups + ADD_MEMBERSHIP, groups 1..64 */
	int opts[NLOPT_MAX];
	dev_t dev;          /* identity of the unix socket, see shim_lookup() */
	ino_t ino;
};

/*
 * Copies the state of fd into *out and returns 1 if fd is a shim fd;
 * returns 0 (quickly) for every other fd or when the shim is off.
 */
int shim_lookup(int fd, struct nlsock *out);

/* Stores a sockaddr_nl as the kernel does: cut to *len, full size in *len. */
int shim_put_addr(struct sockaddr *addr, socklen_t *len, uint32_t pid,
		  uint32_t groups);

#pragma GCC visibility pop

#endif
