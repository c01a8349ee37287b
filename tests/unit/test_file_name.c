/* File-name rules for names the client sends (file_name.c): a table of hostile
 * names and what each becomes, shortening, numbering. */
#include "test_support.h"

#include "agent/file_name.h"
#include "agent/file_xfer_proto.h"

static const struct { const char *in, *out; } table[] = {
    { "report.pdf", "report.pdf" },
    { "../../Windows/system.ini", "system.ini" },
    { "..\\..\\evil.exe", "evil.exe" },
    { "C:\\Users\\x\\a.txt", "a.txt" },
    { "C:a.txt", "C_a.txt" },
    { "C:", "C_" },
    { "file.txt:stream", "file.txt_stream" },
    { "file.txt::$DATA", "file.txt__$DATA" },
    { ".", "file" },
    { "..", "file" },
    { "dir/", "file" },
    { "", "file" },
    { "   ", "file" },
    { "name. . .", "name" },
    { "trailing ", "trailing" },
    { "CON", "_CON" },
    { "con.txt", "_con.txt" },
    { "Nul.tar.gz", "_Nul.tar.gz" },
    { "AUX .txt", "_AUX .txt" },
    { "prn.", "_prn" },
    { "COM1", "_COM1" },
    { "lpt9.log", "_lpt9.log" },
    { "COM0", "_COM0" },
    { "COM\xc2\xb9.txt", "_COM\xc2\xb9.txt" },
    { "CONIN$", "_CONIN$" },
    { "CONOUT$.x", "_CONOUT$.x" },
    { "COM10", "COM10" },
    { "CONSOLE.txt", "CONSOLE.txt" },
    { "a<b>c:d\"e|f?g*h", "a_b_c_d_e_f_g_h" },
    { "tab\there\nnl\x7f", "tab_here_nl_" },
    { "\x01\x1f", "__" },
    { ".bashrc", ".bashrc" },
    { "\xc3\xa9t\xc3\xa9 \xe2\x82\xac.txt", "\xc3\xa9t\xc3\xa9 \xe2\x82\xac.txt" },
    { "emoji \xf0\x9f\x98\x80.png", "emoji \xf0\x9f\x98\x80.png" },
};

static void test_hostile_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        char out[VDA_FILE_NAME_CAP];
        int changed = vda_file_name_sanitize(table[i].in, 200, out);
        if (strcmp(out, table[i].out) != 0)
            fail_msg("\"%s\" became \"%s\", want \"%s\"", table[i].in, out, table[i].out);
        assert_int_equal(changed, strcmp(table[i].in, table[i].out) != 0);
    }
}

static void test_long_name_keeps_extension(void **state)
{
    (void)state;
    char in[600], out[VDA_FILE_NAME_CAP];
    memset(in, 'a', 500);
    strcpy(in + 500, ".docx");
    vda_file_name_sanitize(in, 40, out);
    assert_true(vda_utf16_units(out) <= 40);
    assert_true(strlen(out) > 30);
    assert_string_equal(out + strlen(out) - 5, ".docx");
    /* multi-byte characters are cut whole */
    char wide[800] = "";
    for (int i = 0; i < 200; i++)
        strcat(wide, "\xe2\x82\xac");  /* euro: 1 unit, 3 bytes */
    strcat(wide, ".txt");
    vda_file_name_sanitize(wide, 50, out);
    assert_true(vda_utf16_units(out) <= 50);
    assert_true(vda_utf8_valid(out, strlen(out)));
    assert_string_equal(out + strlen(out) - 4, ".txt");
    /* surrogate pairs count 2 units and are never split */
    char emo[1000] = "";
    for (int i = 0; i < 100; i++)
        strcat(emo, "\xf0\x9f\x98\x80");
    vda_file_name_sanitize(emo, 31, out);
    assert_true(vda_utf16_units(out) <= 31);
    assert_int_equal(strlen(out) % 4, 0);
    assert_true(vda_utf8_valid(out, strlen(out)));
    /* a very long extension is not kept whole: the name still fits */
    memset(in, 'b', 10);
    in[10] = '.';
    memset(in + 11, 'e', 300);
    in[311] = 0;
    vda_file_name_sanitize(in, 40, out);
    assert_true(vda_utf16_units(out) <= 40);
    /* a cut that leaves a reserved stem is still guarded */
    strcpy(in, "AUX");
    memset(in + 3, ' ', 40);
    strcpy(in + 43, ".txt");
    vda_file_name_sanitize(in, 20, out);
    assert_string_equal(out, "_AUX.txt");
}

static void test_numbered(void **state)
{
    (void)state;
    char out[VDA_FILE_NAME_CAP];
    vda_file_name_numbered("photo.jpg", 1, out);
    assert_string_equal(out, "photo (1).jpg");
    vda_file_name_numbered("archive.tar.gz", 12, out);
    assert_string_equal(out, "archive.tar (12).gz");
    vda_file_name_numbered("README", 2, out);
    assert_string_equal(out, "README (2)");
    vda_file_name_numbered(".bashrc", 3, out);
    assert_string_equal(out, ".bashrc (3)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_table),
        cmocka_unit_test(test_long_name_keeps_extension),
        cmocka_unit_test(test_numbered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
