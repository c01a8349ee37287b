"""The vdagent chunk stream (spice/vd_agent.h) for the harness's Python side:
framing and the few message types the fake guest agent and the tests need.
Constants are the header's enum values (counted there, not guessed)."""
import struct

VDP_CLIENT_PORT, VDP_SERVER_PORT = 1, 2
VD_AGENT_PROTOCOL = 1
VD_AGENT_MAX_DATA_SIZE = 2048

# enum of message types, from 1
(VD_AGENT_MOUSE_STATE, VD_AGENT_MONITORS_CONFIG, VD_AGENT_REPLY, VD_AGENT_CLIPBOARD,
 VD_AGENT_DISPLAY_CONFIG, VD_AGENT_ANNOUNCE_CAPABILITIES, VD_AGENT_CLIPBOARD_GRAB,
 VD_AGENT_CLIPBOARD_REQUEST, VD_AGENT_CLIPBOARD_RELEASE) = range(1, 10)
VD_AGENT_CLIENT_DISCONNECTED = 13

# capability bits
(CAP_MOUSE_STATE, CAP_MONITORS_CONFIG, CAP_REPLY, CAP_CLIPBOARD, CAP_DISPLAY_CONFIG,
 CAP_CLIPBOARD_BY_DEMAND, CAP_CLIPBOARD_SELECTION, CAP_SPARSE_MONITORS_CONFIG,
 CAP_GUEST_LINEEND_LF, CAP_GUEST_LINEEND_CRLF, CAP_MAX_CLIPBOARD) = range(11)
CAP_AUDIO_VOLUME_SYNC = 11
CAP_GRAPHICS_DEVICE_INFO = 15
CAP_CLIPBOARD_NO_RELEASE_ON_REGRAB = 16
CAP_CLIPBOARD_GRAB_SERIAL = 17

CLIPBOARD_UTF8_TEXT, CLIPBOARD_IMAGE_PNG = 1, 2

CHUNK_HDR = struct.Struct("<II")          # port, size
MSG_HDR = struct.Struct("<IIQI")          # protocol, type, opaque, size


def encode_message(port, msg_type, payload):
    """One message as its chunk stream (payload split at 2048-byte chunks)."""
    body = MSG_HDR.pack(VD_AGENT_PROTOCOL, msg_type, 0, len(payload)) + payload
    out = bytearray()
    for off in range(0, len(body), VD_AGENT_MAX_DATA_SIZE):
        piece = body[off:off + VD_AGENT_MAX_DATA_SIZE]
        out += CHUNK_HDR.pack(port, len(piece)) + piece
    return bytes(out)


def caps_payload(caps, request):
    word = 0
    for c in caps:
        word |= 1 << c
    return struct.pack("<II", 1 if request else 0, word)


class MessageReader:
    """Feeds bytes, yields (port, type, payload) for every complete message."""

    def __init__(self):
        self.buf = bytearray()
        self.partial = {}                 # port -> bytearray of the message so far

    def feed(self, data):
        self.buf += data
        out = []
        while len(self.buf) >= CHUNK_HDR.size:
            port, size = CHUNK_HDR.unpack_from(self.buf)
            if len(self.buf) < CHUNK_HDR.size + size:
                break
            piece = bytes(self.buf[CHUNK_HDR.size:CHUNK_HDR.size + size])
            del self.buf[:CHUNK_HDR.size + size]
            msg = self.partial.setdefault(port, bytearray())
            msg += piece
            while len(msg) >= MSG_HDR.size:
                _, mtype, _, msize = MSG_HDR.unpack_from(msg)
                if len(msg) < MSG_HDR.size + msize:
                    break
                out.append((port, mtype, bytes(msg[MSG_HDR.size:MSG_HDR.size + msize])))
                del msg[:MSG_HDR.size + msize]
        return out
