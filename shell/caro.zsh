# caro: press Ctrl-G to turn the request on the command line into a command.
# Load with:  eval "$(caro hook zsh)"   (or source this file after setting __caro_python)
# The line is only edited, never run; on any failure your text comes back unchanged.

# Parse the rest under zsh's own options and without the user's aliases (an `ignore_braces` or an
# `alias local=…` would break or leak into the functions), then put the user's options back, as
# fzf's key bindings do. This works when the file is sourced, which runs one command at a time;
# `caro hook zsh` (and the rendered copy the rc block sources) also hands this whole file to
# `emulate zsh -c` as one quoted word, so `eval "$(caro hook zsh)"` is parsed safely too.
if 'builtin' 'zmodload' 'zsh/parameter' 2>'/dev/null' && (( ${+options} )); then
  'builtin' 'typeset' -g __caro_options="options=(${(j: :)${(kv)options[@]}})"
else
  'builtin' 'typeset' -g __caro_options="'builtin' 'setopt' ${(j: :)${(@f)$('builtin' 'setopt')}}"
fi
'builtin' 'emulate' 'zsh' && 'builtin' 'setopt' 'no_aliases'

{
if [[ -o interactive ]]; then

'builtin' 'typeset' -g __caro_python="${__caro_python:-${CARO_PYTHON:-python3}}"
'builtin' 'typeset' -g __caro_version="${__caro_version:-0}"
'builtin' 'typeset' -g __caro_protocol="${__caro_protocol:-1}"
'builtin' 'typeset' -g __caro_last_req= __caro_last_cmd=
'builtin' 'typeset' -gi __caro_last_index=0

# The runtime dir: the render baked Python's answer (caro/paths.py holds the rule) with the
# environment it was computed for; in another environment (CARO_HOME exported later, a static
# copy of this file) Python is asked once and the answer kept for that environment.
__caro_runtime_dir() {
  local key="${CARO_RUNTIME_DIR-}|${XDG_RUNTIME_DIR-}|${CARO_HOME-}|${HOME-}"
  if [[ -n ${CARO_RUNTIME_DIR-} ]]; then
    REPLY=$CARO_RUNTIME_DIR
  elif [[ $key == "${__caro_rundir_key-}" && -n ${__caro_rundir-} ]]; then
    REPLY=$__caro_rundir
  else
    REPLY=$("$__caro_python" -m caro helper dir 2>/dev/null </dev/null)
    if [[ -n $REPLY ]]; then 'builtin' 'typeset' -g __caro_rundir=$REPLY __caro_rundir_key=$key; fi
  fi
}

# Warm the model while the shell starts, so the first Ctrl-G does not wait for it to load
# (CARO_NO_START=1 skips this; the widget starts the helper on demand anyway).
if [[ ${CARO_NO_START-} != 1 ]]; then
  __caro_runtime_dir
  [[ -z $REPLY || -S $REPLY/helper.sock ]] || 'command' sh -c '"$0" -m caro helper start >/dev/null 2>&1 </dev/null &' "$__caro_python"
fi

# Send one request to the helper over its Unix socket; fills the array __caro_reply.
__caro_call() {
  'emulate' -L zsh
  # Ctrl-C while waiting cancels the request but must not throw away the user's line:
  # a local trap swallows the interrupt and zselect returns early.
  'setopt' localtraps
  local __caro_int=0
  trap '__caro_int=1' INT
  'zmodload' zsh/net/socket zsh/zselect zsh/system 2>/dev/null || {
    __caro_reply=(error "zsh lacks the net/socket module; use: caro \"request\""); return 1 }
  local dir sock fd data chunk tries=0
  local -F timeout=${CARO_TIMEOUT:-${__caro_timeout:-30}} start=$EPOCHREALTIME
  zmodload zsh/datetime 2>/dev/null
  start=$EPOCHREALTIME
  __caro_runtime_dir; dir=$REPLY; sock=$dir/helper.sock
  [[ -n $dir ]] || { __caro_reply=(error "cannot find caro's runtime directory (is caro installed for $__caro_python?); run: caro doctor"); return 1 }
  # Whoever can write into the runtime directory can answer in the helper's place and put any
  # command into this prompt: it must be a real directory (not a symlink), ours, mode 0700, and
  # the socket in it ours too.
  if [[ -e $dir || -L $dir ]]; then
    local -a __caro_ok=( $dir(N/Uf-077) )
    if [[ -L $dir ]] || (( ! $#__caro_ok )); then
      __caro_reply=(error "$dir is not a private directory of yours (owner and mode 0700 required); caro refuses to use it"); return 1
    fi
    if [[ -L $sock ]] || [[ -e $sock && ! -O $sock ]]; then
      __caro_reply=(error "$sock belongs to another user; caro refuses to use it"); return 1
    fi
  fi
  while :; do
    if zsocket $sock 2>/dev/null; then
      fd=$REPLY
    else
      (( tries++ >= 2 )) && { __caro_reply=(error "the caro helper could not be started; run: caro doctor"); return 1 }
      "$__caro_python" -m caro helper start >/dev/null 2>&1 </dev/null
      continue
    fi
    print -rn -u $fd -- "caro1"$'\0'"v=$__caro_version"$'\0'"p=$__caro_protocol"$'\0'"op=suggest"$'\0'"shell=zsh"$'\0'"cwd=$PWD"$'\0'"index=$2"$'\0'"proof=1"$'\0'"text=$1"$'\0'$'\0'
    data=
    while :; do
      # wait in short slices so a Ctrl-C (caught by the trap above) is noticed promptly
      local -F left=$(( timeout - (EPOCHREALTIME - start) ))
      if (( __caro_int )) || (( left <= 0 )); then
        exec {fd}>&-
        if (( __caro_int )); then
          __caro_reply=(error "cancelled; your text is unchanged"); return 1
        fi
        __caro_reply=(error "no answer within ${CARO_TIMEOUT:-${__caro_timeout:-30}}s (CARO_TIMEOUT); your text is unchanged"); return 1
      fi
      local -i slice=$(( left * 100 + 1 ))
      (( slice > 10 )) && slice=10
      zselect -t $slice -r $fd 2>/dev/null || continue
      sysread -i $fd -s 65536 chunk || break
      data+=$chunk
    done
    exec {fd}>&-
    if [[ -z $data || $data == stale$'\0'* ]]; then
      (( tries++ >= 2 )) && { __caro_reply=(error "the caro helper stopped answering; run: caro doctor"); return 1 }
      "$__caro_python" -m caro helper start >/dev/null 2>&1 </dev/null
      continue
    fi
    __caro_reply=("${(@0)data}")
    # zsh cannot ask the kernel who answered (bash and fish's relay check SO_PEERCRED): the helper
    # shows the secret it wrote for this user alone (mode 0600) when it started
    local proof= pfile=${__caro_proof:-${CARO_HOME:-$HOME/.caro}/helper.proof}
    [[ -r $pfile ]] && proof=$(<$pfile)
    if [[ ${__caro_reply[1]} != proof || -z $proof || ${__caro_reply[2]} != "$proof" ]]; then
      __caro_reply=(error "what answered at $sock did not prove it is your caro helper; its answer is refused (run: caro helper stop, then caro doctor)")
      return 1
    fi
    __caro_reply=("${(@)__caro_reply[3,-1]}")
    return 0
  done
}

caro-widget() {
  'emulate' -L zsh
  local orig=$BUFFER req=$BUFFER msg=
  local -i index=0
  if [[ ! -x $__caro_python || ! -r $__caro_relay ]]; then
    # caro's files are gone (./install.sh --uninstall, pip uninstall): say so once, give the key back
    zle -M "caro was uninstalled; the key is unbound in this shell (open a new one to be rid of caro)"
    'builtin' 'bindkey' -M emacs "$__caro_key" send-break
    'builtin' 'bindkey' -M viins -r "$__caro_key"
    'builtin' 'bindkey' -M vicmd -r "$__caro_key"
    return 0
  fi
  if (( ${#orig} > ${__caro_max_line:-32000} )); then
    # first, before any work per character (a million-character line froze zle for 36 s); a request
    # is a sentence or two, and writing this much to a helper that does not read would hang zle
    zle -M "caro: the line is ${#orig} characters long, too long for a request; your text is unchanged"
    return 0
  fi
  if [[ -z ${orig//[[:space:]]/} ]]; then
    zle -M "caro: type what you want, then press the key again"
    return 0
  fi
  if [[ $orig == *$'\0'* ]]; then
    # zsh lines can hold NUL, which ends a field on the wire: the rest would be read as new fields
    zle -M "caro: the line holds a NUL character (Ctrl-V Ctrl-@); remove it and press the key again"
    return 0
  fi
  if [[ -n $__caro_last_cmd && $orig == "$__caro_last_cmd" ]]; then
    req=$__caro_last_req
    index=$(( __caro_last_index + 1 ))
  fi
  # the request becomes its own undo step: in vi mode the typed text and the replacement would
  # otherwise be one change, and `u` would leave an empty line instead of the request
  zle split-undo 2>/dev/null
  zle -M "caro: thinking…"
  zle -R
  local -a __caro_reply
  __caro_call "$req" $index
  case ${__caro_reply[1]} in
    insert|confirm)
      BUFFER=${__caro_reply[2]}
      CURSOR=${#BUFFER}
      msg=${__caro_reply[3]}
      __caro_last_req=$req __caro_last_cmd=$BUFFER __caro_last_index=$index
      ;;
    explain)
      # the line already is a command: it stays as typed, the message says what it does, and the
      # next press (on the unchanged line) asks for improved versions of it
      BUFFER=$orig; CURSOR=${#BUFFER}
      msg=${__caro_reply[2]}
      __caro_last_req=$orig __caro_last_cmd=$orig __caro_last_index=0
      ;;
    block)
      BUFFER=$orig; CURSOR=${#BUFFER}
      msg="blocked: ${__caro_reply[2]}"
      ;;
    *)
      BUFFER=$orig; CURSOR=${#BUFFER}
      msg=${__caro_reply[2]:-unknown error}
      ;;
  esac
  zle reset-prompt
  if [[ -n $msg ]]; then zle -M "caro: $msg"; else zle -M ""; fi
  return 0
}

'builtin' 'zle' -N caro-widget

# `caro "request"`, then [r]un: the command goes into this shell's history as if typed, so the up
# arrow finds it (a program cannot add to its parent shell's history: caro leaves the command in a
# private file made here for this one call, read back when it exits)
caro() {
  local h='' rc=0
  h=$(command mktemp "${TMPDIR:-/tmp}/caro-run.XXXXXXXX" 2>/dev/null) || h=''
  CARO_HISTORY_FILE=$h "$__caro_python" -m caro "$@" || rc=$?
  if [[ -n $h ]]; then
    [[ -s $h ]] && 'builtin' 'print' -rs -- "$(<$h)"
    command rm -f -- "$h"
  fi
  return rc
}

# completions, when the completion system is loaded (compinit) and caro's are shipped
if [[ -n ${__caro_completions-} && -r $__caro_completions/_caro ]] && (( ${+functions[compdef]} )); then
  fpath=("$__caro_completions" ${fpath:#$__caro_completions})
  'builtin' 'autoload' -Uz _caro
  compdef _caro caro
fi

if [[ ${CARO_NO_BIND-} != 1 ]]; then
  'builtin' 'typeset' -g __caro_key="${__caro_key:-^G}"
  # CARO_KEY set in the environment wins over the key rendered into this file (ctrl-x / ^X / alt-x)
  case ${(L)CARO_KEY-} in
    (\^[a-z]|ctrl-[a-z]|control-[a-z]|c-[a-z]) __caro_key="^${(U)CARO_KEY[-1]}" ;;
    (alt-[a-z]|meta-[a-z]|m-[a-z]) __caro_key="^[${(L)CARO_KEY[-1]}" ;;
  esac
  'builtin' 'bindkey' -M emacs "$__caro_key" caro-widget
  'builtin' 'bindkey' -M viins "$__caro_key" caro-widget
  'builtin' 'bindkey' -M vicmd "$__caro_key" caro-widget
  # during Ctrl-R the key aborts the search (as Ctrl-G does in plain zsh) instead of handing the
  # found history line to caro as a request
  'builtin' 'bindkey' -M isearch "$__caro_key" send-break
fi

fi
} always {
  'builtin' 'eval' "$__caro_options"
  'builtin' 'unset' '__caro_options'
}
