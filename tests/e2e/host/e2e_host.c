/* e2e_host: a minimal SPICE host for end-to-end tests. Real spice-server on a GLib
 * main loop, listening on 127.0.0.1 only, with one vdagent char device whose
 * guest side is a loopback TCP port (see guest_link.h). No display by default:
 * a client only needs the main channel, which also carries the agent's data.
 * --display WxH adds a blank QXL display (blank_display.h), without which
 * spice-server never allows client mouse mode. --x11 DISPLAY instead adds a
 * display that mirrors that X screen (x11_display.h): the picture of the Xvfb
 * the Windows side runs on, following its size.
 *
 *   e2e_host [--spice-port N] [--guest-port N] [--info-file PATH]
 *            [--display WxH | --x11 DISPLAY] [--image-compression off|quic|auto_glz|...]
 *
 * Port 0 (the default) picks a free one. Once listening it writes
 * "spice_port=N\nguest_port=M\n" to the info file (atomically) and to stdout.
 * Events (client and guest coming and going) are logged on stderr.
 * SIGTERM or SIGINT stops it cleanly. */
#include "blank_display.h"
#include "glib_core.h"
#include "guest_link.h"
#include "x11_display.h"

#include <arpa/inet.h>
#include <glib.h>
#include <glib-unix.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
    int spice_port, guest_port;
    const char *info_file;
    unsigned display_w, display_h;     /* 0: no display device */
    const char *x11;                   /* X display to mirror, or NULL */
    int image_compression;             /* SpiceImageCompression, -1: spice-server's default */
} host_args;

static int parse_compression(const char *v)
{
    static const char *const names[] = { "invalid", "off", "auto_glz", "auto_lz", "quic",
                                         "glz", "lz", "lz4" };
    for (int i = 1; i < (int)G_N_ELEMENTS(names); i++)
        if (!strcmp(v, names[i]))
            return i;
    return -1;
}

static int parse_args(int argc, char **argv, host_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--spice-port") && v)
            a->spice_port = atoi(v);
        else if (!strcmp(argv[i], "--guest-port") && v)
            a->guest_port = atoi(v);
        else if (!strcmp(argv[i], "--info-file") && v)
            a->info_file = v;
        else if (!strcmp(argv[i], "--display") && v &&
                 sscanf(v, "%ux%u", &a->display_w, &a->display_h) == 2 &&
                 a->display_w > 0 && a->display_w <= 8192 && a->display_h > 0 &&
                 a->display_h <= 8192)
            ;
        else if (!strcmp(argv[i], "--x11") && v)
            a->x11 = v;
        else if (!strcmp(argv[i], "--image-compression") && v &&
                 (a->image_compression = parse_compression(v)) > 0)
            ;
        else {
            fprintf(stderr, "usage: e2e_host [--spice-port N] [--guest-port N] [--info-file PATH]"
                            " [--display WxH | --x11 DISPLAY] [--image-compression NAME]\n");
            return -1;
        }
        i++;
    }
    return 0;
}

/* spice-server takes a port number, not a socket: find one the kernel says is
 * free on the loopback address. (A race with another program is possible but
 * spice_server_init then fails and we try again.) */
static int free_loopback_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    int port = -1;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &al) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

static SpiceServer *start_spice(int *port, int image_compression)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        int p = *port ? *port : free_loopback_port();
        SpiceServer *s = spice_server_new();
        spice_server_set_addr(s, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
        spice_server_set_port(s, p);
        spice_server_set_noauth(s);
        spice_server_set_name(s, "spice-vdagent-win e2e");
        spice_server_set_agent_copypaste(s, 1);
        spice_server_set_agent_mouse(s, 1);
        if (image_compression > 0)
            spice_server_set_image_compression(s, (SpiceImageCompression)image_compression);
        if (spice_server_init(s, e2e_glib_core()) == 0) {
            *port = p;
            return s;
        }
        spice_server_destroy(s);
        if (*port)
            break;
    }
    return NULL;
}

static int write_info(const char *path, int spice_port, int guest_port)
{
    printf("spice_port=%d\nguest_port=%d\n", spice_port, guest_port);
    fflush(stdout);
    if (!path)
        return 0;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "spice_port=%d\nguest_port=%d\npid=%ld\n", spice_port, guest_port, (long)getpid());
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

static gboolean on_signal(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
    host_args a = { 0 };
    a.image_compression = -1;
    if (parse_args(argc, argv, &a) != 0)
        return 2;
    if (a.display_w && a.x11) {
        fprintf(stderr, "e2e_host: --display and --x11 are two kinds of display: give one\n");
        return 2;
    }
    setvbuf(stderr, NULL, _IOLBF, 0);
    /* spice-server writes to client sockets that may have been reset: like any
     * SPICE host (QEMU does the same), take EPIPE as an error, not a signal. */
    signal(SIGPIPE, SIG_IGN);

    SpiceServer *server = start_spice(&a.spice_port, a.image_compression);
    if (!server) {
        fprintf(stderr, "e2e-host: spice-server could not listen on 127.0.0.1\n");
        return 1;
    }
    e2e_blank_display *display = NULL;
    if (a.display_w) {
        display = g_new(e2e_blank_display, 1);
        if (e2e_blank_display_init(display, server, a.display_w, a.display_h) != 0) {
            spice_server_destroy(server);
            return 1;
        }
        spice_server_vm_start(server);
    }
    e2e_x11_display *mirror = NULL;
    if (a.x11) {
        mirror = e2e_x11_display_new(server, a.x11);
        if (!mirror) {
            spice_server_destroy(server);
            return 1;
        }
        spice_server_vm_start(server);
    }
    e2e_guest_link *guest = g_new(e2e_guest_link, 1);
    int gport = e2e_guest_link_init(guest, server, a.guest_port);
    if (gport < 0) {
        fprintf(stderr, "e2e-host: cannot listen for the guest on 127.0.0.1:%d\n", a.guest_port);
        spice_server_destroy(server);
        return 1;
    }
    if (write_info(a.info_file, a.spice_port, gport) != 0) {
        fprintf(stderr, "e2e-host: cannot write %s\n", a.info_file);
        return 1;
    }
    fprintf(stderr, "e2e-host: spice://127.0.0.1:%d, guest side 127.0.0.1:%d\n", a.spice_port, gport);

    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, on_signal, loop);
    g_unix_signal_add(SIGINT, on_signal, loop);
    g_main_loop_run(loop);

    fprintf(stderr, "e2e-host: stopping\n");
    e2e_guest_link_close(guest);
    if (display)
        e2e_blank_display_close(display);
    if (mirror)
        e2e_x11_display_close(mirror);
    spice_server_destroy(server);
    if (mirror)
        e2e_x11_display_free(mirror);
    if (display) {
        g_free(display->pixels);    /* only once the display worker is gone */
        g_free(display);
    }
    g_free(guest);
    g_main_loop_unref(loop);
    return 0;
}
