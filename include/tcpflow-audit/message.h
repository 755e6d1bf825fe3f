/* message.h - the one way diagnostics reach the user: stderr, git style
 * ("error: cannot read 'x.pcap': No such file or directory").
 *
 * Stages never print; only main.c and the engine call these.  Nothing here
 * is used on the per-packet path.
 */
#pragma once

#include <glib.h>

void tfa_message_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void tfa_message_warning(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* The progress line on a terminal's stderr: "\r 37% 123.4 of 333.0 MB,
 * 1.21 M packets/s".  @total 0 means unknown (stdin): bytes only.  Called
 * at most a few times a second, never per packet. */
void tfa_message_progress(guint64 done, guint64 total, guint64 frames, double elapsed_s);
/* Erase the progress line before anything else goes to stderr or the run ends. */
void tfa_message_progress_clear(void);
