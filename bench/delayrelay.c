/*
 * delayrelay.c -- a TCP relay that adds a fixed one-way delay, for kernels
 * without netem (bench/read_concurrency.sh -l relay).
 *
 *   delayrelay DELAY_MS LISTEN_IP:PORT=UPSTREAM_IP:PORT ...
 *
 * Every chunk read from either side is written to the other side DELAY_MS
 * after it arrived, in order, so a request/response round trip costs
 * 2*DELAY_MS, as with `tc qdisc add dev lo root netem delay DELAY_MS` on a
 * loopback path (each packet crosses lo's egress once).  The handshake with
 * the relay itself completes at once, so the client's first chunk is held
 * one extra round trip (2*DELAY_MS after the accept), as if connect() had
 * waited for SYN/SYN-ACK over the delayed link.
 *
 * netem costs no CPU time in user space; a relay does.  On a 2-core machine
 * the relay shares the cores with adtrust and the slapds it measures, so it
 * is one epoll loop in C: a few microseconds per chunk, no allocation
 * beyond the chunk itself.  Prints "ready" on stdout once listening; exits
 * on SIGTERM/SIGINT.
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_MAX 65536

struct chunk {
	struct chunk *next;
	int64_t due; /* CLOCK_MONOTONIC ns */
	size_t len, off;
	bool eof; /* the source sent FIN: shut the destination's write side */
	unsigned char data[];
};

/* One direction of a connection: read from fd, write to the peer's fd. */
/* epoll's data.ptr points at a listener or a flow: both begin with kind */
enum kind { LISTENER, FLOW };

struct flow {
	enum kind kind;
	int fd;
	struct flow *peer;
	struct conn *conn;
	struct chunk *head, *tail; /* waiting to be written to fd, due order */
	int64_t hold;    /* chunks read from fd are not due before this */
	bool read_done;  /* fd gave EOF or an error */
	bool write_done; /* FIN sent to fd */
	bool want_out;   /* EPOLLOUT registered */
};

struct conn {
	struct flow side[2]; /* [0] client, [1] upstream */
	bool dead; /* reset or hung up: freed at the top of the loop */
	struct conn *prev, *next;
};

struct listener {
	enum kind kind;
	int fd;
	struct sockaddr_in up;
};

static int64_t delay_ns;
static int ep;
static struct conn *conns;
static volatile sig_atomic_t stop;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
parse_addr(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host)) {
		fprintf(stderr, "delayrelay: bad address '%s'\n", s);
		exit(2);
	}
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
		fprintf(stderr, "delayrelay: bad address '%s'\n", s);
		exit(2);
	}
}

static void
watch(struct flow *f)
{
	struct epoll_event ev = {.data.ptr = f};

	ev.events = (f->read_done ? 0 : EPOLLIN) | (f->want_out ? EPOLLOUT : 0);
	if (epoll_ctl(ep, EPOLL_CTL_MOD, f->fd, &ev) < 0)
		die("epoll_ctl");
}

static void
conn_free(struct conn *c)
{
	for (int i = 0; i < 2; i++) {
		struct chunk *k, *n;

		for (k = c->side[i].head; k != NULL; k = n) {
			n = k->next;
			free(k);
		}
		close(c->side[i].fd); /* also leaves the epoll set */
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c);
}

/* Both directions finished (FIN relayed each way) or one side failed. */
static bool
conn_done(const struct conn *c)
{
	return c->side[0].write_done && c->side[1].write_done;
}

static void
on_readable(struct flow *f)
{
	unsigned char buf[CHUNK_MAX];
	ssize_t n = read(f->fd, buf, sizeof(buf));
	struct flow *to = f->peer;
	struct chunk *k;
	int64_t t = now_ns();

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		f->read_done = true;
		watch(f);
	}
	k = malloc(sizeof(*k) + (n > 0 ? (size_t)n : 0));
	if (k == NULL)
		die("malloc");
	k->next = NULL;
	k->due = (t > f->hold ? t : f->hold) + delay_ns;
	k->len = n > 0 ? (size_t)n : 0;
	k->off = 0;
	k->eof = n <= 0;
	if (n > 0)
		memcpy(k->data, buf, (size_t)n);
	if (to->tail != NULL)
		to->tail->next = k;
	else
		to->head = k;
	to->tail = k;
}

/*
 * Write what is due to f->fd, all of it in one writev: the receiver wakes
 * once per flush, as it would for the packets a qdisc releases together.
 * Returns false when the connection is over.
 */
static bool
flush_due(struct flow *f, int64_t t)
{
	struct chunk *k;

	while ((k = f->head) != NULL && k->due <= t) {
		struct iovec iov[64];
		size_t want = 0;
		ssize_t w;
		int n = 0;

		if (k->eof) {
			shutdown(f->fd, SHUT_WR);
			f->write_done = true;
			f->head = k->next;
			if (f->head == NULL)
				f->tail = NULL;
			free(k);
			continue;
		}
		for (; k != NULL && k->due <= t && !k->eof && n < 64;
		     k = k->next) {
			iov[n].iov_base = k->data + k->off;
			iov[n].iov_len = k->len - k->off;
			want += iov[n++].iov_len;
		}
		if ((w = writev(f->fd, iov, n)) < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN)
			return false; /* peer reset: drop the pair */
		for (ssize_t left = w; left > 0;) {
			k = f->head;
			if ((size_t)left < k->len - k->off) {
				k->off += (size_t)left;
				break;
			}
			left -= (ssize_t)(k->len - k->off);
			f->head = k->next;
			if (f->head == NULL)
				f->tail = NULL;
			free(k);
		}
		if (w < 0 || (size_t)w < want) { /* the socket is full */
			if (!f->want_out) {
				f->want_out = true;
				watch(f);
			}
			return true;
		}
	}
	if (f->want_out) {
		f->want_out = false;
		watch(f);
	}
	return true;
}

