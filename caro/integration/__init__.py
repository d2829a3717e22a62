"""The shell side of caro: everything that knows about zsh, bash and fish or talks to the helper.

`shells` (one class per shell: rc file, block, key spelling, render head), `render` (the static
snippets in shell/ behind that head), `rcfiles` (the marked blocks in the user's start-up files),
`keys` (one hotkey spelling parsed), `protocol` (the wire format and its number), `relay` (the
stand-alone client bash and fish run per key press) and `client` (ask, start and stop the helper
from Python). The helper itself is one floor up (caro/helper.py); the completion files are
generated from the CLI's parsers (caro/cli/completion.py), so they stay with the CLI.
"""
