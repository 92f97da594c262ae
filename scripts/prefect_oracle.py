#!/usr/bin/env python3
"""Regenerate the Prefect-derived test fixtures in tests/fixtures/.

The fixtures record what Prefect Core 0.15.13's configuration loader really
does, so the Rust tests can check `prefect-config` against it; run under
Prefect 1.4.1 the script records that release's instead.

Setup (once, from the repository root):

    python3 -m venv .venv && .venv/bin/pip install prefect==0.15.13
    python3 -m venv .venv1 && .venv1/bin/pip install prefect==1.4.1 python-box==5.4.1

Run:

    .venv/bin/python scripts/prefect_oracle.py [OUTPUT_DIR]
    .venv1/bin/python scripts/prefect_oracle.py [OUTPUT_DIR]

The installed Prefect decides what is recorded. Under 0.15.13, OUTPUT_DIR
defaults to tests/fixtures next to this script and every file below is
written. Under 1.4.1 it defaults to tests/fixtures/prefect-1.4.1 and only
what can differ between the releases is written: the two defaults files,
load_cases.json and secret_rule.json (the casting, str() and
to_environment_variables code is the same in both releases). The script never
reads or writes the real home directory: before Prefect is imported, every
PREFECT* variable is dropped and HOME points at a throw-away directory, and
each load case runs with os.environ set to exactly the case's `env`.

Python's string hashing is randomised per process, and Prefect resolves
`${...}` references while iterating over a set, so a few outcomes (reference
cycles, very long chains) depend on the hash seed. The script re-executes
itself with PYTHONHASHSEED=0 for reproducible output, and for cases marked
`order_dependent` it also records every outcome seen over several seeds.

Files written:

  prefect_defaults.json                   Prefect's own config.toml, loaded
  prefect_defaults_with_task_defaults.json  ... then process_task_defaults()
  string_to_type.json                     string_to_type() on many inputs
  python_str.json                         str()/repr() of JSON-like values
  load_cases.json                         end-to-end load_configuration() cases
  to_environment_variables.json           to_environment_variables() cases
  config_reserved_keys.json               names validate_config() rejects
  secret_get.json                         Secret.get() on string secrets set
                                          in TOML, in an env var and at run time
  secret_rule.json                        Secret.get()/exists() for backend
                                          cloud/server x use_local_secrets
                                          true/false x the secret set or not:
                                          whether the Cloud client was asked

In string_to_type.json, `value` is the result as JSON, or null when JSON
cannot hold it; then `documented` is the JSON our documented casting rule
gives (an empty set is [], non-string dict keys become their str()), where
that rule applies.

It also checks that config/config.toml (our own defaults file; under 1.4.1,
config/prefect-1.4.1.toml) loads to the same tree as Prefect's, and exits
non-zero if it does not.

How to replay a load case: write `defaults_toml`, `user_toml` and
`backend_toml` to files (a null TOML means "no file": pass no path, unless the
case has `user_path`/`backend_path`, which is then passed verbatim and does
not exist), set the process environment to exactly `env`, and call the loader
with env prefix "PREFECT". Compare with `expected`, or with the error in
`expected_error` ("ExceptionType: message"). When `expected_any_of` is
present, any one of the listed trees is acceptable. When `check_table` is
present, `expected` is only that top-level table of the loaded tree (the rest
holds values JSON cannot hold). TOML dates and times are
given as their Python isoformat() string.
"""

import datetime
import json
import math
import os
import subprocess
import sys
import tempfile

FAKE_HOME = "/home/prefect-test"


def _sanitise_process_env():
    """Drop PREFECT* variables and point HOME away from the real home."""
    for name in list(os.environ):
        if name.upper().startswith("PREFECT"):
            del os.environ[name]
    os.environ["HOME"] = FAKE_HOME


# Must happen before `prefect` is imported: importing it loads
# ~/.prefect/config.toml and reads PREFECT__* variables.
_sanitise_process_env()

import prefect  # noqa: E402
import prefect.configuration as pc  # noqa: E402

# The release line whose files this run writes: "0.15" or "1".
VERSION = "1" if prefect.__version__.startswith("1.") else "0.15"
OUR_DEFAULTS = {"0.15": "config.toml", "1": "prefect-1.4.1.toml"}[VERSION]


# JSON conversion ------------------------------------------------------------


class NotJson(Exception):
    pass


