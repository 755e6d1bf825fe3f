/* message.c - diagnostics on stderr, one line each, git style. */
#include "config.h"

#include "tcpflow-audit/message.h"

#include <stdio.h>

static void emit(const char *prefix, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    fprintf(stderr, "tcpflow-audit: %s%s\n", prefix, msg);
    fflush(stderr);
}

void tfa_message_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error: ", fmt, ap);
    va_end(ap);
}

void tfa_message_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("warning: ", fmt, ap);
    va_end(ap);
}

void tfa_message_progress(guint64 done, guint64 total, guint64 frames, double elapsed_s)
{
    double mb = (double)done / 1e6;
    double rate = elapsed_s > 0 ? (double)frames / elapsed_s / 1e6 : 0;
    if (total > 0)
        fprintf(stderr, "\r\033[K%3.0f%%  %.1f of %.1f MB, %.2f M packets/s",
                100.0 * (double)done / (double)total, mb, (double)total / 1e6, rate);
    else
        fprintf(stderr, "\r\033[K%.1f MB, %.2f M packets/s", mb, rate);
    fflush(stderr);
}

void tfa_message_progress_clear(void)
{
    fputs("\r\033[K", stderr);
    fflush(stderr);
}
