/* The file-transfer state machine (file_xfer_session.c) through the agent core's
 * dispatch, with a fake platform that records file operations. */
#include "test_support.h"

#include <spice/vd_agent.h>

#include "agent/agent_core.h"
#include "agent/file_xfer_proto.h"
#include "base/le_bytes.h"

typedef struct fake_file {
    uint32_t id;
    char name[1100];
    uint64_t written;
    int committed, aborted;
} fake_file;

typedef struct fx {
    test_log log;
    vda_agent a;
    fake_file files[64];
    int n_files;
    int open_fail;          /* next open fails with NOT_ENOUGH_SPACE */
    int batches;
    unsigned last_saved;
    /* statuses sent */
    uint32_t st_id[64], st_result[64], st_size[64];
    uint8_t st_raw[64][VDA_XFER_STATUS_MAX];
    int n_st;
    int other_msgs;
} fx;

static int op_send(void *ctx, uint32_t type, uint8_t *p, uint32_t size)
{
    fx *f = ctx;
    if (type == VD_AGENT_FILE_XFER_STATUS && f->n_st < 64) {
        f->st_id[f->n_st] = vda_le32(p);
        f->st_result[f->n_st] = vda_le32(p + 4);
        f->st_size[f->n_st] = size;
        memcpy(f->st_raw[f->n_st], p, size);
        f->n_st++;
    } else {
        f->other_msgs++;
    }
    free(p);
    return 0;
}
static void op_take(void *c, const uint32_t *t, uint32_t n) { (void)c; (void)t; (void)n; }
static void op_drop(void *c) { (void)c; }
static int op_read(void *c, uint32_t t, uint8_t **b, size_t *s)
{
    (void)c; (void)t; (void)b; (void)s;
    return -1;
}
static void op_stop(void *c) { (void)c; }

static int io_open(void *ctx, uint32_t id, const char *name, uint64_t size, void **file,
                   vda_xfer_fail *why)
{
    fx *f = ctx;
    (void)size;
    if (f->open_fail) {
        f->open_fail = 0;
        why->result = VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE;
        why->free_bytes = 1234;
        return -1;
    }
    fake_file *ff = &f->files[f->n_files++];
    ff->id = id;
    snprintf(ff->name, sizeof ff->name, "%s", name);
    *file = ff;
    return 0;
}
static void io_write(void *ctx, void *file, uint8_t *buf, const uint8_t *data, uint32_t len)
{
    (void)ctx;
    (void)data;
    fake_file *ff = file;
    assert_false(ff->committed || ff->aborted);
    ff->written += len;
    free(buf);
}
static void io_commit(void *ctx, void *file)
{
    (void)ctx;
    ((fake_file *)file)->committed = 1;
}
static void io_abort(void *ctx, void *file)
{
    (void)ctx;
    ((fake_file *)file)->aborted = 1;
}
static void io_batch(void *ctx, unsigned saved)
{
    fx *f = ctx;
    f->batches++;
    f->last_saved = saved;
}

static fx *setup_fx(int enabled, int detailed_client)
{
    fx *f = calloc(1, sizeof *f);
    test_log_init(&f->log);
    vda_agent_ops ops = { f, op_send, op_take, op_drop, op_read, op_stop, NULL, NULL, NULL, NULL };
    vda_agent_init(&f->a, &ops, 1 << 20, &f->log.logger);
    vda_xfer_io io = { f, io_open, io_write, io_commit, io_abort, io_batch };
    vda_agent_set_xfer_io(&f->a, &io, enabled, 200);
    vda_agent_start(&f->a);
    vda_caps c;
    vda_caps_clear(&c);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
    if (detailed_client)
        vda_caps_set(&c, VD_AGENT_CAP_FILE_XFER_DETAILED_ERRORS);
    uint8_t buf[64];
    size_t n = vda_caps_write(&c, 0, buf);
    vda_message m = { VDP_CLIENT_PORT, VD_AGENT_ANNOUNCE_CAPABILITIES, 0, (uint32_t)n, malloc(n) };
    memcpy(m.data, buf, n);
    vda_agent_dispatch(&f->a, &m);
    f->n_st = 0;
    return f;
}

static void teardown_fx(fx *f)
{
    vda_agent_free(&f->a);
    free(f);
}