def to_json(value, loose=False):
    """Convert a loaded Prefect value to plain JSON data.

    dict/Box -> object (order kept), list/tuple -> array, timedelta -> seconds,
    date/time -> isoformat string. Anything else that JSON cannot hold
    (sets, bytes, complex, inf/nan, non-string dict keys) raises NotJson,
    unless `loose` is set, in which case sets become sorted arrays.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        # JSON readers such as serde_json hold only 64-bit integers.
        if not -(2**63) <= value < 2**64:
            if loose:
                return str(value)  # what our loader keeps: the text
            raise NotJson("integer outside 64 bits")
        return value
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            raise NotJson("non-finite float")
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise NotJson("non-string key")
            out[k] = to_json(v, loose)
        return out
    if isinstance(value, (list, tuple)):
        return [to_json(v, loose) for v in value]
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if loose and isinstance(value, (set, frozenset)):
        return sorted(to_json(v, loose) for v in value)
    raise NotJson(type(value).__name__)


def to_documented_json(value):
    """The JSON our casting rule makes of a value `to_json` refuses: an
    empty set becomes [], a non-string dict key its str(). Raises NotJson
    where the rule does not apply (sets with members, whose order Python
    does not keep, bytes, big integers, ...)."""
    if isinstance(value, (set, frozenset)):
        if value:
            raise NotJson("set with members")
        return []
    if isinstance(value, dict):
        return {
            (k if isinstance(k, str) else str(k)): to_documented_json(v)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [to_documented_json(v) for v in value]
    return to_json(value)


def write_json(out_dir, name, data):
    path = os.path.join(out_dir, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False, allow_nan=False)
        f.write("\n")
    print("wrote", path)


def set_env(env):
    """Make os.environ hold exactly `env` (Prefect reads os.environ)."""
    os.environ.clear()
    os.environ.update(env)


# a. Prefect's own defaults ----------------------------------------------------


def gen_defaults(out_dir):
    set_env({"HOME": FAKE_HOME})
    try:
        config = pc.load_configuration(pc.DEFAULT_CONFIG)
        write_json(out_dir, "prefect_defaults.json", to_json(config))
        config = pc.process_task_defaults(config)
        write_json(
            out_dir, "prefect_defaults_with_task_defaults.json", to_json(config)
        )
    finally:
        _sanitise_process_env()


# b. string_to_type -------------------------------------------------------------

STRING_TO_TYPE_INPUTS = [
    # booleans, any capitalisation
    "true", "false", "True", "False", "TRUE", "FALSE", "tRuE", "fAlSe",
    " true", "true ", "yes", "no", "on", "off", "t", "1", "0",
    # None and friends
    "None", "none", "NONE", "null", "Null", "nil", "~",
    # integers
    "0", "-0", "-1", "+5", "42", "4200", "5432", "8080", "3000",
    "1_000", "1__000", "_1000", "1000_", "0x1F", "0X1f", "-0x10", "0o17",
    "0O17", "0b101", "0B101", "007", "00", "0_0", "017",
    "18446744073709551615", "18446744073709551616",
    "-9223372036854775808", "-9223372036854775809",
    "123456789012345678901234567890", "9" * 100,
    "--1", "-+1", "+-1", "- 1", "1 ", " 1", "\t1", "1\t", "\n1", "1\n",
    "\n 1", "\r\n1", " \n1", "1\n2", "1;2", "1 # c", "# only comment",
    # floats
    "1.5", "1.10", "0.1", ".5", "5.", "-.5", "1e5", "1E-5", "-2.5e-3",
    "1e16", "1e15", "1e+20", "1e-5", "0.0001", "-0.0", "0.0",
    "123456789.123", "1_000.5", "1e999", "-1e999", "1e-999", "inf", "-inf",
    "Infinity", "nan", "NaN", "1.0", "3.141592653589793",
    "0.30000000000000004", "2.5e300", "5e-324",
    # complex, arithmetic
    "1+2j", "2j", "1-1j", "1+2", "2*3", "1 + 1",
    # strings written as Python literals
    "'a'", '"b"', "'it\\'s'", '"say \\"hi\\""', "'a' 'b'", "'a''b'",
    "'''triple'''", '"""triple"""', "'tab\\there'", "'new\\nline'",
    "'\\u00e9'", "'\\x41'", "r'raw\\n'", "u'uni'", "f'x'", "'unterminated",
    "''", '""', "' spaced '",
    # bytes
    "b'x'", 'b""', "rb'x'",
    # containers
    "[]", "{}", "()", "(1)", "(1,)", "1,", "1,2", "1, 2, 3", "'a', 'b'",
    "[1, 2]", "[1,2,]", "[1, 'a', None, True]", "[true]", "[1, [2, [3]]]",
    "['4200', '$HOME']", "(1, 'a')", "((1, 2), [3])",
    "{'a': 1}", "{\"a\": 1}", "{'a': {'b': [1, 2]}}", "{1: 'x'}",
    "{1: 'x', 'y': 2}", "{'a': 1, 'a': 2}", "{'k': None}",
    "{(1, 2): 'x'}", "{1, 2}", "{'a'}", "set()", "frozenset()", "{1, 1}",
    "[1, {2, 3}]", "{'a': 1,}",
    # syntax errors and near misses
    "[", "]", "{", "{'a':", "(", "[1, 2", "'a", "a", "a b", "abc",
    "hello world", "x = 1", "lambda: 1", "__import__('os')", "print(1)",
    "1 if True else 2", "not True", "True and False", "-True", "+True",
    "Ellipsis", "...", "[...]", "True False",
    # empty and whitespace only
    "", " ", "  ", "\t", "\n", " \n ", "\r",
    # format strings, URLs, paths and other everyday config values
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S%z",
    "[%(asctime)s] %(levelname)s - %(name)s | %(message)s",
    "[%(asctime)s] x", "http://localhost", "http://localhost:4200",
    "https://api.prefect.io", "postgresql://u:p@localhost:5432/db",
    "/graphql/", "/tmp/x", "~/.prefect", "./rel", "C:\\Users\\x",
    "127.0.0.1", "0.0.0.0", "::1", "1.2.3", "1.2.3.4:80", "v1.0",
    "prefect.storage.Local", "INFO", "DEBUG", "${server.host}",
    "${server.host}:${server.port}", "$HOME", "1979-05-27",
    "1979-05-27T07:32:00Z", "07:32:00", "10s", "1.5h", "0:0",
    # unicode
    "é", "'é'", "日本", "'日本'", "😀", "'😀'", "[u'é']", "'\\N{BULLET}'",
    "ü1", "١٢٣", "²", "１２３",
    # a sign before a parenthesised number
    "-(1)", "+(1)", "-((1))", "- ( 2.5 )", "-(0x10)", "[-(1), +(2)]",
    "{'a': -(1)}", "-(1,)", "-(-1)", "-(True)", "-([1])", "-(1)+2j", "-(1j)",
    "-(1",
    # the empty set
    "set( )", "[set()]", "{'a': set()}", "set([1])", "{set()}", "set",
    # tuple dict keys
    "{1: 'one', (2, 3): 'pair'}", "{(1,): 1}", "{(): 'e'}",
    "{(('a', None), 1e20, True): 3}", "{(1, [2]): 1}", "{(1, 2)}",
    # named escapes
    "'\\N{bullet}'", "'\\N{LATIN SMALL LETTER E WITH ACUTE}'",
    "'\\N{HANGUL SYLLABLE GA}'", "'\\N{CJK UNIFIED IDEOGRAPH-4E00}'",
    "'\\N{LINE FEED}\\N{BEL}'", "'\\N{NOPE}'", "'\\N{}'", "'\\N'",
    "'\\N{BULLET'", "'\\N{ BULLET}'", "'\\N{Black_Star}'",
    "'\\N{latinsmalllettera}'", "r'\\N{BULLET}'",
    # long inputs
    "1" * 400, "0." + "1" * 50, "1" * 30 + ".5", "[" + ", ".join(["1"] * 50) + "]",
]


def gen_string_to_type(out_dir):
    seen = set()
    rows = []
    for text in STRING_TO_TYPE_INPUTS:
        if text in seen:
            continue
        seen.add(text)
        result = pc.string_to_type(text)
        row = {"input": text, "type": type(result).__name__}
        try:
            row["value"] = to_json(result)
        except NotJson:
            row["value"] = None
            try:
                row["documented"] = to_documented_json(result)
            except NotJson:
                pass
        row.update({"repr": repr(result), "str": str(result)})
        rows.append(row)
    write_json(out_dir, "string_to_type.json", rows)


# c. str()/repr() of JSON-like Python values -----------------------------------

PYTHON_STR_VALUES = [
    True, False, None,
    0, 1, -1, 42, 2 ** 53, 2 ** 63, 2 ** 64 - 1, -(2 ** 63),
    0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 0.2 + 0.1, 1 / 3, 2.5, 100.0,
    1e15, 1e16, 1e16 + 2, 9999999999999998.0, 1e+20, 1e22, 1.5e300, 1e308,
    1e-4, 1e-5, 0.0001, 0.00001234, 5e-324, 2.2250738585072014e-308,
    123456789.123, 1234567890123456789.0, 3.141592653589793, -2.5e-3,
    "", "plain", "it's", 'say "hi"', "both ' and \"", "back\\slash",
    "new\nline", "tab\there", "cr\rhere", "nul\x00", "bell\x07", "del\x7f",
    "nbsp\xa0", "nel\x85", "soft\xadhyphen", "é", "日本", "😀", "\u2028",
    "\u200b", "\U000e0001", "\ufeff",
    [], [1, 2], [1, 2.5, None, True, "a"], [[]], [[1, [2]], []],
    ["", "it's", 'say "hi"', "both ' and \"", "back\\slash", "new\nline"],
    ["tab\there", "nul\x00", "del\x7f", "nbsp\xa0", "nel\x85", "é", "日本",
     "😀", "\u2028", "\u200b", "\U000e0001", "\ufeff", "\x1b[0m"],
    [0.1, 1e16, 1e-5, -0.0, 1e+20],
    {}, {"a": 1}, {"k": "v"}, {"a": {"b": [1, 2.5, None, True]}},
    {"it's": "say \"hi\"", "": None, "x y": [{}]},
    {"nested": {"deeper": {"deepest": {}}}},
    [{"a": [1, {"b": "c"}]}, None, False],
]


def gen_python_str(out_dir):
    rows = [
        {"value": to_json(v), "str": str(v), "repr": repr(v)}
        for v in PYTHON_STR_VALUES
    ]
    write_json(out_dir, "python_str.json", rows)


# d. end-to-end load cases ---------------------------------------------------------

BASE = """\
debug = false
home_dir = "~/.prefect"
backend = "cloud"

