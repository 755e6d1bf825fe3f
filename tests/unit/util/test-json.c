/* test-json.c - the JSON writer: structure, escaping, exact timestamps;
 * everything it writes is re-parsed by a real JSON parser (json-glib). */
#include "tfa-test.h"

#include "tcpflow-audit/json.h"

#ifdef HAVE_JSONGLIB
#include <json-glib/json-glib.h>
#endif

static char *write_sample(const char *text, size_t len)
{
    GString *out = g_string_new(NULL);
    TfaJson j;
    tfa_json_init(&j, out);
    tfa_json_begin_object(&j, NULL);
    tfa_json_string(&j, "type", "connection");
    tfa_json_uint(&j, "id", UINT64_C(18446744073709551615));
    tfa_json_int(&j, "neg", -42);
    tfa_json_bool(&j, "yes", true);
    tfa_json_null(&j, "nothing");
    tfa_json_string_len(&j, "text", text, len);
    tfa_json_begin_array(&j, "list");
    tfa_json_uint(&j, NULL, 1);
    tfa_json_begin_object(&j, NULL);
    tfa_json_string(&j, "k", "v");
    tfa_json_end_object(&j);
    tfa_json_begin_array(&j, NULL);
    tfa_json_end_array(&j);
    tfa_json_end_array(&j);
    tfa_json_ts(&j, "ts", INT64_C(1700000000123456789));
    tfa_json_end_object(&j);
    return g_string_free(out, FALSE);
}

static void test_structure(void **state)
{
    g_autofree char *s = write_sample("plain", 5);
    assert_string_equal(s, "{\"type\":\"connection\",\"id\":18446744073709551615,\"neg\":-42,"
                           "\"yes\":true,\"nothing\":null,\"text\":\"plain\","
                           "\"list\":[1,{\"k\":\"v\"},[]],\"ts\":1700000000.123456789}");
}

static void test_escaping(void **state)
{
    /* quote, backslash, newline, tab, CR, NUL, DEL, bell, valid UTF-8 "é",
     * invalid byte 0xff, truncated UTF-8 lead byte 0xc3 at the end */
    static const char raw[] = "a\"b\\c\nd\te\rf\0g\x7fh\x07i\xc3\xa9j\xffk\xc3";
    g_autofree char *s = write_sample(raw, sizeof(raw) - 1);
    assert_non_null(strstr(s, "\"text\":\"a\\\"b\\\\c\\nd\\te\\rf\\u0000g\\u007fh\\u0007i\xc3\xa9j"
                              "\\u00ffk\\u00c3\""));
}

static void test_timestamps(void **state)
{
    char buf[40];
    assert_string_equal(tfa_ts_format(0, buf, sizeof(buf)), "0.000000000");
    assert_string_equal(tfa_ts_format(INT64_C(1500000000), buf, sizeof(buf)), "1.500000000");
    assert_string_equal(tfa_ts_format(-INT64_C(1500000000), buf, sizeof(buf)), "-1.500000000");
    assert_string_equal(tfa_ts_format(INT64_C(1591780863720289000), buf, sizeof(buf)),
                        "1591780863.720289000");
    assert_string_equal(tfa_ts_format(INT64_MIN, buf, sizeof(buf)), "-9223372036.854775808");
}

/* Numbers are written without printf: every edge of the ranges. */
static void test_number_edges(void **state)
{
    g_autoptr(GString) out = g_string_new(NULL);
    TfaJson j;
    tfa_json_init(&j, out);
    tfa_json_begin_array(&j, NULL);
    tfa_json_int(&j, NULL, INT64_MIN);
    tfa_json_int(&j, NULL, INT64_MAX);
    tfa_json_int(&j, NULL, 0);
    tfa_json_int(&j, NULL, -1);
    tfa_json_uint(&j, NULL, 0);
    tfa_json_uint(&j, NULL, 10);
    tfa_json_ts(&j, NULL, 0);
    tfa_json_ts(&j, NULL, -INT64_C(1500000000));
    tfa_json_ts(&j, NULL, INT64_C(999999999));
    tfa_json_ts(&j, NULL, INT64_C(10000000001));
    tfa_json_ts(&j, NULL, INT64_MIN);
    tfa_json_ts(&j, NULL, INT64_MAX);
    tfa_json_end_array(&j);
    assert_string_equal(out->str, "[-9223372036854775808,9223372036854775807,0,-1,0,10,"
                                  "0.000000000,-1.500000000,0.999999999,10.000000001,"
                                  "-9223372036.854775808,9223372036.854775807]");
}

/* Long plain runs around every kind of escape, at both ends of the text. */
static void test_escape_runs(void **state)
{
    g_autoptr(GString) out = g_string_new(NULL);
    tfa_json_escape(out, "\"abc\\", 5);
    assert_string_equal(out->str, "\\\"abc\\\\");
    g_string_truncate(out, 0);
    tfa_json_escape(out, "x\x1fy~\x7f", 5);
    assert_string_equal(out->str, "x\\u001fy~\\u007f");
    g_string_truncate(out, 0);
    tfa_json_escape(out, "", 0);
    assert_string_equal(out->str, "");
    /* every single byte: itself when printable ASCII but " and \, else escaped */
    for (unsigned c = 0; c < 256; c++) {
        char b = (char)c;
        bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
        g_string_truncate(out, 0);
        tfa_json_escape(out, &b, 1);
        if (plain)
            assert_true(out->len == 1 && out->str[0] == b);
        else
            assert_true(out->len == 2 || (out->len == 6 && strncmp(out->str, "\\u00", 4) == 0));
    }
}

#ifdef HAVE_JSONGLIB
/* The output parses, and the parsed values are the ones written. */
static void test_reparse(void **state)
{
    static const char raw[] = "q\"\\\n\x01\xff\xe2\x82\xac end";
    g_autofree char *s = write_sample(raw, sizeof(raw) - 1);
    g_autoptr(JsonParser) p = json_parser_new();
    GError *err = NULL;
    assert_true(json_parser_load_from_data(p, s, -1, &err));
    assert_null(err);
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    assert_string_equal(json_object_get_string_member(o, "type"), "connection");
    assert_int_equal(json_object_get_int_member(o, "neg"), -42);
    assert_true(json_object_get_boolean_member(o, "yes"));
    assert_true(json_object_get_null_member(o, "nothing"));
    /* invalid 0xff comes back as U+00FF; the euro sign survives */
    assert_string_equal(json_object_get_string_member(o, "text"),
                        "q\"\\\n\x01\xc3\xbf\xe2\x82\xac end");
    JsonArray *l = json_object_get_array_member(o, "list");
    assert_int_equal(json_array_get_length(l), 3);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_number_edges),
        cmocka_unit_test(test_escape_runs),
#ifdef HAVE_JSONGLIB
        cmocka_unit_test(test_reparse),
#endif
    };
    return cmocka_run_group_tests_name("util/json", tests, NULL, NULL);
}
