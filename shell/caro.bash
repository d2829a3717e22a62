# shellcheck shell=bash
# caro: press Ctrl-G to turn the request on the command line into a command.
# Load with:  eval "$(caro hook bash)"   (or source this file after setting __caro_python)
# The line is only edited, never run; on any failure your text comes back unchanged.

# bash expands aliases while it reads a function, so a user's `alias bind=…` or `alias printf=…`
# would be baked into caro's functions: this file is read with alias expansion off, and the
# user's setting is put back at the end (the words are escaped so no alias can stand in for them).
__caro_aliases=$(\builtin shopt -p expand_aliases) || :
\builtin shopt -u expand_aliases

if [[ $- == *i* ]]; then
if (( BASH_VERSINFO[0] < 4 )); then
  printf 'caro: the Ctrl-G widget needs bash 4 or newer (this is %s); use: caro "request"\n' "${BASH_VERSION}" >&2
else

__caro_python=${__caro_python:-${CARO_PYTHON:-python3}}
__caro_relay=${__caro_relay:-}
__caro_version=${__caro_version:-0}
__caro_protocol=${__caro_protocol:-1}
__caro_last_req=${__caro_last_req:-}
__caro_last_cmd=${__caro_last_cmd:-}
__caro_last_index=${__caro_last_index:-0}

# The runtime dir, into __caro_rundir: the render baked Python's answer (caro/paths.py holds the
# rule) with the environment it was computed for; in another environment (CARO_HOME exported
# later, a static copy of this file) Python is asked once and the answer kept for that environment.
__caro_runtime_dir() {
  local key="${CARO_RUNTIME_DIR-}|${XDG_RUNTIME_DIR-}|${CARO_HOME-}|${HOME-}"
  if [[ -n ${CARO_RUNTIME_DIR-} ]]; then
    __caro_rundir_now=${CARO_RUNTIME_DIR}
  elif [[ ${key} == "${__caro_rundir_key-}" && -n ${__caro_rundir-} ]]; then
    __caro_rundir_now=${__caro_rundir}
  else
    __caro_rundir_now=$("${__caro_python}" -m caro helper dir 2>/dev/null </dev/null) || __caro_rundir_now=
    if [[ -n ${__caro_rundir_now} ]]; then __caro_rundir=${__caro_rundir_now} __caro_rundir_key=${key}; fi
  fi
}

# Warm the model while the shell starts, so the first Ctrl-G does not wait for it to load
# (CARO_NO_START=1 skips this; the widget starts the helper on demand anyway).
if [[ ${CARO_NO_START-} != 1 ]]; then
  __caro_runtime_dir
  [[ -z ${__caro_rundir_now} || -S ${__caro_rundir_now}/helper.sock ]] ||
    command sh -c '"$0" -m caro helper start >/dev/null 2>&1 </dev/null &' "${__caro_python}"
fi

