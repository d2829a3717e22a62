"""The shell language, read without running anything: the parser (tree-sitter's bash grammar, with
zsh and fish lines rewritten into the bash that means the same, `dialect`), the static expander
(`shellparse`), and what caro knows about how a simple command is put together: wrappers that run
the command after them, options, operands (`commands`). The safety check, the intent guard, the
answer checks, explain and the documentation lookup all read lines through it."""