[server]
host = "http://localhost"
port = "4200"
endpoint = "${server.host}:${server.port}"

[server.database]
name = "prefect"
port = 5432
url = "postgresql://${server.host}:${server.database.port}/${server.database.name}"

[cloud]
api = "${${backend}.endpoint}"
endpoint = "https://api.prefect.io"
graphql = "${cloud.api}/graphql"

[context.secrets]
"""

H = {"HOME": FAKE_HOME}


def case(name, note, defaults, user=None, backend=None, env=None, **extra):
    c = {
        "name": name,
        "defaults_toml": defaults,
        "user_toml": user,
        "backend_toml": backend,
        "env": dict(env or {}),
        "note": note,
    }
    c.update(extra)
    return c


LOAD_CASES = [
    # --- layers and merging
    case("defaults_only", "BASE alone: casts, references, empty table", BASE, env=H),
    case("user_overrides_one_key",
         "user sets server.port; the rest of [server] survives (deep merge) "
         "and references see the new port",
         BASE, user='[server]\nport = "9999"\n', env=H),
    case("four_layers_precedence",
         "env > backend > user > defaults, key by key",
         'a = 1\nb = 1\nc = 1\nd = 1\n',
         user='b = 2\nc = 2\nd = 2\n', backend='c = 3\nd = 3\n',
         env={"PREFECT__D": "4"}),
    case("backend_over_user_nested",
         "backend file wins over user file inside nested tables",
         '[x.y]\na = "d"\nb = "d"\nc = "d"\n',
         user='[x.y]\nb = "u"\nc = "u"\n', backend='[x]\ny.c = "b"\n'),
    case("arrays_replaced_not_merged", "arrays are replaced as a whole",
         'list = [1, 2, 3]\n[t]\nl = ["a", "b"]\n',
         user='list = [4]\n[t]\nl = []\n'),
    case("user_table_to_scalar",
         "a user scalar replaces a whole default table; references into it "
         "become empty strings",
         BASE, user='server = "gone"\n', env=H),
    case("user_scalar_to_table", "a user table replaces a default scalar",
         BASE, user='[debug]\nlevel = 1\n', env=H),
    case("user_missing_file", "a user path that does not exist is skipped",
         BASE, env=H, user_path="/nonexistent/prefect-user.toml",
         backend_path="~/no-such-backend.toml"),
    # --- environment variables as config keys
    case("env_key_lowercased", "PREFECT__SERVER__PORT -> server.port (cast to int)",
         BASE, env={**H, "PREFECT__SERVER__PORT": "1234"}),
    case("env_key_mixed_case", "mixed-case env names are lower-cased",
         BASE, env={**H, "PREFECT__Server__Port": "1234",
                    "PREFECT__NEW__KeyName": "x"}),
    case("env_secrets_keep_case",
         "CONTEXT__SECRETS keys keep their case; only the exact uppercase "
         "CONTEXT__SECRETS text is lower-cased (replace is case-sensitive)",
         BASE, env={**H, "PREFECT__CONTEXT__SECRETS__MyKey": "abc",
                    "PREFECT__context__secrets__lowerKey": "def",
                    "PREFECT__Context__Secrets__Odd": "ghi"}),
    case("env_secrets_nested", "secret names may nest with __",
         BASE, env={**H, "PREFECT__CONTEXT__SECRETS__A__B": "1",
                    "PREFECT__CONTEXT__SECRETS__Aws__Key_Id": "k"}),
    case("env_secrets_prefix_quirk",
         "anything starting with CONTEXT__SECRETS is case-preserving, even "
         "CONTEXT__SECRETSX",
         'a = 1\n', env={"PREFECT__CONTEXT__SECRETSX__Foo": "1"}),
    case("env_value_casting", "env values go through string_to_type",
         'a = 1\n',
         env={"PREFECT__T__BOOL": "true", "PREFECT__T__FALSE": "FALSE",
              "PREFECT__T__INT": "5", "PREFECT__T__NEG": "-7",
              "PREFECT__T__FLOAT": "1.5", "PREFECT__T__LIST": "[1,2]",
              "PREFECT__T__DICT": "{'a': 1}", "PREFECT__T__QUOTED": "'quoted'",
              "PREFECT__T__DOUBLE": "\"'5'\"", "PREFECT__T__NONE": "None",
              "PREFECT__T__TUPLE": "1,2", "PREFECT__T__STR": "hello world",
              "PREFECT__T__EMPTY": "", "PREFECT__T__SPACE": " 5",
              "PREFECT__T__HEX": "0x10", "PREFECT__T__URL": "http://x:1/y"}),
    case("env_double_cast",
         "a quoted env value is unquoted twice: \"'5'\" -> \"'5'\"->'5'... "
         "then the result is a str",
         'a = 1\n', env={"PREFECT__A": "\"'5'\"", "PREFECT__B": "\"\\\"'x'\\\"\"",
                         "PREFECT__C": "\"True\"", "PREFECT__D": "'[1]'"}),
    case("env_without_section", "PREFECT__DEBUG sets a top-level key",
         BASE, env={**H, "PREFECT__DEBUG": "true", "PREFECT__NEWTOP": "7"}),
    case("env_prefix_only_names",
         "PREFECT__ alone gives the key \"\"; a trailing __ gives an empty last part",
         'a = 1\n', env={"PREFECT__": "x", "PREFECT__S__": "y"}),
    case("env_ignored_names",
         "prefix match is case-sensitive and needs the double underscore",
         'a = 1\n', env={"prefect__a": "2", "Prefect__a": "3",
                         "PREFECT_A": "4", "PREFECTX__A": "5", "XPREFECT__A": "6"}),
    case("env_empty_key_part", "PREFECT__A____B gives a nested empty key",
         'x = 1\n', env={"PREFECT__A____B": "1"}),
    case("env_replaces_table_with_scalar",
         "PREFECT__SERVER=5 replaces the whole [server] table; references to "
         "server.* still resolve from the flat view",
         '[server]\nport = 1\n[other]\nref = "${server.port}"\n',
         env={"PREFECT__SERVER": "5"}),
    case("env_key_under_scalar_error",
         "an env key below an existing scalar cannot be nested back",
         'debug = false\n', env={"PREFECT__DEBUG__LEVEL": "1"}),
    case("env_key_under_file_scalar_error",
         "an env key below a scalar of the user file is an error",
         'a = 1\n', user='[b]\nc = 1\nd = 2\n', env={"PREFECT__B__C__E": "1"}),
    case("task_defaults_tasks_scalar_error",
         "tasks = 1 where task defaults are applied is an error",
         'tasks = 1\n', task_defaults=True),
    case("task_defaults_defaults_scalar_error",
         "tasks.defaults = 'x' where task defaults are applied is an error",
         '[tasks]\ndefaults = "x"\n', task_defaults=True),
    case("env_value_expanded", "env values are expanded ($VAR, ~) before casting",
         'a = 1\n', env={**H, "PREFECT__X__Y": "$OTHER", "OTHER": "7",
                         "PREFECT__X__P": "~/p", "PREFECT__X__R": "${server.port}"}),
    case("env_same_key_twice",
         "two env names mapping to the same key: the later one in environment "
         "order wins (os.environ order here = order of this object)",
         'a = 1\n', env={"PREFECT__S__PORT": "1", "PREFECT__s__port": "2"},
         order_note=True),
    # --- $VAR and ~ expansion
    case("dollar_vars", "$VAR/${VAR} from the environment; unknown ones stay",
         'a = "$FOO"\nb = "${FOO}"\nc = "x-$FOO-y"\nd = "$NOPE"\ne = "${NOPE}"\n'
         'f = "cost$"\ng = "$FOO$FOO"\nh = "$$FOO"\ni = "$FOO_BAR"\nj = "${}"\n'
         'k = "$1"\nl = "$"\n',
         env={"FOO": "bar"}),
    case("dollar_var_cast", "an expanded value is cast: \"$PORT\" -> int",
         'a = "$PORT"\nb = "x$PORT"\nc = "$FLAG"\nd = "$LIST"\n',
         env={"PORT": "8080", "FLAG": "TRUE", "LIST": "[1, 'a']"}),
    case("dollar_chain", "A -> $B -> $C -> 42 expands repeatedly",
         'x = "$A"\ny = "$B"\nz = "pre-$A"\n',
         env={"A": "$B", "B": "$C", "C": "42"}),
    case("dollar_never_settles",
         "expansion that keeps changing for 10 rounds gives None",
         'a = "$X"\nb = "ok"\n', env={"X": "$X$X"}),
    case("env_var_shadows_reference",
         "expandvars runs first, so an env var named like a one-part "
         "reference wins over the config key",
         'debug = 1\na = "${debug}"\nb = "${home}"\n',
         env={"debug": "ENV!"}),
    case("tilde", "~ expands only at the start",
         'a = "~"\nb = "~/x"\nc = "a~b"\nd = "x/~/y"\ne = "~~"\nf = " ~/x"\n'
         'g = "$HOME/y"\n',
         env=H),
    case("tilde_home_trailing_slash", "HOME with a trailing slash",
         'a = "~"\nb = "~/x"\n', env={"HOME": "/home/t/"}),
    case("tilde_home_root", "HOME=/",
         'a = "~"\nb = "~/x"\n', env={"HOME": "/"}),
    # --- casting of TOML values
    case("toml_strings_cast", "TOML strings that are Python literals get cast",
         'port = "4200"\nlabels = "[]"\nq = "\'x\'"\nt = "true"\nn = "None"\n'
         'f = "1.5"\nh = "0x10"\nu = "1_000"\ns = "hello"\nsp = " 5"\n'
         'nl = "\\n5"\ntup = "1,2"\ncom = "1 # c"\nd = "{\'a\': [1]}"\n'
         'fmt = "%Y-%m-%d"\nlead0 = "007"\nbig = "123456789012345678901234567890"\n'
         'e = ""\nws = "  "\n',
         ),
    case("arrays_untouched", "strings inside arrays are neither expanded nor cast",
         '[server]\nport = 1\n[x]\na = ["4200", "$HOME", "${server.port}", "~", "true"]\n'
         'b = [["1"], ["$HOME"]]\nc = [{d = "2"}, {d = "$HOME"}]\n',
         env=H),
    case("toml_scalars", "TOML native types; dates/times as isoformat strings",
         'i = 42\nneg = -17\nf = 1.5\nbig = 1e20\nsmall = 1e-5\nz = -0.0\n'
         'b = true\nodt = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27T00:32:00.5-07:00\n'
         'ldt = 1979-05-27T07:32:00\nld = 1979-05-27\nlt = 07:32:00\n'
         'hex = 0xff\nunder = 1_000\n'),
    case("datetime_in_partial_reference", "str() of TOML datetime in text",
         'when = 1979-05-27T07:32:00Z\nday = 1979-05-27\nwhole = "${when}"\n'
         'a = "at ${when}"\nb = "on ${day}"\n'),
    case("toml_mixed_array_error", "toml 0.10.2 rejects mixed-type arrays",
         'a = [1, "x"]\n'),
    case("toml_syntax_error", "broken TOML", '[server\nport = 1\n'),
    # --- ${...} references
    case("ref_whole_keeps_type",
         "a whole-value reference copies the value with its type",
         '[x]\nport = "5"\nflag = true\nlist = "[1, 2]"\ndict = "{\'k\': \'v\'}"\n'
         'none = "None"\nfl = 1.5\narr = ["a", "b"]\n'
         '[r]\nport = "${x.port}"\nflag = "${x.flag}"\nlist = "${x.list}"\n'
         'dict = "${x.dict}"\nnone = "${x.none}"\nfl = "${x.fl}"\narr = "${x.arr}"\n'
         'into_dict = "${x.dict.k}"\n'),
    case("ref_partial_uses_str", "a reference inside text uses Python str()",
         '[x]\nflag = true\nnone = "None"\nlist = "[1,2]"\ndict = "{\'k\': \'v\'}"\n'
         'big = 1e20\ntenth = 0.1\nbigs = "1e20"\ntup = "1,2"\nstrs = "[\'a\', \\"b\'c\\"]"\n'
         'arr = [1.0, 2.5]\nsarr = ["x", "y z"]\n'
         '[r]\nflag = "v=${x.flag}"\nnone = "v=${x.none}"\nlist = "v=${x.list}"\n'
         'dict = "v=${x.dict}"\nbig = "v=${x.big}"\ntenth = "v=${x.tenth}"\n'
         'bigs = "v=${x.bigs}"\ntup = "v=${x.tup}"\nstrs = "v=${x.strs}"\n'
         'arr = "v=${x.arr}"\nsarr = "v=${x.sarr}"\n'),
    case("ref_partial_python_types",
         "tuples and sets cast from text print as Python prints them inside "
         "text, nested ones too, after whole-value references and through "
         "an environment variable cast twice",
         '[x]\ntup = "(1, 2)"\nset = "{1}"\none = "(1,)"\nnested = "{\'k\': (1,)}"\n'
         'empty = "set()"\nbare = "1, \'a\'"\ntkeys = "{1: \'one\', (2, 3): \'pair\'}"\n'
         'ints = "{3, 1, 2}"\nlist = "[(1,), {2}]"\ncp = "${x.tup}"\ncp2 = "${x.cp}"\n'
         '[r]\nv = "v=${x.tup} ${x.set}"\none = "<${x.one}>"\nnested = "<${x.nested}>"\n'
         'empty = "<${x.empty}>"\nbare = "<${x.bare}>"\ntkeys = "<${x.tkeys}>"\n'
         'ints = "<${x.ints}>"\nlist = "<${x.list}>"\ncp = "<${x.cp}>"\n'
         'cp2 = "<${x.cp2}>"\nenv = "<${x.env}>"\n',
         env={"PREFECT__X__ENV": "\"'(1,)'\""}, check_table="r"),
    case("ref_partial_python_only_values",
         "literals JSON cannot hold stay text as values (not checked here) "
         "but print as Python prints them inside text, also through a "
         "whole-value reference",
         'x = "-1e400"\ninf = "1e400"\nbig = "18446744073709551616"\n'
         'bigs = "[18446744073709551616,1]"\nhex = "0x10000000000000000"\n'
         'b = "b\'x\'"\nc = "1+2j"\ne = "[...]"\ninfs = "(1e400, -1e400)"\n'
         'cp = "${x}"\n'
         '[r]\nx = "a${x}"\ninf = "<${inf}>"\nbig = "<${big}>"\nbigs = "<${bigs}>"\n'
         'hex = "<${hex}>"\nb = "<${b}>"\nc = "<${c}>"\ne = "<${e}>"\n'
         'infs = "<${infs}>"\ncp = "<${cp}>"\n',
         check_table="r"),
    case("ref_partial_quoted_literal_text",
         "a quoted literal is a string: it prints as its text",
         'q = "\'-1e400\'"\nt = "\'(1, 2)\'"\nr = "<${q}> <${t}>"\n'),
    case("ref_missing", "a missing key resolves to \"\"",
         'a = "${nope.x}"\nb = "x${nope}y"\nc = "${a.b.c.d}"\n'),
    case("ref_nested", "${${backend}.endpoint} resolves the inner one first",
         BASE, env={**H, "PREFECT__BACKEND": "server"}),
    case("ref_chain_depth5", "a -> b -> c -> d -> e -> f",
         'a = "${b}"\nb = "${c}"\nc = "${d}"\nd = "${e}"\ne = "${f}"\nf = "1"\n'
         'p = "<${a}>"\n'),
    case("ref_to_table", "a table is not a flat key: it resolves to \"\"",
         '[server]\nport = 1\n[x]\na = "${server}"\nb = "x${server}y"\n'),
    case("ref_in_env_value", "env values may contain references",
         BASE, env={**H, "PREFECT__X__Y": "${server.port}",
                    "PREFECT__X__Z": "port=${server.database.port}"}),
    case("ref_result_not_recast",
         "references are substituted after casting; results are not cast again",
         'num = 5\nquoted = "\'5\'"\na = "${quoted}"\nb = "x${num}"\n'
         'c = "${num}${num}"\nd = "${t}"\nt = "TRUE"\ne = "[${num}]"\n'),
    case("ref_and_env_mix", "$ENV and ${cfg.ref} in one value",
         '[server]\nhost = "localhost"\n[x]\nv = "$USERNAME@${server.host}"\n'
         'w = "${server.host}/$USERNAME/${NOT_SET}"\n',
         env={"USERNAME": "alice"}),
    case("ref_eleven_in_one_value",
         "only one reference per value is replaced per round, 10 rounds max",
         'x = 1\na = "' + "${x}" * 11 + '"\n'),
    case("ref_self", "a value referring to itself grows for 10 rounds",
         'a = "x${a}"\n'),
    case("ref_regex_edges", "odd ${...} shapes",
         'a = "${}"\nb = "${ }"\nc = "${a}}"\nd = "${{a}}"\ne = "$${x}"\nx = 1\n'
         'f = "${x}${"\n'),
    case("ref_cycle", "a <-> b cycle: no error; outcome depends on set order",
         'a = "${b}"\nb = "${a}"\n', order_dependent=True),
    case("ref_chain_depth12",
         "a 12-long chain of whole references still resolves: values are copied, so chains shorten quickly",
         "".join('k%d = "${k%d}"\n' % (i, i + 1) for i in range(12)) + 'k12 = "end"\n',
         order_dependent=True),
    # --- keys
    case("empty_tables_vanish", "tables with no values disappear",
         'a = 1\n[context.secrets]\n[empty]\n[outer.inner]\n[keep]\nx = 1\n[keep.sub]\n'),
    case("mixed_case_toml_keys", "TOML keys keep case; env keys are lower-cased",
         '[Server]\nPort = "1"\n', env={"PREFECT__SERVER__PORT": "2"}),
    case("dotted_quoted_keys", "\"a.b\" is one key; ${a.b} does not find it",
         '"a.b" = 1\nr = "${a.b}"\n[t]\n"x.y" = "2"\n'),
    case("odd_key_names", "keys with spaces, dashes, unicode, empty",
         '"" = 1\n"with space" = 2\nwith-dash = 3\n"é" = 4\n"a\\"q" = 5\n'),
    case("reserved_key_top", "a key that shadows a Config method", 'keys = 1\n'),
    case("reserved_key_nested", "nested reserved key", '[server]\nget = 2\n'),
    case("reserved_key_from_env", "reserved key coming from an env var",
         'a = 1\n', env={"PREFECT__SERVER__ITEMS": "1"}),
    case("reserved_key_inside_cast_dict",
         "a dict produced by casting is checked too",
         'a = 1\n', env={"PREFECT__X__Y": "{'keys': 1}"}),
    case("dunder_key", "a dunder key", '__class__ = 1\n'),
]


def run_load_case(c):
    """Run one case in this process. Returns {"expected": ...} or
    {"expected_error": ...}."""
    with tempfile.TemporaryDirectory() as tmp:
        def write(name, text):
            if text is None:
                return None
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            return path

        defaults = write("defaults.toml", c["defaults_toml"])
        user = write("user.toml", c.get("user_toml")) or c.get("user_path")
        backend = write("backend.toml", c.get("backend_toml")) or c.get("backend_path")
        set_env(c["env"])
        try:
            config = pc.load_configuration(defaults, user, backend, env_var_prefix="PREFECT")
            if c.get("task_defaults"):
                # As Prefect's standard loader (and our CLI) does.
                config = pc.process_task_defaults(config)
            if c.get("check_table"):
                # Only this table is recorded: the rest holds values JSON
                # cannot hold.
                config = config[c["check_table"]]
            return {"expected": to_json(config, loose=True)}
        except NotJson:
            raise
        except Exception as e:  # noqa: BLE001 - we record whatever Prefect raises
            return {"expected_error": "%s: %s" % (type(e).__name__, e)}
        finally:
            _sanitise_process_env()


def run_load_case_with_seed(c, seed):
    """Run one case in a fresh interpreter with a given PYTHONHASHSEED."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PREFECT")}
    env["PYTHONHASHSEED"] = str(seed)
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--run-case"],
        input=json.dumps(c), capture_output=True, text=True, env=env, check=True,
    )
    return json.loads(out.stdout)


