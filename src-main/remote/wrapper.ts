/**
 * The POSIX sh wrapper every remote agent runs under (sent over the channel: nothing is installed
 * on the host). `sh -c WRAPPER shepherd <cwd> <graceS> <installHint> <cli> <args…>`; stdin starts with the
 * agent's environment (`export NAME='value'` lines, one empty line), then carries the protocol.
 *
 * - The agent runs in its own session / process group (setsid; perl's setpgrp where setsid is
 *   missing), so a stop or a lost connection reaches its children too.
 * - Its stdin is a FIFO fed by a watcher (`cat`), not the channel itself: when the channel's
 *   stdin closes (stop, app quit or crash, connection gone) the watcher waits the grace period,
 *   then TERMs the group, then KILLs it 3 s later. A remote agent whose stdio is gone cannot be
 *   told from a hung one, so it never outlives its connection by more than grace + 3 s.
 * - stdout stays clean: whatever a login shell's rc files print comes before the start marker
 *   `__SHEPHERD_STARTED__ <pgid>`, which the local side waits for and drops everything before; the
 *   agent cannot write before it (it blocks opening the FIFO until the marker is out).
 * - Numeric signals and `kill -15 -PGID`: dash's kill builtin takes neither `--` nor names there.
 */
export const STARTED_MARKER = '__SHEPHERD_STARTED__'

/** Directories added in front of PATH: where npm / pipx / installers put CLIs for non-login shells. */
export const EXTRA_PATH = '$HOME/.local/bin:$HOME/.npm-global/bin:$HOME/bin:/usr/local/bin:/opt/homebrew/bin'

export const WRAPPER_SH = `nl='
'
while IFS= read -r l && [ -n "$l" ]; do eval "$l"; done
PATH="${EXTRA_PATH}:$PATH"; export PATH
if ! cd "$1" 2>/dev/null; then
  if [ -d "$1" ]; then echo "shepherd: no permission to enter $1" >&2; exit 96; fi
  echo "shepherd: no folder $1 on this host" >&2; exit 97
fi
g=$2; h=$3; shift 3
if ! command -v "$1" >/dev/null 2>&1; then echo "shepherd: $1 is not installed on this host (not on PATH). Install it there: $h" >&2; exit 127; fi
if command -v setsid >/dev/null 2>&1; then grp=setsid
elif command -v perl >/dev/null 2>&1; then grp=pgrp
else grp=
fi
pgrp() { perl -e 'setpgrp(0,0); exec @ARGV or die "exec: $!"' -- "$@"; }
d=$(mktemp -d "\${TMPDIR:-/tmp}/shepherd.XXXXXX") || exit 98
mkfifo "$d/in" || exit 98
exec 4<&0
$grp "$@" <"$d/in" 4<&- &
a=$!
printf '\\n%s %s\\n' ${STARTED_MARKER} "$a"
exec 3>"$d/in"
rm -rf "$d"
$grp sh -c 'cat <&4 >&3; exec 3>&-; sleep "$1"; kill -15 -"$2" 2>/dev/null; sleep 3; kill -9 -"$2" 2>/dev/null' watcher "$g" "$a" >/dev/null 2>&1 &
w=$!
exec 3>&- 4<&-
wait "$a"; c=$?
kill -15 -"$w" 2>/dev/null
kill -15 -"$a" 2>/dev/null
exit $c
`

/** Stop the agent's group now: TERM, KILL after `graceS` (run over the master on a user's stop; `sleep 0.2` is GNU/BSD, else 1 s steps). */
export const KILL_GROUP_SH = `p=$1; g=$2; kill -15 -"$p" 2>/dev/null || exit 0
i=0; while kill -0 -"$p" 2>/dev/null && [ "$i" -lt $((g*5)) ]; do sleep 0.2 2>/dev/null || sleep 1; i=$((i+1)); done
kill -9 -"$p" 2>/dev/null; exit 0`
