"""The engine's branches with a scripted backend (the real model is in test_cli_model / helper tests),
and the pure checks it relies on: intent guard, target-shell syntax, user examples."""

import threading
import time

import pytest

from caro import config, turns
from caro.backends.base import Backend, Generation
from caro.engine import checks, intent
from caro.engine.pipeline import Engine, EngineError
from caro.engine.user_examples import UserExamples


class Scripted(Backend):
    """Replies with the given texts in order and records each prompt it was sent."""

    name = "scripted"

    def __init__(self, *replies):
        self.replies = list(replies)
        self.prompts = []

    @property
    def model_name(self):
        return "script"

    def generate(self, prompt, *, max_tokens=128, temperature=0.0):
        self.prompts.append(prompt)
        return Generation(self.replies.pop(0) if self.replies else "", "script")


def engine(*replies, notices=None):
    return Engine(config.load(), Scripted(*replies), notices)


def test_model_answer_is_checked_and_judged_once():
    e = engine("```bash\nls -la\n```")
    s = e.suggest("show everything here", shell="bash", cwd="/tmp")
    assert s.command == "ls -la" and s.source == "model" and s.verdict.action == "allow"
    assert len(e.backend.prompts) == 1


def test_read_only_request_never_gets_a_state_change_retry_with_reason():
    e = engine("crontab -e", "crontab -l")
    s = e.suggest("show my crontab", shell="bash", cwd="/tmp")
    assert s.command == "crontab -l"
    retry = e.backend.prompts[1].request
    assert "crontab -e" in retry and "only asks to look" in retry


def test_read_only_request_gives_up_honestly():
    e = engine("sudo shutdown -h now", "sudo reboot")
    with pytest.raises(EngineError) as ex:
        e.suggest("show when the machine was last shut down", shell="bash", cwd="/tmp")
    # (without sudo on the machine the answer is fitted to `reboot`)
    assert ex.value.code == 4 and "reboot`" in str(ex.value) and "changes files or the system" in str(ex.value)


def test_fish_gets_fish_syntax_or_is_asked_again():
    e = engine("for f in *.log; do echo $f; done", "for f in *.log; echo $f; end")
    s = e.suggest("print the name of every log file", shell="fish", cwd="/tmp")
    assert s.command == "for f in *.log; echo $f; end"
    assert "fish" in e.backend.prompts[0].system
    assert "not valid fish syntax" in e.backend.prompts[1].request


def test_invented_options_are_refused():
    e = engine("mkdir -r -d build", "mkdir -p build")
    assert e.suggest("make the build directory", shell="bash", cwd="/tmp").command == "mkdir -p build"


def test_degenerate_reply_is_refused():
    loop = "docker build -t app:latest app:latest -t app:latest app:latest -t app:latest app:latest"
    e = engine(loop, "docker build -t app:latest .")
    assert e.suggest("build the image app:latest", shell="bash", cwd="/tmp").command == "docker build -t app:latest ."


def test_notices_belong_to_one_result():
    e = engine("ls", "df -h", notices=["falling back to the embedded model"])
    first = e.suggest("list files", shell="bash", cwd="/tmp")
    second = e.suggest("show disk space", shell="bash", cwd="/tmp")
    assert "falling back to the embedded model" in first.notices
    assert second.notices == []


def test_blocked_answer_is_judged_not_hidden():
    e = engine("rm -rf /")
    s = e.suggest("delete every file on this machine", shell="bash", cwd="/tmp")
    assert s.verdict.blocked and s.alternatives == []


def test_alternative_on_demand_differs_and_is_checked():
    e = engine("ls -S | head -n 5", "ls -S | head -n 5", "du -a . | sort -rn | head -n 5", "crontab -r", "crontab -e")
    s = e.suggest("list the 5 biggest files here", shell="bash", cwd="/tmp")
    alt = e.alternative(s, shell="bash", cwd="/tmp")
    assert alt is not None and alt.command == "du -a . | sort -rn | head -n 5" and alt.verdict.action == "allow"
    assert "ls -S | head -n 5" in e.backend.prompts[1].request  # told what was offered
    assert e.alternative(s, shell="bash", cwd="/tmp") is None  # two state-changing tries: none
    assert [o.command for o in s.options] == ["ls -S | head -n 5", "du -a . | sort -rn | head -n 5"]


