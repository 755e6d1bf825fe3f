/* thread.c - helper threads that leave signals to the main thread. */
#include "config.h"

#include "tcpflow-audit/thread.h"

#include <signal.h>

GThread *tfa_thread_new(const char *name, GThreadFunc func, gpointer data)
{
    /* a new thread inherits the creator's signal mask */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    GThread *t = g_thread_new(name, func, data);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return t;
}