def gen_load_cases(out_dir):
    names = set()
    rows = []
    for c in LOAD_CASES:
        assert c["name"] not in names, c["name"]
        names.add(c["name"])
        c = dict(c)
        order_dependent = c.pop("order_dependent", False)
        c.pop("order_note", None)
        result = run_load_case(c)
        row = {k: v for k, v in c.items() if k != "note"}
        row.update(result)
        if order_dependent:
            outcomes = []
            for seed in range(12):
                r = run_load_case_with_seed(c, seed)
                if r not in outcomes:
                    outcomes.append(r)
            row["expected_any_of"] = [r.get("expected", r.get("expected_error")) for r in outcomes]
        row["note"] = c["note"]
        rows.append(row)
    write_json(out_dir, "load_cases.json", rows)


# e. to_environment_variables ------------------------------------------------------

ENV_VAR_CASES = [
    ("scalars", 'b = true\nf = false\nn = "None"\ni = 5\nfl = 1e20\nt = 0.1\ns = "x y"\n',
     None, "PREFECT"),
    ("nested_and_lists",
     '[server]\nport = "4200"\n[server.db]\nname = "db"\nlist = [1, 2]\nstrs = ["a", "b c"]\n'
     'tup = "1,2"\ndict = "{\'a\': None}"\n[empty]\n',
     None, "PREFECT"),
    ("include_filter",
     '[server]\nport = "4200"\nhost = "h"\n[server.db]\nname = "db"\n[cloud]\napi = "a"\n',
     ["server.port", "server.db.name", "server", "cloud.api.x"], "PREFECT"),
    ("custom_prefix_and_case",
     '[Server]\nMixedCase = 1\n[context.secrets]\nMyKey = "v"\n', None, "my_app"),
    ("empty_include_means_all", 'a = 1\n', [], "PREFECT"),
]


