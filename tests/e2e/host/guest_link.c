#include "guest_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static e2e_guest_link *link_of(SpiceCharDeviceInstance *sin)
{
    return (e2e_guest_link *)((char *)sin - offsetof(e2e_guest_link, sin));
}

static void drop_source(unsigned *id)
{
    if (*id)
        g_source_remove(*id);
    *id = 0;
}

static gboolean on_guest_readable(gint fd, GIOCondition cond, gpointer data);
static gboolean on_guest_writable(gint fd, GIOCondition cond, gpointer data);

static void watch_guest_input(e2e_guest_link *g)
{
    if (!g->in_src && g->fd >= 0)
        g->in_src = g_unix_fd_add(g->fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_guest_readable, g);
}

/* One line per MiB moved: tests read it to act in the middle of a transfer. */
static void log_progress(e2e_guest_link *g)
{
    uint64_t mib = (g->to_guest + g->from_guest) >> 20;
    if (mib == g->logged_mib)
        return;
    g->logged_mib = mib;
    fprintf(stderr, "e2e-host: session %u progress to_guest=%llu from_guest=%llu\n", g->session,
            (unsigned long long)g->to_guest, (unsigned long long)g->from_guest);
}

static void guest_gone(e2e_guest_link *g, const char *why)
{
    fprintf(stderr, "e2e-host: session %u guest disconnected (%s) to_guest=%llu from_guest=%llu\n",
            g->session, why, (unsigned long long)g->to_guest, (unsigned long long)g->from_guest);
    drop_source(&g->in_src);
    drop_source(&g->out_src);
    if (g->attached) {
        /* If spice-server already detached the agent itself (malformed message),
         * it logs a critical here and ignores the call; nothing else happens. */
        spice_server_remove_interface(&g->sin.base);
        g->attached = false;
    }
    close(g->fd);
    g->fd = -1;
    g->in_off = g->in_len = 0;
}

/* spice-server wants bytes from the guest. */
static int dev_read(SpiceCharDeviceInstance *sin, uint8_t *buf, int len)
{
    e2e_guest_link *g = link_of(sin);
    size_t n = g->in_len - g->in_off;
    if (len <= 0 || n == 0)
        return 0;
    if (n > (size_t)len)
        n = (size_t)len;
    memcpy(buf, g->in + g->in_off, n);
    g->in_off += n;
    if (g->in_off == g->in_len) {
        /* Drained: only now read the guest again (spice-server's backpressure). */
        g->in_off = g->in_len = 0;
        watch_guest_input(g);
    }
    return (int)n;
}

/* spice-server has bytes for the guest: write what the socket takes now. */
static int dev_write(SpiceCharDeviceInstance *sin, const uint8_t *buf, int len)
{
    e2e_guest_link *g = link_of(sin);
    if (g->fd < 0 || len <= 0)
        return 0;
    ssize_t n = send(g->fd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return 0;    /* the read side notices the broken connection */
        n = 0;
    }
    g->to_guest += (uint64_t)n;
    log_progress(g);
    /* NOTIFY_WRITABLE: spice-server waits for our wakeup before writing again. */
    if (n < len && !g->out_src)
        g->out_src = g_unix_fd_add(g->fd, G_IO_OUT | G_IO_HUP | G_IO_ERR, on_guest_writable, g);
    return (int)n;
}

static void dev_state(SpiceCharDeviceInstance *sin, int connected)
{
    (void)sin;
    fprintf(stderr, "e2e-host: spice-server set the agent device state to %d\n", connected);
}

static const SpiceCharDeviceInterface vdagent_sif = {
    .base = {
        .type = SPICE_INTERFACE_CHAR_DEVICE,
        .description = "e2e vdagent port",
        .major_version = SPICE_INTERFACE_CHAR_DEVICE_MAJOR,
        .minor_version = SPICE_INTERFACE_CHAR_DEVICE_MINOR,
    },
    .state = dev_state,
    .write = dev_write,
    .read = dev_read,
    .flags = SPICE_CHAR_DEVICE_NOTIFY_WRITABLE,
};

static gboolean on_guest_writable(gint fd, GIOCondition cond, gpointer data)
{
    (void)fd;
    (void)cond;
    e2e_guest_link *g = data;
    g->out_src = 0;
    if (g->attached)
        spice_server_char_device_wakeup(&g->sin);
    return G_SOURCE_REMOVE;
}

static gboolean on_guest_readable(gint fd, GIOCondition cond, gpointer data)
{
    (void)cond;
    e2e_guest_link *g = data;
    ssize_t n = recv(fd, g->in, sizeof g->in, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return G_SOURCE_CONTINUE;
    if (n <= 0) {
        g->in_src = 0;
        guest_gone(g, n == 0 ? "closed by the guest" : strerror(errno));
        return G_SOURCE_REMOVE;
    }
    g->from_guest += (uint64_t)n;
    log_progress(g);
    g->in_off = 0;
    g->in_len = (size_t)n;
    /* Stop reading until spice-server took all of it (dev_read re-arms). */
    g->in_src = 0;
    spice_server_char_device_wakeup(&g->sin);
    return G_SOURCE_REMOVE;
}

static gboolean on_guest_connect(gint fd, GIOCondition cond, gpointer data)
{
    (void)cond;
    e2e_guest_link *g = data;
    int c = accept(fd, NULL, NULL);
    if (c < 0)
        return G_SOURCE_CONTINUE;
    if (g->fd >= 0) {
        fprintf(stderr, "e2e-host: a second guest connection refused (one port, one opener)\n");
        close(c);
        return G_SOURCE_CONTINUE;
    }
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
    g->fd = c;
    g->to_guest = g->from_guest = g->logged_mib = 0;
    g->session++;
    if (spice_server_add_interface(g->server, &g->sin.base) != 0) {
        fprintf(stderr, "e2e-host: spice-server refused the vdagent device\n");
        close(c);
        g->fd = -1;
        return G_SOURCE_CONTINUE;
    }
    g->attached = true;
    fprintf(stderr, "e2e-host: session %u guest connected, agent device attached\n", g->session);
    watch_guest_input(g);
    return G_SOURCE_CONTINUE;
}

int e2e_guest_link_init(e2e_guest_link *g, SpiceServer *server, int port)
{
    memset(g, 0, sizeof *g);
    g->sin.base.sif = &vdagent_sif.base;
    g->sin.subtype = "vdagent";
    g->server = server;
    g->fd = -1;
    g->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (g->listen_fd < 0)
        return -1;
    int one = 1;
    setsockopt(g->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(g->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(g->listen_fd, 4) != 0 ||
        getsockname(g->listen_fd, (struct sockaddr *)&a, &al) != 0) {
        close(g->listen_fd);
        g->listen_fd = -1;
        return -1;
    }
    g->listen_src = g_unix_fd_add(g->listen_fd, G_IO_IN, on_guest_connect, g);
    return ntohs(a.sin_port);
}

void e2e_guest_link_close(e2e_guest_link *g)
{
    if (g->fd >= 0)
        guest_gone(g, "host shutting down");
    drop_source(&g->listen_src);
    if (g->listen_fd >= 0)
        close(g->listen_fd);
    g->listen_fd = -1;
}
