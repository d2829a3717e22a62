"""The helper and its wire: one warm process per user serving every shell.

`server` (the helper: lock, socket, version handshake, idle exit; it decodes a request, calls
`Engine.press`, encodes the reply), `protocol` (the wire format and its number), `client` (ask,
start and stop the helper from Python, for the CLI), `relay` (the stand-alone client bash and fish
run per key press: standard library only, started with `python -S -I`).
"""
