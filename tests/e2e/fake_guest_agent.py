#!/usr/bin/python3
"""HARNESS SELF-TEST ONLY -- not our agent. A fake guest agent that speaks raw
vdagent chunks on e2e_host's guest port, so the harness (real spice-server, real
spice-gtk) can be checked without Wine: it announces capabilities, answers the
client's announce, and mirrors text: when the client grabs, it requests the text,
then grabs back and serves the same text when asked.

    fake_guest_agent.py GUEST_PORT
"""
import socket
import struct
import sys

sys.dont_write_bytecode = True   # nothing written into the source tree
import vdagent_wire as w         # noqa: E402

FAKE_CAPS = [w.CAP_CLIPBOARD_BY_DEMAND, w.CAP_GUEST_LINEEND_CRLF, w.CAP_REPLY]


def main():
    port = int(sys.argv[1])
    s = socket.create_connection(("127.0.0.1", port))
    send = lambda p, t, payload: s.sendall(w.encode_message(p, t, payload))
    # Dropped by spice-server while no client has started the agent channel;
    # then the client's own announce (request=1) makes us send it again.
    send(w.VDP_CLIENT_PORT, w.VD_AGENT_ANNOUNCE_CAPABILITIES, w.caps_payload(FAKE_CAPS, True))
    reader = w.MessageReader()
    mirrored = None
    while True:
        data = s.recv(65536)
        if not data:
            return 0
        for port_, mtype, payload in reader.feed(data):
            if mtype == w.VD_AGENT_ANNOUNCE_CAPABILITIES:
                request = struct.unpack_from("<I", payload)[0]
                print("fake-agent: client caps", payload[4:].hex(), "request", request, flush=True)
                if request:
                    send(w.VDP_CLIENT_PORT, w.VD_AGENT_ANNOUNCE_CAPABILITIES,
                         w.caps_payload(FAKE_CAPS, False))
            elif mtype == w.VD_AGENT_CLIPBOARD_GRAB:
                types = struct.unpack("<%dI" % (len(payload) // 4), payload)
                print("fake-agent: client grabbed", types, flush=True)
                if w.CLIPBOARD_UTF8_TEXT in types:
                    send(w.VDP_CLIENT_PORT, w.VD_AGENT_CLIPBOARD_REQUEST,
                         struct.pack("<I", w.CLIPBOARD_UTF8_TEXT))
            elif mtype == w.VD_AGENT_CLIPBOARD:
                mirrored = payload[4:]
                print("fake-agent: got %d bytes of text; grabbing back" % len(mirrored), flush=True)
                send(w.VDP_CLIENT_PORT, w.VD_AGENT_CLIPBOARD_GRAB,
                     struct.pack("<I", w.CLIPBOARD_UTF8_TEXT))
            elif mtype == w.VD_AGENT_CLIPBOARD_REQUEST and mirrored is not None:
                send(w.VDP_CLIENT_PORT, w.VD_AGENT_CLIPBOARD,
                     struct.pack("<I", w.CLIPBOARD_UTF8_TEXT) + mirrored)
            elif mtype == w.VD_AGENT_CLIENT_DISCONNECTED:
                print("fake-agent: client disconnected", flush=True)
                reader = w.MessageReader()


if __name__ == "__main__":
    sys.exit(main())
