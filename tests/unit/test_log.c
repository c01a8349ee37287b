/* Logging: levels, one line per event, masking, truncation, file rotation. */
#include "test_support.h"

#include <stdio.h>
#include <wchar.h>
#if defined(_WIN32)
#include <direct.h>
#else
#include <sys/stat.h>
#include <unistd.h>
#endif

static void test_levels_and_format(void **state)
{
    (void)state;
    test_log t;
    test_log_init(&t);
    t.logger.max_level = VDA_LOG_INFO;
    vda_debug(&t.logger, "hidden %d", 1);
    assert_int_equal(t.lines, 0);
    vda_warn(&t.logger, "port %u closed", 3u);
    assert_int_equal(t.lines, 1);
    /* "YYYY-MM-DD HH:MM:SS.mmm W test: port 3 closed" */
    assert_int_equal(strlen(t.last), 23 + strlen(" W test: port 3 closed"));
    assert_string_equal(t.last + 23, " W test: port 3 closed");
    assert_true(t.last[4] == '-' && t.last[10] == ' ' && t.last[19] == '.');
}

static void test_control_chars_and_truncation(void **state)
{
    (void)state;
    test_log t;
    test_log_init(&t);
    vda_info(&t.logger, "a\nb\rc");
    assert_non_null(strstr(t.last, "a?b?c"));
    char big[4000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    vda_info(&t.logger, "%s", big);
    assert_int_equal(strlen(t.last), VDA_LOG_LINE_MAX - 1);
    assert_string_equal(t.last + VDA_LOG_LINE_MAX - 4, "...");
}

static void test_parse_level(void **state)
{
    (void)state;
    assert_int_equal(vda_log_level_parse("debug"), VDA_LOG_DEBUG);
    assert_int_equal(vda_log_level_parse("error"), VDA_LOG_ERROR);
    assert_int_equal(vda_log_level_parse("loud"), -1);
    assert_int_equal(vda_log_level_parse(NULL), -1);
    for (int lv = VDA_LOG_ERROR; lv <= VDA_LOG_DEBUG; lv++)
        assert_int_equal(vda_log_level_parse(vda_log_level_name((vda_log_level)lv)), lv);
    assert_string_equal(vda_log_level_name((vda_log_level)7), "info");
}

static long stream_size(FILE *f)
{
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static long file_size(const char *path)
{
    return stream_size(fopen(path, "rb"));
}

static void test_file_rotation(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "vda-test-log-%d.txt", (int)(size_t)&path % 100000);
    char old[80];
    snprintf(old, sizeof old, "%s.1", path);
    remove(path);
    remove(old);
    vda_log_file f;
    assert_int_equal(vda_log_file_open(&f, path, 1000), 0);
    vda_logger lg = { VDA_LOG_DEBUG, vda_log_file_sink, &f, "t" };
    for (int i = 0; i < 100; i++)
        vda_info(&lg, "line %d with some padding to fill the file", i);
    vda_log_file_close(&f);
    long cur = file_size(path), prev = file_size(old);
    assert_true(cur > 0 && cur <= 1000);
    assert_true(prev > 0 && prev <= 1000);   /* rotated once: one old file kept */
    char *buf = (char *)test_read_file(path, NULL);
    assert_non_null(buf);
    assert_non_null(strstr(buf, "line 99 "));
    free(buf);
    remove(path);
    remove(old);
}

/* The owner's ops open and rotate the file (the service uses them to never
 * follow a link): every open and the rotation go through them. */
typedef struct counting_ops {
    int opens_ab, opens_wb, replaces;
} counting_ops;

static FILE *count_open(void *ctx, const char *path, const char *mode)
{
    counting_ops *c = ctx;
    if (strcmp(mode, "ab") == 0)
        c->opens_ab++;
    else if (strcmp(mode, "wb") == 0)
        c->opens_wb++;
    return fopen(path, mode);
}

static int count_replace(void *ctx, const char *from, const char *to)
{
    ((counting_ops *)ctx)->replaces++;
    remove(to);
    return rename(from, to);
}

static void test_file_ops(void **state)
{
    (void)state;
    char path[64], old[80];
    snprintf(path, sizeof path, "vda-test-ops-%d.txt", (int)(size_t)&path % 100000);
    snprintf(old, sizeof old, "%s.1", path);
    remove(path);
    remove(old);
    counting_ops c = { 0 };
    vda_log_file_ops ops = { count_open, count_replace, &c };
    vda_log_file f;
    assert_int_equal(vda_log_file_open_ops(&f, path, 500, &ops), 0);
    vda_logger lg = { VDA_LOG_DEBUG, vda_log_file_sink, &f, "t" };
    for (int i = 0; i < 30; i++)
        vda_info(&lg, "line %d with some padding to fill the file", i);
    vda_log_file_close(&f);
    assert_int_equal(c.opens_ab, 1);
    assert_true(c.replaces >= 1);
    assert_int_equal(c.opens_wb, c.replaces);
    assert_true(file_size(old) > 0 && file_size(path) > 0);
    remove(path);
    remove(old);
}

/* Log paths are UTF-8 whatever the ANSI code page (a user's %TEMP% may hold any
 * name). On Windows the file must exist under the wide name; a path mangled by
 * the code page would create another file or none. */
#define NAME_UTF8 "vda-test-log-\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80"
#define NAME_WIDE L"vda-test-log-\u00e9\u4e2d\U0001F600"

/* Opens (mode "rb") or removes (mode NULL) the file NAME + suffix by its real
 * name, independently of the code under test. */
static FILE *utf8_named(const char *suffix, const char *mode)
{
#if defined(_WIN32)
    wchar_t n[80], wmode[4] = { 0 };
    swprintf(n, 80, L"%ls%hs", NAME_WIDE, suffix);
    if (!mode)
        return _wremove(n), NULL;
    wmode[0] = (wchar_t)mode[0];
    wmode[1] = (wchar_t)mode[1];
    return _wfopen(n, wmode);
#else
    char n[80];
    snprintf(n, sizeof n, "%s%s", NAME_UTF8, suffix);
    if (!mode)
        return remove(n), NULL;
    return fopen(n, mode);
#endif
}

static void test_file_utf8_path(void **state)
{
    (void)state;
    utf8_named(".txt", NULL);
    utf8_named(".txt.1", NULL);
    vda_log_file f;
    assert_int_equal(vda_log_file_open(&f, NAME_UTF8 ".txt", 300), 0);
    vda_logger lg = { VDA_LOG_DEBUG, vda_log_file_sink, &f, "t" };
    for (int i = 0; i < 20; i++)
        vda_info(&lg, "line %d of a log in a non-ASCII directory", i);
    vda_log_file_close(&f);
    long cur = stream_size(utf8_named(".txt", "rb"));
    long prev = stream_size(utf8_named(".txt.1", "rb"));
    assert_true(cur > 0 && cur <= 300);
    assert_true(prev > 0 && prev <= 300);   /* rotation works on such a path too */
    utf8_named(".txt", NULL);
    utf8_named(".txt.1", NULL);
}

/* A log path longer than 512 bytes of UTF-8 (a former fixed limit) must open and
 * rotate, not fall back to stderr. It is as a long non-ASCII %TEMP% would be:
 * CJK names take 3 bytes of UTF-8 but 1 unit of UTF-16 per character, so the
 * path stays under Windows' MAX_PATH (Wine runs this test too). The test makes
 * and removes its directories itself, by the real (wide on Windows) names. */
#define CJK_UTF8 "\xe4\xb8\xad" /* U+4E2D */
#define CJK_WIDE L"\u4e2d"
#define LONG_PATH_CAP 1024

typedef struct long_path {
    char utf8[LONG_PATH_CAP];
#if defined(_WIN32)
    wchar_t wide[LONG_PATH_CAP];
#endif
} long_path;

/* Appends an ASCII piece, or count CJK characters if ascii is NULL. */
static void long_path_add(long_path *lp, const char *ascii, int count)
{
    size_t n = strlen(lp->utf8);
#if defined(_WIN32)
    size_t wn = wcslen(lp->wide);
#endif
    for (int i = 0; i < (ascii ? 1 : count); i++) {
        snprintf(lp->utf8 + n, LONG_PATH_CAP - n, "%s", ascii ? ascii : CJK_UTF8);
        n = strlen(lp->utf8);
#if defined(_WIN32)
        if (ascii)
            swprintf(lp->wide + wn, LONG_PATH_CAP - wn, L"%hs", ascii);
        else
            wcscat(lp->wide, CJK_WIDE);
        wn = wcslen(lp->wide);
#endif
    }
}

/* mkdir ("d"), rmdir ("r") or remove ("f") by the real name; 0 on success. */
static int long_path_do(const long_path *lp, char op)
{
#if defined(_WIN32)
    return op == 'd' ? _wmkdir(lp->wide) : op == 'r' ? _wrmdir(lp->wide) : _wremove(lp->wide);
#else
    return op == 'd' ? mkdir(lp->utf8, 0700) : op == 'r' ? rmdir(lp->utf8) : remove(lp->utf8);
#endif
}

static long long_path_size(const long_path *lp)
{
#if defined(_WIN32)
    return stream_size(_wfopen(lp->wide, L"rb"));
#else
    return stream_size(fopen(lp->utf8, "rb"));
#endif
}

static void test_file_long_path(void **state)
{
    (void)state;
    long_path dir1, dir2, file, old;
    memset(&dir1, 0, sizeof dir1);
    char tag[40];
    snprintf(tag, sizeof tag, "vda-test-long-%d-", (int)(size_t)&dir1 % 100000);
    long_path_add(&dir1, tag, 1);
    long_path_add(&dir1, NULL, 70);   /* a name: at most 255 bytes on Linux */
    dir2 = dir1;
    long_path_add(&dir2, "/", 1);
    long_path_add(&dir2, NULL, 80);
    file = dir2;
    long_path_add(&file, "/", 1);
    long_path_add(&file, NULL, 20);
    long_path_add(&file, ".txt", 1);
    old = file;
    long_path_add(&old, ".1", 1);
    assert_true(strlen(file.utf8) > 512);

    long_path_do(&old, 'f');
    long_path_do(&file, 'f');
    long_path_do(&dir2, 'r');
    long_path_do(&dir1, 'r');
    assert_int_equal(long_path_do(&dir1, 'd'), 0);
    assert_int_equal(long_path_do(&dir2, 'd'), 0);

    vda_log_file f;
    int opened = vda_log_file_open(&f, file.utf8, 500);
    if (opened == 0) {
        vda_logger lg = { VDA_LOG_DEBUG, vda_log_file_sink, &f, "t" };
        for (int i = 0; i < 30; i++)
            vda_info(&lg, "line %d of a log with a long path", i);
        vda_log_file_close(&f);
        assert_null(f.path);   /* close frees the copies */
    }
    long cur = long_path_size(&file), prev = long_path_size(&old);
    long_path_do(&old, 'f');
    long_path_do(&file, 'f');
    long_path_do(&dir2, 'r');
    long_path_do(&dir1, 'r');
    assert_int_equal(opened, 0);
    assert_true(cur > 0 && cur <= 500);
    assert_true(prev > 0 && prev <= 500);   /* rotated under the long name too */
}

/* Rotation closes the file and makes it again. If that fails (here: its folder
 * was moved away), file logging must resume once the folder is back, not stop
 * for good. Not on Windows: main() reports it NOT RUN there. */
#if !defined(_WIN32)
static void test_file_reopen_after_failure(void **state)
{
    (void)state;
    char dir[64], moved[80], path[96], old[100];
    snprintf(dir, sizeof dir, "vda-test-logdir-%d", (int)getpid());
    snprintf(moved, sizeof moved, "%s.moved", dir);
    snprintf(path, sizeof path, "%s/log.txt", dir);
    snprintf(old, sizeof old, "%s.1", path);
    assert_int_equal(mkdir(dir, 0700), 0);
    vda_log_file f;
    assert_int_equal(vda_log_file_open(&f, path, 300), 0);
    vda_logger lg = { VDA_LOG_DEBUG, vda_log_file_sink, &f, "t" };
    vda_info(&lg, "before the folder moved");
    assert_int_equal(rename(dir, moved), 0);   /* the open file goes with it */
    for (int i = 0; i < 10; i++)                /* past 300 bytes: a rotation fails */
        vda_info(&lg, "line %d while the folder is gone, padded to fill the file", i);
    assert_null(f.fp);
    assert_int_equal(mkdir(dir, 0700), 0);
    vda_info(&lg, "after the folder came back");
    vda_log_file_close(&f);
    size_t n = 0;
    char *buf = (char *)test_read_file(path, &n);
    char moved_file[100], moved_old[104];
    snprintf(moved_file, sizeof moved_file, "%s/log.txt", moved);
    snprintf(moved_old, sizeof moved_old, "%s.1", moved_file);
    remove(path);
    remove(old);
    remove(moved_file);
    remove(moved_old);
    rmdir(dir);
    rmdir(moved);
    assert_true(buf && n > 0);
    assert_non_null(strstr(buf, "after the folder came back"));
    free(buf);
}
#endif

/* "test_log reopen-after-failure" runs that case alone, as its own ctest test
 * (unit.test_log.reopen_after_failure), so that where it cannot run (Windows)
 * ctest reports it as skipped instead of hiding it in a passed unit.test_log. */
int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "reopen-after-failure")) {
#if defined(_WIN32)
        printf("NOT RUN: reopen after a failed rotation: on Windows a folder holding an open"
               " file cannot be moved; the native and ASan runs cover this case\n");
        return 77;
#else
        const struct CMUnitTest alone[] = {
            cmocka_unit_test(test_file_reopen_after_failure),
        };
        return cmocka_run_group_tests(alone, NULL, NULL);
#endif
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels_and_format),
        cmocka_unit_test(test_control_chars_and_truncation),
        cmocka_unit_test(test_parse_level),
        cmocka_unit_test(test_file_rotation),
        cmocka_unit_test(test_file_ops),
        cmocka_unit_test(test_file_utf8_path),
        cmocka_unit_test(test_file_long_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
