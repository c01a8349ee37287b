/* The client-side clipboard state: ownership, promised types, requests in both
 * directions, max-clipboard, grab serials and what forgetting the client clears. */
#include "test_support.h"

#include <spice/vd_agent.h>

#include "agent/clipboard_session.h"

static vda_cb_grab grab_of(uint32_t serial, const uint32_t *types, uint32_t n)
{
    vda_cb_grab g;
    memset(&g, 0, sizeof g);
    g.serial = serial;
    for (uint32_t i = 0; i < n; i++)
        g.types[i] = types[i];
    g.count = n;
    return g;
}

static const uint32_t text[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };

static void test_client_grab_and_paste(void **state)
{
    (void)state;
    vda_cb_session s;
    vda_cb_session_init(&s, 1000);
    /* nothing promised yet */
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT), -1);
    uint32_t types[] = { VD_AGENT_CLIPBOARD_IMAGE_TIFF, 4242, VD_AGENT_CLIPBOARD_UTF8_TEXT };
    vda_cb_grab g = grab_of(0, types, 3);
    assert_int_equal(vda_cb_session_client_grab(&s, &g, 0), VDA_CB_GRAB_TAKEN);
    assert_int_equal(s.owner, VDA_CB_OWNER_CLIENT);
    assert_int_equal(s.n_client_types, 2);  /* unknown 4242 dropped */
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_IMAGE_PNG), -1);
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT), -1); /* one at a time */
    /* data of another type is not the answer */
    assert_int_equal(vda_cb_session_client_data(&s, VD_AGENT_CLIPBOARD_IMAGE_TIFF, 5),
                     VDA_CB_DATA_UNSOLICITED);
    assert_int_equal(vda_cb_session_client_data(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT, 5),
                     VDA_CB_DATA_DELIVER);
    assert_false(s.want_pending);
    /* a second copy of it is unsolicited */
    assert_int_equal(vda_cb_session_client_data(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT, 5),
                     VDA_CB_DATA_UNSOLICITED);
}

static void test_none_and_too_big(void **state)
{
    (void)state;
    vda_cb_session s;
    vda_cb_session_init(&s, 10);
    vda_cb_grab g = grab_of(0, text, 1);
    vda_cb_session_client_grab(&s, &g, 0);
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    assert_int_equal(vda_cb_session_client_data(&s, VD_AGENT_CLIPBOARD_NONE, 0), VDA_CB_DATA_EMPTY);
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    assert_int_equal(vda_cb_session_client_data(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT, 11),
                     VDA_CB_DATA_TOO_BIG);
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    assert_int_equal(vda_cb_session_client_data(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT, 10),
                     VDA_CB_DATA_DELIVER);
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    vda_cb_session_want_cancel(&s);
    assert_int_equal(vda_cb_session_client_data(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT, 1),
                     VDA_CB_DATA_UNSOLICITED);
}

static void test_forget_client_clears_everything(void **state)
{
    (void)state;
    vda_cb_session s;
    vda_cb_session_init(&s, 1000);
    vda_cb_grab g = grab_of(0, text, 1);
    vda_cb_session_client_grab(&s, &g, 1);
    vda_cb_session_set_client_max(&s, 5);
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    vda_cb_session_client_request(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT);
    uint64_t epoch = s.epoch;
    assert_int_equal(vda_cb_session_forget_client(&s), 1);  /* a paste was waiting */
    assert_int_equal(s.owner, VDA_CB_OWNER_NONE);
    assert_int_equal(s.n_client_types, 0);
    assert_false(s.want_pending);
    assert_int_equal(s.client_requests, 0);
    assert_int_equal(s.client_max, -1);
    assert_int_equal(s.serial, 0);
    assert_int_equal(s.own_max, 1000);  /* ours, not the client's */
    assert_true(s.epoch == epoch + 1);
    assert_true(vda_cb_session_fits_client(&s, 1u << 30));
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT), -1);
    assert_int_equal(vda_cb_session_forget_client(&s), 0);
}

static void test_guest_grab_and_requests(void **state)
{
    (void)state;
    vda_cb_session s;
    vda_cb_session_init(&s, 1000);
    assert_int_equal(vda_cb_session_client_request(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT),
                     VDA_CB_REQ_NONE);
    uint32_t types[] = { VD_AGENT_CLIPBOARD_IMAGE_PNG, VD_AGENT_CLIPBOARD_IMAGE_BMP };
    vda_cb_guest_change ch;
    vda_cb_session_guest_changed(&s, types, 2, 0, 0, &ch);
    assert_true(ch.send_grab);
    assert_false(ch.send_release);
    assert_int_equal(s.owner, VDA_CB_OWNER_GUEST);
    assert_int_equal(vda_cb_session_client_request(&s, VD_AGENT_CLIPBOARD_IMAGE_BMP),
                     VDA_CB_REQ_ANSWER);
    assert_int_equal(vda_cb_session_client_request(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT),
                     VDA_CB_REQ_NONE);
    /* a client release while the guest owns is stray */
    assert_int_equal(vda_cb_session_client_release(&s), 0);
    assert_int_equal(s.owner, VDA_CB_OWNER_GUEST);
    /* guest clipboard emptied: release */
    vda_cb_session_guest_changed(&s, NULL, 0, 0, 0, &ch);
    assert_true(ch.send_release);
    assert_false(ch.send_grab);
    assert_int_equal(s.owner, VDA_CB_OWNER_NONE);
    vda_cb_session_guest_changed(&s, NULL, 0, 0, 0, &ch);
    assert_false(ch.send_release);
}