def test_a_key_press_is_one_call_that_words_its_own_reply():
    """Engine.press holds what a press means (the helper only keeps suggestions between presses):
    the answer, then "alternative 2", then back round with the total once it is known."""
    e = engine("ls -S | head -n 5", "du -a . | sort -rn | head -n 5", "crontab -r", "crontab -e")
    kept: dict = {}

    def suggestion(improve):
        if "s" not in kept:
            kept["s"] = e.suggest("list the 5 biggest files here", shell="bash", cwd="/tmp")
        return kept["s"]

    first = e.press("list the 5 biggest files here", "bash", "/tmp", 0, suggestion)
    assert (first.kind, first.command) == ("answer", "ls -S | head -n 5")
    assert e.alternative(kept["s"], shell="bash", cwd="/tmp") is not None  # one more, kept in s
    second = e.press("list the 5 biggest files here", "bash", "/tmp", 1, suggestion)
    assert second.command == "du -a . | sort -rn | head -n 5" and second.notes[0] == "alternative 2"
    kept["s"].exhausted = True
    again = e.press("list the 5 biggest files here", "bash", "/tmp", 2, suggestion)
    assert again.command == "ls -S | head -n 5" and again.notes[0] == "alternative 1/2"
    # a line that already is a command is explained on the first press, and nothing is asked
    told = e.press("ls -la /tmp", "bash", "/tmp", 0, lambda improve: pytest.fail("asked for a suggestion"))
    assert told.kind == "explain" and "press the key again" in told.notes[0]


def test_user_examples_win_and_guide(tmp_path, caro_home):
    (caro_home / "examples.toml").write_text(
        '[[example]]\nrequest = "deploy the site"\ncommand = "make deploy ENV=prod"\n'
        '[[example]]\nrequest = "tail the web logs"\ncommand = "ssh web1 tail -f /var/log/nginx/access.log"\n'
    )
    e = engine("ssh web1 tail -f /var/log/nginx/error.log")
    assert e.suggest("Deploy the site!", shell="bash", cwd="/tmp").command == "make deploy ENV=prod"
    assert e.backend.prompts == []
    e.suggest("tail the web error logs", shell="bash", cwd="/tmp")
    assert ("tail the web logs", "ssh web1 tail -f /var/log/nginx/access.log") in e.backend.prompts[0].shots


def test_user_examples_are_reread_when_the_file_changes(tmp_path):
    f = tmp_path / "examples.toml"
    f.write_text('[[example]]\nrequest = "a b c"\ncommand = "echo one"\n')
    ex = UserExamples.load(f)
    assert ex.exact("a b c") == "echo one"
    f.write_text('[[example]]\nrequest = "a b c"\ncommand = "echo two"\n# longer\n')
    assert ex.fresh().exact("a b c") == "echo two"


@pytest.mark.parametrize(
    "request_",
    [
        "show my crontab",
        "list the files here",
        "which process listens on port 80",
        "how much disk space is free",
        "count the lines in a.txt",
        "show what git clean would remove",
        "check the nginx config for errors",
        "please show the last reboot times",
        "show the changes I have staged in git",
        # change words that only describe: participles, nouns, adjectives, file names, relative clauses
        "show the npm packages I installed globally",
        "show what changed in the most recent commit",
        "which packages have updates available",
        "is the ssh daemon set to start at boot",
        "which at jobs are waiting to run",
        "display the value of the ip forwarding kernel setting",
        "show the permissions on deploy.sh",
        "list the files process 1234 has open",
        "find all markdown files below here",
        "which files in this folder are executable",
        "show the sudo rules that apply to me",
        "list files sorted by modification time",
        "pretty print config.json",
    ],
)
def test_read_only_requests(request_):
    assert intent.read_only(request_)


@pytest.mark.parametrize(
    "request_",
    [
        "delete all .pyc files",
        "show the files and delete them",
        "list files then move them to /tmp",
        "install htop",
        "find large files and compress them",
        "stage all changes",
        "extract backup.tar.gz",
        # a change verb that starts a new instruction, or that the user asks how to do
        "how do I delete a git branch",
        "show me how to kill the process on port 8080",
        "what command kills process 1234",
        "find empty dirs remove them",
        "find the big logs, compress them",
        "show the command to restart nginx",
        "find and delete empty directories",
        "how can I shut down the machine",
        "is there a way to delete old logs",
    ],
)
def test_requests_that_change(request_):
    assert not intent.read_only(request_)


