"""Drives a real spice-gtk client (SpiceClientGLib through GObject introspection)
for the end-to-end tests. Run by /usr/bin/python3 (Debian's, which has python3-gi).

Notes on the peer, learnt the hard way:
- Session.connect / Channel.connect are spice's "connect to the server"; GObject
  signals are hooked with GObject.Object.connect(obj, ...).
- Without the GTK layer nothing converts line endings: bytes go through as given.
- Signal arguments typed gpointer (clipboard data, grab types) arrive as addresses
  and are read with ctypes while the signal runs.
"""
import ctypes
import time

import gi

gi.require_version("SpiceClientGLib", "2.0")
from gi.repository import GLib, GObject, SpiceClientGLib  # noqa: E402

SELECTION_CLIPBOARD = 0
# spice-protocol's enums (spice/enums.h); the typelib does not carry them.
SPICE_MOUSE_MODE_SERVER, SPICE_MOUSE_MODE_CLIENT = 1, 2
SPICE_MOUSE_BUTTON_LEFT = 1
SPICE_MOUSE_BUTTON_MASK_LEFT = 1


class TimeoutError_(AssertionError):
    pass


def _addr(p):
    """A gpointer signal argument as an integer address. PyGObject wraps it in
    a GPointer whose hash is the address itself (pygpointer.c)."""
    if p is None:
        return 0
    if isinstance(p, int):
        return p
    a = hash(p)
    if not repr(p).endswith("%x>" % a) and "%x" % a not in repr(p):
        raise AssertionError("cannot read the address of %r" % (p,))
    return a


class _Primary(ctypes.Structure):
    """SpiceDisplayPrimary (spice-gtk's channel-display.h)."""
    _fields_ = [("format", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("stride", ctypes.c_int), ("shmid", ctypes.c_int), ("data", ctypes.c_void_p),
                ("marked", ctypes.c_int)]


_libspice = ctypes.CDLL("libspice-client-glib-2.0.so.8")
_get_primary = _libspice.spice_display_channel_get_primary
_get_primary.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.POINTER(_Primary)]
_get_primary.restype = ctypes.c_int
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def _gobject_addr(obj):
    """The C address of a PyGObject-wrapped GObject."""
    return _capsule_pointer(obj.__gpointer__, None)


