#!/usr/bin/python3
"""HARNESS SELF-TEST (no Wine, no real agent): real e2e_host + real spice-gtk +
fake_guest_agent.py. Checks that the client sees the (fake) agent connect, reads
its capabilities, that text goes client -> guest -> client through spice-server,
and that the agent leaving and returning is seen.

    selftest_fake_agent.py E2E_HOST_EXE WORKDIR
"""
import os
import sys

sys.dont_write_bytecode = True   # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack                                       # noqa: E402
import vdagent_wire as w                           # noqa: E402
from client import SpiceClient                     # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    host_exe, work = sys.argv[1], sys.argv[2]
    with stack.Processes(work) as procs:
        info = stack.start_host(procs, host_exe)
        fake = lambda: procs.start("fake-agent", ["/usr/bin/python3", os.path.join(HERE, "fake_guest_agent.py"),
                                                  str(info["guest_port"])])
        agent = fake()
        c = SpiceClient(info["spice_port"]).connect()
        c.wait_agent_caps(w.CAP_CLIPBOARD_BY_DEMAND)
        stack.check(c.main.agent_test_capability(w.CAP_GUEST_LINEEND_CRLF), "CRLF cap seen")
        stack.check(not c.main.agent_test_capability(w.CAP_CLIPBOARD_SELECTION), "no SELECTION cap")

        text = ("héllo 世界 🎉\r\n" * 5000).encode()
        g0 = len(c.guest_grabs)
        c.grab({w.CLIPBOARD_UTF8_TEXT: text})
        c.wait_guest_grab(g0, w.CLIPBOARD_UTF8_TEXT)
        back = c.request(w.CLIPBOARD_UTF8_TEXT)
        stack.check(back == text, "mirrored text equal (%d bytes)" % len(back))

        procs.stop(agent)
        c.wait(lambda: c.agent_history[-1:] == [False], 10, "agent gone")
        fake()
        c.wait_agent_caps(w.CAP_CLIPBOARD_BY_DEMAND)
        stack.check(c.agent_history[-3:] == [True, False, True], "agent came, went, came back")

        c.disconnect()
        c2 = SpiceClient(info["spice_port"]).connect()
        c2.wait_agent_caps(w.CAP_CLIPBOARD_BY_DEMAND)
        c2.disconnect()
    print("selftest: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(stack.run_main(main))