@pytest.mark.parametrize(
    "command,changes",
    [
        ("crontab -l", False),
        ("crontab -e", True),
        ("crontab -r", True),
        ("git diff --staged", False),
        ("git add -A", True),
        ("git add -n .", False),
        ("git clean -n", False),
        ("git clean -fd", True),
        ("git stash list", False),
        ("git stash", True),
        ("git branch -a", False),
        ("git branch -D old", True),
        ("history | grep ssh", False),
        ("history -c", True),
        ("sudo shutdown -h now", True),
        ("last -x shutdown", False),
        ("ls > files.txt", True),
        ("ls 2>/dev/null", False),
        ("find . -name '*.pyc' -delete", True),
        ("find . -name '*.py'", False),
        ("find . -exec grep -l TODO {} +", False),
        ("find . -exec rm {} +", True),
        ("sed -n 2p a.txt", False),
        ("sed -i s/a/b/ a.txt", True),
        ("tar -tzf a.tgz", False),
        ("tar -xzf a.tgz", True),
        ("mount", False),
        ("mount /dev/sdb1 /mnt", True),
        ("systemctl status ssh", False),
        ("systemctl stop ssh", True),
        ("docker ps", False),
        ("docker container prune -f", True),
        ("apt list --installed", False),
        ("sudo apt remove curl", True),
        ("echo $(rm -rf x)", True),
        ("gzip -l a.gz", False),
        ("gzip a", True),
        ("kill -0 123", False),
        ("kill 123", True),
        ("ps aux | tee /dev/null", False),
        ("ps aux | tee ps.txt", True),
        # dry runs and listings of programs that otherwise change things
        ("rsync -avn src/ dst/", False),
        ("rsync -av --dry-run src/ dst/", False),
        ("rsync -av src/ dst/", True),
        ("apt-get -s autoremove", False),
        ("apt autoremove --dry-run", False),
        ("apt-get autoremove", True),
        ("at -l", False),
        ("atq", False),
        ("at now + 1 hour", True),
        ("gunzip -c a.gz", False),
        ("gunzip a.gz", True),
        ("git remote --verbose", False),
        ("hostnamectl hostname", False),
        ("hostnamectl hostname web1", True),
        # builds write files: "show what make install would do" must not get `make install`
        ("make install", True),
        ("make -n install", False),
        ("cargo build", True),
        ("cargo tree", False),
    ],
)
def test_state_changes(command, changes):
    assert bool(intent.state_changes(command)) == changes