static void msg(fx *f, uint32_t type, const void *p, size_t n)
{
    vda_message m = { VDP_CLIENT_PORT, type, 0, (uint32_t)n, n ? malloc(n) : NULL };
    if (n)
        memcpy(m.data, p, n);
    vda_agent_dispatch(&f->a, &m);
}

static void send_start(fx *f, uint32_t id, const char *name, uint64_t size)
{
    char kf[2048];
    int k = snprintf(kf, sizeof kf, "[vdagent-file-xfer]\nname=%s\nsize=%llu\n", name,
                     (unsigned long long)size);
    uint8_t p[2100];
    vda_put_le32(p, id);
    memcpy(p + 4, kf, (size_t)k + 1);
    msg(f, VD_AGENT_FILE_XFER_START, p, 4 + (size_t)k + 1);
}

static void send_data(fx *f, uint32_t id, uint32_t len)
{
    uint8_t *p = calloc(1, 12 + len);
    vda_put_le32(p, id);
    vda_put_le64(p + 4, len);
    msg(f, VD_AGENT_FILE_XFER_DATA, p, 12 + len);
    free(p);
}

static void send_status(fx *f, uint32_t id, uint32_t result)
{
    uint8_t p[8];
    vda_put_le32(p, id);
    vda_put_le32(p + 4, result);
    msg(f, VD_AGENT_FILE_XFER_STATUS, p, 8);
}

static void last_status(fx *f, uint32_t id, uint32_t result)
{
    assert_true(f->n_st > 0);
    assert_int_equal(f->st_id[f->n_st - 1], id);
    if (f->st_result[f->n_st - 1] != result)
        fail_msg("status %s, want %s", vda_xfer_result_name(f->st_result[f->n_st - 1]),
                 vda_xfer_result_name(result));
}

static void test_caps(void **state)
{
    (void)state;
    fx *f = setup_fx(1, 1);
    assert_true(vda_caps_has(&f->a.ours, VD_AGENT_CAP_FILE_XFER_DETAILED_ERRORS));
    assert_false(vda_caps_has(&f->a.ours, VD_AGENT_CAP_FILE_XFER_DISABLED));
    teardown_fx(f);
    f = setup_fx(0, 1);
    assert_true(vda_caps_has(&f->a.ours, VD_AGENT_CAP_FILE_XFER_DISABLED));
    send_start(f, 1, "a.txt", 3);
    last_status(f, 1, VD_AGENT_FILE_XFER_STATUS_DISABLED);
    assert_int_equal(f->n_files, 0);
    teardown_fx(f);
}

static void test_one_file(void **state)
{
    (void)state;
    fx *f = setup_fx(1, 1);
    send_start(f, 1, "a.txt", 100000);
    last_status(f, 1, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA);
    assert_string_equal(f->files[0].name, "a.txt");
    send_data(f, 1, 65536);
    assert_int_equal(f->n_st, 1);
    assert_int_equal(f->files[0].committed, 0);
    send_data(f, 1, 100000 - 65536);
    assert_int_equal(f->files[0].written, 100000);
    assert_int_equal(f->files[0].committed, 1);
    assert_int_equal(f->n_st, 1);  /* SUCCESS only once the platform says it is saved */
    vda_xfer_session_committed(&f->a.xfer, &f->files[0], 1, 0);
    last_status(f, 1, VD_AGENT_FILE_XFER_STATUS_SUCCESS);
    assert_int_equal(f->batches, 1);
    assert_int_equal(f->last_saved, 1);
    assert_int_equal(vda_xfer_session_active(&f->a.xfer), 0);
    teardown_fx(f);
}

static void test_zero_bytes_and_batch(void **state)
{
    (void)state;
    fx *f = setup_fx(1, 1);
    send_start(f, 1, "empty", 0);
    send_start(f, 2, "b", 10);
    send_start(f, 3, "c", 10);
    assert_int_equal(f->n_st, 3);
    send_data(f, 1, 0);  /* spice-gtk sends one empty DATA for a 0-byte file */
    assert_int_equal(f->files[0].committed, 1);
    vda_xfer_session_committed(&f->a.xfer, &f->files[0], 1, 0);
    last_status(f, 1, VD_AGENT_FILE_XFER_STATUS_SUCCESS);
    assert_int_equal(f->batches, 0);  /* the batch still runs */
    send_data(f, 2, 10);
    send_data(f, 3, 10);
    vda_xfer_session_committed(&f->a.xfer, &f->files[2], 1, 0);
    vda_xfer_session_committed(&f->a.xfer, &f->files[1], 0, VDA_GIO_NO_SPACE);
    last_status(f, 2, VD_AGENT_FILE_XFER_STATUS_ERROR);
    assert_int_equal(f->st_size[f->n_st - 1], 13);
    assert_int_equal(vda_le32(f->st_raw[f->n_st - 1] + 9), VDA_GIO_NO_SPACE);
    assert_int_equal(f->batches, 1);
    assert_int_equal(f->last_saved, 2);
    teardown_fx(f);
}

