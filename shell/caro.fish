# caro: press Ctrl-G to turn the request on the command line into a command.
# Load with:  caro hook fish | source   (or source this file after setting __caro_python)
# The line is only edited, never run; on any failure your text comes back unchanged.

if status is-interactive
    set -l __caro_fish_version (string split . -- $version)
    if test "$__caro_fish_version[1]" -lt 3; or begin
            test "$__caro_fish_version[1]" -eq 3; and test "$__caro_fish_version[2]" -lt 4
        end
        builtin echo "caro: the Ctrl-G widget needs fish 3.4 or newer (this is $version); use: caro \"request\"" >&2
    else
        set -q __caro_python; or set -g __caro_python (set -q CARO_PYTHON; and builtin echo $CARO_PYTHON; or builtin echo python3)
        set -q __caro_relay; or set -g __caro_relay ""
        set -q __caro_version; or set -g __caro_version 0
        set -q __caro_protocol; or set -g __caro_protocol 1
        set -q __caro_last_index; or set -g __caro_last_index 0
        set -q __caro_last_req; or set -g __caro_last_req ""
        set -q __caro_last_cmd; or set -g __caro_last_cmd ""

        # The runtime dir: the render baked Python's answer (caro/paths.py holds the rule) with the
        # environment it was computed for; in another environment (CARO_HOME exported later, a
        # static copy of this file) Python is asked once and the answer kept for that environment.
        function __caro_runtime_dir
            set -l key "$CARO_RUNTIME_DIR|$XDG_RUNTIME_DIR|$CARO_HOME|$HOME"
            if set -q CARO_RUNTIME_DIR; and test -n "$CARO_RUNTIME_DIR"
                builtin echo $CARO_RUNTIME_DIR
            else if set -q __caro_rundir; and test -n "$__caro_rundir"; and test "$key" = "$__caro_rundir_key"
                builtin echo $__caro_rundir
            else
                set -l dir ($__caro_python -m caro helper dir 2>/dev/null </dev/null)
                if test -n "$dir"
                    set -g __caro_rundir $dir
                    set -g __caro_rundir_key $key
                    builtin echo $dir
                end
            end
        end

        # Warm the model while the shell starts, so the first Ctrl-G does not wait for it to load
        # (CARO_NO_START=1 skips this; the widget starts the helper on demand anyway).
        if test "$CARO_NO_START" != 1; and set -l __caro_dir (__caro_runtime_dir); and not test -S $__caro_dir/helper.sock
            command sh -c '"$0" -m caro helper start >/dev/null 2>&1 </dev/null &' $__caro_python
        end

        function __caro_say --description 'caro: one clean line under the prompt'
            # clear the row first (a shorter message once left the end of the command line behind)
            # and keep to one row: a message that wraps is drawn over by the prompt's repaint. A
            # message that follows one of caro's own on the same prompt (the next alternative, the
            # improvement after the explanation) takes that message's row: a run of presses leaves
            # one line in the scrollback
            set -l msg "caro: $argv"
            set -l width (math (string replace -r '^$' 80 -- "$COLUMNS") - 1)
            if test (string length -- "$msg") -gt $width
                set msg (string sub -l (math $width - 1) -- "$msg")"…"
            end
            if set -q __caro_msg_above
                builtin printf '\e[A' >&2
            end
            builtin printf '\r\e[2K%s\n' "$msg" >&2
            set -g __caro_msg_above
        end

        # a new prompt (after a command or an empty Enter) means the row above is no longer caro's
        # message (a repaint and Ctrl-C keep the prompt where it is, and fire no event)
        function __caro_prompt_mark --on-event fish_prompt
            set -e __caro_msg_above
        end

        function caro-widget --description 'caro: turn the request on the line into a command'
            if not test -x "$__caro_python"; or not test -r "$__caro_relay"
                # caro's files are gone (./install.sh --uninstall, pip uninstall): say so once, give the key back
                __caro_say "caro was uninstalled; the key is unbound in this shell (open a new one to be rid of caro)"
                builtin bind -e $__caro_key4 2>/dev/null
                builtin bind -M insert -e $__caro_key4 2>/dev/null
                builtin bind -e $__caro_key3 2>/dev/null
                builtin bind -M insert -e $__caro_key3 2>/dev/null
                builtin commandline -f repaint
                return 0
            end
            set -l orig (builtin commandline -b | string collect)
            set -l req $orig
            set -l index 0
            if test -z (string trim -- "$orig")
                __caro_say "type what you want, then press the key again"
                builtin commandline -f repaint
                return 0
            end
            set -l len (string length -- "$orig")
            if test "$len" -gt (set -q __caro_max_line; and echo $__caro_max_line; or echo 32000)
                # a request is a sentence or two; this much text would not fit the helper's request size
                __caro_say "the line is $len characters long, too long for a request; your text is unchanged"
                builtin commandline -f repaint
                return 0
            end
            if test -n "$__caro_last_cmd"; and test "$orig" = "$__caro_last_cmd"
                set req $__caro_last_req
                set index (builtin math $__caro_last_index + 1)
            end
            set -l rundir (__caro_runtime_dir)
            if test -z "$rundir"
                __caro_say "cannot find caro's runtime directory (is caro installed for $__caro_python?); run: caro doctor"
                builtin commandline -f repaint
                return 0
            end
            set -l timeout 30
            set -q __caro_timeout; and set timeout $__caro_timeout
            set -q CARO_TIMEOUT; and set timeout $CARO_TIMEOUT
            # the mark goes after the text when it fits on the row, with the cursor moved back to
            # where fish left it (so fish's idea of the screen stays right); else over the row
            set -l mark "  caro: thinking…"
            set -l after 0
            set -l plen (fish_prompt 2>/dev/null | string split \n)[-1]
            set plen (string length --visible -- "$plen")
            if test (builtin commandline -C) -eq (string length -- "$orig"); and not string match -q '*'\n'*' -- "$orig"
                and test (builtin math $plen + $len + 20) -lt $COLUMNS
                set after 1
                builtin echo -n (set_color brblack)"$mark"(set_color normal)\e\[(string length -- "$mark")D >&2
            else
                builtin echo -n \r(set_color brblack)"caro: thinking…"(set_color normal) >&2
            end
            set -g __caro_busy 1
            # the request reaches the relay on a pipe from the printf builtin, never as an
            # argument: arguments are visible to every local user in ps
            set -l reply (builtin printf '%s\0' "v=$__caro_version" "p=$__caro_protocol" op=suggest shell=fish "cwd=$PWD" "index=$index" "text=$req" |
                $__caro_python -S -I $__caro_relay $rundir/helper.sock $timeout $__caro_python 2>/dev/null | string split0)
            if not set -q __caro_busy
                # Ctrl-C: the handler has said "cancelled"; the line is untouched
                builtin commandline -r -- $orig
                builtin commandline -f repaint
                return 0
            end
            set -e __caro_busy
            if test $after = 1
                builtin echo -n \e\[K >&2
            else
                builtin echo -n \r\e\[2K >&2
            end
            switch "$reply[1]"
                case insert confirm
                    builtin commandline -r -- $reply[2]
                    builtin commandline -C (string length -- "$reply[2]")
                    set -g __caro_last_req $req
                    set -g __caro_last_cmd $reply[2]
                    set -g __caro_last_index $index
                    if test -n "$reply[3]"
                        __caro_say "$reply[3]"
                    end
                case explain
                    # already a command: kept as typed and explained; the next press asks for improved versions
                    builtin commandline -r -- $orig
                    set -g __caro_last_req $orig
                    set -g __caro_last_cmd $orig
                    set -g __caro_last_index 0
                    __caro_say "$reply[2]"
                case block
                    builtin commandline -r -- $orig
                    __caro_say "blocked: $reply[2]"
                case '*'
                    builtin commandline -r -- $orig
                    if test -n "$reply[2]"
                        __caro_say "$reply[2]"
                    else
                        __caro_say "the helper gave no answer; run: caro doctor"
                    end
            end
            builtin commandline -f repaint
        end

        # Ctrl-C during the wait ends the widget before it touches the line (the text stays);
        # this clears the progress mark and says so.
        function __caro_on_sigint --on-signal SIGINT
            if set -q __caro_busy
                set -e __caro_busy
                __caro_say "cancelled; your text is unchanged"
                builtin commandline -f repaint
            end
        end

        # `caro "request"`, then [r]un: the command goes into this shell's history as if typed, so
        # the up arrow finds it (a program cannot add to its parent shell's history: caro leaves the
        # command in a private file made here for this one call, read back when it exits)
        function caro --description 'caro, with [r]un recorded in this shell history'
            set -l h (command mktemp (string replace -r '^$' /tmp -- "$TMPDIR")/caro-run.XXXXXXXX 2>/dev/null)
            CARO_HISTORY_FILE="$h" $__caro_python -m caro $argv
            set -l rc $status
            if test -n "$h"
                # (nothing is kept in private mode)
                if test -s "$h"; and not test -n "$fish_private_mode"
                    set -g __caro_history_next (string collect <$h)
                end
                command rm -f -- $h
            end
            return $rc
        end

        # Added when the next prompt is drawn, after fish has filed the `caro …` line itself (it
        # holds a running line back until then). Written as a record in fish's own history format
        # (backslashes and newlines escaped) and merged into this session; fish 3 has no
        # `history append`.
        function __caro_history_flush --on-event fish_prompt
            set -q __caro_history_next; or return 0
            set -l cmd $__caro_history_next
            set -e __caro_history_next
            set -q fish_history; or set -l fish_history fish
            test -n "$fish_history"; or return 0
            set -l data (string replace -r '^$' ~/.local/share -- "$XDG_DATA_HOME")
            set -l escaped (string replace -a -- '\\' '\\\\' $cmd | string join '\\n')
            # save first: fish writes the lines it holds when it merges, which would put the `caro …`
            # line after the record
            builtin history save
            builtin printf '%s\n' "- cmd: $escaped" "  when: "(command date +%s) >>$data/fish/$fish_history"_history"
            and builtin history merge
        end

        if set -q __caro_completions; and test -r $__caro_completions/caro.fish
            source $__caro_completions/caro.fish
        end

        if test "$CARO_NO_BIND" != 1
            set -q __caro_key3; or set -g __caro_key3 \cg
            set -q __caro_key4; or set -g __caro_key4 ctrl-g
            # CARO_KEY set in the environment wins over the key rendered into this file
            set -l spec (string lower -- "$CARO_KEY")
            if string match -qr '^(\^|ctrl-|control-|c-)[a-z]$' -- "$spec"
                # fish 3 binds the control character itself: its code is the letter's place in the alphabet
                set -l i (builtin contains -i -- (string sub -s -1 -- $spec) a b c d e f g h i j k l m n o p q r s t u v w x y z)
                set -g __caro_key3 (builtin printf (builtin printf '\\\\x%02x' $i))
                set -g __caro_key4 ctrl-(string sub -s -1 -- $spec)
            else if string match -qr '^(alt|meta|m)-[a-z]$' -- "$spec"
                set -g __caro_key3 \e(string sub -s -1 -- $spec)
                set -g __caro_key4 alt-(string sub -s -1 -- $spec)
            end
            if test "$__caro_fish_version[1]" -ge 4
                builtin bind $__caro_key4 caro-widget
                builtin bind -M insert $__caro_key4 caro-widget
            else
                builtin bind $__caro_key3 caro-widget
                builtin bind -M insert $__caro_key3 caro-widget
            end
        end
    end
end