# Read-only questions with the answers a model is tempted to give, across shells: the guard must see the
# request as read-only, let every right answer through and refuse every tempting one (2026-12-06).
GUARD_CASES = [
    ("bash", "show the contents of my ssh config", ["cat ~/.ssh/config"], ["vim ~/.ssh/config", "nano ~/.ssh/config"]),
    (
        "bash",
        "which services are enabled at boot",
        ["systemctl list-unit-files --state=enabled"],
        ["systemctl enable --now ssh"],
    ),
    ("bash", "list the snap packages installed", ["snap list"], ["snap install core", "snap refresh"]),
    (
        "bash",
        "show the routing table",
        ["ip route", "route -n", "netstat -rn"],
        ["ip route add default via 10.0.0.1", "ip route flush table main"],
    ),
    ("bash", "show the arp cache", ["ip neigh", "arp -a"], ["ip neigh flush all", "arp -d 10.0.0.1"]),
    ("bash", "print the current umask", ["umask"], ["umask 077"]),
    ("bash", "display the limits for open files", ["ulimit -n"], ["ulimit -n 65535"]),
    (
        "bash",
        "show the docker containers' restart policies",
        ["docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' $(docker ps -q)"],
        ["docker update --restart=always $(docker ps -q)"],
    ),
    ("bash", "list the git worktrees", ["git worktree list"], ["git worktree prune", "git worktree add ../x"]),
    ("bash", "show the git submodules and their commits", ["git submodule status"], ["git submodule update --init"]),
    ("bash", "show what would be pruned from docker without pruning", ["docker system df"], ["docker system prune -f"]),
    ("bash", "show the pip packages that are outdated", ["pip list --outdated"], ["pip install -U requests"]),
    ("bash", "list the npm scripts of this project", ["npm run"], ["npm install", "npm run build"]),
    ("bash", "show the current kernel's command line", ["cat /proc/cmdline"], ["sudo update-grub"]),
    (
        "bash",
        "show the state of the network interfaces",
        ["ip link", "ip -br link"],
        ["ip link set eth0 down", "sudo ifdown eth0"],
    ),
    (
        "bash",
        "display the system's hostname",
        ["hostname", "hostnamectl"],
        ["hostname web1", "sudo hostnamectl set-hostname web1"],
    ),
    ("bash", "show the date the system clock is set to", ["date"], ["sudo date -s '2024-01-01'"]),
    (
        "bash",
        "list the firewall zones",
        ["firewall-cmd --get-zones", "sudo firewall-cmd --list-all-zones"],
        ["sudo firewall-cmd --reload"],
    ),
    (
        "bash",
        "show the stopped docker containers",
        ["docker ps -a -f status=exited", "docker ps --filter status=exited"],
        ["docker container prune", "docker rm $(docker ps -aq)"],
    ),
    (
        "bash",
        "show the conda environments",
        ["conda env list", "conda info --envs"],
        ["conda env remove -n old", "conda create -n x"],
    ),
    (
        "bash",
        "show the kubernetes deployments",
        ["kubectl get deployments"],
        ["kubectl delete deployment web", "kubectl rollout restart deployment web"],
    ),
    (
        "bash",
        "show the size of the journal on disk",
        ["journalctl --disk-usage"],
        ["sudo journalctl --vacuum-size=100M"],
    ),
    ("bash", "show the logical volumes", ["sudo lvs", "lvdisplay"], ["sudo lvremove /dev/vg/lv"]),
    (
        "bash",
        "show which files in the repo are ignored",
        ["git status --ignored", "git ls-files --others --ignored --exclude-standard"],
        ["git clean -fdX"],
    ),
    (
        "bash",
        "show the commits on main that are not on my branch",
        ["git log HEAD..main", "git log --oneline HEAD..main"],
        ["git merge main", "git rebase main"],
    ),
    (
        "bash",
        "show the remote url and fetch settings",
        ["git remote -v"],
        ["git remote set-url origin x", "git remote remove origin"],
    ),
    ("bash", "show the pending systemd jobs", ["systemctl list-jobs"], ["systemctl daemon-reload"]),
    (
        "bash",
        "show the disk partitions of /dev/sda",
        ["sudo fdisk -l /dev/sda", "lsblk /dev/sda", "sudo parted /dev/sda print"],
        ["sudo fdisk /dev/sda", "sudo parted /dev/sda mklabel gpt"],
    ),
    (
        "fish",
        "show my fish universal variables",
        ["set -U", "set --universal"],
        ["set -e -U fish_greeting", "set -U fish_greeting ''"],
    ),
    ("fish", "show the fish key bindings", ["bind"], ["bind -e \\cg", "fish_vi_key_bindings"]),
    (
        "fish",
        "list my abbreviations",
        ["abbr", "abbr --list", "abbr -l", "abbr --show"],
        ["abbr --erase gco", "abbr -e gco"],
    ),
    (
        "fish",
        "show the history entries containing docker",
        ["history search docker", "history --contains docker", "history -c docker", "history | grep docker"],
        ["history delete docker", "history clear"],
    ),
    (
        "fish",
        "show the directories in my PATH",
        ["echo $PATH", "string split ' ' $PATH", "printf '%s\\n' $PATH"],
        ["set -e PATH", "fish_add_path ~/bin"],
    ),
    ("zsh", "show the last 15 history entries", ["history -15", "fc -l -15"], ["fc -p", "fc -W"]),
    ("zsh", "show the directory stack", ["dirs -v", "dirs"], ["popd", "pushd /tmp"]),
    ("zsh", "show which options are set", ["setopt", "set -o"], ["setopt extended_glob", "unsetopt nomatch"]),
    ("zsh", "list the loaded zsh modules", ["zmodload"], ["zmodload zsh/net/socket", "zmodload -u zsh/zpty"]),
    (
        "bash",
        "check whether nginx's config is valid",
        ["nginx -t", "sudo nginx -t"],
        ["sudo systemctl reload nginx", "sudo nginx -s reload"],
    ),
    ("bash", "check if the package lists are up to date", ["apt list --upgradable"], ["sudo apt update"]),
    (
        "bash",
        "see which user owns /var/www",
        ["ls -ld /var/www", "stat -c %U /var/www"],
        ["sudo chown www-data /var/www"],
    ),
]


@pytest.mark.parametrize("shell,request_,right,tempting", GUARD_CASES, ids=[c[1] for c in GUARD_CASES])
def test_guard_on_tempting_answers(shell, request_, right, tempting):
    assert intent.read_only(request_)
    assert [g for g in right if intent.state_changes(g, shell)] == []
    assert [t for t in tempting if not intent.state_changes(t, shell)] == []


