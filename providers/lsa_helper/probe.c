/*
 * Why a DC cannot be reached, in words.  Samba's connect reports a refused
 * port as NT_STATUS_NO_MEMORY and an unknown host as
 * NT_STATUS_OBJECT_NAME_NOT_FOUND, which also means a missing trust, and
 * waits 60 s for a host that drops packets; so the helper asks the network
 * itself: resolve the name, then one TCP connect to the SMB port.  It does
 * so before each login (one handshake) and after a failed connect.
 */
#include "providers/lsa_helper/helper.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 0 connected, else an errno (ETIMEDOUT when the deadline passed). */
static int
try_connect(const struct addrinfo *ai, int64_t deadline)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, e = 0, r;
	int64_t left;

	fd = socket(ai->ai_family,
	            ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            ai->ai_protocol);
	if (fd < 0)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto out;
	if (errno != EINPROGRESS) {
		e = errno;
		goto out;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	for (;;) {
		left = deadline - now_ms();
		if (left <= 0) {
			e = ETIMEDOUT;
			goto out;
		}
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			break;
		if (r < 0 && errno != EINTR) {
			e = errno;
			goto out;
		}
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
out:
	close(fd);
	return e;
}

bool
h_unreachable(const char *host, unsigned port, unsigned timeout_ms, char *why,
              size_t len)
{
	struct addrinfo hints, *res = NULL;
	char serv[16];
	int64_t deadline = now_ms() + timeout_ms;
	int g, e = 0;

	why[0] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%u", port);
	g = getaddrinfo(host, serv, &hints, &res);
	if (g != 0) {
		if (g == EAI_AGAIN)
			snprintf(why, len,
			         "name not resolved (no answer from DNS)");
		else if (g == EAI_SYSTEM)
			snprintf(why, len, "name not resolved (%s)",
			         strerror(errno));
		else
			snprintf(why, len, "name not resolved");
		return true;
	}
	/* the first address that answers wins, as in Samba's connect */
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		if ((e = try_connect(ai, deadline)) == 0)
			break;
	}
	freeaddrinfo(res);
	switch (e) {
	case 0:
		return false;
	case ECONNREFUSED:
		snprintf(why, len,
		         "connection refused on port %u (is the DC down?)",
		         port);
		break;
	case ETIMEDOUT:
		snprintf(why, len,
		         "connection to port %u timed out after %u s (DC down "
		         "or a firewall?)",
		         port, (timeout_ms + 999) / 1000);
		break;
	case EHOSTUNREACH:
	case ENETUNREACH:
		snprintf(why, len, "host unreachable (%s)", strerror(e));
		break;
	default:
		snprintf(why, len, "cannot connect to port %u: %s", port,
		         strerror(e));
		break;
	}
	return true;
}
