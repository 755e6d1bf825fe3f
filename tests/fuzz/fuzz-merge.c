/* fuzz-merge.c - --merge over hostile shard outputs (merge.h).  Input: up to
 * 8 files separated by the line "--8<--"; each goes to a memfd, and the
 * merge reads them by their /proc/self/fd path (so they are seekable, as
 * files are) and writes to /dev/null.  Any outcome but a crash, a leak or a
 * json-glib critical is fine.  Built as a libFuzzer target with
 * --enable-fuzzing, as a seed replayer otherwise (tests/fuzz/replay-merge.sh
 * makes the seeds from shard runs over samples/, whole, cut and damaged). */
#define _GNU_SOURCE /* memfd_create, memmem */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tcpflow-audit/merge.h"
#include "tcpflow-audit/options.h"

#include "fuzz-common.h"

#define MAX_FILES 8
static const char sep[] = "\n--8<--\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fds[MAX_FILES];
    char *paths[MAX_FILES + 1];
    int n = 0;
    const uint8_t *p = data, *end = data + size;
    while (n < MAX_FILES) {
        const uint8_t *cut = memmem(p, (size_t)(end - p), sep, sizeof(sep) - 1);
        const uint8_t *stop = cut != NULL && n + 1 < MAX_FILES ? cut : end;
        int fd = memfd_create("shard", 0);
        if (fd < 0)
            break;
        size_t len = (size_t)(stop - p);
        if (write(fd, p, len) != (ssize_t)len) {
            close(fd);
            break;
        }
        fds[n] = fd;
        paths[n] = g_strdup_printf("/proc/self/fd/%d", fd);
        n++;
        if (stop == end)
            break;
        p = stop + sizeof(sep) - 1;
    }
    paths[n] = NULL;
    TfaOptions o;
    tfa_options_init(&o);
    o.merge = true;
    o.files = g_new0(char *, (gsize)n + 1);
    for (int i = 0; i < n; i++)
        o.files[i] = paths[i];
    FILE *out = fopen("/dev/null", "w");
    if (out != NULL) {
        GError *error = NULL;
        if (!tfa_merge_run(&o, out, &error))
            g_clear_error(&error);
        fclose(out);
    }
    tfa_options_clear(&o); /* frees the paths */
    for (int i = 0; i < n; i++)
        close(fds[i]);
    return 0;
}