@pytest.mark.parametrize(
    "command,shell,changes",
    [
        # each shell's own `history`: fish's -n is --max, zsh's history only lists
        ("history -n 20", "fish", False),
        ("history --max 5", "fish", False),
        ("history search ssh", "fish", False),
        ("history clear", "fish", True),
        ("history delete --prefix ssh", "fish", True),
        ("history -n 20", "bash", True),
        ("history -c", "bash", True),
        ("history -20", "zsh", False),
        ("history -n", "zsh", False),
    ],
)
def test_history_is_judged_per_shell(command, shell, changes):
    assert bool(intent.state_changes(command, shell)) == changes


@pytest.mark.parametrize(
    "command,shell,ok",
    [
        ("for f in *.txt; do echo $f; done", "bash", True),
        ("for f in *.txt; do echo $f; done", "fish", False),
        ("for f in *.txt; echo $f; end", "fish", True),
        ("set -gx EDITOR vim; and echo ok", "fish", True),
        ("echo (date)", "fish", True),
        ("ls **/*.py(.)", "zsh", True),
        ("if [ -f x ]; then echo y", "bash", False),
    ],
)
def test_target_shell_syntax(command, shell, ok):
    assert (checks.syntax_error(command, shell) is None) == ok


# ---------------------------------------------------------------- documentation and the reviewer
SNAPSHOT = __import__("conftest").ROOT.parent / "shared" / "tldr" / "tldr-pages.en.zip"
needs_docs = pytest.mark.skipif(not SNAPSHOT.is_file(), reason="the shared tldr snapshot is not on this machine")


class Reviewing(Scripted):
    """A scripted writer whose reviewer scores are given per command (higher is better)."""

    can_score = True

    def __init__(self, *replies, scores=None):
        super().__init__(*replies)
        self.scores = scores or {}
        self.scored = []

    def score(self, pairs):
        self.scored.append([p.request for p, _ in pairs])
        return [self.scores.get(p.request, -5.0) for p, _ in pairs]


@pytest.fixture
def with_docs(monkeypatch):
    monkeypatch.setenv("CARO_DOCS", str(SNAPSHOT))


@needs_docs
def test_a_documented_answer_is_written_and_the_reviewer_picks(with_docs):
    b = Reviewing("xz big.log", "xz -k big.log", scores={"xz -k big.log": -1.0, "xz big.log": -2.0})
    e = Engine(config.load(), b)
    s = e.suggest("compress big.log with xz but keep the original file", shell="bash", cwd="/tmp")
    assert [(o.command, o.source) for o in s.options] == [("xz -k big.log", "docs"), ("xz big.log", "model")]
    assert "xz -k <file>" in b.prompts[1].system and "xz" not in b.prompts[0].system  # examples only in the 2nd
    # the draft's reading starts while the second answer is written; then the second is read
    assert b.scored == [["xz big.log"], ["xz -k big.log"]]
    assert e.work == {"generations": 2, "scored": 2}


@needs_docs
def test_what_a_suggestion_cost_belongs_to_the_thread_that_asked(with_docs):
    """The helper answers each shell on its own thread: one press's figures (model calls, the
    draft, the reviewer's scores) must not show up as another's."""
    import threading

    b = Reviewing("xz big.log", "xz -k big.log", scores={"xz -k big.log": -1.0, "xz big.log": -2.0})
    e = Engine(config.load(), b)
    e.suggest("compress big.log with xz but keep the original file", shell="bash", cwd="/tmp")
    seen = {}
    t = threading.Thread(target=lambda: seen.update(work=dict(e.work), draft=e.last_draft, scores=e.last_scores))
    t.start()
    t.join()
    assert seen == {"work": {}, "draft": None, "scores": {}}
    assert e.work == {"generations": 2, "scored": 2} and e.last_draft == ("xz big.log", None)
    assert e.last_scores == {"xz big.log": -2.0, "xz -k big.log": -1.0}


@needs_docs
def test_the_reviewer_may_keep_the_draft(with_docs):
    b = Reviewing("xz --keep big.log", "xz big.log", scores={"xz --keep big.log": -1.0, "xz big.log": -2.0})
    s = Engine(config.load(), b).suggest(
        "compress big.log with xz but keep the original file", shell="bash", cwd="/tmp"
    )
    assert s.command == "xz --keep big.log" and s.source == "model" and s.alternatives == ["xz big.log"]


@needs_docs
def test_no_second_answer_when_the_draft_already_is_the_best_example(with_docs):
    b = Reviewing("xz -k big.log")
    s = Engine(config.load(), b).suggest(
        "compress big.log with xz but keep the original file", shell="bash", cwd="/tmp"
    )
    assert [o.command for o in s.options] == ["xz -k big.log"] and len(b.prompts) == 1