static void test_no_release_on_regrab(void **state)
{
    (void)state;
    vda_cb_session s;
    vda_cb_session_init(&s, 1000);
    vda_cb_guest_change ch;
    vda_cb_session_guest_changed(&s, text, 1, 0, 1, &ch);
    assert_false(ch.send_release);
    vda_cb_session_guest_changed(&s, text, 1, 0, 1, &ch);  /* regrab, cap on */
    assert_false(ch.send_release);
    assert_true(ch.send_grab);
    vda_cb_session_guest_changed(&s, text, 1, 0, 0, &ch);  /* regrab, cap off */
    assert_true(ch.send_release);
    assert_true(ch.send_grab);
}

static void test_client_release(void **state)
{
    (void)state;
    vda_cb_session s;
    vda_cb_session_init(&s, 1000);
    vda_cb_grab g = grab_of(0, text, 1);
    vda_cb_session_client_grab(&s, &g, 0);
    assert_int_equal(vda_cb_session_client_release(&s), 1);
    assert_int_equal(s.owner, VDA_CB_OWNER_NONE);
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT), -1);
    assert_int_equal(vda_cb_session_client_release(&s), 0);
    /* a guest program replaces the client's data with nothing usable: the client's
     * types are gone, nothing is sent */
    vda_cb_session_client_grab(&s, &g, 0);
    vda_cb_guest_change ch;
    vda_cb_session_guest_changed(&s, NULL, 0, 0, 0, &ch);
    assert_false(ch.send_release);
    assert_false(ch.send_grab);
    assert_int_equal(s.owner, VDA_CB_OWNER_NONE);
    assert_int_equal(vda_cb_session_want(&s, VD_AGENT_CLIPBOARD_UTF8_TEXT), -1);
}

/* Serials: in order, the race (both grab with the same serial: the client wins,
 * once), and stale grabs. */
static void test_grab_serials(void **state)
{
    (void)state;
    vda_cb_session s;
    vda_cb_session_init(&s, 1000);
    vda_cb_grab g;
    vda_cb_guest_change ch;

    /* client grabs first: serial 0 */
    g = grab_of(0, text, 1);
    assert_int_equal(vda_cb_session_client_grab(&s, &g, 1), VDA_CB_GRAB_TAKEN);
    assert_int_equal(s.serial, 1);
    /* guest grabs: carries 1 */
    vda_cb_session_guest_changed(&s, text, 1, 1, 1, &ch);
    assert_int_equal(ch.serial, 1);
    assert_int_equal(s.serial, 2);
    assert_int_equal(s.owner, VDA_CB_OWNER_GUEST);
    /* race: the client grabbed with 1 too, before it saw ours: client wins */
    g = grab_of(1, text, 1);
    assert_int_equal(vda_cb_session_client_grab(&s, &g, 1), VDA_CB_GRAB_TAKEN);
    assert_int_equal(s.owner, VDA_CB_OWNER_CLIENT);
    assert_int_equal(s.serial, 2);
    /* the client saw our grab 1 and accepted... it grabs again with 2 */
    g = grab_of(2, text, 1);
    assert_int_equal(vda_cb_session_client_grab(&s, &g, 1), VDA_CB_GRAB_TAKEN);
    assert_int_equal(s.serial, 3);
    /* stale serials: older than the race window, and from the future */
    vda_cb_session_guest_changed(&s, text, 1, 1, 1, &ch);  /* ours: 3, counter 4 */
    g = grab_of(1, text, 1);
    assert_int_equal(vda_cb_session_client_grab(&s, &g, 1), VDA_CB_GRAB_STALE);
    assert_int_equal(s.owner, VDA_CB_OWNER_GUEST);
    g = grab_of(9, text, 1);
    assert_int_equal(vda_cb_session_client_grab(&s, &g, 1), VDA_CB_GRAB_STALE);
    assert_int_equal(s.owner, VDA_CB_OWNER_GUEST);
    assert_int_equal(s.serial, 4);
    /* without the cap serials are not looked at */
    g = grab_of(12345, text, 1);
    assert_int_equal(vda_cb_session_client_grab(&s, &g, 0), VDA_CB_GRAB_TAKEN);
    /* right after a reset, counter-1 does not exist */
    vda_cb_session_forget_client(&s);
    g = grab_of(UINT32_MAX, text, 1);
    assert_int_equal(vda_cb_session_client_grab(&s, &g, 1), VDA_CB_GRAB_STALE);
}

static void test_client_max(void **state)
{
    (void)state;
    vda_cb_session s;
    vda_cb_session_init(&s, 1000);
    assert_true(vda_cb_session_fits_client(&s, SIZE_MAX));
    vda_cb_session_set_client_max(&s, 100);
    assert_true(vda_cb_session_fits_client(&s, 100));
    assert_false(vda_cb_session_fits_client(&s, 101));
    vda_cb_session_set_client_max(&s, 0);
    assert_true(vda_cb_session_fits_client(&s, 0));
    assert_false(vda_cb_session_fits_client(&s, 1));
    vda_cb_session_set_client_max(&s, -1);
    assert_true(vda_cb_session_fits_client(&s, 1u << 31));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_grab_and_paste),
        cmocka_unit_test(test_none_and_too_big),
        cmocka_unit_test(test_forget_client_clears_everything),
        cmocka_unit_test(test_guest_grab_and_requests),
        cmocka_unit_test(test_no_release_on_regrab),
        cmocka_unit_test(test_client_release),
        cmocka_unit_test(test_grab_serials),
        cmocka_unit_test(test_client_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
