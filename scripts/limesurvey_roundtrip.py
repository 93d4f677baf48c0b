"""Round trip through a real LimeSurvey 6: import the generated survey file, add respondents of the
bundled 2026 export, export the responses in every heading/answer style, write them to
data/examples/limesurvey/. Not part of `make test`; run as root on Debian 12 (see
/work/shared/docs/limesurvey.md). Commits nothing. Every server it starts is stopped (try/finally).

    PYTHONPATH=src python scripts/limesurvey_roundtrip.py --source-git /work/.mirror/dvdgp9+happy-ebone/repo
"""
from __future__ import annotations

import argparse
import base64
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pandas as pd

from analysis.survey.codebook import load_codebook
from analysis.survey.questionnaire import build_questionnaire, write_questionnaire

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "examples" / "limesurvey"
BUNDLED = ROOT / "data" / "raw" / "politie20_survey_2026_synthetic.csv"
WAVE = "2026"
COMMIT = "fc6e5382"
MISSING_FILE = ("vendor/shardj/zf1-future/library/Zend/Service/WindowsAzure/CommandLine/Scaffolders/"
                "DefaultScaffolder.phar")
PACKAGES = ("php8.2-cli php8.2-mbstring php8.2-mysql php8.2-gd php8.2-zip php8.2-xml php8.2-intl php8.2-curl "
            "php8.2-ldap php8.2-imap php8.2-sqlite3 php8.2-bcmath php8.2-opcache mariadb-server mariadb-client").split()
DB_PORT, WEB_PORT = 3307, 8088
DB, DB_USER, DB_PASSWORD = "limesurvey", "lime", "lime-roundtrip"
ADMIN, ADMIN_PASSWORD = "admin", "roundtrip-admin"
#: The fixed moment every added response carries (start, last action, submitted).
STAMP = "2026-05-01 10:00:00"
OTHER_TEXT = "Anders (ingevuld)"


def run(*cmd: str, cwd: Path | None = None, check: bool = True, **kw) -> subprocess.CompletedProcess:
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd, check=check, text=True, capture_output=True, **kw)


def ensure_packages() -> None:
    if shutil.which("php") and shutil.which("mariadbd"):
        return
    run("apt-get", "update", "-qq")
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES,
        env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})


def ensure_tree(source_git: Path, tree: Path) -> None:
    """The LimeSurvey 6.14.0 release tree (the first commit of the source repository)."""
    if not (tree / "index.php").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.Popen(["git", f"--git-dir={source_git}", "archive", COMMIT, "--", ".",
                                    f":(exclude){MISSING_FILE}"], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(tree)], stdin=archive.stdout, check=True)
        archive.wait()
    for name in ("config.php", "security.php"):
        (tree / "application" / "config" / name).unlink(missing_ok=True)
    config = f"""<?php if (!defined('BASEPATH')) {{ exit('No direct script access allowed'); }}
return array('components' => array(
    'db' => array('connectionString' => 'mysql:host=127.0.0.1;port={DB_PORT};dbname={DB};',
        'emulatePrepare' => true, 'username' => '{DB_USER}', 'password' => '{DB_PASSWORD}',
        'charset' => 'utf8mb4', 'tablePrefix' => 'lime_'),
    'urlManager' => array('urlFormat' => 'get', 'rules' => array(), 'showScriptName' => true)),
  'config' => array('debug' => 0, 'debugsql' => 0, 'mysqlEngine' => 'InnoDB'));
"""
    (tree / "application" / "config" / "config.php").write_text(config)
    for folder in ("tmp", "upload", "application/config"):
        run("chmod", "-R", "a+rwX", str(tree / folder))