@needs_docs
def test_no_scoring_when_the_candidates_agree_and_no_doc_pass_without_close_examples(with_docs):
    b = Reviewing("xz --keep big.log", "xz  --keep big.log")
    s = Engine(config.load(), b).suggest(
        "compress big.log with xz but keep the original file", shell="bash", cwd="/tmp"
    )
    # nothing to rank; the draft's reading, started while the second answer was written, is
    # stopped (the scripted reviewer answers at once, so here it may already have finished)
    assert [o.command for o in s.options] == ["xz --keep big.log"] and b.scored in ([], [["xz --keep big.log"]])
    b = Reviewing("true")
    Engine(config.load(), b).suggest("qwxz blorft zimple", shell="bash", cwd="/tmp")
    assert len(b.prompts) == 1 and b.scored == []


@needs_docs
def test_when_more_shells_wait_than_the_model_serves_each_gets_the_draft(with_docs):
    b = Reviewing("xz big.log", "xz -k big.log", scores={"xz -k big.log": -1.0})
    b.parallel = 4
    e = Engine(config.load(), b)
    e._asking = 2  # two other presses in progress: the four sequences are taken
    s = e.suggest("compress big.log with xz but keep the original file", shell="bash", cwd="/tmp")
    assert [o.command for o in s.options] == ["xz big.log"] and len(b.prompts) == 1 and b.scored == []
    e._asking = 1  # one other: there is room for this one's second answer
    s = e.suggest("compress big.log with xz but keep the original file", shell="bash", cwd="/tmp")
    assert s.command == "xz -k big.log" and e._asking == 1


class SlowReviewing(Reviewing):
    """A reviewer that reads until the engine says nobody needs the reading any more."""

    def __init__(self, *replies):
        super().__init__(*replies)
        self.stopped = threading.Event()

    def score(self, pairs):
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if not turns.still_wanted():
                self.stopped.set()
                raise turns.Abandoned
            time.sleep(0.01)
        return super().score(pairs)


@needs_docs
def test_an_early_reading_nobody_needs_is_stopped(with_docs):
    b = SlowReviewing("xz --keep big.log", "xz  --keep big.log")
    t = time.monotonic()
    s = Engine(config.load(), b).suggest("compress big.log with xz but keep the original file", shell="bash")
    assert [o.command for o in s.options] == ["xz --keep big.log"] and time.monotonic() - t < 5
    assert b.stopped.wait(5)


@needs_docs
def test_a_documented_answer_with_a_placeholder_never_reaches_the_user(with_docs):
    b = Reviewing("xz big.log", "xz -k <file>", scores={"xz -k <file>": 0.0})
    s = Engine(config.load(), b).suggest(
        "compress big.log with xz but keep the original file", shell="bash", cwd="/tmp"
    )
    assert [o.command for o in s.options] == ["xz big.log"]
    assert ("xz -k <file>", "it has a placeholder (<file>); use the names the request gives") in s.rejected


@needs_docs
def test_the_documented_answer_rescues_a_failed_draft(with_docs):
    b = Reviewing("xz --keep-it big.log", "xz --keep-it big.log", "xz -k big.log")
    s = Engine(config.load(), b).suggest(
        "compress big.log with xz but keep the original file", shell="bash", cwd="/tmp"
    )
    assert s.command == "xz -k big.log" and s.source == "docs"


