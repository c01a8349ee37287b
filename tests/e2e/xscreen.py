"""The X screen the Windows side runs on, read directly (libX11 through ctypes,
no extra tools): its size, the pointer position and its pixels."""
import ctypes

_x11 = ctypes.CDLL("libX11.so.6")
_x11.XOpenDisplay.restype = ctypes.c_void_p
_x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
_x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
_x11.XDefaultRootWindow.restype = ctypes.c_ulong
_x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
_x11.XQueryPointer.argtypes = [ctypes.c_void_p, ctypes.c_ulong] + \
    [ctypes.POINTER(ctypes.c_ulong)] * 2 + [ctypes.POINTER(ctypes.c_int)] * 4 + \
    [ctypes.POINTER(ctypes.c_uint)]
_x11.XGetGeometry.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong)] + \
    [ctypes.POINTER(ctypes.c_int)] * 2 + [ctypes.POINTER(ctypes.c_uint)] * 4
_x11.XGetImage.restype = ctypes.c_void_p
_x11.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                           ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
_x11.XFree.argtypes = [ctypes.c_void_p]
_x11.XDefaultVisual.restype = ctypes.c_void_p
_x11.XDefaultVisual.argtypes = [ctypes.c_void_p, ctypes.c_int]
_x11.XDefaultGC.restype = ctypes.c_void_p
_x11.XDefaultGC.argtypes = [ctypes.c_void_p, ctypes.c_int]
_x11.XCreateImage.restype = ctypes.c_void_p
_x11.XCreateImage.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int,
                              ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint,
                              ctypes.c_int, ctypes.c_int]
_x11.XPutImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_void_p] + \
    [ctypes.c_int] * 4 + [ctypes.c_uint] * 2
_x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
_ZPIXMAP = 2


class _XImage(ctypes.Structure):
    """The leading fields of Xlib's XImage."""
    _fields_ = [("width", ctypes.c_int), ("height", ctypes.c_int), ("xoffset", ctypes.c_int),
                ("format", ctypes.c_int), ("data", ctypes.c_void_p), ("byte_order", ctypes.c_int),
                ("bitmap_unit", ctypes.c_int), ("bitmap_bit_order", ctypes.c_int),
                ("bitmap_pad", ctypes.c_int), ("depth", ctypes.c_int),
                ("bytes_per_line", ctypes.c_int), ("bits_per_pixel", ctypes.c_int)]


class XScreen:
    def __init__(self, display):
        self.dpy = _x11.XOpenDisplay(display.encode())
        if not self.dpy:
            raise AssertionError("cannot open X display " + display)
        self.root = _x11.XDefaultRootWindow(self.dpy)

    def close(self):
        _x11.XCloseDisplay(self.dpy)

    def size(self):
        """The root window's size now (it follows RandR changes)."""
        r, i, u = ctypes.c_ulong(), [ctypes.c_int() for _ in range(2)], \
            [ctypes.c_uint() for _ in range(4)]
        _x11.XGetGeometry(self.dpy, self.root, ctypes.byref(r), *[ctypes.byref(v) for v in i],
                          *[ctypes.byref(v) for v in u])
        return u[0].value, u[1].value

    def pointer(self):
        w, c = ctypes.c_ulong(), ctypes.c_ulong()
        rx, ry, wx, wy = (ctypes.c_int() for _ in range(4))
        mask = ctypes.c_uint()
        _x11.XQueryPointer(self.dpy, self.root, ctypes.byref(w), ctypes.byref(c), ctypes.byref(rx),
                           ctypes.byref(ry), ctypes.byref(wx), ctypes.byref(wy), ctypes.byref(mask))
        return rx.value, ry.value

    def pixels(self):
        """(width, height, bytes): the screen as B, G, R, x rows, no padding."""
        w, h = self.size()
        p = _x11.XGetImage(self.dpy, self.root, 0, 0, w, h, 0xffffffff, _ZPIXMAP)
        if not p:
            raise AssertionError("XGetImage of the root window failed")
        im = _XImage.from_address(p)
        try:
            if im.bits_per_pixel != 32 or im.byte_order != 0:
                raise AssertionError("the X screen is not 32 bpp LSB first")
            data = ctypes.string_at(im.data, im.bytes_per_line * h)
        finally:
            _x11.XFree(im.data)
            _x11.XFree(p)
        if im.bytes_per_line != w * 4:
            data = b"".join(data[y * im.bytes_per_line:y * im.bytes_per_line + w * 4]
                            for y in range(h))
        return w, h, data

    def painter(self, frames):
        """A function that paints frames[i % len] (B, G, R, x bytes of the whole
        screen) onto the root window and waits until the server did it."""
        w, h = self.size()
        bufs = [ctypes.create_string_buffer(f, len(f)) for f in frames]
        # XCreateImage keeps the pointer; the buffers live as long as the closure.
        images = [_x11.XCreateImage(self.dpy, _x11.XDefaultVisual(self.dpy, 0), 24, _ZPIXMAP, 0,
                                    ctypes.cast(b, ctypes.c_void_p), w, h, 32, w * 4)
                  for b in bufs]
        gc = _x11.XDefaultGC(self.dpy, 0)

        def paint(i):
            _x11.XPutImage(self.dpy, self.root, gc, images[i % len(images)], 0, 0, 0, 0, w, h)
            _x11.XSync(self.dpy, 0)
        paint.keep = bufs
        return paint
