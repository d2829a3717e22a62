"""The shell side: everything that knows about zsh, bash and fish start-up and key bindings.

`shells` (one class per shell: rc file, block, key spelling, render head), `render` (the static
snippets in shell/ behind that head, with the facts the shell needs rendered from Python) and
`rcfiles` (the marked blocks in the user's start-up files). The completion files are generated
from the CLI's parsers (caro/cli/completion.py), so they stay with the CLI.
"""