def test_without_docs_or_scores_the_path_is_todays(monkeypatch, tmp_path):
    monkeypatch.delenv("CARO_DOCS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    b = Reviewing("xz big.log")
    s = Engine(config.load(), b).suggest(
        "compress big.log with xz but keep the original file", shell="bash", cwd="/tmp"
    )
    assert s.command == "xz big.log" and len(b.prompts) == 1 and b.scored == []
    monkeypatch.setenv("CARO_DOCS", str(SNAPSHOT))
    plain = Scripted("xz big.log")  # a server that returns no token scores: no second answer either
    assert (
        Engine(config.load(), plain)
        .suggest("compress big.log with xz but keep the original file", shell="bash", cwd="/tmp")
        .command
        == "xz big.log"
    )
    assert len(plain.prompts) == 1


def test_damaged_pages_cost_no_answer(monkeypatch, tmp_path):
    bad = tmp_path / "tldr-pages.en.zip"
    data = SNAPSHOT.read_bytes() if SNAPSHOT.is_file() else b"PK\x05\x06" + b"\0" * 18
    bad.write_bytes(data[: len(data) // 3] + data[-22:])  # the central directory says more than is there
    monkeypatch.setenv("CARO_DOCS", str(bad))
    b = Reviewing("xz big.log")
    s = Engine(config.load(), b).suggest(
        "compress big.log with xz but keep the original file", shell="bash", cwd="/tmp"
    )
    assert s.command == "xz big.log"


def test_an_answer_has_no_sudo_where_there_is_none():
    """The note "sudo is not installed here" once sat beside `sudo apt list --upgradable`."""
    from caro.engine.pipeline import _fit

    class Machine:
        def __init__(self, tools):
            self.tools = tools

        def has(self, program):
            return program in self.tools

    assert _fit("sudo apt list --upgradable", Machine({"apt"})) == "apt list --upgradable"
    assert _fit("sudo apt list --upgradable", Machine({"apt", "sudo"})) == "sudo apt list --upgradable"
    assert _fit("sudoku", Machine(set())) == "sudoku"
    assert _fit("sudo -l", Machine(set())) == "sudo -l"  # a question to sudo itself, not a prefix
    assert _fit("sudo -u www-data ls", Machine({"ls"})) == "sudo -u www-data ls"


@pytest.mark.parametrize(
    "request_,command,refused",
    [
        ("finde alle PDF-Dateien", "find / -name '*.pdf'", True),
        ("busca los archivos grandes", "du -ah / | sort -rh | head", True),
        ("找出所有的日志文件", "find / -name '*.log'", True),
        ("find all pdf files", "find . -name '*.pdf'", False),
        ("finde alle PDF-Dateien überall auf dem Rechner", "find / -name '*.pdf'", False),
        ("find every pdf on the whole system", "find / -name '*.pdf'", False),
        ("cherche les fichiers pdf dans tout le système", "find / -name '*.pdf'", False),
        ("在整个系统中查找日志文件", "find / -name '*.log'", False),
    ],
)
def test_an_answer_never_widens_to_the_whole_file_system(request_, command, refused):
    from caro.engine import checks

    why = checks.problem(command, "bash", lambda p: True, False, request_)
    assert (why is not None and "whole file system" in why) is refused, why


# ---------------------------------------------------------------- one reading of the subcommand

GIT_GLOBALS = [
    "-C repo",
    "-C ../other",
    "-c user.name=x",
    "--git-dir=.git",
    "--git-dir .git",
    "--work-tree=.",
    "--work-tree .",
    "--no-pager",
    "-P",
    "--bare",
    "-C repo -c core.pager=cat --no-pager",
]
GIT_LINES = [
    "commit -m x",
    "push --force",
    "push origin :old",
    "status",
    "log --oneline -5",
    "stash list",
    "stash",
    "branch",
    "branch -D old",
    "rm -r .",
    "clean -n",
    "clean -fdx",
    "reset --hard HEAD~1",
    "gc --prune=now",
    "diff --cached",
    "tag",
    "config --get user.name",
]


@pytest.mark.parametrize("line", GIT_LINES)
def test_intent_and_safety_read_git_the_same_past_any_global_option(line):
    """`git -C repo commit` was read as the subcommand `repo` by the intent guard (no change) while
    the safety rules skipped -C: both now ask caro/knowledge/programs.py where the subcommand is."""
    from caro import safety
    from caro.engine import intent

    plain = (bool(intent.state_changes(f"git {line}", "bash")), safety.check(f"git {line}").action)
    for g in GIT_GLOBALS:
        assert (
            bool(intent.state_changes(f"git {g} {line}", "bash")),
            safety.check(f"git {g} {line}").action,
        ) == plain, g


LOSSES = [
    "filter-repo --path secrets --invert-paths",  # the safety rule knew it; the intent guard did not
    "filter-branch --tree-filter x HEAD",
    "update-ref -d refs/heads/x",
    "gc --prune=now",
    "reflog expire --expire=now --all",
    "stash drop",
    "checkout -- a.txt",
    "restore a.txt",
    "worktree remove --force ../wt",
    "push --mirror",
    "push origin +main",
    "checkout :/",  # the top of the work tree
    "rm -r ././*",
]


@pytest.mark.parametrize("line", LOSSES + GIT_LINES)
def test_what_git_loses_it_also_changes(line):
    """One reading of git (caro/knowledge/programs.py) answers both questions, so a command the
    safety check says loses work can never pass the intent guard as read-only; dry runs excepted."""
    from caro import safety
    from caro.engine import intent
    from caro.knowledge import programs

    git = programs.git(["git", *line.split()])
    assert git.loses or line not in LOSSES
    if git.loses:
        assert git.changes and intent.state_changes(f"git {line}", "bash")
        assert safety.check(f"git {line}").action != "allow"
    assert not programs.git(["git", "clean", "-fdn"]).changes  # a dry run loses nothing


class Sure(Reviewing):
    """A scripted writer that also reports how sure the model was of each reply (mean log-probability)."""

    def __init__(self, *replies, logprobs=(), scores=None):
        super().__init__(*replies, scores=scores)
        self.logprobs = list(logprobs)

    def generate(self, prompt, *, max_tokens=128, temperature=0.0):
        got = super().generate(prompt, max_tokens=max_tokens, temperature=temperature)
        got.logprob = self.logprobs.pop(0) if self.logprobs else None
        return got


@needs_docs
def test_a_sure_draft_skips_the_doc_pass_and_the_next_press_offers_the_documented_answer(with_docs):
    b = Sure("xz big.log", "xz -k big.log", logprobs=[-0.05])
    e = Engine(config.load(), b)
    s = e.suggest("compress big.log with xz but keep the original file", shell="bash", cwd="/tmp")
    assert s.command == "xz big.log" and e.work["generations"] == 1 and not b.scored
    alt = e.alternative(s, shell="bash", cwd="/tmp")
    assert (alt.command, alt.source) == ("xz -k big.log", "docs") and "xz -k <file>" in b.prompts[1].system


@needs_docs
def test_an_unsure_draft_gets_the_doc_pass_and_the_gate_can_be_switched_off(with_docs):
    request = "compress big.log with xz but keep the original file"
    scores = {"xz -k big.log": -1.0, "xz big.log": -2.0}
    s = Engine(config.load(), Sure("xz big.log", "xz -k big.log", logprobs=[-0.9], scores=scores)).suggest(
        request, shell="bash", cwd="/tmp"
    )
    assert s.command == "xz -k big.log" and s.alternatives == ["xz big.log"]
    never = config.load(flags={"engine.sure_draft": 0})
    s = Engine(never, Sure("xz big.log", "xz -k big.log", logprobs=[-0.01], scores=scores)).suggest(
        request, shell="bash", cwd="/tmp"
    )
    assert s.command == "xz -k big.log"


def test_an_answer_failing_only_on_its_surface_is_mended_as_a_last_resort():
    """Every answer failed (an option the program does not have, twice): rather than no command,
    the answer without that option, which then passes every check."""
    e = engine("ls -l --colour-scheme=dark", "ls -l --colour-scheme=dark")
    s = e.suggest("list the files here in long form", shell="bash", cwd="/tmp")
    assert s.command == "ls -l" and e.work["repaired"] == 1
    # a mended answer is still judged: a read-only request never gets a change
    e = engine("crontab -e --colour-scheme=dark", "crontab -e --colour-scheme=dark")
    with pytest.raises(EngineError):
        e.suggest("show my crontab", shell="bash", cwd="/tmp")


def test_bash_expansions_in_a_fish_answer_are_put_in_fish_words():
    from caro.engine import repair

    line = repair.surface('for f in *.txt; mv "$f" "${f%.txt}.md"; end', "fish")
    assert line == "for f in *.txt; mv \"$f\" \"$(string replace -r -- '\\.txt$' '' $f).md\"; end"
    assert checks.problem(line, "fish", lambda p: True, False) is None
    assert repair.surface("ls -la", "bash") is None  # nothing to mend


@pytest.mark.parametrize(
    "command,wrong",
    [
        ("zip photos photos.zip", True),  # would zip photos.zip into an archive named photos
        ("zip -r photos.zip photos", False),
        ("zip -q out.zip a.txt b.txt", False),
        ("tar -czf src backup.tgz", True),  # f takes the archive: this packs backup.tgz into "src"
        ("tar czf backup.tar.gz src", False),
        ("tar -xzf a.tgz -C out", False),
    ],
)
def test_an_archiver_given_its_words_in_the_wrong_order_is_asked_again(command, wrong):
    why = checks.problem(command, "bash", lambda p: True, False)
    assert (why is not None and "archive" in why) == wrong


def test_find_days_given_for_hours_are_asked_again():
    """-mtime counts days: "the last 24 hours" as `-mtime -24` would list 24 days of files."""
    why = checks.problem(
        "find . -type f -mtime -24", "bash", lambda p: True, True, "files changed in the last 24 hours"
    )
    assert why and "-mmin -1440" in why
    assert (
        checks.problem("find . -type f -mtime -1", "bash", lambda p: True, True, "files changed in the last 24 hours")
        is None
    )
    assert checks.problem("find . -mtime +30", "bash", lambda p: True, True, "files older than 30 days") is None
