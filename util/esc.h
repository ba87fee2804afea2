#ifndef ADT_UTIL_ESC_H
#define ADT_UTIL_ESC_H

/*
 * Text from outside (a directory, a saved plan, a YAML file) shown on a
 * terminal: every control character (C0, DEL, and C1 as UTF-8 U+0080 to
 * U+009F, which some terminals obey as CSI) is written as \xNN or \u00NN,
 * so that data can neither drive the terminal (clear the screen, move the
 * cursor) nor start a line of its own and forge output.
 */

#include <stdbool.h>
#include <stdio.h>

/* True if s holds a byte esc_str would rewrite. */
bool esc_needed(const char *s);
/* s escaped, as a new string (free()). */
char *esc_str(const char *s);
/* Writes s escaped. */
void esc_fputs(const char *s, FILE *fp);

#endif