def gen_to_env(out_dir):
    rows = []
    for name, toml_text, include, prefix in ENV_VAR_CASES:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "c.toml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(toml_text)
            set_env({"HOME": FAKE_HOME})
            try:
                config = pc.load_configuration(path)
            finally:
                _sanitise_process_env()
        rows.append({
            "name": name,
            "config": to_json(config),
            "include": include,
            "prefix": prefix,
            "expected": pc.to_environment_variables(config, include=include, prefix=prefix),
        })
    write_json(out_dir, "to_environment_variables.json", rows)


# f. Secret.get() ---------------------------------------------------------------------

SECRET_TEXTS = [
    "42", "-7", "1.5", '"quoted"', '{"x": [1, null, true]}', "not json", "",
    # integers beyond 64 bits
    "18446744073709551615", "18446744073709551616", "-9223372036854775808",
    "-9223372036854775809", "123456789012345678901234567890",
    "[18446744073709551616]", '{"id": 123456789012345678901234567890}',
    # floats that need correct rounding
    "2.2250738585072011e-308", "2.4703282292062328e-324", "0.1",
    "[2.4703282292062328e-324, 1e-7]",
    # negative zero
    "-0", "-0.0", "[-0, -0.0]", '{"a": -0}',
]


def gen_secret_get(out_dir):
    """Secret("X").get() with X set three ways: in a TOML [context.secrets]
    table, as PREFECT__CONTEXT__SECRETS__X, and in the context at run time.
    The loaded secrets are placed in prefect.context, as Prefect does with
    config.context at import."""
    import prefect
    from prefect.client.secrets import Secret

    rows = []
    for way in ("toml", "env", "runtime"):
        for text in SECRET_TEXTS:
            if way == "runtime":
                secrets = {"X": text}
            else:
                env = {"HOME": FAKE_HOME}
                toml_text = "[context.secrets]\n"
                if way == "toml":
                    toml_text += "X = %s\n" % json.dumps(text)
                else:
                    env["PREFECT__CONTEXT__SECRETS__X"] = text
                with tempfile.TemporaryDirectory() as tmp:
                    path = os.path.join(tmp, "c.toml")
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(toml_text)
                    set_env(env)
                    try:
                        config = pc.load_configuration(path, env_var_prefix="PREFECT")
                    finally:
                        _sanitise_process_env()
                secrets = dict(config.context.secrets)
            with prefect.context(secrets=secrets):
                result = Secret("X").get()
            try:
                value = to_json(result)
            except NotJson:
                value = None
            rows.append({
                "way": way,
                "text": text,
                "type": type(result).__name__,
                "value": value,
                "repr": repr(result),
            })
    write_json(out_dir, "secret_get.json", rows)


