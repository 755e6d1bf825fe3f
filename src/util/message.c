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

void tfa_message_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("", fmt, ap);
    va_end(ap);
}
