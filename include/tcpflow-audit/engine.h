/* engine.h - owns every stage and runs the packet loop (DESIGN.md §2).
 *
 * The engine is the only code that calls more than one stage: capture ->
 * decode (-> IP reassembly, defrag.h; -> IPComp inflation, ipcomp.h) ->
 * conntrack -> (later stages) -> retired connections -> records ->
 * reporters.  It owns the capture, the connection table, the reassembly
 * pool, the stats and the reporters; it borrows the options and the output
 * streams from main.
 */
#pragma once

#include <signal.h>

#include <glib.h>

#include "tcpflow-audit/capture.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/report.h"

typedef struct TfaEngine TfaEngine;

/* How a run ended, for main's exit status. */
typedef enum TfaRunResult {
    TFA_RUN_OK = 0,        /* every input read cleanly */
    TFA_RUN_DAMAGED,       /* some input damaged or unreadable; every record emitted */
    TFA_RUN_FAILED,        /* fatal setup or I/O failure (*error set) */
    TFA_RUN_PIPE_CLOSED,   /* the reader of our output went away */
    TFA_RUN_FAIL_ON,       /* clean input, but a connection reached --fail-on */
    TFA_RUN_INTERRUPTED,   /* files: a signal stopped reading before the end (said on
                            * stderr); every record of what was read emitted */
} TfaRunResult;

/* Takes ownership of @cap and @rep. */
TfaEngine *tfa_engine_new(const TfaOptions *opts, TfaCapture *cap, TfaReporter *rep);
void tfa_engine_free(TfaEngine *engine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TfaEngine, tfa_engine_free)

TfaRunResult tfa_engine_run(TfaEngine *engine, GError **error);

/* The two steps tfa_engine_run() repeats, public so tests can drive the
 * engine with their own frames and clock:
 * tfa_engine_frame() analyses one frame (capture time = its timestamp);
 * tfa_engine_tick() is the live read timeout: capture time follows the wall
 * clock @now_ns (never backwards), connections closed longer than
 * --close-linger or idle longer than --idle-timeout are retired.  Both then
 * write the records of retired connections; FALSE (and *error) when the
 * output cannot be written. */
gboolean tfa_engine_frame(TfaEngine *engine, const TfaFrame *frame, GError **error);
gboolean tfa_engine_tick(TfaEngine *engine, TfaTs now_ns, GError **error);

/* The loop checks *@flag before every frame (and at least every live read
 * timeout); when it is non-zero, reading stops and every open connection is
 * reported as it is.  Set from a signal handler; borrowed for the run. */
void tfa_engine_set_stop_flag(TfaEngine *engine, const volatile sig_atomic_t *flag);
