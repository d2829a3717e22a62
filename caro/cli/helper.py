"""`caro helper start|stop|status|run`."""

from __future__ import annotations

import sys

from .. import paths


def cmd_helper(args) -> int:
    return command(args.action, foreground=args.foreground)


def command(action: str, foreground: bool = False) -> int:
    from ..daemon import client

    if action == "dir":
        # a shell whose environment differs from the one its snippet was rendered in asks here
        # (the rule is paths.runtime_path); the shell checks the directory is private itself
        print(paths.runtime_path())
        return 0
    try:
        paths.runtime_dir()
    except paths.UnsafeDirectory as e:
        print(f"caro: {e}", file=sys.stderr)
        return 1
    if action == "run" or (action == "start" and foreground):
        from ..daemon import server as helper

        try:
            helper.log_to(paths.private_file(paths.logs_dir() / "helper.log"), also_stderr=sys.stderr.isatty())
        except OSError as e:
            print(
                f"caro: cannot write the helper log in {paths.logs_dir()} ({e.strerror}); "
                "check that CARO_HOME is writable and not full",
                file=sys.stderr,
            )
            return 1
        return helper.serve()
    if action == "start":
        try:
            v = client.start()
        except RuntimeError as e:
            print(f"caro: {e}", file=sys.stderr)
            return 1
        print(f"caro helper {v} running (pid {client.lock_holder() or '?'})")
        return 0
    if action == "stop":
        print("caro helper stopped" if client.stop() else "caro helper was not running")
        return 0
    if action == "status":
        answered = client.ping()
        holder = client.lock_holder()
        if answered:
            print(f"running: version {answered}, pid {holder or '?'}, socket {client.files()[1]}")
            return 0
        print(f"not answering (pid {holder} holds the lock); run: caro helper stop" if holder else "not running")
        return 1
    return 2
