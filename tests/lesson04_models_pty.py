#!/usr/bin/env python3
"""Runs keyboard_threads in a pseudo-terminal, as a student would in a real one, and checks that
it switches the terminal to key-at-a-time mode without echo and restores it on the way out.

    lesson04_models_pty.py PROGRAM q|sigint

Types 'a', waits for a run of a's, then ends the program with 'q' or SIGINT (Ctrl-C).
Prints 'ok' and exits 0 when the terminal's settings afterwards equal those before; exits 77
(the test then counts as skipped) where no pseudo-terminal can be opened.
"""
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time

DEADLINE = 10


def wait_for(condition, what):
    end = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > end:
            sys.exit(f'timed out waiting for {what}')
        time.sleep(0.01)


def main():
    program, ending = sys.argv[1], sys.argv[2]
    try:
        master, slave = pty.openpty()
    except OSError as e:  # a container or chroot without /dev/pts: nothing to test here
        print(f'cannot open a pseudo-terminal: {e}')
        sys.exit(77)
    before = termios.tcgetattr(slave)
    proc = subprocess.Popen([program, '--interval', '5'], stdin=slave, stdout=slave, stderr=slave)
    wait_for(lambda: not termios.tcgetattr(slave)[3] & termios.ICANON, 'key-at-a-time mode')
    if termios.tcgetattr(slave)[3] & termios.ECHO:
        sys.exit('echo is still on')
    os.write(master, b'a')
    seen = b''
    end = time.monotonic() + DEADLINE
    while b'aaaa' not in seen:
        if time.monotonic() > end:
            sys.exit(f'no run of a, got {seen!r}')
        if select.select([master], [], [], 0.1)[0]:
            seen += os.read(master, 1024)
    if ending == 'q':
        os.write(master, b'q')
    else:
        proc.send_signal(signal.SIGINT)
    try:
        code = proc.wait(DEADLINE)
    except subprocess.TimeoutExpired:
        proc.kill()
        sys.exit('did not end')
    if code != 0:
        sys.exit(f'exit status {code}')
    if termios.tcgetattr(slave) != before:
        sys.exit('terminal settings not restored')
    print('ok')


if __name__ == '__main__':
    main()
