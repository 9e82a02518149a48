#!/usr/bin/env python3
"""Wake an x86_64 guest that stays in ACPI S3 because its alarm came too early.

The suspend tests (hwbp_suspend, hwbp_soak, step_after_suspend_test) set a
CLOCK_BOOTTIME_ALARM timer a few seconds ahead and write "mem" to
/sys/power/state. Once in about 40 x86_64 runs the guest entered S3 and
never woke (QEMU idle until the boot's time limit). What we believe
happens, not yet caught in the act: the kernel programs the RTC alarm
early in the suspend path (alarmtimer's suspend callback), then takes the
other CPUs down and enters S3. Under TCG on a loaded host that stretch can
outlast the alarm; the RTC interrupt then arrives before S3, the ACPI code
clears the fixed-event status on the way in, and QEMU wakes a suspended
guest only for an alarm that fires while it is suspended. Real machines
have the same race, but there a few seconds are ample.

Nothing in the breakpoint layer runs between the alarm and S3, and a guest
that QEMU reports "suspended" has finished its whole suspend path. So a
guest still suspended LIMIT seconds after QEMU said so is woken through
QMP (system_wakeup), and the resume, which the tests do check, goes on.
Each wake-up is one line in the sidecar file (report.py turns it into an
INFO row naming the test), never silent.

usage: s3-wake.py QMP_SOCKET SIDECAR CONSOLE_LOG [LIMIT_SECONDS]
Exits when QEMU goes away (or never opens the socket).
"""
import json
import os
import socket
import sys
import time


def running_test(console_log):
    """The test the guest announced last (@@@ BEGIN suite test), or 'boot'."""
    test = 'boot'
    try:
        with open(console_log, errors='replace') as f:
            for line in f:
                if line.startswith('@@@ BEGIN '):
                    words = line.split()
                    if len(words) >= 4:
                        test = f'{words[2]}:{words[3]}'
                elif line.startswith('@@@ END '):
                    test = 'between tests'
    except OSError:
        pass
    return test


class Qmp:
    def __init__(self, path, wait):
        deadline = time.monotonic() + wait
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self.f = self.sock.makefile('rw')
        self.answer()                   # the greeting
        self.call('qmp_capabilities')

    def answer(self):
        """The next line that is not an asynchronous event."""
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError
            msg = json.loads(line)
            if 'event' not in msg:
                return msg

    def call(self, command):
        self.f.write(json.dumps({'execute': command}) + '\n')
        self.f.flush()
        return self.answer()


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    path, sidecar, console_log = sys.argv[1:4]
    limit = float(sys.argv[4]) if len(sys.argv) > 4 else 30.0
    try:
        qmp = Qmp(path, wait=120)
    except OSError:
        return 0
    since = None
    try:
        while True:
            status = qmp.call('query-status').get('return', {}).get('status')
            now = time.monotonic()
            if status != 'suspended':
                since = None
            elif since is None:
                since = now
            elif now - since >= limit:
                test = running_test(console_log)
                reply = qmp.call('system_wakeup')
                how = 'woken' if 'return' in reply else f'wake-up refused: {reply}'
                line = f'S3-WAKE {test} {now - since:.0f}s {how}'
                with open(sidecar, 'a') as f:
                    f.write(line + '\n')
                print(f'== host: guest suspended for {now - since:.0f} s during '
                      f'{test} (missed its RTC alarm): {how} through QMP',
                      file=sys.stderr)
                since = None
            time.sleep(2)
    except (OSError, EOFError, ValueError):
        return 0


if __name__ == '__main__':
    sys.exit(main())
