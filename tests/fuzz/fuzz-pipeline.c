/* fuzz-pipeline.c - a whole capture file from memory through every stage,
 * with every output format written to /dev/null.  Built as a libFuzzer
 * target with --enable-fuzzing, as a seed replayer otherwise. */
#include "config.h"

#include "tcpflow-audit/capture.h"
#include "tcpflow-audit/engine.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/report.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const TfaFormat formats[] = {TFA_FORMAT_JSONL, TFA_FORMAT_CSV, TFA_FORMAT_TEXT};
    FILE *null = fopen("/dev/null", "w");
    if (null == NULL)
        return 0;
    for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
        TfaOptions opts;
        tfa_options_init(&opts);
        opts.max_conns = 64; /* exercise eviction */
        opts.max_anomalies_per_conn = 4;
        opts.format = formats[i];
        opts.color = TFA_COLOR_NEVER;
        TfaCapture *cap = tfa_capture_new_memory(data, size, NULL, NULL);
        if (cap == NULL)
            break;
        TfaReporter *rep = tfa_reporter_new(opts.format, null, &opts);
        TfaEngine *engine = tfa_engine_new(&opts, cap, rep);
        GError *error = NULL;
        (void)tfa_engine_run(engine, &error);
        g_clear_error(&error);
        tfa_engine_free(engine);
    }
    fclose(null);
    return 0;
}