__caro_message() {
  # printed above the prompt; readline redraws the line after the widget returns. One row: a
  # message that wraps leaves its first rows behind when readline redraws. A message that follows
  # one of caro's own on the same prompt (the next alternative, the improvement after the
  # explanation) takes that message's row: a run of presses leaves one line in the scrollback.
  local msg="caro: ${1}" width=$(( ${COLUMNS:-80} - 1 ))
  (( ${#msg} > width )) && msg="${msg:0:width-1}…"
  if [[ -n ${__caro_msg_above-} ]]; then
    printf '\033[A\r\033[2K%s\n' "${msg}" >&2
  else
    printf '\r\033[2K%s\n' "${msg}" >&2
  fi
  __caro_msg_above=1
}

# Every new prompt (after a command, an empty Enter, Ctrl-C) means the row above is no longer
# caro's message: PROMPT_COMMAND forgets it, keeping $? for whatever the user's part reads.
__caro_prompt_mark() {
  local s=$?
  __caro_msg_above=
  return "${s}"
}
if [[ $(declare -p PROMPT_COMMAND 2>/dev/null) == "declare -a"* ]]; then
  [[ " ${PROMPT_COMMAND[*]} " == *" __caro_prompt_mark "* ]] || PROMPT_COMMAND+=(__caro_prompt_mark)
elif [[ ${PROMPT_COMMAND-} != *__caro_prompt_mark* ]]; then
  # a string here (the array form is the branch above)
  # shellcheck disable=SC2128,SC2178
  PROMPT_COMMAND="${PROMPT_COMMAND:+${PROMPT_COMMAND}$'\n'}__caro_prompt_mark"
fi

# While the helper thinks: bash has wiped the prompt line before running the widget, so draw the
# prompt's last line and the request again with the mark after them, when it fits on one row
# (a wrapped row would be left behind when readline redraws); else just the mark.
__caro_thinking() {
  local p='' cols=${COLUMNS:-80} plain head rest
  if ((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4))); then
    eval 'p=${PS1@P}'
    p=${p##*$'\n'}
    p=${p//[$'\001\002']/}
  fi
  plain=${p}
  while [[ ${plain} == *$'\e['*m* ]]; do        # colours take no room on screen
    head=${plain%%$'\e['*} rest=${plain#*$'\e['}
    plain=${head}${rest#*m}
  done
  if [[ ${plain} != *$'\e'* && ${READLINE_LINE} != *$'\n'* ]] && ((${#plain} + ${#READLINE_LINE} + 18 < cols)); then
    printf '\r\033[2K%s%s  \033[2mcaro: thinking…\033[0m' "${p}" "${READLINE_LINE}" >&2
  else
    printf '\r\033[2Kcaro: thinking…' >&2
  fi
}

caro-widget() {
  local orig=${READLINE_LINE} req=${READLINE_LINE} index=0 kind='' a='' b='' sock
  if [[ ! -x ${__caro_python} || ! -r ${__caro_relay} ]]; then
    # caro's files are gone (./install.sh --uninstall, pip uninstall): say so once, give the key back
    __caro_message "caro was uninstalled; the key is unbound in this shell (open a new one to be rid of caro)"
    bind -m emacs-standard -r "${__caro_key}"
    bind -m vi-insert -r "${__caro_key}"
    bind -m vi-command -r "${__caro_key}"
    return 0
  fi
  if (( ${#orig} > ${__caro_max_line:-32000} )); then
    # first, before any work per character (a million-character line froze bash for 75 s); a
    # request is a sentence or two, and this much text would not fit the helper's request size
    __caro_message "the line is ${#orig} characters long, too long for a request; your text is unchanged"
    return 0
  fi
  if [[ -z ${orig//[[:space:]]/} ]]; then
    __caro_message "type what you want, then press the key again"
    return 0
  fi
  if [[ -n ${__caro_last_cmd} && ${orig} == "${__caro_last_cmd}" ]]; then
    req=${__caro_last_req}
    index=$(( __caro_last_index + 1 ))
  fi
  __caro_runtime_dir
  if [[ -z ${__caro_rundir_now} ]]; then
    __caro_message "cannot find caro's runtime directory (is caro installed for ${__caro_python}?); run: caro doctor"
    return 0
  fi
  sock="${__caro_rundir_now}/helper.sock"
  # Ctrl-C cancels the wait; the trap keeps bash from abandoning the widget (and the line). It is
  # set before the progress mark shows, so a Ctrl-C the user sends on seeing the mark is caught.
  local __caro_int=0 __caro_old_int
  __caro_old_int=$(trap -p INT)
  trap '__caro_int=1' INT
  __caro_thinking
  # the request goes to the relay on a pipe from the printf builtin, never as an argument:
  # arguments are visible to every local user in ps
  # the relay's exit status is not needed: every failure of it arrives as an "error" reply
  # shellcheck disable=SC2312
  {
    IFS= read -r -d '' kind
    IFS= read -r -d '' a
    IFS= read -r -d '' b
  } < <(builtin printf '%s\0' "v=${__caro_version}" "p=${__caro_protocol}" op=suggest shell=bash "cwd=${PWD}" "index=${index}" "text=${req}" |
          "${__caro_python}" -S -I "${__caro_relay}" "${sock}" "${CARO_TIMEOUT:-${__caro_timeout:-30}}" "${__caro_python}" 2>/dev/null)
  if [[ -n ${__caro_old_int} ]]; then eval "${__caro_old_int}"; else trap - INT; fi
  printf '\r\033[2K' >&2
  if ((__caro_int)); then
    kind=error a='cancelled; your text is unchanged'
  fi
  case ${kind} in
    insert|confirm)
      READLINE_LINE=${a}
      READLINE_POINT=${#READLINE_LINE}
      __caro_last_req=${req} __caro_last_cmd=${a} __caro_last_index=${index}
      [[ -n ${b} ]] && __caro_message "${b}"
      ;;
    explain)
      # already a command: kept as typed and explained; the next press asks for improved versions
      READLINE_LINE=${orig}
      READLINE_POINT=${#READLINE_LINE}
      __caro_last_req=${orig} __caro_last_cmd=${orig} __caro_last_index=0
      __caro_message "${a}"
      ;;
    block)
      READLINE_LINE=${orig}
      READLINE_POINT=${#READLINE_LINE}
      __caro_message "blocked: ${a}"
      ;;
    *)
      READLINE_LINE=${orig}
      READLINE_POINT=${#READLINE_LINE}
      __caro_message "${a:-the helper gave no answer; run: caro doctor}"
      ;;
  esac
  return 0
}

# `caro "request"`, then [r]un: the command goes into this shell's history as if typed, so the up
# arrow finds it (a program cannot add to its parent shell's history: caro leaves the command in a
# private file made here for this one call, read back when it exits)
caro() {
  local __caro_h='' __caro_rc=0
  __caro_h=$(command mktemp "${TMPDIR:-/tmp}/caro-run.XXXXXXXX" 2>/dev/null) || __caro_h=''
  CARO_HISTORY_FILE=${__caro_h} "${__caro_python}" -m caro "$@" || __caro_rc=$?
  if [[ -n ${__caro_h} ]]; then
    if [[ -s ${__caro_h} ]]; then
      # `history -s` first drops the newest entry, which is this `caro …` line when bash saved
      # it: push that line back first (a second -s in one command line drops nothing)
      local __caro_last
      __caro_last=$(builtin fc -ln -1 2>/dev/null) || __caro_last=''
      __caro_last=${__caro_last#"${__caro_last%%[![:space:]]*}"}
      [[ ${__caro_last} == caro[[:space:]]* ]] && builtin history -s -- "${__caro_last}"
      builtin history -s -- "$(<"${__caro_h}")"
    fi
    command rm -f -- "${__caro_h}"
  fi
  return "${__caro_rc}"
}

if [[ -n ${__caro_completions-} && -r ${__caro_completions}/caro.bash ]]; then
  # shellcheck source=/dev/null
  source "${__caro_completions}/caro.bash"
fi

if [[ ${CARO_NO_BIND-} != 1 ]]; then
  __caro_key=${__caro_key:-'\C-g'}
  # CARO_KEY set in the environment wins over the key rendered into this file (ctrl-x / ^X / alt-x)
  __caro_spec=$(printf '%s' "${CARO_KEY-}" | tr '[:upper:]' '[:lower:]')
  case ${__caro_spec} in
    ^[a-z]|ctrl-[a-z]|control-[a-z]|c-[a-z]) __caro_key="\\C-${__caro_spec: -1}" ;;
    alt-[a-z]|meta-[a-z]|m-[a-z]) __caro_key="\\e${__caro_spec: -1}" ;;
    *) ;;            # unset or unreadable: the key rendered into this file stays
  esac
  unset __caro_spec
  bind -m emacs-standard -x "\"${__caro_key}\": caro-widget"
  # vi-insert: leave insert mode and enter it again at the end of the line before the widget
  # runs, so the replacement is an undo step of its own (readline folds a change made during an
  # insert into the typing, and Esc `u` would not bring the request back)
  bind -m vi-insert '"\C-x\C-c\C-e": vi-movement-mode'
  bind -m vi-command '"\C-x\C-c\C-a": vi-append-eol'
  bind -m vi-insert -x '"\C-x\C-c\C-w": caro-widget'
  bind -m vi-insert "\"${__caro_key}\": \"\\C-x\\C-c\\C-e\\C-x\\C-c\\C-a\\C-x\\C-c\\C-w\""
  bind -m vi-command -x "\"${__caro_key}\": caro-widget"
fi

fi
fi

\builtin eval "${__caro_aliases}"
\builtin unset __caro_aliases
