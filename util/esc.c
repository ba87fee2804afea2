#include "util/esc.h"

#include <stdlib.h>

#include "util/sbuf.h"

/* Length of the control sequence at s (1 or 2 bytes), or 0. */
static int
ctl_len(const unsigned char *s)
{
	if (s[0] < 0x20 || s[0] == 0x7f)
		return 1;
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2;
	return 0;
}

bool
esc_needed(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (ctl_len(p) > 0)
			return true;
	return false;
}

static void
escape(struct sbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = ctl_len(p);

		if (n == 0) {
			sbuf_addch(sb, (char)*p++);
			continue;
		}
		if (n == 1) {
			sbuf_adds(sb, "\\x");
		} else {
			sbuf_adds(sb, "\\u00");
			p++;
		}
		sbuf_addch(sb, hex[*p >> 4]);
		sbuf_addch(sb, hex[*p & 0x0f]);
		p++;
	}
}

char *
esc_str(const char *s)
{
	struct sbuf sb;

	sbuf_init(&sb);
	escape(&sb, s);
	return sbuf_detach(&sb, NULL);
}

void
esc_fputs(const char *s, FILE *fp)
{
	struct sbuf sb;

	if (!esc_needed(s)) {
		fputs(s, fp);
		return;
	}
	sbuf_init(&sb);
	escape(&sb, s);
	fputs(sb.buf, fp);
	sbuf_release(&sb);
}
