"""The pipeline: a request (or a line that already is a command) in, judged answers out.

Read in this order, the order a request goes through:
`suggestion` (the request's limits, what comes back) → `context` (what the command will run on) →
`user_examples` (the user's own pairs win) → `prompt` (what the model is asked) → `parse` (its reply
cut to one command) → `checks` with `flagcheck` (options the program really has) and `intent` (a
read-only request never gets a command that changes state) → `pipeline` (the one way through:
draft, documentation-grounded second answer, the reviewer, safety; `Engine.press` is what a key
press means). `linekind` tells a command from a request; `explain` describes a command word by word.

Nothing is imported here, on purpose: a client of the helper rebuilds a `suggestion` from a reply
without loading the parser and the rule table.
"""
