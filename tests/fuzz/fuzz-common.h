/* fuzz-common.h - a main() for fuzz harnesses built without libFuzzer: it
 * replays every file named on the command line (directories are walked one
 * level deep) through LLVMFuzzerTestOneInput, so the harnesses build and run
 * in every 'make check' and cannot rot.  With --enable-fuzzing, libFuzzer
 * provides main() instead. */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef TFA_FUZZING
static gint by_name(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

static int replay_file(const char *path)
{
    gchar *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, NULL)) {
        fprintf(stderr, "cannot read '%s'\n", path);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    g_free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int n = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            GDir *dir = g_dir_open(argv[i], 0, NULL);
            const char *name;
            GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
            while (dir != NULL && (name = g_dir_read_name(dir)) != NULL)
                g_ptr_array_add(names, g_build_filename(argv[i], name, NULL));
            if (dir != NULL)
                g_dir_close(dir);
            g_ptr_array_sort(names, by_name);
            for (guint k = 0; k < names->len; k++) {
                const char *p = g_ptr_array_index(names, k);
                if (g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
                    bad += replay_file(p);
                    n++;
                }
            }
            g_ptr_array_unref(names);
        } else {
            bad += replay_file(argv[i]);
            n++;
        }
    }
    /* TAP, so that 'make check' counts it */
    printf("1..1\n%s 1 - replayed %d inputs\n", bad == 0 && n > 0 ? "ok" : "not ok", n);
    return 0;
}
#endif