class SpiceClient:
    """One client session. Events are recorded in lists the tests wait on."""

    def __init__(self, port, host="127.0.0.1", log=print, serve=None, inputs=False,
                 display=False, cursor=False):
        self.uri = "spice://%s:%d" % (host, port)
        self.log = log
        self.session = None
        self._closed = []                 # disconnected sessions, kept alive
        self.main = None
        self.channel_events = []          # SpiceChannelEvent values of the main channel
        self.agent_history = []           # agent-connected values seen, in order
        self.guest_grabs = []             # lists of types the guest grabbed with
        self.received = []                # (type, bytes) the guest sent on our request
        self.guest_requests = []          # types the guest asked us for
        # What we answer when the guest requests our clipboard: type -> bytes.
        self.serve = dict(serve or {})
        # inputs=True also connects the inputs channel (pointer tests).
        self.want_inputs = inputs
        self.inputs = None
        self.inputs_events = []           # SpiceChannelEvent values of the inputs channel
        # display=True also connects display channel 0 (picture tests).
        self.want_display = display
        self.display = None
        self.primary_creates = []         # (width, height) of each primary surface made
        self.invalidated = 0              # display-invalidate signals seen
        self.invalidated_px = 0           # pixels they covered
        # cursor=True also connects the cursor channel: the guest's pointer shapes.
        self.want_cursor = cursor
        self.cursor_sets = []             # (width, height, hot_x, hot_y) of each shape

    # ---- connection --------------------------------------------------------
    def connect(self):
        self.session = SpiceClientGLib.Session()
        self.session.set_property("uri", self.uri)
        GObject.Object.connect(self.session, "channel-new", self._on_channel_new)
        if not self.session.connect():
            raise AssertionError("spice_session_connect failed for " + self.uri)
        self.wait(lambda: self.main is not None and SpiceClientGLib.ChannelEvent.OPENED
                  in self.channel_events, 10, "main channel opened")
        return self

    def disconnect(self):
        if self.session is not None:
            self.session.disconnect()
            # Let the socket close reach the server before anyone goes on; keep
            # the session object alive: its channels still run their teardown.
            self.pump(0.2)
            self._closed.append(self.session)
        self.session = None
        self.main = None

    def _on_channel_new(self, session, channel):
        if isinstance(channel, SpiceClientGLib.MainChannel):
            self.main = channel
            c = lambda sig, cb: GObject.Object.connect(channel, sig, cb)
            c("channel-event", self._on_channel_event)
            c("main-agent-update", self._on_agent_update)
            c("main-clipboard-selection-grab", self._on_grab)
            c("main-clipboard-selection-request", self._on_request)
            c("main-clipboard-selection", self._on_data)
        elif isinstance(channel, SpiceClientGLib.InputsChannel) and self.want_inputs:
            self.inputs = channel
            GObject.Object.connect(channel, "channel-event",
                                   lambda ch, ev: self.inputs_events.append(ev))
            channel.connect()
        elif isinstance(channel, SpiceClientGLib.DisplayChannel) and self.want_display \
                and self.display is None:
            self.display = channel
            GObject.Object.connect(channel, "display-primary-create", self._on_primary_create)
            GObject.Object.connect(channel, "display-invalidate", self._on_invalidate)
            channel.connect()
        elif isinstance(channel, SpiceClientGLib.CursorChannel) and self.want_cursor:
            GObject.Object.connect(channel, "cursor-set", self._on_cursor_set)
            channel.connect()

    def _on_cursor_set(self, channel, width, height, hot_x, hot_y, rgba):
        self.cursor_sets.append((width, height, hot_x, hot_y))

    def _on_primary_create(self, channel, fmt, width, height, stride, shmid, data):
        self.primary_creates.append((width, height))
        self.log("client: primary surface %dx%d" % (width, height))

    def _on_invalidate(self, channel, x, y, w, h):
        self.invalidated += 1
        self.invalidated_px += w * h

    def _on_channel_event(self, channel, event):
        self.channel_events.append(event)

    def _on_agent_update(self, channel):
        connected = bool(channel.get_property("agent-connected"))
        if not self.agent_history or self.agent_history[-1] != connected:
            self.agent_history.append(connected)
            self.log("client: agent %s" % ("connected" if connected else "disconnected"))

    def _on_grab(self, channel, selection, types, ntypes):
        if isinstance(types, (list, tuple)):       # annotated as an array in the typelib
            t = list(types)[:ntypes]
        else:
            t = list((ctypes.c_uint32 * ntypes).from_address(_addr(types))) if ntypes else []
        self.guest_grabs.append(t)
        self.log("client: guest grabbed %s" % t)
        return True

    def _on_request(self, channel, selection, vtype):
        self.guest_requests.append(vtype)
        data = self.serve.get(vtype)
        if data is None:
            self.log("client: guest asked for type %d we do not have" % vtype)
            return False
        channel.clipboard_selection_notify(selection, vtype, data)
        return True

    def _on_data(self, channel, selection, vtype, data, size):
        if isinstance(data, (bytes, bytearray, list, tuple)):
            buf = bytes(data[:size])
        else:
            buf = ctypes.string_at(_addr(data), size) if size else b""
        self.received.append((vtype, buf))
        self.log("client: got %d bytes of type %d from the guest" % (size, vtype))

    # ---- main loop ---------------------------------------------------------
    _ticking = False

    @classmethod
    def _iterate(cls):
        """One blocking main-loop iteration: returns as soon as an event was
        handled, or within 5 ms (a ticker source), so waits re-check their
        predicate. Never sleep-polls: spice's flow control is round trips."""
        if not cls._ticking:
            GLib.timeout_add(5, lambda: True)
            cls._ticking = True
        GLib.MainContext.default().iteration(True)

    @classmethod
    def pump(cls, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            cls._iterate()

    @classmethod
    def wait(cls, pred, timeout, what):
        end = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > end:
                raise TimeoutError_("timed out after %gs waiting for: %s" % (timeout, what))
            cls._iterate()

    # ---- agent -------------------------------------------------------------
    @property
    def agent_connected(self):
        return self.main is not None and bool(self.main.get_property("agent-connected"))

    def wait_agent_caps(self, cap, timeout=20):
        """The agent's caps arrive in its announce reply, after agent-connected."""
        self.wait(lambda: self.agent_connected and self.main.agent_test_capability(cap),
                  timeout, "agent capability %d" % cap)

    def agent_caps_word(self):
        return self.main.get_property("agent-caps-0")

    # ---- clipboard ---------------------------------------------------------
    def grab(self, serve):
        """Offer data to the guest: grab with serve's types, answer its requests."""
        self.serve = dict(serve)
        self.main.clipboard_selection_grab(SELECTION_CLIPBOARD, list(self.serve))

    def request(self, vtype, timeout=30):
        """Ask the guest for its clipboard as vtype; returns the bytes."""
        n = len(self.received)
        self.main.clipboard_selection_request(SELECTION_CLIPBOARD, vtype)
        self.wait(lambda: len(self.received) > n, timeout, "clipboard data of type %d" % vtype)
        t, data = self.received[n]
        if t != vtype:
            raise AssertionError("asked for type %d, got type %d" % (vtype, t))
        return data

    def wait_guest_grab(self, after, vtype, timeout=20):
        """Waits for a guest grab (after index `after`) offering vtype."""
        self.wait(lambda: any(vtype in g for g in self.guest_grabs[after:]), timeout,
                  "guest grab offering type %d" % vtype)

    # ---- pointer (inputs=True) ---------------------------------------------
    @property
    def mouse_mode(self):
        return self.main.get_property("mouse-mode")

    def wait_inputs(self, timeout=10):
        self.wait(lambda: self.inputs is not None and SpiceClientGLib.ChannelEvent.OPENED
                  in self.inputs_events, timeout, "inputs channel opened")

    def request_client_mouse(self, timeout=10):
        """Asks for client mouse mode; spice-server grants it only when it allows
        it (an agent with agent-mouse on, and a QXL primary surface in client
        mouse mode). Returns True once the main channel reports client mode."""
        client = SPICE_MOUSE_MODE_CLIENT
        if self.mouse_mode != client:
            self.main.request_mouse_mode(client)
        try:
            self.wait(lambda: self.mouse_mode == client, timeout, "client mouse mode")
        except TimeoutError_:
            return False
        return True

    def move(self, x, y, buttons=0, display=0):
        """An absolute pointer position (client mouse mode) on display `display`."""
        self.inputs.position(x, y, display, buttons)

    def click(self, x, y):
        """Left button down and up at x,y (the position goes first)."""
        self.move(x, y)
        self.inputs.button_press(SPICE_MOUSE_BUTTON_LEFT, SPICE_MOUSE_BUTTON_MASK_LEFT)
        self.inputs.button_release(SPICE_MOUSE_BUTTON_LEFT, 0)

    # ---- display (display=True) --------------------------------------------
    def primary(self):
        """(width, height, stride, bytes) of the display channel's primary
        surface as the client has it now (B, G, R, x per pixel), or None.
        Through ctypes: the typelib's SpiceDisplayPrimary field offsets are wrong
        (width reads as format, and so on)."""
        if self.display is None:
            return None
        p = _Primary()
        if not _get_primary(_gobject_addr(self.display), 0, ctypes.byref(p)):
            return None
        return p.width, p.height, p.stride, ctypes.string_at(p.data, p.stride * p.height)

    def wait_primary_size(self, width, height, timeout=20):
        self.wait(lambda: self.primary_creates[-1:] == [(width, height)], timeout,
                  "a %dx%d primary surface on the client" % (width, height))

    def set_monitor(self, width, height):
        """What a viewer window resized to width x height sends: one monitor."""
        self.main.update_display_enabled(0, True, False)
        self.main.update_display(0, 0, 0, width, height, False)
        if not self.main.send_monitor_config():
            raise AssertionError("spice-gtk did not send the monitor config")
