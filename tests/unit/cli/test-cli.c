/* test-cli.c - the command line into TfaOptions, and the defaults --help
 * prints: each "(default X)" of the help, given back as its option's value,
 * leaves TfaOptions exactly as the defaults are, and another value does not
 * (so the help says what the code does, whatever the constants become). */
#include "tfa-test.h"

#include "tcpflow-audit/cli.h"
#include "tcpflow-audit/codes.h"

#include <glib.h>

/* Parse "tcpflow-audit ARGS..." into @o; the result. */
static gboolean parse_v(TfaOptions *o, TfaCliAction *action, GError **error,
                        const char *const *args)
{
    GPtrArray *all = g_ptr_array_new();
    g_ptr_array_add(all, g_strdup("tcpflow-audit"));
    for (guint i = 0; args[i] != NULL; i++)
        g_ptr_array_add(all, g_strdup(args[i]));
    g_ptr_array_add(all, NULL);
    char **owned = (char **)g_ptr_array_free(all, FALSE);
    int argc = (int)g_strv_length(owned);
    char **argv = g_memdup2(owned, sizeof(char *) * ((size_t)argc + 1)); /* GOption reorders it */
    tfa_options_init(o);
    gboolean ok = tfa_cli_parse(&argc, &argv, o, action, error);
    g_free(argv);
    g_strfreev(owned);
    return ok;
}

#define parse(o, action, error, ...) \
    parse_v((o), (action), (error), (const char *const[]){__VA_ARGS__})

/* The same options: the strings equal, then every other byte (both were
 * filled by tfa_options_init()'s memset, so padding is zero in both). */
static bool same_options(const TfaOptions *a, const TfaOptions *b)
{
    const char *const none[] = {NULL};
    if (!g_strv_equal(a->files != NULL ? (const char *const *)a->files : none,
                      b->files != NULL ? (const char *const *)b->files : none) ||
        g_strcmp0(a->interface, b->interface) != 0 || g_strcmp0(a->filter, b->filter) != 0 ||
        g_strcmp0(a->write_file, b->write_file) != 0 ||
        g_strcmp0(a->drop_user, b->drop_user) != 0 ||
        g_strcmp0(a->extract_dir, b->extract_dir) != 0 ||
        (a->conn_ids == NULL) != (b->conn_ids == NULL))
        return false;
    TfaOptions x, y;
    memcpy(&x, a, sizeof(x));
    memcpy(&y, b, sizeof(y));
    x.files = y.files = NULL;
    x.interface = y.interface = NULL;
    x.filter = y.filter = NULL;
    x.write_file = y.write_file = NULL;
    x.drop_user = y.drop_user = NULL;
    x.extract_dir = y.extract_dir = NULL;
    x.conn_ids = y.conn_ids = NULL;
    return memcmp(&x, &y, sizeof(x)) == 0;
}

/* One printed default: the option, the value, and the format it is for. */
typedef struct Printed {
    char *option;
    char *value;
    const char *format; /* "html" for -f html's default, else NULL */
} Printed;

static GArray *printed_defaults(const char *help)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(Printed));
    g_autoptr(GRegex) line_re =
        g_regex_new("^\\s+(?:-\\w, )?(--[a-z-]+)=\\S+\\s+(.*)$", G_REGEX_MULTILINE, 0, NULL);
    g_autoptr(GRegex) def_re = g_regex_new("(html: [^(]*)?\\(default ([^:)][^)]*)\\)", 0, 0, NULL);
    g_autoptr(GMatchInfo) lm = NULL;
    g_regex_match(line_re, help, 0, &lm);
    for (; g_match_info_matches(lm); g_match_info_next(lm, NULL)) {
        g_autofree char *opt = g_match_info_fetch(lm, 1);
        g_autofree char *text = g_match_info_fetch(lm, 2);
        g_autoptr(GMatchInfo) dm = NULL;
        g_regex_match(def_re, text, 0, &dm);
        for (; g_match_info_matches(dm); g_match_info_next(dm, NULL)) {
            g_autofree char *html = g_match_info_fetch(dm, 1);
            Printed p = {g_strdup(opt), g_match_info_fetch(dm, 2),
                         html != NULL && html[0] != '\0' ? "html" : NULL};
            g_array_append_val(out, p);
        }
    }
    return out;
}

static void free_printed(GArray *a)
{
    for (guint i = 0; i < a->len; i++) {
        g_free(g_array_index(a, Printed, i).option);
        g_free(g_array_index(a, Printed, i).value);
    }
    g_array_unref(a);
}

/* Another value of the same kind: a number one below (the defaults of
 * --snaplen and others are their maximum), another --color. */
static char *other_value(const char *v)
{
    if (strcmp(v, "auto") == 0)
        return g_strdup("never");
    guint64 n;
    if (g_ascii_string_to_unsigned(v, 10, 0, G_MAXUINT32, &n, NULL))
        return g_strdup_printf("%" G_GUINT64_FORMAT, n > 1 ? n - 1 : n + 1);
    return NULL;
}

