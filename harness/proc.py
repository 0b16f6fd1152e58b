"""Commands, ports and waiting."""

import shlex
import socket
import subprocess
import time
import urllib.request


class Timeout(AssertionError):
    """Something never became true (an AssertionError, so pytest shows it as a failure)."""


def run(cmd, check=True, env=None, timeout=600, cwd=None):
    """Runs a command and captures its output; on failure its output is in the error."""
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, cwd=cwd)
    if check and result.returncode != 0:
        raise AssertionError(f"{shlex.join(cmd)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def free_port():
    """A TCP port free right now on loopback (another process may still take it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(what, check, timeout=30, interval=0.2, ignore=(OSError,)):
    """Calls `check` until it returns something truthy, and returns that; exceptions
    of the `ignore` types count as "not yet". Raises Timeout naming `what` and the
    last result."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = check()
            if last:
                return last
        except ignore as error:
            last = error
        if time.monotonic() >= deadline:
            raise Timeout(f"timed out after {timeout}s waiting for {what}; last: {last!r}")
        time.sleep(interval)


def http_ok(url):
    """Whether GET url answers 2xx within a second."""
    with urllib.request.urlopen(url, timeout=1) as response:
        response.read()
        return 200 <= response.status < 300


def wait_http(url, timeout=20, process=None):
    """Waits until GET url answers 2xx; with `process`, fails at once if it exits."""

    def up():
        if process is not None and process.poll() is not None:
            raise Timeout(f"the process serving {url} exited with status {process.returncode}")
        return http_ok(url)

    eventually(f"{url} to answer", up, timeout=timeout, interval=0.1, ignore=(OSError, ValueError))


def stop(process, timeout=10):
    """SIGTERM, then SIGKILL after `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