static void test_refusals(void **state)
{
    (void)state;
    fx *f = setup_fx(1, 1);
    /* unknown id: dropped with one line, no answer */
    int lines = f->log.lines;
    send_data(f, 99, 10);
    assert_int_equal(f->n_st, 0);
    assert_int_equal(f->log.lines, lines + 1);
    /* a bad START is answered with an error for its id */
    uint8_t bad[] = { 4, 0, 0, 0, '[', 'x', ']', 0 };
    msg(f, VD_AGENT_FILE_XFER_START, bad, sizeof bad);
    last_status(f, 4, VD_AGENT_FILE_XFER_STATUS_ERROR);
    assert_int_equal(vda_le32(f->st_raw[f->n_st - 1] + 9), VDA_GIO_INVALID_ARGUMENT);
    /* DATA past the announced size */
    send_start(f, 5, "x", 10);
    send_data(f, 5, 11);
    assert_int_equal(f->files[0].aborted, 1);
    last_status(f, 5, VD_AGENT_FILE_XFER_STATUS_ERROR);
    /* data still in flight after that: quiet (debug), no answer */
    int n = f->n_st;
    send_data(f, 5, 5);
    assert_int_equal(f->n_st, n);
    /* a short file: an empty DATA before the end */
    send_start(f, 6, "y", 10);
    send_data(f, 6, 4);
    send_data(f, 6, 0);
    assert_int_equal(f->files[1].aborted, 1);
    last_status(f, 6, VD_AGENT_FILE_XFER_STATUS_ERROR);
    assert_int_equal(vda_le32(f->st_raw[f->n_st - 1] + 9), VDA_GIO_PARTIAL_INPUT);
    /* a duplicate id ends both */
    send_start(f, 7, "z", 10);
    send_start(f, 7, "z", 10);
    assert_int_equal(f->files[2].aborted, 1);
    assert_int_equal(f->n_files, 3);
    last_status(f, 7, VD_AGENT_FILE_XFER_STATUS_ERROR);
    /* not enough space, detailed */
    f->open_fail = 1;
    send_start(f, 8, "big", 1 << 30);
    last_status(f, 8, VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE);
    assert_int_equal(f->st_size[f->n_st - 1], 16);
    assert_int_equal(vda_le64(f->st_raw[f->n_st - 1] + 8), 1234);
    /* the name is sanitized before the platform sees it */
    send_start(f, 9, "..\\\\CON.txt", 1);  /* key file escape: ..\\CON.txt */
    assert_string_equal(f->files[3].name, "_CON.txt");
    assert_int_equal(vda_xfer_session_active(&f->a.xfer), 1);
    teardown_fx(f);
}

static void test_plain_errors_without_cap(void **state)
{
    (void)state;
    fx *f = setup_fx(1, 0);
    f->open_fail = 1;
    send_start(f, 1, "big", 1 << 30);
    last_status(f, 1, VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE);
    assert_int_equal(f->st_size[0], 8);
    send_start(f, 2, "x", 1);
    send_data(f, 2, 2);
    last_status(f, 2, VD_AGENT_FILE_XFER_STATUS_ERROR);
    assert_int_equal(f->st_size[f->n_st - 1], 8);
    teardown_fx(f);
}

static void test_bound_of_concurrent(void **state)
{
    (void)state;
    fx *f = setup_fx(1, 1);
    for (uint32_t i = 0; i < VDA_XFER_MAX; i++) {
        send_start(f, 100 + i, "f", 5);
        last_status(f, 100 + i, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA);
    }
    send_start(f, 200, "f", 5);
    last_status(f, 200, VD_AGENT_FILE_XFER_STATUS_ERROR);
    assert_int_equal(vda_le32(f->st_raw[f->n_st - 1] + 9), VDA_GIO_TOO_MANY_OPEN_FILES);
    assert_int_equal(f->n_files, VDA_XFER_MAX);
    /* one ends, a new one fits */
    send_status(f, 100, VD_AGENT_FILE_XFER_STATUS_CANCELLED);
    assert_int_equal(f->files[0].aborted, 1);
    send_start(f, 201, "f", 5);
    last_status(f, 201, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA);
    teardown_fx(f);
}