static void
add_fd(struct flow *f)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = f};

	if (epoll_ctl(ep, EPOLL_CTL_ADD, f->fd, &ev) < 0)
		die("epoll_ctl");
}

static void
on_accept(struct listener *l)
{
	int one = 1,
	    c = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int u;
	struct conn *p;

	if (c < 0)
		return;
	u = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* upstream is a local slapd: a blocking connect returns at once */
	if (u < 0 || connect(u, (struct sockaddr *)&l->up, sizeof(l->up)) < 0) {
		if (u >= 0)
			close(u);
		close(c);
		return;
	}
	if (fcntl(u, F_SETFL, fcntl(u, F_GETFL) | O_NONBLOCK) < 0)
		die("fcntl");
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		die("calloc");
	p->side[0].fd = c;
	p->side[1].fd = u;
	for (int i = 0; i < 2; i++) {
		p->side[i].kind = FLOW;
		p->side[i].peer = &p->side[!i];
		p->side[i].conn = p;
		setsockopt(p->side[i].fd, IPPROTO_TCP, TCP_NODELAY, &one,
		           sizeof(one));
	}
	/* the client's first bytes wait one round trip: the handshake's */
	p->side[0].hold = now_ns() + 2 * delay_ns;
	p->next = conns;
	if (conns != NULL)
		conns->prev = p;
	conns = p;
	add_fd(&p->side[0]);
	add_fd(&p->side[1]);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	struct listener *ls;
	struct sigaction sa = {.sa_handler = on_signal};

	if (argc < 3) {
		fprintf(stderr, "usage: delayrelay DELAY_MS "
		                "LISTEN_IP:PORT=UPSTREAM_IP:PORT ...\n");
		return 2;
	}
	delay_ns = (int64_t)(atof(argv[1]) * 1e6);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1");
	if ((ls = calloc((size_t)argc, sizeof(*ls))) == NULL)
		die("calloc");
	for (int i = 2; i < argc; i++) {
		struct listener *l = &ls[i];
		struct sockaddr_in at;
		char *eq = strchr(argv[i], '=');
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
		int one = 1;

		if (eq == NULL) {
			fprintf(stderr,
			        "delayrelay: '%s' is not LISTEN=UPSTREAM\n",
			        argv[i]);
			return 2;
		}
		*eq = '\0';
		parse_addr(argv[i], &at);
		parse_addr(eq + 1, &l->up);
		l->kind = LISTENER;
		l->fd = socket(AF_INET,
		               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (l->fd < 0)
			die("socket");
		setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(l->fd, (struct sockaddr *)&at, sizeof(at)) < 0 ||
		    listen(l->fd, 128) < 0)
			die(argv[i]);
		if (epoll_ctl(ep, EPOLL_CTL_ADD, l->fd, &ev) < 0)
			die("epoll_ctl");
	}
	printf("ready\n");
	fflush(stdout);

	while (!stop) {
		struct epoll_event evs[64];
		int64_t t = now_ns(), next = INT64_MAX;
		int timeout, n;

		/* what is due now goes out; then sleep until the next due chunk
		 */
		for (struct conn *c = conns, *cn; c != NULL; c = cn) {
			cn = c->next;
			if (c->dead || !flush_due(&c->side[0], t) ||
			    !flush_due(&c->side[1], t) || conn_done(c)) {
				conn_free(c);
				continue;
			}
			for (int i = 0; i < 2; i++)
				if (c->side[i].head != NULL &&
				    !c->side[i].want_out &&
				    c->side[i].head->due < next)
					next = c->side[i].head->due;
		}
		if (next == INT64_MAX)
			timeout = -1;
		else if (next <= t)
			timeout = 0;
		else /* round up: never wake before the chunk is due */
			timeout = (int)((next - t + 999999) / 1000000);
		n = epoll_wait(ep, evs, 64, timeout);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			enum kind *k = evs[i].data.ptr;

			if (*k == LISTENER) {
				on_accept((struct listener *)(void *)k);
				continue;
			}
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
				struct flow *f = (struct flow *)(void *)k;

				if (!f->read_done)
					on_readable(f);
				else if ((evs[i].events & EPOLLERR) ||
				         !f->write_done)
					f->conn->dead = true; /* reset */
				else /* shut both ways: the peer may still be
				        owed data; stop EPOLLHUP from firing */
					epoll_ctl(ep, EPOLL_CTL_DEL, f->fd,
					          NULL);
			}
			/* EPOLLOUT: the loop's flush writes the rest */
		}
	}
	while (conns != NULL)
		conn_free(conns);
	return 0;
}