def gen_secret_rule(out_dir):
    """When Secret.get()/exists() go past the context's secrets to the
    Cloud client. The client is a stand-in that records each query and
    knows one secret, X; the configuration is changed with Prefect's own
    set_temporary_config, which sets both prefect.config (where `backend`
    is read) and the context's config (where `use_local_secrets` is)."""
    from box import Box
    from prefect.client.secrets import Secret
    from prefect.utilities.configuration import set_temporary_config

    class RecordingClient:
        def __init__(self):
            self.asked = False

        def graphql(self, query, variables=None):
            self.asked = True
            if "secret_names" in query:
                return Box({"data": {"secret_names": ["X"]}})
            return Box({"data": {"secret_value": '"from backend"'}})

    rows = []
    for method in ("get", "exists"):
        for backend in ("cloud", "server"):
            for use_local in (True, False):
                for present in (True, False):
                    secrets = {"X": '"local"'} if present else {}
                    client = RecordingClient()
                    secret = Secret("X")
                    secret._client = client  # what the `client` property returns
                    row = {
                        "method": method,
                        "backend": backend,
                        "use_local_secrets": use_local,
                        "present": present,
                    }
                    with set_temporary_config(
                        {"backend": backend, "cloud.use_local_secrets": use_local}
                    ):
                        with prefect.context(secrets=secrets):
                            try:
                                row["value"] = getattr(secret, method)()
                                row["error"] = None
                            except Exception as e:  # noqa: BLE001 - recorded
                                row["value"] = None
                                row["error"] = "%s: %s" % (type(e).__name__, e)
                    row["asked_backend"] = client.asked
                    rows.append(row)
    write_json(out_dir, "secret_rule.json", rows)


