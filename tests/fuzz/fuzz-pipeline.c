/* fuzz-pipeline.c - a whole capture file from memory through every stage,
 * with every output format written to /dev/null.  Built as a libFuzzer
 * target with --enable-fuzzing, as a seed replayer otherwise. */
#include "config.h"

#include "tcpflow-audit/capture.h"
#include "tcpflow-audit/engine.h"
#include "tcpflow-audit/extract.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/report.h"

#include "fuzz-common.h"

#include <dirent.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>

/* --extract for the JSONL pass: a private directory, emptied after each
 * input, with small caps so that they are reached. */
static char *extract_path;

static void remove_extract_dir(void)
{
    (void)rmdir(extract_path);
}

static int extract_dir(void)
{
    static int fd = -1;
    if (extract_path == NULL) {
        extract_path = g_dir_make_tmp("tfa-fuzz-extract-XXXXXX", NULL);
        if (extract_path != NULL) {
            fd = tfa_extract_open_dir(extract_path, NULL);
            atexit(remove_extract_dir);
        }
    }
    return fd;
}

static void empty_extract_dir(int fd)
{
    int dup_fd = fd >= 0 ? dup(fd) : -1;
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (d == NULL) {
        if (dup_fd >= 0)
            close(dup_fd);
        return;
    }
    rewinddir(d); /* the duplicate shares the offset the last listing left at the end */
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.')
            (void)unlinkat(fd, e->d_name, 0);
    }
    closedir(d);
}

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
        if (formats[i] == TFA_FORMAT_JSONL) {
            opts.extract_fd = extract_dir();
            opts.extract_max_bytes = 1u << 16;
            opts.extract_max_total = 1u << 18;
            opts.extract_fill = size % 2 == 0 ? 0 : -1;
        }
        TfaCapture *cap = tfa_capture_new_memory(data, size, NULL, NULL);
        if (cap == NULL)
            break;
        TfaReporter *rep = tfa_reporter_new(opts.format, null, &opts);
        TfaEngine *engine = tfa_engine_new(&opts, cap, rep);
        GError *error = NULL;
        (void)tfa_engine_run(engine, &error);
        g_clear_error(&error);
        tfa_engine_free(engine);
        if (opts.extract_fd >= 0)
            empty_extract_dir(opts.extract_fd);
    }
    fclose(null);
    return 0;
}
