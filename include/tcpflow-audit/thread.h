/* thread.h - the program's helper threads.
 *
 * The analysis runs on the main thread; helpers (the capture's read-ahead,
 * the report writer) never take signals, so Ctrl-C always reaches the
 * thread that handles it.  No state of its own.
 */
#pragma once

#include <glib.h>

/* g_thread_new() with every signal blocked in the new thread. */
GThread *tfa_thread_new(const char *name, GThreadFunc func, gpointer data);