def start_database(scratch: Path) -> subprocess.Popen:
    """MariaDB on 127.0.0.1 only, in its own data folder under the scratch folder."""
    data = scratch / "db"
    if not (data / "mysql").exists():
        data.mkdir(parents=True, exist_ok=True)
        shutil.chown(data, "mysql", "mysql")
        run("mariadb-install-db", "--user=mysql", f"--datadir={data}", "--auth-root-authentication-method=normal")
    (scratch / "run").mkdir(exist_ok=True)
    shutil.chown(scratch / "run", "mysql", "mysql")
    server = subprocess.Popen(["/usr/sbin/mariadbd", "--user=mysql", f"--datadir={data}", "--bind-address=127.0.0.1",
                               f"--port={DB_PORT}", f"--socket={scratch / 'run' / 'mysqld.sock'}",
                               f"--pid-file={scratch / 'run' / 'mysqld.pid'}"],
                              stdout=open(scratch / "mariadb.log", "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    for _ in range(60):
        if sql(scratch, "SELECT 1", check=False).returncode == 0:
            return server
        time.sleep(0.5)
    raise RuntimeError(f"MariaDB did not start; see {scratch / 'mariadb.log'}")


def sql(scratch: Path, statement: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["mariadb", "-uroot", f"--socket={scratch / 'run' / 'mysqld.sock'}", "-e", statement],
                          check=check, text=True, capture_output=True)


def install(scratch: Path, tree: Path) -> None:
    sql(scratch, f"DROP DATABASE IF EXISTS {DB}; CREATE DATABASE {DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        f"CREATE USER IF NOT EXISTS '{DB_USER}'@'127.0.0.1' IDENTIFIED BY '{DB_PASSWORD}';"
        f"GRANT ALL ON {DB}.* TO '{DB_USER}'@'127.0.0.1'; FLUSH PRIVILEGES;")
    done = run("php", "console.php", "install", ADMIN, ADMIN_PASSWORD, "Admin", "admin@example.org", "verbose",
               cwd=tree / "application" / "commands")
    print(done.stdout[-500:])
    sql(scratch, f"INSERT INTO {DB}.lime_settings_global VALUES ('RPCInterface','json') "
        "ON DUPLICATE KEY UPDATE stg_value='json'")


def start_web(scratch: Path, tree: Path) -> subprocess.Popen:
    server = subprocess.Popen(["php", "-d", "memory_limit=512M", "-S", f"127.0.0.1:{WEB_PORT}"], cwd=tree,
                              stdout=open(scratch / "php-server.log", "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    time.sleep(2)
    return server


class Remote:
    """LimeSurvey's RemoteControl 2 (JSON-RPC) on the local server."""

    def __init__(self) -> None:
        self.url = f"http://127.0.0.1:{WEB_PORT}/index.php?r=admin/remotecontrol"
        self.key = self.call("get_session_key", ADMIN, ADMIN_PASSWORD, keyed=False)

    def call(self, method: str, *params, keyed: bool = True):
        body = json.dumps({"method": method, "params": ([self.key] if keyed else []) + list(params), "id": 1})
        request = urllib.request.Request(self.url, body.encode(), {"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as response:
            answer = json.loads(response.read())
        if answer.get("error"):
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]


def import_survey(remote: Remote, survey_file: Path) -> tuple[int, list[str]]:
    """Import the survey file; return its id and what differs from the questionnaire (RemoteControl
    returns no import warnings: the codes LimeSurvey kept are compared with the generated ones)."""
    sid = remote.call("import_survey", base64.b64encode(survey_file.read_bytes()).decode(), "lss")
    if not isinstance(sid, int):
        raise RuntimeError(f"import_survey: {sid}")
    questionnaire = build_questionnaire(load_codebook().for_wave(WAVE))
    fieldmap = remote.call("get_fieldmap", sid)
    kept = {_heading(f) for f in fieldmap.values() if f.get("qid")}
    findings = [f"column {h} of the questionnaire is not in the survey LimeSurvey imported"
                for h in questionnaire.columns() if h not in kept]
    languages = remote.call("get_survey_properties", sid, ["language", "additional_languages"])
    if (languages["language"], languages["additional_languages"].strip()) != ("nl", "en"):
        findings.append(f"languages after import: {languages}")
    return sid, findings


def _heading(field: dict) -> str:
    """The code-export heading of one fieldmap entry: question code, plus [subquestion] or [other]."""
    aid = field.get("aid") or ""
    return f"{field['title']}[{aid}]" if aid else str(field["title"])


def _cell(question, column: str, value):
    """The stored answer of one codebook cell (None: leave the field NULL, the question not answered)."""
    if pd.isna(value) or value == "":
        return None
    if question.type in ("S", "T"):
        return str(value)
    if question.type == "M":
        if question.other is not None and column == question.other.column:
            return OTHER_TEXT if float(value) == 1 else ""
        return "Y" if float(value) == 1 else ""
    return f"A{int(float(value))}"


def add_responses(remote: Remote, sid: int, respondents: pd.DataFrame) -> None:
    questionnaire = build_questionnaire(load_codebook().for_wave(WAVE))
    by_heading = {_heading(f): name for name, f in remote.call("get_fieldmap", sid).items() if f.get("qid")}
    owner = {head: q for q in questionnaire.questions for head in q.columns}
    for _, row in respondents.iterrows():
        data = {"submitdate": STAMP, "startdate": STAMP, "datestamp": STAMP, "startlanguage": "nl",
                "lastpage": len(questionnaire.themes)}
        for head, column in questionnaire.columns().items():
            value = _cell(owner[head], column, row[column])
            if value is not None:
                data[by_heading[head]] = value
        answer = remote.call("add_response", sid, data)
        if not isinstance(answer, (int, str)) or not str(answer).isdigit():
            raise RuntimeError(f"add_response {row['respondent_id']}: {answer}")


def export_all(remote: Remote, sid: int, out: Path) -> list[Path]:
    """CSV exports in nl and en for every heading type (code, full, abbreviated) and response type
    (short, long); an Excel export of code/short and full/long per language."""
    written = []
    for lang in ("nl", "en"):
        for heading in ("code", "full", "abbreviated"):
            for response in ("short", "long"):
                written.append(_export(remote, sid, "csv", lang, heading, response, out))
        for heading, response in (("code", "short"), ("full", "long")):
            written.append(_export(remote, sid, "xls", lang, heading, response, out))
    return written


def _export(remote: Remote, sid: int, kind: str, lang: str, heading: str, response: str, out: Path) -> Path:
    data = remote.call("export_responses", sid, kind, lang, "all", heading, response)
    if isinstance(data, dict):
        raise RuntimeError(f"export_responses {kind} {lang} {heading} {response}: {data}")
    path = out / f"responses_{lang}_{heading}_{response}.{'xlsx' if kind == 'xls' else kind}"
    path.write_bytes(base64.b64decode(data))
    print(f"wrote {path}")
    return path


def stop(process: subprocess.Popen | None, name: str) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    print(f"stopped {name} (pid {process.pid})")


def roundtrip(args: argparse.Namespace) -> dict:
    """The whole round trip; returns what the provenance note records."""
    scratch, tree = args.scratch, args.scratch / "limesurvey"
    ensure_packages()
    ensure_tree(args.source_git, tree)
    survey_file = write_questionnaire(WAVE, "lss", OUT / "politie20_2026.lss")[0]
    respondents = pd.read_csv(BUNDLED, dtype=str, keep_default_na=False).head(args.n)
    database = web = None
    try:
        database = start_database(scratch)
        install(scratch, tree)
        web = start_web(scratch, tree)
        remote = Remote()
        sid, findings = import_survey(remote, survey_file)
        activated = remote.call("activate_survey", sid)
        add_responses(remote, sid, respondents)
        exports = export_all(remote, sid, OUT)
        remote.call("release_session_key")
    finally:
        stop(web, "the PHP server")
        stop(database, "MariaDB")
    php_log = (scratch / "php-server.log").read_text(errors="replace").splitlines()
    return {"sid": sid, "findings": findings, "activated": activated, "exports": exports,
            "respondents": list(respondents["respondent_id"]),
            "php_warnings": [line for line in php_log if "PHP " in line or "Warning" in line]}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--source-git", type=Path, required=True,
                         help="git dir whose commit fc6e5382 is LimeSurvey 6.14.0")
    options.add_argument("--scratch", type=Path, default=Path("/tmp/limesurvey-roundtrip"), help="scratch folder")
    options.add_argument("--n", type=int, default=60, help="respondents added (the first n of the bundled 2026 export)")
    result = roundtrip(options.parse_args())
    (OUT / "roundtrip.json").write_text(json.dumps({k: v for k, v in result.items() if k != "exports"}, indent=1,
                                                   ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("exports", "respondents")}, indent=1))


if __name__ == "__main__":
    main()
