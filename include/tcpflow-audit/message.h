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
void tfa_message_note(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