static void test_locked(void **state)
{
    (void)state;
    fx *f = setup_fx(1, 1);
    vda_xfer_session_set_locked(&f->a.xfer, 1);
    send_start(f, 1, "a", 5);
    last_status(f, 1, VD_AGENT_FILE_XFER_STATUS_SESSION_LOCKED);
    assert_int_equal(f->n_files, 0);
    vda_xfer_session_set_locked(&f->a.xfer, 0);
    send_start(f, 2, "a", 5);
    last_status(f, 2, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA);
    teardown_fx(f);
}

static void test_everything_that_ends_a_client(void **state)
{
    (void)state;
    /* disconnect, RESET (forget_client), STOP, exit */
    for (int how = 0; how < 4; how++) {
        fx *f = setup_fx(1, 1);
        send_start(f, 1, "a", 100);
        send_data(f, 1, 50);
        send_start(f, 2, "b", 10);
        send_data(f, 2, 10);  /* committing: every byte is there, it is kept */
        int n = f->n_st;
        if (how == 0) {
            vda_message m = { VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, 0, 0, NULL };
            vda_agent_dispatch(&f->a, &m);
        } else if (how == 1) {
            vda_agent_forget_client(&f->a, "port reset");
        } else if (how == 2) {
            uint8_t ctl[VDA_PIPE_CTL_WIRE];
            size_t k = vda_pipe_control_encode(ctl, VDA_PIPE_STOP, 0);
            vda_agent_feed(&f->a, ctl, k);
        } else {
            vda_agent_free(&f->a);
        }
        assert_int_equal(f->files[0].aborted, 1);
        assert_int_equal(f->files[1].aborted, 0);
        assert_int_equal(f->files[1].committed, 1);
        if (how == 2) {  /* STOP tells the client, which is still there */
            assert_int_equal(f->n_st, n + 1);
            last_status(f, 1, VD_AGENT_FILE_XFER_STATUS_ERROR);
        } else {
            assert_int_equal(f->n_st, n);
        }
        /* the commit ends later, unanswered; the slot is free again */
        vda_xfer_session_committed(&f->a.xfer, &f->files[1], 1, 0);
        assert_int_equal(f->n_st, how == 2 ? n + 1 : n);
        assert_int_equal(vda_xfer_session_active(&f->a.xfer), 0);
        if (how != 3) {
            /* a new client may reuse the ids */
            send_start(f, 1, "again", 1);
            last_status(f, 1, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA);
            vda_agent_free(&f->a);
        }
        free(f);
    }
}

static void test_write_failure(void **state)
{
    (void)state;
    fx *f = setup_fx(1, 1);
    send_start(f, 1, "a", 100);
    send_data(f, 1, 50);
    vda_xfer_fail why = { VD_AGENT_FILE_XFER_STATUS_ERROR, VDA_GIO_NO_SPACE, 0 };
    vda_xfer_session_failed(&f->a.xfer, &f->files[0], &why);
    assert_int_equal(f->files[0].aborted, 1);
    last_status(f, 1, VD_AGENT_FILE_XFER_STATUS_ERROR);
    assert_int_equal(vda_le32(f->st_raw[f->n_st - 1] + 9), VDA_GIO_NO_SPACE);
    int n = f->n_st;
    send_data(f, 1, 50);  /* in flight: dropped quietly */
    assert_int_equal(f->n_st, n);
    assert_int_equal(f->files[0].written, 50);
    /* client cancel of a committing transfer keeps the file, no answer */
    send_start(f, 2, "b", 1);
    send_data(f, 2, 1);
    send_status(f, 2, VD_AGENT_FILE_XFER_STATUS_CANCELLED);
    assert_int_equal(f->files[1].aborted, 0);
    n = f->n_st;
    vda_xfer_session_committed(&f->a.xfer, &f->files[1], 1, 0);
    assert_int_equal(f->n_st, n);
    teardown_fx(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_one_file),
        cmocka_unit_test(test_zero_bytes_and_batch),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_plain_errors_without_cap),
        cmocka_unit_test(test_bound_of_concurrent),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_everything_that_ends_a_client),
        cmocka_unit_test(test_write_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