def check_our_defaults():
    """Our defaults file must load to exactly what Prefect's file loads to
    (same keys, same order, same Python types)."""
    ours = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "config", OUR_DEFAULTS)
    if not os.path.exists(ours):
        return

    def typed(v):
        if isinstance(v, dict):
            return ("dict", [(k, typed(x)) for k, x in v.items()])
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, [typed(x) for x in v])
        return (type(v).__name__, repr(v))

    set_env({"HOME": FAKE_HOME})
    try:
        same = typed(pc.load_configuration(pc.DEFAULT_CONFIG)) == typed(
            pc.load_configuration(ours))
    finally:
        _sanitise_process_env()
    print("config/%s matches Prefect %s's defaults:" % (OUR_DEFAULTS, prefect.__version__),
          "yes" if same else "NO")
    if not same:
        sys.exit(1)


def gen_reserved_keys(out_dir):
    write_json(out_dir, "config_reserved_keys.json", sorted(dir(pc.Config)))


# main ------------------------------------------------------------------------------


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--run-case":
        print(json.dumps(run_load_case(json.load(sys.stdin))))
        return
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    here = os.path.dirname(os.path.abspath(__file__))
    default_dir = os.path.join(here, "..", "tests", "fixtures")
    if VERSION == "1":
        default_dir = os.path.join(default_dir, "prefect-" + prefect.__version__)
    out_dir = sys.argv[1] if len(sys.argv) > 1 else default_dir
    os.makedirs(out_dir, exist_ok=True)
    if VERSION == "1":
        gen_defaults(out_dir)
        gen_load_cases(out_dir)
        gen_secret_rule(out_dir)
        check_our_defaults()
        return
    gen_defaults(out_dir)
    gen_string_to_type(out_dir)
    gen_python_str(out_dir)
    gen_load_cases(out_dir)
    gen_to_env(out_dir)
    gen_reserved_keys(out_dir)
    gen_secret_get(out_dir)
    gen_secret_rule(out_dir)
    check_our_defaults()


if __name__ == "__main__":
    main()
