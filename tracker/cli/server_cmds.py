"""serve and user: the team server and its accounts."""

from __future__ import annotations

import sys

import click

from .common import db_option, emit_json, get_store, info, json_option, selected_url, table


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep 127.0.0.1 behind a reverse proxy that terminates TLS).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (PostgreSQL; SQLite serves best from one).")
@click.option("--pool-size", type=click.IntRange(1, 200), default=8, show_default=True,
              help="Database connections each worker keeps open.")
@click.option("--secure-cookies/--no-secure-cookies", default=None,
              help="Mark the session cookie Secure (default: when the request came over HTTPS, as the proxy reports).")
@click.option("--proxy-ips", metavar="IPS", default="127.0.0.1", show_default=True,
              help="Addresses of the reverse proxy whose X-Forwarded-For/-Proto headers are trusted.")
@db_option
def serve_cmd(host, port, workers, pool_size, secure_cookies, proxy_ips):
    """Run the team server: web pages and a JSON API over the same database.

    \b
    Pages: sign in, my week, questions (forecast and revise), add a question,
    the reviewer's quarterly review, the live team report. JSON API under
    /api with OpenAPI at /openapi.json and docs at /docs; /healthz for
    monitors. Accounts: tracker user add NAME --role analyst|reviewer|lead.

    \b
    Examples:
      tracker serve                                   (http://127.0.0.1:8000, the local SQLite database)
      tracker serve --db postgresql+psycopg://tracker_web@db/team --port 8080 --workers 4
      tracker serve --pool-size 16 --proxy-ips 127.0.0.1 --secure-cookies   (behind a TLS proxy)
    """
    import os

    import uvicorn

    from ..storage import open_store

    url = selected_url()
    open_store(url).dispose()  # a database that cannot be opened fails here, in one line
    os.environ["TRACKER_SERVE_URL"] = url
    os.environ["TRACKER_SERVE_POOL"] = str(pool_size)
    if secure_cookies is not None:
        os.environ["TRACKER_SERVE_SECURE_COOKIES"] = "1" if secure_cookies else "0"
    info(f"serving on http://{host}:{port} (Ctrl-C to stop)")
    uvicorn.run("tracker.web.serve:app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, forwarded_allow_ips=proxy_ips, log_level="warning", server_header=False)


@click.group("user")
def user_group():
    """Accounts of the team server: add users, make and revoke API tokens.

    See each subcommand's --help for examples: add, token, revoke, disable, list.
    """


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["analyst", "reviewer", "lead"]), required=True,
              help="analyst: forecasts; reviewer: resolves; lead: reads everything, adds questions.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@db_option
@json_option
def user_add(name, role, password_stdin, as_json):
    """Add a user who signs in to the team server (the password is hashed with Argon2id).

    The user name is the analyst name their forecasts are recorded under; on
    PostgreSQL it is also the database role the server acts as (create it
    with tracker db grant-analyst / grant-reviewer).

    \b
    Examples:
      tracker user add ana --role analyst
      tracker user add rev --role reviewer --password-stdin < password.txt
    """
    from ..services.users import add_user

    result = add_user(get_store(), name, role, _read_password(password_stdin))
    if as_json:
        emit_json(result)
    else:
        click.echo(f"added user {result['name']} ({result['role']})")


@user_group.command("token")
@click.argument("name")
@click.option("--label", metavar="TEXT", help="What the token is for (shown in tracker user list --tokens).")
@db_option
@json_option
def user_token(name, label, as_json):
    """Make an API token for NAME: shown once, stored only as a hash.

    \b
    Use it as: curl -H "Authorization: Bearer TOKEN" http://127.0.0.1:8000/api/todo

    \b
    Examples:
      tracker user token ana --label "laptop script"
      tracker user token ana --json
    """
    from ..services.users import make_token

    result = make_token(get_store(), name, label=label)
    if as_json:
        emit_json(result)
    else:
        click.echo(result["token"])
        info(f"token #{result['id']} for {name}: shown once, keep it secret (revoke: tracker user revoke {result['id']})")


@user_group.command("revoke")
@click.argument("token_id", type=click.IntRange(1))
@db_option
@json_option
def user_revoke(token_id, as_json):
    """Revoke an API token by its number (see tracker user list --tokens).

    \b
    Example:
      tracker user revoke 3
    """
    from ..services.users import revoke_token

    result = revoke_token(get_store(), token_id)
    if as_json:
        emit_json(result)
    else:
        click.echo(f"revoked token #{result['id']} of {result['user']}")


@user_group.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the user again instead.")
@db_option
@json_option
def user_disable(name, enable, as_json):
    """Disable a user (signs them out; their tokens stop working) or enable them again.

    \b
    Examples:
      tracker user disable ana
      tracker user disable ana --enable
    """
    from ..services.users import set_disabled

    result = set_disabled(get_store(), name, not enable)
    if as_json:
        emit_json(result)
    else:
        click.echo(f"{'enabled' if enable else 'disabled'} user {name}")


@user_group.command("list")
@click.option("--tokens", is_flag=True, help="List the API tokens (never their values) instead.")
@db_option
@json_option
def user_list(tokens, as_json):
    """List users (or, with --tokens, API tokens and whether they are revoked).

    \b
    Examples:
      tracker user list
      tracker user list --tokens --json
    """
    from ..services.users import list_tokens, list_users

    store = get_store()
    rows = list_tokens(store) if tokens else list_users(store)
    if as_json:
        emit_json(rows)
    elif not rows:
        info("no tokens" if tokens else "no users (add one: tracker user add NAME --role analyst)")
    elif tokens:
        click.echo(table([(r["id"], r["user"], r["label"], r["created_at"], r["revoked_at"] or "active") for r in rows],
                         ["#", "user", "label", "created", "revoked"]))
    else:
        click.echo(table([(r["name"], r["role"], r["tokens"], "disabled" if r["disabled"] else "", r["created_at"])
                          for r in rows], ["user", "role", "tokens", "", "created"]))