static void test_help_defaults(void **state)
{
    g_set_prgname("tcpflow-audit");
    g_autofree char *help = tfa_cli_help();
    assert_non_null(strstr(help, "--max-connections=N"));
    GArray *printed = printed_defaults(help);
    /* every option with a figure: none may silently stop being checked */
    assert_true(printed->len >= 23);
    guint numbers = 0;
    for (guint i = 0; i < printed->len; i++) {
        const Printed *p = &g_array_index(printed, Printed, i);
        TfaOptions base, given, other;
        TfaCliAction action;
        g_autoptr(GError) error = NULL;
        /* what the option needs beside it: -f html for html's default, --extract for
         * the --extract-* caps */
        const char *ctx[4] = {"f.pcap", NULL, NULL, NULL};
        if (p->format != NULL) {
            ctx[1] = "-f";
            ctx[2] = p->format;
        } else if (g_str_has_prefix(p->option, "--extract-")) {
            ctx[1] = "--extract=out";
        }
        g_autofree char *arg = g_strdup_printf("%s=%s", p->option, p->value);
        assert_true(parse(&base, &action, &error, ctx[0], ctx[1], ctx[2], ctx[3]));
        if (!parse(&given, &action, &error, arg, ctx[0], ctx[1], ctx[2], ctx[3]))
            fail_msg("%s: %s", arg, error->message);
        if (!same_options(&base, &given))
            fail_msg("--help says '(default %s)' for %s%s%s, but %s changes the options", p->value,
                     p->option, p->format != NULL ? " with -f " : "",
                     p->format != NULL ? p->format : "", arg);
        g_autofree char *v2 = other_value(p->value);
        if (v2 != NULL) {
            numbers++;
            g_autofree char *arg2 = g_strdup_printf("%s=%s", p->option, v2);
            if (!parse(&other, &action, &error, arg2, ctx[0], ctx[1], ctx[2], ctx[3]))
                fail_msg("%s: %s", arg2, error->message);
            if (same_options(&base, &other))
                fail_msg("%s leaves the options as the default does: the check sees nothing", arg2);
            tfa_options_clear(&other);
        }
        tfa_options_clear(&base);
        tfa_options_clear(&given);
    }
    assert_true(numbers + 1 >= printed->len); /* all but --color are numbers */
    free_printed(printed);
    /* the batching --immediate turns off */
    g_autofree char *batch =
        g_strdup_printf("in batches of up to %d ms", TFA_DEFAULT_LIVE_TIMEOUT_MS);
    assert_non_null(strstr(help, batch));
}

static void test_actions(void **state)
{
    TfaOptions o;
    TfaCliAction action;
    g_autoptr(GError) error = NULL;
    assert_true(parse(&o, &action, &error, "--version", NULL));
    assert_int_equal(action, TFA_CLI_VERSION);
    tfa_options_clear(&o);
    assert_true(parse(&o, &action, &error, "--list-codes", NULL));
    assert_int_equal(action, TFA_CLI_LIST_CODES);
    tfa_options_clear(&o);
    assert_true(parse(&o, &action, &error, "a.pcap", "b.pcap", "tcp port 80", NULL));
    assert_int_equal(action, TFA_CLI_RUN);
    assert_int_equal(g_strv_length(o.files), 2);
    assert_string_equal(o.filter, "tcp port 80");
    tfa_options_clear(&o);
    /* format-dependent defaults */
    assert_true(parse(&o, &action, &error, "-f", "html", "a.pcap", NULL));
    assert_int_equal(o.max_details, TFA_DEFAULT_HTML_DRAWN);
    tfa_options_clear(&o);
    assert_true(parse(&o, &action, &error, "--ladder", "a.pcap", NULL));
    assert_int_equal(o.format, TFA_FORMAT_LADDER);
    tfa_options_clear(&o);
    assert_true(
        parse(&o, &action, &error, "--idle-timeout=1.5", "--code=rst_refused", "a.pcap", NULL));
    assert_int_equal(o.idle_timeout, 1500000000);
    assert_true(o.code_set);
    tfa_options_clear(&o);
}

static void test_usage_errors(void **state)
{
    const char *bad[][2] = {
        {"--idle-timeout=0", "--idle-timeout"},
        {"--snaplen=10", "--snaplen"},
        {"--code=NO_SUCH_CODE", "NO_SUCH_CODE"},
        {"--format=xml", "xml"},
        {"--shard=3/2", "--shard"},
        {"--no-such-option", "no-such-option"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        TfaOptions o;
        TfaCliAction action;
        g_autoptr(GError) error = NULL;
        if (parse(&o, &action, &error, bad[i][0], "a.pcap", NULL))
            fail_msg("%s accepted", bad[i][0]);
        assert_non_null(error);
        assert_non_null(strstr(error->message, bad[i][1]));
        tfa_options_clear(&o);
    }
    TfaOptions o;
    TfaCliAction action;
    g_autoptr(GError) error = NULL;
    assert_false(parse(&o, &action, &error, NULL)); /* no input */
    assert_non_null(strstr(error->message, "no input"));
    tfa_options_clear(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_defaults),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_usage_errors),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
